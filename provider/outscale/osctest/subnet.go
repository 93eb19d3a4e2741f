package osctest

import (
	"net/netip"
	"slices"
)

type subnetRes struct {
	SubnetId            string
	NetId               string
	IpRange             string
	SubregionName       string
	State               string
	AvailableIpsCount   int
	MapPublicIpOnLaunch bool
	Tags                []tag

	prefix  netip.Prefix
	pending int
	nextIP  netip.Addr
}

func init() {
	handlers["CreateSubnet"] = (*Server).createSubnet
	handlers["ReadSubnets"] = (*Server).readSubnets
	handlers["UpdateSubnet"] = (*Server).updateSubnet
	handlers["DeleteSubnet"] = (*Server).deleteSubnet
}

func (s *Server) renderSubnet(sn *subnetRes) subnetRes {
	c := *sn
	c.Tags = s.tagList(sn.SubnetId)
	used := 0
	for _, vm := range s.vms {
		if vm.subnetID == sn.SubnetId && vm.state != "terminated" {
			used++
		}
	}
	for _, nat := range s.nats {
		if nat.subnetID == sn.SubnetId && nat.state != "deleted" {
			used++
		}
	}
	c.AvailableIpsCount = max(0, (1<<(32-sn.prefix.Bits()))-5-used)
	return c
}

func (s *Server) createSubnet(body []byte) (map[string]any, *apiError) {
	var in struct{ NetId, IpRange, SubregionName string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	n := s.nets[in.NetId]
	if n == nil {
		return nil, notFound(codeNotFoundNet, "Net", in.NetId)
	}
	p, err := netip.ParsePrefix(in.IpRange)
	if err != nil || p != p.Masked() || !p.Addr().Is4() {
		return nil, invalidValue(codeInvalidIPRange, "invalid IpRange %q: expected a network address in CIDR notation", in.IpRange)
	}
	if p.Bits() > 29 || !n.prefix.Contains(p.Addr()) || p.Bits() < n.prefix.Bits() {
		return nil, invalidValue(codeInvalidIPRange, "IpRange %s must be inside the Net's %s with a netmask of /29 at most", in.IpRange, n.IpRange)
	}
	if in.SubregionName == "" {
		in.SubregionName = s.opts.Subregions[0]
	}
	if !slices.Contains(s.opts.Subregions, in.SubregionName) {
		return nil, notFound(codeNotFoundSubregion, "Subregion", in.SubregionName)
	}
	count := 0
	for _, o := range s.subnets {
		if o.NetId != n.NetId {
			continue
		}
		count++
		if o.prefix.Overlaps(p) {
			return nil, conflict(codeIPRangeConflict, "The IP range %s conflicts with subnet %s (%s)", in.IpRange, o.SubnetId, o.IpRange)
		}
	}
	if lim := s.quota("subnet_limit"); count >= lim {
		return nil, quotaExceeded("subnet_limit", lim)
	}
	sn := &subnetRes{SubnetId: s.newID("subnet"), NetId: n.NetId, IpRange: p.String(), SubregionName: in.SubregionName,
		State: "pending", prefix: p, pending: s.opts.PendingReads, nextIP: p.Addr().Next().Next().Next().Next()}
	if sn.pending == 0 {
		sn.State = "available"
	}
	s.subnets[sn.SubnetId] = sn
	return map[string]any{"Subnet": s.renderSubnet(sn)}, nil
}

func (s *Server) readSubnets(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []subnetRes
	for _, id := range sortedKeys(s.subnets) {
		sn := s.subnets[id]
		if any1(f.SubnetIds, id) && any1(f.NetIds, sn.NetId) && any1(f.States, sn.State) && any1(f.IpRanges, sn.IpRange) &&
			any1(f.SubregionNames, sn.SubregionName) && s.tagsMatch(id, f) {
			out = append(out, s.renderSubnet(sn))
			if sn.State == "pending" && tick(&sn.pending) {
				sn.State = "available"
			}
		}
	}
	return pageOut("Subnets", out, &in)
}

func (s *Server) updateSubnet(body []byte) (map[string]any, *apiError) {
	var in struct {
		SubnetId            string
		MapPublicIpOnLaunch bool
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	sn := s.subnets[in.SubnetId]
	if sn == nil {
		return nil, notFound(codeNotFoundSubnet, "Subnet", in.SubnetId)
	}
	sn.MapPublicIpOnLaunch = in.MapPublicIpOnLaunch
	return map[string]any{"Subnet": s.renderSubnet(sn)}, nil
}

func (s *Server) deleteSubnet(body []byte) (map[string]any, *apiError) {
	var in struct{ SubnetId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	sn := s.subnets[in.SubnetId]
	if sn == nil {
		return nil, notFound(codeNotFoundSubnet, "Subnet", in.SubnetId)
	}
	for _, vm := range s.vms {
		if vm.subnetID == sn.SubnetId && vm.state != "terminated" {
			return nil, conflict(codeDependency, "The subnet '%s' has dependencies and cannot be deleted: VM %s (%s)", sn.SubnetId, vm.id, vm.state)
		}
	}
	for _, nat := range s.nats {
		if nat.subnetID == sn.SubnetId && nat.state != "deleted" {
			return nil, conflict(codeDependency, "The subnet '%s' has dependencies and cannot be deleted: NAT service %s (%s)", sn.SubnetId, nat.id, nat.state)
		}
	}
	for _, lb := range s.lbs {
		if slices.Contains(lb.subnets, sn.SubnetId) {
			return nil, conflict(codeDependency, "The subnet '%s' has dependencies and cannot be deleted: load balancer %s", sn.SubnetId, lb.name)
		}
	}
	// Route table links of the subnet go with it.
	for _, rt := range s.rtbs {
		rt.links = slices.DeleteFunc(rt.links, func(l *rtLink) bool { return l.subnetID == sn.SubnetId })
	}
	delete(s.subnets, sn.SubnetId)
	delete(s.tags, sn.SubnetId)
	return nil, nil
}
