package osctest

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// The VPN resources: virtual gateways (linked to one Net each), client
// gateways (the peer's device) and VPN connections between them, with
// their static routes. They are available at once (OUTSCALE reports
// pending states for a while); a connection's tunnels are never up, but
// each has its outside address (VgwTelemetries[].OutsideIpAddress, two
// tunnels, State DOWN), and its pre-shared key is the one
// UpdateVpnConnection sets (VpnOptions.Phase2Options.PreSharedKey;
// CreateVpnConnection takes no VpnOptions), read back by
// ReadVpnConnections.

type vgwRes struct {
	id, netID string
}

type cgwRes struct {
	id, publicIP string
	asn          int64
}

type vpnRes struct {
	id, vgwID, cgwID string
	staticOnly       bool
	routes           []string
	outside          [2]string // the tunnels' outside addresses
	psk              string
}

// reservedASNs are the ASNs CreateClientGateway refuses (OUTSCALE API
// reference, CreateClientGateway BgpAsn).
var reservedASNs = []int64{50624, 53306, 132418}

func init() {
	handlers["CreateVirtualGateway"] = (*Server).createVirtualGateway
	handlers["ReadVirtualGateways"] = (*Server).readVirtualGateways
	handlers["LinkVirtualGateway"] = (*Server).linkVirtualGateway
	handlers["UnlinkVirtualGateway"] = (*Server).unlinkVirtualGateway
	handlers["DeleteVirtualGateway"] = (*Server).deleteVirtualGateway
	handlers["CreateClientGateway"] = (*Server).createClientGateway
	handlers["ReadClientGateways"] = (*Server).readClientGateways
	handlers["DeleteClientGateway"] = (*Server).deleteClientGateway
	handlers["CreateVpnConnection"] = (*Server).createVpnConnection
	handlers["ReadVpnConnections"] = (*Server).readVpnConnections
	handlers["DeleteVpnConnection"] = (*Server).deleteVpnConnection
	handlers["UpdateVpnConnection"] = (*Server).updateVpnConnection
	handlers["CreateVpnConnectionRoute"] = (*Server).createVpnConnectionRoute
	handlers["DeleteVpnConnectionRoute"] = (*Server).deleteVpnConnectionRoute
}

func ipsec(t string) *apiError {
	if t != "ipsec.1" {
		return invalidValue(codeInvalidParameterValue, "invalid ConnectionType %q: only ipsec.1", t)
	}
	return nil
}

func (s *Server) renderVgw(g *vgwRes) map[string]any {
	links := []map[string]any{}
	if g.netID != "" {
		links = append(links, map[string]any{"NetId": g.netID, "State": "attached"})
	}
	return map[string]any{"VirtualGatewayId": g.id, "ConnectionType": "ipsec.1", "State": "available",
		"NetToVirtualGatewayLinks": links, "Tags": s.tagList(g.id)}
}

func (s *Server) createVirtualGateway(body []byte) (map[string]any, *apiError) {
	var in struct{ ConnectionType string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if e := ipsec(in.ConnectionType); e != nil {
		return nil, e
	}
	g := &vgwRes{id: s.newID("vgw")}
	s.vgws[g.id] = g
	return map[string]any{"VirtualGateway": s.renderVgw(g)}, nil
}

func (s *Server) readVirtualGateways(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []map[string]any
	for _, id := range sortedKeys(s.vgws) {
		g := s.vgws[id]
		if any1(f.VirtualGatewayIds, id) && (len(f.LinkNetIds) == 0 || g.netID != "" && any1(f.LinkNetIds, g.netID)) && s.tagsMatch(id, f) {
			out = append(out, s.renderVgw(g))
		}
	}
	return pageOut("VirtualGateways", out, &in)
}

// vgwLink decodes a Link or UnlinkVirtualGateway request.
func (s *Server) vgwLink(body []byte) (*vgwRes, string, *apiError) {
	var in struct{ VirtualGatewayId, NetId string }
	if e := decode(body, &in); e != nil {
		return nil, "", e
	}
	g := s.vgws[in.VirtualGatewayId]
	if g == nil {
		return nil, "", notFound(codeNotFoundVgw, "VirtualGateway", in.VirtualGatewayId)
	}
	if s.nets[in.NetId] == nil {
		return nil, "", notFound(codeNotFoundNet, "Net", in.NetId)
	}
	return g, in.NetId, nil
}

// linkVirtualGateway links a gateway to a Net: a gateway serves one Net,
// a Net has one gateway.
func (s *Server) linkVirtualGateway(body []byte) (map[string]any, *apiError) {
	g, net, e := s.vgwLink(body)
	if e != nil {
		return nil, e
	}
	if g.netID != "" {
		return nil, conflict(codeAlreadyLinked, "The virtual gateway '%s' is already linked to Net '%s'", g.id, g.netID)
	}
	for _, o := range s.vgws {
		if o.netID == net {
			return nil, conflict(codeAlreadyLinked, "The Net '%s' already has virtual gateway '%s'", net, o.id)
		}
	}
	g.netID = net
	return map[string]any{"NetToVirtualGatewayLink": map[string]any{"NetId": net, "State": "attached"}}, nil
}

func (s *Server) unlinkVirtualGateway(body []byte) (map[string]any, *apiError) {
	g, net, e := s.vgwLink(body)
	if e != nil {
		return nil, e
	}
	if g.netID != net {
		return nil, invalidValue(codeInvalidParameterValue, "The virtual gateway '%s' is not linked to Net '%s'", g.id, net)
	}
	g.netID = ""
	return nil, nil
}

// deleteVirtualGateway refuses a gateway still linked or still used by a
// VPN connection.
func (s *Server) deleteVirtualGateway(body []byte) (map[string]any, *apiError) {
	var in struct{ VirtualGatewayId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	g := s.vgws[in.VirtualGatewayId]
	if g == nil {
		return nil, notFound(codeNotFoundVgw, "VirtualGateway", in.VirtualGatewayId)
	}
	if g.netID != "" {
		return nil, conflict(codeDependency, "The virtual gateway '%s' is linked to Net '%s'; unlink it first", g.id, g.netID)
	}
	for _, id := range sortedKeys(s.vpns) {
		if s.vpns[id].vgwID == g.id {
			return nil, conflict(codeDependency, "The virtual gateway '%s' is used by VPN connection '%s'", g.id, id)
		}
	}
	delete(s.vgws, g.id)
	delete(s.tags, g.id)
	return nil, nil
}

func (s *Server) renderCgw(g *cgwRes) map[string]any {
	return map[string]any{"ClientGatewayId": g.id, "BgpAsn": g.asn, "ConnectionType": "ipsec.1", "PublicIp": g.publicIP,
		"State": "available", "Tags": s.tagList(g.id)}
}

// createClientGateway registers the peer's device: a public IPv4 address
// and a BGP ASN from 1 to 4294967295, OUTSCALE's own excepted. A second
// one with the same address and ASN is the first, as on AWS.
func (s *Server) createClientGateway(body []byte) (map[string]any, *apiError) {
	var in struct {
		BgpAsn                   int64
		ConnectionType, PublicIp string
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if e := ipsec(in.ConnectionType); e != nil {
		return nil, e
	}
	ip, err := netip.ParseAddr(in.PublicIp)
	if err != nil || !ip.Is4() || ip.IsPrivate() || ip.IsLoopback() || ip.IsUnspecified() {
		return nil, invalidValue(codeInvalidParameterValue, "invalid PublicIp %q: a public IPv4 address", in.PublicIp)
	}
	if in.BgpAsn < 1 || in.BgpAsn > 4294967295 || slices.Contains(reservedASNs, in.BgpAsn) {
		return nil, invalidValue(codeInvalidParameterValue, "invalid BgpAsn %d: 1 to 4294967295, except 50624, 53306 and 132418", in.BgpAsn)
	}
	for _, id := range sortedKeys(s.cgws) {
		if g := s.cgws[id]; g.publicIP == in.PublicIp && g.asn == in.BgpAsn {
			return map[string]any{"ClientGateway": s.renderCgw(g)}, nil
		}
	}
	g := &cgwRes{id: s.newID("cgw"), publicIP: in.PublicIp, asn: in.BgpAsn}
	s.cgws[g.id] = g
	return map[string]any{"ClientGateway": s.renderCgw(g)}, nil
}

func (s *Server) readClientGateways(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []map[string]any
	for _, id := range sortedKeys(s.cgws) {
		g := s.cgws[id]
		if any1(f.ClientGatewayIds, id) && any1(f.PublicIps, g.publicIP) && s.tagsMatch(id, f) {
			out = append(out, s.renderCgw(g))
		}
	}
	return pageOut("ClientGateways", out, &in)
}

func (s *Server) deleteClientGateway(body []byte) (map[string]any, *apiError) {
	var in struct{ ClientGatewayId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	g := s.cgws[in.ClientGatewayId]
	if g == nil {
		return nil, notFound(codeNotFoundCgw, "ClientGateway", in.ClientGatewayId)
	}
	for _, id := range sortedKeys(s.vpns) {
		if s.vpns[id].cgwID == g.id {
			return nil, conflict(codeDependency, "The client gateway '%s' is used by VPN connection '%s'", g.id, id)
		}
	}
	delete(s.cgws, g.id)
	delete(s.tags, g.id)
	return nil, nil
}

func (s *Server) renderVpn(v *vpnRes) map[string]any {
	routes := []map[string]any{}
	for _, r := range v.routes {
		routes = append(routes, map[string]any{"DestinationIpRange": r, "RouteType": "static", "State": "available"})
	}
	tunnels := []map[string]any{}
	for _, ip := range v.outside {
		tunnels = append(tunnels, map[string]any{"OutsideIpAddress": ip, "State": "DOWN", "StateDescription": "IPSEC IS DOWN",
			"AcceptedRouteCount": 0, "LastStateChangeDate": fixedDate})
	}
	out := map[string]any{"VpnConnectionId": v.id, "VirtualGatewayId": v.vgwID, "ClientGatewayId": v.cgwID,
		"ConnectionType": "ipsec.1", "StaticRoutesOnly": v.staticOnly, "State": "available", "Routes": routes,
		"VgwTelemetries": tunnels, "Tags": s.tagList(v.id)}
	if v.psk != "" {
		out["VpnOptions"] = map[string]any{"Phase2Options": map[string]any{"PreSharedKey": v.psk}}
	}
	return out
}

// updateVpnConnection sets what UpdateVpnConnection takes that the server
// models: the pre-shared key (any character but line breaks and double
// quotes, OUTSCALE API reference, Phase2Options). Changing the gateways is
// refused: osctest does not model it.
func (s *Server) updateVpnConnection(body []byte) (map[string]any, *apiError) {
	var in struct {
		VpnConnectionId, ClientGatewayId, VirtualGatewayId string
		VpnOptions                                         struct {
			Phase2Options struct{ PreSharedKey *string }
		}
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	v := s.vpns[in.VpnConnectionId]
	if v == nil {
		return nil, notFound(codeNotFoundVpn, "VpnConnection", in.VpnConnectionId)
	}
	if (in.ClientGatewayId != "" && in.ClientGatewayId != v.cgwID) || (in.VirtualGatewayId != "" && in.VirtualGatewayId != v.vgwID) {
		return nil, invalidValue(codeInvalidParameterValue, "changing the gateways of a VPN connection is not simulated by osctest")
	}
	if k := in.VpnOptions.Phase2Options.PreSharedKey; k != nil {
		if *k == "" || strings.ContainsAny(*k, "\r\n\"") {
			return nil, invalidValue(codeInvalidParameterValue, "invalid PreSharedKey: not empty, no line break, no double quote")
		}
		v.psk = *k
	}
	return map[string]any{"VpnConnection": s.renderVpn(v)}, nil
}

// createVpnConnection joins a virtual gateway and a client gateway; one
// connection per pair.
func (s *Server) createVpnConnection(body []byte) (map[string]any, *apiError) {
	var in struct {
		ClientGatewayId, ConnectionType, VirtualGatewayId string
		StaticRoutesOnly                                  bool
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if e := ipsec(in.ConnectionType); e != nil {
		return nil, e
	}
	if s.vgws[in.VirtualGatewayId] == nil {
		return nil, notFound(codeNotFoundVgw, "VirtualGateway", in.VirtualGatewayId)
	}
	if s.cgws[in.ClientGatewayId] == nil {
		return nil, notFound(codeNotFoundCgw, "ClientGateway", in.ClientGatewayId)
	}
	for _, id := range sortedKeys(s.vpns) {
		if v := s.vpns[id]; v.vgwID == in.VirtualGatewayId && v.cgwID == in.ClientGatewayId {
			return nil, conflict(codeAlreadyLinked, "VPN connection '%s' already joins '%s' and '%s'", id, v.vgwID, v.cgwID)
		}
	}
	v := &vpnRes{id: s.newID("vpn"), vgwID: in.VirtualGatewayId, cgwID: in.ClientGatewayId, staticOnly: in.StaticRoutesOnly}
	s.tunnelSeq++
	n := 2 * s.tunnelSeq
	v.outside = [2]string{fmt.Sprintf("203.0.113.%d", n%250+1), fmt.Sprintf("203.0.113.%d", (n+1)%250+1)}
	s.vpns[v.id] = v
	return map[string]any{"VpnConnection": s.renderVpn(v)}, nil
}

func (s *Server) readVpnConnections(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []map[string]any
	for _, id := range sortedKeys(s.vpns) {
		v := s.vpns[id]
		if any1(f.VpnConnectionIds, id) && any1(f.VirtualGatewayIds, v.vgwID) && any1(f.ClientGatewayIds, v.cgwID) && s.tagsMatch(id, f) {
			out = append(out, s.renderVpn(v))
		}
	}
	return pageOut("VpnConnections", out, &in)
}

func (s *Server) deleteVpnConnection(body []byte) (map[string]any, *apiError) {
	var in struct{ VpnConnectionId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if s.vpns[in.VpnConnectionId] == nil {
		return nil, notFound(codeNotFoundVpn, "VpnConnection", in.VpnConnectionId)
	}
	delete(s.vpns, in.VpnConnectionId)
	delete(s.tags, in.VpnConnectionId)
	return nil, nil
}

// vpnRoute decodes a Create or DeleteVpnConnectionRoute request.
func (s *Server) vpnRoute(body []byte) (*vpnRes, string, *apiError) {
	var in struct{ DestinationIpRange, VpnConnectionId string }
	if e := decode(body, &in); e != nil {
		return nil, "", e
	}
	v := s.vpns[in.VpnConnectionId]
	if v == nil {
		return nil, "", notFound(codeNotFoundVpn, "VpnConnection", in.VpnConnectionId)
	}
	p, err := netip.ParsePrefix(in.DestinationIpRange)
	if err != nil || p != p.Masked() || !p.Addr().Is4() {
		return nil, "", invalidValue(codeInvalidIPRange, "invalid DestinationIpRange %q", in.DestinationIpRange)
	}
	return v, p.String(), nil
}

// createVpnConnectionRoute adds a static route: only to a connection with
// StaticRoutesOnly, once per destination.
func (s *Server) createVpnConnectionRoute(body []byte) (map[string]any, *apiError) {
	v, dest, e := s.vpnRoute(body)
	if e != nil {
		return nil, e
	}
	if !v.staticOnly {
		return nil, invalidValue(codeInvalidParameterValue, "The VPN connection '%s' routes with BGP (StaticRoutesOnly false)", v.id)
	}
	if slices.Contains(v.routes, dest) {
		return nil, conflict(codeRouteExists, "The VPN connection '%s' already has a route to %s", v.id, dest)
	}
	v.routes = append(v.routes, dest)
	slices.Sort(v.routes)
	return nil, nil
}

func (s *Server) deleteVpnConnectionRoute(body []byte) (map[string]any, *apiError) {
	v, dest, e := s.vpnRoute(body)
	if e != nil {
		return nil, e
	}
	i := slices.Index(v.routes, dest)
	if i < 0 {
		return nil, notFound(codeNotFoundVpn, "VpnConnectionRoute", dest)
	}
	v.routes = slices.Delete(v.routes, i, i+1)
	return nil, nil
}
