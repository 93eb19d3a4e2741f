package outscale

import (
	"cmp"
	"context"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// ruleSetSuffix makes the provider id of a security_group_rules resource
// from its group's id: "sg-0000000a/rules". The rule set has no OUTSCALE
// object of its own; its ownership tags live on the group under
// rulesPrefix.
const ruleSetSuffix = "/rules"

func ruleSetID(group string) string { return group + ruleSetSuffix }

func groupOf(ruleSet string) string { return strings.TrimSuffix(ruleSet, ruleSetSuffix) }

func (d *Driver) listRuleSets(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	f := osc.FiltersSecurityGroup{NetIds: netFilter(q)}
	if q.Deployment != "" {
		f.Tags = &[]string{rulesPrefix + driver.TagDeployment + "=" + q.Deployment}
	}
	var groups []string
	for _, id := range ids {
		if !strings.HasSuffix(id, ruleSetSuffix) {
			return nil, nil
		}
		groups = append(groups, groupOf(id))
	}
	f.SecurityGroupIds = idFilter(groups)
	sgs, err := d.readSecurityGroups(ctx, f, first(ids))
	if err != nil {
		return nil, err
	}
	var rules [][]osc.SecurityGroupRule
	for _, g := range sgs {
		rules = append(rules, g.GetInboundRules(), g.GetOutboundRules())
	}
	_, byID, err := d.servicesFor(ctx, nil, rules...)
	if err != nil {
		return nil, err
	}
	var out []driver.Observed
	for _, g := range sgs {
		all := tagMap(g.GetTags())
		tags := map[string]string{}
		for k, v := range all {
			if strings.HasPrefix(k, rulesPrefix) {
				tags[strings.TrimPrefix(k, rulesPrefix)] = v
			}
		}
		if tags[driver.TagLogicalID] == "" || !owned(q, tags) {
			continue
		}
		o := observed(blueprint.KindSecurityGroupRules, ruleSetID(g.GetSecurityGroupId()), tags)
		o.Resource.SecurityGroupRules = &blueprint.SecurityGroupRulesSpec{Group: blueprint.Ref(g.GetSecurityGroupId()),
			Inbound: flatten(g.GetInboundRules(), byID), Outbound: flatten(g.GetOutboundRules(), byID)}
		o.Status, o.Ready = "available", true
		out = append(out, o)
	}
	return out, nil
}

// flatten turns OUTSCALE rules (a protocol and port range with several IP
// ranges, group members and services) into one RuleSpec per source; a
// service is named by byID (the service ids of [Driver.services]), or by
// its id when byID has none.
func flatten(rules []osc.SecurityGroupRule, byID map[string]string) []blueprint.RuleSpec {
	var out []blueprint.RuleSpec
	for _, r := range rules {
		proto, from, to := fromOscProto(r.GetIpProtocol(), r.GetFromPortRange(), r.GetToPortRange())
		for _, ipr := range r.GetIpRanges() {
			p, err := netip.ParsePrefix(ipr)
			if err != nil {
				continue
			}
			out = append(out, blueprint.RuleSpec{Protocol: proto, FromPort: from, ToPort: to, CIDR: p})
		}
		for _, m := range r.GetSecurityGroupsMembers() {
			out = append(out, blueprint.RuleSpec{Protocol: proto, FromPort: from, ToPort: to, Group: blueprint.Ref(m.GetSecurityGroupId())})
		}
		for _, id := range r.GetServiceIds() {
			out = append(out, blueprint.RuleSpec{Protocol: proto, FromPort: from, ToPort: to, PrefixList: cmp.Or(byID[id], id)})
		}
	}
	return out
}

// servicesFor returns the maps of [Driver.services] when a rule of want
// names a service's prefix list or one of have names a service id, and
// nil maps otherwise (no call).
func (d *Driver) servicesFor(ctx context.Context, want []blueprint.RuleSpec, have ...[]osc.SecurityGroupRule) (byName, byID map[string]string, err error) {
	need := slices.ContainsFunc(want, func(r blueprint.RuleSpec) bool { return r.PrefixList != "" })
	for _, rs := range have {
		need = need || slices.ContainsFunc(rs, func(r osc.SecurityGroupRule) bool { return len(r.GetServiceIds()) > 0 })
	}
	if !need {
		return nil, nil, nil
	}
	return d.services(ctx)
}

func fromOscProto(p string, from, to int32) (netplan.Protocol, uint16, uint16) {
	switch p {
	case "-1", "all":
		return netplan.ProtocolAll, 0, 0
	case "icmp", "1":
		return netplan.ProtocolICMP, 0, 0
	case "6":
		p = "tcp"
	case "17":
		p = "udp"
	}
	return netplan.Protocol(p), uint16(max(from, 0)), uint16(max(to, 0))
}

// oscRule returns r as an OUTSCALE rule: "-1" for all protocols, -1/-1
// ports for all and ICMP (every type), SecurityGroupsMembers by id for a
// group source, ServiceIds for a service's prefix list (its id in byName,
// or the name itself when byName has none), IpRanges for a CIDR.
func oscRule(r blueprint.RuleSpec, byName map[string]string) osc.SecurityGroupRule {
	out := osc.SecurityGroupRule{}
	switch r.Protocol {
	case netplan.ProtocolAll, "":
		out.IpProtocol = osc.PtrString("-1")
		out.FromPortRange, out.ToPortRange = osc.PtrInt32(-1), osc.PtrInt32(-1)
	case netplan.ProtocolICMP:
		out.IpProtocol = osc.PtrString("icmp")
		out.FromPortRange, out.ToPortRange = osc.PtrInt32(-1), osc.PtrInt32(-1)
	default:
		out.IpProtocol = osc.PtrString(string(r.Protocol))
		out.FromPortRange, out.ToPortRange = osc.PtrInt32(int32(r.FromPort)), osc.PtrInt32(int32(r.ToPort))
	}
	switch {
	case r.Group != "":
		out.SecurityGroupsMembers = &[]osc.SecurityGroupsMember{{SecurityGroupId: osc.PtrString(string(r.Group))}}
	case r.PrefixList != "":
		out.ServiceIds = &[]string{cmp.Or(byName[r.PrefixList], r.PrefixList)}
	default:
		out.IpRanges = &[]string{r.CIDR.String()}
	}
	return out
}

// held returns r as OUTSCALE holds it: ICMP without a type or code, since
// oscRule sends every ICMP message (-1/-1). Rules are matched by
// held(r).Key(), the canonical identity of [blueprint.RuleSpec.Key].
func held(r blueprint.RuleSpec) blueprint.RuleSpec {
	if r.Protocol == netplan.ProtocolICMP {
		r.FromPort, r.ToPort = 0, 0
	}
	return r
}

// createRuleSet tags the group with the rule set's ownership tags, then
// makes its rules exactly those of the spec (see reconcileRules).
func (d *Driver) createRuleSet(ctx context.Context, req driver.Request) (driver.Observed, error) {
	s := req.Resource.SecurityGroupRules
	if s.Group == "" {
		return driver.Observed{}, errorf("Create", string(blueprint.KindSecurityGroupRules), req.Resource.ID, driver.Invalid,
			"security_group_rules.group: empty; name the group the rules belong to")
	}
	group := string(s.Group)
	if err := d.createTags(ctx, "Create", blueprint.KindSecurityGroupRules, group, prefixed(req.Tags)); err != nil {
		return driver.Observed{}, err
	}
	if err := d.reconcileRules(ctx, group, s.Inbound, s.Outbound); err != nil {
		return driver.Observed{}, err
	}
	return d.Read(ctx, blueprint.KindSecurityGroupRules, ruleSetID(group))
}

func prefixed(tags map[string]string) map[string]string {
	out := make(map[string]string, len(tags))
	for k, v := range tags {
		out[rulesPrefix+k] = v
	}
	return out
}

func (d *Driver) updateRuleSet(ctx context.Context, req driver.Request, cur driver.Observed) error {
	s := req.Resource.SecurityGroupRules
	group := groupOf(cur.ID)
	if err := d.reconcileRules(ctx, group, s.Inbound, s.Outbound); err != nil {
		return err
	}
	return d.createTags(ctx, "Update", blueprint.KindSecurityGroupRules, group, prefixed(req.Tags))
}

// reconcileRules reads the group's rules and makes them exactly inbound and
// outbound: the missing rules are added with one CreateSecurityGroupRule
// per direction (Rules[]), the others, the allow-all outbound rule of a new
// group included, removed with one DeleteSecurityGroupRule per direction.
func (d *Driver) reconcileRules(ctx context.Context, group string, inbound, outbound []blueprint.RuleSpec) error {
	g, err := d.readGroup(ctx, group)
	if err != nil {
		return err
	}
	return d.settleGroup(ctx, g, inbound, outbound)
}

// readGroup reads the security group of id, NotFound when it is gone.
func (d *Driver) readGroup(ctx context.Context, group string) (osc.SecurityGroup, error) {
	sgs, err := d.readSecurityGroups(ctx, osc.FiltersSecurityGroup{SecurityGroupIds: &[]string{group}}, group)
	if err != nil {
		return osc.SecurityGroup{}, err
	}
	if len(sgs) == 0 {
		return osc.SecurityGroup{}, errorf("ReadSecurityGroups", string(blueprint.KindSecurityGroupRules), group, driver.NotFound, "security group %s: not found", group)
	}
	return sgs[0], nil
}

// settleGroup makes the rules of g, as read, inbound and outbound.
func (d *Driver) settleGroup(ctx context.Context, g osc.SecurityGroup, inbound, outbound []blueprint.RuleSpec) error {
	group := g.GetSecurityGroupId()
	byName, byID, err := d.servicesFor(ctx, slices.Concat(inbound, outbound), g.GetInboundRules(), g.GetOutboundRules())
	if err != nil {
		return err
	}
	for _, dir := range []struct {
		flow       string
		have, want []blueprint.RuleSpec
	}{
		{"Inbound", flatten(g.GetInboundRules(), byID), inbound},
		{"Outbound", flatten(g.GetOutboundRules(), byID), outbound},
	} {
		have := map[blueprint.RuleKey]blueprint.RuleSpec{}
		for _, r := range dir.have {
			have[held(r).Key()] = r
		}
		want := map[blueprint.RuleKey]bool{}
		var add []osc.SecurityGroupRule
		for _, r := range dir.want {
			k := held(r).Key()
			if want[k] {
				continue
			}
			want[k] = true
			if _, ok := have[k]; !ok {
				add = append(add, oscRule(r, byName))
			}
		}
		var del []osc.SecurityGroupRule
		for k, r := range have {
			if !want[k] {
				del = append(del, oscRule(r, byName))
			}
		}
		if len(del) > 0 {
			in := osc.DeleteSecurityGroupRuleRequest{SecurityGroupId: group, Flow: dir.flow, Rules: &del}
			if _, err := call(ctx, d, "DeleteSecurityGroupRule", string(blueprint.KindSecurityGroupRules), group, func(ctx context.Context) (osc.DeleteSecurityGroupRuleResponse, *http.Response, error) {
				return d.api.SecurityGroupRuleApi.DeleteSecurityGroupRule(ctx).DeleteSecurityGroupRuleRequest(in).Execute()
			}); err != nil && !isNotFound(err) {
				return err
			}
		}
		if len(add) > 0 {
			in := osc.CreateSecurityGroupRuleRequest{SecurityGroupId: group, Flow: dir.flow, Rules: &add}
			if _, err := call(ctx, d, "CreateSecurityGroupRule", string(blueprint.KindSecurityGroupRules), group, func(ctx context.Context) (osc.CreateSecurityGroupRuleResponse, *http.Response, error) {
				return d.api.SecurityGroupRuleApi.CreateSecurityGroupRule(ctx).CreateSecurityGroupRuleRequest(in).Execute()
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteRuleSet removes every rule of the group, then the rule set's tags:
// the group itself stays (it is a security_group resource of its own).
//
// When the run deletes the group too (opts.GroupDeleted), it removes only
// the rules whose members name another group, as Cluster API's OUTSCALE
// provider does before it deletes a cluster's groups: DeleteSecurityGroup
// fails (9085) while another group's rule names the group, and the other
// rules and the tags go with the group.
func (d *Driver) deleteRuleSet(ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error {
	group := groupOf(cur.ID)
	g, err := d.readGroup(ctx, group)
	if err != nil {
		return err
	}
	if opts.GroupDeleted {
		_, byID, err := d.servicesFor(ctx, nil, g.GetInboundRules(), g.GetOutboundRules())
		if err != nil {
			return err
		}
		keep := func(rules []osc.SecurityGroupRule) []blueprint.RuleSpec {
			return slices.DeleteFunc(flatten(rules, byID), func(r blueprint.RuleSpec) bool { return r.Group != "" && string(r.Group) != group })
		}
		return d.settleGroup(ctx, g, keep(g.GetInboundRules()), keep(g.GetOutboundRules()))
	}
	if err := d.settleGroup(ctx, g, nil, nil); err != nil {
		return err
	}
	var del []osc.ResourceTag
	for _, t := range g.GetTags() {
		if strings.HasPrefix(t.Key, rulesPrefix) {
			del = append(del, t)
		}
	}
	if len(del) == 0 {
		return nil
	}
	in := osc.DeleteTagsRequest{ResourceIds: []string{group}, Tags: del}
	_, err = call(ctx, d, "DeleteTags", string(blueprint.KindSecurityGroupRules), cur.ID, func(ctx context.Context) (osc.DeleteTagsResponse, *http.Response, error) {
		return d.api.TagApi.DeleteTags(ctx).DeleteTagsRequest(in).Execute()
	})
	return err
}
