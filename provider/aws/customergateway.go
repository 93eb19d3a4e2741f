package aws

import (
	"context"
	"net/netip"
	"strconv"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

func cgwObserved(g ec2types.CustomerGateway) driver.Observed {
	state := awssdk.ToString(g.State)
	o := observed(blueprint.KindCustomerGateway, awssdk.ToString(g.CustomerGatewayId), fromEC2Tags(g.Tags), state == "available", state)
	ip, _ := netip.ParseAddr(awssdk.ToString(g.IpAddress))
	asn, _ := strconv.ParseUint(awssdk.ToString(g.BgpAsn), 10, 32)
	o.Resource.CustomerGateway = &blueprint.CustomerGatewaySpec{PublicIP: ip, ASN: uint32(asn)}
	return o
}

// liveCGWs drops the customer gateways AWS still lists after their delete.
func liveCGWs(o *ec2.DescribeCustomerGatewaysOutput) []ec2types.CustomerGateway {
	var out []ec2types.CustomerGateway
	for _, g := range o.CustomerGateways {
		if s := awssdk.ToString(g.State); s != "deleted" && s != "deleting" {
			out = append(out, g)
		}
	}
	return out
}

// createCustomerGateway creates the customer gateway of type ipsec.1 for
// the peer's device (CreateCustomerGateway with IpAddress and BgpAsn), or
// returns the one of an earlier try, found by its tags.
func (d *Driver) createCustomerGateway(ctx context.Context, req driver.Request) (driver.Observed, error) {
	s := req.Resource.CustomerGateway
	out, err := lookUp(ctx, d.EC2.DescribeCustomerGateways, &ec2.DescribeCustomerGatewaysInput{Filters: logicalFilters(req)})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeCustomerGateways", "customer_gateway", req.Resource.ID, err)
	}
	if found := earlier(req, liveCGWs(out), cgwTags); found != nil {
		return cgwObserved(*found), nil
	}
	c, err := d.EC2.CreateCustomerGateway(ctx, &ec2.CreateCustomerGatewayInput{Type: ec2types.GatewayTypeIpsec1,
		IpAddress: awssdk.String(s.PublicIP.String()), BgpAsn: awssdk.Int32(int32(min(s.ASN, blueprint.MaxCustomerGatewayASN))),
		TagSpecifications: tagSpec(ec2types.ResourceTypeCustomerGateway, req.Tags)})
	if err != nil {
		return driver.Observed{}, mapErr("CreateCustomerGateway", "customer_gateway", req.Resource.ID, err)
	}
	return cgwObserved(*c.CustomerGateway), nil
}

func (d *Driver) readCustomerGateway(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeCustomerGateways(ctx, &ec2.DescribeCustomerGatewaysInput{CustomerGatewayIds: []string{id}})
	return readOne("DescribeCustomerGateways", blueprint.KindCustomerGateway, id, out, err, liveCGWs, cgwObserved)
}

// listCustomerGateways lists the deployment's customer gateways;
// DescribeCustomerGateways has no pages.
func (d *Driver) listCustomerGateways(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	out, err := d.EC2.DescribeCustomerGateways(ctx, &ec2.DescribeCustomerGatewaysInput{Filters: ownerFilters(q, "")})
	if err != nil {
		return nil, mapErr("DescribeCustomerGateways", string(blueprint.KindCustomerGateway), "", err)
	}
	var res []driver.Observed
	for _, g := range ownedOnly(liveCGWs(out), cgwTags, q.Deployment) {
		res = append(res, cgwObserved(g))
	}
	return res, nil
}

func (d *Driver) deleteCustomerGateway(ctx context.Context, cur driver.Observed) error {
	err := d.retryWhile(ctx, driver.Dependency, func() error {
		_, err := d.EC2.DeleteCustomerGateway(ctx, &ec2.DeleteCustomerGatewayInput{CustomerGatewayId: awssdk.String(cur.ID)})
		return mapErr("DeleteCustomerGateway", "customer_gateway", cur.ID, err)
	})
	if isCode(err, driver.NotFound) {
		return nil
	}
	return err
}

func cgwTags(g *ec2types.CustomerGateway) []ec2types.Tag { return g.Tags }
