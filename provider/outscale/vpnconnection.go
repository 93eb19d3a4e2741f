package outscale

import (
	"context"
	"net/http"
	"net/netip"
	"slices"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// The site-to-site VPN connection (kind vpn_connection): an OUTSCALE VPN
// connection of type ipsec.1 between the virtual gateway and the client
// gateway (CreateVpnConnection, StaticRoutesOnly unless BGP) and, for
// static routing, its routes (Create / DeleteVpnConnectionRoute, in
// place). The connection of a link over a VPN (VPNConnectionSpec.Link)
// gets a pre-shared key drawn by the driver (UpdateVpnConnection), which
// the other region's appliance reads (see peers.go).

func (d *Driver) listVpnConnections(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	f := osc.FiltersVpnConnection{Tags: ownerFilter(q), VpnConnectionIds: idFilter(ids)}
	vpns, err := d.readVpnConnections(ctx, f, first(ids))
	if err != nil {
		return nil, err
	}
	return ownedObserved(q, vpns, vpnObserved), nil
}

func (d *Driver) readVpnConnections(ctx context.Context, f osc.FiltersVpnConnection, id string) ([]osc.VpnConnection, error) {
	return pages(func(token *string) ([]osc.VpnConnection, string, error) {
		req := osc.ReadVpnConnectionsRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadVpnConnections", string(blueprint.KindVPNConnection), id, func(ctx context.Context) (osc.ReadVpnConnectionsResponse, *http.Response, error) {
			return d.api.VpnConnectionApi.ReadVpnConnections(ctx).ReadVpnConnectionsRequest(req).Execute()
		})
		return resp.GetVpnConnections(), resp.GetNextPageToken(), err
	})
}

func vpnObserved(v osc.VpnConnection, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindVPNConnection, v.GetVpnConnectionId(), tags)
	s := &blueprint.VPNConnectionSpec{VPNGateway: blueprint.Ref(v.GetVirtualGatewayId()),
		CustomerGateway: blueprint.Ref(v.GetClientGatewayId()), BGP: !v.GetStaticRoutesOnly()}
	for _, r := range v.GetRoutes() {
		if p, err := netip.ParsePrefix(r.GetDestinationIpRange()); err == nil && r.GetRouteType() != "bgp" {
			s.StaticRoutes = append(s.StaticRoutes, p)
		}
	}
	s.Link = tags[tagLink]
	o.Resource.VPNConnection = s
	o.Status = v.GetState()
	o.Ready = o.Status == "available"
	return o
}

// vpnCandidates lists the unowned connections between the request's two
// gateways: what CreateVpnConnection could make.
func (d *Driver) vpnCandidates(s *blueprint.VPNConnectionSpec) func(context.Context) (map[string]osc.VpnConnection, error) {
	return func(ctx context.Context) (map[string]osc.VpnConnection, error) {
		vpns, err := d.readVpnConnections(ctx, osc.FiltersVpnConnection{VirtualGatewayIds: &[]string{string(s.VPNGateway)},
			ClientGatewayIds: &[]string{string(s.CustomerGateway)}}, "")
		if err != nil {
			return nil, err
		}
		return unowned(vpns, (*osc.VpnConnection).GetVpnConnectionId, (*osc.VpnConnection).GetTags,
			func(*osc.VpnConnection) bool { return true }), nil
	}
}

// createVpnConnection creates the connection (no client token, no tags:
// see createAdopting), tags it and adds its static routes.
func (d *Driver) createVpnConnection(ctx context.Context, req driver.Request) (driver.Observed, error) {
	k := blueprint.KindVPNConnection
	if o, ok, err := d.findOwned(ctx, req, d.listVpnConnections); err != nil || ok {
		return o, err
	}
	s := req.Resource.VPNConnection
	in := osc.CreateVpnConnectionRequest{ClientGatewayId: string(s.CustomerGateway), VirtualGatewayId: string(s.VPNGateway),
		ConnectionType: ipsec1, StaticRoutesOnly: osc.PtrBool(!s.BGP)}
	v, _, err := createAdopting(ctx, d, k, req.Resource.ID, d.vpnCandidates(s), func(ctx context.Context) (osc.VpnConnection, error) {
		resp, err := call(ctx, d, "CreateVpnConnection", string(k), req.Resource.ID, func(ctx context.Context) (osc.CreateVpnConnectionResponse, *http.Response, error) {
			return d.api.VpnConnectionApi.CreateVpnConnection(ctx).CreateVpnConnectionRequest(in).Execute()
		})
		return resp.GetVpnConnection(), err
	})
	if err != nil {
		return driver.Observed{}, err
	}
	id := v.GetVpnConnectionId()
	tags := req.Tags
	if s.Link != "" {
		// The key goes before the tags: a tagged connection of a link
		// has its key, which the appliance waits for. An untagged
		// connection would block the next create: like a failed tagging
		// (tagNew), a failure deletes it, best effort.
		if err := d.setPresharedKey(ctx, req.Resource.ID, v); err != nil {
			_ = d.deleteVpnConnection(context.WithoutCancel(ctx), driver.Observed{ID: id})
			return driver.Observed{}, err
		}
		tags = withMeta(req.Tags, map[string]string{tagLink: s.Link})
	}
	if err := d.tagNew(ctx, k, id, tags, func(ctx context.Context) error {
		return d.deleteVpnConnection(ctx, driver.Observed{ID: id})
	}); err != nil {
		return driver.Observed{}, err
	}
	o := vpnObserved(v, tags)
	if err := d.syncVpnRoutes(ctx, id, s.StaticRoutes, o.Resource.VPNConnection.StaticRoutes); err != nil {
		return driver.Observed{}, err
	}
	o.Resource.VPNConnection.StaticRoutes = slices.Clone(s.StaticRoutes)
	return o, nil
}

// setPresharedKey gives the connection of a link a pre-shared key drawn
// with crypto/rand, unless it has one (an earlier attempt set it):
// CreateVpnConnection takes no VpnOptions, UpdateVpnConnection does
// (Phase2Options.PreSharedKey). The key is in no log, event or spec.
func (d *Driver) setPresharedKey(ctx context.Context, logicalID string, v osc.VpnConnection) error {
	if presharedKey(v) != "" {
		return nil
	}
	in := osc.UpdateVpnConnectionRequest{VpnConnectionId: v.GetVpnConnectionId(), VpnOptions: &osc.VpnOptions{
		Phase2Options: &osc.Phase2Options{PreSharedKey: osc.PtrString(newPresharedKey())}}}
	_, err := call(ctx, d, "UpdateVpnConnection", string(blueprint.KindVPNConnection), logicalID, func(ctx context.Context) (osc.UpdateVpnConnectionResponse, *http.Response, error) {
		return d.api.VpnConnectionApi.UpdateVpnConnection(ctx).UpdateVpnConnectionRequest(in).Execute()
	})
	return err
}

// updateVpnConnection changes the static routes in place.
func (d *Driver) updateVpnConnection(ctx context.Context, req driver.Request, cur driver.Observed) error {
	var have []netip.Prefix
	if c := cur.Resource.VPNConnection; c != nil {
		have = c.StaticRoutes
	}
	if err := d.syncVpnRoutes(ctx, cur.ID, req.Resource.VPNConnection.StaticRoutes, have); err != nil {
		return err
	}
	return d.createTags(ctx, "Update", blueprint.KindVPNConnection, cur.ID, req.Tags)
}

// syncVpnRoutes adds the routes of want that have lacks and deletes those
// it has that want does not.
func (d *Driver) syncVpnRoutes(ctx context.Context, id string, want, have []netip.Prefix) error {
	k := string(blueprint.KindVPNConnection)
	for _, p := range want {
		if slices.Contains(have, p) {
			continue
		}
		in := osc.CreateVpnConnectionRouteRequest{DestinationIpRange: p.String(), VpnConnectionId: id}
		_, err := call(ctx, d, "CreateVpnConnectionRoute", k, id, func(ctx context.Context) (osc.CreateVpnConnectionRouteResponse, *http.Response, error) {
			return d.api.VpnConnectionApi.CreateVpnConnectionRoute(ctx).CreateVpnConnectionRouteRequest(in).Execute()
		})
		if err != nil && driver.CodeOf(err) != driver.AlreadyExists {
			return err
		}
	}
	for _, p := range have {
		if slices.Contains(want, p) {
			continue
		}
		in := osc.DeleteVpnConnectionRouteRequest{DestinationIpRange: p.String(), VpnConnectionId: id}
		_, err := call(ctx, d, "DeleteVpnConnectionRoute", k, id, func(ctx context.Context) (osc.DeleteVpnConnectionRouteResponse, *http.Response, error) {
			return d.api.VpnConnectionApi.DeleteVpnConnectionRoute(ctx).DeleteVpnConnectionRouteRequest(in).Execute()
		})
		if err != nil && !isNotFound(err) {
			return err
		}
	}
	return nil
}

func (d *Driver) deleteVpnConnection(ctx context.Context, cur driver.Observed) error {
	_, err := call(ctx, d, "DeleteVpnConnection", string(blueprint.KindVPNConnection), cur.ID, func(ctx context.Context) (osc.DeleteVpnConnectionResponse, *http.Response, error) {
		return d.api.VpnConnectionApi.DeleteVpnConnection(ctx).DeleteVpnConnectionRequest(osc.DeleteVpnConnectionRequest{VpnConnectionId: cur.ID}).Execute()
	})
	if isNotFound(err) {
		return nil
	}
	return err
}
