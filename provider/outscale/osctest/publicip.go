package osctest

import "fmt"

type publicIPRes struct {
	id     string
	ip     string
	linkID string
	vmID   string
	natID  string
}

type publicIPOut struct {
	PublicIpId     string
	PublicIp       string
	LinkPublicIpId string `json:",omitempty"`
	VmId           string `json:",omitempty"`
	NatServiceId   string `json:",omitempty"`
	PrivateIp      string `json:",omitempty"`
	Tags           []tag
}

func init() {
	handlers["CreatePublicIp"] = (*Server).createPublicIP
	handlers["ReadPublicIps"] = (*Server).readPublicIPs
	handlers["LinkPublicIp"] = (*Server).linkPublicIP
	handlers["UnlinkPublicIp"] = (*Server).unlinkPublicIP
	handlers["DeletePublicIp"] = (*Server).deletePublicIP
}

func (s *Server) renderPublicIP(p *publicIPRes) publicIPOut {
	o := publicIPOut{PublicIpId: p.id, PublicIp: p.ip, LinkPublicIpId: p.linkID, VmId: p.vmID, NatServiceId: p.natID, Tags: s.tagList(p.id)}
	if vm := s.vms[p.vmID]; vm != nil {
		o.PrivateIp = vm.privateIP
	}
	return o
}

func (s *Server) createPublicIP(body []byte) (map[string]any, *apiError) {
	if e := decode(body, &struct{}{}); e != nil {
		return nil, e
	}
	if lim := s.quota("ip_limit"); len(s.pips) >= lim {
		return nil, quotaExceeded("ip_limit", lim)
	}
	s.ipNext++
	// 198.51.100.0/24 then 203.0.113.0/24 (documentation ranges), then beyond.
	n := s.ipNext
	p := &publicIPRes{id: s.newID("eipalloc"), ip: fmt.Sprintf("198.51.%d.%d", 100+n/254, 1+n%254)}
	s.pips[p.id] = p
	return map[string]any{"PublicIp": s.renderPublicIP(p)}, nil
}

func (s *Server) readPublicIPs(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []publicIPOut
	for _, id := range sortedKeys(s.pips) {
		p := s.pips[id]
		if any1(f.PublicIpIds, id) && any1(f.PublicIps, p.ip) && (len(f.VmIds) == 0 || any1(f.VmIds, p.vmID) && p.vmID != "") &&
			(len(f.LinkPublicIpIds) == 0 || any1(f.LinkPublicIpIds, p.linkID) && p.linkID != "") && s.tagsMatch(id, f) {
			out = append(out, s.renderPublicIP(p))
		}
	}
	return pageOut("PublicIps", out, &in)
}

func (s *Server) publicIPBy(id, ip string) (*publicIPRes, *apiError) {
	for _, p := range s.pips {
		if (id != "" && p.id == id) || (id == "" && ip != "" && p.ip == ip) {
			return p, nil
		}
	}
	if id == "" && ip == "" {
		return nil, &apiError{Status: 400, Type: "MissingParameter", Code: codeMissingParameter, Details: "PublicIpId or PublicIp is required"}
	}
	return nil, notFound(codeNotFoundPublicIP, "PublicIp", id+ip)
}

func (s *Server) linkPublicIP(body []byte) (map[string]any, *apiError) {
	var in struct {
		PublicIpId, PublicIp, VmId, NicId string
		AllowRelink                       bool
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	p, e := s.publicIPBy(in.PublicIpId, in.PublicIp)
	if e != nil {
		return nil, e
	}
	if in.VmId == "" {
		return nil, &apiError{Status: 400, Type: "MissingParameter", Code: codeMissingParameter, Details: "VmId is required (NICs are not simulated)"}
	}
	vm := s.vms[in.VmId]
	if vm == nil || vm.state == "terminated" {
		return nil, notFound(codeNotFoundVM, "Vm", in.VmId)
	}
	if p.natID != "" {
		return nil, conflict(codeAlreadyLinked, "The public IP '%s' is used by NAT service '%s'", p.id, p.natID)
	}
	if p.vmID != "" && !in.AllowRelink {
		return nil, conflict(codeAlreadyLinked, "The public IP '%s' is already linked to VM '%s'", p.id, p.vmID)
	}
	if vm.netID != "" && s.igwOf(vm.netID) == nil {
		return nil, conflict(codeDependency, "The Net '%s' of VM '%s' has no internet service linked", vm.netID, vm.id)
	}
	for _, o := range s.pips {
		if o.vmID == vm.id && o != p {
			o.vmID, o.linkID = "", ""
		}
	}
	p.vmID = vm.id
	p.linkID = s.newID("eipassoc")
	return map[string]any{"LinkPublicIpId": p.linkID}, nil
}

func (s *Server) unlinkPublicIP(body []byte) (map[string]any, *apiError) {
	var in struct{ LinkPublicIpId, PublicIp string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	for _, p := range s.pips {
		if (in.LinkPublicIpId != "" && p.linkID == in.LinkPublicIpId) || (in.LinkPublicIpId == "" && in.PublicIp != "" && p.ip == in.PublicIp) {
			if p.natID != "" {
				return nil, conflict(codeAlreadyLinked, "The public IP '%s' is used by NAT service '%s'; delete the NAT service", p.id, p.natID)
			}
			if p.vmID == "" {
				return nil, invalidValue(codeInvalidParameterValue, "The public IP '%s' is not linked", p.ip)
			}
			p.vmID, p.linkID = "", ""
			return nil, nil
		}
	}
	return nil, notFound(codeNotFoundPublicIP, "LinkPublicIp", in.LinkPublicIpId+in.PublicIp)
}

func (s *Server) deletePublicIP(body []byte) (map[string]any, *apiError) {
	var in struct{ PublicIpId, PublicIp string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	p, e := s.publicIPBy(in.PublicIpId, in.PublicIp)
	if e != nil {
		return nil, e
	}
	if p.natID != "" {
		return nil, conflict(codeAlreadyLinked, "The public IP '%s' is used by NAT service '%s'", p.id, p.natID)
	}
	if p.vmID != "" {
		return nil, conflict(codeAlreadyLinked, "The public IP '%s' is linked to VM '%s'; unlink it first", p.id, p.vmID)
	}
	for _, lb := range s.lbs {
		if lb.publicIP == p.ip {
			return nil, conflict("9031", "The public IP '%s' is used by load balancer '%s'", p.id, lb.name)
		}
	}
	delete(s.pips, p.id)
	delete(s.tags, p.id)
	return nil, nil
}
