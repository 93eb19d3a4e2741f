package netplan_test

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
)

// frontTopology is the case: a public balancer "front" in the
// tier "edge" (whose own rule set is empty) in front of "app".
func frontTopology(t testing.TB) netplan.Topology {
	return netplan.Topology{
		Net:   rpfx("10.0.0.0/16"),
		Zones: []string{"a", "b"},
		Groups: []netplan.Group{
			{Name: "edge", Exposure: netplan.Public, Subnets: []netplan.Subnet{{Zone: "a", Prefix: rpfx("10.0.0.0/24")}, {Zone: "b", Prefix: rpfx("10.0.1.0/24")}}},
			{Name: "app", Exposure: netplan.Private, Subnets: []netplan.Subnet{{Zone: "a", Prefix: rpfx("10.0.2.0/24")}, {Zone: "b", Prefix: rpfx("10.0.3.0/24")}}},
		},
		Balancers: []netplan.Balancer{{Name: "front", Group: "edge", Target: "app",
			Listeners: []netplan.Listener{{Protocol: netplan.ProtocolTCP, Port: 443, TargetPort: 8080}}}},
	}
}

// clientFlows returns n flows "203.0.113.<step*i>/32 -> front tcp/443".
func clientFlows(n, step int) []netplan.Flow {
	out := make([]netplan.Flow, n)
	for i := range out {
		out[i] = netplan.Flow{From: netplan.CIDR(netip.PrefixFrom(netip.AddrFrom4([4]byte{203, 0, 113, byte(step * i)}), 32)),
			To: netplan.Tier("front"), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(443)}
	}
	return out
}

func TestBalancerSixtyFourClientsMerge(t *testing.T) {
	t.Parallel()
	topo := frontTopology(t)
	topo.Flows = clientFlows(64, 1)
	r := rderive(t, topo, netplan.Options{Profile: netplan.AWS})
	require.Len(t, r.Groups, 3, "edge, app, then the balancer's group")
	front := r.Groups[2]
	assert.Equal(t, "front", front.Name)
	assert.True(t, front.Balancer)
	require.Len(t, front.Inbound, 1, "64 /32s merge into one /26")
	assert.Equal(t, "tcp/443 203.0.113.0/26", front.Inbound[0].String())
	assert.LessOrEqual(t, len(front.Inbound[0].Description), netplan.MaxDescription)
	assert.True(t, strings.HasSuffix(front.Inbound[0].Description, " more)"), front.Inbound[0].Description)
	assert.Equal(t, []netplan.SGRule{{Protocol: netplan.ProtocolTCP, Ports: netplan.Port(8080), Group: "app", Description: "targets of front"}}, front.Outbound)

	app := sgByName(t, r, "app")
	assert.Equal(t, []netplan.SGRule{{Protocol: netplan.ProtocolTCP, Ports: netplan.Port(8080), Group: "front", Description: "targets of front"}}, app.Inbound,
		"the target accepts the target port from the balancer's group only")
	edge := sgByName(t, r, "edge")
	assert.Empty(t, edge.Inbound, "the home tier's group is not the balancer's")

	// the home tier's ACL carries the balancer's traffic, merged too
	acl := aclByName(t, r, "edge")
	assert.Equal(t, []string{"#100 allow tcp/443 203.0.113.0/26", "#200 allow tcp/1024-65535 10.0.2.0/23", "#32766 deny all 0.0.0.0/0"}, entryLines(acl.Inbound))
	assert.Equal(t, []string{"#100 allow tcp/1024-65535 203.0.113.0/26", "#200 allow tcp/8080 10.0.2.0/23", "#32766 deny all 0.0.0.0/0"}, entryLines(acl.Outbound))

	for _, i := range []int{0, 37, 63} {
		v := r.CanReach(netplan.Query{From: topo.Flows[i].From, To: "front", Protocol: netplan.ProtocolTCP, Port: 443})
		require.True(t, v.Allowed, "%s", v)
	}
	v := r.CanReach(netplan.Query{From: netplan.CIDR(rpfx("203.0.113.64/32")), To: "front", Protocol: netplan.ProtocolTCP, Port: 443})
	assert.Equal(t, "acl-in", v.Blocked.Layer, "%s", v)
}

func TestBalancerQuotaNamesTheBalancer(t *testing.T) {
	t.Parallel()
	topo := frontTopology(t)
	topo.Flows = clientFlows(61, 2) // 203.0.113.0, .2, .4, ...: nothing merges
	_, err := netplan.Derive(topo, netplan.Options{Profile: netplan.AWS})
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	assert.Contains(t, lines, `netplan: security group "front": 61 inbound rules, 1 over the aws quota of 60; merge port ranges or use a prefix list`)
	assert.NotContains(t, err.Error(), `security group "edge"`, "the home tier's group holds none of these rules")
	// the home tier's ACL is over its quota too, and said so
	assert.Contains(t, lines, `netplan: network acl "edge": 64 inbound entries with the implicit deny, 44 over the aws quota of 20; merge CIDRs or port ranges, or raise the quota (AWS: up to 40)`)

	// 60 fit
	topo.Flows = clientFlows(60, 2)
	_, err = netplan.Derive(topo, netplan.Options{Profile: netplan.Profile{Name: "sg-only", Quotas: netplan.Quotas{InboundRulesPerGroup: 60}}})
	require.NoError(t, err)
}

// TestBalancerGroupToGroup is an internal balancer "api" in the private
// tier "lbs", between "web" and "app".
func TestBalancerGroupToGroup(t *testing.T) {
	t.Parallel()
	topo := threeTier(t)
	topo.Groups = append(topo.Groups, netplan.Group{Name: "lbs", Exposure: netplan.Private,
		Subnets: []netplan.Subnet{{Zone: "eu-west-2a", Prefix: rpfx("10.0.30.0/24")}, {Zone: "eu-west-2b", Prefix: rpfx("10.0.31.0/24")}}})
	topo.Balancers = []netplan.Balancer{{Name: "api", Group: "lbs", Target: "app", HealthCheckPort: 8081,
		Listeners: []netplan.Listener{{Protocol: netplan.ProtocolTCP, Port: 80, TargetPort: 8080}, {Protocol: netplan.ProtocolTCP, Port: 443, TargetPort: 8080}}}}
	topo.Flows = rflows(t, "internet -> web tcp/443", "web -> api tcp/80", "web -> api tcp/443", "app -> db tcp/3306")

	tcp := netplan.ProtocolTCP
	rule := func(ports netplan.PortRange, group, desc string) netplan.SGRule {
		return netplan.SGRule{Protocol: tcp, Ports: ports, Group: group, Description: desc}
	}
	r := rderive(t, topo, netplan.Options{Profile: netplan.AWS})
	assert.Equal(t, []netplan.SGRule{rule(netplan.Port(80), "api", "web -> api tcp/80"), rule(netplan.Port(443), "api", "web -> api tcp/443")}, sgByName(t, r, "web").Outbound)
	api := sgByName(t, r, "api")
	assert.Equal(t, []netplan.SGRule{rule(netplan.Port(80), "web", "web -> api tcp/80"), rule(netplan.Port(443), "web", "web -> api tcp/443")}, api.Inbound)
	assert.Equal(t, []netplan.SGRule{rule(netplan.Ports(8080, 8081), "app", "health checks of api; targets of api")}, api.Outbound, "adjacent target and health-check ports merge")
	assert.Equal(t, []netplan.SGRule{rule(netplan.Ports(8080, 8081), "api", "health checks of api; targets of api")}, sgByName(t, r, "app").Inbound)
	assert.Empty(t, sgByName(t, r, "lbs").Inbound)

	v := r.CanReach(netplan.Query{From: netplan.Tier("web"), To: "api", Protocol: tcp, Port: 443})
	require.True(t, v.Allowed, "%s", v)
	assert.Equal(t, []string{
		"security-group-out web", "acl-out web", "route web/eu-west-2a,web/eu-west-2b", "acl-in lbs", "security-group-in api", "acl-return-out lbs", "acl-return-in web",
		"listener api",
		"security-group-out api", "acl-out lbs", "route lbs/eu-west-2a,lbs/eu-west-2b", "acl-in app", "security-group-in app", "acl-return-out app", "acl-return-in lbs",
	}, layers(v))
	assert.Equal(t, "security-group-in app: tcp/8080-8081 group api", v.Steps[12].String())
	assert.Equal(t, "acl-return-out app: #100 allow tcp/1024-65535 10.0.30.0/23", v.Steps[13].String())

	for _, c := range []struct {
		q    netplan.Query
		want string
	}{
		{netplan.Query{From: netplan.Tier("web"), To: "app", Protocol: tcp, Port: 8080}, "blocked at security-group-out web: no outbound rule allows tcp/8080 to 10.0.10.0/24"},
		{netplan.Query{From: netplan.Tier("web"), To: "api", Protocol: tcp, Port: 8443}, "blocked at security-group-out web: no outbound rule allows tcp/8443 to 10.0.30.0/24"},
		{netplan.Query{From: netplan.Tier("api"), To: "app", Protocol: tcp, Port: 8081}, "allowed"},
		{netplan.Query{From: netplan.Tier("api"), To: "db", Protocol: tcp, Port: 3306}, "blocked at security-group-out api: no outbound rule allows tcp/3306 to 10.0.20.0/24"},
		{netplan.Query{From: netplan.Internet(), To: "api", Protocol: tcp, Port: 80}, "blocked at route lbs/eu-west-2a: 0.0.0.0/0 goes to nat(eu-west-2a), not internet-gateway"},
	} {
		assert.Equal(t, c.want, r.CanReach(c.q).String(), "%+v", c.q)
	}
	assert.Equal(t, []string{"api tcp/8080-8081"}, reacherStrings(r.Reachers("app")))
	assert.Equal(t, []string{"web tcp/80", "web tcp/443"}, reacherStrings(r.Reachers("api")))

	// SourceCIDR names the blocks instead: the balancer's home subnets
	r = rderive(t, topo, netplan.Options{Sources: netplan.SourceCIDR})
	assert.Equal(t, "tcp/8080-8081 10.0.30.0/23", sgByName(t, r, "app").Inbound[0].String())
	assert.Equal(t, "tcp/80 10.0.0.0/23", sgByName(t, r, "api").Inbound[0].String())
	assert.True(t, r.CanReach(netplan.Query{From: netplan.Tier("web"), To: "api", Protocol: tcp, Port: 80}).Allowed)

	// allow-all egress gives the balancer the cloud's usual rule
	r = rderive(t, topo, netplan.Options{Egress: netplan.EgressAllowAll})
	assert.Equal(t, []netplan.SGRule{{Protocol: netplan.ProtocolAll, Prefix: rpfx("0.0.0.0/0"), Description: "allow all egress"}}, sgByName(t, r, "api").Outbound)
	assert.True(t, r.CanReach(netplan.Query{From: netplan.Tier("web"), To: "api", Protocol: tcp, Port: 80}).Allowed)
}

func TestBalancerEphemeralNarrowed(t *testing.T) {
	t.Parallel()
	r := rderive(t, webApp(t), netplan.Options{Profile: netplan.AWS, Ephemeral: netplan.LinuxEphemeral})
	// the targets answer the balancer on its own ports, not Linux's
	e, ok := aclByName(t, r, "app").Allows(netplan.Outbound, netplan.ProtocolTCP, netplan.Ports(1024, 65535), rpfx("10.0.0.0/23"))
	assert.True(t, ok, "%s", e)
	v := r.CanReach(netplan.Query{From: netplan.Internet(), To: "front", Protocol: netplan.ProtocolTCP, Port: 80})
	require.True(t, v.Allowed, "%s", v)
	// app's replies from the database use Linux's range
	e, ok = aclByName(t, r, "app").Allows(netplan.Inbound, netplan.ProtocolTCP, netplan.Ports(1024, 32767), rpfx("10.0.4.0/23"))
	assert.False(t, ok, "%s", e)
	var np011 netplan.Finding
	for _, f := range r.Findings {
		if f.ID == "NP011" {
			np011 = f
		}
	}
	assert.Equal(t, "info NP011 options.ephemeral: ephemeral range 32768-60999 applies to replies to the Net's instances; replies to the NAT gateways (1024-65535), the load balancers (1024-65535), clients outside the Net (1024-65535: their system is unknown) keep the ports those clients use; nothing to change: these are the ranges AWS documents for those clients (VPC User Guide, Ephemeral ports)", np011.String())

	r = rderive(t, webApp(t), netplan.Options{Ephemeral: netplan.Ports(40000, 50000)})
	assert.Contains(t, findingIDs(r), "NP012")
	r = rderive(t, webApp(t), netplan.Options{Ephemeral: netplan.WindowsEphemeral, Profile: netplan.Outscale})
	assert.NotContains(t, findingIDs(r), "NP011", "no ACL, nothing narrowed")
}

func TestBalancerErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(*netplan.Topology)
		want  []string
		isErr error
	}{
		{"name taken by a tier", func(topo *netplan.Topology) { topo.Balancers[0].Name = "app" },
			[]string{`netplan: balancers[0].name: "app": already the name of a tier or balancer; give each its own name, it names a security group`}, netplan.ErrDuplicate},
		{"two balancers one name", func(topo *netplan.Topology) { topo.Balancers = append(topo.Balancers, topo.Balancers[0]) },
			[]string{`netplan: balancers[1].name: "front": already the name of a tier or balancer`}, netplan.ErrDuplicate},
		{"bad name", func(topo *netplan.Topology) { topo.Balancers[0].Name = "9front" },
			[]string{`netplan: balancers[0].name: "9front": bad balancer name`}, netplan.ErrInvalid},
		{"unknown home and target", func(topo *netplan.Topology) { topo.Balancers[0].Group, topo.Balancers[0].Target = "edgy", "" },
			[]string{`netplan: balancers[0].group: "edgy": unknown tier; name the tier whose subnets hold the balancer, declared in Topology.Groups`,
				`netplan: balancers[0].target: "": unknown tier; name the tier that receives its traffic, declared in Topology.Groups`}, netplan.ErrInvalid},
		{"no listener", func(topo *netplan.Topology) { topo.Balancers[0].Listeners = nil },
			[]string{`netplan: balancers[0].listeners: []: no listener; add one, e.g. {tcp 443 8080}`}, netplan.ErrInvalid},
		{"bad listeners", func(topo *netplan.Topology) {
			topo.Balancers[0].Listeners = []netplan.Listener{{Protocol: netplan.ProtocolICMP, Port: 1, TargetPort: 1}, {Protocol: netplan.ProtocolTCP}, {Protocol: netplan.ProtocolTCP, Port: 443, TargetPort: 1}, {Protocol: netplan.ProtocolTCP, Port: 443, TargetPort: 2}}
		}, []string{
			`netplan: balancers[0].listeners[0].protocol: "icmp": a listener carries tcp or udp; use tcp for HTTP, HTTPS and TLS`,
			`netplan: balancers[0].listeners[1].port: 0: port 0 is not allowed; use 1-65535`,
			`netplan: balancers[0].listeners[1].target_port: 0: port 0 is not allowed; use the port the targets listen on`,
			`netplan: balancers[0].listeners[3].port: tcp/443: already taken by listeners[2]; give each listener its own port`,
		}, netplan.ErrInvalid},
		{"flow from a balancer", func(topo *netplan.Topology) { topo.Flows = rflows(t, "front -> internet tcp/443") },
			[]string{`netplan: flows[0].from: "front": a load balancer opens connections to its targets only; they follow from balancers[0].target`}, netplan.ErrInvalidFlow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			topo := frontTopology(t)
			tc.edit(&topo)
			r, err := netplan.Derive(topo, netplan.Options{})
			require.Error(t, err)
			assert.Nil(t, r)
			assert.ErrorIs(t, err, tc.isErr)
			var fe *netplan.FieldError
			assert.True(t, errors.As(err, &fe))
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestBalancerFindings(t *testing.T) {
	t.Parallel()
	topo := frontTopology(t)
	topo.Flows = rflows(t, "internet -> front tcp/443", "internet -> front tcp/8443")
	r := rderive(t, topo, netplan.Options{})
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.String())
	}
	assert.Equal(t, []string{`warning NP010 flows[1] (internet -> front tcp/8443): load balancer "front" has no listener for tcp/8443: the rule opens a port nothing answers on; add a listener on that port, or fix the flow's port`}, got,
		"edge and app are used by the balancer: no NP009")

	// a public balancer in a private tier is judged as that tier
	topo.Groups[0].Exposure = netplan.Private
	topo.Flows = topo.Flows[:1]
	r = rderive(t, topo, netplan.Options{})
	assert.Contains(t, findingIDs(r), "NP004")
}

func TestBalancerJSONAndClone(t *testing.T) {
	t.Parallel()
	topo := webApp(t)
	r := rderive(t, topo, netplan.Options{})
	topo.Balancers[0].Listeners[0].TargetPort = 9999 // the caller's copy
	assert.Equal(t, uint16(8080), r.Topology().Balancers[0].Listeners[0].TargetPort)
	assert.Equal(t, "tcp/80 -> 8080", r.Topology().Balancers[0].Listeners[0].String())
	assert.Contains(t, fmt.Sprint(r.Groups[len(r.Groups)-1]), "front true")
}
