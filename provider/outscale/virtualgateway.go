package outscale

import (
	"context"
	"net/http"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// The Net's VPN gateway (kind vpn_gateway): an OUTSCALE virtual gateway of
// type ipsec.1 linked to the Net (CreateVirtualGateway,
// LinkVirtualGateway). A Net has at most one; a gateway serves one Net.

const ipsec1 = "ipsec.1"

// listVirtualGateways lists the deployment's virtual gateways, linked or
// not (one a run made but could not link is in no Net).
func (d *Driver) listVirtualGateways(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	f := osc.FiltersVirtualGateway{Tags: ownerFilter(q), VirtualGatewayIds: idFilter(ids)}
	vgws, err := d.readVirtualGateways(ctx, f, first(ids))
	if err != nil {
		return nil, err
	}
	return ownedObserved(q, vgws, vgwObserved), nil
}

func (d *Driver) readVirtualGateways(ctx context.Context, f osc.FiltersVirtualGateway, id string) ([]osc.VirtualGateway, error) {
	return pages(func(token *string) ([]osc.VirtualGateway, string, error) {
		req := osc.ReadVirtualGatewaysRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadVirtualGateways", string(blueprint.KindVPNGateway), id, func(ctx context.Context) (osc.ReadVirtualGatewaysResponse, *http.Response, error) {
			return d.api.VirtualGatewayApi.ReadVirtualGateways(ctx).ReadVirtualGatewaysRequest(req).Execute()
		})
		return resp.GetVirtualGateways(), resp.GetNextPageToken(), err
	})
}

// vgwNet returns the Net g is linked to, or "".
func vgwNet(g osc.VirtualGateway) string {
	for _, l := range g.GetNetToVirtualGatewayLinks() {
		if s := l.GetState(); s == "attached" || s == "attaching" {
			return l.GetNetId()
		}
	}
	return ""
}

func vgwObserved(g osc.VirtualGateway, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindVPNGateway, g.GetVirtualGatewayId(), tags)
	o.Resource.VPNGateway = &blueprint.VPNGatewaySpec{Net: blueprint.Ref(vgwNet(g))}
	o.Status = g.GetState()
	o.Ready = o.Status == "available"
	return o
}

// vgwCandidates lists the unowned virtual gateways linked to nothing:
// what CreateVirtualGateway could make.
func (d *Driver) vgwCandidates(ctx context.Context) (map[string]osc.VirtualGateway, error) {
	vgws, err := d.readVirtualGateways(ctx, osc.FiltersVirtualGateway{}, "")
	if err != nil {
		return nil, err
	}
	return unowned(vgws, (*osc.VirtualGateway).GetVirtualGatewayId, (*osc.VirtualGateway).GetTags,
		func(g *osc.VirtualGateway) bool { return vgwNet(*g) == "" }), nil
}

// createVirtualGateway creates the gateway (no client token, no tags: see
// createAdopting), tags it and links it to the Net.
func (d *Driver) createVirtualGateway(ctx context.Context, req driver.Request) (driver.Observed, error) {
	k := blueprint.KindVPNGateway
	o, ok, err := d.findOwned(ctx, req, d.listVirtualGateways)
	if err != nil {
		return driver.Observed{}, err
	}
	if !ok {
		g, _, err := createAdopting(ctx, d, k, req.Resource.ID, d.vgwCandidates, func(ctx context.Context) (osc.VirtualGateway, error) {
			resp, err := call(ctx, d, "CreateVirtualGateway", string(k), req.Resource.ID, func(ctx context.Context) (osc.CreateVirtualGatewayResponse, *http.Response, error) {
				return d.api.VirtualGatewayApi.CreateVirtualGateway(ctx).CreateVirtualGatewayRequest(osc.CreateVirtualGatewayRequest{ConnectionType: ipsec1}).Execute()
			})
			return resp.GetVirtualGateway(), err
		})
		if err != nil {
			return driver.Observed{}, err
		}
		id := g.GetVirtualGatewayId()
		if err := d.tagNew(ctx, k, id, req.Tags, func(ctx context.Context) error {
			return d.deleteVirtualGateway(ctx, driver.Observed{ID: id})
		}); err != nil {
			return driver.Observed{}, err
		}
		o = vgwObserved(g, req.Tags)
	}
	if net := string(req.Resource.VPNGateway.Net); o.Resource.VPNGateway.Net != blueprint.Ref(net) {
		in := osc.LinkVirtualGatewayRequest{NetId: net, VirtualGatewayId: o.ID}
		if _, err := call(ctx, d, "LinkVirtualGateway", string(k), o.ID, func(ctx context.Context) (osc.LinkVirtualGatewayResponse, *http.Response, error) {
			return d.api.VirtualGatewayApi.LinkVirtualGateway(ctx).LinkVirtualGatewayRequest(in).Execute()
		}); err != nil {
			return driver.Observed{}, err
		}
		o.Resource.VPNGateway.Net = blueprint.Ref(net)
	}
	return o, nil
}

// deleteVirtualGateway unlinks the gateway from its Net, then deletes it;
// OUTSCALE refuses while a VPN connection uses it (Code Dependency).
func (d *Driver) deleteVirtualGateway(ctx context.Context, cur driver.Observed) error {
	k := string(blueprint.KindVPNGateway)
	vgws, err := d.readVirtualGateways(ctx, osc.FiltersVirtualGateway{VirtualGatewayIds: &[]string{cur.ID}}, cur.ID)
	if err != nil || len(vgws) == 0 {
		return err
	}
	if net := vgwNet(vgws[0]); net != "" {
		in := osc.UnlinkVirtualGatewayRequest{NetId: net, VirtualGatewayId: cur.ID}
		if _, err := call(ctx, d, "UnlinkVirtualGateway", k, cur.ID, func(ctx context.Context) (osc.UnlinkVirtualGatewayResponse, *http.Response, error) {
			return d.api.VirtualGatewayApi.UnlinkVirtualGateway(ctx).UnlinkVirtualGatewayRequest(in).Execute()
		}); err != nil && !isNotFound(err) {
			return err
		}
	}
	_, err = call(ctx, d, "DeleteVirtualGateway", k, cur.ID, func(ctx context.Context) (osc.DeleteVirtualGatewayResponse, *http.Response, error) {
		return d.api.VirtualGatewayApi.DeleteVirtualGateway(ctx).DeleteVirtualGatewayRequest(osc.DeleteVirtualGatewayRequest{VirtualGatewayId: cur.ID}).Execute()
	})
	if isNotFound(err) {
		return nil
	}
	return err
}
