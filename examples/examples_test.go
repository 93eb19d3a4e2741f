package examples_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
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

// runTimeout bounds one run of an example, as a guard against a hang, not
// a measure: a run on the fake takes well under a second; one against
// moto takes 10 to 20 s with the cloud's default polls and rate limits,
// and took 45 s on a loaded 2-core machine (which a 45 s bound failed).
const runTimeout = 5 * time.Minute

// TestExamples builds every example twice, once as `go run` builds it
// (the fake only) and once with the cloud drivers and the picture
// renderer (-tags cloud,graphviz), and runs each: on the fake with no
// flags, with -json (a stream of result documents), with -plan and -plan
// -json (exit status 2: changes to make), with -blueprint; with
// -provider aws where the drivers are not compiled in (refused, saying
// how to get them); with -diagram writing an SVG. webapp is also applied
// to moto and destroyed again; threetier is applied to an in-memory
// OUTSCALE API, and so are the others, each with -cleanup.
func TestExamples(t *testing.T) {
	names := exampleNames(t)
	bin, full := build(t, ""), build(t, "cloud,graphviz")
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				name string
				bin  string
				args []string
				code int
			}{
				{"fake", bin, nil, 0},
				{"json", bin, []string{"-json"}, 0},
				{"plan", bin, []string{"-plan"}, 2},
				{"plan-json", bin, []string{"-plan", "-json"}, 2},
				{"blueprint", bin, []string{"-blueprint"}, 0},
				{"no-cloud", bin, []string{"-provider", "aws"}, 1},
				{"svg", full, []string{"-diagram", "diagram.svg"}, 0},
			} {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					r := runExit(t, tc.bin, name, nil, tc.code, tc.args...)
					switch tc.name {
					case "json", "plan-json", "blueprint":
						requireJSON(t, r.stdout)
					case "no-cloud":
						assert.Contains(t, r.stderr, "-provider aws: the aws driver is not compiled into this program")
						assert.Contains(t, r.stderr, "-tags cloud")
					case "svg":
						svg, err := os.ReadFile(filepath.Join(r.dir, "diagram.svg"))
						require.NoError(t, err)
						assert.Contains(t, string(svg), "<svg")
						assert.Greater(t, len(svg), 4000, "a picture of the whole architecture")
					}
				})
			}
		})
	}
	t.Run("webapp/moto", func(t *testing.T) {
		t.Parallel()
		testWebappOnMoto(t, full)
	})
	t.Run("threetier/osctest", func(t *testing.T) {
		t.Parallel()
		testThreetierOnOsctest(t, full)
	})
	for _, name := range []string{"dmz", "cloudnative", "elastic", "webapp"} {
		t.Run(name+"/osctest", func(t *testing.T) {
			t.Parallel()
			testCleanupOnOsctest(t, full, name)
		})
	}
}

// requireJSON checks that out is a stream of JSON documents.
func requireJSON(t *testing.T, out []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	n := 0
	for dec.More() {
		var v any
		require.NoError(t, dec.Decode(&v), "not JSON:\n%s", out)
		n++
	}
	require.Positive(t, n, "no JSON document")
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
		created := planCounts(t, runExit(t, bin, "webapp", env, 0, slices.Concat(args, []string{"-plan"})...).stdout)
		assert.Equal(t, [5]int{0, 0, 0, 0, created[4]}, created, "a plan right after the apply must change nothing")
		assert.Positive(t, created[4])

		// The database holds data: -destroy refuses to touch the
		// deployment until -allow-data-loss names it, and says so.
		refused := runExit(t, bin, "webapp", env, 1, slices.Concat(args, []string{"-destroy", "-auto-approve"})...)
		assert.Contains(t, refused.stderr, "-allow-data-loss database/db")
		allowed := slices.Concat(args, []string{"-destroy", "-allow-data-loss", "database/db", "-skip-final-snapshot"})
		refused = runExit(t, bin, "webapp", env, 1, allowed...)
		assert.Contains(t, refused.stderr, "run again with -auto-approve", "no terminal to confirm on")
		run(t, bin, "webapp", env, append(allowed, "-auto-approve")...)
		left := planCounts(t, runExit(t, bin, "webapp", env, 2, slices.Concat(args, []string{"-plan"})...).stdout)
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
		left := planCounts(t, runExit(t, bin, "webapp", env, 2, slices.Concat(args, []string{"-plan"})...).stdout)
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
	counts := planCounts(t, runExit(t, bin, "threetier", env, 0, slices.Concat(args, []string{"-plan"})...).stdout)
	assert.Equal(t, [5]int{0, 0, 0, 0, counts[4]}, counts, "a plan right after the apply must change nothing")

	// The database cluster holds data: -destroy refuses without the opt-in,
	// and says which.
	refused := runExit(t, bin, "threetier", env, 1, slices.Concat(args, []string{"-destroy", "-auto-approve"})...)
	assert.Contains(t, refused.stderr, "-allow-data-loss cluster/db")
	assert.Positive(t, s.Count("vm"), "nothing deleted by the refused -destroy")
	run(t, bin, "threetier", env, slices.Concat(args, []string{"-destroy", "-auto-approve", "-allow-data-loss", "cluster/db"})...)
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

// build compiles every example once, with the build tags (none: as `go
// run` builds them), without the race detector, into a temporary
// directory, and returns it. go test puts its own go first in PATH, so
// this is the toolchain that runs the test.
func build(t *testing.T, tags string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command is needed to build the examples")
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	if tags != "" {
		args = append(args, "-tags", tags)
	}
	cmd := exec.CommandContext(ctx, gobin, append(args, "./...")...)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build -tags %q ./examples/...:\n%s", tags, out)
	return dir
}

// run runs example name with args and env added to a clean environment,
// and returns its standard output. It fails the test, showing both outputs,
// when the example exits with an error or prints nothing.
func run(t *testing.T, bin, name string, env []string, args ...string) []byte {
	t.Helper()
	return runExit(t, bin, name, env, 0, args...).stdout
}

// runOutputs is run, returning the standard error too.
func runOutputs(t *testing.T, bin, name string, env []string, args ...string) (stdout []byte, stderr string) {
	t.Helper()
	r := runExit(t, bin, name, env, 0, args...)
	return r.stdout, r.stderr
}

// result is what a run of an example left.
type result struct {
	stdout []byte
	stderr string
	dir    string // its working directory
}

// runExit runs example name with args in a directory of its own and checks
// its exit status and that it printed something.
func runExit(t *testing.T, bin, name string, env []string, code int, args ...string) result {
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
	err := cmd.Run()
	t.Logf("%s %s: %v", name, strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	got := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		got = exit.ExitCode()
	} else {
		require.NoError(t, err, "%s %s did not run", name, strings.Join(args, " "))
	}
	require.Equal(t, code, got, "%s %s: exit status\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), &out, &errOut)
	if code != 1 {
		require.NotEmpty(t, out.Bytes(), "%s %s printed nothing\nstderr:\n%s", name, strings.Join(args, " "), &errOut)
	}
	return result{stdout: out.Bytes(), stderr: errOut.String(), dir: cmd.Dir}
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
		cmd := exec.CommandContext(ctx, filepath.Join(bin, name), slices.Concat(args,
			[]string{"-destroy", "-auto-approve", "-allow-data-loss", "database/db,cluster/db", "-skip-final-snapshot"})...)
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
