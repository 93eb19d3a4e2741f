package aws

import (
	"context"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/resend"
)

func natObserved(g ec2types.NatGateway) driver.Observed {
	tags := fromEC2Tags(g.Tags)
	o := observed(blueprint.KindNATGateway, awssdk.ToString(g.NatGatewayId), tags, g.State == ec2types.NatGatewayStateAvailable, string(g.State))
	spec := &blueprint.NATGatewaySpec{
		Subnet:          blueprint.Ref(awssdk.ToString(g.SubnetId)),
		InternetGateway: blueprint.Ref(tags[tagIGW]),
		PublicRoute:     blueprint.Ref(tags[tagPublicRoute]),
		Zone:            tags[tagZone],
	}
	for _, a := range g.NatGatewayAddresses {
		if id := awssdk.ToString(a.AllocationId); id != "" {
			spec.PublicIP = blueprint.Ref(id)
			break
		}
	}
	o.Resource.NATGateway = spec
	return o
}

// NAT gateways are found by subnet and state, and their tags checked
// here: moto ignores tag filters on DescribeNatGateways (CAPA does the
// same on AWS).
func (d *Driver) findNATGateway(ctx context.Context, req driver.Request, subnet string) (*ec2types.NatGateway, error) {
	if !resend.Resending(ctx) {
		return nil, nil
	}
	in := &ec2.DescribeNatGatewaysInput{Filter: []ec2types.Filter{filter("state", "pending", "available")}}
	if subnet != "" {
		in.Filter = append(in.Filter, filter("subnet-id", subnet))
	}
	p := ec2.NewDescribeNatGatewaysPaginator(d.EC2, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeNatGateways", "nat_gateway", req.Resource.ID, err)
		}
		if g := earlier(req, out.NatGateways, func(g *ec2types.NatGateway) []ec2types.Tag { return g.Tags }); g != nil {
			return g, nil
		}
	}
	return nil, nil
}

// createNATGateway creates the gateway with the request's client token
// and waits, bounded by Options.WaitTimeout, until it is available; if it
// is still pending then, it returns it with Ready false.
func (d *Driver) createNATGateway(ctx context.Context, req driver.Request) (driver.Observed, error) {
	spec := req.Resource.NATGateway
	g, err := d.findNATGateway(ctx, req, string(spec.Subnet))
	if err != nil {
		return driver.Observed{}, err
	}
	if g == nil {
		tags := withTags(req.Tags, tagZone, spec.Zone, tagIGW, string(spec.InternetGateway), tagPublicRoute, string(spec.PublicRoute))
		out, err := d.EC2.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{
			SubnetId:          awssdk.String(string(spec.Subnet)),
			AllocationId:      awssdk.String(string(spec.PublicIP)),
			ConnectivityType:  ec2types.ConnectivityTypePublic,
			ClientToken:       token(req),
			TagSpecifications: tagSpec(ec2types.ResourceTypeNatgateway, tags),
		})
		if err != nil {
			return driver.Observed{}, mapErr("CreateNatGateway", "nat_gateway", req.Resource.ID, err)
		}
		g = out.NatGateway
	}
	id := awssdk.ToString(g.NatGatewayId)
	if g.State == ec2types.NatGatewayStateAvailable {
		return natObserved(*g), nil
	}
	minDelay, maxDelay := d.delays()
	w := ec2.NewNatGatewayAvailableWaiter(d.EC2, func(o *ec2.NatGatewayAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = minDelay, maxDelay
	})
	out, err := w.WaitForOutput(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{id}}, d.waitBound())
	switch {
	case err == nil && len(out.NatGateways) > 0:
		return natObserved(out.NatGateways[0]), nil
	case err == nil, isWaitTimeout(err):
		return d.readNATGateway(ctx, id)
	}
	return driver.Observed{}, mapErr("DescribeNatGateways", "nat_gateway", id, err)
}

func token(req driver.Request) *string {
	if req.Token == "" {
		return nil
	}
	t := req.Token
	if len(t) > 64 {
		t = t[:64]
	}
	return awssdk.String(t)
}

// readNATGateway treats a gateway in state deleted (AWS shows them for
// about an hour) as gone.
func (d *Driver) readNATGateway(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{id}})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeNatGateways", "nat_gateway", id, err)
	}
	if len(out.NatGateways) == 0 || out.NatGateways[0].State == ec2types.NatGatewayStateDeleted {
		return driver.Observed{}, notFound("DescribeNatGateways", blueprint.KindNATGateway, id)
	}
	return natObserved(out.NatGateways[0]), nil
}

func (d *Driver) listNATGateways(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	in := &ec2.DescribeNatGatewaysInput{Filter: []ec2types.Filter{filter("state", "pending", "available", "failed", "deleting")}}
	if len(q.NetIDs) > 0 {
		in.Filter = append(in.Filter, filter("vpc-id", q.NetIDs...))
	}
	var res []driver.Observed
	p := ec2.NewDescribeNatGatewaysPaginator(d.EC2, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeNatGateways", "nat_gateway", "", err)
		}
		for _, g := range out.NatGateways {
			if owned(fromEC2Tags(g.Tags), q.Deployment) {
				res = append(res, natObserved(g))
			}
		}
	}
	return res, nil
}

// deleteNATGateway deletes the gateway and waits until it is deleted, so
// that its Elastic IP can be released and its subnet deleted next.
func (d *Driver) deleteNATGateway(ctx context.Context, cur driver.Observed) error {
	// Describe first: DeleteNatGateway of an unknown id is a 500 on moto.
	if _, err := d.readNATGateway(ctx, cur.ID); err != nil {
		if isCode(err, driver.NotFound) {
			return nil
		}
		return err
	}
	if _, err := d.EC2.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: awssdk.String(cur.ID)}); err != nil {
		if isCode(err, driver.NotFound) {
			return nil
		}
		return mapErr("DeleteNatGateway", "nat_gateway", cur.ID, err)
	}
	minDelay, maxDelay := d.delays()
	w := ec2.NewNatGatewayDeletedWaiter(d.EC2, func(o *ec2.NatGatewayDeletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = minDelay, maxDelay
	})
	err := w.Wait(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{cur.ID}}, d.waitBound())
	return mapErr("DescribeNatGateways", "nat_gateway", cur.ID, err)
}
