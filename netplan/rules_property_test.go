package netplan_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go4.org/netipx"

	"github.com/archkit/archkit/netplan"
)

// randomTopology builds a small random topology: 2-6 tiers of random
// exposure with one or two /24 subnets, 1-14 random flows.
func randomRulesTopology(rng *rand.Rand) netplan.Topology {
	topo := netplan.Topology{Net: rpfx("10.0.0.0/16"), Zones: []string{"a", "b"}}
	n := 2 + rng.IntN(5)
	for i := range n {
		g := netplan.Group{Name: fmt.Sprintf("t%d", i), Exposure: netplan.Exposure(rng.IntN(3))}
		for j := range 1 + rng.IntN(2) {
			g.Subnets = append(g.Subnets, netplan.Subnet{Zone: topo.Zones[j], Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, byte(4*i + j), 0}), 24)})
		}
		topo.Groups = append(topo.Groups, g)
	}
	tier := func() netplan.Endpoint { return netplan.Tier(topo.Groups[rng.IntN(n)].Name) }
	for range 1 + rng.IntN(14) {
		f := netplan.Flow{Protocol: netplan.ProtocolTCP}
		switch rng.IntN(4) {
		case 0:
			f.From, f.To = netplan.Internet(), tier()
		case 1:
			f.From, f.To = tier(), netplan.Internet()
		case 2:
			f.From, f.To = netplan.CIDR(rpfx("10.0.200.0/24")), tier()
		default:
			f.From, f.To = tier(), tier()
		}
		switch rng.IntN(6) {
		case 0:
			f.Protocol = netplan.ProtocolUDP
		case 1:
			f.Protocol = netplan.ProtocolICMP
		}
		if f.Protocol.HasPorts() {
			from := uint16(1 + rng.IntN(9000))
			f.Ports = netplan.Ports(from, from+uint16(rng.IntN(3)*rng.IntN(50)))
		}
		topo.Flows = append(topo.Flows, f)
	}
	return topo
}

func randomRulesOptions(rng *rand.Rand) netplan.Options {
	opts := netplan.Options{
		Sources:              netplan.SourceMode(rng.IntN(2)),
		Egress:               netplan.EgressMode(rng.IntN(2)),
		NAT:                  netplan.NATMode(rng.IntN(3)),
		AllowSSHFromAnywhere: rng.IntN(2) == 0,
	}
	if rng.IntN(2) == 0 {
		opts.Ephemeral = netplan.Ports(32768, 60999)
	}
	return opts
}

// coveredBy reports whether every block of src lies in the flow endpoint e.
func coveredBy(r *netplan.Rules, e netplan.Endpoint, src netplan.Endpoint) bool {
	if e.Kind == netplan.EndpointTier && src.Kind == netplan.EndpointTier {
		return e.Name == src.Name
	}
	var eps []netip.Prefix
	if e.Kind == netplan.EndpointTier {
		for _, g := range r.Topology().Groups {
			if g.Name == e.Name {
				for _, s := range g.Subnets {
					eps = append(eps, s.Prefix)
				}
			}
		}
	} else {
		eps = e.Prefixes
	}
	for _, p := range endpointPrefixes(r, src) {
		ok := false
		for _, ep := range eps {
			ok = ok || ep.Addr().Is4() == p.Addr().Is4() && ep.Bits() <= p.Bits() && ep.Contains(p.Addr())
		}
		if !ok {
			return false
		}
	}
	return true
}

func endpointPrefixes(r *netplan.Rules, e netplan.Endpoint) []netip.Prefix {
	switch e.Kind {
	case netplan.EndpointTier:
		var out []netip.Prefix
		for _, g := range r.Topology().Groups {
			if g.Name == e.Name {
				for _, s := range g.Subnets {
					out = append(out, s.Prefix)
				}
			}
		}
		return out
	case netplan.EndpointInternet:
		return []netip.Prefix{rpfx("0.0.0.0/0")}
	}
	return e.Prefixes
}

// ingressDeclared reports whether some flow into dst covers the probe.
func ingressDeclared(r *netplan.Rules, src netplan.Endpoint, dst string, proto netplan.Protocol, port uint16) bool {
	for _, f := range r.Topology().Flows {
		if f.To.Kind != netplan.EndpointTier || f.To.Name != dst {
			continue
		}
		if f.Protocol != netplan.ProtocolAll && f.Protocol != proto {
			continue
		}
		if f.Protocol.HasPorts() && !f.Ports.Contains(port) {
			continue
		}
		if coveredBy(r, f.From, src) {
			return true
		}
	}
	return false
}

func rgroupIndex(r *netplan.Rules, name string) int {
	for i, g := range r.Topology().Groups {
		if g.Name == name {
			return i
		}
	}
	return -1
}

func TestPropertyDerivedRules(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2026, 3))
	var reached, refused, agreed int
	for iter := range 300 {
		topo := randomRulesTopology(rng)
		opts := randomRulesOptions(rng)
		r, err := netplan.Derive(topo, opts)
		require.NoError(t, err, "iteration %d", iter)
		eph := opts.Ephemeral
		if eph.IsZero() {
			eph = netplan.DefaultEphemeral
		}

		// 1. every declared flow into a tier is reachable, unless it comes
		// from outside the Net into a tier that is not Public (no route).
		for i, f := range topo.Flows {
			if f.To.Kind != netplan.EndpointTier {
				continue
			}
			dst := topo.Groups[rgroupIndex(r, f.To.Name)]
			ports := []uint16{0}
			if f.Protocol.HasPorts() {
				ports = []uint16{f.Ports.From, f.Ports.To}
			}
			for _, port := range ports {
				v := r.CanReach(netplan.Query{From: f.From, To: f.To.Name, Protocol: f.Protocol, Port: port})
				if f.From.Kind == netplan.EndpointInternet && dst.Exposure != netplan.Public {
					assert.False(t, v.Allowed, "iteration %d flows[%d] %s", iter, i, f)
					if assert.NotNil(t, v.Blocked) {
						assert.Equal(t, "route", v.Blocked.Layer)
					}
					continue
				}
				assert.True(t, v.Allowed, "iteration %d flows[%d] %s: %s", iter, i, f, v)
				reached++
			}
		}

		// 2. a sample of probes: what no flow declares is never reachable,
		// and the stateless view never refuses what the stateful view allows.
		sources := []netplan.Endpoint{netplan.Internet(), netplan.CIDR(rpfx("10.0.200.0/24")), netplan.CIDR(rpfx("10.0.201.0/24"))}
		for _, g := range topo.Groups {
			sources = append(sources, netplan.Tier(g.Name))
		}
		for range 40 {
			src := sources[rng.IntN(len(sources))]
			dst := topo.Groups[rng.IntN(len(topo.Groups))]
			proto := []netplan.Protocol{netplan.ProtocolTCP, netplan.ProtocolUDP, netplan.ProtocolICMP}[rng.IntN(3)]
			port := uint16(0)
			var ports netplan.PortRange
			if proto.HasPorts() {
				port = uint16(1 + rng.IntN(9100))
				ports = netplan.Port(port)
			}
			v := r.CanReach(netplan.Query{From: src, To: dst.Name, Protocol: proto, Port: port})
			if !ingressDeclared(r, src, dst.Name, proto, port) {
				assert.False(t, v.Allowed, "iteration %d: undeclared %s -> %s %s/%d reachable: %+v", iter, src, dst.Name, proto, port, v.Steps)
				refused++
			}

			di := rgroupIndex(r, dst.Name)
			if src.Kind == netplan.EndpointTier && src.Name == dst.Name && len(dst.Subnets) == 1 {
				continue // inside one subnet: no network ACL is crossed, and none has entries for it
			}
			srcPs := endpointPrefixes(r, src)
			sgIn := true
			for _, p := range srcPs {
				_, ok := r.Groups[di].Allows(netplan.Inbound, proto, ports, src.Name, p)
				sgIn = sgIn && ok
			}
			if sgIn {
				for _, p := range srcPs {
					_, in := r.ACLs[di].Allows(netplan.Inbound, proto, ports, p)
					retPorts := netplan.PortRange{}
					if proto.HasPorts() {
						retPorts = eph
					}
					_, out := r.ACLs[di].Allows(netplan.Outbound, proto, retPorts, p)
					agreed++
					assert.True(t, in && out, "iteration %d: %s allows %s %s/%d from %s but its ACL does not", iter, dst.Name, proto, ports, port, p)
				}
			}
			if src.Kind == netplan.EndpointTier && opts.Egress == netplan.EgressLeastPrivilege {
				si := rgroupIndex(r, src.Name)
				for _, p := range endpointPrefixes(r, netplan.Tier(dst.Name)) {
					if _, ok := r.Groups[si].Allows(netplan.Outbound, proto, ports, dst.Name, p); ok {
						_, out := r.ACLs[si].Allows(netplan.Outbound, proto, ports, p)
						assert.True(t, out, "iteration %d: %s security group lets %s/%d out to %s but its ACL does not", iter, src.Name, proto, port, p)
					}
				}
			}
		}
	}
	t.Logf("%d declared flows reached, %d undeclared probes refused, %d stateful/stateless agreements", reached, refused, agreed)
	assert.Greater(t, reached, 500)
	assert.Greater(t, refused, 5000)
	assert.Greater(t, agreed, 100)
}

// TestPropertyCIDRMerge checks the CIDR merging of rules against the
// oracle netipx.IPSet: for random sources on one port, the inbound rules
// of the security group and of the ACL are exactly the IPSet's prefixes.
func TestPropertyCIDRMerge(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	for iter := range 300 {
		topo := netplan.Topology{
			Net:    rpfx("10.0.0.0/16"),
			Groups: []netplan.Group{{Name: "web", Exposure: netplan.Public, Subnets: []netplan.Subnet{{Zone: "a", Prefix: rpfx("10.0.0.0/24")}}}},
		}
		var b netipx.IPSetBuilder
		for range 1 + rng.IntN(30) {
			bits := 20 + rng.IntN(9)
			p, _ := netip.AddrFrom4([4]byte{172, 16, byte(rng.IntN(16)), byte(rng.IntN(256))}).Prefix(bits)
			b.AddPrefix(p)
			topo.Flows = append(topo.Flows, netplan.Flow{From: netplan.CIDR(p), To: netplan.Tier("web"), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(443)})
		}
		set, err := b.IPSet()
		require.NoError(t, err)
		r, err := netplan.Derive(topo, netplan.Options{})
		require.NoError(t, err)
		var sg, acl []netip.Prefix
		for _, rule := range r.Groups[0].Inbound {
			sg = append(sg, rule.Prefix)
		}
		for _, e := range r.ACLs[0].Inbound {
			if e.Action == netplan.Allow {
				acl = append(acl, e.Prefix)
			}
		}
		assert.Equal(t, set.Prefixes(), sg, "iteration %d", iter)
		assert.Equal(t, set.Prefixes(), acl, "iteration %d", iter)
	}
}
