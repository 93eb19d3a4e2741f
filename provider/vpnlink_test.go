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
