package outscale

import (
	"context"
	"net/http"
	"net/netip"
	"strings"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/resend"
)

func (d *Driver) readRouteTables(ctx context.Context, f osc.FiltersRouteTable, id string) ([]osc.RouteTable, error) {
	return pages(func(token *string) ([]osc.RouteTable, string, error) {
		req := osc.ReadRouteTablesRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadRouteTables", string(blueprint.KindRouteTable), id, func(ctx context.Context) (osc.ReadRouteTablesResponse, *http.Response, error) {
			return d.api.RouteTableApi.ReadRouteTables(ctx).ReadRouteTablesRequest(req).Execute()
		})
		return resp.GetRouteTables(), resp.GetNextPageToken(), err
	})
}

func (d *Driver) listRouteTables(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	rts, err := d.readRouteTables(ctx, osc.FiltersRouteTable{Tags: ownerFilter(q), RouteTableIds: idFilter(ids), NetIds: netFilter(q)}, first(ids))
	if err != nil {
		return nil, err
	}
	return ownedObserved(q, rts, routeTableObserved), nil
}

func routeTableObserved(rt osc.RouteTable, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindRouteTable, rt.GetRouteTableId(), tags)
	s := &blueprint.RouteTableSpec{Net: blueprint.Ref(rt.GetNetId())}
	links := []string{}
	for _, l := range rt.GetLinkRouteTables() {
		if l.GetMain() {
			links = nil
			break
		}
		links = append(links, l.GetLinkRouteTableId())
		if l.GetSubnetId() != "" && s.Subnet == "" {
			s.Subnet = blueprint.Ref(l.GetSubnetId())
		}
	}
	if links != nil {
		o.Parts = map[string][]string{partLinks: links}
	}
	for _, r := range rt.GetRoutes() {
		dest, err := netip.ParsePrefix(r.GetDestinationIpRange())
		if err != nil {
			continue
		}
		switch {
		case r.GetNetPeeringId() != "":
			s.Routes = append(s.Routes, blueprint.RouteSpec{Destination: dest, TargetKind: netplan.TargetNetPeering, Target: blueprint.Ref(r.GetNetPeeringId())})
		case r.GetVmId() != "":
			s.Routes = append(s.Routes, blueprint.RouteSpec{Destination: dest, TargetKind: netplan.TargetVPNAppliance, Target: blueprint.Ref(r.GetVmId())})
		case r.GetNatServiceId() != "":
			s.Routes = append(s.Routes, blueprint.RouteSpec{Destination: dest, TargetKind: netplan.TargetNATGateway, Target: blueprint.Ref(r.GetNatServiceId())})
		case strings.HasPrefix(r.GetGatewayId(), "igw-"):
			s.Routes = append(s.Routes, blueprint.RouteSpec{Destination: dest, TargetKind: netplan.TargetInternetGateway, Target: blueprint.Ref(r.GetGatewayId())})
		case strings.HasPrefix(r.GetGatewayId(), "vgw-") && r.GetCreationMethod() != "EnableVgwRoutePropagation":
			s.Routes = append(s.Routes, blueprint.RouteSpec{Destination: dest, TargetKind: netplan.TargetVPNGateway, Target: blueprint.Ref(r.GetGatewayId())})
		}
	}
	o.Resource.RouteTable = s
	o.Status, o.Ready = "available", true
	return o
}

// createRouteTable creates the route table, tags it, creates its routes
// and links it to its subnet (CreateRouteTable, CreateTags, CreateRoute,
// LinkRouteTable). CreateRouteTable has no client token and no tags: see
// createAdopting. A failure after the tagging leaves a tagged table that
// the next apply completes with Update.
func (d *Driver) createRouteTable(ctx context.Context, req driver.Request) (driver.Observed, error) {
	k := blueprint.KindRouteTable
	s := req.Resource.RouteTable
	o, ok, err := d.findOwned(ctx, req, d.listRouteTables)
	if err != nil {
		return driver.Observed{}, err
	}
	made := !ok
	if made {
		rt, _, err := createAdopting(ctx, d, k, req.Resource.ID, d.routeTableCandidates(string(s.Net)), func(ctx context.Context) (osc.RouteTable, error) {
			resp, err := call(ctx, d, "CreateRouteTable", string(k), req.Resource.ID, func(ctx context.Context) (osc.CreateRouteTableResponse, *http.Response, error) {
				return d.api.RouteTableApi.CreateRouteTable(ctx).CreateRouteTableRequest(osc.CreateRouteTableRequest{NetId: string(s.Net)}).Execute()
			})
			return resp.GetRouteTable(), err
		})
		if err != nil {
			return driver.Observed{}, err
		}
		id := rt.GetRouteTableId()
		if err := d.tagNew(ctx, k, id, req.Tags, func(ctx context.Context) error { return d.deleteRouteTable(ctx, driver.Observed{ID: id}) }); err != nil {
			return driver.Observed{}, err
		}
		o = routeTableObserved(rt, req.Tags)
	}
	if err := d.reconcileRouteTable(ctx, req, o, made); err != nil {
		return driver.Observed{}, err
	}
	o.Resource.RouteTable = &blueprint.RouteTableSpec{Net: s.Net, Subnet: s.Subnet, Routes: append([]blueprint.RouteSpec(nil), s.Routes...)}
	return o, nil
}

func (d *Driver) updateRouteTable(ctx context.Context, req driver.Request, cur driver.Observed) error {
	if err := d.reconcileRouteTable(ctx, req, cur, false); err != nil {
		return err
	}
	return d.createTags(ctx, "Update", blueprint.KindRouteTable, cur.ID, req.Tags)
}

// reconcileRouteTable makes the routes and the subnet link of cur those of
// req: routes missing are created, routes to another target replaced
// (UpdateRoute), routes not wanted deleted; the local route is never
// touched. The table is linked to the wanted subnet (a subnet linked to
// another table is moved with UpdateRouteTableLink). made says that this
// call made the table: it has no link to read, and on a first attempt the
// subnet is linked straight away, its current link read only when
// OUTSCALE refuses (already linked to another table).
func (d *Driver) reconcileRouteTable(ctx context.Context, req driver.Request, cur driver.Observed, made bool) error {
	k := string(blueprint.KindRouteTable)
	want := req.Resource.RouteTable
	have := map[netip.Prefix]blueprint.RouteSpec{}
	if cur.Resource.RouteTable != nil {
		for _, r := range cur.Resource.RouteTable.Routes {
			have[r.Destination] = r
		}
	}
	wanted := map[netip.Prefix]bool{}
	for _, r := range want.Routes {
		wanted[r.Destination] = true
		h, ok := have[r.Destination]
		if ok && h.Target == r.Target && h.TargetKind == r.TargetKind {
			continue
		}
		var err error
		if ok {
			in := osc.UpdateRouteRequest{RouteTableId: cur.ID, DestinationIpRange: r.Destination.String()}
			setTarget(&in.GatewayId, &in.NatServiceId, &in.NetPeeringId, &in.VmId, r)
			_, err = call(ctx, d, "UpdateRoute", k, cur.ID, func(ctx context.Context) (osc.UpdateRouteResponse, *http.Response, error) {
				return d.api.RouteApi.UpdateRoute(ctx).UpdateRouteRequest(in).Execute()
			})
		} else {
			in := osc.CreateRouteRequest{RouteTableId: cur.ID, DestinationIpRange: r.Destination.String()}
			setTarget(&in.GatewayId, &in.NatServiceId, &in.NetPeeringId, &in.VmId, r)
			_, err = call(ctx, d, "CreateRoute", k, cur.ID, func(ctx context.Context) (osc.CreateRouteResponse, *http.Response, error) {
				return d.api.RouteApi.CreateRoute(ctx).CreateRouteRequest(in).Execute()
			})
		}
		if err != nil {
			return err
		}
	}
	for dest := range have {
		if wanted[dest] {
			continue
		}
		in := osc.DeleteRouteRequest{RouteTableId: cur.ID, DestinationIpRange: dest.String()}
		if _, err := call(ctx, d, "DeleteRoute", k, cur.ID, func(ctx context.Context) (osc.DeleteRouteResponse, *http.Response, error) {
			return d.api.RouteApi.DeleteRoute(ctx).DeleteRouteRequest(in).Execute()
		}); err != nil && !isNotFound(err) {
			return err
		}
	}
	haveSubnet := blueprint.Ref("")
	if cur.Resource.RouteTable != nil {
		haveSubnet = cur.Resource.RouteTable.Subnet
	}
	if want.Subnet == haveSubnet {
		return nil
	}
	if made {
		if want.Subnet == "" {
			return nil
		}
		if !resend.Resending(ctx) {
			err := d.linkRouteTable(ctx, cur.ID, string(want.Subnet))
			if driver.CodeOf(err) != driver.AlreadyExists {
				return err
			}
		}
		return d.moveSubnetLink(ctx, cur.ID, string(want.Subnet))
	}
	rts, err := d.readRouteTables(ctx, osc.FiltersRouteTable{RouteTableIds: &[]string{cur.ID}}, cur.ID)
	if err != nil {
		return err
	}
	for _, rt := range rts {
		for _, l := range rt.GetLinkRouteTables() {
			if !l.GetMain() && l.GetSubnetId() != "" && l.GetSubnetId() != string(want.Subnet) {
				if err := d.unlinkRouteTable(ctx, cur.ID, l.GetLinkRouteTableId()); err != nil {
					return err
				}
			}
		}
	}
	if want.Subnet == "" {
		return nil
	}
	return d.moveSubnetLink(ctx, cur.ID, string(want.Subnet))
}

// moveSubnetLink links subnet to the table id: a subnet linked to another
// table moves with UpdateRouteTableLink.
func (d *Driver) moveSubnetLink(ctx context.Context, id, subnet string) error {
	others, err := d.readRouteTables(ctx, osc.FiltersRouteTable{LinkSubnetIds: &[]string{subnet}}, id)
	if err != nil {
		return err
	}
	for _, rt := range others {
		for _, l := range rt.GetLinkRouteTables() {
			if l.GetSubnetId() == subnet && !l.GetMain() {
				if rt.GetRouteTableId() == id {
					return nil
				}
				in := osc.UpdateRouteTableLinkRequest{LinkRouteTableId: l.GetLinkRouteTableId(), RouteTableId: id}
				_, err := call(ctx, d, "UpdateRouteTableLink", string(blueprint.KindRouteTable), id, func(ctx context.Context) (osc.UpdateRouteTableLinkResponse, *http.Response, error) {
					return d.api.RouteTableApi.UpdateRouteTableLink(ctx).UpdateRouteTableLinkRequest(in).Execute()
				})
				return err
			}
		}
	}
	return d.linkRouteTable(ctx, id, subnet)
}

// linkRouteTable links subnet to the table id (LinkRouteTable).
func (d *Driver) linkRouteTable(ctx context.Context, id, subnet string) error {
	in := osc.LinkRouteTableRequest{RouteTableId: id, SubnetId: subnet}
	_, err := call(ctx, d, "LinkRouteTable", string(blueprint.KindRouteTable), id, func(ctx context.Context) (osc.LinkRouteTableResponse, *http.Response, error) {
		return d.api.RouteTableApi.LinkRouteTable(ctx).LinkRouteTableRequest(in).Execute()
	})
	return err
}

func setTarget(gw, nat, pcx, vm **string, r blueprint.RouteSpec) {
	t := string(r.Target)
	switch r.TargetKind {
	case netplan.TargetVPNAppliance: // the appliance's provider id is its VM's
		*vm = &t
	case netplan.TargetNATGateway:
		*nat = &t
	case netplan.TargetNetPeering:
		*pcx = &t
	default:
		*gw = &t
	}
}

func (d *Driver) unlinkRouteTable(ctx context.Context, id, link string) error {
	_, err := call(ctx, d, "UnlinkRouteTable", string(blueprint.KindRouteTable), id, func(ctx context.Context) (osc.UnlinkRouteTableResponse, *http.Response, error) {
		return d.api.RouteTableApi.UnlinkRouteTable(ctx).UnlinkRouteTableRequest(osc.UnlinkRouteTableRequest{LinkRouteTableId: link}).Execute()
	})
	if isNotFound(err) {
		return nil
	}
	return err
}

// deleteRouteTable unlinks the table from its subnets, then deletes it.
// The main route table of a Net is never deleted (OUTSCALE deletes it with
// the Net): that is refused with Code Invalid.
// partLinks is the Parts key of the subnet links of a route table as it
// was read, present only for a table that is not its Net's main one.
const partLinks = "links"

// deleteRouteTable unlinks the table and deletes it. The links the plan's
// list read are dropped by their ids with no read; when the delete is
// refused then (a link made since), or cur was not read by a list, the
// table's links are read.
func (d *Driver) deleteRouteTable(ctx context.Context, cur driver.Observed) error {
	if links, ok := cur.Parts[partLinks]; ok {
		if err := d.unlinkAndDelete(ctx, cur.ID, links); err == nil || isNotFound(err) {
			return nil
		}
	}
	k := string(blueprint.KindRouteTable)
	rts, err := d.readRouteTables(ctx, osc.FiltersRouteTable{RouteTableIds: &[]string{cur.ID}}, cur.ID)
	if err != nil {
		return err
	}
	if len(rts) == 0 {
		return nil
	}
	for _, l := range rts[0].GetLinkRouteTables() {
		if l.GetMain() {
			return errorf("DeleteRouteTable", k, cur.ID, driver.Invalid, "route table %s is the main route table of Net %s; it goes with the Net", cur.ID, rts[0].GetNetId())
		}
	}
	var links []string
	for _, l := range rts[0].GetLinkRouteTables() {
		links = append(links, l.GetLinkRouteTableId())
	}
	return d.unlinkAndDelete(ctx, cur.ID, links)
}

// unlinkAndDelete unlinks the links of the table id, then deletes it.
func (d *Driver) unlinkAndDelete(ctx context.Context, id string, links []string) error {
	for _, l := range links {
		if err := d.unlinkRouteTable(ctx, id, l); err != nil {
			return err
		}
	}
	_, err := call(ctx, d, "DeleteRouteTable", string(blueprint.KindRouteTable), id, func(ctx context.Context) (osc.DeleteRouteTableResponse, *http.Response, error) {
		return d.api.RouteTableApi.DeleteRouteTable(ctx).DeleteRouteTableRequest(osc.DeleteRouteTableRequest{RouteTableId: id}).Execute()
	})
	return err
}
