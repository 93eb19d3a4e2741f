package deploy_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testdata/shopmodule is a module of its own, as a user writes one: a
// deploy program of at most 20 lines on this package, and its tests on
// the fake with no engine option. The test vets it and runs its tests
// with the go command that runs this test.
func TestUserModule(t *testing.T) {
	dir := filepath.Join("testdata", "shopmodule")
	src, err := os.ReadFile(filepath.Join(dir, "main.go"))
	require.NoError(t, err)
	assert.LessOrEqual(t, bytes.Count(src, []byte("\n")), 20, "a deploy program in at most 20 lines")

	gobin, err := exec.LookPath("go")
	require.NoError(t, err)
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}} {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
		cmd := exec.CommandContext(ctx, gobin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
		cmd.WaitDelay = time.Second
		out, err := cmd.CombinedOutput()
		cancel()
		require.NoError(t, err, "go %v in %s:\n%s", args, dir, out)
		t.Logf("go %v: %s", args, bytes.TrimSpace(out))
	}
}
