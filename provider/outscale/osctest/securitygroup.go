package osctest

import (
	"net/netip"
	"slices"
	"strings"
)

// sgRule is one atomic permission: a protocol and port range from one IP
// range or one member group. The API groups them by protocol and ports.
type sgRule struct {
	flow    string // "Inbound" | "Outbound"
	proto   string // "tcp" | "udp" | "icmp" | "-1" | another protocol number
	from    int
	to      int
	ipRange string
	member  string // security group id
	service string // a service's prefix-list id (ServiceIds)
}

type sgRes struct {
	id          string
	name        string
	description string
	netID       string
	isDefault   bool
	rules       []sgRule
}

type memberOut struct {
	AccountId         string
	SecurityGroupId   string
	SecurityGroupName string
}

type ruleOut struct {
	IpProtocol            string
	FromPortRange         int
	ToPortRange           int
	IpRanges              []string    `json:",omitempty"`
	SecurityGroupsMembers []memberOut `json:",omitempty"`
	ServiceIds            []string    `json:",omitempty"`
}

type sgOut struct {
	SecurityGroupId   string
	SecurityGroupName string
	Description       string
	AccountId         string
	NetId             string `json:",omitempty"`
	InboundRules      []ruleOut
	OutboundRules     []ruleOut
	Tags              []tag
}

func init() {
	handlers["CreateSecurityGroup"] = (*Server).createSecurityGroup
	handlers["ReadSecurityGroups"] = (*Server).readSecurityGroups
	handlers["DeleteSecurityGroup"] = (*Server).deleteSecurityGroup
	handlers["CreateSecurityGroupRule"] = (*Server).createSecurityGroupRule
	handlers["DeleteSecurityGroupRule"] = (*Server).deleteSecurityGroupRule
}

func (s *Server) renderSG(sg *sgRes) sgOut {
	o := sgOut{SecurityGroupId: sg.id, SecurityGroupName: sg.name, Description: sg.description, AccountId: s.opts.AccountID,
		NetId: sg.netID, InboundRules: s.renderRules(sg, "Inbound"), OutboundRules: s.renderRules(sg, "Outbound"), Tags: s.tagList(sg.id)}
	return o
}

func (s *Server) renderRules(sg *sgRes, flow string) []ruleOut {
	out := []ruleOut{}
	for _, r := range sg.rules {
		if r.flow != flow {
			continue
		}
		i := slices.IndexFunc(out, func(o ruleOut) bool {
			return o.IpProtocol == r.proto && o.FromPortRange == r.from && o.ToPortRange == r.to
		})
		if i < 0 {
			out = append(out, ruleOut{IpProtocol: r.proto, FromPortRange: r.from, ToPortRange: r.to})
			i = len(out) - 1
		}
		if r.ipRange != "" {
			out[i].IpRanges = append(out[i].IpRanges, r.ipRange)
		}
		if r.member != "" {
			m := memberOut{AccountId: s.opts.AccountID, SecurityGroupId: r.member}
			if g := s.sgs[r.member]; g != nil {
				m.SecurityGroupName = g.name
			}
			out[i].SecurityGroupsMembers = append(out[i].SecurityGroupsMembers, m)
		}
		if r.service != "" {
			out[i].ServiceIds = append(out[i].ServiceIds, r.service)
		}
	}
	return out
}

func (s *Server) createSecurityGroup(body []byte) (map[string]any, *apiError) {
	var in struct{ SecurityGroupName, Description, NetId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if in.SecurityGroupName == "" || len(in.SecurityGroupName) > 255 || strings.HasPrefix(in.SecurityGroupName, "sg-") {
		return nil, invalidValue(codeInvalidParameterValue, "invalid SecurityGroupName %q: 1-255 characters, not starting with sg-", in.SecurityGroupName)
	}
	if in.NetId != "" && s.nets[in.NetId] == nil {
		return nil, notFound(codeNotFoundNet, "Net", in.NetId)
	}
	count := 0
	for _, o := range s.sgs {
		if o.netID != in.NetId {
			continue
		}
		count++
		if o.name == in.SecurityGroupName {
			return nil, conflict(codeSGNameExists, "The security group name '%s' already exists (%s)", o.name, o.id)
		}
	}
	qn := "sg_limit"
	if in.NetId != "" {
		qn = "vpc_sg_limit"
	}
	if lim := s.quota(qn); count >= lim {
		return nil, quotaExceeded(qn, lim)
	}
	sg := &sgRes{id: s.newID("sg"), name: in.SecurityGroupName, description: in.Description, netID: in.NetId}
	if in.NetId != "" {
		sg.rules = []sgRule{{flow: "Outbound", proto: "-1", from: -1, to: -1, ipRange: "0.0.0.0/0"}}
	}
	s.sgs[sg.id] = sg
	return map[string]any{"SecurityGroup": s.renderSG(sg)}, nil
}

func (s *Server) readSecurityGroups(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []sgOut
	for _, id := range sortedKeys(s.sgs) {
		sg := s.sgs[id]
		if any1(f.SecurityGroupIds, id) && any1(f.SecurityGroupNames, sg.name) && any1(f.NetIds, sg.netID) && s.tagsMatch(id, f) {
			out = append(out, s.renderSG(sg))
		}
	}
	return pageOut("SecurityGroups", out, &in)
}

func (s *Server) sgByIDOrName(id, name string) (*sgRes, *apiError) {
	if id != "" {
		if sg := s.sgs[id]; sg != nil {
			return sg, nil
		}
		return nil, notFound(codeNotFoundSG, "SecurityGroup", id)
	}
	for _, k := range sortedKeys(s.sgs) {
		if sg := s.sgs[k]; sg.name == name && sg.netID == "" {
			return sg, nil
		}
	}
	if name == "" {
		return nil, &apiError{Status: 400, Type: "MissingParameter", Code: codeMissingParameter, Details: "SecurityGroupId is required"}
	}
	return nil, notFound(codeNotFoundSG, "SecurityGroup", name)
}

func (s *Server) deleteSecurityGroup(body []byte) (map[string]any, *apiError) {
	var in struct{ SecurityGroupId, SecurityGroupName string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	sg, e := s.sgByIDOrName(in.SecurityGroupId, in.SecurityGroupName)
	if e != nil {
		return nil, e
	}
	if sg.isDefault {
		return nil, conflict(codeDefaultSG, "The default security group '%s' of Net '%s' cannot be deleted", sg.id, sg.netID)
	}
	for _, k := range sortedKeys(s.sgs) {
		o := s.sgs[k]
		if o == sg {
			continue
		}
		for _, r := range o.rules {
			if r.member == sg.id {
				return nil, conflict(codeSGInUse, "The security group '%s' is referenced by a rule of security group '%s'", sg.id, o.id)
			}
		}
	}
	for _, k := range sortedKeys(s.vms) {
		if vm := s.vms[k]; vm.state != "terminated" && slices.Contains(vm.sgIDs, sg.id) {
			return nil, conflict(codeSGInUse, "The security group '%s' is used by VM '%s'", sg.id, vm.id)
		}
	}
	for _, lb := range s.lbs {
		if slices.Contains(lb.sgIDs, sg.id) {
			return nil, conflict(codeSGInUse, "The security group '%s' is used by load balancer '%s'", sg.id, lb.name)
		}
	}
	delete(s.sgs, sg.id)
	delete(s.tags, sg.id)
	return nil, nil
}

type ruleIn struct {
	IpProtocol            string
	FromPortRange         *int
	ToPortRange           *int
	IpRanges              []string
	SecurityGroupsMembers []struct{ AccountId, SecurityGroupId, SecurityGroupName string }
	ServiceIds            []string
}

type ruleRequest struct {
	Flow, SecurityGroupId                                     string
	IpProtocol, IpRange                                       string
	FromPortRange, ToPortRange                                *int
	Rules                                                     []ruleIn
	SecurityGroupAccountIdToLink, SecurityGroupNameToLink     string
	SecurityGroupAccountIdToUnlink, SecurityGroupNameToUnlink string
}

// atomicRules expands a rule request into atomic permissions.
func (s *Server) atomicRules(sg *sgRes, in *ruleRequest) ([]sgRule, *apiError) {
	simple := in.IpRange != "" || in.IpProtocol != "" || in.FromPortRange != nil || in.ToPortRange != nil
	if len(in.Rules) > 0 && simple {
		return nil, &apiError{Status: 400, Type: "InvalidParameter", Code: codeInvalidParameterCombo, Details: "Rules cannot be combined with IpRange, IpProtocol, FromPortRange or ToPortRange"}
	}
	if in.Flow == "Outbound" && sg.netID == "" {
		return nil, invalidValue(codeInvalidParameterValue, "Outbound rules are available in Nets only")
	}
	rules := in.Rules
	if len(rules) == 0 {
		if in.IpRange == "" && in.SecurityGroupNameToLink == "" && in.SecurityGroupNameToUnlink == "" {
			return nil, &apiError{Status: 400, Type: "MissingParameter", Code: codeMissingParameter, Details: "IpRange or Rules is required"}
		}
		r := ruleIn{IpProtocol: in.IpProtocol, FromPortRange: in.FromPortRange, ToPortRange: in.ToPortRange}
		if in.IpRange != "" {
			r.IpRanges = []string{in.IpRange}
		}
		name := in.SecurityGroupNameToLink + in.SecurityGroupNameToUnlink
		if name != "" {
			r.SecurityGroupsMembers = append(r.SecurityGroupsMembers, struct{ AccountId, SecurityGroupId, SecurityGroupName string }{SecurityGroupName: name})
			if r.IpProtocol == "" {
				r.IpProtocol = "-1"
			}
		}
		rules = []ruleIn{r}
	}
	var out []sgRule
	for _, r := range rules {
		proto, from, to, e := normRule(r)
		if e != nil {
			return nil, e
		}
		if len(r.IpRanges) == 0 && len(r.SecurityGroupsMembers) == 0 && len(r.ServiceIds) == 0 {
			return nil, &apiError{Status: 400, Type: "MissingParameter", Code: codeMissingParameter, Details: "a rule needs IpRanges, SecurityGroupsMembers or ServiceIds"}
		}
		for _, id := range r.ServiceIds {
			if e := s.ruleService(in.Flow, id); e != nil {
				return nil, e
			}
			out = append(out, sgRule{flow: in.Flow, proto: proto, from: from, to: to, service: id})
		}
		for _, ipr := range r.IpRanges {
			p, err := netip.ParsePrefix(ipr)
			if err != nil || p != p.Masked() {
				return nil, invalidValue(codeInvalidIPRange, "invalid IpRange %q: expected CIDR notation such as 10.0.0.0/24", ipr)
			}
			out = append(out, sgRule{flow: in.Flow, proto: proto, from: from, to: to, ipRange: p.String()})
		}
		for _, m := range r.SecurityGroupsMembers {
			var ref *sgRes
			if m.SecurityGroupId != "" {
				ref = s.sgs[m.SecurityGroupId]
			} else {
				for _, k := range sortedKeys(s.sgs) {
					if g := s.sgs[k]; g.name == m.SecurityGroupName && g.netID == sg.netID {
						ref = g
						break
					}
				}
			}
			if ref == nil {
				return nil, notFound(codeNotFoundSG, "SecurityGroup", m.SecurityGroupId+m.SecurityGroupName)
			}
			if ref.netID != sg.netID {
				return nil, invalidValue(codeInvalidParameterValue, "The security group '%s' is not in the Net of '%s'", ref.id, sg.id)
			}
			out = append(out, sgRule{flow: in.Flow, proto: proto, from: from, to: to, member: ref.id})
		}
	}
	return out, nil
}

func normRule(r ruleIn) (proto string, from, to int, e *apiError) {
	proto = strings.ToLower(r.IpProtocol)
	switch proto {
	case "6":
		proto = "tcp"
	case "17":
		proto = "udp"
	case "1":
		proto = "icmp"
	case "":
		return "", 0, 0, &apiError{Status: 400, Type: "MissingParameter", Code: codeMissingParameter, Details: "IpProtocol is required"}
	}
	if proto == "-1" || proto == "all" {
		return "-1", -1, -1, nil
	}
	if r.FromPortRange == nil || r.ToPortRange == nil {
		if proto == "tcp" || proto == "udp" {
			return "", 0, 0, &apiError{Status: 400, Type: "MissingParameter", Code: codeMissingParameter, Details: "FromPortRange and ToPortRange are required for " + proto}
		}
		return proto, -1, -1, nil
	}
	from, to = *r.FromPortRange, *r.ToPortRange
	if proto == "tcp" || proto == "udp" {
		if from < 0 || to > 65535 || from > to {
			return "", 0, 0, invalidValue(codeInvalidParameterValue, "invalid port range %d-%d: ports are 0-65535 and FromPortRange <= ToPortRange", from, to)
		}
	}
	return proto, from, to, nil
}

func (s *Server) createSecurityGroupRule(body []byte) (map[string]any, *apiError) {
	var in ruleRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	sg := s.sgs[in.SecurityGroupId]
	if sg == nil {
		return nil, notFound(codeNotFoundSG, "SecurityGroup", in.SecurityGroupId)
	}
	add, e := s.atomicRules(sg, &in)
	if e != nil {
		return nil, e
	}
	for _, r := range add {
		if slices.Contains(sg.rules, r) {
			return nil, conflict(codeDuplicateRule, "The rule (%s %s %d-%d %s%s) already exists in security group '%s'", r.flow, r.proto, r.from, r.to, r.ipRange, r.member, sg.id)
		}
	}
	qn := "sg_rule_limit"
	if sg.netID != "" {
		qn = "vpc_sg_rule_limit"
	}
	if lim := s.quota(qn); len(sg.rules)+len(add) > lim {
		return nil, quotaExceeded(qn, lim)
	}
	for _, r := range add {
		if !slices.Contains(sg.rules, r) {
			sg.rules = append(sg.rules, r)
		}
	}
	return map[string]any{"SecurityGroup": s.renderSG(sg)}, nil
}

func (s *Server) deleteSecurityGroupRule(body []byte) (map[string]any, *apiError) {
	var in ruleRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	sg := s.sgs[in.SecurityGroupId]
	if sg == nil {
		return nil, notFound(codeNotFoundSG, "SecurityGroup", in.SecurityGroupId)
	}
	del, e := s.atomicRules(sg, &in)
	if e != nil {
		return nil, e
	}
	for _, r := range del {
		if !slices.Contains(sg.rules, r) {
			return nil, notFound(codeNotFoundRule, "security group rule", sg.id+" "+r.flow+" "+r.proto+" "+r.ipRange+r.member)
		}
	}
	sg.rules = slices.DeleteFunc(sg.rules, func(r sgRule) bool { return slices.Contains(del, r) })
	return map[string]any{"SecurityGroup": s.renderSG(sg)}, nil
}

// ruleService checks a rule's service id: a service of the region
// (ReadNetAccessPointServices), in an Outbound rule (the services are
// reached from the Net).
func (s *Server) ruleService(flow, id string) *apiError {
	if flow != "Outbound" {
		return invalidValue(codeInvalidParameterValue, "ServiceIds %q: a rule names a service in the Outbound flow only", id)
	}
	for _, sv := range s.accessServices() {
		if sv.ServiceId == id {
			return nil
		}
	}
	return notFound(codeNotFoundResource, "service", id)
}
