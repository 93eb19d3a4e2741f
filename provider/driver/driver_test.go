package driver_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/driver"
)

func TestRetryPolicyDelay(t *testing.T) {
	t.Parallel()
	p := driver.RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond}
	for n := 1; n <= 10; n++ {
		ceil := min(p.BaseDelay<<(n-1), p.MaxDelay)
		for range 50 {
			d := p.Delay(n)
			assert.GreaterOrEqual(t, d, time.Duration(0))
			assert.Less(t, d, ceil)
		}
	}
	assert.Zero(t, driver.RetryPolicy{}.Delay(3), "no base delay: no wait")
}

func TestToken(t *testing.T) {
	t.Parallel()
	// The hash is FNV-1a: tokens made before hash/fnv replaced the
	// hand-written loop stay the same.
	assert.Equal(t, uint32(0x811c9dc5), driver.Hash(""), "FNV-1a offset basis")
	assert.Equal(t, uint32(0xe40c292c), driver.Hash("a"))
	tok := driver.Token("shop", "subnet/web/a")
	assert.Regexp(t, `^shop-subnet-web-a-[0-9a-f]{8}$`, tok)
	assert.Equal(t, tok, driver.Token("shop", "subnet/web/a"), "deterministic")
	assert.NotEqual(t, tok, driver.Token("shop", "subnet/web/b"))
	long := driver.Token(strings.Repeat("d", 70), "cluster/app")
	assert.Len(t, long, 64)
	assert.NotEqual(t, long, driver.Token(strings.Repeat("d", 70), "cluster/web"), "the hash keeps truncated tokens apart")
}

func TestCompareObserved(t *testing.T) {
	t.Parallel()
	obs := []driver.Observed{
		{ID: "subnet-2", LogicalID: "subnet/web/a"},
		{ID: "subnet-9", LogicalID: ""},
		{ID: "subnet-1", LogicalID: "subnet/web/a"},
		{ID: "subnet-3", LogicalID: "subnet/app/a"},
	}
	slices.SortFunc(obs, driver.CompareObserved)
	var got []string
	for _, o := range obs {
		got = append(got, o.LogicalID+"="+o.ID)
	}
	assert.Equal(t, []string{"=subnet-9", "subnet/app/a=subnet-3", "subnet/web/a=subnet-1", "subnet/web/a=subnet-2"}, got)
}

// TestDriversImportNoEngine makes "drivers know resources, never patterns"
// a checked fact: no driver depends on the engine (package provider) or on
// package pattern, only on the contract and the resource model.
func TestDriversImportNoEngine(t *testing.T) {
	t.Parallel()
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	const module = "github.com/archkit/archkit/"
	forbidden := []string{module + "provider", module + "pattern"}
	for _, pkg := range []string{"provider/fake", "provider/aws", "provider/outscale"} {
		t.Run(pkg, func(t *testing.T) {
			t.Parallel()
			out, err := exec.CommandContext(t.Context(), gocmd, "list", "-deps", module+pkg).CombinedOutput()
			require.NoError(t, err, "%s", out)
			deps := strings.Fields(string(out))
			require.Contains(t, deps, module+"provider/driver")
			require.Contains(t, deps, module+"pattern/blueprint")
			for _, bad := range forbidden {
				assert.NotContains(t, deps, bad, "%s must not import %s", pkg, bad)
			}
		})
	}
}
