package aws

import (
	"context"
	"net/netip"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/resend"
)

func routeTableObserved(rt ec2types.RouteTable) driver.Observed {
	o := observed(blueprint.KindRouteTable, awssdk.ToString(rt.RouteTableId), fromEC2Tags(rt.Tags), true, "available")
	spec := &blueprint.RouteTableSpec{Net: blueprint.Ref(awssdk.ToString(rt.VpcId))}
	for _, a := range rt.Associations {
		if !awssdk.ToBool(a.Main) && awssdk.ToString(a.SubnetId) != "" {
			spec.Subnet = blueprint.Ref(awssdk.ToString(a.SubnetId))
			o.Parts = map[string][]string{partAssociation: {awssdk.ToString(a.RouteTableAssociationId)}}
		}
	}
	for _, r := range rt.Routes {
		if rs, ok := routeSpec(r); ok {
			spec.Routes = append(spec.Routes, rs)
		}
	}
	sortRoutes(spec.Routes)
	o.Resource.RouteTable = spec
	return o
}

// routeSpec converts an AWS route; the local routes are implicit.
func routeSpec(r ec2types.Route) (blueprint.RouteSpec, bool) {
	dst, err := netip.ParsePrefix(awssdk.ToString(r.DestinationCidrBlock))
	if err != nil {
		return blueprint.RouteSpec{}, false
	}
	switch gw := awssdk.ToString(r.GatewayId); {
	case gw == "local":
		return blueprint.RouteSpec{}, false
	case strings.HasPrefix(gw, "igw-"):
		return blueprint.RouteSpec{Destination: dst, TargetKind: netplan.TargetInternetGateway, Target: blueprint.Ref(gw)}, true
	case strings.HasPrefix(gw, "vgw-") && r.Origin != ec2types.RouteOriginEnableVgwRoutePropagation:
		// a propagated route is the gateway's, not the table's
		return blueprint.RouteSpec{Destination: dst, TargetKind: netplan.TargetVPNGateway, Target: blueprint.Ref(gw)}, true
	}
	if nat := awssdk.ToString(r.NatGatewayId); nat != "" {
		return blueprint.RouteSpec{Destination: dst, TargetKind: netplan.TargetNATGateway, Target: blueprint.Ref(nat)}, true
	}
	if pcx := awssdk.ToString(r.VpcPeeringConnectionId); pcx != "" {
		return blueprint.RouteSpec{Destination: dst, TargetKind: netplan.TargetNetPeering, Target: blueprint.Ref(pcx)}, true
	}
	return blueprint.RouteSpec{}, false
}

func sortRoutes(rs []blueprint.RouteSpec) {
	slices.SortFunc(rs, func(a, b blueprint.RouteSpec) int {
		if c := a.Destination.Addr().Compare(b.Destination.Addr()); c != 0 {
			return c
		}
		return a.Destination.Bits() - b.Destination.Bits()
	})
}

func (d *Driver) findRouteTable(ctx context.Context, req driver.Request) (*ec2types.RouteTable, error) {
	out, err := lookUp(ctx, d.EC2.DescribeRouteTables, &ec2.DescribeRouteTablesInput{
		Filters: append(logicalFilters(req), filter("vpc-id", string(req.Resource.RouteTable.Net))),
	})
	if err != nil {
		return nil, mapErr("DescribeRouteTables", "route_table", req.Resource.ID, err)
	}
	return earlier(req, out.RouteTables, func(rt *ec2types.RouteTable) []ec2types.Tag { return rt.Tags }), nil
}

func (d *Driver) createRouteTable(ctx context.Context, req driver.Request) (driver.Observed, error) {
	rt, err := d.findRouteTable(ctx, req)
	if err != nil {
		return driver.Observed{}, err
	}
	if rt == nil {
		out, err := d.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{
			VpcId:             awssdk.String(string(req.Resource.RouteTable.Net)),
			ClientToken:       token(req),
			TagSpecifications: tagSpec(ec2types.ResourceTypeRouteTable, req.Tags),
		})
		if err != nil {
			return driver.Observed{}, mapErr("CreateRouteTable", "route_table", req.Resource.ID, err)
		}
		rt = out.RouteTable
	}
	return d.reconcileRouteTable(ctx, req, routeTableObserved(*rt))
}

func (d *Driver) updateRouteTable(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	fresh, err := d.readRouteTable(ctx, cur.ID)
	if err != nil {
		return driver.Observed{}, err
	}
	return d.reconcileRouteTable(ctx, req, fresh)
}

// reconcileRouteTable makes the routes and the association of cur those
// of req: it creates missing routes, replaces routes whose target changed,
// deletes extra ones, and moves the subnet to this table.
func (d *Driver) reconcileRouteTable(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	id := cur.ID
	want := req.Resource.RouteTable
	have := map[netip.Prefix]blueprint.RouteSpec{}
	for _, r := range cur.Resource.RouteTable.Routes {
		have[r.Destination] = r
	}
	changed := false
	for _, r := range want.Routes {
		in := routeInput(id, r)
		old, ok := have[r.Destination]
		delete(have, r.Destination)
		switch {
		case !ok:
			_, err := d.EC2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: in.RouteTableId, DestinationCidrBlock: in.DestinationCidrBlock, GatewayId: in.GatewayId, NatGatewayId: in.NatGatewayId,
				VpcPeeringConnectionId: in.VpcPeeringConnectionId})
			if isCode(err, driver.AlreadyExists) {
				// A retried CreateRoute whose first answer was lost finds
				// the route it made (RouteAlreadyExists): point it at the
				// target wanted, which is idempotent.
				_, err = d.EC2.ReplaceRoute(ctx, in)
			}
			if err != nil {
				return driver.Observed{}, mapErr("CreateRoute", "route_table", id, err)
			}
		case old.Target != r.Target:
			if _, err := d.EC2.ReplaceRoute(ctx, in); err != nil {
				return driver.Observed{}, mapErr("ReplaceRoute", "route_table", id, err)
			}
		default:
			continue
		}
		changed = true
	}
	for dst := range have {
		_, err := d.EC2.DeleteRoute(ctx, &ec2.DeleteRouteInput{RouteTableId: awssdk.String(id), DestinationCidrBlock: awssdk.String(dst.String())})
		if err != nil && !isCode(err, driver.NotFound) {
			return driver.Observed{}, mapErr("DeleteRoute", "route_table", id, err)
		}
		changed = true
	}
	if want.Subnet != cur.Resource.RouteTable.Subnet {
		if err := d.associateRouteTable(ctx, id, string(want.Subnet), string(cur.Resource.RouteTable.Subnet)); err != nil {
			return driver.Observed{}, err
		}
		changed = true
	}
	if !changed {
		return cur, nil
	}
	// The calls succeeded: the table holds the routes and the subnet of
	// req, which need no read back.
	spec := *cur.Resource.RouteTable
	spec.Routes = slices.Clone(want.Routes)
	sortRoutes(spec.Routes)
	spec.Subnet = want.Subnet
	cur.Resource.RouteTable = &spec
	return cur, nil
}

func routeInput(id string, r blueprint.RouteSpec) *ec2.ReplaceRouteInput {
	in := &ec2.ReplaceRouteInput{RouteTableId: awssdk.String(id), DestinationCidrBlock: awssdk.String(r.Destination.String())}
	switch r.TargetKind {
	case netplan.TargetNATGateway:
		in.NatGatewayId = awssdk.String(string(r.Target))
	case netplan.TargetNetPeering:
		in.VpcPeeringConnectionId = awssdk.String(string(r.Target))
	default:
		in.GatewayId = awssdk.String(string(r.Target))
	}
	return in
}

// associateRouteTable associates subnet with table id. A subnet already
// associated with another table is moved with
// ReplaceRouteTableAssociation (AWS refuses a second association; moto
// silently keeps the old one).
func (d *Driver) associateRouteTable(ctx context.Context, id, subnet, old string) error {
	if old != "" {
		if err := d.disassociateSubnet(ctx, id, old); err != nil {
			return err
		}
	}
	if subnet == "" {
		return nil
	}
	if old == "" && !resend.Resending(ctx) {
		// The first attempt of a create: a subnet has no explicit
		// association unless another table took it, which AWS refuses
		// with Resource.AlreadyAssociated; only then is the association
		// looked up and replaced.
		_, err := d.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: awssdk.String(id), SubnetId: awssdk.String(subnet)})
		if !isCode(err, driver.AlreadyExists) {
			return mapErr("AssociateRouteTable", "route_table", id, err)
		}
	}
	out, err := d.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{filter("association.subnet-id", subnet)}})
	if err != nil {
		return mapErr("DescribeRouteTables", "route_table", id, err)
	}
	for _, rt := range out.RouteTables {
		for _, a := range rt.Associations {
			if awssdk.ToString(a.SubnetId) == subnet {
				_, err := d.EC2.ReplaceRouteTableAssociation(ctx, &ec2.ReplaceRouteTableAssociationInput{
					AssociationId: a.RouteTableAssociationId, RouteTableId: awssdk.String(id),
				})
				return mapErr("ReplaceRouteTableAssociation", "route_table", id, err)
			}
		}
	}
	_, err = d.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: awssdk.String(id), SubnetId: awssdk.String(subnet)})
	return mapErr("AssociateRouteTable", "route_table", id, err)
}

func (d *Driver) disassociateSubnet(ctx context.Context, id, subnet string) error {
	out, err := d.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{id}})
	if err != nil {
		return mapErr("DescribeRouteTables", "route_table", id, err)
	}
	for _, rt := range out.RouteTables {
		for _, a := range rt.Associations {
			if awssdk.ToBool(a.Main) || (subnet != "" && awssdk.ToString(a.SubnetId) != subnet) {
				continue
			}
			_, err := d.EC2.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: a.RouteTableAssociationId})
			if err != nil && !isCode(err, driver.NotFound) {
				return mapErr("DisassociateRouteTable", "route_table", id, err)
			}
		}
	}
	return nil
}

func (d *Driver) readRouteTable(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{RouteTableIds: []string{id}})
	return readOne("DescribeRouteTables", blueprint.KindRouteTable, id, out, err,
		func(o *ec2.DescribeRouteTablesOutput) []ec2types.RouteTable { return o.RouteTables }, routeTableObserved)
}

func (d *Driver) listRouteTables(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	p := ec2.NewDescribeRouteTablesPaginator(d.EC2, &ec2.DescribeRouteTablesInput{Filters: ownerFilters(q, "vpc-id")})
	return listAll(ctx, p.HasMorePages, p.NextPage, "DescribeRouteTables", blueprint.KindRouteTable,
		func(o *ec2.DescribeRouteTablesOutput) []ec2types.RouteTable { return o.RouteTables }, routeTableObserved)
}

// partAssociation is the Parts key of a route table's subnet
// association id, as the list read it.
const partAssociation = "association"

// deleteRouteTable disassociates every subnet, then deletes the table. The
// association the plan's list read is dropped by its id; when that fails
// (gone, or another since) the table's associations are read.
func (d *Driver) deleteRouteTable(ctx context.Context, cur driver.Observed) error {
	if ids := cur.Parts[partAssociation]; len(ids) == 1 {
		_, err := d.EC2.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: awssdk.String(ids[0])})
		if err == nil {
			return d.dropRouteTable(ctx, cur.ID)
		}
	}
	if err := d.disassociateSubnet(ctx, cur.ID, ""); err != nil {
		if isCode(err, driver.NotFound) {
			return nil
		}
		return err
	}
	return d.dropRouteTable(ctx, cur.ID)
}

// dropRouteTable deletes the table of id, whose subnets are
// disassociated; a table already gone is not an error.
func (d *Driver) dropRouteTable(ctx context.Context, id string) error {
	_, err := d.EC2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: awssdk.String(id)})
	if isCode(err, driver.NotFound) {
		return nil
	}
	return mapErr("DeleteRouteTable", "route_table", id, err)
}
