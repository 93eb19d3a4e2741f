package aws

import (
	"context"
	"net/netip"
	"slices"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// vpnObserved reads a site-to-site VPN connection: its gateways, its
// routing (Options.StaticRoutesOnly; a connection without options, as
// moto answers, reads as BGP) and its static routes. The customer gateway
// configuration AWS returns holds the tunnels' pre-shared keys: it is
// never read into the resource.
func vpnObserved(c ec2types.VpnConnection) driver.Observed {
	o := observed(blueprint.KindVPNConnection, awssdk.ToString(c.VpnConnectionId), fromEC2Tags(c.Tags),
		c.State == ec2types.VpnStateAvailable, string(c.State))
	spec := &blueprint.VPNConnectionSpec{VPNGateway: blueprint.Ref(awssdk.ToString(c.VpnGatewayId)),
		CustomerGateway: blueprint.Ref(awssdk.ToString(c.CustomerGatewayId)),
		BGP:             c.Options == nil || !awssdk.ToBool(c.Options.StaticRoutesOnly)}
	for _, r := range c.Routes {
		if p, err := netip.ParsePrefix(awssdk.ToString(r.DestinationCidrBlock)); err == nil &&
			r.State != ec2types.VpnStateDeleted && r.State != ec2types.VpnStateDeleting {
			spec.StaticRoutes = append(spec.StaticRoutes, p)
		}
	}
	o.Resource.VPNConnection = spec
	o.Resource.Normalize()
	return o
}

// liveVPNs drops the connections AWS still lists after their delete.
func liveVPNs(o *ec2.DescribeVpnConnectionsOutput) []ec2types.VpnConnection {
	var out []ec2types.VpnConnection
	for _, c := range o.VpnConnections {
		if c.State != ec2types.VpnStateDeleted && c.State != ec2types.VpnStateDeleting {
			out = append(out, c)
		}
	}
	return out
}

func vpnTags(c *ec2types.VpnConnection) []ec2types.Tag { return c.Tags }

// createVPNConnection creates the connection of type ipsec.1 between the
// gateways (CreateVpnConnection, StaticRoutesOnly unless BGP), or finds
// the one of an earlier try by its tags, then adds the static routes
// (CreateVpnConnectionRoute). AWS answers before the tunnels are up: the
// connection is pending for minutes, and the engine waits for it.
func (d *Driver) createVPNConnection(ctx context.Context, req driver.Request) (driver.Observed, error) {
	s := req.Resource.VPNConnection
	out, err := lookUp(ctx, d.EC2.DescribeVpnConnections, &ec2.DescribeVpnConnectionsInput{Filters: logicalFilters(req)})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeVpnConnections", "vpn_connection", req.Resource.ID, err)
	}
	var c ec2types.VpnConnection
	if found := earlier(req, liveVPNs(out), vpnTags); found != nil {
		c = *found
	} else {
		made, err := d.EC2.CreateVpnConnection(ctx, &ec2.CreateVpnConnectionInput{Type: awssdk.String(string(ec2types.GatewayTypeIpsec1)),
			VpnGatewayId: awssdk.String(string(s.VPNGateway)), CustomerGatewayId: awssdk.String(string(s.CustomerGateway)),
			Options:           &ec2types.VpnConnectionOptionsSpecification{StaticRoutesOnly: awssdk.Bool(!s.BGP)},
			TagSpecifications: tagSpec(ec2types.ResourceTypeVpnConnection, req.Tags)})
		if err != nil {
			return driver.Observed{}, mapErr("CreateVpnConnection", "vpn_connection", req.Resource.ID, err)
		}
		c = *made.VpnConnection
	}
	cur := vpnObserved(c)
	if err := d.reconcileVPNRoutes(ctx, cur.ID, s.StaticRoutes, cur.Resource.VPNConnection.StaticRoutes); err != nil {
		return driver.Observed{}, err
	}
	if slices.Equal(s.StaticRoutes, cur.Resource.VPNConnection.StaticRoutes) {
		return cur, nil
	}
	return d.readVPNConnection(ctx, cur.ID)
}

// updateVPNConnection changes the static routes in place.
func (d *Driver) updateVPNConnection(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	if err := d.reconcileVPNRoutes(ctx, cur.ID, req.Resource.VPNConnection.StaticRoutes, cur.Resource.VPNConnection.StaticRoutes); err != nil {
		return driver.Observed{}, err
	}
	return d.readVPNConnection(ctx, cur.ID)
}

// reconcileVPNRoutes adds the static routes of want that have lacks
// (CreateVpnConnectionRoute) and removes the others
// (DeleteVpnConnectionRoute); a route already there, or already gone,
// counts as done.
func (d *Driver) reconcileVPNRoutes(ctx context.Context, id string, want, have []netip.Prefix) error {
	for _, p := range want {
		if slices.Contains(have, p) {
			continue
		}
		_, err := d.EC2.CreateVpnConnectionRoute(ctx, &ec2.CreateVpnConnectionRouteInput{VpnConnectionId: awssdk.String(id), DestinationCidrBlock: awssdk.String(p.String())})
		if err = mapErr("CreateVpnConnectionRoute", "vpn_connection", id, err); err != nil && !isCode(err, driver.AlreadyExists) {
			return err
		}
	}
	for _, p := range have {
		if slices.Contains(want, p) {
			continue
		}
		_, err := d.EC2.DeleteVpnConnectionRoute(ctx, &ec2.DeleteVpnConnectionRouteInput{VpnConnectionId: awssdk.String(id), DestinationCidrBlock: awssdk.String(p.String())})
		if err = mapErr("DeleteVpnConnectionRoute", "vpn_connection", id, err); err != nil && !isCode(err, driver.NotFound) {
			return err
		}
	}
	return nil
}

func (d *Driver) readVPNConnection(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeVpnConnections(ctx, &ec2.DescribeVpnConnectionsInput{VpnConnectionIds: []string{id}})
	return readOne("DescribeVpnConnections", blueprint.KindVPNConnection, id, out, err, liveVPNs, vpnObserved)
}

// listVPNConnections lists the deployment's connections;
// DescribeVpnConnections has no pages.
func (d *Driver) listVPNConnections(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	out, err := d.EC2.DescribeVpnConnections(ctx, &ec2.DescribeVpnConnectionsInput{Filters: ownerFilters(q, "")})
	if err != nil {
		return nil, mapErr("DescribeVpnConnections", string(blueprint.KindVPNConnection), "", err)
	}
	var res []driver.Observed
	for _, c := range ownedOnly(liveVPNs(out), vpnTags, q.Deployment) {
		res = append(res, vpnObserved(c))
	}
	return res, nil
}

func (d *Driver) deleteVPNConnection(ctx context.Context, cur driver.Observed) error {
	_, err := d.EC2.DeleteVpnConnection(ctx, &ec2.DeleteVpnConnectionInput{VpnConnectionId: awssdk.String(cur.ID)})
	if err = mapErr("DeleteVpnConnection", "vpn_connection", cur.ID, err); isCode(err, driver.NotFound) {
		return nil
	}
	return err
}
