package osctest

import (
	"net/netip"
	"slices"
	"strings"
)

type rtLink struct {
	id       string
	subnetID string
	main     bool
}

type route struct {
	dest   string
	gw     string // "local", an internet service or a virtual gateway id
	natID  string
	vmID   string
	pcxID  string
	method string
}

type routeTableRes struct {
	id     string
	netID  string
	main   bool
	routes []route
	links  []*rtLink
}

type linkOut struct {
	LinkRouteTableId string
	Main             bool
	NetId            string
	RouteTableId     string
	SubnetId         string `json:",omitempty"`
}

type routeOut struct {
	DestinationIpRange   string `json:",omitempty"`
	DestinationServiceId string `json:",omitempty"`
	NetAccessPointId     string `json:",omitempty"`
	GatewayId            string `json:",omitempty"`
	NatServiceId         string `json:",omitempty"`
	VmId                 string `json:",omitempty"`
	NetPeeringId         string `json:",omitempty"`
	CreationMethod       string
	State                string
}

type routeTableOut struct {
	RouteTableId                    string
	NetId                           string
	LinkRouteTables                 []linkOut
	Routes                          []routeOut
	RoutePropagatingVirtualGateways []struct{}
	Tags                            []tag
}

func init() {
	handlers["CreateRouteTable"] = (*Server).createRouteTable
	handlers["ReadRouteTables"] = (*Server).readRouteTables
	handlers["LinkRouteTable"] = (*Server).linkRouteTable
	handlers["UnlinkRouteTable"] = (*Server).unlinkRouteTable
	handlers["UpdateRouteTableLink"] = (*Server).updateRouteTableLink
	handlers["DeleteRouteTable"] = (*Server).deleteRouteTable
	handlers["CreateRoute"] = (*Server).createRoute
	handlers["UpdateRoute"] = (*Server).updateRoute
	handlers["DeleteRoute"] = (*Server).deleteRoute
}

func (s *Server) newRouteTable(n *netRes) *routeTableRes {
	rt := &routeTableRes{id: s.newID("rtb"), netID: n.NetId, routes: []route{{dest: n.IpRange, gw: "local", method: "CreateRouteTable"}}}
	s.rtbs[rt.id] = rt
	return rt
}

func (s *Server) renderRouteTable(rt *routeTableRes) routeTableOut {
	o := routeTableOut{RouteTableId: rt.id, NetId: rt.netID, LinkRouteTables: []linkOut{}, Routes: []routeOut{},
		RoutePropagatingVirtualGateways: []struct{}{}, Tags: s.tagList(rt.id)}
	for _, l := range rt.links {
		o.LinkRouteTables = append(o.LinkRouteTables, linkOut{LinkRouteTableId: l.id, Main: l.main, NetId: rt.netID, RouteTableId: rt.id, SubnetId: l.subnetID})
	}
	for _, r := range rt.routes {
		state := "active"
		if r.natID != "" {
			if n := s.nats[r.natID]; n == nil || n.state == "deleted" {
				state = "blackhole"
			}
		}
		if r.gw != "" && r.gw != "local" {
			if g := s.igws[r.gw]; g == nil || g.NetId != rt.netID {
				state = "blackhole"
			}
		}
		if r.vmID != "" {
			if vm := s.vms[r.vmID]; vm == nil || vm.state == "terminated" {
				state = "blackhole"
			}
		}
		if r.pcxID != "" {
			if p := s.peerings[r.pcxID]; p == nil || p.state != peeringActive {
				state = "blackhole"
			}
		}
		o.Routes = append(o.Routes, routeOut{DestinationIpRange: r.dest, GatewayId: r.gw, NatServiceId: r.natID, VmId: r.vmID,
			NetPeeringId: r.pcxID, CreationMethod: r.method, State: state})
	}
	o.Routes = append(o.Routes, s.accessRoutes(rt)...)
	return o
}

func (s *Server) createRouteTable(body []byte) (map[string]any, *apiError) {
	var in struct{ NetId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	n := s.nets[in.NetId]
	if n == nil {
		return nil, notFound(codeNotFoundNet, "Net", in.NetId)
	}
	count := 0
	for _, rt := range s.rtbs {
		if rt.netID == n.NetId {
			count++
		}
	}
	if lim := s.quota("rtb_limit"); count >= lim {
		return nil, quotaExceeded("rtb_limit", lim)
	}
	rt := s.newRouteTable(n)
	return map[string]any{"RouteTable": s.renderRouteTable(rt)}, nil
}

func (s *Server) readRouteTables(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []routeTableOut
	for _, id := range sortedKeys(s.rtbs) {
		rt := s.rtbs[id]
		var subnets, linkIDs []string
		for _, l := range rt.links {
			subnets = append(subnets, l.subnetID)
			linkIDs = append(linkIDs, l.id)
		}
		if any1(f.RouteTableIds, id) && any1(f.NetIds, rt.netID) && anyOf(f.LinkSubnetIds, subnets) && anyOf(f.LinkRouteTableIds, linkIDs) &&
			(f.LinkRouteTableMain == nil || *f.LinkRouteTableMain == rt.main) && s.tagsMatch(id, f) {
			out = append(out, s.renderRouteTable(rt))
		}
	}
	return pageOut("RouteTables", out, &in)
}

func (s *Server) linkRouteTable(body []byte) (map[string]any, *apiError) {
	var in struct{ RouteTableId, SubnetId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	rt := s.rtbs[in.RouteTableId]
	if rt == nil {
		return nil, notFound(codeNotFoundRouteTable, "RouteTable", in.RouteTableId)
	}
	sn := s.subnets[in.SubnetId]
	if sn == nil {
		return nil, notFound(codeNotFoundSubnet, "Subnet", in.SubnetId)
	}
	if sn.NetId != rt.netID {
		return nil, invalidValue(codeInvalidParameterValue, "The subnet '%s' and the route table '%s' are not in the same Net", sn.SubnetId, rt.id)
	}
	for _, o := range s.rtbs {
		for _, l := range o.links {
			if l.subnetID == sn.SubnetId {
				return nil, conflict(codeAlreadyLinked, "The subnet '%s' is already linked to route table '%s' (%s)", sn.SubnetId, o.id, l.id)
			}
		}
	}
	l := &rtLink{id: s.newID("rtbassoc"), subnetID: sn.SubnetId}
	rt.links = append(rt.links, l)
	return map[string]any{"LinkRouteTableId": l.id}, nil
}

func (s *Server) unlinkRouteTable(body []byte) (map[string]any, *apiError) {
	var in struct{ LinkRouteTableId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	for _, rt := range s.rtbs {
		for i, l := range rt.links {
			if l.id != in.LinkRouteTableId {
				continue
			}
			if l.main {
				return nil, conflict(codeMainRouteTable, "The main link '%s' of route table '%s' cannot be removed", l.id, rt.id)
			}
			rt.links = slices.Delete(rt.links, i, i+1)
			return nil, nil
		}
	}
	return nil, notFound(codeNotFoundRouteTable, "LinkRouteTable", in.LinkRouteTableId)
}

// updateRouteTableLink moves link LinkRouteTableId to route table
// RouteTableId of the same Net, under a new link id, as OUTSCALE does. The
// main link may move too: the new table becomes the Net's main one.
func (s *Server) updateRouteTableLink(body []byte) (map[string]any, *apiError) {
	var in struct{ LinkRouteTableId, RouteTableId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	to := s.rtbs[in.RouteTableId]
	if to == nil {
		return nil, notFound(codeNotFoundRouteTable, "RouteTable", in.RouteTableId)
	}
	for _, from := range s.rtbs {
		i := slices.IndexFunc(from.links, func(l *rtLink) bool { return l.id == in.LinkRouteTableId })
		if i < 0 {
			continue
		}
		if from.netID != to.netID {
			return nil, invalidValue(codeInvalidParameterValue, "The route table '%s' is not in the Net '%s' of link '%s'", to.id, from.netID, in.LinkRouteTableId)
		}
		l := from.links[i]
		from.links = slices.Delete(from.links, i, i+1)
		moved := &rtLink{id: s.newID("rtbassoc"), subnetID: l.subnetID, main: l.main}
		to.links = append(to.links, moved)
		if l.main {
			from.main, to.main = false, true
		}
		return map[string]any{"LinkRouteTableId": moved.id}, nil
	}
	return nil, notFound(codeNotFoundRouteTable, "LinkRouteTable", in.LinkRouteTableId)
}

func (s *Server) deleteRouteTable(body []byte) (map[string]any, *apiError) {
	var in struct{ RouteTableId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	rt := s.rtbs[in.RouteTableId]
	if rt == nil {
		return nil, notFound(codeNotFoundRouteTable, "RouteTable", in.RouteTableId)
	}
	if rt.main {
		return nil, conflict(codeMainRouteTable, "The route table '%s' is the main route table of Net '%s' and cannot be deleted", rt.id, rt.netID)
	}
	if len(rt.links) > 0 {
		return nil, conflict(codeDependency, "The route table '%s' has links (%s); unlink them first", rt.id, rt.links[0].id)
	}
	delete(s.rtbs, rt.id)
	delete(s.tags, rt.id)
	s.dropAccessTable(rt.id)
	return nil, nil
}

type routeRequest struct {
	RouteTableId, DestinationIpRange                   string
	GatewayId, NatServiceId, VmId, NicId, NetPeeringId string
}

// routeTarget checks the request's single target and returns the route.
func (s *Server) routeTarget(rt *routeTableRes, in *routeRequest, method string) (route, *apiError) {
	p, err := netip.ParsePrefix(in.DestinationIpRange)
	if err != nil || p != p.Masked() {
		return route{}, invalidValue(codeInvalidIPRange, "invalid DestinationIpRange %q", in.DestinationIpRange)
	}
	targets := 0
	for _, t := range []string{in.GatewayId, in.NatServiceId, in.VmId, in.NicId, in.NetPeeringId} {
		if t != "" {
			targets++
		}
	}
	if targets != 1 {
		return route{}, &apiError{Status: 400, Type: "InvalidParameter", Code: codeInvalidParameterCombo,
			Details: "exactly one of GatewayId, NatServiceId, VmId, NicId or NetPeeringId is required"}
	}
	r := route{dest: p.String(), method: method}
	switch {
	case strings.HasPrefix(in.GatewayId, "vgw-"):
		g := s.vgws[in.GatewayId]
		if g == nil {
			return route{}, notFound(codeNotFoundVgw, "VirtualGateway", in.GatewayId)
		}
		if g.netID != rt.netID {
			return route{}, invalidValue(codeInvalidParameterValue, "The virtual gateway '%s' is not linked to Net '%s'", g.id, rt.netID)
		}
		r.gw = g.id
	case in.GatewayId != "":
		g := s.igws[in.GatewayId]
		if g == nil {
			return route{}, notFound(codeNotFoundIgw, "InternetService", in.GatewayId)
		}
		if g.NetId != rt.netID {
			return route{}, invalidValue(codeInvalidParameterValue, "The internet service '%s' is not linked to Net '%s'", g.InternetServiceId, rt.netID)
		}
		r.gw = g.InternetServiceId
	case in.NatServiceId != "":
		n := s.nats[in.NatServiceId]
		if n == nil || n.state == "deleted" || n.state == "deleting" {
			return route{}, notFound(codeNotFoundNat, "NatService", in.NatServiceId)
		}
		if n.netID != rt.netID {
			return route{}, invalidValue(codeInvalidParameterValue, "The NAT service '%s' is not in Net '%s'", n.id, rt.netID)
		}
		r.natID = n.id
	case in.VmId != "":
		vm := s.vms[in.VmId]
		if vm == nil || vm.state == "terminated" {
			return route{}, notFound(codeNotFoundVM, "Vm", in.VmId)
		}
		if vm.netID != rt.netID {
			return route{}, invalidValue(codeInvalidParameterValue, "The VM '%s' is not in Net '%s'", vm.id, rt.netID)
		}
		// The API accepts a route to a VM whose source/destination check
		// is on, and the VM then drops what it should forward (OUTSCALE
		// user guide, NAT VMs: the check must be off); osctest refuses
		// it, stricter than the API, so that a driver that routes before
		// it turns the check off is caught.
		if !vm.forwards {
			return route{}, invalidValue(codeInvalidParameterValue, "The VM '%s' has its source/destination check on: it would drop the routed traffic; UpdateVm IsSourceDestChecked=false first", vm.id)
		}
		r.vmID = vm.id
	case in.NetPeeringId != "":
		if e := s.peeringTarget(in.NetPeeringId, rt.netID); e != nil {
			return route{}, e
		}
		r.pcxID = in.NetPeeringId
	default:
		return route{}, invalidValue(codeInvalidParameterValue, "NicId targets are not simulated by osctest")
	}
	return r, nil
}

func (s *Server) createRoute(body []byte) (map[string]any, *apiError) {
	var in routeRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	rt := s.rtbs[in.RouteTableId]
	if rt == nil {
		return nil, notFound(codeNotFoundRouteTable, "RouteTable", in.RouteTableId)
	}
	r, e := s.routeTarget(rt, &in, "CreateRoute")
	if e != nil {
		return nil, e
	}
	for _, o := range rt.routes {
		if o.dest == r.dest {
			return nil, conflict(codeRouteExists, "The route table '%s' already has a route to %s", rt.id, r.dest)
		}
	}
	if lim := s.quota("rtb_rule_limit"); len(rt.routes) >= lim {
		return nil, quotaExceeded("rtb_rule_limit", lim)
	}
	rt.routes = append(rt.routes, r)
	return map[string]any{"RouteTable": s.renderRouteTable(rt)}, nil
}

func (s *Server) findRoute(rt *routeTableRes, dest string) (int, *apiError) {
	p, err := netip.ParsePrefix(dest)
	if err == nil {
		dest = p.Masked().String()
	}
	for i, o := range rt.routes {
		if o.dest == dest {
			if o.gw == "local" {
				return 0, conflict(codeMainRouteTable, "The local route %s of route table '%s' cannot be changed", dest, rt.id)
			}
			return i, nil
		}
	}
	return 0, notFound(codeNotFoundRouteTable, "Route", rt.id+" "+dest)
}

// existingRoute decodes a request on one route and finds its table and
// the route's index in it: UpdateRoute and DeleteRoute.
func (s *Server) existingRoute(body []byte) (*routeTableRes, routeRequest, int, *apiError) {
	var in routeRequest
	if e := decode(body, &in); e != nil {
		return nil, in, 0, e
	}
	rt := s.rtbs[in.RouteTableId]
	if rt == nil {
		return nil, in, 0, notFound(codeNotFoundRouteTable, "RouteTable", in.RouteTableId)
	}
	i, e := s.findRoute(rt, in.DestinationIpRange)
	return rt, in, i, e
}

func (s *Server) updateRoute(body []byte) (map[string]any, *apiError) {
	rt, in, i, e := s.existingRoute(body)
	if e != nil {
		return nil, e
	}
	r, e := s.routeTarget(rt, &in, "CreateRoute")
	if e != nil {
		return nil, e
	}
	rt.routes[i] = r
	return map[string]any{"RouteTable": s.renderRouteTable(rt)}, nil
}

func (s *Server) deleteRoute(body []byte) (map[string]any, *apiError) {
	rt, _, i, e := s.existingRoute(body)
	if e != nil {
		return nil, e
	}
	rt.routes = slices.Delete(rt.routes, i, i+1)
	return map[string]any{"RouteTable": s.renderRouteTable(rt)}, nil
}
