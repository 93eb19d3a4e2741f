package netplan_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
)

// vpnTopology is the three-tier topology with an office reached over a
// VPN: admins SSH to app, app queries the office's directory.
func vpnTopology(t *testing.T) netplan.Topology {
	topo := threeTier(t)
	topo.Peers = map[string][]netip.Prefix{"office": {rpfx("192.168.0.0/16"), rpfx("172.16.0.0/24")}}
	topo.VPNs = []string{"office"}
	topo.Flows = append(topo.Flows, rflows(t, "peer:office -> app tcp/22", "app -> peer:office tcp/389")...)
	return topo
}

// The subnets of the tier a VPN peer talks to, and only those, route the
// peer's blocks to the VPN gateway; CanReach follows that route both ways
// on the declared ports only.
func TestVPNRoutes(t *testing.T) {
	t.Parallel()
	r := rderive(t, vpnTopology(t), netplan.Options{Profile: netplan.AWS})
	for _, rt := range r.RouteTables {
		var vpn []string
		for _, route := range rt.Routes {
			if route.Target.Kind == netplan.TargetVPNGateway {
				vpn = append(vpn, route.Destination.String())
			}
		}
		if rt.Group == "app" {
			assert.Equal(t, []string{"172.16.0.0/24", "192.168.0.0/16"}, vpn, "%s/%s", rt.Group, rt.Zone)
		} else {
			assert.Empty(t, vpn, "%s/%s talks to no peer", rt.Group, rt.Zone)
		}
	}
	v := r.CanReach(netplan.Query{From: netplan.Peer("office"), To: "app", Protocol: netplan.ProtocolTCP, Port: 22})
	require.True(t, v.Allowed, "%s", v)
	assert.Contains(t, layers(v), "route app/eu-west-2a,app/eu-west-2b")
	assert.Contains(t, layers(v), "vpn peer:office")
	v = r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "peer:office", Protocol: netplan.ProtocolTCP, Port: 389})
	require.True(t, v.Allowed, "%s", v)
	assert.Equal(t, []string{"security-group-out app", "acl-out app", "route app/eu-west-2a,app/eu-west-2b", "vpn peer:office", "acl-return-in app"}, layers(v))
	for _, q := range []netplan.Query{
		{From: netplan.Peer("office"), To: "app", Protocol: netplan.ProtocolTCP, Port: 23},
		{From: netplan.Peer("office"), To: "db", Protocol: netplan.ProtocolTCP, Port: 3306},
		{From: netplan.Tier("web"), To: "peer:office", Protocol: netplan.ProtocolTCP, Port: 389},
	} {
		assert.False(t, r.CanReach(q).Allowed, "%+v", q)
	}
	assert.Equal(t, "blocked at security-group-out web: no outbound rule allows tcp/389 to 192.168.0.0/16",
		r.CanReach(netplan.Query{From: netplan.Tier("web"), To: "peer:office", Protocol: netplan.ProtocolTCP, Port: 389}).String())
	assert.Empty(t, findingSubjects(r, "NP013"))
}

// A peer without a VPN is unreachable, with the fix named: finding NP013
// on each flow that names it, and CanReach blocks at the route.
func TestPeerWithoutVPNUnrouted(t *testing.T) {
	t.Parallel()
	topo := vpnTopology(t)
	topo.VPNs = nil
	r := rderive(t, topo, netplan.Options{Profile: netplan.AWS})
	assert.Equal(t, []string{"flows[4] (peer:office -> app tcp/22)", "flows[5] (app -> peer:office tcp/389)"}, findingSubjects(r, "NP013"))
	require.Error(t, r.Err())
	assert.Contains(t, r.Err().Error(), `no route carries peer "office"'s blocks: it has neither a VPN nor a link; give the peer a VPN`)
	for _, rt := range r.RouteTables {
		for _, route := range rt.Routes {
			assert.NotEqual(t, netplan.TargetVPNGateway, route.Target.Kind)
		}
	}
	v := r.CanReach(netplan.Query{From: netplan.Peer("office"), To: "app", Protocol: netplan.ProtocolTCP, Port: 22})
	assert.Equal(t, "blocked at route peer:office: no VPN or link routes the peer's blocks (finding NP013); give the peer a VPN or link its Net", v.String())
	v = r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "peer:office", Protocol: netplan.ProtocolTCP, Port: 389})
	assert.False(t, v.Allowed)
}

func TestVPNValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		peers map[string][]netip.Prefix
		vpns  []string
		want  string
	}{
		{"unknown peer", nil, []string{"nope"}, `netplan: vpns[0]: "nope": unknown peer`},
		{"duplicate", map[string][]netip.Prefix{"office": {rpfx("192.168.0.0/16")}}, []string{"office", "office"}, `vpns[1]: "office": duplicate VPN`},
		{"ipv6", map[string][]netip.Prefix{"office": {rpfx("2001:db8::/48")}}, []string{"office"}, "VPN gateways carry IPv4 only"},
		{"default route", map[string][]netip.Prefix{"office": {rpfx("0.0.0.0/0")}}, []string{"office"}, "would take the default route"},
		{"inside the net", map[string][]netip.Prefix{"office": {rpfx("10.0.128.0/17")}}, []string{"office"}, "overlaps the Net 10.0.0.0/16"},
		{"peers overlap", map[string][]netip.Prefix{"a": {rpfx("192.168.0.0/16")}, "b": {rpfx("192.168.1.0/24")}}, []string{"a", "b"}, `block of peer "b" overlaps 192.168.0.0/16 of peer "a"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			topo := threeTier(t)
			topo.Peers, topo.VPNs = tc.peers, tc.vpns
			_, err := netplan.Derive(topo, netplan.Options{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func findingSubjects(r *netplan.Rules, id string) []string {
	var out []string
	for _, f := range r.Findings {
		if f.ID == id {
			out = append(out, f.Subject)
		}
	}
	return out
}
