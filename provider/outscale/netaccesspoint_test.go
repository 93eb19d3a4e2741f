package outscale_test

import (
	"context"
	"net/netip"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale"
	"github.com/archkit/archkit/provider/outscale/osctest"
	"github.com/archkit/archkit/provider/providertest"
	"github.com/archkit/archkit/tier"
)

// bucketThreeTier is the OUTSCALE three-tier (nginx public, db isolated,
// intel private with egress, isolated without) whose application cluster
// (intel) reads a bucket (OOS, OUTSCALE's object storage); more adds S3
// users.
func bucketThreeTier(t *testing.T, egress bool, more ...string) *blueprint.Blueprint {
	t.Helper()
	a := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop", Profile: netplan.Outscale, AppEgress: egress,
		WebImage: suiteImage, AppImage: suiteImage, DBImage: suiteImage, InstanceType: "tinav5.c2r4p2"})
	for i := range a.Clusters {
		if a.Clusters[i].Tier == "intel" {
			a.Clusters[i].Grants = []tier.Grant{tier.ReadBucket("shop-assets")}
		}
	}
	if len(more) > 0 {
		a.AddEndpoint(tier.ServiceS3, more...)
	}
	bp, err := a.Build()
	require.NoError(t, err)
	return bp
}

// tablesOfTiers returns the logical ids of bp's route tables whose subnet
// is of one of tiers.
func tablesOfTiers(bp *blueprint.Blueprint, tiers ...string) []string {
	var out []string
	for _, r := range bp.OfKind(blueprint.KindRouteTable) {
		if sub, ok := bp.Resource(string(r.RouteTable.Subnet)); ok && slices.Contains(tiers, sub.Subnet.Tier) {
			out = append(out, r.ID)
		}
	}
	slices.Sort(out)
	return out
}

// accessPointRoutes reads every route table and returns, by logical id of
// the table (its archkit tag), the Net access points it routes the OOS
// prefix list to.
func accessPointRoutes(t *testing.T, srv *osctest.Server) (oosID string, routes map[string][]string) {
	t.Helper()
	api, ctx := apiClient(t, srv)
	svc, _, err := api.NetAccessPointApi.ReadNetAccessPointServices(ctx).ReadNetAccessPointServicesRequest(osc.ReadNetAccessPointServicesRequest{
		Filters: &osc.FiltersService{ServiceNames: &[]string{"com.outscale.eu-west-2.oos"}}}).Execute()
	require.NoError(t, err)
	require.Len(t, svc.GetServices(), 1)
	oosID = svc.GetServices()[0].GetServiceId()
	rts, _, err := api.RouteTableApi.ReadRouteTables(ctx).ReadRouteTablesRequest(osc.ReadRouteTablesRequest{}).Execute()
	require.NoError(t, err)
	routes = map[string][]string{}
	for _, rt := range rts.GetRouteTables() {
		lid := ""
		for _, tg := range rt.GetTags() {
			if tg.Key == driver.TagLogicalID {
				lid = tg.Value
			}
		}
		for _, r := range rt.GetRoutes() {
			if r.GetNetAccessPointId() != "" {
				assert.Equal(t, oosID, r.GetDestinationServiceId(), "%s: the route's destination is the OOS prefix list", lid)
				routes[lid] = append(routes[lid], r.GetNetAccessPointId())
			}
		}
	}
	return oosID, routes
}

// TestThreeTierAccessPoint: the OUTSCALE three-tier whose intel cluster
// reads a bucket gets a Net access point to OOS on exactly the intel
// tier's route tables (the Isolated user's, which has no other way out;
// the public nginx tier reaches OOS through the internet service), read
// back with ReadNetAccessPoints and ReadRouteTables, and the intel group's
// outbound rule names the service (ServiceIds); a re-apply writes
// nothing; adding the db tier as a user adds its tables with one
// UpdateNetAccessPoint; the destroy leaves nothing.
func TestThreeTierAccessPoint(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	eng := engineFor(d)
	bp := bucketThreeTier(t, false)
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)

	api, ctx := apiClient(t, srv)
	aps, _, err := api.NetAccessPointApi.ReadNetAccessPoints(ctx).ReadNetAccessPointsRequest(osc.ReadNetAccessPointsRequest{}).Execute()
	require.NoError(t, err)
	require.Len(t, aps.GetNetAccessPoints(), 1)
	ap := aps.GetNetAccessPoints()[0]
	assert.Equal(t, "com.outscale.eu-west-2.oos", ap.GetServiceName())
	oosID, routes := accessPointRoutes(t, srv)
	intel := tablesOfTiers(bp, "intel")
	require.Len(t, intel, 2)
	assert.Equal(t, intel, slices.Sorted(func(yield func(string) bool) {
		for lid, aps := range routes {
			assert.Equal(t, []string{ap.GetNetAccessPointId()}, aps, lid)
			if !yield(lid) {
				return
			}
		}
	}), "the access point routes exactly the intel tier's tables")
	st := state(t, d, bp.Deployment)
	assert.Contains(t, st["security_group_rules/intel"], "PrefixList:s3", "the intel group's rule to OOS reads back as the s3 prefix list")
	groups, _, err := api.SecurityGroupApi.ReadSecurityGroups(ctx).ReadSecurityGroupsRequest(osc.ReadSecurityGroupsRequest{
		Filters: &osc.FiltersSecurityGroup{SecurityGroupNames: &[]string{"shop-intel"}}}).Execute()
	require.NoError(t, err)
	require.Len(t, groups.GetSecurityGroups(), 1)
	assert.True(t, slices.ContainsFunc(groups.GetSecurityGroups()[0].GetOutboundRules(), func(r osc.SecurityGroupRule) bool {
		return slices.Equal(r.GetServiceIds(), []string{oosID}) && r.GetIpProtocol() == "tcp" && r.GetFromPortRange() == 443
	}), "an outbound tcp/443 rule to the OOS service id")

	_, perOp := srv.Requests()
	again, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, again.WriteCalls)
	_, perOp2 := srv.Requests()
	assert.Equal(t, writes(perOp), writes(perOp2), "re-apply sends no OUTSCALE write")

	wider := bucketThreeTier(t, false, "intel", "db")
	_, err = eng.Apply(t.Context(), wider)
	require.NoError(t, err)
	_, perOp3 := srv.Requests()
	assert.Equal(t, 1, perOp3["UpdateNetAccessPoint"]-perOp2["UpdateNetAccessPoint"], "the db tables added in place")
	assert.Equal(t, perOp2["CreateNetAccessPoint"], perOp3["CreateNetAccessPoint"])
	assert.Equal(t, perOp2["DeleteNetAccessPoint"], perOp3["DeleteNetAccessPoint"])
	_, routes = accessPointRoutes(t, srv)
	assert.ElementsMatch(t, tablesOfTiers(wider, "intel", "db"), slices.Collect(func(yield func(string) bool) {
		for lid := range routes {
			if !yield(lid) {
				return
			}
		}
	}))

	_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(wider))
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, d))
	live, err := outscale.ListAll(t.Context(), d, blueprint.KindNetEndpoint)
	require.NoError(t, err)
	assert.Empty(t, live)
	assert.Empty(t, srv.Violations())
}

// accessPointNet creates a Net with two route tables for the access point
// tests and returns the provider ids by logical id.
func accessPointNet(t *testing.T, d driver.Driver, dep, cidr string) map[string]string {
	t.Helper()
	ctx := t.Context()
	ids := map[string]string{}
	for _, r := range []blueprint.Resource{
		{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix(cidr)}},
		{ID: "route_table/a", Kind: blueprint.KindRouteTable, RouteTable: &blueprint.RouteTableSpec{Net: "net/main"}},
		{ID: "route_table/b", Kind: blueprint.KindRouteTable, RouteTable: &blueprint.RouteTableSpec{Net: "net/main"}},
	} {
		o, err := providertest.CreateRetry(ctx, d, providertest.Request(dep, r, ids))
		require.NoError(t, err)
		ids[r.ID] = o.ID
	}
	t.Cleanup(func() { providertest.Destroy(context.WithoutCancel(ctx), t, d, dep) })
	return ids
}

func s3Endpoint(tables ...blueprint.Ref) blueprint.Resource {
	return blueprint.Resource{ID: "net_endpoint/s3", Kind: blueprint.KindNetEndpoint, NetEndpoint: &blueprint.NetEndpointSpec{
		Net: "net/main", Service: "s3", Type: blueprint.EndpointGateway, RouteTables: tables}}
}

// TestNetAccessPointAnswerLost: the answer of CreateNetAccessPoint is lost
// after it took effect. The engine's retry of the Create takes the
// untagged access point that appeared in the Net (createAdopting) instead
// of making a second one: one access point, made once, tagged.
func TestNetAccessPointAnswerLost(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	const dep = "lostaccess"
	ids := accessPointNet(t, d, dep, "10.72.0.0/16")
	srv.LoseNext("CreateNetAccessPoint", 1)
	o, err := providertest.CreateRetry(t.Context(), d, providertest.Request(dep, s3Endpoint("route_table/a"), ids))
	require.NoError(t, err)
	_, perOp := srv.Requests()
	assert.Equal(t, 1, perOp["CreateNetAccessPoint"], "made once")
	obs, err := d.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindNetEndpoint})
	require.NoError(t, err)
	require.Len(t, obs, 1)
	assert.Equal(t, o.ID, obs[0].ID)
	assert.Equal(t, []blueprint.Ref{blueprint.Ref(ids["route_table/a"])}, obs[0].Resource.NetEndpoint.RouteTables)
	all, err := outscale.ListAll(t.Context(), d, blueprint.KindNetEndpoint)
	require.NoError(t, err)
	assert.Len(t, all, 1, "no untagged twin")
}

// TestNetAccessPointRefusals: what OUTSCALE cannot make is refused before
// any call (Check and Create: an interface endpoint, a service without an
// access point), and what it refuses is refused with its code: another
// Net's route table (Invalid), a table that routes the service already
// (AlreadyExists); a Net with an access point is not deleted
// (Dependency).
func TestNetAccessPointRefusals(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	ctx := t.Context()
	const dep = "refusals"
	ids := accessPointNet(t, d, dep, "10.73.0.0/16")
	other := accessPointNet(t, d, dep+"-other", "10.74.0.0/16")
	for _, e := range []*blueprint.NetEndpointSpec{
		{Net: "net/main", Service: "sqs", Type: blueprint.EndpointInterface, Subnets: []blueprint.Ref{"subnet/x"}, SecurityGroups: []blueprint.Ref{"security_group/x"}},
		{Net: "net/main", Service: "dynamodb", Type: blueprint.EndpointGateway, RouteTables: []blueprint.Ref{"route_table/a"}},
		{Net: "net/main", Service: "s3", Type: blueprint.EndpointInterface, Subnets: []blueprint.Ref{"subnet/x"}, SecurityGroups: []blueprint.Ref{"security_group/x"}},
	} {
		r := blueprint.Resource{ID: "net_endpoint/" + e.Service, Kind: blueprint.KindNetEndpoint, NetEndpoint: e}
		err := d.Check(dep, r)
		require.Error(t, err, "%s %s", e.Type, e.Service)
		assert.Contains(t, err.Error(), "net_endpoint.service")
		_, err = d.Create(ctx, providertest.Request(dep, r, ids))
		assert.ErrorIs(t, err, driver.ErrUnsupported, "%s %s", e.Type, e.Service)
	}
	_, perOp := srv.Requests()
	assert.Zero(t, perOp["CreateNetAccessPoint"], "refused before any call")

	ids["route_table/other"] = other["route_table/a"]
	foreign := s3Endpoint("route_table/other")
	_, err := d.Create(ctx, providertest.Request(dep, foreign, ids))
	assert.Equal(t, driver.Invalid, driver.CodeOf(err), "a route table of another Net: %v", err)

	first, err := d.Create(ctx, providertest.Request(dep, s3Endpoint("route_table/a"), ids))
	require.NoError(t, err)
	second := s3Endpoint("route_table/a")
	second.ID = "net_endpoint/s3-twin"
	_, err = d.Create(ctx, providertest.Request(dep, second, ids))
	assert.Equal(t, driver.AlreadyExists, driver.CodeOf(err), "the table routes OOS already: %v", err)

	api, actx := apiClient(t, srv)
	_, _, err = api.NetApi.DeleteNet(actx).DeleteNetRequest(osc.DeleteNetRequest{NetId: ids["net/main"]}).Execute()
	require.Error(t, err, "a Net with a live access point stays")
	require.NoError(t, d.Delete(ctx, first, driver.DeleteOptions{}))
	_, routes := accessPointRoutes(t, srv)
	assert.Empty(t, routes, "the access point's routes went with it")
}

// TestAccessPointFaults: every CreateNetAccessPoint and every
// security-group rule write of the bucket three-tier's apply fails once
// (HTTP 500); the next apply converges to the clean state, nothing
// duplicated, the one after writes nothing, the destroy leaves nothing.
func TestAccessPointFaults(t *testing.T) {
	t.Parallel()
	faultSweep(t, bucketThreeTier(t, true), []string{"CreateNetAccessPoint", "CreateSecurityGroupRule"})
}
