package outscale

import (
	"context"
	"net/http"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

func (d *Driver) listPublicIPs(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	f := osc.FiltersPublicIp{Tags: ownerFilter(q), PublicIpIds: idFilter(ids)}
	ips, err := d.readPublicIPs(ctx, f, first(ids))
	if err != nil {
		return nil, err
	}
	return ownedObserved(q, ips, func(p osc.PublicIp, tags map[string]string) driver.Observed {
		return publicIPObserved(p.GetPublicIpId(), p.GetPublicIp(), tags)
	}), nil
}

// readPublicIPs reads every page of the public IPs that f selects.
func (d *Driver) readPublicIPs(ctx context.Context, f osc.FiltersPublicIp, id string) ([]osc.PublicIp, error) {
	return pages(func(token *string) ([]osc.PublicIp, string, error) {
		req := osc.ReadPublicIpsRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadPublicIps", string(blueprint.KindPublicIP), id, func(ctx context.Context) (osc.ReadPublicIpsResponse, *http.Response, error) {
			return d.api.PublicIpApi.ReadPublicIps(ctx).ReadPublicIpsRequest(req).Execute()
		})
		return resp.GetPublicIps(), resp.GetNextPageToken(), err
	})
}

func publicIPObserved(id, ip string, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindPublicIP, id, tags)
	o.Resource.PublicIP = &blueprint.PublicIPSpec{Zone: tags[tagZone]}
	o.Status, o.Ready = "allocated "+ip, true
	return o
}

// createPublicIP allocates a public IP (CreatePublicIp, which has no client
// token and no tags: see createAdopting) and tags it; the zone, which
// OUTSCALE public IPs do not have, is kept in a tag.
func (d *Driver) createPublicIP(ctx context.Context, req driver.Request) (driver.Observed, error) {
	if o, ok, err := d.findOwned(ctx, req, d.listPublicIPs); err != nil || ok {
		return o, err
	}
	k := blueprint.KindPublicIP
	p, _, err := createAdopting(ctx, d, k, req.Resource.ID, d.publicIPCandidates, func(ctx context.Context) (osc.PublicIp, error) {
		resp, err := call(ctx, d, "CreatePublicIp", string(k), req.Resource.ID, func(ctx context.Context) (osc.CreatePublicIpResponse, *http.Response, error) {
			return d.api.PublicIpApi.CreatePublicIp(ctx).CreatePublicIpRequest(osc.CreatePublicIpRequest{}).Execute()
		})
		return resp.GetPublicIp(), err
	})
	if err != nil {
		return driver.Observed{}, err
	}
	id := p.GetPublicIpId()
	tags := withMeta(req.Tags, map[string]string{tagZone: req.Resource.PublicIP.Zone})
	if err := d.tagNew(ctx, k, id, tags, func(ctx context.Context) error { return d.deletePublicIP(ctx, driver.Observed{ID: id}) }); err != nil {
		return driver.Observed{}, err
	}
	return publicIPObserved(id, p.GetPublicIp(), tags), nil
}

// deletePublicIP releases the public IP. OUTSCALE refuses while a NAT
// service uses it (Code Dependency: delete the NAT service first), and
// while it is linked to a VM (a cluster's floating IP whose cluster
// stays): then it is unlinked and deleted again.
func (d *Driver) deletePublicIP(ctx context.Context, cur driver.Observed) error {
	del := func() error {
		_, err := call(ctx, d, "DeletePublicIp", string(blueprint.KindPublicIP), cur.ID, func(ctx context.Context) (osc.DeletePublicIpResponse, *http.Response, error) {
			return d.api.PublicIpApi.DeletePublicIp(ctx).DeletePublicIpRequest(osc.DeletePublicIpRequest{PublicIpId: &cur.ID}).Execute()
		})
		return err
	}
	err := del()
	if driver.CodeOf(err) != driver.Dependency {
		return err
	}
	if err := d.unlinkPublicIP(ctx, cur.ID); err != nil {
		return err
	}
	return del()
}
