package provider_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/tier"
)

// TestVPNHubTwoSpokes: a hub linked over VPNs to two spokes (three
// OUTSCALE-like regions of one fake account) holds one VPN gateway and,
// per spoke, a customer gateway and a connection; each spoke holds its
// appliance; the preflight takes the two customer gateways, whose
// addresses are both read in other regions, for two devices.
func TestVPNHubTwoSpokes(t *testing.T) {
	t.Parallel()
	const hub, east, north = "eu-west-2", "us-east-2", "ap-northeast-1"
	acct := fake.NewAccount()
	fakes := map[string]*fake.Driver{}
	drivers := map[string]driver.Driver{}
	for _, r := range []string{hub, east, north} {
		fakes[r] = acct.Region(r, fake.Outscale)
		drivers[r] = fakes[r]
	}
	fl, err := provider.NewFleet(drivers, fastOpts)
	require.NoError(t, err)
	opts := pattern.VPNLinkOptions{Image: "ami-12345678", VMType: "tinav5.c2r4p2"}
	m := pattern.Regions("star", "10.0.0.0/8", func(string) *pattern.Architecture {
		app, api := tier.App("app"), tier.App("api")
		app.Exposure, api.Exposure = netplan.Isolated, netplan.Isolated
		a := pattern.New("star", "10.0.0.0/16").AddTier(tier.Web("web"), app, api).Connect("web", "app")
		a.Profile = netplan.Outscale
		return a
	}).Primary(hub).Recovery(east, pattern.PilotLight).Recovery(north, pattern.PilotLight).
		LinkVPN(hub, east, opts).LinkVPN(hub, north, opts).
		Flow("app@" + hub + " -> api@" + east + " tcp/8080").Flow("app@" + hub + " -> api@" + north + " tcp/8080")
	_, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)
	snap := fakes[hub].Snapshot("star")
	assert.Len(t, snap[blueprint.KindVPNGateway], 1)
	assert.Len(t, snap[blueprint.KindCustomerGateway], 2)
	assert.Len(t, snap[blueprint.KindVPNConnection], 2)
	for _, r := range []string{east, north} {
		assert.Len(t, fakes[r].Snapshot("star")[blueprint.KindVPNAppliance], 1, r)
	}
	_, err = fl.Destroy(t.Context(), "star")
	require.NoError(t, err)
	for r, d := range fakes {
		assert.Empty(t, d.Snapshot("star"), r)
	}
}

// TestVPNLinkReachability: over a link over a VPN of two OUTSCALE-like
// regions of one fake account, each side's tier reaches the other's
// subnets (the hub through its VPN gateway's connection, the spoke
// through its appliance); the appliance's source/destination check turned
// on out of band stops the spoke's side, naming it, and the next apply
// turns it off again.
func TestVPNLinkReachability(t *testing.T) {
	t.Parallel()
	const hub, spoke = "eu-west-2", "us-east-2"
	acct := fake.NewAccount()
	fakes := map[string]*fake.Driver{}
	drivers := map[string]driver.Driver{}
	for _, r := range []string{hub, spoke} {
		fakes[r] = acct.Region(r, fake.Outscale)
		drivers[r] = fakes[r]
	}
	fl, err := provider.NewFleet(drivers, fastOpts)
	require.NoError(t, err)
	m := pattern.Regions("reach", "10.0.0.0/8", func(string) *pattern.Architecture {
		app, api := tier.App("app"), tier.App("api")
		app.Exposure, api.Exposure = netplan.Isolated, netplan.Isolated
		a := pattern.New("reach", "10.0.0.0/16").AddTier(tier.Web("web"), app, api).Connect("web", "app").
			AddCluster(tier.NewCluster("app", "ami-12345678", "tinav5.c2r4p2"), tier.NewCluster("api", "ami-12345678", "tinav5.c2r4p2"))
		a.Profile = netplan.Outscale
		return a
	}).Primary(hub).Recovery(spoke, pattern.WarmStandby).
		LinkVPN(hub, spoke, pattern.VPNLinkOptions{Image: "ami-12345678", VMType: "tinav5.c2r4p2"}).
		Flow("app@" + hub + " -> api@" + spoke + " tcp/8080").Flow("api@" + spoke + " -> app@" + hub + " tcp/8080")
	bps, err := m.Build()
	require.NoError(t, err)
	_, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)
	subnet := func(region, tierName string) string {
		for _, s := range bps[region].OfKind(blueprint.KindSubnet) {
			if s.Subnet.Tier == tierName {
				return s.Subnet.CIDR.String()
			}
		}
		t.Fatalf("no subnet of %s in %s", tierName, region)
		return ""
	}
	ok, why, err := fakes[hub].Allows("security_group/app", subnet(spoke, "api"), netplan.ProtocolTCP, 8080)
	require.NoError(t, err)
	assert.True(t, ok, why)
	ok, why, err = fakes[spoke].Allows("security_group/api", subnet(hub, "app"), netplan.ProtocolTCP, 8080)
	require.NoError(t, err)
	assert.True(t, ok, why)

	appliances, err := fakes[spoke].List(t.Context(), driver.Query{Deployment: "reach", Kind: blueprint.KindVPNAppliance})
	require.NoError(t, err)
	require.Len(t, appliances, 1)
	require.NoError(t, fakes[spoke].Mutate(appliances[0].ID, func(r *blueprint.Resource) { r.VPNAppliance.SourceDestCheck = true }))
	ok, why, err = fakes[spoke].Allows("security_group/api", subnet(hub, "app"), netplan.ProtocolTCP, 8080)
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Contains(t, why, "source/destination check on")
	res, err := fl.Apply(t.Context(), m)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Region(spoke).Updated, "the check turned off in place: %s", res)
	ok, why, err = fakes[spoke].Allows("security_group/api", subnet(hub, "app"), netplan.ProtocolTCP, 8080)
	require.NoError(t, err)
	assert.True(t, ok, why)
	_, err = fl.Destroy(t.Context(), "reach")
	require.NoError(t, err)
}
