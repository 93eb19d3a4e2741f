package aws

import (
	"context"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

func sgObserved(g ec2types.SecurityGroup) driver.Observed {
	o := observed(blueprint.KindSecurityGroup, awssdk.ToString(g.GroupId), fromEC2Tags(g.Tags), true, "available")
	o.Resource.SecurityGroup = &blueprint.SecurityGroupSpec{
		Net:         blueprint.Ref(awssdk.ToString(g.VpcId)),
		Name:        awssdk.ToString(g.GroupName),
		Description: awssdk.ToString(g.Description),
	}
	return o
}

// createSecurityGroup creates the group alone: its rules, the default
// allow-all egress rule included, belong to the security_group_rules
// resource of the group.
func (d *Driver) createSecurityGroup(ctx context.Context, req driver.Request) (driver.Observed, error) {
	spec := req.Resource.SecurityGroup
	out, err := lookUp(ctx, d.EC2.DescribeSecurityGroups, &ec2.DescribeSecurityGroupsInput{
		Filters: append(logicalFilters(req), filter("vpc-id", string(spec.Net))),
	})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeSecurityGroups", "security_group", req.Resource.ID, err)
	}
	if g := earlier(req, out.SecurityGroups, func(g *ec2types.SecurityGroup) []ec2types.Tag { return g.Tags }); g != nil {
		return sgObserved(*g), nil
	}
	desc := spec.Description
	if desc == "" {
		desc = spec.Name
	}
	c, err := d.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName:         awssdk.String(spec.Name),
		Description:       awssdk.String(desc),
		VpcId:             awssdk.String(string(spec.Net)),
		TagSpecifications: tagSpec(ec2types.ResourceTypeSecurityGroup, req.Tags),
	})
	if err != nil {
		return driver.Observed{}, mapErr("CreateSecurityGroup", "security_group", req.Resource.ID, err)
	}
	return sgObserved(ec2types.SecurityGroup{
		GroupId: c.GroupId, GroupName: awssdk.String(spec.Name), Description: awssdk.String(desc),
		VpcId: awssdk.String(string(spec.Net)), Tags: ec2Tags(req.Tags),
	}), nil
}

func (d *Driver) describeGroup(ctx context.Context, id string) (*ec2types.SecurityGroup, error) {
	out, err := d.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{id}})
	if err != nil {
		return nil, mapErr("DescribeSecurityGroups", "security_group", id, err)
	}
	if len(out.SecurityGroups) == 0 {
		return nil, notFound("DescribeSecurityGroups", blueprint.KindSecurityGroup, id)
	}
	return &out.SecurityGroups[0], nil
}

func (d *Driver) readSecurityGroup(ctx context.Context, id string) (driver.Observed, error) {
	g, err := d.describeGroup(ctx, id)
	if err != nil {
		return driver.Observed{}, err
	}
	return sgObserved(*g), nil
}

func (d *Driver) listSecurityGroups(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	// The answer the rule sets (and the Nets' default groups) share.
	groups, err := d.ownedGroups(ctx, q, func(map[string]string) bool { return true })
	if err != nil {
		return nil, mapErr("DescribeSecurityGroups", string(blueprint.KindSecurityGroup), "", err)
	}
	out := make([]driver.Observed, 0, len(groups))
	for _, g := range groups {
		out = append(out, sgObserved(g))
	}
	return out, nil
}

func (d *Driver) deleteSecurityGroup(ctx context.Context, cur driver.Observed) error {
	_, err := d.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: awssdk.String(cur.ID)})
	switch {
	case err == nil, isCode(err, driver.NotFound):
		return nil
	case isCode(err, driver.Dependency):
		return d.withBlockers(ctx, mapErr("DeleteSecurityGroup", "security_group", cur.ID, err), "group-id", cur.ID)
	}
	return mapErr("DeleteSecurityGroup", "security_group", cur.ID, err)
}
