package pattern_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// vpnLinked is a Net in two OUTSCALE regions joined by a VPN: the app
// tier of the hub calls the api tier of the spoke, whose public tier
// holds the appliance.
func vpnLinked(opts pattern.VPNLinkOptions) *pattern.MultiRegion {
	return pattern.Regions("shop", "10.0.0.0/8", func(string) *pattern.Architecture {
		app, api := tier.App("app"), tier.App("api")
		app.Exposure, api.Exposure = netplan.Isolated, netplan.Isolated
		a := pattern.New("shop", "10.0.0.0/16").AddTier(tier.Web("web"), app, api).Connect("web", "app")
		a.Profile = netplan.Outscale
		return a
	}).Primary("eu-west-2").Recovery("us-east-2", pattern.PilotLight).
		LinkVPN("eu-west-2", "us-east-2", opts).
		Flow("app@eu-west-2 -> api@us-east-2 tcp/8080")
}

// TestLinkVPN: a flow over a link over a VPN gives the hub its VPN
// gateway, a client gateway naming the spoke's appliance IP and a VPN
// connection routing the spoke's api subnets, and routes them there; the
// spoke gets the appliance (public subnet, public IP, IKE ports) and
// routes the hub's app subnets to it; no Net peering on either side.
func TestLinkVPN(t *testing.T) {
	t.Parallel()
	bps, err := vpnLinked(pattern.VPNLinkOptions{Image: "ami-12345678", VMType: "tinav5.c2r4p2"}).Build()
	require.NoError(t, err)
	hub, spoke := bps["eu-west-2"], bps["us-east-2"]
	const link = "eu-west-2-us-east-2"
	assert.Empty(t, hub.OfKind(blueprint.KindNetPeering))
	assert.Empty(t, spoke.OfKind(blueprint.KindNetPeering))

	apiSubnets := tierSubnetsOf(t, spoke, "api")
	appSubnets := tierSubnetsOf(t, hub, "app")
	cgw, ok := hub.Resource("customer_gateway/vpn-" + link)
	require.True(t, ok)
	assert.Equal(t, blueprint.CustomerGatewaySpec{ASN: blueprint.DefaultCustomerGatewayASN, PeerRegion: "us-east-2",
		PeerPublicIP: "public_ip/vpn-" + link}, *cgw.CustomerGateway)
	vpn, ok := hub.Resource("vpn_connection/vpn-" + link)
	require.True(t, ok)
	assert.Equal(t, blueprint.VPNConnectionSpec{VPNGateway: "vpn_gateway/eu-west-2", CustomerGateway: blueprint.Ref(cgw.ID),
		StaticRoutes: apiSubnets, Link: link}, *vpn.VPNConnection)
	assert.Equal(t, map[string][]netip.Prefix{"app": apiSubnets}, routedTo(hub, netplan.TargetVPNGateway, "vpn_gateway/eu-west-2"),
		"only the flow's tier routes the spoke's api subnets to the VPN gateway")

	app, ok := spoke.Resource("vpn_appliance/" + link)
	require.True(t, ok)
	zone := app.VPNAppliance.Zone
	assert.Equal(t, blueprint.VPNApplianceSpec{Subnet: blueprint.Ref("subnet/web/" + zone), SecurityGroup: "security_group/vpn-" + link,
		PublicIP: "public_ip/vpn-" + link, Zone: zone, Image: "ami-12345678", VMType: "tinav5.c2r4p2", HubRegion: "eu-west-2",
		HubConnection: "vpn_connection/vpn-" + link, LocalCIDR: netip.MustParsePrefix("10.1.0.0/16"), RemoteCIDR: netip.MustParsePrefix("10.0.0.0/16")},
		*app.VPNAppliance)
	assert.Contains(t, app.DependsOn, "internet_gateway/us-east-2", "the appliance holds a public IP")
	assert.Equal(t, map[string][]netip.Prefix{"api": appSubnets}, routedTo(spoke, netplan.TargetVPNAppliance, blueprint.Ref(app.ID)))

	rules, ok := spoke.Resource("security_group_rules/vpn-" + link)
	require.True(t, ok)
	var ike []uint16
	for _, r := range rules.SecurityGroupRules.Inbound {
		if r.Protocol == netplan.ProtocolUDP {
			ike = append(ike, r.FromPort)
		}
	}
	assert.Equal(t, []uint16{500, 4500}, ike)
	var out []netip.Prefix
	for _, r := range rules.SecurityGroupRules.Outbound {
		if r.Protocol == netplan.ProtocolTCP {
			assert.Equal(t, uint16(8080), r.FromPort)
			out = append(out, r.CIDR)
		}
	}
	assert.Equal(t, apiSubnets, out, "the appliance forwards the hub's calls to the api subnets")
	apiRules, ok := spoke.Resource("security_group_rules/api")
	require.True(t, ok)
	var from []netip.Prefix
	for _, r := range apiRules.SecurityGroupRules.Inbound {
		if r.FromPort == 8080 && r.CIDR.IsValid() {
			from = append(from, r.CIDR)
		}
	}
	for _, p := range appSubnets {
		assert.True(t, covered(from, p), "the api tier admits the hub's app subnet %s by range: %v", p, from)
	}

	a, err := vpnLinked(pattern.VPNLinkOptions{Image: "ami-12345678", VMType: "tinav5.c2r4p2"}).Architecture("eu-west-2", netip.Prefix{})
	require.NoError(t, err)
	derived, err := a.Rules()
	require.NoError(t, err)
	v := derived.CanReach(netplan.Query{From: netplan.Tier("app"), To: "peer:us-east-2-api", Protocol: netplan.ProtocolTCP, Port: 8080})
	require.True(t, v.Allowed, v.String())
	var steps []string
	for _, st := range v.Steps {
		steps = append(steps, st.Layer+": "+st.Rule)
	}
	assert.Contains(t, steps, "vpn: VPN link "+link+" carries "+apiSubnets[0].String()+", "+apiSubnets[1].String(), "the link is named as what it is")
	routeSteps := 0
	for _, st := range v.Steps {
		if st.Layer == "route" {
			routeSteps++
			assert.NotContains(t, st.Rule, "net-peering", "a route to the link names it a VPN link")
			assert.Contains(t, st.Rule, "vpn-link("+link+")")
		}
	}
	assert.Positive(t, routeSteps, "the path takes a route to the link")
}

// TestLinkVPNRefused: the options are checked, naming the field and the
// fix.
func TestLinkVPNRefused(t *testing.T) {
	t.Parallel()
	_, err := vpnLinked(pattern.VPNLinkOptions{}).Build()
	require.Error(t, err)
	assert.ErrorContains(t, err, "regions.links[0].vpn.image")
	assert.ErrorContains(t, err, "regions.links[0].vpn.vm_type")
	_, err = vpnLinked(pattern.VPNLinkOptions{Image: "ami-12345678", VMType: "tinav5.c2r4p2", Tier: "api"}).Build()
	assert.ErrorContains(t, err, "regions.links[0].vpn.tier")
	assert.ErrorContains(t, err, "not a public tier of us-east-2")
}

// TestLinkVPNNoPublicTierOnce: a spoke without a public tier is reported
// once per link, naming the link, however many flows cross it.
func TestLinkVPNNoPublicTierOnce(t *testing.T) {
	t.Parallel()
	m := pattern.Regions("shop", "10.0.0.0/8", func(string) *pattern.Architecture {
		app, api := tier.App("app"), tier.App("api")
		app.Exposure, api.Exposure = netplan.Isolated, netplan.Isolated
		a := pattern.New("shop", "10.0.0.0/16").AddTier(app, api)
		a.Profile = netplan.Outscale
		return a
	}).Primary("eu-west-2").Recovery("us-east-2", pattern.PilotLight).
		LinkVPN("eu-west-2", "us-east-2", pattern.VPNLinkOptions{Image: "ami-12345678", VMType: "tinav5.c2r4p2"}).
		Flow("app@eu-west-2 -> api@us-east-2 tcp/8080").
		Flow("app@eu-west-2 -> app@us-east-2 tcp/8080")
	_, err := m.Build()
	require.Error(t, err)
	assert.Equal(t, 1, strings.Count(err.Error(), "regions.links[0].vpn.tier"), err.Error())
	assert.ErrorContains(t, err, "us-east-2 has no public tier for the appliance")
}

func tierSubnetsOf(t *testing.T, bp *blueprint.Blueprint, tierName string) []netip.Prefix {
	t.Helper()
	var out []netip.Prefix
	for _, r := range bp.OfKind(blueprint.KindSubnet) {
		if r.Subnet.Tier == tierName {
			out = append(out, r.Subnet.CIDR)
		}
	}
	require.NotEmpty(t, out, tierName)
	return out
}

// routedTo maps each tier to the destinations its route tables send to
// target.
func routedTo(bp *blueprint.Blueprint, kind netplan.TargetKind, target blueprint.Ref) map[string][]netip.Prefix {
	out := map[string][]netip.Prefix{}
	for _, rt := range bp.OfKind(blueprint.KindRouteTable) {
		s, _ := bp.Resource(string(rt.RouteTable.Subnet))
		for _, r := range rt.RouteTable.Routes {
			if r.TargetKind == kind && r.Target == target && !covered(out[s.Subnet.Tier], r.Destination) {
				out[s.Subnet.Tier] = append(out[s.Subnet.Tier], r.Destination)
			}
		}
	}
	return out
}

// TestLinkVPNFromSpoke: a flow from the spoke to the hub enters the
// appliance from the spoke tier's subnets (its inbound rules), and the
// hub's tier admits the spoke's subnets.
func TestLinkVPNFromSpoke(t *testing.T) {
	t.Parallel()
	bps, err := vpnLinked(pattern.VPNLinkOptions{Image: "ami-12345678", VMType: "tinav5.c2r4p2"}).
		Flow("api@us-east-2 -> app@eu-west-2 tcp/8080").Build()
	require.NoError(t, err)
	spoke := bps["us-east-2"]
	apiSubnets := tierSubnetsOf(t, spoke, "api")
	rules, ok := spoke.Resource("security_group_rules/vpn-eu-west-2-us-east-2")
	require.True(t, ok)
	var in []netip.Prefix
	for _, r := range rules.SecurityGroupRules.Inbound {
		if r.Protocol == netplan.ProtocolTCP {
			assert.Equal(t, uint16(8080), r.FromPort)
			in = append(in, r.CIDR)
		}
	}
	assert.Equal(t, apiSubnets, in, "the appliance admits the api subnets' calls to the hub")
	vpn, ok := bps["eu-west-2"].Resource("vpn_connection/vpn-eu-west-2-us-east-2")
	require.True(t, ok)
	assert.Equal(t, apiSubnets, vpn.VPNConnection.StaticRoutes, "both flows reach the api subnets: one route each")
}

// TestLinkVPNOneRegion: sites of one region are linked by Net peering,
// never a VPN appliance: BuildOneRegion names Link.
func TestLinkVPNOneRegion(t *testing.T) {
	t.Parallel()
	_, err := vpnLinked(pattern.VPNLinkOptions{Image: "ami-12345678", VMType: "tinav5.c2r4p2"}).BuildOneRegion("eu-west-2")
	require.Error(t, err)
	assert.ErrorContains(t, err, `link the sites with Link("eu-west-2", "us-east-2")`)
}
