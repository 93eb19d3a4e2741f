package aws

import (
	"context"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// vgwObserved reads a virtual private gateway: its Net is the VPC it is
// attached (or attaching) to; it is ready once available and attached.
func vgwObserved(g ec2types.VpnGateway) driver.Observed {
	var vpc string
	attached := false
	for _, a := range g.VpcAttachments {
		if a.State == ec2types.AttachmentStatusAttached || a.State == ec2types.AttachmentStatusAttaching {
			vpc, attached = awssdk.ToString(a.VpcId), a.State == ec2types.AttachmentStatusAttached
		}
	}
	o := observed(blueprint.KindVPNGateway, awssdk.ToString(g.VpnGatewayId), fromEC2Tags(g.Tags),
		g.State == ec2types.VpnStateAvailable && attached, string(g.State))
	o.Resource.VPNGateway = &blueprint.VPNGatewaySpec{Net: blueprint.Ref(vpc)}
	return o
}

// liveVGWs drops the gateways AWS still lists after their delete.
func liveVGWs(o *ec2.DescribeVpnGatewaysOutput) []ec2types.VpnGateway {
	var out []ec2types.VpnGateway
	for _, g := range o.VpnGateways {
		if g.State != ec2types.VpnStateDeleted && g.State != ec2types.VpnStateDeleting {
			out = append(out, g)
		}
	}
	return out
}

// createVPNGateway creates a virtual private gateway of type ipsec.1
// (CreateVpnGateway; AWS picks its ASN, 64512 by default) and attaches it
// to the VPC (AttachVpnGateway). A gateway of an earlier try, found by its
// tags, is reused.
func (d *Driver) createVPNGateway(ctx context.Context, req driver.Request) (driver.Observed, error) {
	vpc := string(req.Resource.VPNGateway.Net)
	out, err := lookUp(ctx, d.EC2.DescribeVpnGateways, &ec2.DescribeVpnGatewaysInput{Filters: logicalFilters(req)})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeVpnGateways", "vpn_gateway", req.Resource.ID, err)
	}
	var g ec2types.VpnGateway
	if found := earlier(req, liveVGWs(out), vgwTags); found != nil {
		g = *found
	} else {
		c, err := d.EC2.CreateVpnGateway(ctx, &ec2.CreateVpnGatewayInput{Type: ec2types.GatewayTypeIpsec1,
			TagSpecifications: tagSpec(ec2types.ResourceTypeVpnGateway, req.Tags)})
		if err != nil {
			return driver.Observed{}, mapErr("CreateVpnGateway", "vpn_gateway", req.Resource.ID, err)
		}
		g = *c.VpnGateway
	}
	id := awssdk.ToString(g.VpnGatewayId)
	if vgwObserved(g).Resource.VPNGateway.Net == "" {
		a, err := d.EC2.AttachVpnGateway(ctx, &ec2.AttachVpnGatewayInput{VpnGatewayId: awssdk.String(id), VpcId: awssdk.String(vpc)})
		if err != nil {
			return driver.Observed{}, mapErr("AttachVpnGateway", "vpn_gateway", id, err)
		}
		if a.VpcAttachment != nil {
			g.VpcAttachments = append(g.VpcAttachments, *a.VpcAttachment)
		}
	}
	return vgwObserved(g), nil
}

func (d *Driver) readVPNGateway(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{VpnGatewayIds: []string{id}})
	return readOne("DescribeVpnGateways", blueprint.KindVPNGateway, id, out, err, liveVGWs, vgwObserved)
}

// listVPNGateways lists the deployment's gateways; DescribeVpnGateways has
// no pages.
func (d *Driver) listVPNGateways(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	out, err := d.EC2.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{Filters: ownerFilters(q, "attachment.vpc-id")})
	if err != nil {
		return nil, mapErr("DescribeVpnGateways", string(blueprint.KindVPNGateway), "", err)
	}
	var res []driver.Observed
	for _, g := range ownedOnly(liveVGWs(out), vgwTags, q.Deployment) {
		res = append(res, vgwObserved(g))
	}
	return res, nil
}

// deleteVPNGateway detaches the gateway from its VPC, then deletes it,
// retrying while the detach is under way or a VPN connection still uses
// it (IncorrectState).
func (d *Driver) deleteVPNGateway(ctx context.Context, cur driver.Observed) error {
	g, err := d.readVPNGateway(ctx, cur.ID)
	if isCode(err, driver.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if vpc := string(g.Resource.VPNGateway.Net); vpc != "" {
		_, err := d.EC2.DetachVpnGateway(ctx, &ec2.DetachVpnGatewayInput{VpnGatewayId: awssdk.String(cur.ID), VpcId: awssdk.String(vpc)})
		if err = mapErr("DetachVpnGateway", "vpn_gateway", cur.ID, err); err != nil && !isCode(err, driver.NotFound) {
			return err
		}
	}
	err = d.retryWhile(ctx, driver.Dependency, func() error {
		_, err := d.EC2.DeleteVpnGateway(ctx, &ec2.DeleteVpnGatewayInput{VpnGatewayId: awssdk.String(cur.ID)})
		return mapErr("DeleteVpnGateway", "vpn_gateway", cur.ID, err)
	})
	if isCode(err, driver.NotFound) {
		return nil
	}
	return err
}

func vgwTags(g *ec2types.VpnGateway) []ec2types.Tag { return g.Tags }
