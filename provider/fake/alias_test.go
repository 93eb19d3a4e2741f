package fake_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/providertest"
)

// scribble changes every field of r and tags a caller could
// change through what a driver answered or was given: the spec behind
// the pointer, its slices and the tags' map.
func scribble(r *blueprint.Resource, tags map[string]string) {
	r.ID = "x/scribbled"
	r.DependsOn = append(r.DependsOn[:0:0], "x/other")
	if rt := r.RouteTable; rt != nil {
		rt.Net, rt.Subnet = "vpc-scribbled", "subnet-scribbled"
		for i := range rt.Routes {
			rt.Routes[i].Destination = netip.MustParsePrefix("192.0.2.0/24")
		}
	}
	if s := r.Subnet; s != nil {
		s.Net, s.CIDR, s.Zone = "vpc-scribbled", netip.MustParsePrefix("192.0.2.0/24"), "scribbled"
	}
	for k := range tags {
		tags[k] = "scribbled"
	}
	tags["added"] = "scribbled"
}

// TestNoAliasing proves that the fake keeps its own copies: changing the
// request after Create or Update, and the Observed that Create, Update,
// Read and List answer, leaves what the fake stores unchanged. The fake
// shares no memory with a caller, so an engine or a test that reuses its
// values cannot change the cloud behind the fake's back.
func TestNoAliasing(t *testing.T) {
	t.Parallel()
	d := fake.New()
	ids := map[string]string{}
	netID := create(t, d, netRes("net/main", "10.0.0.0/16"), ids)
	sub := subnetRes("subnet/web/a", "10.0.1.0/24", "fake-1a")
	req := providertest.Request(dep, sub, ids)
	got, err := d.Create(t.Context(), req)
	require.NoError(t, err)
	want, err := d.Read(t.Context(), blueprint.KindSubnet, got.ID)
	require.NoError(t, err)
	require.Equal(t, netID, string(want.Resource.Subnet.Net))

	scribble(&req.Resource, req.Tags) // what was passed in
	scribble(&got.Resource, got.Tags) // what Create answered
	read, err := d.Read(t.Context(), blueprint.KindSubnet, got.ID)
	require.NoError(t, err)
	assert.Equal(t, want, read, "changing the request or Create's answer changed the fake")

	scribble(&read.Resource, read.Tags) // what Read answered
	list, err := d.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindSubnet})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, want, list[0], "changing Read's answer changed the fake")

	scribble(&list[0].Resource, list[0].Tags) // what List answered
	create(t, d, blueprint.Resource{ID: "internet_gateway/main", Kind: blueprint.KindInternetGateway,
		InternetGateway: &blueprint.InternetGatewaySpec{Net: "net/main"}}, ids)
	ids["subnet/web/a"] = got.ID
	rt := blueprint.Resource{ID: "route_table/web/a", Kind: blueprint.KindRouteTable, RouteTable: &blueprint.RouteTableSpec{
		Net: "net/main", Subnet: "subnet/web/a"}}
	rtObs, err := d.Create(t.Context(), providertest.Request(dep, rt, ids))
	require.NoError(t, err)
	rt.RouteTable.Routes = []blueprint.RouteSpec{{Destination: netip.MustParsePrefix("0.0.0.0/0"),
		TargetKind: netplan.TargetInternetGateway, Target: "internet_gateway/main"}}
	upd := providertest.Request(dep, rt, ids)
	updated, err := d.Update(t.Context(), upd, rtObs)
	require.NoError(t, err)
	before, err := d.Read(t.Context(), blueprint.KindRouteTable, rtObs.ID)
	require.NoError(t, err)
	require.Len(t, before.Resource.RouteTable.Routes, 1)
	scribble(&upd.Resource, upd.Tags)         // what was passed to Update
	scribble(&updated.Resource, updated.Tags) // what Update answered
	after, err := d.Read(t.Context(), blueprint.KindRouteTable, rtObs.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after, "changing Update's request or answer changed the fake")

	list, err = d.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindSubnet})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, want, list[0], "the subnet changed")
}
