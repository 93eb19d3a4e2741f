package netplan_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/archkit/archkit/netplan"
)

// bigTopology has tiers tiers (public, private, isolated in turn) of two
// /24 subnets each and flows random flows between them, from the internet
// to the public tiers and from tiers to the internet.
func bigRulesTopology(tiers, nflows int) netplan.Topology {
	rng := rand.New(rand.NewPCG(uint64(tiers), uint64(nflows)))
	topo := netplan.Topology{Net: netip.MustParsePrefix("10.0.0.0/8"), Zones: []string{"a", "b"}}
	for i := range tiers {
		g := netplan.Group{Name: fmt.Sprintf("tier%04d", i), Exposure: []netplan.Exposure{netplan.Public, netplan.Private, netplan.Isolated}[i%3]}
		for j := range 2 {
			k := 2*i + j
			g.Subnets = append(g.Subnets, netplan.Subnet{Zone: topo.Zones[j], Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(k >> 8), byte(k), 0}), 24)})
		}
		topo.Groups = append(topo.Groups, g)
	}
	for range nflows {
		src, dst := rng.IntN(tiers), rng.IntN(tiers)
		port := uint16(1 + rng.IntN(60000))
		f := netplan.Flow{From: netplan.Tier(topo.Groups[src].Name), To: netplan.Tier(topo.Groups[dst].Name), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(port)}
		switch rng.IntN(10) {
		case 0:
			f.From = netplan.Internet()
			f.To = netplan.Tier(topo.Groups[dst-dst%3].Name) // a public tier
		case 1:
			f.To = netplan.Internet()
		}
		topo.Flows = append(topo.Flows, f)
	}
	return topo
}

func BenchmarkDerive(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		topo := bigRulesTopology(n/10, n)
		b.Run(fmt.Sprintf("tiers=%d/flows=%d", n/10, n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := netplan.Derive(topo, netplan.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDeriveBalancers adds a load balancer per public tier, in front
// of the next (private) tier, with a client flow per ten tiers: the
// balancers' groups and transit entries keep Derive linear.
func BenchmarkDeriveBalancers(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		topo := bigRulesTopology(n/10, n)
		for i := 0; i+1 < len(topo.Groups); i += 3 {
			name := fmt.Sprintf("lb%04d", i)
			topo.Balancers = append(topo.Balancers, netplan.Balancer{Name: name, Group: topo.Groups[i].Name, Target: topo.Groups[i+1].Name,
				Listeners: []netplan.Listener{{Protocol: netplan.ProtocolTCP, Port: 443, TargetPort: 8443}}, HealthCheckPort: 8444})
			topo.Flows = append(topo.Flows, netplan.Flow{From: netplan.Internet(), To: netplan.Tier(name), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(443)})
		}
		b.Run(fmt.Sprintf("tiers=%d/flows=%d/balancers=%d", n/10, len(topo.Flows), len(topo.Balancers)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := netplan.Derive(topo, netplan.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCanReach(b *testing.B) {
	topo := bigRulesTopology(1000, 10000)
	r, err := netplan.Derive(topo, netplan.Options{})
	if err != nil {
		b.Fatal(err)
	}
	rules := 0
	for _, g := range r.Groups {
		rules += len(g.Inbound) + len(g.Outbound)
	}
	for _, a := range r.ACLs {
		rules += len(a.Inbound) + len(a.Outbound)
	}
	f := topo.Flows[0]
	for _, fl := range topo.Flows {
		if fl.From.Kind == netplan.EndpointTier && fl.To.Kind == netplan.EndpointTier {
			f = fl
			break
		}
	}
	q := netplan.Query{From: f.From, To: f.To.Name, Protocol: f.Protocol, Port: f.Ports.From}
	if !r.CanReach(q).Allowed {
		b.Fatalf("%+v not allowed", q)
	}
	b.ReportMetric(float64(rules), "rules")
	b.Run("allowed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r.CanReach(q)
		}
	})
	denied := q
	denied.Port = 0xffff
	b.Run("denied", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r.CanReach(denied)
		}
	})
}

// BenchmarkCanReachWideGroup asks about a tier with 10,000 inbound rules.
func BenchmarkCanReachWideGroup(b *testing.B) {
	topo := bigRulesTopology(3, 0)
	for i := range 10000 {
		topo.Flows = append(topo.Flows, netplan.Flow{
			From:     netplan.CIDR(netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(16 + i>>12), byte(i >> 4), byte(i&15) << 4}), 28)),
			To:       netplan.Tier(topo.Groups[0].Name),
			Protocol: netplan.ProtocolTCP, Ports: netplan.Port(uint16(1000 + 2*(i%7))),
		})
	}
	r, err := netplan.Derive(topo, netplan.Options{})
	if err != nil {
		b.Fatal(err)
	}
	last := topo.Flows[len(topo.Flows)-1]
	q := netplan.Query{From: last.From, To: topo.Groups[0].Name, Protocol: netplan.ProtocolTCP, Port: last.Ports.From}
	if !r.CanReach(q).Allowed {
		b.Fatalf("%+v not allowed: %s", q, r.CanReach(q))
	}
	b.ReportMetric(float64(len(r.Groups[0].Inbound)), "rules")
	b.ReportAllocs()
	for b.Loop() {
		r.CanReach(q)
	}
}
