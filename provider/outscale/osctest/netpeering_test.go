package osctest_test

import (
	"net/http"
	"testing"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/outscale/osctest"
)

// TestNetPeering drives Net peerings through the SDK, every call checked
// against the OpenAPI description: pending until accepted, routes to an
// active peering only, failed between overlapping Nets, rejected between
// Nets already peered, a Net with a live peering kept, deleted by either
// side once active.
func TestNetPeering(t *testing.T) {
	t.Parallel()
	s := osctest.New(t)
	c, ctx := client(t, s)
	net := func(cidr string) string {
		r, _, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: cidr}).Execute()
		require.NoError(t, err)
		return r.Net.GetNetId()
	}
	a, b, over := net("10.0.0.0/16"), net("10.1.0.0/16"), net("10.0.128.0/17")
	create := func(src, acc string) osc.NetPeering {
		r, _, err := c.NetPeeringApi.CreateNetPeering(ctx).CreateNetPeeringRequest(osc.CreateNetPeeringRequest{SourceNetId: src, AccepterNetId: acc}).Execute()
		require.NoError(t, err)
		return r.GetNetPeering()
	}
	p := create(a, b)
	assert.Regexp(t, `^vpcx-[0-9a-f]{8}$`, p.GetNetPeeringId())
	assert.Equal(t, "pending-acceptance", p.State.GetName())
	assert.Equal(t, "10.1.0.0/16", p.AccepterNet.GetIpRange())
	assert.Equal(t, "failed", create(a, over).State.GetName(), "overlapping Nets")

	rt, _, err := c.RouteTableApi.CreateRouteTable(ctx).CreateRouteTableRequest(osc.CreateRouteTableRequest{NetId: a}).Execute()
	require.NoError(t, err)
	rtID := rt.RouteTable.GetRouteTableId()
	route := func(pcx string) (*http.Response, error) {
		_, res, err := c.RouteApi.CreateRoute(ctx).CreateRouteRequest(osc.CreateRouteRequest{RouteTableId: rtID,
			DestinationIpRange: "10.1.0.0/24", NetPeeringId: &pcx}).Execute()
		return res, err
	}
	res, err := route(p.GetNetPeeringId())
	st, _ := apiErr(t, err, res)
	assert.Equal(t, http.StatusBadRequest, st, "a route to a pending peering")

	_, res, err = c.NetPeeringApi.AcceptNetPeering(ctx).AcceptNetPeeringRequest(osc.AcceptNetPeeringRequest{NetPeeringId: p.GetNetPeeringId()}).Execute()
	require.NoError(t, err, "%v", res)
	_, err = route(p.GetNetPeeringId())
	require.NoError(t, err)
	rts, _, err := c.RouteTableApi.ReadRouteTables(ctx).ReadRouteTablesRequest(osc.ReadRouteTablesRequest{
		Filters: &osc.FiltersRouteTable{RouteTableIds: &[]string{rtID}}}).Execute()
	require.NoError(t, err)
	routes := rts.GetRouteTables()[0].GetRoutes()
	require.Len(t, routes, 2)
	assert.Equal(t, p.GetNetPeeringId(), routes[1].GetNetPeeringId())
	assert.Equal(t, "active", routes[1].GetState())

	assert.Equal(t, "rejected", create(b, a).State.GetName(), "the Nets are already peered")

	read, _, err := c.NetPeeringApi.ReadNetPeerings(ctx).ReadNetPeeringsRequest(osc.ReadNetPeeringsRequest{Filters: &osc.FiltersNetPeering{
		SourceNetNetIds: &[]string{a}, StateNames: &[]string{"active"}}}).Execute()
	require.NoError(t, err)
	require.Len(t, read.GetNetPeerings(), 1)
	assert.Equal(t, p.GetNetPeeringId(), read.GetNetPeerings()[0].GetNetPeeringId())

	_, res, err = c.NetApi.DeleteNet(ctx).DeleteNetRequest(osc.DeleteNetRequest{NetId: b}).Execute()
	st, _ = apiErr(t, err, res)
	assert.Equal(t, http.StatusConflict, st, "a Net with a live peering")

	_, _, err = c.NetPeeringApi.DeleteNetPeering(ctx).DeleteNetPeeringRequest(osc.DeleteNetPeeringRequest{NetPeeringId: p.GetNetPeeringId()}).Execute()
	require.NoError(t, err)
	rts, _, err = c.RouteTableApi.ReadRouteTables(ctx).ReadRouteTablesRequest(osc.ReadRouteTablesRequest{
		Filters: &osc.FiltersRouteTable{RouteTableIds: &[]string{rtID}}}).Execute()
	require.NoError(t, err)
	assert.Equal(t, "blackhole", rts.GetRouteTables()[0].GetRoutes()[1].GetState())
	_, _, err = c.NetApi.DeleteNet(ctx).DeleteNetRequest(osc.DeleteNetRequest{NetId: b}).Execute()
	require.NoError(t, err)
	assert.Empty(t, s.Violations())
}
