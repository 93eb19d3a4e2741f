package outscale_test

import (
	"net/netip"
	"strings"
	"testing"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale/osctest"
)

// officeVPN is the three-tier Net with an office reached over a VPN
// routed statically to its blocks, or with BGP when asn is not 0.
func officeVPN(t *testing.T, asn uint32, blocks ...netip.Prefix) *blueprint.Blueprint {
	t.Helper()
	bp, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "office", Profile: netplan.Outscale,
		WebImage: suiteImage, AppImage: suiteImage, DBImage: suiteImage, InstanceType: "tinav5.c2r4p2"}).
		Peer("office", blocks...).
		VPN("office", pattern.VPN{PublicIP: netip.MustParseAddr("198.51.100.7"), ASN: asn}).
		Flow("peer:office -> intel tcp/22").Build()
	require.NoError(t, err)
	return bp
}

// vpnState is the VPN as the OUTSCALE API reports it, read with the SDK.
type vpnState struct {
	vgwNet, cgwIP string
	asn           int32
	staticOnly    bool
	routes        []string          // the connection's static routes
	tableRoutes   map[string]string // route table id -> gateway of the route to 192.168.0.0/16
}

func readVPN(t *testing.T, srv *osctest.Server, deployment string) vpnState {
	t.Helper()
	api, ctx := apiClient(t, srv)
	owned := &[]string{driver.TagDeployment + "=" + deployment}
	var st vpnState
	vgws, _, err := api.VirtualGatewayApi.ReadVirtualGateways(ctx).ReadVirtualGatewaysRequest(osc.ReadVirtualGatewaysRequest{
		Filters: &osc.FiltersVirtualGateway{Tags: owned}}).Execute()
	require.NoError(t, err)
	require.Len(t, vgws.GetVirtualGateways(), 1)
	vgw := vgws.GetVirtualGateways()[0]
	require.Len(t, vgw.GetNetToVirtualGatewayLinks(), 1)
	st.vgwNet = vgw.GetNetToVirtualGatewayLinks()[0].GetNetId()
	cgws, _, err := api.ClientGatewayApi.ReadClientGateways(ctx).ReadClientGatewaysRequest(osc.ReadClientGatewaysRequest{
		Filters: &osc.FiltersClientGateway{Tags: owned}}).Execute()
	require.NoError(t, err)
	require.Len(t, cgws.GetClientGateways(), 1)
	st.cgwIP, st.asn = cgws.GetClientGateways()[0].GetPublicIp(), cgws.GetClientGateways()[0].GetBgpAsn()
	vpns, _, err := api.VpnConnectionApi.ReadVpnConnections(ctx).ReadVpnConnectionsRequest(osc.ReadVpnConnectionsRequest{
		Filters: &osc.FiltersVpnConnection{Tags: owned}}).Execute()
	require.NoError(t, err)
	require.Len(t, vpns.GetVpnConnections(), 1)
	v := vpns.GetVpnConnections()[0]
	assert.Equal(t, vgw.GetVirtualGatewayId(), v.GetVirtualGatewayId())
	assert.Equal(t, cgws.GetClientGateways()[0].GetClientGatewayId(), v.GetClientGatewayId())
	st.staticOnly = v.GetStaticRoutesOnly()
	for _, r := range v.GetRoutes() {
		st.routes = append(st.routes, r.GetDestinationIpRange())
	}
	rts, _, err := api.RouteTableApi.ReadRouteTables(ctx).ReadRouteTablesRequest(osc.ReadRouteTablesRequest{
		Filters: &osc.FiltersRouteTable{Tags: owned}}).Execute()
	require.NoError(t, err)
	st.tableRoutes = map[string]string{}
	for _, rt := range rts.GetRouteTables() {
		for _, r := range rt.GetRoutes() {
			if r.GetDestinationIpRange() == "192.168.0.0/16" {
				st.tableRoutes[rt.GetRouteTableId()] = r.GetGatewayId()
			}
		}
	}
	return st
}

// An office reached over a static VPN on the OUTSCALE test server: the
// virtual gateway linked to the Net, the client gateway with the device's
// address, the connection with StaticRoutesOnly and a route per block of
// the office, the intel tier's route tables sending the office's block to
// the virtual gateway; re-applied without a write; a block added in place
// (CreateVpnConnectionRoute, CreateRoute); destroyed with nothing left;
// every call validated against the OpenAPI description.
func TestVPNPeerOnOutscale(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	eng := engineFor(d)
	office := netip.MustParsePrefix("192.168.0.0/16")
	bp := officeVPN(t, 0, office)
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)

	st := readVPN(t, srv, "office")
	nets, err := d.List(t.Context(), driver.Query{Deployment: "office", Kind: blueprint.KindNet})
	require.NoError(t, err)
	require.Len(t, nets, 1)
	assert.Equal(t, nets[0].ID, st.vgwNet)
	assert.Equal(t, "198.51.100.7", st.cgwIP)
	assert.Equal(t, int32(blueprint.DefaultCustomerGatewayASN), st.asn)
	assert.True(t, st.staticOnly)
	assert.Equal(t, []string{"192.168.0.0/16"}, st.routes)
	assert.Len(t, st.tableRoutes, 2, "the intel tier's two route tables route the office")
	for rt, gw := range st.tableRoutes {
		assert.True(t, strings.HasPrefix(gw, "vgw-"), "%s routes the office to %s", rt, gw)
	}

	before := len(srv.Calls())
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	for _, c := range srv.Calls()[before:] {
		assert.True(t, strings.HasPrefix(c.Op, "Read"), "re-apply wrote: %s", c.Op)
	}

	more := officeVPN(t, 0, office, netip.MustParsePrefix("172.16.0.0/12"))
	res, err := eng.Apply(t.Context(), more)
	require.NoError(t, err)
	assert.Zero(t, res.Created+res.Replaced+res.Deleted, "in place: %v", res.Changeset)
	assert.Equal(t, []string{"172.16.0.0/12", "192.168.0.0/16"}, readVPN(t, srv, "office").routes)

	_, err = eng.Destroy(t.Context(), "office", allowStateful(bp))
	require.NoError(t, err)
	assertNothingLeft(t, srv, d, "office")
}

// A BGP peer: the connection learns the office's blocks from the device,
// so it has no static route; the route tables still send the blocks to
// the virtual gateway.
func TestVPNPeerBGPOnOutscale(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	bp := officeVPN(t, 65010, netip.MustParsePrefix("192.168.0.0/16"))
	_, err := engineFor(d).Apply(t.Context(), bp)
	require.NoError(t, err)
	st := readVPN(t, srv, "office")
	assert.False(t, st.staticOnly)
	assert.Empty(t, st.routes)
	assert.Equal(t, int32(65010), st.asn)
	assert.Len(t, st.tableRoutes, 2)
	assert.Empty(t, srv.Violations())
}
