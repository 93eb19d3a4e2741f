package outscale_test

import (
	"context"
	"slices"
	"testing"
	"time"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale/osctest"
)

// stopVM stops a VM with the SDK directly, as an operator (or a failing
// host) would.
func stopVM(t *testing.T, srv *osctest.Server, vmID string) {
	t.Helper()
	cfg := osc.NewConfiguration()
	cfg.Servers = osc.ServerConfigurations{{URL: srv.URL()}}
	ctx := context.WithValue(t.Context(), osc.ContextAWSv4, osc.AWSv4{AccessKey: "AK", SecretKey: "SK"})
	_, _, err := osc.NewAPIClient(cfg).VmApi.StopVms(ctx).StopVmsRequest(osc.StopVmsRequest{VmIds: []string{vmID}}).Execute()
	require.NoError(t, err)
}

// The reconcile loop on OUTSCALE, which has no autoscaling group to
// replace a lost VM: a web VM terminated out of band, one stopped, and one
// failing the load balancer's health check are each replaced within a
// pass; the pass writes only that VM's replacement (and the lock),
// nothing else; when every node fails its check, nothing is replaced; the
// loop stops when cancelled.
func TestReconcileReplacesLostVMs(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	eng := engineFor(d)
	bp := webApp(t)
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	var web driver.Observed // the cluster behind the load balancer
	clusters, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindCluster})
	require.NoError(t, err)
	for _, c := range clusters {
		if len(c.Resource.Cluster.LoadBalancers) > 0 {
			web = c
		}
	}
	require.GreaterOrEqual(t, len(web.Parts["vm"]), 2, "%+v", web)
	want := state(t, d, bp.Deployment)

	ctx, cancel := context.WithCancel(t.Context())
	passes := make(chan provider.Pass, 1000)
	done := make(chan error, 1)
	go func() {
		done <- eng.Reconcile(ctx, bp, func(o *provider.ReconcileOptions) {
			o.Interval = 10 * time.Millisecond
			o.OnPass = func(p provider.Pass) { passes <- p }
		})
	}()
	heal := func(what string, outOfBand func(vm string)) {
		t.Helper()
		victim := web.Parts["vm"][0]
		start := len(srv.Calls())
		outOfBand(victim)
		p := waitPass(t, passes, provider.Pass.Healed)
		require.NoError(t, p.Err)
		assert.Equal(t, 1, p.Result.Updated, "%s: the cluster updated back to 2 nodes: %v", what, p)
		assert.Equal(t, 0, p.Result.Created+p.Result.Replaced+p.Result.Deleted, "%s: nothing else", what)
		var writes []string
		for _, c := range srv.Calls()[start:] {
			if isWrite(c.Op) && !slices.Contains(writes, c.Op) {
				writes = append(writes, c.Op)
			}
		}
		slices.Sort(writes)
		assert.Contains(t, writes, "CreateVms", what)
		assert.Subset(t, []string{"CreateKeypair", "CreateTags", "CreateVms", "DeleteKeypair", "DeleteVms", "LinkLoadBalancerBackendMachines", "StopVms", "UnlinkLoadBalancerBackendMachines"},
			writes, "%s: the lock, the new VM, its tags, its link to the load balancer (and the stopped VM's delete)", what)
		assert.Equal(t, want, state(t, d, bp.Deployment), what)
		web, err = d.Read(t.Context(), blueprint.KindCluster, web.ID)
		require.NoError(t, err)
		assert.NotContains(t, web.Parts["vm"], victim, what)
	}
	heal("terminated", func(vm string) { terminate(t, srv, vm) })
	heal("stopped", func(vm string) { stopVM(t, srv, vm) })
	heal("failing its health check", func(vm string) { require.True(t, srv.FailHealthCheck(vm, true)) })

	// When every node fails, the fault is the service or the check, not
	// the VMs: nothing is replaced.
	for _, vm := range web.Parts["vm"] {
		require.True(t, srv.FailHealthCheck(vm, true))
	}
	start := len(srv.Calls())
	waitPass(t, passes, func(p provider.Pass) bool { return p.Err == nil && !p.Healed() })
	waitPass(t, passes, func(p provider.Pass) bool { return p.Err == nil && !p.Healed() })
	for _, c := range srv.Calls()[start:] {
		assert.False(t, isWrite(c.Op), "all nodes down: no %s", c.Op)
	}

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err, "a cancelled loop stops cleanly")
	case <-time.After(10 * time.Second):
		t.Fatal("the loop did not stop")
	}
	assert.Empty(t, srv.Violations())
	_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp), func(o *provider.DestroyOptions) { o.SkipFinalSnapshot = true })
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, d))
}

// waitPass returns the next pass that satisfies ok.
func waitPass(t *testing.T, passes <-chan provider.Pass, ok func(provider.Pass) bool) provider.Pass {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case p := <-passes:
			if ok(p) {
				return p
			}
		case <-deadline:
			t.Fatal("no such pass in 20 s")
			return provider.Pass{}
		}
	}
}
