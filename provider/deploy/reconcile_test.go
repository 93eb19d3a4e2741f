package deploy_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/deploy"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// -reconcile applies, then keeps the deployment converged: a security
// group deleted out of band comes back within a pass, each pass is a
// line, and Ctrl-C (the context's end) stops the loop with exit status 0.
func TestReconcileFlag(t *testing.T) {
	t.Parallel()
	d := fake.New()
	var out, errOut deploy.SyncBuffer
	cmd := &deploy.Command{Architecture: shop{}.architecture, Driver: d, Stdout: &out, Stderr: &errOut,
		EngineOptions: []func(*provider.Options){shop{}.engine}}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int, 1)
	go func() { done <- cmd.Run(ctx, []string{"-cleanup=false", "-reconcile", "10ms"}) }()
	waitFor := func(text string) {
		t.Helper()
		require.Eventually(t, func() bool { return strings.Contains(out.String(), text) }, 10*time.Second, 5*time.Millisecond,
			"%q not printed:\n%s\n%s", text, out.String(), errOut.String())
	}
	waitFor("reconcile pass 1: converged, nothing to do")
	var group string
	for _, o := range d.Resources() {
		if o.Tags[driver.TagLogicalID] == "security_group/db" {
			group = o.ID
		}
	}
	require.NotEmpty(t, group)
	require.NoError(t, d.DeleteOutside(group))
	waitFor("healed: 2 created")
	waitFor("create security_group/db: not found")
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, deploy.ExitOK, code, "%s\n%s", out.String(), errOut.String())
	case <-time.After(10 * time.Second):
		t.Fatal("the loop did not stop")
	}
	assert.Contains(t, out.String(), "Reconcile stopped.")
	fake.AssertExists(t, d, "shop", "security_group/db")
}
