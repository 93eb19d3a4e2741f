package outscale

import (
	"context"
	"net/http"
	"net/netip"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// The peer's VPN device (kind customer_gateway): an OUTSCALE client
// gateway of type ipsec.1, with the device's public IPv4 address and BGP
// ASN (CreateClientGateway, which OUTSCALE answers with the existing
// gateway when one has that address and ASN).

func (d *Driver) listClientGateways(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	f := osc.FiltersClientGateway{Tags: ownerFilter(q), ClientGatewayIds: idFilter(ids)}
	cgws, err := d.readClientGateways(ctx, f, first(ids))
	if err != nil {
		return nil, err
	}
	return ownedObserved(q, cgws, cgwObserved), nil
}

func (d *Driver) readClientGateways(ctx context.Context, f osc.FiltersClientGateway, id string) ([]osc.ClientGateway, error) {
	return pages(func(token *string) ([]osc.ClientGateway, string, error) {
		req := osc.ReadClientGatewaysRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadClientGateways", string(blueprint.KindCustomerGateway), id, func(ctx context.Context) (osc.ReadClientGatewaysResponse, *http.Response, error) {
			return d.api.ClientGatewayApi.ReadClientGateways(ctx).ReadClientGatewaysRequest(req).Execute()
		})
		return resp.GetClientGateways(), resp.GetNextPageToken(), err
	})
}

func cgwObserved(g osc.ClientGateway, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindCustomerGateway, g.GetClientGatewayId(), tags)
	ip, _ := netip.ParseAddr(g.GetPublicIp())
	o.Resource.CustomerGateway = &blueprint.CustomerGatewaySpec{PublicIP: ip, ASN: uint32(g.GetBgpAsn())}
	o.Status = g.GetState()
	o.Ready = o.Status == "available"
	return o
}

// createClientGateway creates the client gateway and tags it. A repeated
// create answers the same gateway, so a lost answer is simply sent
// again; a gateway another deployment owns is never taken
// (AlreadyExists: one device, one deployment).
func (d *Driver) createClientGateway(ctx context.Context, req driver.Request) (driver.Observed, error) {
	k := blueprint.KindCustomerGateway
	if o, ok, err := d.findOwned(ctx, req, d.listClientGateways); err != nil || ok {
		return o, err
	}
	s := req.Resource.CustomerGateway
	in := osc.CreateClientGatewayRequest{BgpAsn: int32(min(s.ASN, 1<<31-1)), ConnectionType: ipsec1, PublicIp: s.PublicIP.String()}
	resp, err := call(ctx, d, "CreateClientGateway", string(k), req.Resource.ID, func(ctx context.Context) (osc.CreateClientGatewayResponse, *http.Response, error) {
		return d.api.ClientGatewayApi.CreateClientGateway(ctx).CreateClientGatewayRequest(in).Execute()
	})
	if err != nil {
		return driver.Observed{}, err
	}
	g := resp.GetClientGateway()
	id := g.GetClientGatewayId()
	if owner := tagMap(g.GetTags())[driver.TagDeployment]; owner != "" && owner != req.Deployment {
		return driver.Observed{}, errorf("CreateClientGateway", string(k), id, driver.AlreadyExists,
			"client gateway %s (%s, ASN %d) belongs to deployment %s", id, s.PublicIP, s.ASN, owner)
	}
	if err := d.tagNew(ctx, k, id, req.Tags, nil); err != nil {
		return driver.Observed{}, err
	}
	return cgwObserved(g, req.Tags), nil
}

// deleteClientGateway deletes the gateway; OUTSCALE refuses while a VPN
// connection uses it (Code Dependency).
func (d *Driver) deleteClientGateway(ctx context.Context, cur driver.Observed) error {
	_, err := call(ctx, d, "DeleteClientGateway", string(blueprint.KindCustomerGateway), cur.ID, func(ctx context.Context) (osc.DeleteClientGatewayResponse, *http.Response, error) {
		return d.api.ClientGatewayApi.DeleteClientGateway(ctx).DeleteClientGatewayRequest(osc.DeleteClientGatewayRequest{ClientGatewayId: cur.ID}).Execute()
	})
	if isNotFound(err) {
		return nil
	}
	return err
}
