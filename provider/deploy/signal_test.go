package deploy_test

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/deploy"
	"github.com/archkit/archkit/provider/fake"
)

// signalHelper names the variable that makes the test binary run a deploy
// program (Command.Main) on a slow fake instead of the tests.
const signalHelper = "ARCHKIT_DEPLOY_SIGNAL_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(signalHelper) == "1" {
		d := fake.New(func(o *fake.Options) { o.Latency = 40 * time.Millisecond })
		cmd := &deploy.Command{Architecture: shop{}.architecture, Driver: d}
		os.Args = []string{"shop", "-cleanup=false", "-progress", "plain"}
		os.Exit(cmd.Main())
	}
	os.Exit(m.Run())
}

// Ctrl-C (SIGINT) stops a deploy program cleanly: it says so, reports what
// was done and what never started, and exits with 130.
func TestSignal(t *testing.T) {
	t.Parallel()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), signalHelper+"=1")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	signalled := false
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if !signalled && strings.Contains(sc.Text(), ": created ") {
			require.NoError(t, cmd.Process.Signal(os.Interrupt))
			signalled = true
		}
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "%v\nstdout:\n%s\nstderr:\n%s", err, &out, &errOut)
	assert.Equal(t, deploy.ExitInterrupted, exit.ExitCode(), "stdout:\n%s\nstderr:\n%s", &out, &errOut)
	assert.Contains(t, errOut.String(), "interrupt: stopping; what has not started will not start")
	assert.Contains(t, out.String(), "Apply failed:")
	assert.Contains(t, out.String(), "Not started (")
	assert.NotContains(t, out.String(), "FAILED", "nothing counted as failed")
}
