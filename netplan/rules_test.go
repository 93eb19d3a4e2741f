package netplan_test

import (
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
)

var rulesUpdate = flag.Bool("update", false, "rewrite testdata/*.golden")

// golden compares got with testdata/<name>.golden, rewriting it with -update.
func rgolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *rulesUpdate {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), got)
}

func rpfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func rflows(t testing.TB, lines ...string) []netplan.Flow {
	t.Helper()
	out := make([]netplan.Flow, len(lines))
	for i, l := range lines {
		f, err := netplan.ParseFlow(l)
		require.NoError(t, err, l)
		out[i] = f
	}
	return out
}

// threeTier is seed 000: web public (80/443 from the internet), app private
// (8080 from web), db isolated (3306 from app), two zones.
func threeTier(t testing.TB) netplan.Topology {
	return netplan.Topology{
		Net:   rpfx("10.0.0.0/16"),
		Zones: []string{"eu-west-2a", "eu-west-2b"},
		Groups: []netplan.Group{
			{Name: "web", Exposure: netplan.Public, Subnets: []netplan.Subnet{{Zone: "eu-west-2a", Prefix: rpfx("10.0.0.0/24")}, {Zone: "eu-west-2b", Prefix: rpfx("10.0.1.0/24")}}},
			{Name: "app", Exposure: netplan.Private, Subnets: []netplan.Subnet{{Zone: "eu-west-2a", Prefix: rpfx("10.0.10.0/24")}, {Zone: "eu-west-2b", Prefix: rpfx("10.0.11.0/24")}}},
			{Name: "db", Exposure: netplan.Isolated, Subnets: []netplan.Subnet{{Zone: "eu-west-2a", Prefix: rpfx("10.0.20.0/24")}, {Zone: "eu-west-2b", Prefix: rpfx("10.0.21.0/24")}}},
		},
		Flows: rflows(t,
			"internet -> web tcp/80",
			"internet -> web tcp/443",
			"web -> app tcp/8080",
			"app -> db tcp/3306",
		),
	}
}

func rderive(t testing.TB, topo netplan.Topology, opts netplan.Options) *netplan.Rules {
	t.Helper()
	r, err := netplan.Derive(topo, opts)
	require.NoError(t, err)
	return r
}

func sgByName(t *testing.T, r *netplan.Rules, name string) netplan.SecurityGroup {
	t.Helper()
	for _, g := range r.Groups {
		if g.Name == name {
			return g
		}
	}
	t.Fatalf("no security group %q", name)
	return netplan.SecurityGroup{}
}

func aclByName(t *testing.T, r *netplan.Rules, name string) netplan.ACL {
	t.Helper()
	for _, a := range r.ACLs {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no acl %q", name)
	return netplan.ACL{}
}

func TestDeriveThreeTierSecurityGroups(t *testing.T) {
	t.Parallel()
	r := rderive(t, threeTier(t), netplan.Options{})
	require.Len(t, r.Groups, 3)

	web := sgByName(t, r, "web")
	assert.Equal(t, []netplan.SGRule{
		{Protocol: netplan.ProtocolTCP, Ports: netplan.Port(80), Prefix: rpfx("0.0.0.0/0"), Description: "internet -> web tcp/80"},
		{Protocol: netplan.ProtocolTCP, Ports: netplan.Port(443), Prefix: rpfx("0.0.0.0/0"), Description: "internet -> web tcp/443"},
	}, web.Inbound)
	// least privilege: web may only open 8080 to the app group
	assert.Equal(t, []netplan.SGRule{
		{Protocol: netplan.ProtocolTCP, Ports: netplan.Port(8080), Group: "app", Description: "web -> app tcp/8080"},
	}, web.Outbound)

	app := sgByName(t, r, "app")
	assert.Equal(t, []netplan.SGRule{{Protocol: netplan.ProtocolTCP, Ports: netplan.Port(8080), Group: "web", Description: "web -> app tcp/8080"}}, app.Inbound)
	assert.Equal(t, []netplan.SGRule{{Protocol: netplan.ProtocolTCP, Ports: netplan.Port(3306), Group: "db", Description: "app -> db tcp/3306"}}, app.Outbound)

	db := sgByName(t, r, "db")
	assert.Equal(t, []netplan.SGRule{{Protocol: netplan.ProtocolTCP, Ports: netplan.Port(3306), Group: "app", Description: "app -> db tcp/3306"}}, db.Inbound)
	assert.Empty(t, db.Outbound)
}

func TestDeriveSourceCIDRAndAllowAll(t *testing.T) {
	t.Parallel()
	r := rderive(t, threeTier(t), netplan.Options{Sources: netplan.SourceCIDR, Egress: netplan.EgressAllowAll})
	app := sgByName(t, r, "app")
	// web's two subnets 10.0.0.0/24 and 10.0.1.0/24 merge into one /23
	assert.Equal(t, []netplan.SGRule{{Protocol: netplan.ProtocolTCP, Ports: netplan.Port(8080), Prefix: rpfx("10.0.0.0/23"), Description: "web -> app tcp/8080"}}, app.Inbound)
	for _, g := range r.Groups {
		assert.Equal(t, []netplan.SGRule{{Protocol: netplan.ProtocolAll, Prefix: rpfx("0.0.0.0/0"), Description: "allow all egress"}}, g.Outbound, g.Name)
	}
	assert.Contains(t, findingIDs(r), "NP008")
}

func TestDeriveMergesAndDeduplicates(t *testing.T) {
	t.Parallel()
	topo := threeTier(t)
	topo.Flows = append(topo.Flows, rflows(t,
		"internet -> web tcp/80",           // duplicate
		"internet -> web tcp/81-90",        // adjacent to 80
		"internet -> web tcp/85-100",       // overlapping
		"10.9.0.0/24 -> app tcp/9000",      // two adjacent CIDRs merge
		"10.9.1.0/24 -> app tcp/9000",      //
		"web -> app all",                   // covers web -> app tcp/8080
		"web -> app udp/53 # dns over udp", // covered by all
	)...)
	r := rderive(t, topo, netplan.Options{})
	web := sgByName(t, r, "web")
	assert.Equal(t, []netplan.PortRange{netplan.Ports(80, 100), netplan.Port(443)}, sgPorts(web.Inbound))
	app := sgByName(t, r, "app")
	require.Len(t, app.Inbound, 2)
	// CIDR rules first, then group rules
	assert.Equal(t, netplan.SGRule{Protocol: netplan.ProtocolTCP, Ports: netplan.Port(9000), Prefix: rpfx("10.9.0.0/23"), Description: "10.9.0.0/24 -> app tcp/9000; 10.9.1.0/24 -> app tcp/9000"}, app.Inbound[0])
	assert.Equal(t, netplan.SGRule{Protocol: netplan.ProtocolAll, Group: "web", Description: "web -> app all"}, app.Inbound[1])
}

func sgPorts(rs []netplan.SGRule) []netplan.PortRange {
	var out []netplan.PortRange
	for _, r := range rs {
		out = append(out, r.Ports)
	}
	return out
}

func findingIDs(r *netplan.Rules) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID)
	}
	return out
}

func TestDeriveIsDeterministic(t *testing.T) {
	t.Parallel()
	a, err := json.Marshal(rderive(t, threeTier(t), netplan.Options{}))
	require.NoError(t, err)
	b, err := json.Marshal(rderive(t, threeTier(t), netplan.Options{}))
	require.NoError(t, err)
	assert.Equal(t, a, b)
}

func TestDeriveErrors(t *testing.T) {
	t.Parallel()
	base := threeTier(t)
	tests := []struct {
		name   string
		modify func(*netplan.Topology, *netplan.Options)
		want   []string
		is     []error
	}{
		{
			name: "port zero",
			modify: func(tp *netplan.Topology, _ *netplan.Options) {
				tp.Flows[2].Ports = netplan.Ports(0, 80)
			},
			want: []string{"netplan: flows[2].ports: 0-80: port 0 is not allowed; use 1-65535"},
			is:   []error{netplan.ErrInvalidFlow, netplan.ErrInvalid},
		},
		{
			name: "unknown tier and peer, all at once",
			modify: func(tp *netplan.Topology, _ *netplan.Options) {
				tp.Flows = append(tp.Flows, netplan.Flow{From: netplan.Tier("app"), To: netplan.Tier("dbb"), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(3306)},
					netplan.Flow{From: netplan.Peer("vpn"), To: netplan.Tier("web"), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(22)})
			},
			want: []string{
				`netplan: flows[4].to: "dbb": unknown tier; declare it in Topology.Groups or fix the name`,
				`netplan: flows[5].from: "vpn": unknown peer; declare it in Topology.Peers or fix the name`,
			},
			is: []error{netplan.ErrInvalidFlow, netplan.ErrInvalid},
		},
		{
			name: "icmp with a port, unknown protocol",
			modify: func(tp *netplan.Topology, _ *netplan.Options) {
				tp.Flows[0].Protocol = netplan.ProtocolICMP
				tp.Flows[1].Protocol = "sctp"
			},
			want: []string{
				"netplan: flows[0].ports: 80: icmp carries no port; leave Ports zero",
				`netplan: flows[1].protocol: "sctp": unknown protocol; use tcp, udp, icmp or all`,
			},
			is: []error{netplan.ErrInvalidFlow},
		},
		{
			name: "subnet outside the net and overlapping",
			modify: func(tp *netplan.Topology, _ *netplan.Options) {
				tp.Groups[0].Subnets[0].Prefix = rpfx("192.168.0.0/24")
				tp.Groups[1].Subnets[1].Prefix = rpfx("10.0.20.0/25")
			},
			want: []string{
				"netplan: groups[0].subnets[0].prefix: 192.168.0.0/24: outside the Net 10.0.0.0/16; pick a block inside it",
				`netplan: groups: 10.0.20.0/25: subnet of "app" overlaps 10.0.20.0/24 of "db"; give every subnet its own block`,
			},
			is: []error{netplan.ErrOutOfBounds, netplan.ErrOverlap},
		},
		{
			name: "duplicate tier and unknown zone",
			modify: func(tp *netplan.Topology, _ *netplan.Options) {
				tp.Groups[2].Name = "app"
				tp.Groups[0].Subnets[0].Zone = "eu-west-2z"
			},
			want: []string{
				`netplan: groups[2].name: "app": duplicate tier; give each tier its own name`,
				`netplan: groups[0].subnets[0].zone: "eu-west-2z": unknown zone; use one of Topology.Zones: eu-west-2a, eu-west-2b`,
				`netplan: flows[3].to: "db": unknown tier; declare it in Topology.Groups or fix the name`,
			},
			is: []error{netplan.ErrDuplicate, netplan.ErrInvalid, netplan.ErrInvalidFlow},
		},
		{
			name: "neither side a tier",
			modify: func(tp *netplan.Topology, _ *netplan.Options) {
				tp.Flows[0].To = netplan.CIDR(rpfx("10.1.0.0/16"))
			},
			want: []string{"netplan: flows[0]: internet -> 10.1.0.0/16: neither side is a tier; one side must be a tier of the topology"},
			is:   []error{netplan.ErrInvalidFlow},
		},
		{
			name: "bad ephemeral range",
			modify: func(_ *netplan.Topology, o *netplan.Options) {
				o.Ephemeral = netplan.Ports(60999, 32768)
			},
			want: []string{"netplan: options.ephemeral: 60999-32768: from 60999 is above to 32768; write 32768-60999"},
			is:   []error{netplan.ErrInvalid},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tp := base
			tp.Groups = cloneGroups(base.Groups)
			tp.Flows = append([]netplan.Flow(nil), base.Flows...)
			var opts netplan.Options
			tc.modify(&tp, &opts)
			r, err := netplan.Derive(tp, opts)
			require.Error(t, err)
			assert.Nil(t, r)
			for _, w := range tc.want {
				assert.Contains(t, strings.Split(err.Error(), "\n"), w)
			}
			assert.Len(t, strings.Split(err.Error(), "\n"), len(tc.want), err.Error())
			for _, sentinel := range tc.is {
				assert.ErrorIs(t, err, sentinel)
			}
			var fe *netplan.FieldError
			assert.ErrorAs(t, err, &fe)
		})
	}
}

func cloneGroups(gs []netplan.Group) []netplan.Group {
	out := make([]netplan.Group, len(gs))
	for i, g := range gs {
		g.Subnets = append([]netplan.Subnet(nil), g.Subnets...)
		out[i] = g
	}
	return out
}

func TestDeriveQuotas(t *testing.T) {
	t.Parallel()
	topo := threeTier(t)
	// 75 distinct sources on web, none adjacent (10.100.<2i>.0/24)
	for i := range 75 {
		topo.Flows = append(topo.Flows, netplan.Flow{
			From: netplan.CIDR(netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 100, byte(2 * i), 0}), 24)),
			To:   netplan.Tier("web"), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(8443),
		})
	}
	_, err := netplan.Derive(topo, netplan.Options{Profile: netplan.AWS})
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	assert.Contains(t, lines, `netplan: security group "web": 77 inbound rules, 17 over the aws quota of 60; merge port ranges or use a prefix list`)
	assert.Contains(t, lines, `netplan: network acl "web": 80 inbound entries with the implicit deny, 60 over the aws quota of 20; merge CIDRs or port ranges, or raise the quota (AWS: up to 40)`)

	// the zero profile checks nothing
	_, err = netplan.Derive(topo, netplan.Options{})
	require.NoError(t, err)

	// the plain three-tier fits AWS
	r := rderive(t, threeTier(t), netplan.Options{Profile: netplan.AWS})
	assert.Len(t, r.ACLs, 3)
}

func TestDeriveNoStatelessFirewall(t *testing.T) {
	t.Parallel()
	r := rderive(t, threeTier(t), netplan.Options{Profile: netplan.Outscale})
	assert.Empty(t, r.ACLs)
	assert.Contains(t, findingIDs(r), "NP007")
	// the security groups alone still decide
	assert.True(t, r.CanReach(netplan.Query{From: netplan.Tier("web"), To: "app", Protocol: netplan.ProtocolTCP, Port: 8080}).Allowed)
	assert.False(t, r.CanReach(netplan.Query{From: netplan.Tier("web"), To: "db", Protocol: netplan.ProtocolTCP, Port: 3306}).Allowed)
}

func TestFindings(t *testing.T) {
	t.Parallel()
	topo := threeTier(t)
	topo.Flows = append(topo.Flows, rflows(t,
		"web -> db tcp/3306",       // skips the app layer
		"internet -> db tcp/3306",  // database exposed
		"internet -> app tcp/8080", // private tier from the internet
		"internet -> web tcp/22",   // ssh from anywhere
		"db -> internet tcp/443",   // isolated egress
	)...)
	topo.Groups = append(topo.Groups, netplan.Group{Name: "spare", Exposure: netplan.Private, Subnets: []netplan.Subnet{{Zone: "eu-west-2a", Prefix: rpfx("10.0.30.0/24")}}})

	r := rderive(t, topo, netplan.Options{})
	got := map[string]netplan.Severity{}
	for _, f := range r.Findings {
		got[f.ID+" "+f.Subject] = f.Severity
	}
	assert.Equal(t, map[string]netplan.Severity{
		"NP001 flows[7] (internet -> web tcp/22)":   netplan.SeverityError,
		"NP002 flows[4] (web -> db tcp/3306)":       netplan.SeverityWarning,
		"NP003 flows[5] (internet -> db tcp/3306)":  netplan.SeverityError,
		"NP004 flows[6] (internet -> app tcp/8080)": netplan.SeverityError,
		"NP005 flows[8] (db -> internet tcp/443)":   netplan.SeverityError,
		"NP009 spare": netplan.SeverityInfo,
	}, got)
	assert.Equal(t, netplan.SeverityError, r.Findings[0].Severity, "errors first")
	require.Error(t, r.Err())
	assert.Contains(t, r.Err().Error(), "netplan: flows[5] (internet -> db tcp/3306): isolated tier \"db\" is reachable from outside the Net; remove the flow")

	r = rderive(t, topo, netplan.Options{AllowSSHFromAnywhere: true})
	for _, f := range r.Findings {
		if f.ID == "NP001" {
			assert.Equal(t, netplan.SeverityWarning, f.Severity)
			assert.Equal(t, "warning", f.Severity.String())
		}
	}
	assert.NoError(t, rderive(t, threeTier(t), netplan.Options{}).Err(), "the plain three-tier is clean")
}

func TestFindingNATZoneWithoutPublicSubnet(t *testing.T) {
	t.Parallel()
	topo := threeTier(t)
	topo.Groups[0].Subnets = topo.Groups[0].Subnets[:1] // web only in eu-west-2a
	r := rderive(t, topo, netplan.Options{})
	assert.Contains(t, findingIDs(r), "NP006")
	r = rderive(t, topo, netplan.Options{NAT: netplan.NATShared})
	assert.NotContains(t, findingIDs(r), "NP006")
}

func TestRulesJSONGolden(t *testing.T) {
	t.Parallel()
	r := rderive(t, threeTier(t), netplan.Options{})
	b, err := json.MarshalIndent(r, "", "  ")
	require.NoError(t, err)
	rgolden(t, "TestRulesJSONGolden", string(b)+"\n")
	// enumerations are strings
	assert.Contains(t, string(b), `"action": "allow"`)
	assert.Contains(t, string(b), `"kind": "internet_gateway"`)
	assert.Contains(t, string(b), `"ports": "1024-65535"`)
}

// SSH open to the internet is judged by address coverage: two flows from
// 0.0.0.0/1 and 128.0.0.0/1 open it to every address as surely as one
// from 0.0.0.0/0; one half alone does not.
func TestSSHFromAnywhereByCoverage(t *testing.T) {
	t.Parallel()
	ids := func(flows ...string) []string {
		topo := threeTier(t)
		topo.Flows = append(topo.Flows, rflows(t, flows...)...)
		var out []string
		for _, f := range rderive(t, topo, netplan.Options{}).Findings {
			if f.ID == "NP001" {
				out = append(out, f.Subject)
			}
		}
		return out
	}
	assert.Equal(t, []string{"flows[4] (0.0.0.0/1 -> web tcp/22)", "flows[5] (128.0.0.0/1 -> web tcp/20-25)"},
		ids("0.0.0.0/1 -> web tcp/22", "128.0.0.0/1 -> web tcp/20-25"))
	assert.Empty(t, ids("0.0.0.0/1 -> web tcp/22"))
	assert.Empty(t, ids("0.0.0.0/1 -> web tcp/22", "128.0.0.0/1 -> web tcp/80"), "the other half on another port")
	assert.Len(t, ids("::/1 -> web tcp/22", "8000::/1 -> web all"), 2, "IPv6 too")
}
