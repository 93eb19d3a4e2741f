package netplan_test

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"testing"

	"github.com/archkit/archkit/netplan"
)

// FuzzParseFlow checks that ParseFlow never panics and that a parsed
// flow's String parses back to the same flow.
func FuzzParseFlow(f *testing.F) {
	for _, s := range []string{
		"internet -> web tcp/80",
		"web -> app tcp/8080",
		"app -> db tcp/3306",
		"10.1.0.0/16 -> db tcp/3306",
		"10.1.0.0/16,2001:db8::/32 -> db tcp/3306",
		"peer:vpn -> bastion tcp/22",
		"web -> internet tcp/80-443",
		"app -> cache udp/11211",
		"web -> app icmp",
		"web -> app all # anything goes",
		"web -> app tcp",
		"web -> app tcp/0-80",
		"web -> app tcp/443-80",
		"10.0.0.1/8 -> web tcp/80",
		"->->",
		"a -> b tcp/65535 ## x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flow, err := netplan.ParseFlow(s)
		if err != nil {
			return
		}
		text := flow.String()
		back, err := netplan.ParseFlow(text)
		if err != nil {
			t.Fatalf("ParseFlow(%q) = %q, which does not parse back: %v", s, text, err)
		}
		if back.String() != text || !back.From.Equal(flow.From) || !back.To.Equal(flow.To) ||
			back.Protocol != flow.Protocol || back.Ports != flow.Ports || back.Description != flow.Description {
			t.Fatalf("round trip of %q: %+v then %+v", s, flow, back)
		}
		if flow.Protocol.HasPorts() && !flow.Ports.IsValid() {
			t.Fatalf("ParseFlow(%q) accepted invalid ports %v", s, flow.Ports)
		}
	})
}

// fuzzTopology decodes data into a small topology with tiers, load
// balancers (sometimes invalid) and flows of every kind, and options.
func fuzzTopology(data []byte) (netplan.Topology, netplan.Options) {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b)
	}
	topo := netplan.Topology{Net: netip.MustParsePrefix("10.0.0.0/16"), Zones: []string{"a", "b"}}
	n := 2 + next()%4
	for i := range n {
		g := netplan.Group{Name: fmt.Sprintf("t%d", i), Exposure: netplan.Exposure(next() % 3)}
		for j := range 1 + next()%2 {
			g.Subnets = append(g.Subnets, netplan.Subnet{Zone: topo.Zones[j], Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, byte(4*i + j), 0}), 24)})
		}
		topo.Groups = append(topo.Groups, g)
	}
	tier := func() string { return topo.Groups[next()%n].Name }
	protos := []netplan.Protocol{netplan.ProtocolTCP, netplan.ProtocolUDP, netplan.ProtocolICMP, netplan.ProtocolAll}
	for k := range next() % 3 {
		b := netplan.Balancer{Name: fmt.Sprintf("lb%d", k), Group: tier(), Target: tier(), HealthCheckPort: uint16(next() * 40)}
		if next()%9 == 0 {
			b.Name = tier() // a clash, refused
		}
		for range next() % 3 {
			b.Listeners = append(b.Listeners, netplan.Listener{Protocol: protos[next()%4], Port: uint16(next() * 3), TargetPort: uint16(8000 + next())})
		}
		topo.Balancers = append(topo.Balancers, b)
	}
	named := func() string {
		if len(topo.Balancers) > 0 && next()%3 == 0 {
			return topo.Balancers[next()%len(topo.Balancers)].Name
		}
		return tier()
	}
	for range next() % 12 {
		f := netplan.Flow{Protocol: protos[next()%4]}
		switch next() % 6 {
		case 0:
			f.From, f.To = netplan.Internet(), netplan.Tier(named())
		case 1:
			f.From, f.To = netplan.Tier(named()), netplan.Internet()
		case 2:
			f.From, f.To = netplan.CIDR(netip.PrefixFrom(netip.AddrFrom4([4]byte{203, 0, 113, byte(next() &^ 7)}), 29)), netplan.Tier(named())
		case 3:
			name := tier()
			f.From, f.To = netplan.Tier(name), netplan.Tier(name)
		default:
			f.From, f.To = netplan.Tier(named()), netplan.Tier(named())
		}
		if f.Protocol.HasPorts() {
			from := uint16(1 + next()*250)
			f.Ports = netplan.Ports(from, from+uint16(next()%4))
		}
		topo.Flows = append(topo.Flows, f)
	}
	opts := netplan.Options{Sources: netplan.SourceMode(next() % 2), Egress: netplan.EgressMode(next() % 2), NAT: netplan.NATMode(next() % 3)}
	opts.Profile = []netplan.Profile{{}, netplan.AWS, netplan.Outscale}[next()%3]
	opts.Ephemeral = []netplan.PortRange{{}, netplan.LinuxEphemeral, netplan.WindowsEphemeral, netplan.Ports(40000, 40100)}[next()%4]
	return topo, opts
}

// FuzzDerive checks that Derive never panics on tiers, balancers and
// flows of every kind, that it either fails with a nil Rules or gives one
// security group per tier and balancer, deterministically, and that
// CanReach never panics on any destination text and answers consistently.
func FuzzDerive(f *testing.F) {
	f.Add([]byte{1, 1, 0, 2, 1, 1, 1, 1, 0, 3, 1, 9, 1, 27, 80, 1, 4, 0, 0, 1, 1, 10, 1, 3, 1}, "internet")
	f.Add([]byte{3, 2, 1, 0, 1, 1, 0, 1, 2, 0, 0, 1, 2, 0, 2, 1, 0, 30, 8}, "t1")
	f.Add([]byte{0, 0, 0, 0, 0, 2, 0, 1, 0, 9, 1, 2, 0, 1, 90, 1, 11, 4, 3, 0, 20, 2, 2, 1, 3, 2, 3}, "lb0")
	f.Add([]byte{}, "peer:x")
	f.Add([]byte{255, 255, 255, 255}, "203.0.113.0/24")
	f.Fuzz(func(t *testing.T, data []byte, to string) {
		topo, opts := fuzzTopology(data)
		r, err := netplan.Derive(topo, opts)
		if err != nil {
			if r != nil {
				t.Fatalf("error %v with non-nil rules", err)
			}
			return
		}
		if len(r.Groups) != len(topo.Groups)+len(topo.Balancers) {
			t.Fatalf("%d groups for %d tiers and %d balancers", len(r.Groups), len(topo.Groups), len(topo.Balancers))
		}
		again, err := netplan.Derive(topo, opts)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(r)
		b, _ := json.Marshal(again)
		if string(a) != string(b) {
			t.Fatal("Derive is not deterministic")
		}
		queries := []netplan.Query{{From: netplan.Tier("t0"), To: to, Protocol: netplan.ProtocolTCP, Port: 443}}
		for _, fl := range topo.Flows {
			q := netplan.Query{From: fl.From, To: fl.To.String(), Protocol: fl.Protocol, Port: fl.Ports.To}
			queries = append(queries, q, netplan.Query{From: fl.From, To: to, Protocol: fl.Protocol, Port: fl.Ports.From})
		}
		for _, q := range queries {
			v := r.CanReach(q)
			if v.Allowed != (v.Blocked == nil) {
				t.Fatalf("%+v: allowed %v, blocked %v", q, v.Allowed, v.Blocked)
			}
		}
		for _, g := range r.Groups {
			r.Reachers(g.Name)
		}
	})
}
