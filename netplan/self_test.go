package netplan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
)

// TestSelfFlows derives the rules of a Galera cluster (Percona XtraDB
// Cluster) whose nodes, one per zone, talk to each other: flows from the
// database tier to itself.
func TestSelfFlows(t *testing.T) {
	t.Parallel()
	topo := threeTier(t)
	topo.Flows = append(topo.Flows, rflows(t,
		"db -> db tcp/3306 # mysql",
		"db -> db tcp/4444 # sst",
		"db -> db tcp/4567-4568 # group communication and ist",
		"db -> db udp/4567 # group communication",
	)...)
	for _, opts := range []netplan.Options{{Profile: netplan.AWS}, {Profile: netplan.AWS, Ephemeral: netplan.LinuxEphemeral}, {Sources: netplan.SourceCIDR}, {Profile: netplan.Outscale}} {
		r := rderive(t, topo, opts)
		db := sgByName(t, r, "db")
		var in, out []string
		for _, rule := range db.Inbound {
			in = append(in, rule.String())
		}
		for _, rule := range db.Outbound {
			out = append(out, rule.String())
		}
		self := "group db"
		if opts.Sources == netplan.SourceCIDR {
			self = "10.0.20.0/23"
		}
		// 3306 from app and from db merge when they name the same peer only
		assert.Contains(t, in, "tcp/4444 "+self, "%+v", opts)
		assert.Contains(t, in, "tcp/4567-4568 "+self, "%+v", opts)
		assert.Contains(t, in, "udp/4567 "+self, "%+v", opts)
		assert.Contains(t, in, "tcp/3306 "+self, "%+v", opts)
		assert.Contains(t, out, "tcp/4567-4568 "+self, "%+v", opts)
		assert.Contains(t, out, "udp/4567 "+self, "%+v", opts)

		for _, c := range []struct {
			proto netplan.Protocol
			port  uint16
			want  bool
		}{
			{netplan.ProtocolTCP, 4567, true}, {netplan.ProtocolUDP, 4567, true}, {netplan.ProtocolTCP, 4568, true},
			{netplan.ProtocolTCP, 4444, true}, {netplan.ProtocolTCP, 3306, true},
			{netplan.ProtocolTCP, 22, false}, {netplan.ProtocolUDP, 4568, false},
		} {
			v := r.CanReach(netplan.Query{From: netplan.Tier("db"), To: "db", Protocol: c.proto, Port: c.port})
			assert.Equal(t, c.want, v.Allowed, "%+v %s/%d: %s", opts, c.proto, c.port, v)
		}
		if len(r.ACLs) == 0 {
			continue
		}
		// between the tier's own subnets, across zones, both ways, with replies
		acl := aclByName(t, r, "db")
		eph := opts.Ephemeral
		if eph.IsZero() {
			eph = netplan.DefaultEphemeral
		}
		for _, c := range []struct {
			d     netplan.Direction
			proto netplan.Protocol
			ports netplan.PortRange
			peer  string
		}{
			{netplan.Inbound, netplan.ProtocolTCP, netplan.Port(4567), "10.0.21.0/24"},
			{netplan.Outbound, netplan.ProtocolTCP, netplan.Port(4567), "10.0.20.0/24"},
			{netplan.Inbound, netplan.ProtocolUDP, netplan.Port(4567), "10.0.20.0/24"},
			{netplan.Outbound, netplan.ProtocolUDP, netplan.Port(4567), "10.0.21.0/24"},
			{netplan.Inbound, netplan.ProtocolTCP, eph, "10.0.20.0/24"},
			{netplan.Outbound, netplan.ProtocolTCP, eph, "10.0.21.0/24"},
			{netplan.Inbound, netplan.ProtocolUDP, eph, "10.0.21.0/24"},
			{netplan.Outbound, netplan.ProtocolUDP, eph, "10.0.20.0/24"},
		} {
			e, ok := acl.Allows(c.d, c.proto, c.ports, rpfx(c.peer))
			assert.True(t, ok, "%+v %s %s/%s %s: %s", opts, c.d, c.proto, c.ports, c.peer, e)
		}
		// below the ephemeral range, only the declared ports pass
		_, ok := acl.Allows(netplan.Inbound, netplan.ProtocolUDP, netplan.Port(53), rpfx("10.0.20.0/24"))
		assert.False(t, ok, "udp/53 is no peer port")
		_, ok = acl.Allows(netplan.Inbound, netplan.ProtocolTCP, netplan.Port(22), rpfx("10.0.21.0/24"))
		assert.False(t, ok, "tcp/22 is no peer port")
	}
	r := rderive(t, topo, netplan.Options{})
	require.NotContains(t, findingIDs(r), "NP002", "a tier talking to itself skips no layer")
	assert.Equal(t, []string{"app tcp/3306", "db tcp/3306", "db tcp/4444", "db tcp/4567-4568", "db udp/4567"}, reacherStrings(r.Reachers("db")))

	// one subnet: the nodes never cross the ACL, which gets no entry
	one := threeTier(t)
	one.Groups[2].Subnets = one.Groups[2].Subnets[:1]
	one.Flows = append(one.Flows, rflows(t, "db -> db tcp/4567")...)
	r = rderive(t, one, netplan.Options{Profile: netplan.AWS})
	assert.Len(t, aclByName(t, r, "db").Inbound, 2, "3306 from app, deny")
	assert.Equal(t, "tcp/4567 group db", sgByName(t, r, "db").Inbound[1].String())
	assert.True(t, r.CanReach(netplan.Query{From: netplan.Tier("db"), To: "db", Protocol: netplan.ProtocolTCP, Port: 4567}).Allowed)
}
