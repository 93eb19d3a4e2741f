package outscale

import (
	"context"
	"net/http"
	"net/netip"
	"strings"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// The peer's VPN device (kind customer_gateway): an OUTSCALE client
// gateway of type ipsec.1, with the device's public IPv4 address and BGP
// ASN (CreateClientGateway, which OUTSCALE answers with the existing
// gateway when one has that address and ASN). The device of a link over a
// VPN is the appliance of the other region, whose public IP's address is
// read there (PeerRegion, PeerPublicIP: see peers.go).

func (d *Driver) listClientGateways(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	f := osc.FiltersClientGateway{Tags: ownerFilter(q), ClientGatewayIds: idFilter(ids)}
	cgws, err := d.readClientGateways(ctx, f, first(ids))
	if err != nil {
		return nil, err
	}
	var out []driver.Observed
	for _, g := range cgws {
		tags := tagMap(g.GetTags())
		if !owned(q, tags) {
			continue
		}
		o := cgwObserved(g, tags)
		if err := d.peerMoved(ctx, &o, g.GetPublicIp()); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// peerMoved reports, on o, a client gateway made for a peer's public IP,
// the address it has when the peer's public IP has another one now (it
// was replaced): the spec then differs from the Blueprint's, whose
// PublicIP is zero, and the gateway is replaced. Without a driver of the
// peer's region, or with the peer's IP gone, o stays as read.
func (d *Driver) peerMoved(ctx context.Context, o *driver.Observed, have string) error {
	s := o.Resource.CustomerGateway
	if s.PeerPublicIP == "" || !d.hasPeer(s.PeerRegion) {
		return nil
	}
	pd, _ := d.peer("", "", "", s.PeerRegion)
	addr, err := pd.ownedPublicIP(ctx, o.Tags[driver.TagDeployment], s.PeerPublicIP)
	if err != nil || addr == "" || addr == have {
		return err
	}
	s.PublicIP, _ = netip.ParseAddr(have)
	return nil
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
	if region, peerIP, ok := strings.Cut(tags[tagPeerPublicIP], "/"); ok {
		// Made for a peer's public IP: the spec names it, as the
		// Blueprint does (see peerMoved).
		s := o.Resource.CustomerGateway
		s.PublicIP, s.PeerRegion, s.PeerPublicIP = netip.Addr{}, region, peerIP
	}
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
	addr, tags, err := d.gatewayAddress(ctx, req)
	if err != nil {
		return driver.Observed{}, err
	}
	in := osc.CreateClientGatewayRequest{BgpAsn: int32(min(s.ASN, 1<<31-1)), ConnectionType: ipsec1, PublicIp: addr}
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
	if err := d.tagNew(ctx, k, id, tags, nil); err != nil {
		return driver.Observed{}, err
	}
	return cgwObserved(g, tags), nil
}

// gatewayAddress returns the address of the request's device and the
// tags of its gateway: PublicIP, or the address of the peer's public IP
// (PeerPublicIP in PeerRegion), waited for, with the tag that names it.
func (d *Driver) gatewayAddress(ctx context.Context, req driver.Request) (string, map[string]string, error) {
	s := req.Resource.CustomerGateway
	if s.PeerPublicIP == "" {
		return s.PublicIP.String(), req.Tags, nil
	}
	k := string(blueprint.KindCustomerGateway)
	pd, err := d.peer("CreateClientGateway", k, req.Resource.ID, s.PeerRegion)
	if err != nil {
		return "", nil, err
	}
	var addr string
	err = d.awaitPeer(ctx, s.PeerRegion, "CreateClientGateway", k, req.Resource.ID, "given the address of "+s.PeerPublicIP+" in "+s.PeerRegion, func(ctx context.Context) (bool, error) {
		addr, err = pd.ownedPublicIP(ctx, req.Deployment, s.PeerPublicIP)
		return addr != "", err
	})
	if err != nil {
		return "", nil, err
	}
	return addr, withMeta(req.Tags, map[string]string{tagPeerPublicIP: s.PeerRegion + "/" + s.PeerPublicIP}), nil
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
