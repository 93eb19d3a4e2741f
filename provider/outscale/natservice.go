package outscale

import (
	"context"
	"net/http"
	"strings"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// readNats reads NAT services, deleted ones included.
func (d *Driver) readNats(ctx context.Context, f osc.FiltersNatService, id string) ([]osc.NatService, error) {
	return pages(func(token *string) ([]osc.NatService, string, error) {
		req := osc.ReadNatServicesRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadNatServices", string(blueprint.KindNATGateway), id, func(ctx context.Context) (osc.ReadNatServicesResponse, *http.Response, error) {
			return d.api.NatServiceApi.ReadNatServices(ctx).ReadNatServicesRequest(req).Execute()
		})
		return resp.GetNatServices(), resp.GetNextPageToken(), err
	})
}

// listNatServices returns the NAT services that are not deleted.
func (d *Driver) listNatServices(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	nats, err := d.readNats(ctx, osc.FiltersNatService{Tags: ownerFilter(q), NatServiceIds: idFilter(ids), NetIds: netFilter(q)}, first(ids))
	if err != nil {
		return nil, err
	}
	var out []driver.Observed
	for _, n := range nats {
		tags := tagMap(n.GetTags())
		if !owned(q, tags) || n.GetState() == "deleted" {
			continue
		}
		out = append(out, natObserved(n, tags))
	}
	return out, nil
}

func natObserved(n osc.NatService, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindNATGateway, n.GetNatServiceId(), tags)
	ip := ""
	if ips := n.GetPublicIps(); len(ips) > 0 {
		ip = ips[0].GetPublicIpId()
	}
	o.Resource.NATGateway = &blueprint.NATGatewaySpec{Subnet: blueprint.Ref(n.GetSubnetId()), PublicIP: blueprint.Ref(ip),
		InternetGateway: blueprint.Ref(tags[tagRefIGW]), PublicRoute: blueprint.Ref(tags[tagRefRoute]), Zone: tags[tagZone]}
	o.Status = n.GetState()
	o.Ready = o.Status == "available"
	return o
}

// createNatService creates the NAT service in its public subnet with its
// public IP and the request's token as ClientToken, then tags it. Before,
// it looks in the subnet (one NAT service per subnet) for what an earlier
// attempt made: the NAT service of this token (this run), or an untagged
// one whose token is of this resource (a run that died between the create
// and its tags; tokens change from run to run, their prefix does not),
// and tags that one instead. OUTSCALE answers 409 while the public IP or
// the route to the internet service is settling; that is retried (see
// [notReady]). The NAT service comes back pending.
func (d *Driver) createNatService(ctx context.Context, req driver.Request) (driver.Observed, error) {
	s := req.Resource.NATGateway
	k := blueprint.KindNATGateway
	tags := withMeta(req.Tags, map[string]string{tagRefIGW: string(s.InternetGateway), tagRefRoute: string(s.PublicRoute), tagZone: s.Zone})
	if n, ok, err := d.earlierNat(ctx, req); err != nil || ok {
		if err == nil && tagMap(n.GetTags())[driver.TagLogicalID] != req.Resource.ID {
			err = d.createTags(ctx, "Create", k, n.GetNatServiceId(), tags)
		}
		return natObserved(n, tags), err
	}
	in := osc.CreateNatServiceRequest{SubnetId: string(s.Subnet), PublicIpId: string(s.PublicIP)}
	if req.Token != "" {
		in.ClientToken = &req.Token
	}
	resp, err := call(ctx, d, "CreateNatService", string(k), req.Resource.ID, func(ctx context.Context) (osc.CreateNatServiceResponse, *http.Response, error) {
		return d.api.NatServiceApi.CreateNatService(ctx).CreateNatServiceRequest(in).Execute()
	})
	if err != nil {
		return driver.Observed{}, err
	}
	n := resp.GetNatService()
	// No rollback: the client token finds the NAT service again.
	if err := d.createTags(ctx, "Create", k, n.GetNatServiceId(), tags); err != nil {
		return driver.Observed{}, err
	}
	return natObserved(n, tags), nil
}

// earlierNat returns the NAT service an earlier attempt of req made in
// its subnet: this token's, or an untagged one with a token of this
// resource.
func (d *Driver) earlierNat(ctx context.Context, req driver.Request) (osc.NatService, bool, error) {
	if req.Token == "" {
		return osc.NatService{}, false, nil
	}
	subnet := string(req.Resource.NATGateway.Subnet)
	nats, err := d.readNats(ctx, osc.FiltersNatService{SubnetIds: &[]string{subnet}}, req.Resource.ID)
	if err != nil {
		return osc.NatService{}, false, err
	}
	prefix := driver.TokenPrefix(req.Deployment, req.Resource.ID)
	for _, n := range nats {
		if st := n.GetState(); st == "deleting" || st == "deleted" || n.GetSubnetId() != subnet {
			continue
		}
		tok := n.GetClientToken()
		untagged := tagMap(n.GetTags())[driver.TagDeployment] == ""
		if tok == req.Token || untagged && strings.HasPrefix(tok, prefix) {
			return n, true, nil
		}
	}
	return osc.NatService{}, false, nil
}

// deleteNatService deletes the NAT service and waits until OUTSCALE reports
// it deleted, so that its subnet and public IP can go next. The public IP
// is not released (it is a public_ip resource of its own).
func (d *Driver) deleteNatService(ctx context.Context, cur driver.Observed) error {
	k := string(blueprint.KindNATGateway)
	_, err := call(ctx, d, "DeleteNatService", k, cur.ID, func(ctx context.Context) (osc.DeleteNatServiceResponse, *http.Response, error) {
		return d.api.NatServiceApi.DeleteNatService(ctx).DeleteNatServiceRequest(osc.DeleteNatServiceRequest{NatServiceId: cur.ID}).Execute()
	})
	if err != nil {
		return err
	}
	return d.waitFor(ctx, "DeleteNatService", k, cur.ID, "deleted", func(ctx context.Context) (bool, error) {
		nats, err := d.readNats(ctx, osc.FiltersNatService{NatServiceIds: &[]string{cur.ID}}, cur.ID)
		if err != nil {
			return false, err
		}
		return len(nats) == 0 || nats[0].GetState() == "deleted", nil
	})
}
