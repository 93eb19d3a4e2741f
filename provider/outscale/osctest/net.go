package osctest

import (
	"net/netip"
)

type netRes struct {
	NetId            string
	IpRange          string
	State            string
	Tenancy          string
	DhcpOptionsSetId string
	Tags             []tag

	prefix netip.Prefix
}

var rfc1918 = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
}

func init() {
	handlers["CreateNet"] = (*Server).createNet
	handlers["ReadNets"] = (*Server).readNets
	handlers["DeleteNet"] = (*Server).deleteNet
}

func (s *Server) renderNet(n *netRes) netRes {
	c := *n
	c.Tags = s.tagList(n.NetId)
	return c
}

func (s *Server) createNet(body []byte) (map[string]any, *apiError) {
	var in struct{ IpRange, Tenancy string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	p, err := netip.ParsePrefix(in.IpRange)
	if err != nil || p != p.Masked() || !p.Addr().Is4() {
		return nil, invalidValue(codeInvalidIPRange, "invalid IpRange %q: expected a network address in CIDR notation", in.IpRange)
	}
	if p.Bits() < 16 || p.Bits() > 28 {
		return nil, invalidValue(codeInvalidIPRange, "IpRange %s: the netmask must be between /16 and /28", in.IpRange)
	}
	inPrivate := false
	for _, r := range rfc1918 {
		if r.Contains(p.Addr()) && r.Bits() <= p.Bits() {
			inPrivate = true
		}
	}
	if !inPrivate {
		return nil, invalidValue(codeInvalidIPRange, "IpRange %s must be within 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16", in.IpRange)
	}
	if lim := s.quota("vpc_limit"); len(s.nets) >= lim {
		return nil, quotaExceeded("vpc_limit", lim)
	}
	if in.Tenancy == "" {
		in.Tenancy = "default"
	}
	n := &netRes{NetId: s.newID("vpc"), IpRange: p.String(), State: "available", Tenancy: in.Tenancy, DhcpOptionsSetId: "default", prefix: p}
	s.nets[n.NetId] = n
	// The main route table, with its local route and main link.
	rt := s.newRouteTable(n)
	rt.main = true
	rt.links = append(rt.links, &rtLink{id: s.newID("rtbassoc"), main: true})
	// The default security group.
	sg := &sgRes{id: s.newID("sg"), name: "default", description: "default security group", netID: n.NetId, isDefault: true}
	sg.rules = []sgRule{
		{flow: "Inbound", proto: "-1", from: -1, to: -1, member: sg.id},
		{flow: "Outbound", proto: "-1", from: -1, to: -1, ipRange: "0.0.0.0/0"},
	}
	s.sgs[sg.id] = sg
	return map[string]any{"Net": s.renderNet(n)}, nil
}

func (s *Server) readNets(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []netRes
	for _, id := range sortedKeys(s.nets) {
		n := s.nets[id]
		if any1(f.NetIds, id) && any1(f.States, n.State) && any1(f.IpRanges, n.IpRange) && s.tagsMatch(id, f) {
			out = append(out, s.renderNet(n))
		}
	}
	return pageOut("Nets", out, &in)
}

func (s *Server) deleteNet(body []byte) (map[string]any, *apiError) {
	var in struct{ NetId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	n := s.nets[in.NetId]
	if n == nil {
		return nil, notFound(codeNotFoundNet, "Net", in.NetId)
	}
	for _, sn := range s.subnets {
		if sn.NetId == n.NetId {
			return nil, conflict(codeDependency, "The Net '%s' has dependencies and cannot be deleted: subnet %s", n.NetId, sn.SubnetId)
		}
	}
	for _, sg := range s.sgs {
		if sg.netID == n.NetId && !sg.isDefault {
			return nil, conflict(codeDependency, "The Net '%s' has dependencies and cannot be deleted: security group %s", n.NetId, sg.id)
		}
	}
	for _, g := range s.igws {
		if g.NetId == n.NetId {
			return nil, conflict(codeDependency, "The Net '%s' has dependencies and cannot be deleted: internet service %s", n.NetId, g.InternetServiceId)
		}
	}
	for _, rt := range s.rtbs {
		if rt.netID == n.NetId && !rt.main {
			return nil, conflict(codeDependency, "The Net '%s' has dependencies and cannot be deleted: route table %s", n.NetId, rt.id)
		}
	}
	for _, lb := range s.lbs {
		if lb.netID == n.NetId {
			return nil, conflict(codeDependency, "The Net '%s' has dependencies and cannot be deleted: load balancer %s", n.NetId, lb.name)
		}
	}
	if a := s.netAccessPointOf(n.NetId); a != nil {
		return nil, conflict(codeDependency, "The Net '%s' has dependencies and cannot be deleted: Net access point %s", n.NetId, a.id)
	}
	if p := s.netPeeringOf(n.NetId); p != nil {
		return nil, conflict(codeDependency, "The Net '%s' has dependencies and cannot be deleted: Net peering %s", n.NetId, p.id)
	}
	for id, rt := range s.rtbs {
		if rt.netID == n.NetId {
			delete(s.rtbs, id)
			delete(s.tags, id)
		}
	}
	for id, sg := range s.sgs {
		if sg.netID == n.NetId {
			delete(s.sgs, id)
			delete(s.tags, id)
		}
	}
	delete(s.nets, n.NetId)
	delete(s.tags, n.NetId)
	return nil, nil
}
