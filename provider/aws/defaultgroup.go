package aws

import (
	"context"

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
// in one call.
func (d *Driver) defaultGroups(ctx context.Context, vpcs []string) (map[string]ec2types.SecurityGroup, error) {
	out := map[string]ec2types.SecurityGroup{}
	if len(vpcs) == 0 {
		return out, nil
	}
	p := ec2.NewDescribeSecurityGroupsPaginator(d.EC2, &ec2.DescribeSecurityGroupsInput{
		Filters: []ec2types.Filter{{Name: awssdk.String("vpc-id"), Values: vpcs}, filter("group-name", "default")}})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeSecurityGroups", string(blueprint.KindNet), vpcs[0], err)
		}
		for _, g := range page.SecurityGroups {
			out[awssdk.ToString(g.VpcId)] = g
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
