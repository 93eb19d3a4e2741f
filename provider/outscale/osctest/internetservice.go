package osctest

type igwRes struct {
	InternetServiceId string
	NetId             string `json:",omitempty"`
	State             string `json:",omitempty"`
	Tags              []tag
}

func init() {
	handlers["CreateInternetService"] = (*Server).createInternetService
	handlers["ReadInternetServices"] = (*Server).readInternetServices
	handlers["LinkInternetService"] = (*Server).linkInternetService
	handlers["UnlinkInternetService"] = (*Server).unlinkInternetService
	handlers["DeleteInternetService"] = (*Server).deleteInternetService
}

func (s *Server) renderIgw(g *igwRes) igwRes {
	c := *g
	c.Tags = s.tagList(g.InternetServiceId)
	if c.NetId != "" {
		c.State = "available"
	}
	return c
}

func (s *Server) createInternetService(body []byte) (map[string]any, *apiError) {
	if e := decode(body, &struct{}{}); e != nil {
		return nil, e
	}
	if lim := s.quota("igw_limit"); len(s.igws) >= lim {
		return nil, quotaExceeded("igw_limit", lim)
	}
	g := &igwRes{InternetServiceId: s.newID("igw")}
	s.igws[g.InternetServiceId] = g
	return map[string]any{"InternetService": s.renderIgw(g)}, nil
}

func (s *Server) readInternetServices(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []igwRes
	for _, id := range sortedKeys(s.igws) {
		g := s.igws[id]
		if any1(f.InternetServiceIds, id) && (len(f.LinkNetIds) == 0 || (g.NetId != "" && any1(f.LinkNetIds, g.NetId))) && s.tagsMatch(id, f) {
			out = append(out, s.renderIgw(g))
		}
	}
	return pageOut("InternetServices", out, &in)
}

func (s *Server) igwOf(netID string) *igwRes {
	for _, g := range s.igws {
		if g.NetId == netID {
			return g
		}
	}
	return nil
}

func (s *Server) linkInternetService(body []byte) (map[string]any, *apiError) {
	var in struct{ InternetServiceId, NetId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	g := s.igws[in.InternetServiceId]
	if g == nil {
		return nil, notFound(codeNotFoundIgw, "InternetService", in.InternetServiceId)
	}
	if s.nets[in.NetId] == nil {
		return nil, notFound(codeNotFoundNet, "Net", in.NetId)
	}
	if g.NetId != "" {
		return nil, conflict(codeAlreadyLinked, "The internet service '%s' is already linked to Net '%s'", g.InternetServiceId, g.NetId)
	}
	if o := s.igwOf(in.NetId); o != nil {
		return nil, conflict(codeAlreadyLinked, "The Net '%s' already has internet service '%s'", in.NetId, o.InternetServiceId)
	}
	g.NetId = in.NetId
	return nil, nil
}

func (s *Server) unlinkInternetService(body []byte) (map[string]any, *apiError) {
	var in struct{ InternetServiceId, NetId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	g := s.igws[in.InternetServiceId]
	if g == nil {
		return nil, notFound(codeNotFoundIgw, "InternetService", in.InternetServiceId)
	}
	if s.nets[in.NetId] == nil {
		return nil, notFound(codeNotFoundNet, "Net", in.NetId)
	}
	if g.NetId != in.NetId {
		return nil, invalidValue(codeInvalidParameterValue, "The internet service '%s' is not linked to Net '%s'", g.InternetServiceId, in.NetId)
	}
	for _, nat := range s.nats {
		if nat.netID == in.NetId && nat.state != "deleted" {
			return nil, conflict(codeIgwHasNatService, "Cannot unlink internet service '%s': NAT service '%s' (%s) is in the Net", g.InternetServiceId, nat.id, nat.state)
		}
	}
	for _, ip := range s.pips {
		if vm := s.vms[ip.vmID]; vm != nil && vm.netID == in.NetId {
			return nil, conflict(codeIgwHasPublicIPs, "Cannot unlink internet service '%s': public IP '%s' is linked to VM '%s' in the Net", g.InternetServiceId, ip.id, vm.id)
		}
	}
	for _, lb := range s.lbs {
		if lb.netID == in.NetId && lb.typ == "internet-facing" {
			return nil, conflict(codeIgwHasLoadBalancer, "Cannot unlink internet service '%s': internet-facing load balancer '%s' is in the Net", g.InternetServiceId, lb.name)
		}
	}
	g.NetId = ""
	return nil, nil
}

func (s *Server) deleteInternetService(body []byte) (map[string]any, *apiError) {
	var in struct{ InternetServiceId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	g := s.igws[in.InternetServiceId]
	if g == nil {
		return nil, notFound(codeNotFoundIgw, "InternetService", in.InternetServiceId)
	}
	if g.NetId != "" {
		return nil, conflict(codeDependency, "The internet service '%s' is linked to Net '%s'; unlink it first", g.InternetServiceId, g.NetId)
	}
	delete(s.igws, g.InternetServiceId)
	delete(s.tags, g.InternetServiceId)
	return nil, nil
}
