package outscale_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale/osctest"
	"github.com/archkit/archkit/provider/providertest"
	"github.com/archkit/archkit/tier"
)

// linkedSites is two Nets of one region, front (an app tier and a web
// tier) and back (an api tier and a store tier), linked, front's app
// calling back's api on tcp/8080: the web and store tiers have no flow
// over the link.
func linkedSites() *pattern.MultiRegion {
	tiers := map[string][2]string{"front": {"app", "web"}, "back": {"api", "store"}}
	return pattern.Regions("sites", "10.0.0.0/8", func(site string) *pattern.Architecture {
		a, b := tier.App(tiers[site][0]), tier.App(tiers[site][1])
		a.Exposure, b.Exposure = netplan.Isolated, netplan.Isolated
		return pattern.New("sites", "10.0.0.0/16").AddTier(a, b)
	}).Primary("front").Recovery("back", pattern.PilotLight).Link("front", "back").
		Flow("app@front -> api@back tcp/8080")
}

// ruleKeys returns the canonical identities of rules, sorted.
func ruleKeys(rules []blueprint.RuleSpec) []blueprint.RuleKey {
	out := make([]blueprint.RuleKey, 0, len(rules))
	for _, r := range rules {
		out = append(out, r.Key())
	}
	slices.SortFunc(out, func(a, b blueprint.RuleKey) int { return a.Compare(b) })
	return out
}

// TestLinkedNetsOneRegion: two Nets of one region of the test server
// linked by a flow (pattern.MultiRegion.BuildOneRegion). One Net peering,
// active, between them; the route tables and the rule sets read back from
// both Nets equal what Build derived for each site: routes to the other
// Net's tier subnets through the peering on exactly the tiers of the flow,
// rules naming the other side's ranges and port; a re-apply writes
// nothing; the destroy leaves nothing.
func TestLinkedNetsOneRegion(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	eng := engineFor(d)
	m := linkedSites()
	bp, err := m.BuildOneRegion(d.Region())
	require.NoError(t, err)
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)

	api, ctx := apiClient(t, srv)
	ps, _, err := api.NetPeeringApi.ReadNetPeerings(ctx).ReadNetPeeringsRequest(osc.ReadNetPeeringsRequest{}).Execute()
	require.NoError(t, err)
	require.Len(t, ps.GetNetPeerings(), 1)
	nets, err := d.List(t.Context(), driver.Query{Deployment: "sites", Kind: blueprint.KindNet})
	require.NoError(t, err)
	netID := map[string]string{}
	for _, n := range nets {
		netID[n.LogicalID] = n.ID
	}
	p := ps.GetNetPeerings()[0]
	st := p.GetState()
	assert.Equal(t, "active", st.GetName())
	src, acc := p.GetSourceNet(), p.GetAccepterNet()
	assert.Equal(t, netID["net/front"], src.GetNetId())
	assert.Equal(t, netID["net/back"], acc.GetNetId())

	derived, err := m.Build()
	require.NoError(t, err)
	got := readBackLogical(t, d, "sites")
	toPeering := 0
	for site, sbp := range derived {
		for _, rt := range sbp.OfKind(blueprint.KindRouteTable) {
			have, ok := got[rt.ID]
			require.True(t, ok, "%s of %s", rt.ID, site)
			assert.ElementsMatch(t, rt.RouteTable.Routes, have.RouteTable.Routes, "%s of %s: the derived routes", rt.ID, site)
			for _, r := range have.RouteTable.Routes {
				if r.TargetKind == netplan.TargetNetPeering {
					assert.Equal(t, blueprint.Ref("net_peering/front-back"), r.Target)
					toPeering++
				}
			}
		}
		for _, rs := range sbp.OfKind(blueprint.KindSecurityGroupRules) {
			have, ok := got[rs.ID]
			require.True(t, ok, "%s of %s", rs.ID, site)
			assert.Equal(t, ruleKeys(rs.SecurityGroupRules.Inbound), ruleKeys(have.SecurityGroupRules.Inbound), "%s of %s inbound", rs.ID, site)
			assert.Equal(t, ruleKeys(rs.SecurityGroupRules.Outbound), ruleKeys(have.SecurityGroupRules.Outbound), "%s of %s outbound", rs.ID, site)
		}
	}
	// app/a, app/b to api's two subnets; api/a, api/b back to app's:
	// web and store route nothing over the link.
	assert.Equal(t, 8, toPeering, "routes to the peering on exactly the tiers of the flow")
	for _, id := range []string{"route_table/web/a", "route_table/store/b"} {
		assert.Empty(t, got[id].RouteTable.Routes, id)
	}
	app := got["security_group_rules/app"].SecurityGroupRules
	require.Len(t, app.Outbound, 1)
	assert.Equal(t, uint16(8080), app.Outbound[0].FromPort)
	api1 := got["security_group_rules/api"].SecurityGroupRules
	require.Len(t, api1.Inbound, 1)
	assert.Equal(t, derived["front"].OfKind(blueprint.KindNet)[0].Net.CIDR.Contains(api1.Inbound[0].CIDR.Addr()), true,
		"back's api admits front's app range")

	_, perOp := srv.Requests()
	again, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, again.WriteCalls, "%s", again)
	_, perOp2 := srv.Requests()
	for op, c := range perOp2 {
		if isWrite(op) && c != perOp[op] {
			t.Logf("re-apply: %s %d", op, c-perOp[op])
		}
	}
	assert.Equal(t, writes(perOp), writes(perOp2), "re-apply sends no OUTSCALE write")

	_, err = eng.Destroy(t.Context(), "sites")
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, d))
	ps, _, err = api.NetPeeringApi.ReadNetPeerings(ctx).ReadNetPeeringsRequest(osc.ReadNetPeeringsRequest{
		Filters: &osc.FiltersNetPeering{StateNames: &[]string{"pending-acceptance", "active"}}}).Execute()
	require.NoError(t, err)
	assert.Empty(t, ps.GetNetPeerings())
	assert.Empty(t, srv.Violations())
}

// readBackLogical lists every resource of deployment, its references
// turned into logical ids, by logical id; two resources of one logical id
// fail the test.
func readBackLogical(t *testing.T, d driver.Driver, dep string) map[string]blueprint.Resource {
	t.Helper()
	return providertest.ReadBack(t.Context(), t, d, dep)
}
