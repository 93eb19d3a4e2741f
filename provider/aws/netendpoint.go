package aws

import (
	"context"
	"errors"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// A net endpoint is a VPC endpoint (CreateVpcEndpoint) to the service
// "com.amazonaws.<region>.<service>" of the driver's region: a Gateway
// endpoint with its RouteTableIds, to which EC2 adds a route from the
// service's prefix list in each table; an Interface endpoint with one
// SubnetId per zone, its SecurityGroupIds and PrivateDnsEnabled. It is
// created with the request's token as ClientToken and the tags in the
// create, looked up by its tags before a create is sent again.
// ModifyVpcEndpoint changes its route tables, subnets, groups and private
// DNS in place; DeleteVpcEndpoints deletes it, and the driver waits until
// it is gone, since its network interfaces hold its subnets and groups
// until then.

// endpointType is the EC2 type of a spec's type.
func endpointType(t string) ec2types.VpcEndpointType {
	if t == blueprint.EndpointGateway {
		return ec2types.VpcEndpointTypeGateway
	}
	return ec2types.VpcEndpointTypeInterface
}

func (d *Driver) netEndpointObserved(e ec2types.VpcEndpoint) driver.Observed {
	state := strings.ToLower(string(e.State))
	o := observed(blueprint.KindNetEndpoint, awssdk.ToString(e.VpcEndpointId), fromEC2Tags(e.Tags), state == "available", state)
	s := &blueprint.NetEndpointSpec{Net: blueprint.Ref(awssdk.ToString(e.VpcId)),
		Service:     strings.TrimPrefix(awssdk.ToString(e.ServiceName), "com.amazonaws."+d.region+"."),
		Type:        blueprint.EndpointInterface,
		RouteTables: refsOfIDs(e.RouteTableIds), Subnets: refsOfIDs(e.SubnetIds)}
	if strings.EqualFold(string(e.VpcEndpointType), string(ec2types.VpcEndpointTypeGateway)) {
		s.Type = blueprint.EndpointGateway
	} else {
		s.PrivateDNS = awssdk.ToBool(e.PrivateDnsEnabled)
	}
	for _, g := range e.Groups {
		s.SecurityGroups = append(s.SecurityGroups, blueprint.Ref(awssdk.ToString(g.GroupId)))
	}
	o.Resource.NetEndpoint = s
	o.Resource.Normalize()
	return o
}

func refsOfIDs(ids []string) []blueprint.Ref {
	if len(ids) == 0 {
		return nil
	}
	out := make([]blueprint.Ref, len(ids))
	for i, id := range ids {
		out[i] = blueprint.Ref(id)
	}
	return out
}

func idsOfRefs(rs []blueprint.Ref) []string {
	if len(rs) == 0 {
		return nil
	}
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// live reports whether an endpoint still exists: AWS lists deleted ones
// for a while.
func live(e *ec2types.VpcEndpoint) bool {
	return !strings.EqualFold(string(e.State), string(ec2types.StateDeleted))
}

// createNetEndpoint sends CreateVpcEndpoint, or returns what an earlier
// try made, found by its tags.
func (d *Driver) createNetEndpoint(ctx context.Context, req driver.Request) (driver.Observed, error) {
	s := req.Resource.NetEndpoint
	// AWS refuses a service the region lacks and a type the service has
	// not (InvalidServiceName); moto accepts both: checked before the call.
	if err := req.Resource.Check(); err != nil {
		return driver.Observed{}, driver.NewError("CreateVpcEndpoint", "net_endpoint", req.Resource.ID, driver.Invalid, err)
	}
	out, err := d.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{Filters: logicalFilters(req)})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeVpcEndpoints", "net_endpoint", req.Resource.ID, err)
	}
	out.VpcEndpoints = slices.DeleteFunc(out.VpcEndpoints, func(e ec2types.VpcEndpoint) bool { return !live(&e) })
	if found := earlier(req, out.VpcEndpoints, func(e *ec2types.VpcEndpoint) []ec2types.Tag { return e.Tags }); found != nil {
		return d.netEndpointObserved(*found), nil
	}
	in := &ec2.CreateVpcEndpointInput{VpcId: awssdk.String(string(s.Net)), ServiceName: awssdk.String(s.ServiceName(d.region)),
		VpcEndpointType: endpointType(s.Type), ClientToken: awssdk.String(req.Token),
		TagSpecifications: tagSpec(ec2types.ResourceTypeVpcEndpoint, req.Tags)}
	if s.Type == blueprint.EndpointGateway {
		in.RouteTableIds = idsOfRefs(s.RouteTables)
	} else {
		in.SubnetIds, in.SecurityGroupIds, in.PrivateDnsEnabled = idsOfRefs(s.Subnets), idsOfRefs(s.SecurityGroups), awssdk.Bool(s.PrivateDNS)
	}
	c, err := d.EC2.CreateVpcEndpoint(ctx, in)
	if err != nil {
		return driver.Observed{}, mapErr("CreateVpcEndpoint", "net_endpoint", req.Resource.ID, err)
	}
	if c.VpcEndpoint == nil {
		return driver.Observed{}, driver.NewError("CreateVpcEndpoint", "net_endpoint", req.Resource.ID, driver.Internal, errors.New("aws: no endpoint in the answer"))
	}
	return d.netEndpointObserved(*c.VpcEndpoint), nil
}

func (d *Driver) readNetEndpoint(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{id}})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeVpcEndpoints", "net_endpoint", id, err)
	}
	if len(out.VpcEndpoints) == 0 || !live(&out.VpcEndpoints[0]) {
		return driver.Observed{}, notFound("DescribeVpcEndpoints", blueprint.KindNetEndpoint, id)
	}
	return d.netEndpointObserved(out.VpcEndpoints[0]), nil
}

// listNetEndpoints lists the deployment's endpoints, of its VPCs when
// known.
func (d *Driver) listNetEndpoints(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	p := ec2.NewDescribeVpcEndpointsPaginator(d.EC2, &ec2.DescribeVpcEndpointsInput{Filters: ownerFilters(q, "vpc-id")})
	var res []driver.Observed
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeVpcEndpoints", "net_endpoint", "", err)
		}
		for _, e := range ownedOnly(page.VpcEndpoints, func(e *ec2types.VpcEndpoint) []ec2types.Tag { return e.Tags }, q.Deployment) {
			if live(&e) {
				res = append(res, d.netEndpointObserved(e))
			}
		}
	}
	return res, nil
}

// updateNetEndpoint sends one ModifyVpcEndpoint with the route tables,
// subnets and groups to add and remove, and private DNS when it changed.
func (d *Driver) updateNetEndpoint(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	want, have := req.Resource.NetEndpoint, cur.Resource.NetEndpoint
	if have == nil {
		have = &blueprint.NetEndpointSpec{}
	}
	in := &ec2.ModifyVpcEndpointInput{VpcEndpointId: awssdk.String(cur.ID)}
	in.AddRouteTableIds, in.RemoveRouteTableIds = refDiff(want.RouteTables, have.RouteTables)
	in.AddSubnetIds, in.RemoveSubnetIds = refDiff(want.Subnets, have.Subnets)
	in.AddSecurityGroupIds, in.RemoveSecurityGroupIds = refDiff(want.SecurityGroups, have.SecurityGroups)
	if want.Type == blueprint.EndpointInterface && want.PrivateDNS != have.PrivateDNS {
		in.PrivateDnsEnabled = awssdk.Bool(want.PrivateDNS)
	}
	changed := len(in.AddRouteTableIds)+len(in.RemoveRouteTableIds)+len(in.AddSubnetIds)+len(in.RemoveSubnetIds)+
		len(in.AddSecurityGroupIds)+len(in.RemoveSecurityGroupIds) > 0 || in.PrivateDnsEnabled != nil
	if changed {
		if _, err := d.EC2.ModifyVpcEndpoint(ctx, in); err != nil {
			return driver.Observed{}, mapErr("ModifyVpcEndpoint", "net_endpoint", cur.ID, err)
		}
	}
	return d.readNetEndpoint(ctx, cur.ID)
}

// refDiff returns the ids of want that have lacks, and of have that want
// lacks.
func refDiff(want, have []blueprint.Ref) (add, remove []string) {
	for _, r := range want {
		if !slices.Contains(have, r) {
			add = append(add, string(r))
		}
	}
	for _, r := range have {
		if !slices.Contains(want, r) {
			remove = append(remove, string(r))
		}
	}
	return add, remove
}

// deleteNetEndpoint sends DeleteVpcEndpoints and waits until the endpoint
// is gone: its network interfaces hold its subnets and security groups
// until then.
func (d *Driver) deleteNetEndpoint(ctx context.Context, cur driver.Observed) error {
	out, err := d.EC2.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{cur.ID}})
	if err := mapErr("DeleteVpcEndpoints", "net_endpoint", cur.ID, err); err != nil {
		if driver.CodeOf(err) == driver.NotFound {
			return nil
		}
		return err
	}
	for _, u := range out.Unsuccessful {
		if u.Error != nil && !strings.HasSuffix(awssdk.ToString(u.Error.Code), "NotFound") {
			return driver.NewError("DeleteVpcEndpoints", "net_endpoint", cur.ID, driver.Invalid, errors.New("aws: "+awssdk.ToString(u.Error.Message)))
		}
	}
	return d.retryWhile(ctx, driver.Dependency, func() error {
		o, err := d.readNetEndpoint(ctx, cur.ID)
		switch {
		case driver.CodeOf(err) == driver.NotFound:
			return nil
		case err != nil:
			return err
		}
		return driver.NewError("DescribeVpcEndpoints", "net_endpoint", cur.ID, driver.Dependency, errors.New("aws: still "+o.Status))
	})
}
