package netplan_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go4.org/netipx"

	"github.com/archkit/archkit/netplan"
)

// zonesSeed is seed 002: a Prod DMZ in both data centres, a Dev DMZ and a
// DB zone in dc1 (zone = subnet = group), with the seed's flows.
func zonesSeed(t testing.TB) netplan.Topology {
	return netplan.Topology{
		Net:   rpfx("10.0.0.0/16"),
		Zones: []string{"dc1", "dc2"},
		Groups: []netplan.Group{
			{Name: "prod-dmz", Exposure: netplan.Public, Subnets: []netplan.Subnet{{Zone: "dc1", Prefix: rpfx("10.0.1.0/24")}, {Zone: "dc2", Prefix: rpfx("10.0.2.0/24")}}},
			{Name: "dev-dmz", Exposure: netplan.Public, Subnets: []netplan.Subnet{{Zone: "dc1", Prefix: rpfx("10.0.5.0/24")}}},
			{Name: "db", Exposure: netplan.Isolated, Subnets: []netplan.Subnet{{Zone: "dc1", Prefix: rpfx("10.0.9.0/24")}}},
		},
		Flows: rflows(t,
			"internet -> prod-dmz tcp/22 # admins anywhere in the world",
			"internet -> prod-dmz tcp/80 # web visitors",
			"internet -> prod-dmz tcp/443 # web visitors",
			"internet -> dev-dmz tcp/22 # admins anywhere in the world",
			"internet -> dev-dmz tcp/80 # web visitors",
			"internet -> dev-dmz tcp/443 # web visitors",
			"prod-dmz -> internet tcp/80 # payment and partner sites",
			"prod-dmz -> internet tcp/443 # payment and partner sites",
			"dev-dmz -> internet tcp/80 # payment and partner sites",
			"dev-dmz -> internet tcp/443 # payment and partner sites",
			"prod-dmz -> db tcp/3306 # MySQL",
			"dev-dmz -> db tcp/3306 # MySQL",
		),
	}
}

// table1Row is one row of seed 002 Table 1, as data.
type table1Row struct {
	name  string
	dir   netplan.Direction
	ports []netplan.PortRange
	peer  string  // "anywhere", "db" or "dmz"
	want  [3]bool // Prod DMZ, Dev DMZ, DB Zone
}

var table1 = []table1Row{
	{"Global incoming SSH", netplan.Inbound, []netplan.PortRange{netplan.Port(22)}, "anywhere", [3]bool{true, true, false}},
	{"Incoming global HTTPS and HTTP", netplan.Inbound, []netplan.PortRange{netplan.Port(80), netplan.Port(443)}, "anywhere", [3]bool{true, true, false}},
	{"Global incoming Ephemeral Ports", netplan.Inbound, []netplan.PortRange{netplan.Ports(1024, 65535)}, "anywhere", [3]bool{true, true, false}},
	{"Global outgoing HTTPS and HTTP", netplan.Outbound, []netplan.PortRange{netplan.Port(80), netplan.Port(443)}, "anywhere", [3]bool{true, true, false}},
	{"Global Outgoing Ephemeral Ports", netplan.Outbound, []netplan.PortRange{netplan.Ports(1024, 65535)}, "anywhere", [3]bool{true, true, false}},
	{"Outgoing MySQL to the DB Zone", netplan.Outbound, []netplan.PortRange{netplan.Port(3306)}, "db", [3]bool{true, true, false}},
	{"Incoming MySQL from Prod and Dev DMZ", netplan.Inbound, []netplan.PortRange{netplan.Port(3306)}, "dmz", [3]bool{false, false, true}},
	{"Outgoing Ephemeral Ports to Prod and DMZ", netplan.Outbound, []netplan.PortRange{netplan.Ports(1024, 65535)}, "dmz", [3]bool{false, false, true}},
}

var table1Columns = [3]string{"prod-dmz", "dev-dmz", "db"}

func table1Peers(peer string) []netip.Prefix {
	switch peer {
	case "db":
		return []netip.Prefix{rpfx("10.0.9.0/24")}
	case "dmz":
		return []netip.Prefix{rpfx("10.0.1.0/24"), rpfx("10.0.2.0/24"), rpfx("10.0.5.0/24")}
	}
	return []netip.Prefix{rpfx("0.0.0.0/0")}
}

// hasRuleType reports whether acl has the rule the table row names: for
// every port range and peer of the row, an allow entry that covers it and
// is dedicated to it (its ports lie within the row's ports, its CIDR
// within the row's peers). This is the table's meaning: a DMZ has no
// "Incoming MySQL from the DMZs" rule even though its global ephemeral
// rule happens to let such packets in.
func hasRuleType(acl netplan.ACL, row table1Row) bool {
	var b netipx.IPSetBuilder
	for _, p := range table1Peers(row.peer) {
		b.AddPrefix(p)
	}
	peers, _ := b.IPSet()
	entries := acl.Inbound
	if row.dir == netplan.Outbound {
		entries = acl.Outbound
	}
	for _, pr := range row.ports {
		for _, p := range table1Peers(row.peer) {
			found := false
			for _, e := range entries {
				within := false
				for _, rp := range row.ports {
					within = within || rp.Covers(e.Ports)
				}
				if e.Action == netplan.Allow && e.Protocol == netplan.ProtocolTCP &&
					e.Ports.Covers(pr) && within &&
					e.Prefix.Bits() <= p.Bits() && e.Prefix.Contains(p.Addr()) && peers.ContainsPrefix(e.Prefix) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
	}
	return true
}

// allowsPackets evaluates the row's traffic with first-match semantics.
func allowsPackets(acl netplan.ACL, row table1Row) bool {
	for _, pr := range row.ports {
		for _, p := range table1Peers(row.peer) {
			if _, ok := acl.Allows(row.dir, netplan.ProtocolTCP, pr, p); !ok {
				return false
			}
		}
	}
	return true
}

func TestZonesSeedTable1(t *testing.T) {
	t.Parallel()
	r := rderive(t, zonesSeed(t), netplan.Options{AllowSSHFromAnywhere: true})
	require.Len(t, r.ACLs, 3)

	// Packets the table's "No" cells name that the DMZs' global ephemeral
	// rules let through anyway: the stateless firewall cannot tell a reply
	// on port 3306 from a new connection to 3306 (the seed's own caveat).
	coveredByEphemeral := map[string]bool{
		"Incoming MySQL from Prod and Dev DMZ/prod-dmz":     true,
		"Incoming MySQL from Prod and Dev DMZ/dev-dmz":      true,
		"Outgoing Ephemeral Ports to Prod and DMZ/prod-dmz": true,
		"Outgoing Ephemeral Ports to Prod and DMZ/dev-dmz":  true,
	}
	for _, row := range table1 {
		for c, name := range table1Columns {
			acl := aclByName(t, r, name)
			assert.Equal(t, row.want[c], hasRuleType(acl, row), "%s / %s: rule present", row.name, name)
			wantPackets := row.want[c] || coveredByEphemeral[row.name+"/"+name]
			assert.Equal(t, wantPackets, allowsPackets(acl, row), "%s / %s: packets allowed", row.name, name)
		}
	}

	// Everything else is denied.
	anywhere, inside, dmz1 := rpfx("0.0.0.0/0"), rpfx("10.0.200.0/24"), rpfx("10.0.1.0/24")
	type probe struct {
		dir   netplan.Direction
		proto netplan.Protocol
		ports netplan.PortRange
		peer  netip.Prefix
	}
	everywhere := []probe{
		{netplan.Inbound, netplan.ProtocolUDP, netplan.Port(53), anywhere},
		{netplan.Inbound, netplan.ProtocolUDP, netplan.Ports(1024, 65535), anywhere},
		{netplan.Inbound, netplan.ProtocolICMP, netplan.PortRange{}, anywhere},
		{netplan.Inbound, netplan.ProtocolAll, netplan.PortRange{}, anywhere},
		{netplan.Outbound, netplan.ProtocolUDP, netplan.Port(53), anywhere},
		{netplan.Outbound, netplan.ProtocolICMP, netplan.PortRange{}, anywhere},
		{netplan.Outbound, netplan.ProtocolTCP, netplan.Port(22), anywhere},
		{netplan.Outbound, netplan.ProtocolTCP, netplan.Port(25), anywhere},
	}
	for _, port := range []uint16{1, 21, 23, 25, 110, 139, 445, 1023} {
		everywhere = append(everywhere, probe{netplan.Inbound, netplan.ProtocolTCP, netplan.Port(port), anywhere})
	}
	dbOnly := []probe{
		{netplan.Inbound, netplan.ProtocolTCP, netplan.Port(3306), anywhere},
		{netplan.Inbound, netplan.ProtocolTCP, netplan.Port(3306), inside},
		{netplan.Inbound, netplan.ProtocolTCP, netplan.Port(22), dmz1},
		{netplan.Inbound, netplan.ProtocolTCP, netplan.Port(80), anywhere},
		{netplan.Inbound, netplan.ProtocolTCP, netplan.Ports(1024, 65535), anywhere},
		{netplan.Outbound, netplan.ProtocolTCP, netplan.Ports(1024, 65535), anywhere},
		{netplan.Outbound, netplan.ProtocolTCP, netplan.Ports(1024, 65535), inside},
		{netplan.Outbound, netplan.ProtocolTCP, netplan.Port(443), anywhere},
	}
	for _, name := range table1Columns {
		acl := aclByName(t, r, name)
		probes := everywhere
		if name == "db" {
			probes = append(append([]probe(nil), everywhere...), dbOnly...)
		}
		for _, p := range probes {
			e, ok := acl.Allows(p.dir, p.proto, p.ports, p.peer)
			assert.False(t, ok, "%s %s %s/%s %s: allowed by %s", name, p.dir, p.proto, p.ports, p.peer, e)
			assert.Equal(t, netplan.Deny, e.Action)
		}
		// the explicit deny-all closes both directions
		assert.Equal(t, netplan.ACLEntry{Number: 32766, Action: netplan.Deny, Protocol: netplan.ProtocolAll, Prefix: anywhere}, acl.Inbound[len(acl.Inbound)-1])
		assert.Equal(t, netplan.ACLEntry{Number: 32766, Action: netplan.Deny, Protocol: netplan.ProtocolAll, Prefix: anywhere}, acl.Outbound[len(acl.Outbound)-1])
	}

	// The seed's remark: the DMZs need no dedicated "ephemeral from the DB
	// zone" entry, the global one covers it (merged away).
	for _, e := range aclByName(t, r, "prod-dmz").Inbound {
		assert.NotEqual(t, rpfx("10.0.9.0/24"), e.Prefix, "entry %s should have merged into 0.0.0.0/0", e)
	}

	// SSH from anywhere is reported, as a warning because it is allowed.
	var ssh []netplan.Finding
	for _, f := range r.Findings {
		if f.ID == "NP001" {
			ssh = append(ssh, f)
		}
	}
	require.Len(t, ssh, 2)
	assert.Equal(t, netplan.SeverityWarning, ssh[0].Severity)

	rgolden(t, "TestZonesSeedTable1", r.MarkdownACLs())
	var b strings.Builder
	require.NoError(t, r.WriteMarkdown(&b))
	rgolden(t, "TestZonesSeedMarkdown", b.String())
}

func TestZonesSeedSSHNeedsOptIn(t *testing.T) {
	t.Parallel()
	r := rderive(t, zonesSeed(t), netplan.Options{})
	require.Error(t, r.Err())
	assert.Contains(t, r.Err().Error(), "SSH is open to the whole internet")
}

func TestZonesSeedReachability(t *testing.T) {
	t.Parallel()
	r := rderive(t, zonesSeed(t), netplan.Options{AllowSSHFromAnywhere: true})
	tests := []struct {
		from  netplan.Endpoint
		to    string
		port  uint16
		want  bool
		layer string // blocking layer when not allowed
	}{
		{netplan.Internet(), "prod-dmz", 443, true, ""},
		{netplan.Internet(), "dev-dmz", 22, true, ""},
		{netplan.Tier("prod-dmz"), "db", 3306, true, ""},
		{netplan.Tier("dev-dmz"), "db", 3306, true, ""},
		{netplan.Internet(), "db", 3306, false, "route"},
		{netplan.Tier("db"), "prod-dmz", 22, false, "security-group-out"},
		// "prod-dmz -> internet tcp/80" also reaches dev-dmz: 0.0.0.0/0 holds the Net
		{netplan.Tier("prod-dmz"), "dev-dmz", 80, true, ""},
		{netplan.Tier("prod-dmz"), "dev-dmz", 3306, false, "security-group-out"},
		{netplan.Internet(), "prod-dmz", 8080, false, "security-group-in"},
		{netplan.Internet(), "prod-dmz", 21, false, "acl-in"},
	}
	for _, tc := range tests {
		v := r.CanReach(netplan.Query{From: tc.from, To: tc.to, Protocol: netplan.ProtocolTCP, Port: tc.port})
		assert.Equal(t, tc.want, v.Allowed, "%s -> %s:%d: %s", tc.from, tc.to, tc.port, v)
		if !tc.want {
			require.NotNil(t, v.Blocked)
			assert.Equal(t, tc.layer, v.Blocked.Layer, "%s -> %s:%d: %s", tc.from, tc.to, tc.port, v)
		}
	}
}
