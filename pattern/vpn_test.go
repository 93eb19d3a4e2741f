package pattern_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/tier"
)

// officeVPN is the three-tier pattern with an office reached over a
// static VPN: admins SSH to the application servers, which query the
// office's directory.
func officeVPN() *pattern.Architecture {
	a := pattern.ThreeTier(pattern.ThreeTierOptions{Profile: netplan.AWS, Web: "web", App: "app"})
	return a.Peer("office", pfx("192.168.0.0/16"), pfx("172.16.8.0/22")).
		VPN("office", pattern.VPN{PublicIP: netip.MustParseAddr("198.51.100.7")}).
		Flow("peer:office -> app tcp/22", "app -> peer:office tcp/636")
}

// A peer with a VPN becomes a routed peer: the gateway, the customer
// gateway and the connection with a static route per block, routes to the
// gateway in the tables of the tier that talks to the peer only, and
// reachability through them on the declared ports only; applied on the
// fake, which follows the route through the connection.
func TestVPNPeerIsRouted(t *testing.T) {
	t.Parallel()
	a := officeVPN()
	bp := build(t, a)
	assert.Equal(t, &blueprint.VPNGatewaySpec{Net: "net/main"}, res(t, bp, "vpn_gateway/main").VPNGateway)
	assert.Equal(t, &blueprint.CustomerGatewaySpec{PublicIP: netip.MustParseAddr("198.51.100.7"), ASN: 65000},
		res(t, bp, "customer_gateway/office").CustomerGateway)
	conn := res(t, bp, "vpn_connection/office")
	assert.Equal(t, &blueprint.VPNConnectionSpec{VPNGateway: "vpn_gateway/main", CustomerGateway: "customer_gateway/office",
		StaticRoutes: []netip.Prefix{pfx("192.168.0.0/16"), pfx("172.16.8.0/22")}}, conn.VPNConnection)
	assert.Equal(t, []string{"customer_gateway/office", "vpn_gateway/main"}, conn.DependsOn)
	for _, rt := range bp.OfKind(blueprint.KindRouteTable) {
		var toVPN []string
		for _, r := range rt.RouteTable.Routes {
			if r.TargetKind == netplan.TargetVPNGateway {
				assert.Equal(t, blueprint.Ref("vpn_gateway/main"), r.Target)
				toVPN = append(toVPN, r.Destination.String())
			}
		}
		if rt.RouteTable.Subnet == "subnet/app/a" || rt.RouteTable.Subnet == "subnet/app/b" {
			assert.Equal(t, []string{"172.16.8.0/22", "192.168.0.0/16"}, toVPN, rt.ID)
			assert.Contains(t, rt.DependsOn, "vpn_gateway/main")
		} else {
			assert.Empty(t, toVPN, rt.ID)
		}
	}

	r := rules(t, a)
	assert.True(t, reach(r, netplan.Peer("office"), "app", 22))
	assert.False(t, reach(r, netplan.Peer("office"), "app", 23), "only the declared port")
	assert.False(t, reach(r, netplan.Peer("office"), "db", 3306), "only the declared tier")
	v := r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "peer:office", Protocol: netplan.ProtocolTCP, Port: 636})
	require.True(t, v.Allowed, "%s", v)
	assert.Contains(t, v.Steps, netplan.Step{Layer: "vpn", Resource: "peer:office", Rule: "VPN connection to the peer carries 192.168.0.0/16, 172.16.8.0/22", Allowed: true})

	d := fake.New()
	_, err := provider.NewEngine(d, func(o *provider.Options) {
		o.RateLimit, o.PollMin, o.PollMax = -1, time.Millisecond, time.Millisecond
	}).Apply(t.Context(), bp)
	require.NoError(t, err)
	fake.AssertCount(t, d, blueprint.KindVPNGateway, 1)
	fake.AssertCount(t, d, blueprint.KindVPNConnection, 1)
	fake.AssertAllows(t, d, "security_group/app", "192.168.10.0/24", netplan.ProtocolTCP, 636)
	fake.AssertDenies(t, d, "security_group/app", "192.168.10.0/24", netplan.ProtocolTCP, 22)
	fake.AssertDenies(t, d, "security_group/web", "192.168.10.0/24", netplan.ProtocolTCP, 636)
}

// With an ASN the VPN routes with BGP: no static routes on the
// connection, the device's ASN on the customer gateway.
func TestVPNWithBGP(t *testing.T) {
	t.Parallel()
	a := officeVPN().VPN("office", pattern.VPN{PublicIP: netip.MustParseAddr("198.51.100.7"), ASN: 65010})
	bp := build(t, a)
	assert.Equal(t, uint32(65010), res(t, bp, "customer_gateway/office").CustomerGateway.ASN)
	conn := res(t, bp, "vpn_connection/office").VPNConnection
	assert.True(t, conn.BGP)
	assert.Empty(t, conn.StaticRoutes)
}

// A flow naming a peer that has no VPN is refused by Build, naming the
// fix; so is a VPN whose device the clouds refuse.
func TestVPNRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		arch *pattern.Architecture
		want []string
	}{
		{"peer without VPN", pattern.New("shop", "10.0.0.0/16").AddTier(tier.App("app")).
			Peer("office", pfx("192.168.0.0/16")).Flow("peer:office -> app tcp/22"),
			[]string{`flows[0].from: peer:office: no route to the peer: it has neither a VPN nor a link; give it a VPN: VPN("office", pattern.VPN{PublicIP: <its device's address>})`}},
		{"VPN to an undeclared peer", officeVPN().VPN("lab", pattern.VPN{PublicIP: netip.MustParseAddr("198.51.100.8")}),
			[]string{`vpns["lab"]: lab: no such peer; declare it with Peer(name, prefixes...)`}},
		{"private device address", officeVPN().VPN("office", pattern.VPN{PublicIP: netip.MustParseAddr("10.9.0.1")}),
			[]string{`customer_gateway.public_ip: 10.9.0.1: not a public address`}},
		{"no device address", officeVPN().VPN("office", pattern.VPN{}),
			[]string{`customer_gateway.public_ip: "": no address`}},
		{"the cloud's own ASN", officeVPN().VPN("office", pattern.VPN{PublicIP: netip.MustParseAddr("198.51.100.7"), ASN: 64512}),
			[]string{`customer_gateway.asn: 64512: the default ASN of AWS virtual private gateways`}},
		{"peer block inside the Net", pattern.ThreeTier(pattern.ThreeTierOptions{App: "app"}).Peer("office", pfx("10.0.200.0/24")).
			VPN("office", pattern.VPN{PublicIP: netip.MustParseAddr("198.51.100.7")}).Flow("peer:office -> app tcp/22"),
			[]string{"vpns[0]: 10.0.200.0/24: overlaps the Net"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			msg := buildErr(t, tc.arch)
			for _, w := range tc.want {
				assert.Contains(t, msg, w)
			}
		})
	}
}
