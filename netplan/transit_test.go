package netplan_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
)

// webApp is the shape of pattern.WebApp (seed 003) on AWS: a public tier
// holding the load balancer and the NAT gateways, a private app tier
// behind the balancer that sends HTTPS to the internet through the NATs,
// an isolated database; two zones.
func webApp(t testing.TB) netplan.Topology {
	return netplan.Topology{
		Net:   rpfx("10.0.0.0/16"),
		Zones: []string{"a", "b"},
		Groups: []netplan.Group{
			{Name: "public", Exposure: netplan.Public, Subnets: []netplan.Subnet{{Zone: "a", Prefix: rpfx("10.0.0.0/24")}, {Zone: "b", Prefix: rpfx("10.0.1.0/24")}}},
			{Name: "app", Exposure: netplan.Private, Subnets: []netplan.Subnet{{Zone: "a", Prefix: rpfx("10.0.2.0/24")}, {Zone: "b", Prefix: rpfx("10.0.3.0/24")}}},
			{Name: "db", Exposure: netplan.Isolated, Subnets: []netplan.Subnet{{Zone: "a", Prefix: rpfx("10.0.4.0/24")}, {Zone: "b", Prefix: rpfx("10.0.5.0/24")}}},
		},
		Balancers: []netplan.Balancer{{Name: "front", Group: "public", Target: "app",
			Listeners: []netplan.Listener{{Protocol: netplan.ProtocolTCP, Port: 80, TargetPort: 8080}}, HealthCheckPort: 8080}},
		Flows: rflows(t,
			"internet -> front tcp/80 # listener of front",
			"app -> db tcp/3306",
			"app -> internet tcp/443 # updates and packages through the NAT",
		),
	}
}

func layers(v netplan.Verdict) []string {
	var out []string
	for _, s := range v.Steps {
		out = append(out, s.Layer+" "+s.Resource)
	}
	return out
}

func entryLines(es []netplan.ACLEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.String()
	}
	return out
}

// TestTransitWebAppNATACL is the golden of the ACL of the tier that holds
// the NAT gateways and the balancer: the NATs' four entries per egress
// flow, the balancer's listener and target entries, merged.
func TestTransitWebAppNATACL(t *testing.T) {
	t.Parallel()
	r := rderive(t, webApp(t), netplan.Options{Profile: netplan.AWS})
	require.Equal(t, []netplan.NAT{
		{Zone: "a", Group: "public", Prefix: rpfx("10.0.0.0/24")},
		{Zone: "b", Group: "public", Prefix: rpfx("10.0.1.0/24")},
	}, r.NATs)
	pub := aclByName(t, r, "public")
	got := "inbound\n" + strings.Join(entryLines(pub.Inbound), "\n") + "\noutbound\n" + strings.Join(entryLines(pub.Outbound), "\n") + "\n"
	rgolden(t, "TestTransitWebAppNATACL", got)
	// each entry the issue found missing
	for _, c := range []struct {
		d     netplan.Direction
		ports netplan.PortRange
		peer  string
	}{
		{netplan.Inbound, netplan.Port(443), "10.0.2.0/23"},                // app -> NAT
		{netplan.Outbound, netplan.Port(443), "0.0.0.0/0"},                 // NAT -> internet
		{netplan.Inbound, netplan.Ports(1024, 65535), "0.0.0.0/0"},         // internet -> NAT replies
		{netplan.Outbound, netplan.Ports(1024, 65535), "10.0.2.0/23"},      // NAT -> app replies
		{netplan.Outbound, netplan.Port(8080), "10.0.2.0/23"},              // balancer -> targets
		{netplan.Inbound, netplan.Ports(1024, 65535), "10.0.2.0/23"},       // targets' replies
		{netplan.Inbound, netplan.Port(80), "0.0.0.0/0"},                   // listener
		{netplan.Outbound, netplan.Ports(1024, 65535), "198.51.100.7/32"},  // replies to a client
		{netplan.Inbound, netplan.Port(443), "10.0.2.17/32"},               // one app instance
		{netplan.Outbound, netplan.Ports(60000, 60999), "10.0.3.200/32"},   // a Linux port of app/b
		{netplan.Inbound, netplan.Ports(1024, 1024), "203.0.113.9/32"},     // the NAT's lowest port
		{netplan.Outbound, netplan.Port(443), "203.0.113.9/32"},            // any internet host
		{netplan.Outbound, netplan.Ports(1024, 65535), "10.0.2.0/24"},      // app/a alone
		{netplan.Inbound, netplan.Ports(1024, 65535), "10.0.3.0/24"},       // app/b alone
		{netplan.Outbound, netplan.Port(8080), "10.0.3.0/24"},              // app/b target
		{netplan.Inbound, netplan.Port(80), "192.0.2.0/24"},                // listener, any client
		{netplan.Outbound, netplan.Ports(49152, 65535), "192.0.2.0/24"},    // Windows client replies
		{netplan.Outbound, netplan.Ports(32768, 60999), "198.51.100.0/24"}, // Linux client replies
	} {
		e, ok := pub.Allows(c.d, netplan.ProtocolTCP, c.ports, rpfx(c.peer))
		assert.True(t, ok, "%s tcp/%s %s: %s", c.d, c.ports, c.peer, e)
	}
	// and nothing more: the database and undeclared ports stay closed
	// (ports 1024-65535 cannot be closed: a stateless firewall cannot tell
	// a reply from a new connection, the zones seed's own caveat)
	for _, c := range []struct {
		d     netplan.Direction
		proto netplan.Protocol
		ports netplan.PortRange
		peer  string
	}{
		{netplan.Inbound, netplan.ProtocolTCP, netplan.Port(22), "10.0.2.0/23"},
		{netplan.Outbound, netplan.ProtocolTCP, netplan.Port(25), "10.0.4.0/23"},
		{netplan.Inbound, netplan.ProtocolTCP, netplan.Port(443), "10.0.4.0/23"},
		{netplan.Inbound, netplan.ProtocolTCP, netplan.Port(443), "0.0.0.0/0"},
		{netplan.Outbound, netplan.ProtocolTCP, netplan.Port(80), "0.0.0.0/0"},
		{netplan.Inbound, netplan.ProtocolUDP, netplan.Ports(1024, 65535), "0.0.0.0/0"},
		{netplan.Inbound, netplan.ProtocolTCP, netplan.Port(22), "0.0.0.0/0"},
	} {
		e, ok := pub.Allows(c.d, c.proto, c.ports, rpfx(c.peer))
		assert.False(t, ok, "%s %s/%s %s: allowed by %s", c.d, c.proto, c.ports, c.peer, e)
	}
	// the whole Blueprint still fits AWS's 20 entries per direction
	assert.LessOrEqual(t, len(pub.Inbound), netplan.AWS.Quotas.RulesPerACL)
	assert.LessOrEqual(t, len(pub.Outbound), netplan.AWS.Quotas.RulesPerACL)
}

func TestTransitCanReachInternetThroughNAT(t *testing.T) {
	t.Parallel()
	for _, opts := range []netplan.Options{
		{Profile: netplan.AWS},
		{Profile: netplan.AWS, Ephemeral: netplan.LinuxEphemeral},
		{Profile: netplan.AWS, NAT: netplan.NATShared},
		{Profile: netplan.AWS, Sources: netplan.SourceCIDR},
	} {
		r := rderive(t, webApp(t), opts)
		https := r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "internet", Protocol: netplan.ProtocolTCP, Port: 443})
		require.True(t, https.Allowed, "%+v: %s", opts, https)
		want := []string{
			"security-group-out app", "acl-out app", "route app/a,app/b",
			"nat nat(a)", "nat-acl-in public", "nat-route public/a", "nat-acl-out public", "nat-acl-return-in public", "nat-acl-return-out public",
			"nat nat(b)", "nat-acl-in public", "nat-route public/b", "nat-acl-out public", "nat-acl-return-in public", "nat-acl-return-out public",
			"acl-return-in app",
		}
		if opts.NAT == netplan.NATShared {
			want = append(append(want[:3:3], want[3:9]...), "acl-return-in app")
		}
		assert.Equal(t, want, layers(https), "%+v", opts)
		for _, s := range https.Steps {
			if s.Layer == "nat-acl-return-in" {
				// the NAT's own ports, whatever Options.Ephemeral says
				assert.Equal(t, "#300 allow tcp/1024-65535 0.0.0.0/0", s.Rule, "%+v", opts)
			}
		}
		// an outside CIDR goes the same way
		v := r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "203.0.113.0/24", Protocol: netplan.ProtocolTCP, Port: 443})
		assert.True(t, v.Allowed, "%s", v)

		// an undeclared port is refused by app's own group first
		v = r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "internet", Protocol: netplan.ProtocolTCP, Port: 80})
		require.NotNil(t, v.Blocked)
		assert.Equal(t, "security-group-out", v.Blocked.Layer, "%s", v)
	}
}

// TestTransitBlockingStep reports the step that blocks: with allow-all
// egress, app's own ACL still refuses an undeclared port; with the NAT
// tier's ACL as Derive gave it before transit was derived (the issue's
// web app), the request dies entering the NAT's subnet.
func TestTransitBlockingStep(t *testing.T) {
	t.Parallel()
	r := rderive(t, webApp(t), netplan.Options{Profile: netplan.AWS, Egress: netplan.EgressAllowAll})
	v := r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "internet", Protocol: netplan.ProtocolTCP, Port: 8443})
	require.NotNil(t, v.Blocked)
	assert.Equal(t, "acl-out", v.Blocked.Layer, "app's ACL is least privilege whatever the groups do: %s", v)

	// the NAT tier's ACL without its transit entries, as before
	pub := netplan.ACL{Name: "public",
		Inbound:  []netplan.ACLEntry{{Number: 100, Action: netplan.Allow, Protocol: netplan.ProtocolTCP, Ports: netplan.Port(80), Prefix: rpfx("0.0.0.0/0")}, {Number: 32766, Action: netplan.Deny, Protocol: netplan.ProtocolAll, Prefix: rpfx("0.0.0.0/0")}},
		Outbound: []netplan.ACLEntry{{Number: 100, Action: netplan.Allow, Protocol: netplan.ProtocolTCP, Ports: netplan.Ports(1024, 65535), Prefix: rpfx("0.0.0.0/0")}, {Number: 32766, Action: netplan.Deny, Protocol: netplan.ProtocolAll, Prefix: rpfx("0.0.0.0/0")}},
	}
	r = rderive(t, webApp(t), netplan.Options{Profile: netplan.AWS})
	r.ACLs[0] = pub // Rules are the caller's to break in a test
	v = r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "internet", Protocol: netplan.ProtocolTCP, Port: 443})
	require.NotNil(t, v.Blocked)
	assert.Equal(t, "blocked at nat-acl-in public: #32766 deny all 0.0.0.0/0 matches tcp/443 from 10.0.2.0/24", v.String())
}

func TestTransitNATWithoutHome(t *testing.T) {
	t.Parallel()
	topo := webApp(t)
	topo.Groups[0].Subnets = topo.Groups[0].Subnets[:1] // no public subnet in zone b
	r := rderive(t, topo, netplan.Options{Profile: netplan.AWS})
	assert.Contains(t, findingIDs(r), "NP006")
	assert.Len(t, r.NATs, 1)
	v := r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "internet", Protocol: netplan.ProtocolTCP, Port: 443})
	require.NotNil(t, v.Blocked)
	assert.Equal(t, "blocked at nat nat(b): no Public subnet in zone b to hold the NAT (finding NP006)", v.String())

	// a public tier reaches the internet straight through the gateway
	topo = webApp(t)
	topo.Flows = append(topo.Flows, rflows(t, "public -> internet udp/123 # time")...)
	r = rderive(t, topo, netplan.Options{Profile: netplan.AWS})
	v = r.CanReach(netplan.Query{From: netplan.Tier("public"), To: "internet", Protocol: netplan.ProtocolUDP, Port: 123})
	assert.True(t, v.Allowed, "%s", v)
	assert.Equal(t, []string{"security-group-out public", "acl-out public", "route public/a,public/b", "acl-return-in public"}, layers(v))
	// an isolated tier has no way out
	v = r.CanReach(netplan.Query{From: netplan.Tier("db"), To: "internet", Protocol: netplan.ProtocolTCP, Port: 443})
	assert.False(t, v.Allowed)
}

func TestTransitQueries(t *testing.T) {
	t.Parallel()
	topo := webApp(t)
	topo.Peers = map[string][]netip.Prefix{"office": {rpfx("192.168.0.0/16")}}
	topo.VPNs = []string{"office"}
	topo.Flows = append(topo.Flows, rflows(t, "app -> peer:office tcp/389")...)
	r := rderive(t, topo, netplan.Options{Profile: netplan.AWS})
	for _, c := range []struct {
		q    netplan.Query
		want string
	}{
		{netplan.Query{From: netplan.Tier("app"), To: "peer:office", Protocol: netplan.ProtocolTCP, Port: 389}, "allowed"},
		{netplan.Query{From: netplan.Tier("app"), To: "peer:nope", Protocol: netplan.ProtocolTCP, Port: 389}, "blocked at query peer:nope: unknown peer"},
		{netplan.Query{From: netplan.Tier("app"), To: "10.0.9.0/24", Protocol: netplan.ProtocolTCP, Port: 443}, "blocked at query 10.0.9.0/24: inside the Net; name the destination's tier"},
		{netplan.Query{From: netplan.Internet(), To: "internet", Protocol: netplan.ProtocolTCP, Port: 443}, "blocked at query internet: neither side is a tier; ask from a tier"},
		{netplan.Query{From: netplan.Tier("front"), To: "internet", Protocol: netplan.ProtocolTCP, Port: 443}, "blocked at query front: a load balancer opens connections to its targets only; ask about its target tier"},
		{netplan.Query{From: netplan.Tier("app"), To: "nope", Protocol: netplan.ProtocolTCP, Port: 443}, "blocked at query nope: unknown tier"},
		{netplan.Query{From: netplan.Tier("app"), To: "-> x", Protocol: netplan.ProtocolTCP, Port: 443}, "blocked at query -> x: unknown tier"},
	} {
		assert.Equal(t, c.want, r.CanReach(c.q).String(), "%+v", c.q)
	}
}

// TestTransitIPv6 checks that IPv6 egress of a private tier has no NAT:
// no route, no transit entries.
func TestTransitIPv6(t *testing.T) {
	t.Parallel()
	topo := netplan.Topology{
		Net: rpfx("2001:db8::/56"),
		Groups: []netplan.Group{
			{Name: "public", Exposure: netplan.Public, Subnets: []netplan.Subnet{{Zone: "a", Prefix: rpfx("2001:db8::/64")}}},
			{Name: "app", Exposure: netplan.Private, Subnets: []netplan.Subnet{{Zone: "a", Prefix: rpfx("2001:db8:0:1::/64")}}},
		},
		Flows: rflows(t, "app -> internet tcp/443", "public -> app tcp/8080"),
	}
	r := rderive(t, topo, netplan.Options{})
	assert.Empty(t, r.NATs)
	v := r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "internet", Protocol: netplan.ProtocolTCP, Port: 443})
	assert.Equal(t, "blocked at route app/a: no route to ::/0", v.String())
	for _, e := range aclByName(t, r, "public").Inbound {
		assert.NotEqual(t, netplan.Port(443), e.Ports, "no transit entry: %s", e)
	}
}
