package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// Every VPC comes with a security group named "default" that admits all
// traffic from its own members and lets everything out; AWS Foundational
// Security Best Practices EC2.2 asks for it to have no rule at all, so
// that an instance launched into it by mistake is cut off. The driver
// empties it when the Net's spec does not keep its rules
// (NetSpec.KeepDefaultSecurityGroupRules), and puts AWS's two rules back
// when it does. The group itself cannot be deleted.

// defaultGroups returns the default security group of each VPC of vpcs,
// in one call: the one that lists every group of the VPCs ([Driver.vpcGroups]),
// whose answer the security groups and rule sets of a refresh share.
func (d *Driver) defaultGroups(ctx context.Context, vpcs []string) (map[string]ec2types.SecurityGroup, error) {
	out := map[string]ec2types.SecurityGroup{}
	if len(vpcs) == 0 {
		return out, nil
	}
	groups, err := d.vpcGroups(ctx, vpcs)
	if err != nil {
		return nil, mapErr("DescribeSecurityGroups", string(blueprint.KindNet), vpcs[0], err)
	}
	for _, g := range groups {
		if awssdk.ToString(g.GroupName) == "default" {
			out[awssdk.ToString(g.VpcId)] = g
		}
	}
	return out, nil
}

// vpcGroups returns every security group of the VPCs vpcs, their default
// groups included, with one DescribeSecurityGroups (a page per 1,000
// groups) by the vpc-id filter. The Nets' default groups, the security
// groups and the rule sets are all read from it, and within a refresh
// they share one answer ([driver.Shared]): callers must not change it.
func (d *Driver) vpcGroups(ctx context.Context, vpcs []string) ([]ec2types.SecurityGroup, error) {
	vpcs = slices.Compact(slices.Sorted(slices.Values(vpcs)))
	key := fmt.Sprintf("ec2 %p DescribeSecurityGroups vpc-id=%s", d, strings.Join(vpcs, ","))
	return driver.Shared(ctx, key, func(ctx context.Context) ([]ec2types.SecurityGroup, error) {
		p := ec2.NewDescribeSecurityGroupsPaginator(d.EC2, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{filter("vpc-id", vpcs...)}})
		return allItems(ctx, p.HasMorePages, p.NextPage, func(o *ec2.DescribeSecurityGroupsOutput) []ec2types.SecurityGroup { return o.SecurityGroups })
	})
}

// taggedGroups returns the security groups tagged with deployment dep,
// with one DescribeSecurityGroups by the tag filter: what the security
// groups and the rule sets of a refresh that found no Net share.
func (d *Driver) taggedGroups(ctx context.Context, dep string) ([]ec2types.SecurityGroup, error) {
	key := fmt.Sprintf("ec2 %p DescribeSecurityGroups tag:%s=%s", d, driver.TagDeployment, dep)
	return driver.Shared(ctx, key, func(ctx context.Context) ([]ec2types.SecurityGroup, error) {
		p := ec2.NewDescribeSecurityGroupsPaginator(d.EC2, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{tagFilter(driver.TagDeployment, dep)}})
		return allItems(ctx, p.HasMorePages, p.NextPage, func(o *ec2.DescribeSecurityGroupsOutput) []ec2types.SecurityGroup { return o.SecurityGroups })
	})
}

// ownedGroups returns the groups of q's deployment that keep reports true
// for: of q's Nets from [Driver.vpcGroups], or, when q names no Net, from
// [Driver.taggedGroups].
func (d *Driver) ownedGroups(ctx context.Context, q driver.Query, keep func(tags map[string]string) bool) ([]ec2types.SecurityGroup, error) {
	read := func(ctx context.Context) ([]ec2types.SecurityGroup, error) { return d.vpcGroups(ctx, q.NetIDs) }
	if len(q.NetIDs) == 0 {
		read = func(ctx context.Context) ([]ec2types.SecurityGroup, error) { return d.taggedGroups(ctx, q.Deployment) }
	}
	groups, err := read(ctx)
	if err != nil {
		return nil, err
	}
	var out []ec2types.SecurityGroup
	for _, g := range groups {
		if tags := fromEC2Tags(g.Tags); owned(tags, q.Deployment) && keep(tags) {
			out = append(out, g)
		}
	}
	return out, nil
}

// withDefaultGroups sets KeepDefaultSecurityGroupRules on each observed
// Net: true when its default group has a rule.
func (d *Driver) withDefaultGroups(ctx context.Context, obs []driver.Observed) ([]driver.Observed, error) {
	ids := make([]string, 0, len(obs))
	for _, o := range obs {
		ids = append(ids, o.ID)
	}
	groups, err := d.defaultGroups(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range obs {
		g := groups[obs[i].ID]
		obs[i].Resource.Net.KeepDefaultSecurityGroupRules = len(g.IpPermissions)+len(g.IpPermissionsEgress) > 0
	}
	return obs, nil
}

// syncDefaultGroup empties the default group of vpc, or, with keep, gives
// it back AWS's rules when it has none.
func (d *Driver) syncDefaultGroup(ctx context.Context, vpc string, keep bool) error {
	groups, err := d.defaultGroups(ctx, []string{vpc})
	if err != nil {
		return err
	}
	g, ok := groups[vpc]
	if !ok {
		return nil
	}
	id := g.GroupId
	if keep {
		if len(g.IpPermissions)+len(g.IpPermissionsEgress) > 0 {
			return nil
		}
		if _, err := d.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: id, IpPermissions: []ec2types.IpPermission{
			{IpProtocol: awssdk.String("-1"), UserIdGroupPairs: []ec2types.UserIdGroupPair{{GroupId: id}}}}}); err != nil {
			return mapErr("AuthorizeSecurityGroupIngress", string(blueprint.KindNet), vpc, err)
		}
		_, err := d.EC2.AuthorizeSecurityGroupEgress(ctx, &ec2.AuthorizeSecurityGroupEgressInput{GroupId: id, IpPermissions: []ec2types.IpPermission{
			{IpProtocol: awssdk.String("-1"), IpRanges: []ec2types.IpRange{{CidrIp: awssdk.String("0.0.0.0/0")}}}}})
		return mapErr("AuthorizeSecurityGroupEgress", string(blueprint.KindNet), vpc, err)
	}
	if len(g.IpPermissions)+len(g.IpPermissionsEgress) == 0 {
		return nil
	}
	return d.emptyGroup(ctx, awssdk.ToString(id))
}

// emptyGroup revokes every rule of group by rule id, as reconcileRules
// does (settleRules with no rule wanted): a revoke refused with
// InvalidPermission.NotFound (a rule already gone, a repeat of a call
// whose answer was lost) is settled by reading the group again.
// Revoking the permissions as DescribeSecurityGroups gives them must
// match each whole, and moto answered InvalidPermission.NotFound to that
// once under a loaded full test run.
func (d *Driver) emptyGroup(ctx context.Context, group string) error {
	have, err := d.describeRules(ctx, group)
	if err != nil {
		return err
	}
	for _, egress := range []bool{false, true} {
		if err := d.settleRules(ctx, group, egress, nil, have); err != nil {
			return err
		}
	}
	return nil
}

// updateVPC changes what a VPC changes in place: its default group's
// rules.
func (d *Driver) updateVPC(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	if err := d.syncDefaultGroup(ctx, cur.ID, req.Resource.Net.KeepDefaultSecurityGroupRules); err != nil {
		return driver.Observed{}, err
	}
	return d.readVPC(ctx, cur.ID)
}
