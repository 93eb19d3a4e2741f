package outscale_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale/osctest"
	"github.com/archkit/archkit/provider/providertest"
)

// TestNetPeeringAnswersLost: the answers of CreateNetPeering and of
// AcceptNetPeering are lost after they took effect. The engine's retry of
// the Create (providertest.CreateRetry) takes the untagged peering of the
// two Nets instead of asking for a second one; the driver's repeat of the
// acceptance is refused (the peering is active), which a read of the
// peering answers: one peering, active, tagged.
func TestNetPeeringAnswersLost(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	ctx := t.Context()
	const dep = "lostpeering"
	ids := map[string]string{}
	for id, cidr := range map[string]string{"net/a": "10.70.0.0/16", "net/b": "10.71.0.0/16"} {
		o, err := providertest.CreateRetry(ctx, d, providertest.Request(dep, blueprint.Resource{ID: id, Kind: blueprint.KindNet,
			Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix(cidr)}}, nil))
		require.NoError(t, err)
		ids[id] = o.ID
	}
	t.Cleanup(func() { providertest.Destroy(context.WithoutCancel(ctx), t, d, dep) })
	srv.LoseNext("CreateNetPeering", 1)
	srv.LoseNext("AcceptNetPeering", 1)
	o, err := providertest.CreateRetry(ctx, d, providertest.Request(dep, blueprint.Resource{ID: "net_peering/x", Kind: blueprint.KindNetPeering,
		NetPeering: &blueprint.NetPeeringSpec{Net: "net/a", PeerRegion: d.Region(), PeerNet: "net/b", PeerCIDR: netip.MustParsePrefix("10.71.0.0/16")}}, ids))
	require.NoError(t, err)
	assert.True(t, o.Ready, o.Status)
	_, perOp := srv.Requests()
	assert.Equal(t, 1, perOp["CreateNetPeering"], "requested once")
	assert.Equal(t, 2, perOp["AcceptNetPeering"], "the lost acceptance and the driver's repeat of it, refused: the peering read active is the answer")
	obs, err := d.List(ctx, driver.Query{Deployment: dep, Kind: blueprint.KindNetPeering})
	require.NoError(t, err)
	require.Len(t, obs, 1)
	assert.Equal(t, o.ID, obs[0].ID)
}
