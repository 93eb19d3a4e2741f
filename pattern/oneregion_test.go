package pattern_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// twoSites is a deployment of two Nets, front (an app tier) and back (an
// api tier), linked, front's app calling back's api on tcp/8080.
func twoSites() *pattern.MultiRegion {
	return pattern.Regions("sites", "10.0.0.0/8", func(site string) *pattern.Architecture {
		name := map[string]string{"front": "app", "back": "api"}[site]
		t := tier.App(name)
		t.Exposure = netplan.Isolated
		return pattern.New("sites", "10.0.0.0/16").AddTier(t)
	}).Primary("front").Recovery("back", pattern.PilotLight).Link("front", "back").
		Flow("app@front -> api@back tcp/8080")
}

// Two Nets of one region in one Blueprint: the requester's side of the
// link with the region as its peer region, no accepter's side, and every
// other resource as the site's own Build derives it.
func TestBuildOneRegion(t *testing.T) {
	t.Parallel()
	m := twoSites()
	bp, err := m.BuildOneRegion("eu-west-2")
	require.NoError(t, err)
	require.NoError(t, bp.Validate())
	assert.Equal(t, "sites", bp.Deployment)
	assert.Len(t, bp.OfKind(blueprint.KindNet), 2)
	peerings := bp.OfKind(blueprint.KindNetPeering)
	require.Len(t, peerings, 1)
	p := peerings[0]
	assert.Equal(t, "net_peering/front-back", p.ID)
	assert.Equal(t, blueprint.NetPeeringSpec{Net: "net/front", PeerRegion: "eu-west-2", PeerNet: "net/back", PeerCIDR: p.NetPeering.PeerCIDR}, *p.NetPeering)

	sites, err := m.Build()
	require.NoError(t, err)
	n := 0
	for site, sbp := range sites {
		for _, r := range sbp.Resources {
			if r.Kind == blueprint.KindNetPeering {
				continue
			}
			n++
			got, ok := bp.Resource(r.ID)
			require.True(t, ok, "%s of %s", r.ID, site)
			assert.Equal(t, r, got, "%s of %s: as the site's Build derives it", r.ID, site)
		}
	}
	assert.Equal(t, n+1, len(bp.Resources), "the sites' resources and one peering")
	for _, id := range []string{"route_table/app/a", "route_table/api/b"} {
		rt, ok := bp.Resource(id)
		require.True(t, ok, id)
		require.NotEmpty(t, rt.RouteTable.Routes, id)
		for _, r := range rt.RouteTable.Routes {
			assert.Equal(t, blueprint.Ref("net_peering/front-back"), r.Target, "%s: both sides route to the one peering", id)
		}
	}
}

// Sites whose tiers share a name collide in one region; a flow between
// sites without a link is the error of Build, naming the link to add.
func TestBuildOneRegionRefusals(t *testing.T) {
	t.Parallel()
	same := pattern.Regions("sites", "10.0.0.0/8", func(string) *pattern.Architecture {
		t := tier.App("app")
		t.Exposure = netplan.Isolated
		return pattern.New("sites", "10.0.0.0/16").AddTier(t)
	}).Primary("front").Recovery("back", pattern.PilotLight).Link("front", "back")
	_, err := same.BuildOneRegion("eu-west-2")
	require.ErrorIs(t, err, pattern.ErrInvalid)
	assert.ErrorContains(t, err, "the sites front and back both hold subnet/app/a in one region")
	assert.ErrorContains(t, err, "give the tiers of each site distinct names")

	unlinked := pattern.Regions("sites", "10.0.0.0/8", func(site string) *pattern.Architecture {
		t := tier.App(map[string]string{"front": "app", "back": "api"}[site])
		return pattern.New("sites", "10.0.0.0/16").AddTier(t)
	}).Primary("front").Recovery("back", pattern.PilotLight).Flow("app@front -> api@back tcp/8080")
	_, err = unlinked.BuildOneRegion("eu-west-2")
	require.ErrorIs(t, err, pattern.ErrInvalid)
	assert.ErrorContains(t, err, "no link between the Nets of front and back")
	assert.ErrorContains(t, err, `Link("front", "back")`)

	var none *pattern.MultiRegion
	_, err = none.BuildOneRegion("eu-west-2")
	assert.Error(t, err)
}
