package netplan_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
)

func TestCanReachThreeTier(t *testing.T) {
	t.Parallel()
	for _, opts := range []netplan.Options{
		{},
		{Sources: netplan.SourceCIDR},
		{Egress: netplan.EgressAllowAll},
		{Ephemeral: netplan.Ports(32768, 60999)},
		{Profile: netplan.Outscale}, // no ACLs
	} {
		r := rderive(t, threeTier(t), opts)
		tests := []struct {
			name  string
			from  netplan.Endpoint
			to    string
			port  uint16
			want  bool
			layer string
		}{
			{"internet to db", netplan.Internet(), "db", 3306, false, "route"},
			{"web to app", netplan.Tier("web"), "app", 8080, true, ""},
			{"web to db skips app", netplan.Tier("web"), "db", 3306, false, "security-group-out"},
			{"app to db", netplan.Tier("app"), "db", 3306, true, ""},
			{"internet to web", netplan.Internet(), "web", 443, true, ""},
			{"internet to app", netplan.Internet(), "app", 8080, false, "route"},
			{"internet to web ssh", netplan.Internet(), "web", 22, false, "acl-in"},
			{"app to web", netplan.Tier("app"), "web", 80, false, "security-group-out"},
		}
		if opts.Egress == netplan.EgressAllowAll {
			// with allow-all egress the stateless firewalls block first: web's
			// ACL lets 3306 out (its ephemeral replies to the internet cover
			// it), db's ACL refuses it
			tests[2].layer = "acl-in"
			tests[7].layer = "acl-out"
		}
		if opts.Profile.Name == "outscale" {
			tests[6].layer = "security-group-in"
			if opts.Egress == netplan.EgressAllowAll {
				tests[2].layer = "security-group-in"
			}
		}
		for _, tc := range tests {
			v := r.CanReach(netplan.Query{From: tc.from, To: tc.to, Protocol: netplan.ProtocolTCP, Port: tc.port})
			assert.Equal(t, tc.want, v.Allowed, "%+v %s: %s", opts, tc.name, v)
			if tc.want {
				assert.Nil(t, v.Blocked)
				continue
			}
			require.NotNil(t, v.Blocked, tc.name)
			assert.Equal(t, tc.layer, v.Blocked.Layer, "%+v %s: %s", opts, tc.name, v)
			assert.False(t, v.Blocked.Allowed)
		}
	}
}

func TestCanReachChain(t *testing.T) {
	t.Parallel()
	r := rderive(t, threeTier(t), netplan.Options{})
	v := r.CanReach(netplan.Query{From: netplan.Tier("web"), To: "app", Protocol: netplan.ProtocolTCP, Port: 8080})
	require.True(t, v.Allowed)
	var layers []string
	for _, s := range v.Steps {
		layers = append(layers, s.Layer)
		assert.True(t, s.Allowed)
	}
	assert.Equal(t, []string{"security-group-out", "acl-out", "route", "acl-in", "security-group-in", "acl-return-out", "acl-return-in"}, layers)
	assert.Equal(t, "security-group-out web: tcp/8080 group app", v.Steps[0].String())
	assert.Equal(t, "acl-return-out app: #100 allow tcp/1024-65535 10.0.0.0/23", v.Steps[5].String())

	v = r.CanReach(netplan.Query{From: netplan.Internet(), To: "db", Protocol: netplan.ProtocolTCP, Port: 3306})
	require.NotNil(t, v.Blocked)
	assert.Equal(t, "blocked at route db/eu-west-2a: no route to 0.0.0.0/0", v.String())

	v = r.CanReach(netplan.Query{From: netplan.Internet(), To: "app", Protocol: netplan.ProtocolTCP, Port: 8080})
	assert.Equal(t, "blocked at route app/eu-west-2a: 0.0.0.0/0 goes to nat(eu-west-2a), not internet-gateway", v.String())
}

func TestCanReachInputs(t *testing.T) {
	t.Parallel()
	topo := threeTier(t)
	topo.Peers = map[string][]netip.Prefix{"vpn": {rpfx("192.168.0.0/16")}}
	topo.VPNs = []string{"vpn"}
	topo.Flows = append(topo.Flows, rflows(t, "peer:vpn -> app tcp/22", "10.0.99.0/24 -> db tcp/3306", "app -> internet tcp/443")...)
	r := rderive(t, topo, netplan.Options{})
	tests := []struct {
		q    netplan.Query
		want bool
	}{
		{netplan.Query{From: netplan.Peer("vpn"), To: "app", Protocol: netplan.ProtocolTCP, Port: 22}, true},
		{netplan.Query{From: netplan.Peer("vpn"), To: "app", Protocol: netplan.ProtocolTCP, Port: 23}, false},
		{netplan.Query{From: netplan.CIDR(rpfx("10.0.99.0/24")), To: "db", Protocol: netplan.ProtocolTCP, Port: 3306}, true},
		{netplan.Query{From: netplan.CIDR(rpfx("10.0.99.0/23")), To: "db", Protocol: netplan.ProtocolTCP, Port: 3306}, false},
		{netplan.Query{From: netplan.Tier("nope"), To: "db", Protocol: netplan.ProtocolTCP, Port: 3306}, false},
		{netplan.Query{From: netplan.Tier("app"), To: "nope", Protocol: netplan.ProtocolTCP, Port: 3306}, false},
		{netplan.Query{From: netplan.Tier("app"), To: "db", Protocol: netplan.ProtocolTCP, Port: 0}, false},
		{netplan.Query{From: netplan.Tier("app"), To: "db", Protocol: "sctp", Port: 1}, false},
		{netplan.Query{From: netplan.Tier("app"), To: "db", Protocol: netplan.ProtocolUDP, Port: 3306}, false},
	}
	for _, tc := range tests {
		v := r.CanReach(tc.q)
		assert.Equal(t, tc.want, v.Allowed, "%+v: %s", tc.q, v)
	}
}

func reacherStrings(rs []netplan.Reacher) []string {
	var out []string
	for _, x := range rs {
		out = append(out, x.String())
	}
	return out
}

func TestReachers(t *testing.T) {
	t.Parallel()
	topo := threeTier(t)
	topo.Flows = append(topo.Flows, rflows(t, "internet -> app tcp/9000")...) // declared, but no route
	r := rderive(t, topo, netplan.Options{})
	assert.Equal(t, []string{"internet tcp/80", "internet tcp/443"}, reacherStrings(r.Reachers("web")))
	assert.Equal(t, []string{"web tcp/8080"}, reacherStrings(r.Reachers("app")), "internet tcp/9000 is declared but unroutable")
	assert.Equal(t, []string{"app tcp/3306"}, reacherStrings(r.Reachers("db")))
	assert.Nil(t, r.Reachers("nope"))

	r = rderive(t, threeTier(t), netplan.Options{Sources: netplan.SourceCIDR})
	assert.Equal(t, []string{"10.0.0.0/23 tcp/8080"}, reacherStrings(r.Reachers("app")), "merged subnets of web")
}

func TestRulesImmutableAndConcurrent(t *testing.T) {
	t.Parallel()
	topo := threeTier(t)
	r := rderive(t, topo, netplan.Options{})
	// the caller changing its topology afterwards changes nothing
	topo.Groups[1].Subnets[0].Prefix = rpfx("10.0.99.0/24")
	topo.Flows[2].Ports = netplan.Port(9999)
	q := netplan.Query{From: netplan.Tier("web"), To: "app", Protocol: netplan.ProtocolTCP, Port: 8080}
	require.True(t, r.CanReach(q).Allowed)
	assert.Equal(t, rpfx("10.0.10.0/24"), r.Topology().Groups[1].Subnets[0].Prefix)

	done := make(chan bool)
	for range 4 {
		go func() {
			ok := true
			for range 200 {
				ok = ok && r.CanReach(q).Allowed && len(r.Reachers("db")) == 1
			}
			done <- ok
		}()
	}
	for range 4 {
		assert.True(t, <-done)
	}
}
