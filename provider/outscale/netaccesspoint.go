package outscale

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// A net endpoint (kind net_endpoint) is an OUTSCALE Net access point
// (CreateNetAccessPoint): a gateway to one of the services that
// ReadNetAccessPointServices lists, "com.outscale.<region>.<service>" (the
// OUTSCALE API reference lists api and oos). Of the services archkit
// knows, only S3 has one: OOS, OUTSCALE's S3-compatible object storage,
// so an s3 endpoint is an access point to "com.outscale.<region>.oos"
// ([accessServices]). OUTSCALE adds to each of its RouteTableIds a route
// from the service's prefix list (DestinationServiceId) to the access
// point; UpdateNetAccessPoint adds and removes route tables in place
// (AddRouteTableIds, RemoveRouteTableIds). OUTSCALE has no interface
// endpoints: Create and Check refuse them, and the engine drops them
// under AllowFallback ([driver.Capabilities.EndpointServices]).
//
// CreateNetAccessPoint takes neither a client token nor tags: the access
// point is tagged after it is made (CreateTags), and an answer lost is
// recovered as for a Net ([createAdopting]: the untagged access point of
// the service that appeared in the Net meanwhile is the one made). A
// security-group rule to a service's prefix list
// ([blueprint.RuleSpec.PrefixList]) is a rule with the service's id
// (ServiceIds, a "pl-" id read once with ReadNetAccessPointServices).

// accessServices maps the services archkit knows to the name of their
// OUTSCALE service, after "com.outscale.<region>.".
var accessServices = map[tier.Service]string{tier.ServiceS3: "oos"}

// endpointServices is Capabilities.EndpointServices: the services of
// accessServices, each through a gateway.
func endpointServices() map[string]string {
	out := map[string]string{}
	for s := range accessServices {
		out[string(s)] = blueprint.EndpointGateway
	}
	return out
}

// noInterfaceEndpoints is Capabilities.NoEndpoint.
const noInterfaceEndpoints = "OUTSCALE's Net access points reach its object storage (OOS, the s3 of archkit's services) through route tables only; " +
	"it has no interface endpoints and no other service of archkit's"

// The states of an access point that is going or gone: List shows
// neither; a delete waits until it is deleted (a Net is not deleted while
// one is deleting).
var (
	accessPointsGone = []string{"deleting", "deleted"}
	accessPointsDead = []string{"deleted"}
)

// checkNetEndpoint returns why OUTSCALE cannot make the endpoint s, or nil.
func checkNetEndpoint(s *blueprint.NetEndpointSpec) error {
	if _, ok := accessServices[tier.Service(s.Service)]; ok && s.Type == blueprint.EndpointGateway {
		return nil
	}
	return fmt.Errorf("outscale: net_endpoint.service: %s %s: %s; drop it (Architecture.Endpoints.Drop), or set AllowFallback to drop it with a notice (the nodes then reach the service through a NAT service)",
		s.Type, s.Service, noInterfaceEndpoints)
}

// serviceName returns OUTSCALE's name of the service of s in the region.
func (d *Driver) serviceName(s *blueprint.NetEndpointSpec) string {
	return "com.outscale." + d.region + "." + accessServices[tier.Service(s.Service)]
}

// archkitService returns the archkit service of an OUTSCALE service name,
// or the name itself when archkit has none.
func (d *Driver) archkitService(name string) string {
	short := strings.TrimPrefix(name, "com.outscale."+d.region+".")
	for s, n := range accessServices {
		if n == short {
			return string(s)
		}
	}
	return name
}

func (d *Driver) accessPointObserved(a osc.NetAccessPoint, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindNetEndpoint, a.GetNetAccessPointId(), tags)
	s := &blueprint.NetEndpointSpec{Net: blueprint.Ref(a.GetNetId()), Service: d.archkitService(a.GetServiceName()), Type: blueprint.EndpointGateway}
	for _, id := range a.GetRouteTableIds() {
		s.RouteTables = append(s.RouteTables, blueprint.Ref(id))
	}
	slices.Sort(s.RouteTables)
	o.Resource.NetEndpoint = s
	o.Status = a.GetState()
	o.Ready = o.Status == "available"
	return o
}

// readAccessPoints reads the access points f selects, but those in a
// state of gone.
func (d *Driver) readAccessPoints(ctx context.Context, f osc.FiltersNetAccessPoint, id string, gone []string) ([]osc.NetAccessPoint, error) {
	aps, err := pages(func(token *string) ([]osc.NetAccessPoint, string, error) {
		req := osc.ReadNetAccessPointsRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadNetAccessPoints", string(blueprint.KindNetEndpoint), id, func(ctx context.Context) (osc.ReadNetAccessPointsResponse, *http.Response, error) {
			return d.api.NetAccessPointApi.ReadNetAccessPoints(ctx).ReadNetAccessPointsRequest(req).Execute()
		})
		return resp.GetNetAccessPoints(), resp.GetNextPageToken(), err
	})
	return slices.DeleteFunc(aps, func(a osc.NetAccessPoint) bool { return slices.Contains(gone, a.GetState()) }), err
}

// listNetAccessPoints lists the deployment's access points, or those of ids.
func (d *Driver) listNetAccessPoints(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	aps, err := d.readAccessPoints(ctx, osc.FiltersNetAccessPoint{Tags: ownerFilter(q), NetAccessPointIds: idFilter(ids), NetIds: netFilter(q)}, first(ids), accessPointsGone)
	if err != nil {
		return nil, err
	}
	return ownedObserved(q, aps, d.accessPointObserved), nil
}

// createNetAccessPoint makes the access point on its route tables and
// tags it; see the top of this file for a lost answer.
func (d *Driver) createNetAccessPoint(ctx context.Context, req driver.Request) (driver.Observed, error) {
	k, s := blueprint.KindNetEndpoint, req.Resource.NetEndpoint
	if err := checkNetEndpoint(s); err != nil {
		return driver.Observed{}, errorf("Create", string(k), req.Resource.ID, driver.Unsupported, "%v", err)
	}
	o, ok, err := d.findOwned(ctx, req, d.listNetAccessPoints)
	if err != nil || ok {
		return o, err
	}
	name := d.serviceName(s)
	tables := refIDs(s.RouteTables)
	in := osc.CreateNetAccessPointRequest{NetId: string(s.Net), ServiceName: name, RouteTableIds: &tables}
	a, _, err := createAdopting(ctx, d, k, req.Resource.ID, d.accessPointCandidates(string(s.Net), name), func(ctx context.Context) (osc.NetAccessPoint, error) {
		resp, err := call(ctx, d, "CreateNetAccessPoint", string(k), req.Resource.ID, func(ctx context.Context) (osc.CreateNetAccessPointResponse, *http.Response, error) {
			return d.api.NetAccessPointApi.CreateNetAccessPoint(ctx).CreateNetAccessPointRequest(in).Execute()
		})
		return resp.GetNetAccessPoint(), err
	})
	if err != nil {
		return driver.Observed{}, err
	}
	id := a.GetNetAccessPointId()
	if err := d.tagNew(ctx, k, id, req.Tags, func(ctx context.Context) error { return d.deleteNetAccessPoint(ctx, driver.Observed{ID: id}) }); err != nil {
		return driver.Observed{}, err
	}
	return d.accessPointObserved(a, req.Tags), nil
}

// accessPointCandidates lists the unowned live access points of net to
// the service name: what CreateNetAccessPoint could make.
func (d *Driver) accessPointCandidates(net, name string) func(context.Context) (map[string]osc.NetAccessPoint, error) {
	return func(ctx context.Context) (map[string]osc.NetAccessPoint, error) {
		aps, err := d.readAccessPoints(ctx, osc.FiltersNetAccessPoint{NetIds: &[]string{net}, ServiceNames: &[]string{name}}, "", accessPointsGone)
		if err != nil {
			return nil, err
		}
		return unowned(aps, (*osc.NetAccessPoint).GetNetAccessPointId, (*osc.NetAccessPoint).GetTags, func(*osc.NetAccessPoint) bool { return true }), nil
	}
}

// updateNetAccessPoint makes the route tables of cur those of req with
// one UpdateNetAccessPoint (AddRouteTableIds, RemoveRouteTableIds), then
// its tags.
func (d *Driver) updateNetAccessPoint(ctx context.Context, req driver.Request, cur driver.Observed) error {
	k := string(blueprint.KindNetEndpoint)
	var have []blueprint.Ref
	if cur.Resource.NetEndpoint != nil {
		have = cur.Resource.NetEndpoint.RouteTables
	}
	want := req.Resource.NetEndpoint.RouteTables
	add := slices.DeleteFunc(slices.Clone(want), func(r blueprint.Ref) bool { return slices.Contains(have, r) })
	del := slices.DeleteFunc(slices.Clone(have), func(r blueprint.Ref) bool { return slices.Contains(want, r) })
	if len(add)+len(del) > 0 {
		in := osc.UpdateNetAccessPointRequest{NetAccessPointId: cur.ID}
		if len(add) > 0 {
			ids := refIDs(add)
			in.AddRouteTableIds = &ids
		}
		if len(del) > 0 {
			ids := refIDs(del)
			in.RemoveRouteTableIds = &ids
		}
		if _, err := call(ctx, d, "UpdateNetAccessPoint", k, cur.ID, func(ctx context.Context) (osc.UpdateNetAccessPointResponse, *http.Response, error) {
			return d.api.NetAccessPointApi.UpdateNetAccessPoint(ctx).UpdateNetAccessPointRequest(in).Execute()
		}); err != nil {
			return err
		}
	}
	return d.createTags(ctx, "Update", blueprint.KindNetEndpoint, cur.ID, req.Tags)
}

// deleteNetAccessPoint deletes the access point, its routes with it, and
// waits until it is gone: a Net is not deleted while it has one. One
// already gone is done.
func (d *Driver) deleteNetAccessPoint(ctx context.Context, cur driver.Observed) error {
	k := string(blueprint.KindNetEndpoint)
	_, err := call(ctx, d, "DeleteNetAccessPoint", k, cur.ID, func(ctx context.Context) (osc.DeleteNetAccessPointResponse, *http.Response, error) {
		return d.api.NetAccessPointApi.DeleteNetAccessPoint(ctx).DeleteNetAccessPointRequest(osc.DeleteNetAccessPointRequest{NetAccessPointId: cur.ID}).Execute()
	})
	if err != nil && !isNotFound(err) {
		return err
	}
	return d.waitFor(ctx, "Delete", k, cur.ID, "deleted", func(ctx context.Context) (bool, error) {
		aps, err := d.readAccessPoints(ctx, osc.FiltersNetAccessPoint{NetAccessPointIds: &[]string{cur.ID}}, cur.ID, accessPointsDead)
		return err == nil && len(aps) == 0, err
	})
}

// refIDs returns the provider ids of refs (resolved by the engine).
func refIDs(refs []blueprint.Ref) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = string(r)
	}
	return out
}

// serviceIDs maps archkit's services to the ids of their OUTSCALE
// services ("s3" <-> "pl-..."), the ServiceIds of security-group rules,
// read once with ReadNetAccessPointServices: a region's services never
// change id.
type serviceIDs struct {
	mu     sync.Mutex
	byName map[string]string // archkit service -> id
	byID   map[string]string // id -> archkit service
}

// services returns the maps of serviceIDs, reading them on first use.
func (d *Driver) services(ctx context.Context) (byName, byID map[string]string, err error) {
	d.svc.mu.Lock()
	defer d.svc.mu.Unlock()
	if d.svc.byName != nil {
		return d.svc.byName, d.svc.byID, nil
	}
	list, err := pages(func(token *string) ([]osc.Service, string, error) {
		req := osc.ReadNetAccessPointServicesRequest{NextPageToken: token}
		resp, err := call(ctx, d, "ReadNetAccessPointServices", string(blueprint.KindSecurityGroupRules), "", func(ctx context.Context) (osc.ReadNetAccessPointServicesResponse, *http.Response, error) {
			return d.api.NetAccessPointApi.ReadNetAccessPointServices(ctx).ReadNetAccessPointServicesRequest(req).Execute()
		})
		return resp.GetServices(), resp.GetNextPageToken(), err
	})
	if err != nil {
		return nil, nil, err
	}
	byName, byID = map[string]string{}, map[string]string{}
	for _, sv := range list {
		name := d.archkitService(sv.GetServiceName())
		byName[name], byID[sv.GetServiceId()] = sv.GetServiceId(), name
	}
	d.svc.byName, d.svc.byID = byName, byID
	return byName, byID, nil
}
