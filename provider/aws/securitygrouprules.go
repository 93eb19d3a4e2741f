package aws

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// A security_group_rules resource has no AWS id of its own: its ID is the
// group's id followed by ":rules", and its tags are kept on the group,
// prefixed by "archkit:rules:", while archkit manages the group's rules.

const rulesSuffix = ":rules"

func rulesID(group string) string { return group + rulesSuffix }

func groupOfRules(id string) string { return strings.TrimSuffix(id, rulesSuffix) }

// awsRule is one rule as AWS reports it, with its rule id.
type awsRule struct {
	id     string
	egress bool
	spec   blueprint.RuleSpec
}

func awsProtocol(p netplan.Protocol) string {
	switch p {
	case netplan.ProtocolAll, "":
		return "-1"
	}
	return string(p)
}

func fromAWSProtocol(p string) netplan.Protocol {
	switch p {
	case "-1", "all":
		return netplan.ProtocolAll
	case "6":
		return netplan.ProtocolTCP
	case "17":
		return netplan.ProtocolUDP
	case "1":
		return netplan.ProtocolICMP
	}
	return netplan.Protocol(p)
}

func ruleFromAWS(r ec2types.SecurityGroupRule) awsRule {
	spec := blueprint.RuleSpec{
		Protocol:    fromAWSProtocol(awssdk.ToString(r.IpProtocol)),
		Description: awssdk.ToString(r.Description),
	}
	from, to := awssdk.ToInt32(r.FromPort), awssdk.ToInt32(r.ToPort)
	if spec.Protocol.HasPorts() || spec.Protocol == netplan.ProtocolICMP {
		spec.FromPort, spec.ToPort = uint16(max(from, 0)), uint16(max(to, 0))
	}
	if c := awssdk.ToString(r.CidrIpv4); c != "" {
		spec.CIDR, _ = netip.ParsePrefix(c)
	} else if c := awssdk.ToString(r.CidrIpv6); c != "" {
		spec.CIDR, _ = netip.ParsePrefix(c)
	}
	if r.ReferencedGroupInfo != nil {
		spec.Group = blueprint.Ref(awssdk.ToString(r.ReferencedGroupInfo.GroupId))
	}
	spec.PrefixList = awssdk.ToString(r.PrefixListId) // the id: describeRulesOf names its service
	return awsRule{id: awssdk.ToString(r.SecurityGroupRuleId), egress: awssdk.ToBool(r.IsEgress), spec: spec}
}

// ipPermission converts one rule for Authorize.
func ipPermission(r blueprint.RuleSpec) ec2types.IpPermission {
	desc := r.Description
	r = r.Canonical() // AWS's own form: tcp/udp 0-0 is every port, "all" has none
	p := ec2types.IpPermission{IpProtocol: awssdk.String(awsProtocol(r.Protocol))}
	switch {
	case r.Protocol.HasPorts():
		p.FromPort, p.ToPort = awssdk.Int32(int32(r.FromPort)), awssdk.Int32(int32(r.ToPort))
	case r.Protocol == netplan.ProtocolICMP:
		if r.FromPort == 0 && r.ToPort == 0 {
			p.FromPort, p.ToPort = awssdk.Int32(-1), awssdk.Int32(-1)
		} else {
			p.FromPort, p.ToPort = awssdk.Int32(int32(r.FromPort)), awssdk.Int32(int32(r.ToPort))
		}
	}
	var awsDesc *string
	if desc != "" {
		awsDesc = awssdk.String(desc)
	}
	switch {
	case r.PrefixList != "":
		// the service: authorizeRules puts the list's id in its place
		p.PrefixListIds = []ec2types.PrefixListId{{PrefixListId: awssdk.String(r.PrefixList), Description: awsDesc}}
	case r.Group != "":
		p.UserIdGroupPairs = []ec2types.UserIdGroupPair{{GroupId: awssdk.String(string(r.Group)), Description: awsDesc}}
	case r.CIDR.Addr().Is6():
		p.Ipv6Ranges = []ec2types.Ipv6Range{{CidrIpv6: awssdk.String(r.CIDR.String()), Description: awsDesc}}
	default:
		p.IpRanges = []ec2types.IpRange{{CidrIp: awssdk.String(r.CIDR.String()), Description: awsDesc}}
	}
	return p
}

// checkRuleDescriptions refuses, before any call, a rule description AWS
// refuses (InvalidParameterValue: characters outside a-z, A-Z, 0-9,
// spaces and ._-:/()#,@[]+=&;{}!$*, or more than 255 of them) and moto
// accepts, so that the driver behaves the same on both.
func checkRuleDescriptions(id string, spec *blueprint.SecurityGroupRulesSpec) error {
	var errs []error
	for _, dir := range []struct {
		name  string
		rules []blueprint.RuleSpec
	}{{"inbound", spec.Inbound}, {"outbound", spec.Outbound}} {
		for i, r := range dir.rules {
			if err := blueprint.CheckDescription(r.Description); err != nil {
				errs = append(errs, fmt.Errorf("aws: %s: %s[%d].description: %q: %w (InvalidParameterValue)", id, dir.name, i, r.Description, err))
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return driver.NewError("AuthorizeSecurityGroupIngress", string(blueprint.KindSecurityGroupRules), id, driver.Invalid, errors.Join(errs...))
}

func (d *Driver) describeRules(ctx context.Context, group string) ([]awsRule, error) {
	byGroup, err := d.describeRulesOf(ctx, []string{group})
	return byGroup[group], err
}

// maxFilterValues is how many values EC2 takes in one filter.
const maxFilterValues = 200

// describeRulesOf reads the rules of groups, in one filtered
// DescribeSecurityGroupRules (paginated) per 200 groups: group -> rules.
func (d *Driver) describeRulesOf(ctx context.Context, groups []string) (map[string][]awsRule, error) {
	byGroup := make(map[string][]awsRule, len(groups))
	for chunk := range slices.Chunk(groups, maxFilterValues) {
		p := ec2.NewDescribeSecurityGroupRulesPaginator(d.EC2, &ec2.DescribeSecurityGroupRulesInput{Filters: []ec2types.Filter{filter("group-id", chunk...)}})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, mapErr("DescribeSecurityGroupRules", "security_group_rules", chunk[0], err)
			}
			for _, r := range out.SecurityGroupRules {
				if g := awssdk.ToString(r.GroupId); slices.Contains(chunk, g) {
					rule := ruleFromAWS(r)
					if rule.spec.PrefixList != "" {
						if rule.spec.PrefixList, err = d.prefixListService(ctx, rule.spec.PrefixList); err != nil {
							return nil, err
						}
					}
					byGroup[g] = append(byGroup[g], rule)
				}
			}
		}
	}
	return byGroup, nil
}

func rulesObserved(g ec2types.SecurityGroup, rules []awsRule) driver.Observed {
	tags := fromEC2Tags(g.Tags)
	id := awssdk.ToString(g.GroupId)
	logical := tags[tagRulesID]
	o := driver.Observed{ID: rulesID(id), LogicalID: logical, Ready: true, Status: "applied", Tags: map[string]string{}}
	for k, v := range tags {
		if rest, ok := strings.CutPrefix(k, rulesTag); ok {
			o.Tags[rest] = v
		}
	}
	spec := &blueprint.SecurityGroupRulesSpec{Group: blueprint.Ref(id)}
	for _, r := range rules {
		if r.egress {
			spec.Outbound = append(spec.Outbound, r.spec)
		} else {
			spec.Inbound = append(spec.Inbound, r.spec)
		}
	}
	slices.SortFunc(spec.Inbound, blueprint.CompareRules)
	slices.SortFunc(spec.Outbound, blueprint.CompareRules)
	o.Resource = blueprint.Resource{ID: logical, Kind: blueprint.KindSecurityGroupRules, SecurityGroupRules: spec}
	return o
}

// createSecurityGroupRules tags the group with the rule set's ownership
// tags (CreateTags overwrites: a repeat sends the same), settles its rules
// from one read of them, and answers the rule set as it now is, with no
// read back: the rules hold req's, by rule key.
func (d *Driver) createSecurityGroupRules(ctx context.Context, req driver.Request) (driver.Observed, error) {
	group := string(req.Resource.SecurityGroupRules.Group)
	want := map[string]string{tagRulesID: req.Resource.ID}
	for k, v := range req.Tags {
		want[rulesTag+k] = v
	}
	var tags []ec2types.Tag
	for _, k := range sortedKeys(want) {
		tags = append(tags, ec2types.Tag{Key: awssdk.String(k), Value: awssdk.String(want[k])})
	}
	if _, err := d.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{group}, Tags: tags}); err != nil {
		return driver.Observed{}, mapErr("CreateTags", "security_group_rules", group, err)
	}
	if err := d.reconcileRules(ctx, req, group); err != nil {
		return driver.Observed{}, err
	}
	spec := req.Resource.SecurityGroupRules
	var rules []awsRule
	for _, r := range spec.Inbound {
		rules = append(rules, awsRule{spec: r})
	}
	for _, r := range spec.Outbound {
		rules = append(rules, awsRule{spec: r, egress: true})
	}
	return rulesObserved(ec2types.SecurityGroup{GroupId: awssdk.String(group), Tags: tags}, rules), nil
}

func (d *Driver) updateSecurityGroupRules(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	group := groupOfRules(cur.ID)
	if err := d.reconcileRules(ctx, req, group); err != nil {
		return driver.Observed{}, err
	}
	return d.readSecurityGroupRules(ctx, group)
}

// reconcileRules makes the rule set of group exactly req's: it revokes
// by rule id every rule not in req (the default allow-all egress rule
// included), then authorizes the missing ones. Descriptions are not
// compared, as AWS does not compare them.
func (d *Driver) reconcileRules(ctx context.Context, req driver.Request, group string) error {
	spec := req.Resource.SecurityGroupRules
	if err := checkRuleDescriptions(req.Resource.ID, spec); err != nil {
		return err
	}
	have, err := d.describeRules(ctx, group)
	if err != nil {
		return err
	}
	for _, egress := range []bool{false, true} {
		rules := spec.Inbound
		if egress {
			rules = spec.Outbound
		}
		if err := d.settleRules(ctx, group, egress, rules, have); err != nil {
			return err
		}
	}
	return nil
}

// settleRules makes the rules of one direction of group exactly want. An
// authorize refused with InvalidPermission.Duplicate, or a revoke refused
// with InvalidPermission.NotFound, may follow a call whose answer was lost
// and that took effect (the SDK, or a retryer of the user's, sent it
// again): the group is then read again, and settled once more from what
// it holds; it is an error only if the rules still differ.
func (d *Driver) settleRules(ctx context.Context, group string, egress bool, want []blueprint.RuleSpec, have []awsRule) error {
	var err error
	for try := 0; try < 2; try++ {
		if try > 0 {
			if have, err = d.describeRules(ctx, group); err != nil {
				return err
			}
		}
		revoke, authorize := ruleDiff(have, egress, want)
		if len(revoke) == 0 && len(authorize) == 0 {
			return nil
		}
		if err = d.revokeRules(ctx, group, egress, revoke); err == nil {
			err = d.authorizeRules(ctx, group, egress, authorize)
		}
		if err == nil {
			return nil
		}
		if c := awsCode(err); c != "InvalidPermission.Duplicate" && c != "InvalidPermission.NotFound" && !isCode(err, driver.NotFound) {
			return err
		}
	}
	return err
}

// ruleDiff returns, from the rules a group has, the ids of those of one
// direction to revoke and the permissions to authorize so that it holds
// exactly rules.
func ruleDiff(have []awsRule, egress bool, rules []blueprint.RuleSpec) ([]string, []ec2types.IpPermission) {
	want := map[blueprint.RuleKey]blueprint.RuleSpec{}
	for _, r := range rules {
		want[r.Key()] = r
	}
	var revoke []string
	for _, h := range have {
		if h.egress != egress {
			continue
		}
		k := h.spec.Key()
		if _, ok := want[k]; ok {
			delete(want, k)
			continue
		}
		revoke = append(revoke, h.id)
	}
	var perms []ec2types.IpPermission
	for _, k := range slices.SortedFunc(maps.Keys(want), blueprint.RuleKey.Compare) {
		perms = append(perms, ipPermission(want[k]))
	}
	return revoke, perms
}

func (d *Driver) revokeRules(ctx context.Context, group string, egress bool, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	slices.Sort(ids)
	var err error
	if egress {
		_, err = d.EC2.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: awssdk.String(group), SecurityGroupRuleIds: ids})
		err = mapErr("RevokeSecurityGroupEgress", "security_group_rules", group, err)
	} else {
		_, err = d.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: awssdk.String(group), SecurityGroupRuleIds: ids})
		err = mapErr("RevokeSecurityGroupIngress", "security_group_rules", group, err)
	}
	return err
}

func (d *Driver) authorizeRules(ctx context.Context, group string, egress bool, perms []ec2types.IpPermission) error {
	if len(perms) == 0 {
		return nil
	}
	for i := range perms {
		for j := range perms[i].PrefixListIds {
			id, err := d.prefixListID(ctx, awssdk.ToString(perms[i].PrefixListIds[j].PrefixListId))
			if err != nil {
				return err
			}
			perms[i].PrefixListIds[j].PrefixListId = awssdk.String(id)
		}
	}
	var err error
	if egress {
		_, err = d.EC2.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: awssdk.String(group), IpPermissions: perms})
		err = mapErr("AuthorizeSecurityGroupEgress", "security_group_rules", group, err)
	} else {
		_, err = d.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: awssdk.String(group), IpPermissions: perms})
		err = mapErr("AuthorizeSecurityGroupIngress", "security_group_rules", group, err)
	}
	return err
}

func (d *Driver) readSecurityGroupRules(ctx context.Context, id string) (driver.Observed, error) {
	id = groupOfRules(id)
	g, err := d.describeGroup(ctx, id)
	if isCode(err, driver.NotFound) {
		return driver.Observed{}, notFound("DescribeSecurityGroups", blueprint.KindSecurityGroupRules, rulesID(id))
	}
	if err != nil {
		return driver.Observed{}, err
	}
	if fromEC2Tags(g.Tags)[tagRulesID] == "" {
		return driver.Observed{}, notFound("DescribeSecurityGroups", blueprint.KindSecurityGroupRules, rulesID(id))
	}
	rules, err := d.describeRules(ctx, id)
	if err != nil {
		return driver.Observed{}, err
	}
	return rulesObserved(*g, rules), nil
}

func (d *Driver) listSecurityGroupRules(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	// The answer the security groups (and the Nets' default groups) share.
	groups, err := d.ownedGroups(ctx, q, func(tags map[string]string) bool { _, ok := tags[tagRulesID]; return ok })
	if err != nil {
		return nil, mapErr("DescribeSecurityGroups", "security_group_rules", "", err)
	}
	return d.withRules(ctx, groups)
}

// withRules returns the rule sets of groups, their rules read with one
// DescribeSecurityGroupRules per maxFilterValues groups.
func (d *Driver) withRules(ctx context.Context, groups []ec2types.SecurityGroup) ([]driver.Observed, error) {
	var res []driver.Observed
	if len(groups) == 0 {
		return res, nil
	}
	ids := make([]string, 0, len(groups))
	for _, g := range groups {
		ids = append(ids, awssdk.ToString(g.GroupId))
	}
	rules, err := d.describeRulesOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		res = append(res, rulesObserved(g, rules[awssdk.ToString(g.GroupId)]))
	}
	return res, nil
}

// deleteSecurityGroupRules revokes every rule of the group, in both
// directions, and removes the rules-id tag. References to other groups go
// with it, so the groups can then be deleted in any order.
//
// When the run deletes the group too (opts.GroupDeleted), it revokes only
// the rules that name another group, as Cluster API's OUTSCALE provider
// does before it deletes a cluster's groups: EC2 refuses to delete a group
// that a rule of another group names (DependencyViolation), and the other
// rules and the tags go with the group.
func (d *Driver) deleteSecurityGroupRules(ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error {
	group := groupOfRules(cur.ID)
	if opts.GroupDeleted {
		rules, err := d.describeRules(ctx, group)
		if err != nil {
			return err
		}
		return d.revokeAll(ctx, group, slices.DeleteFunc(rules, func(r awsRule) bool { return !namesOther(r.spec, group) }))
	}
	g, err := d.describeGroup(ctx, group)
	if isCode(err, driver.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	rules, err := d.describeRules(ctx, group)
	if err != nil {
		return err
	}
	if err := d.revokeAll(ctx, group, rules); err != nil {
		return err
	}
	var drop []ec2types.Tag
	for _, t := range g.Tags {
		if strings.HasPrefix(awssdk.ToString(t.Key), rulesTag) {
			drop = append(drop, ec2types.Tag{Key: t.Key})
		}
	}
	if len(drop) == 0 {
		return nil
	}
	_, err = d.EC2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{group}, Tags: drop})
	if err != nil && !isCode(err, driver.NotFound) {
		return mapErr("DeleteTags", "security_group_rules", cur.ID, err)
	}
	return nil
}

// namesOther reports whether r names a group other than group.
func namesOther(r blueprint.RuleSpec, group string) bool {
	return r.Group != "" && string(r.Group) != group
}

// revokeAll revokes rules, one call per direction that has some; rules
// already gone are no error.
func (d *Driver) revokeAll(ctx context.Context, group string, rules []awsRule) error {
	var in, out []string
	for _, r := range rules {
		if r.egress {
			out = append(out, r.id)
		} else {
			in = append(in, r.id)
		}
	}
	if err := d.revokeRules(ctx, group, false, in); err != nil && !isCode(err, driver.NotFound) {
		return err
	}
	if err := d.revokeRules(ctx, group, true, out); err != nil && !isCode(err, driver.NotFound) {
		return err
	}
	return nil
}
