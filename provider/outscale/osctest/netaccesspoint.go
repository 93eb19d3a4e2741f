package osctest

import "slices"

// Net access points (vpce-) reach an OUTSCALE service from a Net without
// the internet. As the API reference describes them (CreateNetAccessPoint,
// ReadNetAccessPointServices, UpdateNetAccessPoint): the service is named
// "com.outscale.<region>.<service>" among those ReadNetAccessPointServices
// lists (the example of the description lists api and oos, OUTSCALE's
// object storage; osctest serves those two); each route table given gets a
// route from the service's prefix list (DestinationServiceId) to the
// access point, read back by ReadRouteTables and gone with the access
// point; UpdateNetAccessPoint adds and removes route tables in place. An
// access point comes back pending and is available after
// [Options.PendingReads] reads; a deleted one is deleting (its routes
// gone) for as many reads, then stays listed as deleted.
// Chosen where the reference is silent: an unknown service is refused
// (4047); a route table of another Net is refused (4047); a route table
// that already routes the service's prefix list (to another access point)
// is refused (9034); a Net is not deleted while it has an access point,
// deleting ones included (9045); a security-group rule names a service
// (ServiceIds) of the region, in an Outbound rule only.

type netAccessPointRes struct {
	id, netID, service string
	routeTables        []string
	state              string
	left               int
}

// accessService is a service ReadNetAccessPointServices lists.
type accessService struct {
	ServiceName string
	ServiceId   string
	IpRanges    []string
}

// accessServices returns the services of the server's region: the API
// and OOS, with fixed prefix-list ids and documentation ranges.
func (s *Server) accessServices() []accessService {
	r := s.opts.Region
	return []accessService{
		{ServiceName: "com.outscale." + r + ".api", ServiceId: "pl-0000a001", IpRanges: []string{"192.0.2.0/24"}},
		{ServiceName: "com.outscale." + r + ".oos", ServiceId: "pl-0000a002", IpRanges: []string{"198.51.100.0/24", "203.0.113.0/24"}},
	}
}

// serviceID returns the prefix-list id of the service name, or "".
func (s *Server) serviceID(name string) string {
	for _, sv := range s.accessServices() {
		if sv.ServiceName == name {
			return sv.ServiceId
		}
	}
	return ""
}

func init() {
	handlers["CreateNetAccessPoint"] = (*Server).createNetAccessPoint
	handlers["ReadNetAccessPoints"] = (*Server).readNetAccessPoints
	handlers["UpdateNetAccessPoint"] = (*Server).updateNetAccessPoint
	handlers["DeleteNetAccessPoint"] = (*Server).deleteNetAccessPoint
	handlers["ReadNetAccessPointServices"] = (*Server).readNetAccessPointServices
}

func (a *netAccessPointRes) live() bool { return a.state != "deleted" && a.state != "deleting" }

func (s *Server) renderNetAccessPoint(a *netAccessPointRes) map[string]any {
	rts := slices.Clone(a.routeTables)
	if rts == nil || !a.live() {
		rts = []string{}
	}
	return map[string]any{"NetAccessPointId": a.id, "NetId": a.netID, "ServiceName": a.service, "RouteTableIds": rts,
		"State": a.state, "Tags": s.tagList(a.id)}
}

// accessRoutes returns the routes the live access points put in the
// route table rt.
func (s *Server) accessRoutes(rt *routeTableRes) []routeOut {
	var out []routeOut
	for _, id := range sortedKeys(s.accessPoints) {
		a := s.accessPoints[id]
		if a.live() && slices.Contains(a.routeTables, rt.id) {
			out = append(out, routeOut{DestinationServiceId: s.serviceID(a.service), NetAccessPointId: a.id, CreationMethod: "CreateRoute", State: "active"})
		}
	}
	return out
}

// checkAccessTables checks route tables for access point a: each exists,
// is in a's Net, and routes a's service to no other access point.
func (s *Server) checkAccessTables(a *netAccessPointRes, ids []string) *apiError {
	for _, id := range ids {
		rt := s.rtbs[id]
		if rt == nil {
			return notFound(codeNotFoundRouteTable, "RouteTable", id)
		}
		if rt.netID != a.netID {
			return invalidValue(codeInvalidParameterValue, "The route table '%s' is not in the Net '%s' of the Net access point", id, a.netID)
		}
		for _, o := range s.accessPoints {
			if o != a && o.live() && o.service == a.service && slices.Contains(o.routeTables, id) {
				return conflict(codeRouteExists, "The route table '%s' already routes %s to Net access point '%s'", id, a.service, o.id)
			}
		}
	}
	return nil
}

func (s *Server) createNetAccessPoint(body []byte) (map[string]any, *apiError) {
	var in struct {
		NetId, ServiceName string
		RouteTableIds      []string
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if s.nets[in.NetId] == nil {
		return nil, notFound(codeNotFoundNet, "Net", in.NetId)
	}
	if s.serviceID(in.ServiceName) == "" {
		return nil, invalidValue(codeInvalidParameterValue, "The service '%s' has no Net access point in region %s (see ReadNetAccessPointServices)", in.ServiceName, s.opts.Region)
	}
	a := &netAccessPointRes{netID: in.NetId, service: in.ServiceName, state: "pending", left: s.opts.PendingReads}
	if e := s.checkAccessTables(a, in.RouteTableIds); e != nil {
		return nil, e
	}
	if a.left == 0 {
		a.state = "available"
	}
	a.id = s.newID("vpce")
	a.routeTables = uniq(in.RouteTableIds)
	s.accessPoints[a.id] = a
	return map[string]any{"NetAccessPoint": s.renderNetAccessPoint(a)}, nil
}

func uniq(ids []string) []string {
	var out []string
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func (s *Server) readNetAccessPoints(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []map[string]any
	for _, id := range sortedKeys(s.accessPoints) {
		a := s.accessPoints[id]
		if any1(f.NetAccessPointIds, id) && any1(f.NetIds, a.netID) && any1(f.ServiceNames, a.service) && any1(f.States, a.state) && s.tagsMatch(id, f) {
			out = append(out, s.renderNetAccessPoint(a))
			switch {
			case a.state == "pending" && tick(&a.left):
				a.state = "available"
			case a.state == "deleting" && tick(&a.left):
				a.state = "deleted"
			}
		}
	}
	return pageOut("NetAccessPoints", out, &in)
}

// namedAccessPoint returns the live access point id.
func (s *Server) namedAccessPoint(id string) (*netAccessPointRes, *apiError) {
	a := s.accessPoints[id]
	if a == nil || !a.live() {
		return nil, notFound(codeNotFoundNetAccessPoint, "NetAccessPoint", id)
	}
	return a, nil
}

func (s *Server) updateNetAccessPoint(body []byte) (map[string]any, *apiError) {
	var in struct {
		NetAccessPointId                      string
		AddRouteTableIds, RemoveRouteTableIds []string
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	a, e := s.namedAccessPoint(in.NetAccessPointId)
	if e != nil {
		return nil, e
	}
	if e := s.checkAccessTables(a, in.AddRouteTableIds); e != nil {
		return nil, e
	}
	for _, id := range in.RemoveRouteTableIds {
		if !slices.Contains(a.routeTables, id) {
			return nil, notFound(codeNotFoundRouteTable, "RouteTable", id)
		}
	}
	a.routeTables = slices.DeleteFunc(a.routeTables, func(id string) bool { return slices.Contains(in.RemoveRouteTableIds, id) })
	a.routeTables = uniq(append(a.routeTables, in.AddRouteTableIds...))
	return map[string]any{"NetAccessPoint": s.renderNetAccessPoint(a)}, nil
}

func (s *Server) deleteNetAccessPoint(body []byte) (map[string]any, *apiError) {
	var in struct{ NetAccessPointId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	a, e := s.namedAccessPoint(in.NetAccessPointId)
	if e != nil {
		return nil, e
	}
	a.state, a.routeTables, a.left = "deleting", nil, s.opts.PendingReads
	if a.left == 0 {
		a.state = "deleted"
	}
	return nil, nil
}

func (s *Server) readNetAccessPointServices(body []byte) (map[string]any, *apiError) {
	var in struct {
		Filters struct{ ServiceIds, ServiceNames []string }
		readRequest
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	var out []accessService
	for _, sv := range s.accessServices() {
		if any1(in.Filters.ServiceIds, sv.ServiceId) && any1(in.Filters.ServiceNames, sv.ServiceName) {
			out = append(out, sv)
		}
	}
	return pageOut("Services", out, &in.readRequest)
}

// netAccessPointOf returns an access point of net that is not deleted
// (deleting ones included), or nil.
func (s *Server) netAccessPointOf(net string) *netAccessPointRes {
	for _, id := range sortedKeys(s.accessPoints) {
		if a := s.accessPoints[id]; a.state != "deleted" && a.netID == net {
			return a
		}
	}
	return nil
}

// dropAccessTable removes a deleted route table from the access points.
func (s *Server) dropAccessTable(rt string) {
	for _, a := range s.accessPoints {
		a.routeTables = slices.DeleteFunc(a.routeTables, func(id string) bool { return id == rt })
	}
}
