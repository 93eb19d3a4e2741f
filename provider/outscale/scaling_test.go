package outscale_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale/osctest"
)

// scalingBlueprint is a Net, two subnets, a group and a cluster of two to
// four VMs with a CPU target-tracking policy.
func scalingBlueprint() *blueprint.Blueprint {
	bp := &blueprint.Blueprint{Schema: blueprint.SchemaV2, Deployment: "scale", Resources: base()}
	bp.Resources = append(bp.Resources, blueprint.Resource{ID: "cluster/app", Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{
		Tier: "app", Subnets: []blueprint.Ref{"subnet/app/a", "subnet/app/b"}, SecurityGroups: []blueprint.Ref{"security_group/app"},
		Image: suiteImage, InstanceType: "tinav5.c1r2p2", Min: 2, Desired: 2, Max: 4, Stateless: true,
		Scaling: &blueprint.ScalingSpec{TargetCPUPercent: 60, WarmupSeconds: 300}}})
	for i := range bp.Resources {
		bp.Resources[i].DependsOn = bp.Resources[i].Dependencies()
	}
	return bp
}

// OUTSCALE has no autoscaling: a cluster with a scaling policy is refused
// before any request, or built at Desired VMs with a notice when the
// engine allows fallbacks.
func TestScalingUnsupported(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		allowFallback bool
	}{
		{"refused", false},
		{"fallback", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := osctest.New(t)
			d := newDriver(t, srv)
			assert.False(t, d.Capabilities().SupportsField(blueprint.KindCluster, "scaling"))
			assert.False(t, d.Capabilities().CanUpdate(blueprint.KindCluster, "scaling"))
			var (
				mu      sync.Mutex
				notices []string
			)
			eng := provider.NewEngine(d, func(o *provider.Options) {
				o.AllowFallback = tc.allowFallback
				o.RateLimit = -1
				o.PollMin, o.PollMax = time.Millisecond, 5*time.Millisecond
				o.Retry.BaseDelay, o.Retry.MaxDelay = time.Millisecond, 5*time.Millisecond
				o.OnEvent = func(ev provider.Event) {
					if ev.Type == provider.EventNotice {
						mu.Lock()
						notices = append(notices, ev.Message)
						mu.Unlock()
					}
				}
			})
			bp := scalingBlueprint()
			res, err := eng.Apply(t.Context(), bp)
			if !tc.allowFallback {
				require.ErrorIs(t, err, driver.ErrUnsupported)
				assert.ErrorContains(t, err, "cluster/app: cluster.scaling not supported by outscale (OUTSCALE has no autoscaling service")
				assert.ErrorContains(t, err, "set AllowFallback to keep the nodes at desired (2), or remove the cluster's Scaling")
				total, _ := srv.Requests()
				assert.Zero(t, total, "refused before any request")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, len(bp.Resources), res.Created)
			require.Len(t, notices, 1)
			assert.Contains(t, notices[0], "cluster/app: scaling dropped: outscale cannot autoscale")
			assert.Contains(t, notices[0], "the cluster stays at 2 nodes")
			clusters, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindCluster})
			require.NoError(t, err)
			require.Len(t, clusters, 1)
			assert.Len(t, clusters[0].Parts["vm"], 2, "kept at Desired")
			assert.Nil(t, clusters[0].Resource.Cluster.Scaling)

			again, err := eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			assert.Zero(t, again.WriteCalls, "no diff on the dropped policy")
		})
	}
}

// The driver itself refuses a policy, for callers that bypass the engine.
func TestScalingRefusedByDriver(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	bp := scalingBlueprint()
	c, _ := bp.Resource("cluster/app")
	_, err := d.Create(t.Context(), driver.Request{Deployment: "scale", Resource: c})
	require.ErrorIs(t, err, driver.ErrUnsupported)
	assert.ErrorContains(t, err, "cluster.scaling")
	_, err = d.Update(t.Context(), driver.Request{Deployment: "scale", Resource: c}, driver.Observed{ID: "x"})
	require.ErrorIs(t, err, driver.ErrUnsupported)
	total, _ := srv.Requests()
	assert.Zero(t, total)
}
