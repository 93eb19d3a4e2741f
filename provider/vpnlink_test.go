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

// TestFleetVPNLink links the Nets of two OUTSCALE-like regions of one
// fake account by a flow over a VPN (pattern.MultiRegion.LinkVPN): the
// hub holds the VPN gateway, the client gateway of the spoke's appliance
// IP and the connection, the spoke the appliance; every kind the link
// derives reads back from each region exactly as Build derived it; a
// second apply writes nothing; the destroy leaves nothing. The same
// deployment linked by Net peering is refused, naming LinkVPN.
func TestFleetVPNLink(t *testing.T) {
	t.Parallel()
	const hub, spoke = "eu-west-2", "us-east-2"
	acct := fake.NewAccount()
	fakes := map[string]*fake.Driver{}
	drivers := map[string]driver.Driver{}
	for _, r := range []string{hub, spoke} {
		fakes[r] = acct.Region(r, fake.Outscale, func(o *fake.Options) { o.PendingReads = 2 })
		drivers[r] = fakes[r]
	}
	fl, err := provider.NewFleet(drivers, fastOpts, func(o *provider.Options) { o.AllowFallback = true })
	require.NoError(t, err)
	regions := func() *pattern.MultiRegion {
		return pattern.Regions("vpn", "10.0.0.0/8", func(string) *pattern.Architecture {
			app, api := tier.App("app"), tier.App("api")
			app.Exposure, api.Exposure = netplan.Isolated, netplan.Isolated
			a := pattern.New("vpn", "10.0.0.0/16").AddTier(tier.Web("web"), app, api).Connect("web", "app")
			a.Profile = netplan.Outscale
			return a
		}).Primary(hub).Recovery(spoke, pattern.PilotLight)
	}
	const flow = "app@" + hub + " -> api@" + spoke + " tcp/8080"
	_, err = fl.Apply(t.Context(), regions().Link(hub, spoke).Flow(flow))
	require.Error(t, err)
	assert.ErrorContains(t, err, "pattern.MultiRegion.LinkVPN")

	m := regions().LinkVPN(hub, spoke, pattern.VPNLinkOptions{Image: "ami-12345678", VMType: "tinav5.c2r4p2"}).Flow(flow)
	bps, err := m.Build()
	require.NoError(t, err)
	res, err := fl.Apply(t.Context(), m)
	require.NoError(t, err, "%s", res)
	kinds := []blueprint.Kind{blueprint.KindVPNGateway, blueprint.KindCustomerGateway, blueprint.KindVPNConnection, blueprint.KindVPNAppliance,
		blueprint.KindPublicIP, blueprint.KindRouteTable, blueprint.KindSecurityGroupRules}
	for _, r := range m.Regions() {
		snap := fakes[r].Snapshot("vpn")
		for _, k := range kinds {
			want := map[string]blueprint.Resource{}
			for _, res := range bps[r].OfKind(k) {
				res.DependsOn = nil
				if a := res.VPNAppliance; a != nil {
					a.Zone = r + a.Zone // the region's zone of logical zone "a"
				}
				want[res.ID] = res
			}
			if len(want) == 0 {
				assert.Empty(t, snap[k], "%s in %s", k, r)
				continue
			}
			assert.Equal(t, want, map[string]blueprint.Resource(snap[k]), "%s in %s", k, r)
		}
	}
	assert.Len(t, bps[hub].OfKind(blueprint.KindVPNConnection), 1)
	assert.Len(t, bps[spoke].OfKind(blueprint.KindVPNAppliance), 1)
	assert.True(t, routesTo(bps[hub].OfKind(blueprint.KindRouteTable), netplan.TargetVPNGateway))
	assert.True(t, routesTo(bps[spoke].OfKind(blueprint.KindRouteTable), netplan.TargetVPNAppliance))

	res, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)
	assert.Zero(t, res.Total().WriteCalls, "%s", res)
	_, err = fl.Destroy(t.Context(), "vpn")
	require.NoError(t, err)
	for r, d := range fakes {
		assert.Empty(t, d.Snapshot("vpn"), "left in %s", r)
	}
}
