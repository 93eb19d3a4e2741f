package outscale

import (
	"context"
	"net/http"
	"net/netip"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

func (d *Driver) listSubnets(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	f := osc.FiltersSubnet{Tags: ownerFilter(q), SubnetIds: idFilter(ids), NetIds: netFilter(q)}
	subnets, err := pages(func(token *string) ([]osc.Subnet, string, error) {
		req := osc.ReadSubnetsRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadSubnets", string(blueprint.KindSubnet), first(ids), func(ctx context.Context) (osc.ReadSubnetsResponse, *http.Response, error) {
			return d.api.SubnetApi.ReadSubnets(ctx).ReadSubnetsRequest(req).Execute()
		})
		return resp.GetSubnets(), resp.GetNextPageToken(), err
	})
	if err != nil {
		return nil, err
	}
	return ownedObserved(q, subnets, subnetObserved), nil
}

func subnetObserved(s osc.Subnet, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindSubnet, s.GetSubnetId(), tags)
	cidr, _ := netip.ParsePrefix(s.GetIpRange())
	o.Resource.Subnet = &blueprint.SubnetSpec{Net: blueprint.Ref(s.GetNetId()), CIDR: cidr, Zone: s.GetSubregionName(),
		Tier: tags[tagTier], Public: s.GetMapPublicIpOnLaunch()}
	o.Status = s.GetState()
	o.Ready = o.Status == "available"
	return o
}

// createSubnet creates the subnet in its subregion, tags it and, for a
// public one, turns MapPublicIpOnLaunch on (UpdateSubnet). The subnet may
// still be pending: Ready false.
func (d *Driver) createSubnet(ctx context.Context, req driver.Request) (driver.Observed, error) {
	if o, ok, err := d.findOwned(ctx, req, d.listSubnets); err != nil || ok {
		return o, err
	}
	s := req.Resource.Subnet
	k := blueprint.KindSubnet
	in := osc.CreateSubnetRequest{NetId: string(s.Net), IpRange: s.CIDR.String()}
	if s.Zone != "" {
		in.SubregionName = &s.Zone
	}
	resp, err := call(ctx, d, "CreateSubnet", string(k), req.Resource.ID, func(ctx context.Context) (osc.CreateSubnetResponse, *http.Response, error) {
		return d.api.SubnetApi.CreateSubnet(ctx).CreateSubnetRequest(in).Execute()
	})
	if err != nil {
		if driver.CodeOf(err) == driver.AlreadyExists {
			// The same range in the same Net, untagged: a create whose
			// tagging failed before a rollback could run. Adopt it.
			if o, ok := d.adoptSubnet(ctx, req); ok {
				return o, nil
			}
		}
		return driver.Observed{}, err
	}
	sn := resp.GetSubnet()
	id := sn.GetSubnetId()
	tags := withMeta(req.Tags, map[string]string{tagTier: s.Tier})
	if err := d.tagNew(ctx, k, id, tags, func(ctx context.Context) error { return d.deleteSubnet(ctx, driver.Observed{ID: id}) }); err != nil {
		return driver.Observed{}, err
	}
	if s.Public {
		if err := d.setMapPublicIP(ctx, id, true); err != nil {
			return driver.Observed{}, err
		}
		sn.MapPublicIpOnLaunch = osc.PtrBool(true)
	}
	return subnetObserved(sn, tags), nil
}

// adoptSubnet finds an untagged subnet with req's range in req's Net and
// tags it.
func (d *Driver) adoptSubnet(ctx context.Context, req driver.Request) (driver.Observed, bool) {
	s := req.Resource.Subnet
	f := osc.FiltersSubnet{NetIds: &[]string{string(s.Net)}, IpRanges: &[]string{s.CIDR.String()}}
	resp, err := call(ctx, d, "ReadSubnets", string(blueprint.KindSubnet), req.Resource.ID, func(ctx context.Context) (osc.ReadSubnetsResponse, *http.Response, error) {
		return d.api.SubnetApi.ReadSubnets(ctx).ReadSubnetsRequest(osc.ReadSubnetsRequest{Filters: &f}).Execute()
	})
	if err != nil || len(resp.GetSubnets()) != 1 {
		return driver.Observed{}, false
	}
	sn := resp.GetSubnets()[0]
	if _, tagged := tagMap(sn.GetTags())[driver.TagDeployment]; tagged {
		return driver.Observed{}, false
	}
	tags := withMeta(req.Tags, map[string]string{tagTier: s.Tier})
	if d.createTags(ctx, "Create", blueprint.KindSubnet, sn.GetSubnetId(), tags) != nil {
		return driver.Observed{}, false
	}
	if sn.GetMapPublicIpOnLaunch() != s.Public && d.setMapPublicIP(ctx, sn.GetSubnetId(), s.Public) == nil {
		sn.MapPublicIpOnLaunch = osc.PtrBool(s.Public)
	}
	return subnetObserved(sn, tags), true
}

func (d *Driver) setMapPublicIP(ctx context.Context, id string, on bool) error {
	_, err := call(ctx, d, "UpdateSubnet", string(blueprint.KindSubnet), id, func(ctx context.Context) (osc.UpdateSubnetResponse, *http.Response, error) {
		return d.api.SubnetApi.UpdateSubnet(ctx).UpdateSubnetRequest(osc.UpdateSubnetRequest{SubnetId: id, MapPublicIpOnLaunch: on}).Execute()
	})
	return err
}

func (d *Driver) updateSubnet(ctx context.Context, req driver.Request, cur driver.Observed) error {
	want := req.Resource.Subnet
	if cur.Resource.Subnet == nil || cur.Resource.Subnet.Public != want.Public {
		if err := d.setMapPublicIP(ctx, cur.ID, want.Public); err != nil {
			return err
		}
	}
	return d.createTags(ctx, "Update", blueprint.KindSubnet, cur.ID, withMeta(req.Tags, map[string]string{tagTier: want.Tier}))
}

// deleteSubnet deletes a subnet; OUTSCALE refuses while VMs, NICs, NAT
// services or load balancers are in it, and the VMs of other owners are
// named as blockers.
func (d *Driver) deleteSubnet(ctx context.Context, cur driver.Observed) error {
	_, err := call(ctx, d, "DeleteSubnet", string(blueprint.KindSubnet), cur.ID, func(ctx context.Context) (osc.DeleteSubnetResponse, *http.Response, error) {
		return d.api.SubnetApi.DeleteSubnet(ctx).DeleteSubnetRequest(osc.DeleteSubnetRequest{SubnetId: cur.ID}).Execute()
	})
	if driver.CodeOf(err) == driver.Dependency {
		d.addBlockers(ctx, err, cur, osc.FiltersVm{SubnetIds: &[]string{cur.ID}})
	}
	return err
}
