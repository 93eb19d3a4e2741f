package examples_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/outscale/osctest"
)

// motoEnv names the variable that holds the address of a running
// moto_server; ./.ci/with-moto (make test) sets it.
const motoEnv = "ARCHKIT_MOTO_ENDPOINT"

// runTimeout bounds one run of an example; a run on the fake takes well
// under a second, one against moto or osctest a few seconds.
const runTimeout = 45 * time.Second

// TestExamples builds every example (each directory of examples/ with a
// main.go) once and runs it: on the fake with no flags, with -json (the
// output must be JSON) and with -plan. webapp is also applied to moto and
// destroyed again; threetier is applied to an in-memory OUTSCALE API,
// and so are the others, each with -cleanup.
func TestExamples(t *testing.T) {
	names := exampleNames(t)
	bin := build(t)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				args []string
			}{
				{"fake", nil},
				{"json", []string{"-json"}},
				{"plan", []string{"-plan"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					stdout := run(t, bin, name, nil, tc.args...)
					if tc.name == "json" {
						var v any
						require.NoError(t, json.Unmarshal(stdout, &v), "-json printed something else than JSON:\n%s", stdout)
					}
				})
			}
		})
	}
	t.Run("webapp/moto", func(t *testing.T) {
		t.Parallel()
		testWebappOnMoto(t, bin)
	})
	t.Run("threetier/osctest", func(t *testing.T) {
		t.Parallel()
		testThreetierOnOsctest(t, bin)
	})
	for _, name := range []string{"dmz", "cloudnative", "elastic", "webapp"} {
		t.Run(name+"/osctest", func(t *testing.T) {
			t.Parallel()
			testCleanupOnOsctest(t, bin, name)
		})
	}
}

// testCleanupOnOsctest runs example name with -cleanup against an in-memory
// OUTSCALE API: apply (with OUTSCALE's fallbacks: no network ACLs, no
// managed database, no autoscaling), apply again without a write, destroy.
// Nothing may be left and no call may stray from OUTSCALE's OpenAPI
// description.
func testCleanupOnOsctest(t *testing.T, bin, name string) {
	s, err := osctest.NewServer()
	require.NoError(t, err)
	t.Cleanup(s.Close)
	env := []string{"OSC_ACCESS_KEY=AKEXAMPLETEST", "OSC_SECRET_KEY=SKEXAMPLETEST"}
	out := run(t, bin, name, env, "-provider", "outscale", "-endpoint", s.URL(), "-cleanup")
	assert.Contains(t, string(out), "Apply complete:")
	assert.Contains(t, string(out), "0 write calls")
	assert.Contains(t, string(out), "Destroy complete:")
	for kind, n := range s.Snapshot() {
		assert.Zero(t, n, "%s left after -cleanup", kind)
	}
	assert.Empty(t, s.Violations(), "requests or responses outside OUTSCALE's OpenAPI description")
}

// testWebappOnMoto applies webapp to moto, plans it (no change), destroys
// it and plans again (nothing left); then does the same in one run with
// -cleanup. Each deployment has a name of its own, so a moto_server shared
// with other tests, or left from an earlier run, holds nothing it could see.
func testWebappOnMoto(t *testing.T, bin string) {
	endpoint := os.Getenv(motoEnv)
	if endpoint == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: run the tests with ./.ci/with-moto (make test), which starts moto_server", motoEnv)
		}
		t.Skipf("%s is not set: run ./.ci/with-moto go test ./examples/... to apply webapp to moto", motoEnv)
	}
	env := []string{"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_REGION=us-east-1"}
	aws := []string{"-provider", "aws", "-endpoint", endpoint}

	t.Run("apply-plan-destroy", func(t *testing.T) {
		t.Parallel()
		name := uniqueName(t, "webapp")
		args := slices.Concat(aws, []string{"-name", name})
		destroyOnFailure(t, bin, "webapp", env, args)

		out := run(t, bin, "webapp", env, args...)
		assert.Contains(t, string(out), "Apply complete:")
		created := planCounts(t, run(t, bin, "webapp", env, slices.Concat(args, []string{"-plan"})...))
		assert.Equal(t, [5]int{0, 0, 0, 0, created[4]}, created, "a plan right after the apply must change nothing")
		assert.Positive(t, created[4])

		run(t, bin, "webapp", env, slices.Concat(args, []string{"-destroy", "-allow-data-loss", "database/db", "-skip-final-snapshot"})...)
		left := planCounts(t, run(t, bin, "webapp", env, slices.Concat(args, []string{"-plan"})...))
		assert.Equal(t, [5]int{created[4], 0, 0, 0, 0}, left, "after -destroy everything is to be created again, nothing is left")
	})
	t.Run("cleanup", func(t *testing.T) {
		t.Parallel()
		name := uniqueName(t, "webapp")
		args := slices.Concat(aws, []string{"-name", name})
		destroyOnFailure(t, bin, "webapp", env, args)

		// No credentials and no region in the environment: with an
		// endpoint on 127.0.0.1, webapp falls back to the emulator's and
		// says so on stderr.
		out, notes := runOutputs(t, bin, "webapp", nil, slices.Concat(args, []string{"-cleanup"})...)
		assert.Contains(t, notes, `static test credentials "testing"`)
		assert.Contains(t, notes, "using us-east-1")
		assert.Contains(t, string(out), "0 write calls")
		assert.Contains(t, string(out), "Destroy complete:")
		left := planCounts(t, run(t, bin, "webapp", env, slices.Concat(args, []string{"-plan"})...))
		assert.Zero(t, left[4], "resources left after -cleanup")
		assert.Zero(t, left[3], "resources left after -cleanup")
	})
}

// testThreetierOnOsctest applies threetier to an in-memory OUTSCALE API that
// checks every request and response against OUTSCALE's OpenAPI description,
// then destroys it, and checks that nothing is left and nothing violated
// the description.
func testThreetierOnOsctest(t *testing.T, bin string) {
	s, err := osctest.NewServer()
	require.NoError(t, err)
	t.Cleanup(s.Close)
	env := []string{"OSC_ACCESS_KEY=AKEXAMPLETEST", "OSC_SECRET_KEY=SKEXAMPLETEST"}
	args := []string{"-provider", "outscale", "-endpoint", s.URL()}

	out := run(t, bin, "threetier", env, args...)
	assert.Contains(t, string(out), "Apply complete:")
	assert.Positive(t, s.Count("vm"), "the clusters' VMs")
	counts := planCounts(t, run(t, bin, "threetier", env, slices.Concat(args, []string{"-plan"})...))
	assert.Equal(t, [5]int{0, 0, 0, 0, counts[4]}, counts, "a plan right after the apply must change nothing")

	// The database cluster holds data: -destroy refuses without the opt-in,
	// and says which.
	refused, _ := runOutputsErr(t, bin, "threetier", env, slices.Concat(args, []string{"-destroy"})...)
	assert.Contains(t, refused, "-allow-data-loss cluster/db")
	assert.Positive(t, s.Count("vm"), "nothing deleted by the refused -destroy")
	run(t, bin, "threetier", env, slices.Concat(args, []string{"-destroy", "-allow-data-loss", "cluster/db"})...)
	for kind, n := range s.Snapshot() {
		assert.Zero(t, n, "%s left after -destroy", kind)
	}
	assert.Empty(t, s.Violations(), "requests or responses outside OUTSCALE's OpenAPI description")
}

// exampleNames lists the examples: the directories next to this file that
// hold a main.go.
func exampleNames(t *testing.T) []string {
	t.Helper()
	mains, err := filepath.Glob(filepath.Join("*", "main.go"))
	require.NoError(t, err)
	require.NotEmpty(t, mains, "no example found")
	var names []string
	for _, m := range mains {
		names = append(names, filepath.Dir(m))
	}
	return names
}

// build compiles every example once, without the race detector, into a
// temporary directory, and returns it. go test puts its own go first in
// PATH, so this is the toolchain that runs the test.
func build(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to build the examples")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, gobin, "build", "-o", dir+string(filepath.Separator), "./...")
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build ./examples/...:\n%s", out)
	return dir
}

// run runs example name with args and env added to a clean environment,
// and returns its standard output. It fails the test, showing both outputs,
// when the example exits with an error or prints nothing.
func run(t *testing.T, bin, name string, env []string, args ...string) []byte {
	t.Helper()
	stdout, _ := runOutputs(t, bin, name, env, args...)
	return stdout
}

// runOutputs is run, returning the standard error too.
func runOutputs(t *testing.T, bin, name string, env []string, args ...string) (stdout []byte, stderr string) {
	t.Helper()
	out, errOut, err := command(t, bin, name, env, args...)
	require.NoError(t, err, "%s %s failed\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), out, errOut)
	require.NotEmpty(t, out, "%s %s printed nothing\nstderr:\n%s", name, strings.Join(args, " "), errOut)
	return out, errOut
}

// runOutputsErr runs an example that must fail and returns its standard
// error and output.
func runOutputsErr(t *testing.T, bin, name string, env []string, args ...string) (stderr string, stdout []byte) {
	t.Helper()
	out, errOut, err := command(t, bin, name, env, args...)
	require.Error(t, err, "%s %s succeeded; want a failure\nstdout:\n%s", name, strings.Join(args, " "), out)
	return errOut, out
}

// command runs example name with args and env in a directory of its own.
func command(t *testing.T, bin, name string, env []string, args ...string) (stdout []byte, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	exe := filepath.Join(bin, name)
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = childEnv(cmd.Dir, env)
	cmd.WaitDelay = time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err = cmd.Run()
	t.Logf("%s %s: %v", name, strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return out.Bytes(), errOut.String(), err
}

// childEnv is this process's environment without the variables that
// choose a cloud account (AWS_*, OSC_*), with HOME set to home so that no
// configuration file of the person running the tests is read, plus env.
func childEnv(home string, env []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "OSC_") || strings.HasPrefix(kv, "HOME=") {
			continue
		}
		out = append(out, kv)
	}
	return append(append(out, "HOME="+home), env...)
}

// uniqueName returns prefix followed by random hex digits, a deployment name
// no other run uses.
func uniqueName(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 4)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return prefix + "-" + hex.EncodeToString(b)
}

// destroyOnFailure destroys the deployment of args at the end of a failed
// test, so that a shared emulator keeps nothing of it.
func destroyOnFailure(t *testing.T, bin, name string, env, args []string) {
	t.Helper()
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, filepath.Join(bin, name), slices.Concat(args, []string{"-destroy", "-allow-data-loss", "database/db,cluster/db", "-skip-final-snapshot"})...)
		cmd.Env = childEnv(os.TempDir(), env)
		cmd.WaitDelay = time.Second
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Logf("cleaning up after the failure: %v\n%s", err, out)
		}
	})
}

var planLine = regexp.MustCompile(`Plan for \S+ on \S+: (\d+) to create, (\d+) to update, (\d+) to replace, (\d+) to delete, (\d+) unchanged\.`)

// planCounts returns the counts of the plan summary line in out: to create,
// update, replace, delete, and unchanged.
func planCounts(t *testing.T, out []byte) [5]int {
	t.Helper()
	m := planLine.FindSubmatch(out)
	require.NotNil(t, m, "no plan summary in:\n%s", out)
	var c [5]int
	for i := range c {
		n, err := strconv.Atoi(string(m[i+1]))
		require.NoError(t, err)
		c[i] = n
	}
	return c
}
