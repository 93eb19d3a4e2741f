package outscale

import (
	"context"
	"net/http"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// listInternetServices lists the deployment's internet services, linked
// or not: it is not scoped by q.NetIDs, since one a run made but could not
// link (the run died, or LinkInternetService failed) is in no Net, and
// the next run must find it rather than make a second one.
func (d *Driver) listInternetServices(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	f := osc.FiltersInternetService{Tags: ownerFilter(q), InternetServiceIds: idFilter(ids)}
	igws, err := d.readInternetServices(ctx, f, first(ids))
	if err != nil {
		return nil, err
	}
	return ownedObserved(q, igws, func(g osc.InternetService, tags map[string]string) driver.Observed {
		return igwObserved(g.GetInternetServiceId(), g.GetNetId(), g.GetState(), tags)
	}), nil
}

// readInternetServices reads every page of the internet services that f
// selects.
func (d *Driver) readInternetServices(ctx context.Context, f osc.FiltersInternetService, id string) ([]osc.InternetService, error) {
	return pages(func(token *string) ([]osc.InternetService, string, error) {
		req := osc.ReadInternetServicesRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadInternetServices", string(blueprint.KindInternetGateway), id, func(ctx context.Context) (osc.ReadInternetServicesResponse, *http.Response, error) {
			return d.api.InternetServiceApi.ReadInternetServices(ctx).ReadInternetServicesRequest(req).Execute()
		})
		return resp.GetInternetServices(), resp.GetNextPageToken(), err
	})
}

func igwObserved(id, netID, state string, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindInternetGateway, id, tags)
	o.Resource.InternetGateway = &blueprint.InternetGatewaySpec{Net: blueprint.Ref(netID)}
	o.Status = state
	if o.Status == "" {
		o.Status = "detached"
	}
	o.Ready = true
	return o
}

// createInternetService creates an internet service, tags it and links it
// to the Net (CreateInternetService + LinkInternetService). The create has
// no client token and no tags: see createAdopting.
func (d *Driver) createInternetService(ctx context.Context, req driver.Request) (driver.Observed, error) {
	k := blueprint.KindInternetGateway
	o, ok, err := d.findOwned(ctx, req, d.listInternetServices)
	if err != nil {
		return driver.Observed{}, err
	}
	if !ok {
		g, _, err := createAdopting(ctx, d, k, req.Resource.ID, d.internetServiceCandidates, func(ctx context.Context) (osc.InternetService, error) {
			resp, err := call(ctx, d, "CreateInternetService", string(k), req.Resource.ID, func(ctx context.Context) (osc.CreateInternetServiceResponse, *http.Response, error) {
				return d.api.InternetServiceApi.CreateInternetService(ctx).CreateInternetServiceRequest(osc.CreateInternetServiceRequest{}).Execute()
			})
			return resp.GetInternetService(), err
		})
		if err != nil {
			return driver.Observed{}, err
		}
		id := g.GetInternetServiceId()
		if err := d.tagNew(ctx, k, id, req.Tags, func(ctx context.Context) error {
			return d.deleteInternetService(ctx, driver.Observed{ID: id})
		}); err != nil {
			return driver.Observed{}, err
		}
		o = igwObserved(id, g.GetNetId(), g.GetState(), req.Tags)
	}
	net := string(req.Resource.InternetGateway.Net)
	if net != "" && string(o.Resource.InternetGateway.Net) != net {
		if err := d.linkInternetService(ctx, o.ID, net); err != nil {
			return driver.Observed{}, err
		}
		o.Resource.InternetGateway.Net = blueprint.Ref(net)
		o.Status = "available"
	}
	return o, nil
}

func (d *Driver) linkInternetService(ctx context.Context, id, net string) error {
	_, err := call(ctx, d, "LinkInternetService", string(blueprint.KindInternetGateway), id, func(ctx context.Context) (osc.LinkInternetServiceResponse, *http.Response, error) {
		return d.api.InternetServiceApi.LinkInternetService(ctx).LinkInternetServiceRequest(osc.LinkInternetServiceRequest{InternetServiceId: id, NetId: net}).Execute()
	})
	return err
}

func (d *Driver) unlinkInternetService(ctx context.Context, id, net string) error {
	_, err := call(ctx, d, "UnlinkInternetService", string(blueprint.KindInternetGateway), id, func(ctx context.Context) (osc.UnlinkInternetServiceResponse, *http.Response, error) {
		return d.api.InternetServiceApi.UnlinkInternetService(ctx).UnlinkInternetServiceRequest(osc.UnlinkInternetServiceRequest{InternetServiceId: id, NetId: net}).Execute()
	})
	return err
}

// updateInternetService links the internet service to the wanted Net
// (unlinking it from another first).
func (d *Driver) updateInternetService(ctx context.Context, req driver.Request, cur driver.Observed) error {
	want := string(req.Resource.InternetGateway.Net)
	have := ""
	if cur.Resource.InternetGateway != nil {
		have = string(cur.Resource.InternetGateway.Net)
	}
	if have != want {
		if have != "" {
			if err := d.unlinkInternetService(ctx, cur.ID, have); err != nil {
				return err
			}
		}
		if want != "" {
			if err := d.linkInternetService(ctx, cur.ID, want); err != nil {
				return err
			}
		}
	}
	return d.createTags(ctx, "Update", blueprint.KindInternetGateway, cur.ID, req.Tags)
}

// deleteInternetService unlinks the internet service from its Net, then
// deletes it. OUTSCALE refuses the unlink while public IPs, a load
// balancer or a NAT service remain in the Net (codes 1004, 1005, 1018);
// those are retried as "not ready yet", then reported as Code Dependency.
func (d *Driver) deleteInternetService(ctx context.Context, cur driver.Observed) error {
	obs := []driver.Observed{cur}
	if cur.Resource.InternetGateway == nil {
		var err error
		if obs, err = d.listInternetServices(ctx, driver.Query{}, []string{cur.ID}); err != nil {
			return err
		}
		if len(obs) == 0 {
			return nil
		}
	}
	if net := string(obs[0].Resource.InternetGateway.Net); net != "" {
		if err := d.unlinkInternetService(ctx, cur.ID, net); err != nil && !isNotFound(err) {
			return err
		}
	}
	_, err := call(ctx, d, "DeleteInternetService", string(blueprint.KindInternetGateway), cur.ID, func(ctx context.Context) (osc.DeleteInternetServiceResponse, *http.Response, error) {
		return d.api.InternetServiceApi.DeleteInternetService(ctx).DeleteInternetServiceRequest(osc.DeleteInternetServiceRequest{InternetServiceId: cur.ID}).Execute()
	})
	if isNotFound(err) {
		return nil
	}
	return err
}
