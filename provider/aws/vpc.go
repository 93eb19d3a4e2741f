package aws

import (
	"context"
	"net/netip"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// observed builds the Observed of a resource from its tags.
func observed(kind blueprint.Kind, id string, tags map[string]string, ready bool, status string) driver.Observed {
	logical := tags[driver.TagLogicalID]
	return driver.Observed{
		ID:        id,
		LogicalID: logical,
		Resource:  blueprint.Resource{ID: logical, Kind: kind},
		Ready:     ready,
		Status:    status,
		Tags:      userTags(tags),
	}
}

func notFound(op string, kind blueprint.Kind, id string) error {
	return driver.NewError(op, string(kind), id, driver.NotFound, nil)
}

func (d *Driver) vpcObserved(v ec2types.Vpc) driver.Observed {
	o := observed(blueprint.KindNet, awssdk.ToString(v.VpcId), fromEC2Tags(v.Tags), v.State == ec2types.VpcStateAvailable, string(v.State))
	p, _ := netip.ParsePrefix(awssdk.ToString(v.CidrBlock))
	o.Resource.Net = &blueprint.NetSpec{CIDR: p}
	return o
}

func (d *Driver) findVPC(ctx context.Context, req driver.Request) (*ec2types.Vpc, error) {
	out, err := lookUp(ctx, d.EC2.DescribeVpcs, &ec2.DescribeVpcsInput{Filters: logicalFilters(req)})
	if err != nil {
		return nil, mapErr("DescribeVpcs", "net", req.Resource.ID, err)
	}
	return earlier(req, out.Vpcs, func(v *ec2types.Vpc) []ec2types.Tag { return v.Tags }), nil
}

func (d *Driver) createVPC(ctx context.Context, req driver.Request) (driver.Observed, error) {
	spec := req.Resource.Net
	v, err := d.findVPC(ctx, req)
	if err != nil {
		return driver.Observed{}, err
	}
	if v == nil {
		out, err := d.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{
			CidrBlock:         awssdk.String(spec.CIDR.String()),
			TagSpecifications: tagSpec(ec2types.ResourceTypeVpc, req.Tags),
		})
		if err != nil {
			return driver.Observed{}, mapErr("CreateVpc", "net", req.Resource.ID, err)
		}
		v = out.Vpc
	}
	id := awssdk.ToString(v.VpcId)
	// DNS support is on by default; hostnames are not. Set what is missing,
	// one attribute per call as the API requires.
	for _, attr := range []ec2types.VpcAttributeName{ec2types.VpcAttributeNameEnableDnsSupport, ec2types.VpcAttributeNameEnableDnsHostnames} {
		on, err := d.vpcAttribute(ctx, id, attr)
		if err != nil {
			return driver.Observed{}, err
		}
		if on {
			continue
		}
		in := &ec2.ModifyVpcAttributeInput{VpcId: awssdk.String(id)}
		t := &ec2types.AttributeBooleanValue{Value: awssdk.Bool(true)}
		if attr == ec2types.VpcAttributeNameEnableDnsSupport {
			in.EnableDnsSupport = t
		} else {
			in.EnableDnsHostnames = t
		}
		if _, err := d.EC2.ModifyVpcAttribute(ctx, in); err != nil {
			return driver.Observed{}, mapErr("ModifyVpcAttribute", "net", id, err)
		}
	}
	if err := d.syncDefaultGroup(ctx, id, spec.KeepDefaultSecurityGroupRules); err != nil {
		return driver.Observed{}, err
	}
	o := d.vpcObserved(*v)
	o.Resource.Net.KeepDefaultSecurityGroupRules = spec.KeepDefaultSecurityGroupRules
	return o, nil
}

func (d *Driver) vpcAttribute(ctx context.Context, id string, attr ec2types.VpcAttributeName) (bool, error) {
	out, err := d.EC2.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: awssdk.String(id), Attribute: attr})
	if err != nil {
		return false, mapErr("DescribeVpcAttribute", "net", id, err)
	}
	v := out.EnableDnsSupport
	if attr == ec2types.VpcAttributeNameEnableDnsHostnames {
		v = out.EnableDnsHostnames
	}
	return v != nil && awssdk.ToBool(v.Value), nil
}

func (d *Driver) readVPC(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
	o, err := readOne("DescribeVpcs", blueprint.KindNet, id, out, err,
		func(o *ec2.DescribeVpcsOutput) []ec2types.Vpc { return o.Vpcs }, d.vpcObserved)
	if err != nil {
		return o, err
	}
	obs, err := d.withDefaultGroups(ctx, []driver.Observed{o})
	if err != nil {
		return driver.Observed{}, err
	}
	return obs[0], nil
}

func (d *Driver) listVPCs(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	p := ec2.NewDescribeVpcsPaginator(d.EC2, &ec2.DescribeVpcsInput{Filters: ownerFilters(q, "vpc-id")})
	obs, err := listAll(ctx, p.HasMorePages, p.NextPage, "DescribeVpcs", blueprint.KindNet,
		func(o *ec2.DescribeVpcsOutput) []ec2types.Vpc { return o.Vpcs }, d.vpcObserved)
	if err != nil {
		return nil, err
	}
	return d.withDefaultGroups(ctx, obs)
}

func (d *Driver) deleteVPC(ctx context.Context, cur driver.Observed) error {
	_, err := d.EC2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: awssdk.String(cur.ID)})
	switch {
	case err == nil, isCode(err, driver.NotFound):
		return nil
	case isCode(err, driver.Dependency):
		return d.withBlockers(ctx, mapErr("DeleteVpc", "net", cur.ID, err), "vpc-id", cur.ID)
	}
	return mapErr("DeleteVpc", "net", cur.ID, err)
}
