package aws

import (
	"context"
	"fmt"
	"net/netip"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/resend"
)

func subnetObserved(s ec2types.Subnet) driver.Observed {
	tags := fromEC2Tags(s.Tags)
	o := observed(blueprint.KindSubnet, awssdk.ToString(s.SubnetId), tags, s.State == ec2types.SubnetStateAvailable, string(s.State))
	p, _ := netip.ParsePrefix(awssdk.ToString(s.CidrBlock))
	o.Resource.Subnet = &blueprint.SubnetSpec{
		Net:    blueprint.Ref(awssdk.ToString(s.VpcId)),
		CIDR:   p,
		Zone:   awssdk.ToString(s.AvailabilityZone),
		Tier:   tags[tagTier],
		Public: awssdk.ToBool(s.MapPublicIpOnLaunch),
	}
	return o
}

func (d *Driver) createSubnet(ctx context.Context, req driver.Request) (driver.Observed, error) {
	spec := req.Resource.Subnet
	// AWS refuses subnets outside /16-/28; moto does not, so the driver
	// checks, to behave the same on both.
	bounds := netplan.AWS.SubnetPrefix
	if spec.CIDR.Addr().Is6() {
		bounds = netplan.AWS.SubnetPrefix6
	}
	if !spec.CIDR.IsValid() || !bounds.Contains(spec.CIDR.Bits()) {
		return driver.Observed{}, driver.NewError("CreateSubnet", "subnet", req.Resource.ID, driver.Invalid,
			fmt.Errorf("aws: subnet %s: cidr %s: prefix outside /%d-/%d; use a prefix in that range", req.Resource.ID, spec.CIDR, bounds.Min, bounds.Max))
	}
	s, found, err := d.findSubnet(ctx, req)
	if err != nil {
		return driver.Observed{}, err
	}
	if !found {
		c, err := d.EC2.CreateSubnet(ctx, &ec2.CreateSubnetInput{
			VpcId:             awssdk.String(string(spec.Net)),
			CidrBlock:         awssdk.String(spec.CIDR.String()),
			AvailabilityZone:  awssdk.String(spec.Zone),
			TagSpecifications: tagSpec(ec2types.ResourceTypeSubnet, withTags(req.Tags, tagTier, spec.Tier)),
		})
		switch {
		case awsCode(err) == "InvalidSubnet.Conflict":
			// The SDK's retry of a create whose answer was lost meets the
			// subnet that create made, tagged as ours: take it.
			if s, found, _ = d.findSubnet(resend.Force(ctx), req); !found {
				return driver.Observed{}, mapErr("CreateSubnet", "subnet", req.Resource.ID, err)
			}
		case err != nil:
			return driver.Observed{}, mapErr("CreateSubnet", "subnet", req.Resource.ID, err)
		default:
			s = *c.Subnet
		}
	}
	if awssdk.ToBool(s.MapPublicIpOnLaunch) != spec.Public {
		if err := d.setMapPublicIP(ctx, awssdk.ToString(s.SubnetId), spec.Public); err != nil {
			return driver.Observed{}, err
		}
		s.MapPublicIpOnLaunch = awssdk.Bool(spec.Public)
	}
	return subnetObserved(s), nil
}

// findSubnet looks for the subnet of req by its ownership tags in req's
// Net.
func (d *Driver) findSubnet(ctx context.Context, req driver.Request) (ec2types.Subnet, bool, error) {
	out, err := lookUp(ctx, d.EC2.DescribeSubnets, &ec2.DescribeSubnetsInput{
		Filters: append(logicalFilters(req), filter("vpc-id", string(req.Resource.Subnet.Net)))})
	if err != nil {
		return ec2types.Subnet{}, false, mapErr("DescribeSubnets", "subnet", req.Resource.ID, err)
	}
	if s := earlier(req, out.Subnets, func(s *ec2types.Subnet) []ec2types.Tag { return s.Tags }); s != nil {
		return *s, true, nil
	}
	return ec2types.Subnet{}, false, nil
}

func (d *Driver) setMapPublicIP(ctx context.Context, id string, on bool) error {
	_, err := d.EC2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{
		SubnetId:            awssdk.String(id),
		MapPublicIpOnLaunch: &ec2types.AttributeBooleanValue{Value: awssdk.Bool(on)},
	})
	return mapErr("ModifySubnetAttribute", "subnet", id, err)
}

func (d *Driver) updateSubnet(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	if cur.Resource.Subnet == nil || cur.Resource.Subnet.Public != req.Resource.Subnet.Public {
		if err := d.setMapPublicIP(ctx, cur.ID, req.Resource.Subnet.Public); err != nil {
			return driver.Observed{}, err
		}
	}
	return d.readSubnet(ctx, cur.ID)
}

func (d *Driver) readSubnet(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{id}})
	return readOne("DescribeSubnets", blueprint.KindSubnet, id, out, err,
		func(o *ec2.DescribeSubnetsOutput) []ec2types.Subnet { return o.Subnets }, subnetObserved)
}

func (d *Driver) listSubnets(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	p := ec2.NewDescribeSubnetsPaginator(d.EC2, &ec2.DescribeSubnetsInput{Filters: ownerFilters(q, "vpc-id")})
	return listAll(ctx, p.HasMorePages, p.NextPage, "DescribeSubnets", blueprint.KindSubnet,
		func(o *ec2.DescribeSubnetsOutput) []ec2types.Subnet { return o.Subnets }, subnetObserved)
}

func (d *Driver) deleteSubnet(ctx context.Context, cur driver.Observed) error {
	_, err := d.EC2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: awssdk.String(cur.ID)})
	switch {
	case err == nil, isCode(err, driver.NotFound):
		return nil
	case isCode(err, driver.Dependency):
		return d.withBlockers(ctx, mapErr("DeleteSubnet", "subnet", cur.ID, err), "subnet-id", cur.ID)
	}
	return mapErr("DeleteSubnet", "subnet", cur.ID, err)
}

// withBlockers adds to a Dependency error the network interfaces that
// archkit does not own in the VPC, subnet or group (filter name/value).
func (d *Driver) withBlockers(ctx context.Context, err error, name, value string) error {
	pe, ok := err.(*driver.Error)
	if !ok {
		return err
	}
	out, derr := d.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: []ec2types.Filter{filter(name, value)}})
	if derr != nil {
		return err
	}
	for _, ni := range out.NetworkInterfaces {
		if _, ours := fromEC2Tags(ni.TagSet)[driver.TagDeployment]; ours {
			continue
		}
		b := driver.Blocker{Kind: "network_interface", ID: awssdk.ToString(ni.NetworkInterfaceId)}
		if ni.Attachment != nil && awssdk.ToString(ni.Attachment.InstanceId) != "" {
			b = driver.Blocker{Kind: "instance", ID: awssdk.ToString(ni.Attachment.InstanceId)}
		} else if ni.InterfaceType != "" && ni.InterfaceType != ec2types.NetworkInterfaceTypeInterface {
			b.Kind = string(ni.InterfaceType)
		}
		pe.Blockers = append(pe.Blockers, b)
	}
	return pe
}
