package driver_test

import (
	"fmt"
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
	tok := driver.Token("shop", "subnet/web/a", "")
	assert.Regexp(t, `^shop-subnet-web-a-[0-9a-f]{8}$`, tok)
	assert.Equal(t, fmt.Sprintf("shop-subnet-web-a-%08x", driver.Hash("shop\x00subnet/web/a")), tok, "no life: the token of earlier versions")
	assert.Equal(t, tok, driver.Token("shop", "subnet/web/a", ""), "deterministic")
	assert.NotEqual(t, tok, driver.Token("shop", "subnet/web/b", ""))
	life1 := driver.Token("shop", "subnet/web/a", "lt-0abc/1")
	assert.Equal(t, life1, driver.Token("shop", "subnet/web/a", "lt-0abc/1"), "one life, one token: retries share it")
	assert.NotEqual(t, life1, driver.Token("shop", "subnet/web/a", "lt-0def/1"), "the next life gets a new token")
	assert.NotEqual(t, life1, tok)
	assert.Equal(t, "shop-subnet-web-a-", driver.TokenPrefix("shop", "subnet/web/a"))
	for _, life := range []string{"", "lt-0abc/1", "lt-0def/9"} {
		assert.True(t, strings.HasPrefix(driver.Token("shop", "subnet/web/a", life), driver.TokenPrefix("shop", "subnet/web/a")), life)
		long := strings.Repeat("d", 70)
		assert.True(t, strings.HasPrefix(driver.Token(long, "cluster/app", life), driver.TokenPrefix(long, "cluster/app")), "truncated: %s", life)
	}
	long := driver.Token(strings.Repeat("d", 70), "cluster/app", "")
	assert.Len(t, long, 64)
	assert.NotEqual(t, long, driver.Token(strings.Repeat("d", 70), "cluster/web", ""), "the hash keeps truncated tokens apart")
}

func TestLockRecord(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 5, 4, 10, 0, 0, 123456789, time.UTC)
	l := driver.Lock{ID: "lt-0abc", Deployment: "shop", Expires: start.Add(5 * time.Minute),
		Holder: driver.Holder{ID: "9f86d081884c7d65", Host: "build-7", PID: 4242, Start: start}}
	tags := l.Tags()
	assert.Equal(t, "shop", tags[driver.TagLock])
	assert.NotContains(t, tags, driver.TagDeployment, "a lock is not a resource of the deployment")
	back := driver.LockFromTags("lt-0abc", "shop", tags)
	assert.Equal(t, l.Holder.ID, back.Holder.ID)
	assert.Equal(t, l.Holder.Host, back.Holder.Host)
	assert.Equal(t, l.Holder.PID, back.Holder.PID)
	assert.True(t, l.Holder.Start.Equal(back.Holder.Start))
	assert.True(t, l.Expires.Equal(back.Expires))
	assert.Equal(t, "host build-7, process 4242, since 2026-05-04T10:00:00Z (holder 9f86d081884c7d65)", l.Holder.String())

	assert.False(t, l.Expired(start.Add(time.Minute)))
	assert.True(t, l.Expired(start.Add(5*time.Minute)), "expired at the end of the lease")
	bare := driver.LockFromTags("key-1", "shop", nil)
	assert.False(t, bare.Expired(start.Add(time.Hour)), "a lock without a record never expires by itself")
	assert.Contains(t, bare.Holder.String(), "unknown holder")

	long := driver.Lock{Holder: driver.Holder{Host: strings.Repeat("h", 300)}}
	assert.Len(t, long.Tags()[driver.TagLockHost], 255, "tag values hold 255 characters on OUTSCALE")
	assert.Equal(t, "archkit-lock-shop", driver.LockName("shop"))
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
