package osctest_test

import (
	"net/http"
	"testing"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/outscale/osctest"
)

// TestUpdateRouteTableLink moves a subnet's link, then the main link, to
// another table of the Net, and checks the refusals.
func TestUpdateRouteTableLink(t *testing.T) {
	s := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
	c, ctx := client(t, s)
	newNet := func(cidr string) string {
		n, _, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: cidr}).Execute()
		require.NoError(t, err)
		return n.Net.GetNetId()
	}
	newTable := func(netID string) string {
		rt, _, err := c.RouteTableApi.CreateRouteTable(ctx).CreateRouteTableRequest(osc.CreateRouteTableRequest{NetId: netID}).Execute()
		require.NoError(t, err)
		return rt.RouteTable.GetRouteTableId()
	}
	// links returns, per route table of netID, its links as subnet id
	// ("main" for the main link) -> link id.
	links := func(netID string) map[string]map[string]string {
		r, _, err := c.RouteTableApi.ReadRouteTables(ctx).ReadRouteTablesRequest(osc.ReadRouteTablesRequest{
			Filters: &osc.FiltersRouteTable{NetIds: &[]string{netID}}}).Execute()
		require.NoError(t, err)
		out := map[string]map[string]string{}
		for _, rt := range r.GetRouteTables() {
			out[rt.GetRouteTableId()] = map[string]string{}
			for _, l := range rt.GetLinkRouteTables() {
				key := l.GetSubnetId()
				if l.GetMain() {
					key = "main"
				}
				out[rt.GetRouteTableId()][key] = l.GetLinkRouteTableId()
			}
		}
		return out
	}

	netID := newNet("10.0.0.0/16")
	sn, _, err := c.SubnetApi.CreateSubnet(ctx).CreateSubnetRequest(osc.CreateSubnetRequest{NetId: netID, IpRange: "10.0.0.0/24"}).Execute()
	require.NoError(t, err)
	subnetID := sn.Subnet.GetSubnetId()
	rt1, rt2 := newTable(netID), newTable(netID)
	link, _, err := c.RouteTableApi.LinkRouteTable(ctx).LinkRouteTableRequest(osc.LinkRouteTableRequest{RouteTableId: rt1, SubnetId: subnetID}).Execute()
	require.NoError(t, err)

	moved, _, err := c.RouteTableApi.UpdateRouteTableLink(ctx).UpdateRouteTableLinkRequest(osc.UpdateRouteTableLinkRequest{
		LinkRouteTableId: link.GetLinkRouteTableId(), RouteTableId: rt2}).Execute()
	require.NoError(t, err)
	assert.NotEqual(t, link.GetLinkRouteTableId(), moved.GetLinkRouteTableId(), "a moved link gets a new id")
	got := links(netID)
	assert.Empty(t, got[rt1])
	assert.Equal(t, map[string]string{subnetID: moved.GetLinkRouteTableId()}, got[rt2])

	// The main link moves too, and the new table becomes the main one.
	var mainTable, mainLink string
	for rt, ls := range got {
		if id, ok := ls["main"]; ok {
			mainTable, mainLink = rt, id
		}
	}
	require.NotEmpty(t, mainLink)
	_, _, err = c.RouteTableApi.UpdateRouteTableLink(ctx).UpdateRouteTableLinkRequest(osc.UpdateRouteTableLinkRequest{
		LinkRouteTableId: mainLink, RouteTableId: rt1}).Execute()
	require.NoError(t, err)
	assert.Contains(t, links(netID)[rt1], "main")
	_, res, err := c.RouteTableApi.DeleteRouteTable(ctx).DeleteRouteTableRequest(osc.DeleteRouteTableRequest{RouteTableId: rt1}).Execute()
	st, _ := apiErr(t, err, res)
	assert.Equal(t, http.StatusConflict, st, "rt1 is the main table now")
	_, _, err = c.RouteTableApi.DeleteRouteTable(ctx).DeleteRouteTableRequest(osc.DeleteRouteTableRequest{RouteTableId: mainTable}).Execute()
	require.NoError(t, err, "the former main table is an ordinary one now")

	for _, tc := range []struct {
		name, link, table string
		status            int
	}{
		{"unknown link", "rtbassoc-00000000", rt2, http.StatusBadRequest},
		{"unknown table", moved.GetLinkRouteTableId(), "rtb-00000000", http.StatusBadRequest},
		{"table of another Net", moved.GetLinkRouteTableId(), newTable(newNet("10.1.0.0/16")), http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, res, err := c.RouteTableApi.UpdateRouteTableLink(ctx).UpdateRouteTableLinkRequest(osc.UpdateRouteTableLinkRequest{
				LinkRouteTableId: tc.link, RouteTableId: tc.table}).Execute()
			st, _ := apiErr(t, err, res)
			assert.Equal(t, tc.status, st)
		})
	}
}
