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
// and 0.0.0.0/0 -> nat(dc2).
func (r *Rules) deriveRoutes() ([]RouteTable, []string) {
	shared := r.sharedNATZone()
	var tables []RouteTable
	var natZones []string
	for _, g := range r.topo.Groups {
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
