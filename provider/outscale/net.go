package outscale

import (
	"context"
	"net/http"
	"net/netip"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider"
)

// listNets reads the Nets of q's deployment (or those of ids).
func (d *Driver) listNets(ctx context.Context, q provider.Query, ids []string) ([]provider.Observed, error) {
	f := osc.FiltersNet{Tags: ownerFilter(q), NetIds: idFilter(ids)}
	if len(ids) == 0 && len(q.NetIDs) > 0 {
		f.NetIds = netFilter(q)
	}
	nets, err := pages(func(token *string) ([]osc.Net, string, error) {
		req := osc.ReadNetsRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadNets", string(pattern.KindNet), first(ids), func(ctx context.Context) (osc.ReadNetsResponse, *http.Response, error) {
			return d.api.NetApi.ReadNets(ctx).ReadNetsRequest(req).Execute()
		})
		return resp.GetNets(), resp.GetNextPageToken(), err
	})
	if err != nil {
		return nil, err
	}
	var out []provider.Observed
	for _, n := range nets {
		tags := tagMap(n.GetTags())
		if !owned(q, tags) {
			continue
		}
		o := observed(pattern.KindNet, n.GetNetId(), tags)
		cidr, _ := netip.ParsePrefix(n.GetIpRange())
		o.Resource.Net = &pattern.NetSpec{CIDR: cidr}
		o.Status = n.GetState()
		o.Ready = o.Status == "available"
		out = append(out, o)
	}
	return out, nil
}

func (d *Driver) createNet(ctx context.Context, req provider.Request) (provider.Observed, error) {
	if o, ok, err := d.findOwned(ctx, req, d.listNets); err != nil || ok {
		return o, err
	}
	s := req.Resource.Net
	var n osc.Net
	id, adopted, err := d.createAdopting(ctx, pattern.KindNet, req.Resource.ID, d.listNets, provider.Query{}, func(ctx context.Context) (string, error) {
		resp, err := call(ctx, d, "CreateNet", string(pattern.KindNet), req.Resource.ID, func(ctx context.Context) (osc.CreateNetResponse, *http.Response, error) {
			return d.api.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: s.CIDR.String()}).Execute()
		})
		n = resp.GetNet()
		return n.GetNetId(), err
	})
	if err != nil {
		return provider.Observed{}, err
	}
	if adopted {
		n.SetState("pending") // unknown: the engine reads it until available
	}
	if err := d.tagNew(ctx, pattern.KindNet, id, req.Tags, func(ctx context.Context) error {
		return d.deleteNet(ctx, provider.Observed{ID: id})
	}); err != nil {
		return provider.Observed{}, err
	}
	o := observed(pattern.KindNet, id, req.Tags)
	o.Resource.Net = &pattern.NetSpec{CIDR: s.CIDR}
	o.Status = n.GetState()
	o.Ready = o.Status == "available"
	return o, nil
}

// deleteNet deletes a Net. OUTSCALE refuses while subnets, groups, route
// tables, services or VMs remain (409, Code Dependency); the blockers that
// are not tagged with the Net's deployment are named.
func (d *Driver) deleteNet(ctx context.Context, cur provider.Observed) error {
	_, err := call(ctx, d, "DeleteNet", string(pattern.KindNet), cur.ID, func(ctx context.Context) (osc.DeleteNetResponse, *http.Response, error) {
		return d.api.NetApi.DeleteNet(ctx).DeleteNetRequest(osc.DeleteNetRequest{NetId: cur.ID}).Execute()
	})
	if provider.CodeOf(err) == provider.Dependency {
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
