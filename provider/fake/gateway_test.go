package fake_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/tier"
)

// TestGatewayStaysWhilePublicNodesRun: the nodes of a public tier hold
// public IPs, and the clouds keep the Net's internet gateway while they do
// (AWS DetachInternetGateway: DependencyViolation; OUTSCALE refuses
// UnlinkInternetService). The fake refuses the gateway's delete, naming
// the cluster; Build orders the cluster after the gateway, so a destroy
// deletes it first and the gateway's delete is sent once.
func TestGatewayStaysWhilePublicNodesRun(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]func(*fake.Options){"aws": nil, "outscale": {fake.Outscale}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := pattern.New("edge", "10.0.0.0/16").AddTier(tier.Web("web"))
			a.Profile, a.NAT = netplan.AWS, netplan.NATNone
			if name == "outscale" {
				a.Profile = netplan.Outscale
			}
			a.AddCluster(tier.NewCluster("web", "ami-0abc", "t3.small"))
			bp, err := a.Build()
			require.NoError(t, err)
			c, _ := bp.Resource("cluster/web")
			assert.Contains(t, c.DependsOn, "internet_gateway/main")

			d := fake.New(opts...)
			eng := fastEngine(true)(d)
			_, err = eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			igws, err := d.List(t.Context(), driver.Query{Deployment: "edge", Kind: blueprint.KindInternetGateway})
			require.NoError(t, err)
			require.Len(t, igws, 1)
			err = d.Delete(t.Context(), igws[0], driver.DeleteOptions{})
			require.ErrorIs(t, err, driver.ErrDependency)
			var pe *driver.Error
			require.ErrorAs(t, err, &pe)
			require.Len(t, pe.Blockers, 1)
			assert.Equal(t, string(blueprint.KindCluster), pe.Blockers[0].Kind)

			d.ResetCalls()
			_, err = eng.Destroy(t.Context(), "edge")
			require.NoError(t, err)
			deletes := 0
			for _, call := range d.Calls() {
				if call.Op == fake.OpDelete && call.Kind == blueprint.KindInternetGateway {
					deletes++
				}
			}
			assert.Equal(t, 1, deletes, "the gateway's delete is sent once, after the nodes")
			assert.Empty(t, d.Snapshot("edge"))
		})
	}
}
