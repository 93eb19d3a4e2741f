package outscale

import (
	"context"
	"net/http"
	"net/netip"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// listNets reads the Nets of q's deployment (or those of ids).
func (d *Driver) listNets(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	f := osc.FiltersNet{Tags: ownerFilter(q), NetIds: idFilter(ids)}
	if len(ids) == 0 && len(q.NetIDs) > 0 {
		f.NetIds = netFilter(q)
	}
	nets, err := d.readNets(ctx, f, first(ids))
	if err != nil {
		return nil, err
	}
	return d.withDefaultGroups(ctx, ownedObserved(q, nets, netObserved))
}

// readNets reads every page of the Nets that f selects.
func (d *Driver) readNets(ctx context.Context, f osc.FiltersNet, id string) ([]osc.Net, error) {
	return pages(func(token *string) ([]osc.Net, string, error) {
		req := osc.ReadNetsRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadNets", string(blueprint.KindNet), id, func(ctx context.Context) (osc.ReadNetsResponse, *http.Response, error) {
			return d.api.NetApi.ReadNets(ctx).ReadNetsRequest(req).Execute()
		})
		return resp.GetNets(), resp.GetNextPageToken(), err
	})
}

func netObserved(n osc.Net, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindNet, n.GetNetId(), tags)
	cidr, _ := netip.ParsePrefix(n.GetIpRange())
	o.Resource.Net = &blueprint.NetSpec{CIDR: cidr}
	o.Status = n.GetState()
	o.Ready = o.Status == "available"
	return o
}

// createNet creates the Net (CreateNet, which has no client token and no
// tags; see createAdopting) and tags it.
func (d *Driver) createNet(ctx context.Context, req driver.Request) (driver.Observed, error) {
	if o, ok, err := d.findOwned(ctx, req, d.listNets); err != nil || ok {
		return o, err
	}
	cidr := req.Resource.Net.CIDR.String()
	n, _, err := createAdopting(ctx, d, blueprint.KindNet, req.Resource.ID, d.netCandidates(cidr), func(ctx context.Context) (osc.Net, error) {
		resp, err := call(ctx, d, "CreateNet", string(blueprint.KindNet), req.Resource.ID, func(ctx context.Context) (osc.CreateNetResponse, *http.Response, error) {
			return d.api.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: cidr}).Execute()
		})
		return resp.GetNet(), err
	})
	if err != nil {
		return driver.Observed{}, err
	}
	id := n.GetNetId()
	if err := d.tagNew(ctx, blueprint.KindNet, id, req.Tags, func(ctx context.Context) error {
		return d.deleteNet(ctx, driver.Observed{ID: id})
	}); err != nil {
		return driver.Observed{}, err
	}
	keep := req.Resource.Net.KeepDefaultSecurityGroupRules
	if err := d.syncDefaultGroup(ctx, id, keep); err != nil {
		return driver.Observed{}, err
	}
	o := netObserved(n, req.Tags)
	o.Resource.Net.KeepDefaultSecurityGroupRules = keep
	return o, nil
}

// deleteNet deletes a Net. OUTSCALE refuses while subnets, groups, route
// tables, services or VMs remain (409, Code Dependency); the blockers that
// are not tagged with the Net's deployment are named.
func (d *Driver) deleteNet(ctx context.Context, cur driver.Observed) error {
	_, err := call(ctx, d, "DeleteNet", string(blueprint.KindNet), cur.ID, func(ctx context.Context) (osc.DeleteNetResponse, *http.Response, error) {
		return d.api.NetApi.DeleteNet(ctx).DeleteNetRequest(osc.DeleteNetRequest{NetId: cur.ID}).Execute()
	})
	if driver.CodeOf(err) == driver.Dependency {
		d.addBlockers(ctx, err, cur, osc.FiltersVm{NetIds: &[]string{cur.ID}})
	}
	return err
}

func first(ids []string) string {
	if len(ids) > 0 {
		return ids[0]
	}
	return ""
}
