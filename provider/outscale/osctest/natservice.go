package osctest

type natRes struct {
	id          string
	netID       string
	subnetID    string
	publicIPID  string
	clientToken string
	state       string
	left        int
}

type publicIPLight struct{ PublicIpId, PublicIp string }

type natOut struct {
	NatServiceId string
	NetId        string
	SubnetId     string
	State        string
	ClientToken  string `json:",omitempty"`
	PublicIps    []publicIPLight
	Tags         []tag
}

func init() {
	handlers["CreateNatService"] = (*Server).createNatService
	handlers["ReadNatServices"] = (*Server).readNatServices
	handlers["DeleteNatService"] = (*Server).deleteNatService
}

func (s *Server) renderNat(n *natRes) natOut {
	o := natOut{NatServiceId: n.id, NetId: n.netID, SubnetId: n.subnetID, State: n.state, ClientToken: n.clientToken, PublicIps: []publicIPLight{}, Tags: s.tagList(n.id)}
	if p := s.pips[n.publicIPID]; p != nil {
		o.PublicIps = append(o.PublicIps, publicIPLight{PublicIpId: p.id, PublicIp: p.ip})
	}
	return o
}

func (s *Server) createNatService(body []byte) (map[string]any, *apiError) {
	var in struct{ SubnetId, PublicIpId, ClientToken string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if in.ClientToken != "" {
		for _, id := range sortedKeys(s.nats) {
			if n := s.nats[id]; n.clientToken == in.ClientToken && n.state != "deleted" {
				return map[string]any{"NatService": s.renderNat(n)}, nil
			}
		}
	}
	sn := s.subnets[in.SubnetId]
	if sn == nil {
		return nil, notFound(codeNotFoundSubnet, "Subnet", in.SubnetId)
	}
	p := s.pips[in.PublicIpId]
	if p == nil {
		return nil, notFound(codeNotFoundPublicIP, "PublicIp", in.PublicIpId)
	}
	if p.natID != "" || p.vmID != "" {
		return nil, conflict(codeAlreadyLinked, "The public IP '%s' is already in use", p.id)
	}
	if s.igwOf(sn.NetId) == nil {
		return nil, conflict(codeDependency, "The Net '%s' has no internet service linked", sn.NetId)
	}
	count := 0
	for _, n := range s.nats {
		if n.state == "deleted" {
			continue
		}
		count++
		if n.subnetID == sn.SubnetId {
			return nil, conflict(codeNatPerSubnet, "The subnet '%s' already has NAT service '%s'", sn.SubnetId, n.id)
		}
	}
	if lim := s.quota("nat_gateway_limit"); count >= lim {
		return nil, quotaExceeded("nat_gateway_limit", lim)
	}
	n := &natRes{id: s.newID("nat"), netID: sn.NetId, subnetID: sn.SubnetId, publicIPID: p.id, clientToken: in.ClientToken, state: "pending", left: s.opts.PendingReads}
	if n.left == 0 {
		n.state = "available"
	}
	p.natID = n.id
	s.nats[n.id] = n
	return map[string]any{"NatService": s.renderNat(n)}, nil
}

func (s *Server) readNatServices(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []natOut
	for _, id := range sortedKeys(s.nats) {
		n := s.nats[id]
		if any1(f.NatServiceIds, id) && any1(f.NetIds, n.netID) && any1(f.SubnetIds, n.subnetID) && any1(f.States, n.state) &&
			(len(f.ClientTokens) == 0 || n.clientToken != "" && any1(f.ClientTokens, n.clientToken)) && s.tagsMatch(id, f) {
			out = append(out, s.renderNat(n))
			s.advanceNat(n)
		}
	}
	return pageOut("NatServices", out, &in)
}

func (s *Server) advanceNat(n *natRes) {
	switch n.state {
	case "pending":
		if tick(&n.left) {
			n.state = "available"
		}
	case "deleting":
		if tick(&n.left) {
			s.finishNatDeletion(n)
		}
	}
}

func (s *Server) finishNatDeletion(n *natRes) {
	n.state = "deleted"
	if p := s.pips[n.publicIPID]; p != nil && p.natID == n.id {
		p.natID = ""
	}
}

func (s *Server) deleteNatService(body []byte) (map[string]any, *apiError) {
	var in struct{ NatServiceId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	n := s.nats[in.NatServiceId]
	if n == nil || n.state == "deleted" {
		return nil, notFound(codeNotFoundNat, "NatService", in.NatServiceId)
	}
	if n.state != "deleting" {
		n.state = "deleting"
		n.left = s.opts.PendingReads
		if n.left == 0 {
			s.finishNatDeletion(n)
		}
	}
	return nil, nil
}
