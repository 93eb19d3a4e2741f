package osctest

import (
	"slices"
	"strings"
)

type listener struct {
	BackendPort          int
	BackendProtocol      string
	LoadBalancerPort     int
	LoadBalancerProtocol string
	ServerCertificateId  string `json:",omitempty"`
}

type healthCheck struct {
	CheckInterval      int
	HealthyThreshold   int
	Path               string `json:",omitempty"`
	Port               int
	Protocol           string
	Timeout            int
	UnhealthyThreshold int
}

type lbRes struct {
	name       string
	typ        string
	netID      string
	subnets    []string
	subregions []string
	sgIDs      []string
	listeners  []listener
	hc         healthCheck
	backends   []string
	publicIP   string
	dns        string
	state      string
	left       int
}

type lbOut struct {
	LoadBalancerName                 string
	LoadBalancerType                 string
	NetId                            string `json:",omitempty"`
	Subnets                          []string
	SubregionNames                   []string
	SecurityGroups                   []string
	SourceSecurityGroup              map[string]string
	Listeners                        []listener
	HealthCheck                      healthCheck
	BackendVmIds                     []string
	BackendIps                       []string
	DnsName                          string
	PublicIp                         *string
	State                            string
	SecuredCookies                   bool
	AccessLog                        map[string]any
	ApplicationStickyCookiePolicies  []struct{}
	LoadBalancerStickyCookiePolicies []struct{}
	Tags                             []tag
}

func init() {
	handlers["CreateLoadBalancer"] = (*Server).createLoadBalancer
	handlers["ReadLoadBalancers"] = (*Server).readLoadBalancers
	handlers["UpdateLoadBalancer"] = (*Server).updateLoadBalancer
	handlers["DeleteLoadBalancer"] = (*Server).deleteLoadBalancer
	handlers["CreateLoadBalancerListeners"] = (*Server).createLoadBalancerListeners
	handlers["DeleteLoadBalancerListeners"] = (*Server).deleteLoadBalancerListeners
	handlers["LinkLoadBalancerBackendMachines"] = (*Server).linkBackends
	handlers["UnlinkLoadBalancerBackendMachines"] = (*Server).unlinkBackends
	handlers["ReadVmsHealth"] = (*Server).readVmsHealth
	handlers["CreateLoadBalancerTags"] = (*Server).createLoadBalancerTags
	handlers["ReadLoadBalancerTags"] = (*Server).readLoadBalancerTags
	handlers["DeleteLoadBalancerTags"] = (*Server).deleteLoadBalancerTags
}

func (s *Server) renderLB(lb *lbRes) lbOut {
	o := lbOut{LoadBalancerName: lb.name, LoadBalancerType: lb.typ, NetId: lb.netID, Subnets: slices.Clone(lb.subnets),
		SubregionNames: slices.Clone(lb.subregions), SecurityGroups: slices.Clone(lb.sgIDs), Listeners: slices.Clone(lb.listeners),
		HealthCheck: lb.hc, BackendVmIds: slices.Clone(lb.backends), BackendIps: []string{}, DnsName: lb.dns, State: lb.state,
		AccessLog: map[string]any{"IsEnabled": false, "PublicationInterval": 60}, ApplicationStickyCookiePolicies: []struct{}{},
		LoadBalancerStickyCookiePolicies: []struct{}{}, Tags: slices.Clone(s.lbTags[lb.name])}
	for _, p := range []*[]string{&o.Subnets, &o.SubregionNames, &o.SecurityGroups, &o.BackendVmIds} {
		if *p == nil {
			*p = []string{}
		}
	}
	if o.Listeners == nil {
		o.Listeners = []listener{}
	}
	if o.Tags == nil {
		o.Tags = []tag{}
	}
	if lb.publicIP != "" {
		ip := lb.publicIP
		o.PublicIp = &ip
	}
	sg := map[string]string{"SecurityGroupAccountId": s.opts.AccountID}
	if len(lb.sgIDs) > 0 {
		if g := s.sgs[lb.sgIDs[0]]; g != nil {
			sg["SecurityGroupName"] = g.name
		}
	}
	o.SourceSecurityGroup = sg
	return o
}

func checkListeners(ls []listener) *apiError {
	for _, l := range ls {
		p := strings.ToUpper(l.LoadBalancerProtocol)
		if !slices.Contains([]string{"HTTP", "HTTPS", "TCP", "SSL"}, p) {
			return invalidValue(codeInvalidParameterValue, "LoadBalancerProtocol %q must be HTTP, HTTPS, TCP or SSL", l.LoadBalancerProtocol)
		}
		if (p == "HTTPS" || p == "SSL") && l.ServerCertificateId == "" {
			return &apiError{Status: 400, Type: "MissingParameter", Code: codeMissingParameter, Details: p + " listeners need ServerCertificateId"}
		}
		if l.LoadBalancerPort < 1 || l.LoadBalancerPort > 65535 || l.BackendPort < 1 || l.BackendPort > 65535 {
			return invalidValue(codeInvalidParameterValue, "listener ports must be 1-65535, got %d -> %d", l.LoadBalancerPort, l.BackendPort)
		}
	}
	return nil
}

func (s *Server) createLoadBalancer(body []byte) (map[string]any, *apiError) {
	var in struct {
		LoadBalancerName, LoadBalancerType, PublicIp string
		Listeners                                    []listener
		SecurityGroups, Subnets, SubregionNames      []string
		Tags                                         []tag
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if in.LoadBalancerName == "" || len(in.LoadBalancerName) > 32 {
		return nil, invalidValue(codeInvalidParameterValue, "LoadBalancerName %q must be 1-32 characters", in.LoadBalancerName)
	}
	for _, r := range in.LoadBalancerName {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return nil, invalidValue(codeInvalidParameterValue, "LoadBalancerName %q may contain only letters, digits and hyphens", in.LoadBalancerName)
		}
	}
	if s.lbs[in.LoadBalancerName] != nil {
		return nil, conflict(codeLBNameExists, "The load balancer name '%s' already exists", in.LoadBalancerName)
	}
	if lim := s.quota("lb_limit"); len(s.lbs) >= lim {
		return nil, quotaExceeded("lb_limit", lim)
	}
	if len(in.Listeners) == 0 {
		return nil, &apiError{Status: 400, Type: "MissingParameter", Code: codeMissingParameter, Details: "Listeners is required"}
	}
	for i := range in.Listeners {
		if in.Listeners[i].BackendProtocol == "" {
			in.Listeners[i].BackendProtocol = in.Listeners[i].LoadBalancerProtocol
		}
	}
	if e := checkListeners(in.Listeners); e != nil {
		return nil, e
	}
	if in.LoadBalancerType == "" {
		in.LoadBalancerType = "internet-facing"
	}
	if in.LoadBalancerType != "internet-facing" && in.LoadBalancerType != "internal" {
		return nil, invalidValue(codeInvalidParameterValue, "LoadBalancerType %q must be internet-facing or internal", in.LoadBalancerType)
	}
	lb := &lbRes{name: in.LoadBalancerName, typ: in.LoadBalancerType, listeners: in.Listeners, state: "starting", left: s.opts.PendingReads,
		hc: healthCheck{CheckInterval: 30, HealthyThreshold: 10, Port: in.Listeners[0].BackendPort, Protocol: "TCP", Timeout: 5, UnhealthyThreshold: 2}}
	if lb.left == 0 {
		lb.state = "active"
	}
	switch {
	case len(in.Subnets) > 0:
		if len(in.Subnets) != 1 {
			return nil, invalidValue(codeInvalidParameterValue, "a load balancer in a Net takes exactly one subnet")
		}
		sn := s.subnets[in.Subnets[0]]
		if sn == nil {
			return nil, notFound(codeNotFoundSubnet, "Subnet", in.Subnets[0])
		}
		lb.netID, lb.subnets, lb.subregions = sn.NetId, []string{sn.SubnetId}, []string{sn.SubregionName}
		if lb.typ == "internet-facing" && s.igwOf(sn.NetId) == nil {
			return nil, conflict(codeDependency, "The Net '%s' has no internet service linked; an internet-facing load balancer needs one", sn.NetId)
		}
	case len(in.SubregionNames) > 0:
		for _, sr := range in.SubregionNames {
			if !slices.Contains(s.opts.Subregions, sr) {
				return nil, notFound(codeNotFoundSubregion, "Subregion", sr)
			}
		}
		lb.subregions = in.SubregionNames
	default:
		return nil, &apiError{Status: 400, Type: "MissingParameter", Code: codeMissingParameter, Details: "Subnets or SubregionNames is required"}
	}
	for _, id := range in.SecurityGroups {
		g := s.sgs[id]
		if g == nil {
			return nil, notFound(codeNotFoundSG, "SecurityGroup", id)
		}
		if g.netID != lb.netID {
			return nil, invalidValue(codeInvalidParameterValue, "The security group '%s' is not in the load balancer's Net", id)
		}
	}
	lb.sgIDs = slices.Clone(in.SecurityGroups)
	if len(lb.sgIDs) == 0 && lb.netID != "" {
		for _, g := range s.sgs {
			if g.netID == lb.netID && g.isDefault {
				lb.sgIDs = []string{g.id}
			}
		}
	}
	if in.PublicIp != "" {
		if lb.typ != "internet-facing" {
			return nil, invalidValue(codeInvalidParameterValue, "PublicIp is only for internet-facing load balancers")
		}
		p, e := s.publicIPBy("", in.PublicIp)
		if e != nil {
			return nil, e
		}
		if p.vmID != "" || p.natID != "" {
			return nil, conflict(codeAlreadyLinked, "The public IP '%s' is already in use", p.ip)
		}
		lb.publicIP = p.ip
	}
	prefix := ""
	if lb.typ == "internal" {
		prefix = "internal-"
	}
	lb.dns = prefix + lb.name + "." + s.opts.Region + ".lbu.outscale.com"
	var ts []tag
	for _, t := range in.Tags {
		ts = setTag(ts, t)
	}
	s.lbTags[lb.name] = ts
	s.lbs[lb.name] = lb
	return map[string]any{"LoadBalancer": s.renderLB(lb)}, nil
}

func (s *Server) lbByName(name string) (*lbRes, *apiError) {
	if lb := s.lbs[name]; lb != nil {
		return lb, nil
	}
	return nil, notFound(codeNotFoundLoadBalancer, "LoadBalancer", name)
}

func (s *Server) readLoadBalancers(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	names := make([]string, 0, len(s.lbs))
	for n := range s.lbs {
		names = append(names, n)
	}
	slices.Sort(names)
	out := []lbOut{}
	for _, n := range names {
		lb := s.lbs[n]
		if any1(in.Filters.LoadBalancerNames, n) && any1(in.Filters.States, lb.state) {
			out = append(out, s.renderLB(lb))
			if lb.state == "starting" && tick(&lb.left) {
				lb.state = "active"
			}
		}
	}
	return map[string]any{"LoadBalancers": out}, nil
}

func (s *Server) updateLoadBalancer(body []byte) (map[string]any, *apiError) {
	var in struct {
		LoadBalancerName string
		HealthCheck      *healthCheck
		SecurityGroups   []string
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	lb, e := s.lbByName(in.LoadBalancerName)
	if e != nil {
		return nil, e
	}
	if hc := in.HealthCheck; hc != nil {
		p := strings.ToUpper(hc.Protocol)
		switch {
		case !slices.Contains([]string{"HTTP", "HTTPS", "TCP", "SSL"}, p):
			return nil, invalidValue(codeInvalidParameterValue, "HealthCheck.Protocol %q must be HTTP, HTTPS, TCP or SSL", hc.Protocol)
		case (p == "HTTP" || p == "HTTPS") && !strings.HasPrefix(hc.Path, "/"):
			return nil, &apiError{Status: 400, Type: "MissingParameter", Code: codeMissingParameter, Details: "HealthCheck.Path starting with / is required for " + p}
		case hc.CheckInterval < 5 || hc.CheckInterval > 600, hc.HealthyThreshold < 2 || hc.HealthyThreshold > 10,
			hc.UnhealthyThreshold < 2 || hc.UnhealthyThreshold > 10, hc.Timeout < 2 || hc.Timeout > 60, hc.Port < 1 || hc.Port > 65535:
			return nil, invalidValue(codeInvalidParameterValue, "HealthCheck out of range: CheckInterval 5-600, thresholds 2-10, Timeout 2-60, Port 1-65535")
		}
		if p == "TCP" || p == "SSL" {
			hc.Path = ""
		}
		lb.hc = *hc
	}
	if in.SecurityGroups != nil {
		for _, id := range in.SecurityGroups {
			if g := s.sgs[id]; g == nil || g.netID != lb.netID {
				return nil, notFound(codeNotFoundSG, "SecurityGroup", id)
			}
		}
		lb.sgIDs = slices.Clone(in.SecurityGroups)
	}
	return map[string]any{"LoadBalancer": s.renderLB(lb)}, nil
}

func (s *Server) deleteLoadBalancer(body []byte) (map[string]any, *apiError) {
	var in struct{ LoadBalancerName string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if _, e := s.lbByName(in.LoadBalancerName); e != nil {
		return nil, e
	}
	delete(s.lbs, in.LoadBalancerName)
	delete(s.lbTags, in.LoadBalancerName)
	return nil, nil
}

func (s *Server) createLoadBalancerListeners(body []byte) (map[string]any, *apiError) {
	var in struct {
		LoadBalancerName string
		Listeners        []listener
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	lb, e := s.lbByName(in.LoadBalancerName)
	if e != nil {
		return nil, e
	}
	for i := range in.Listeners {
		if in.Listeners[i].BackendProtocol == "" {
			in.Listeners[i].BackendProtocol = in.Listeners[i].LoadBalancerProtocol
		}
	}
	if e := checkListeners(in.Listeners); e != nil {
		return nil, e
	}
	for _, l := range in.Listeners {
		for _, o := range lb.listeners {
			if o.LoadBalancerPort == l.LoadBalancerPort && o != l {
				return nil, conflict(codeDuplicateRule, "The load balancer '%s' already has a different listener on port %d", lb.name, l.LoadBalancerPort)
			}
		}
	}
	if lim := s.quota("lb_listeners_limit"); len(lb.listeners)+len(in.Listeners) > lim {
		return nil, quotaExceeded("lb_listeners_limit", lim)
	}
	for _, l := range in.Listeners {
		if !slices.Contains(lb.listeners, l) {
			lb.listeners = append(lb.listeners, l)
		}
	}
	return map[string]any{"LoadBalancer": s.renderLB(lb)}, nil
}

func (s *Server) deleteLoadBalancerListeners(body []byte) (map[string]any, *apiError) {
	var in struct {
		LoadBalancerName  string
		LoadBalancerPorts []int
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	lb, e := s.lbByName(in.LoadBalancerName)
	if e != nil {
		return nil, e
	}
	lb.listeners = slices.DeleteFunc(lb.listeners, func(l listener) bool { return slices.Contains(in.LoadBalancerPorts, l.LoadBalancerPort) })
	return map[string]any{"LoadBalancer": s.renderLB(lb)}, nil
}

type backendRequest struct {
	LoadBalancerName string
	BackendVmIds     []string
	BackendIps       []string
}

func (s *Server) backendVMs(in *backendRequest) (*lbRes, *apiError) {
	lb, e := s.lbByName(in.LoadBalancerName)
	if e != nil {
		return nil, e
	}
	if len(in.BackendIps) > 0 {
		return nil, invalidValue(codeInvalidParameterValue, "BackendIps are not simulated by osctest; use BackendVmIds")
	}
	for _, id := range in.BackendVmIds {
		vm := s.vms[id]
		if vm == nil || vm.state == "terminated" {
			return nil, notFound(codeNotFoundVM, "Vm", id)
		}
		if vm.netID != lb.netID {
			return nil, invalidValue(codeInvalidParameterValue, "The VM '%s' is not in the Net of load balancer '%s'", id, lb.name)
		}
	}
	return lb, nil
}

func (s *Server) linkBackends(body []byte) (map[string]any, *apiError) {
	var in backendRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	lb, e := s.backendVMs(&in)
	if e != nil {
		return nil, e
	}
	for _, id := range in.BackendVmIds {
		if !slices.Contains(lb.backends, id) {
			lb.backends = append(lb.backends, id)
		}
	}
	return nil, nil
}

func (s *Server) unlinkBackends(body []byte) (map[string]any, *apiError) {
	var in backendRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	lb, e := s.backendVMs(&in)
	if e != nil {
		return nil, e
	}
	lb.backends = slices.DeleteFunc(lb.backends, func(id string) bool { return slices.Contains(in.BackendVmIds, id) })
	return nil, nil
}

type backendHealth struct{ VmId, State, StateReason, Description string }

func (s *Server) readVmsHealth(body []byte) (map[string]any, *apiError) {
	var in backendRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	lb, e := s.lbByName(in.LoadBalancerName)
	if e != nil {
		return nil, e
	}
	out := []backendHealth{}
	for _, id := range lb.backends {
		if !any1(in.BackendVmIds, id) {
			continue
		}
		h := backendHealth{VmId: id, State: "DOWN", StateReason: "ELB", Description: "Instance has failed at least the UnhealthyThreshold number of health checks consecutively."}
		if vm := s.vms[id]; vm != nil && vm.state == "running" && !vm.unhealthy {
			h = backendHealth{VmId: id, State: "UP", StateReason: "N/A", Description: "N/A"}
		}
		out = append(out, h)
	}
	return map[string]any{"BackendVmHealth": out}, nil
}

func (s *Server) createLoadBalancerTags(body []byte) (map[string]any, *apiError) {
	var in struct {
		LoadBalancerNames []string
		Tags              []tag
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	for _, n := range in.LoadBalancerNames {
		if _, e := s.lbByName(n); e != nil {
			return nil, e
		}
	}
	for _, n := range in.LoadBalancerNames {
		for _, t := range in.Tags {
			s.lbTags[n] = setTag(s.lbTags[n], t)
		}
	}
	return nil, nil
}

type lbTagOut struct{ LoadBalancerName, Key, Value string }

func (s *Server) readLoadBalancerTags(body []byte) (map[string]any, *apiError) {
	var in struct{ LoadBalancerNames []string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	out := []lbTagOut{}
	for _, n := range in.LoadBalancerNames {
		for _, t := range s.lbTags[n] {
			out = append(out, lbTagOut{LoadBalancerName: n, Key: t.Key, Value: t.Value})
		}
	}
	return map[string]any{"Tags": out}, nil
}

func (s *Server) deleteLoadBalancerTags(body []byte) (map[string]any, *apiError) {
	var in struct {
		LoadBalancerNames []string
		Tags              []struct{ Key string }
	}
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	for _, n := range in.LoadBalancerNames {
		if _, e := s.lbByName(n); e != nil {
			return nil, e
		}
		s.lbTags[n] = slices.DeleteFunc(s.lbTags[n], func(t tag) bool {
			return slices.ContainsFunc(in.Tags, func(d struct{ Key string }) bool { return d.Key == t.Key })
		})
	}
	return nil, nil
}

// FailHealthCheck makes the running VM id fail the health checks of every
// load balancer it is a backend of (ReadVmsHealth answers DOWN), as a VM
// whose service hangs does; false makes it pass again. It returns false
// when the server has no such VM.
func (s *Server) FailHealthCheck(id string, fail bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	vm := s.vms[id]
	if vm == nil {
		return false
	}
	vm.unhealthy = fail
	return true
}
