package outscale_test

import (
	"context"
	"slices"
	"testing"
	"time"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale/osctest"
	"github.com/archkit/archkit/tier"
)

// floatingFront is a public tier of two VMs without a load balancer,
// reached on one floating public IP: the OUTSCALE document's failover.
func floatingFront(t *testing.T) *blueprint.Blueprint {
	t.Helper()
	c := tier.NewCluster("front", suiteImage, "tinav5.c2r4p2")
	c.Min, c.Desired, c.Max = 2, 2, 2
	c.FloatingIP = true
	a := pattern.New("float", "10.9.0.0/16").AddTier(tier.Web("front")).AddCluster(c).Connect("internet", "front", 443)
	a.Profile = netplan.Outscale
	bp, err := a.Build()
	require.NoError(t, err)
	return bp
}

// publicIPOn returns the VM the deployment's floating IP is linked to.
func publicIPOn(t *testing.T, srv *osctest.Server) string {
	t.Helper()
	cfg := osc.NewConfiguration()
	cfg.Servers = osc.ServerConfigurations{{URL: srv.URL()}}
	ctx := context.WithValue(t.Context(), osc.ContextAWSv4, osc.AWSv4{AccessKey: "AK", SecretKey: "SK"})
	resp, _, err := osc.NewAPIClient(cfg).PublicIpApi.ReadPublicIps(ctx).ReadPublicIpsRequest(osc.ReadPublicIpsRequest{}).Execute()
	require.NoError(t, err)
	require.Len(t, resp.GetPublicIps(), 1)
	return resp.GetPublicIps()[0].GetVmId()
}

// The floating public IP is on a running node of the tier; when that node
// stops, or is terminated, a reconcile pass moves it to the other node
// (LinkPublicIp, before the replacement VM is even created) and replaces
// the lost node. A re-apply writes nothing; destroy leaves nothing.
func TestFloatingIPFailover(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	eng := engineFor(d)
	bp := floatingFront(t)
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	front, err := d.Read(t.Context(), blueprint.KindCluster, clusterID(t, d, bp, "cluster/front"))
	require.NoError(t, err)
	require.Len(t, front.Parts["vm"], 2)
	active := publicIPOn(t, srv)
	require.Contains(t, front.Parts["vm"], active, "the IP is on a node of the tier")
	again, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, again.WriteCalls, "a converged floating IP writes nothing")

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	passes := make(chan provider.Pass, 1000)
	go func() {
		_ = eng.Reconcile(ctx, bp, func(o *provider.ReconcileOptions) {
			o.Interval = 10 * time.Millisecond
			o.OnPass = func(p provider.Pass) { passes <- p }
		})
	}()
	for _, fail := range []struct {
		what string
		do   func(vm string)
	}{{"stopped", func(vm string) { stopVM(t, srv, vm) }}, {"terminated", func(vm string) { terminate(t, srv, vm) }}} {
		start := len(srv.Calls())
		fail.do(active)
		p := waitPass(t, passes, provider.Pass.Healed)
		require.NoError(t, p.Err)
		now := publicIPOn(t, srv)
		assert.NotEqual(t, active, now, "%s: the IP moved", fail.what)
		assert.NotEmpty(t, now, fail.what)
		calls := srv.Calls()[start:]
		link := slices.IndexFunc(calls, func(c osctest.Call) bool { return c.Op == "LinkPublicIp" })
		create := slices.IndexFunc(calls, func(c osctest.Call) bool { return c.Op == "CreateVms" })
		require.NotEqual(t, -1, link, fail.what)
		assert.Less(t, link, create, "%s: the IP moves to the standby before the lost node is replaced", fail.what)
		active = now
	}
	cancel()
	obs, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindCluster})
	require.NoError(t, err)
	require.Len(t, obs, 1)
	assert.Len(t, obs[0].Parts["vm"], 2, "the lost nodes were replaced")
	assert.Contains(t, obs[0].Parts["vm"], active)
	assert.Empty(t, srv.Violations())
	_, err = eng.Destroy(t.Context(), bp.Deployment)
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, d))
}
