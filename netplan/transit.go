package netplan

import (
	"net/netip"
	"slices"
)

// NAT is a NAT gateway of [Rules.NATs]: the one of Zone, in the subnet
// Prefix of the Public tier Group.
//
// Its interface lives in that subnet, so the traffic it forwards crosses
// the tier's network ACL four times, and Derive adds exactly the entries
// that takes to the tier's ACL, for each flow from a Private tier to
// outside the Net (the internet, or outside CIDRs) whose subnet routes to
// this NAT. For "app -> internet tcp/443", with app's subnets
// 10.0.2.0/24 and 10.0.3.0/24 routed to NATs in the tier "public":
//
//	inbound  tcp/443        from 10.0.2.0/23  the request, from app to the NAT
//	outbound tcp/443        to   0.0.0.0/0    the request, from the NAT to the internet
//	inbound  tcp/1024-65535 from 0.0.0.0/0    the reply, to the NAT's ports
//	outbound tcp/1024-65535 to   10.0.2.0/23  the reply, to app's ephemeral ports
//
// The third entry uses the ports the NAT gateway translates to,
// [NATEphemeral], whatever Options.Ephemeral says; the fourth uses
// Options.Ephemeral, the range of the instances that opened the
// connection. AWS: "Confirm that the network ACL associated to the public
// subnet where the NAT gateway is present allows traffic from the
// ephemeral port range (1024-65535). If the network ACL allows only a
// subset of the ephemeral port range and the instances in the private
// subnet use a source port outside of that range, then traffic is
// dropped" (AWS Knowledge Center, "How can I troubleshoot connectivity
// issues when using NAT gateway on my private VPC?"; VPC User Guide,
// "Ephemeral ports": "A NAT gateway uses ports 1024-65535").
//
// NAT gateways translate IPv4 only: IPv6 egress has no NAT (and no
// transit entries).
type NAT struct {
	Zone   string       `json:"zone"`
	Group  string       `json:"group"`
	Prefix netip.Prefix `json:"prefix"`
}

// placeNATs gives every zone of NATZones its NAT: the subnet of that zone
// of the first Public group (Topology.Groups order) with one. It also
// indexes the route tables by group.
func (r *Rules) placeNATs() []NAT {
	r.tables = make([]int, len(r.topo.Groups)+1)
	for i, g := range r.topo.Groups {
		r.tables[i+1] = r.tables[i] + len(g.Subnets)
	}
	nats := make([]NAT, 0, len(r.NATZones))
	for _, z := range r.NATZones {
		for _, g := range r.topo.Groups {
			if g.Exposure != Public {
				continue
			}
			if i := slices.IndexFunc(g.Subnets, func(s Subnet) bool { return s.Zone == z }); i >= 0 {
				nats = append(nats, NAT{Zone: z, Group: g.Name, Prefix: g.Subnets[i].Prefix})
				break
			}
		}
	}
	return nats
}

// nat returns the NAT of zone z.
func (r *Rules) nat(z string) (NAT, bool) {
	i, ok := slices.BinarySearchFunc(r.NATs, z, func(n NAT, z string) int {
		switch {
		case n.Zone < z:
			return -1
		case n.Zone > z:
			return 1
		}
		return 0
	})
	if !ok {
		return NAT{}, false
	}
	return r.NATs[i], true
}

// groupTables returns the route tables of the group with index gi, one
// per subnet in Subnets order.
func (r *Rules) groupTables(gi int) []RouteTable {
	return r.RouteTables[r.tables[gi]:r.tables[gi+1]]
}

// natRoute reports the zone of the NAT that table rt sends p to, if the
// longest route that holds all of p goes to a NAT.
func natRoute(rt RouteTable, p netip.Prefix) (string, bool) {
	route, ok := rt.Lookup(p.Addr())
	if !ok || route.Target.Kind != TargetNATGateway || route.Destination.Bits() > p.Bits() {
		return "", false
	}
	return route.Target.Zone, true
}

// addTransit adds to the ACL lists the entries that NAT gateways need for
// hop h: per subnet of the source tier whose route table sends a block of
// h's destination to a NAT, in the ACL of the tier that holds that NAT,
// the request in and out and the reply in and out (see [NAT]).
func (r *Rules) addTransit(in, out [][]prule, h hop) {
	// peers are routed by their own connection, tiers by the local route
	if h.from.Kind != EndpointTier || h.to.Kind == EndpointTier || h.to.Kind == EndpointPeer {
		return
	}
	si := r.index[h.from.Name]
	dst := r.prefixes(h.to)
	for k, rt := range r.groupTables(si) {
		src := r.topo.Groups[si].Subnets[k].Prefix
		for _, d := range dst {
			zone, ok := natRoute(rt, d)
			if !ok {
				continue
			}
			n, ok := r.nat(zone)
			if !ok {
				continue // NP006: the zone has no Public subnet to hold the NAT
			}
			ni := r.index[n.Group]
			natRet := PortRange{}
			if h.proto.HasPorts() {
				natRet = NATEphemeral
			}
			in[ni] = append(in[ni], prule{proto: h.proto, ports: h.ports, prefix: src}, prule{proto: h.proto, ports: natRet, prefix: d})
			out[ni] = append(out[ni], prule{proto: h.proto, ports: h.ports, prefix: d}, prule{proto: h.proto, ports: h.ret, prefix: src})
		}
	}
}
