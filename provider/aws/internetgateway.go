package aws

import (
	"context"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

func igwObserved(g ec2types.InternetGateway) driver.Observed {
	var vpc string
	state := "detached"
	for _, a := range g.Attachments {
		vpc, state = awssdk.ToString(a.VpcId), string(a.State)
	}
	o := observed(blueprint.KindInternetGateway, awssdk.ToString(g.InternetGatewayId), fromEC2Tags(g.Tags), vpc != "", state)
	o.Resource.InternetGateway = &blueprint.InternetGatewaySpec{Net: blueprint.Ref(vpc)}
	return o
}

func (d *Driver) createInternetGateway(ctx context.Context, req driver.Request) (driver.Observed, error) {
	vpc := string(req.Resource.InternetGateway.Net)
	out, err := lookUp(ctx, d.EC2.DescribeInternetGateways, &ec2.DescribeInternetGatewaysInput{Filters: logicalFilters(req)})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeInternetGateways", "internet_gateway", req.Resource.ID, err)
	}
	var g ec2types.InternetGateway
	if found := earlier(req, out.InternetGateways, func(g *ec2types.InternetGateway) []ec2types.Tag { return g.Tags }); found != nil {
		g = *found
	} else {
		c, err := d.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{
			TagSpecifications: tagSpec(ec2types.ResourceTypeInternetGateway, req.Tags),
		})
		if err != nil {
			return driver.Observed{}, mapErr("CreateInternetGateway", "internet_gateway", req.Resource.ID, err)
		}
		g = *c.InternetGateway
	}
	id := awssdk.ToString(g.InternetGatewayId)
	if len(g.Attachments) == 0 {
		_, err := d.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: awssdk.String(id), VpcId: awssdk.String(vpc)})
		if err != nil {
			return driver.Observed{}, mapErr("AttachInternetGateway", "internet_gateway", id, err)
		}
		g.Attachments = []ec2types.InternetGatewayAttachment{{VpcId: awssdk.String(vpc), State: ec2types.AttachmentStatusAttached}}
	}
	return igwObserved(g), nil
}

func (d *Driver) readInternetGateway(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{InternetGatewayIds: []string{id}})
	return readOne("DescribeInternetGateways", blueprint.KindInternetGateway, id, out, err,
		func(o *ec2.DescribeInternetGatewaysOutput) []ec2types.InternetGateway { return o.InternetGateways }, igwObserved)
}

// listInternetGateways lists the deployment's internet gateways, attached
// or not: it is not scoped by q.NetIDs, since one a run made but could not
// attach (the run died, or AttachInternetGateway failed) is in no VPC, and
// the next run must find it, to attach it or delete it, rather than make a
// second one and leak the first.
func (d *Driver) listInternetGateways(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	p := ec2.NewDescribeInternetGatewaysPaginator(d.EC2, &ec2.DescribeInternetGatewaysInput{Filters: ownerFilters(q, "")})
	return listAll(ctx, p.HasMorePages, p.NextPage, "DescribeInternetGateways", blueprint.KindInternetGateway,
		func(o *ec2.DescribeInternetGatewaysOutput) []ec2types.InternetGateway { return o.InternetGateways }, igwObserved)
}

// deleteInternetGateway detaches the gateway, retrying while AWS still
// maps public addresses in the VPC (they linger minutes after a NAT
// gateway or load balancer is gone), then deletes it.
func (d *Driver) deleteInternetGateway(ctx context.Context, cur driver.Observed) error {
	g, err := d.readInternetGateway(ctx, cur.ID)
	if isCode(err, driver.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if vpc := string(g.Resource.InternetGateway.Net); vpc != "" {
		err := d.retryWhile(ctx, driver.Dependency, func() error {
			_, err := d.EC2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: awssdk.String(cur.ID), VpcId: awssdk.String(vpc)})
			return mapErr("DetachInternetGateway", "internet_gateway", cur.ID, err)
		})
		if err != nil && !isCode(err, driver.NotFound) && awsCode(err) != "Gateway.NotAttached" {
			if isCode(err, driver.Dependency) {
				return d.withBlockers(ctx, err, "vpc-id", vpc)
			}
			return err
		}
	}
	_, err = d.EC2.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: awssdk.String(cur.ID)})
	if isCode(err, driver.NotFound) {
		return nil
	}
	return mapErr("DeleteInternetGateway", "internet_gateway", cur.ID, err)
}
