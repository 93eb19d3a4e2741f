package netplan

import (
	"net/netip"
	"slices"
)

// deriveRoutes gives every subnet its own route table. Each table has the
// local route for the Net. Public subnets add a default route to the
// internet gateway; Private subnets a default route to the NAT of their
// own zone (NATPerZone), to the single NAT of the first zone (NATShared)
// or nothing (NATNone); Isolated subnets have no default route at all.
// For Net 10.0.0.0/16, a Private subnet in dc2 gets 10.0.0.0/16 -> local
// and 0.0.0.0/0 -> nat(dc2). The subnets of a tier that a flow joins to a
// VPN peer (Topology.VPNs), either way, also send each of the peer's
// blocks to the VPN gateway: with "peer:office -> app tcp/22" and office
// 192.168.0.0/16, app's tables get 192.168.0.0/16 -> vpn-gateway, which
// carries app's replies.
func (r *Rules) deriveRoutes() ([]RouteTable, []string) {
	shared := r.sharedNATZone()
	routed := r.routedPeersByGroup()
	gateways := r.gatewayRoutes()
	var tables []RouteTable
	var natZones []string
	for gi, g := range r.topo.Groups {
		for _, s := range g.Subnets {
			rt := RouteTable{Group: g.Name, Zone: s.Zone, Routes: []Route{{Destination: r.topo.Net, Target: RouteTarget{Kind: TargetLocal}}}}
			for _, def := range r.anyPs {
				switch g.Exposure {
				case Public:
					rt.Routes = append(rt.Routes, Route{Destination: def, Target: RouteTarget{Kind: TargetInternetGateway}})
				case Private:
					zone := s.Zone
					switch r.opts.NAT {
					case NATShared:
						zone = shared
					case NATNone:
						continue
					}
					if def.Addr().Is6() {
						continue // NAT gateways translate IPv4 only
					}
					rt.Routes = append(rt.Routes, Route{Destination: def, Target: RouteTarget{Kind: TargetNATGateway, Zone: zone}})
					natZones = append(natZones, zone)
				}
			}
			rt.Routes = append(rt.Routes, routed[gi]...)
			rt.GatewayEndpoints = slices.Clone(gateways[gi])
			tables = append(tables, rt)
		}
	}
	slices.Sort(natZones)
	natZones = slices.Compact(natZones)
	if natZones == nil {
		natZones = []string{}
	}
	return tables, natZones
}

// routedPeersByGroup returns, per index in Topology.Groups, the routes to
// the blocks of the routed peers (VPN or Net peering) that a flow joins
// to the tier (or to a balancer it holds), sorted by destination.
func (r *Rules) routedPeersByGroup() map[int][]Route {
	out := map[int][]Route{}
	for _, f := range r.topo.Flows {
		for _, pair := range [2][2]Endpoint{{f.From, f.To}, {f.To, f.From}} {
			peer, local := pair[0], pair[1]
			if peer.Kind != EndpointPeer || local.Kind != EndpointTier || !r.isRouted(peer.Name) {
				continue
			}
			if gi := r.home(local.Name); gi >= 0 {
				for _, p := range r.topo.Peers[peer.Name] {
					out[gi] = append(out[gi], Route{Destination: p, Target: r.peerTarget(peer.Name)})
				}
			}
		}
	}
	for gi, rs := range out {
		slices.SortFunc(rs, func(a, b Route) int { return comparePrefix(a.Destination, b.Destination) })
		out[gi] = slices.CompactFunc(rs, func(a, b Route) bool { return a.Destination == b.Destination })
	}
	return out
}

// sharedNATZone is Topology.Zones[0], or else the first zone (by name) of a
// public subnet, or else of any subnet.
func (r *Rules) sharedNATZone() string {
	if len(r.topo.Zones) > 0 {
		return r.topo.Zones[0]
	}
	var pub, any []string
	for _, g := range r.topo.Groups {
		for _, s := range g.Subnets {
			any = append(any, s.Zone)
			if g.Exposure == Public {
				pub = append(pub, s.Zone)
			}
		}
	}
	if len(pub) > 0 {
		return slices.Min(pub)
	}
	if len(any) > 0 {
		return slices.Min(any)
	}
	return ""
}

// inNet reports whether p lies inside the Net.
func (r *Rules) inNet(p netip.Prefix) bool { return coversPrefix(r.topo.Net, p) }
