package netplan_test

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
)

// TestACLThreeTier narrows Options.Ephemeral to Linux's range: it applies
// to the replies to the Net's own instances (web's replies from app, app's
// from db), never to the replies to internet clients, whose system is
// unknown (web's outbound 1024-65535 to 0.0.0.0/0).
func TestACLThreeTier(t *testing.T) {
	t.Parallel()
	r := rderive(t, threeTier(t), netplan.Options{Ephemeral: netplan.Ports(32768, 60999)})
	allow := func(n int, proto netplan.Protocol, ports netplan.PortRange, p string) netplan.ACLEntry {
		return netplan.ACLEntry{Number: n, Action: netplan.Allow, Protocol: proto, Ports: ports, Prefix: rpfx(p)}
	}
	deny := netplan.ACLEntry{Number: 32766, Action: netplan.Deny, Protocol: netplan.ProtocolAll, Prefix: rpfx("0.0.0.0/0")}
	eph := netplan.Ports(32768, 60999)
	tcp := netplan.ProtocolTCP
	assert.Equal(t, netplan.ACL{
		Name: "app",
		// web's two subnets merge into 10.0.0.0/23
		Inbound: []netplan.ACLEntry{
			allow(100, tcp, netplan.Port(8080), "10.0.0.0/23"),
			allow(200, tcp, eph, "10.0.20.0/23"),
			deny,
		},
		Outbound: []netplan.ACLEntry{
			allow(100, tcp, netplan.Port(3306), "10.0.20.0/23"),
			allow(200, tcp, eph, "10.0.0.0/23"),
			deny,
		},
	}, aclByName(t, r, "app"))
	assert.Equal(t, netplan.ACL{
		Name: "web",
		Inbound: []netplan.ACLEntry{
			allow(100, tcp, netplan.Port(80), "0.0.0.0/0"),
			allow(200, tcp, netplan.Port(443), "0.0.0.0/0"),
			allow(300, tcp, eph, "10.0.10.0/23"),
			deny,
		},
		Outbound: []netplan.ACLEntry{
			allow(100, tcp, netplan.DefaultEphemeral, "0.0.0.0/0"),
			allow(200, tcp, netplan.Port(8080), "10.0.10.0/23"),
			deny,
		},
	}, aclByName(t, r, "web"))
	assert.Contains(t, findingIDs(r), "NP011", "the wide range kept for internet clients is reported")
	assert.NotContains(t, findingIDs(r), "NP012", "32768-60999 is Linux's range")
}

func TestACLICMPAndAll(t *testing.T) {
	t.Parallel()
	topo := threeTier(t)
	topo.Flows = append(topo.Flows, rflows(t, "web -> app icmp", "app -> db all")...)
	r := rderive(t, topo, netplan.Options{})
	app := aclByName(t, r, "app")
	// replies of icmp are icmp; replies of all are all
	e, ok := app.Allows(netplan.Inbound, netplan.ProtocolICMP, netplan.PortRange{}, rpfx("10.0.0.0/24"))
	assert.True(t, ok, "%s", e)
	e, ok = app.Allows(netplan.Outbound, netplan.ProtocolICMP, netplan.PortRange{}, rpfx("10.0.0.0/24"))
	assert.True(t, ok, "%s", e)
	e, ok = app.Allows(netplan.Outbound, netplan.ProtocolUDP, netplan.Port(53), rpfx("10.0.20.0/24"))
	assert.True(t, ok, "all covers udp: %s", e)
	// the "all" entry made the tcp/3306 entry to db redundant
	for _, e := range app.Outbound {
		if e.Prefix == rpfx("10.0.20.0/23") {
			assert.Equal(t, netplan.ProtocolAll, e.Protocol, "%s", e)
		}
	}
	assert.True(t, r.CanReach(netplan.Query{From: netplan.Tier("web"), To: "app", Protocol: netplan.ProtocolICMP}).Allowed)
	assert.True(t, r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "db", Protocol: netplan.ProtocolUDP, Port: 9}).Allowed)
	assert.False(t, r.CanReach(netplan.Query{From: netplan.Tier("db"), To: "app", Protocol: netplan.ProtocolICMP}).Allowed)
}

func TestACLNumberingFallsBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		flows    int
		wantStep int
	}{
		{10, 100},
		{327, 100},
		{328, 10},
		{3276, 10},
		{3277, 1},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.flows), func(t *testing.T) {
			t.Parallel()
			topo := threeTier(t)
			topo.Flows = nil
			for i := range tc.flows {
				// distinct, non-adjacent ports: nothing merges
				topo.Flows = append(topo.Flows, netplan.Flow{From: netplan.Internet(), To: netplan.Tier("web"), Protocol: netplan.ProtocolUDP, Ports: netplan.Port(uint16(2*i + 1))})
			}
			r := rderive(t, topo, netplan.Options{})
			web := aclByName(t, r, "web")
			require.Len(t, web.Inbound, tc.flows+1)
			assert.Equal(t, tc.wantStep, web.Inbound[0].Number)
			assert.Equal(t, tc.flows*tc.wantStep, web.Inbound[tc.flows-1].Number)
			assert.Equal(t, 32766, web.Inbound[tc.flows].Number)
		})
	}
	topo := threeTier(t)
	topo.Flows = nil
	for i := range 32766 {
		topo.Flows = append(topo.Flows, netplan.Flow{From: netplan.Internet(), To: netplan.Tier("web"), Protocol: netplan.ProtocolUDP, Ports: netplan.Port(uint16(2*i + 1))})
	}
	_, err := netplan.Derive(topo, netplan.Options{})
	require.Error(t, err)
	assert.Equal(t, `netplan: network acl "web": 32766 entries, more than the 32765 numbers an ACL has; merge flows`, err.Error())
}

func TestACLIPv6DenyEntries(t *testing.T) {
	t.Parallel()
	topo := netplan.Topology{
		Net:    rpfx("2001:db8::/56"),
		Groups: []netplan.Group{{Name: "web", Exposure: netplan.Public, Subnets: []netplan.Subnet{{Zone: "a", Prefix: rpfx("2001:db8::/64")}}}},
		Flows:  rflows(t, "internet -> web tcp/443"),
	}
	r := rderive(t, topo, netplan.Options{})
	web := r.ACLs[0]
	assert.Equal(t, []netplan.ACLEntry{
		{Number: 100, Action: netplan.Allow, Protocol: netplan.ProtocolTCP, Ports: netplan.Port(443), Prefix: rpfx("::/0")},
		{Number: 32766, Action: netplan.Deny, Protocol: netplan.ProtocolAll, Prefix: rpfx("::/0")},
	}, web.Inbound)
	_, ok := web.Allows(netplan.Inbound, netplan.ProtocolTCP, netplan.Port(443), netip.MustParsePrefix("2001:db8:ffff::/48"))
	assert.True(t, ok)
	e, ok := web.Allows(netplan.Inbound, netplan.ProtocolTCP, netplan.Port(443), netip.MustParsePrefix("10.0.0.0/8"))
	assert.False(t, ok)
	assert.Equal(t, 32767, e.Number, "no IPv4 entry at all: the implicit deny")
}
