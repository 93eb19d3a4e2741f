package osctest_test

import (
	"testing"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/outscale/osctest"
)

// TestNetAccessPoint drives Net access points through the SDK, every call
// checked against the OpenAPI description: the services of the region
// listed; an unknown service and another Net's route table refused; the
// route from the service's prefix list read back in each table, changed
// in place; rules naming the service outbound only; the Net kept until
// the access point is deleted.
func TestNetAccessPoint(t *testing.T) {
	t.Parallel()
	s := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
	c, ctx := client(t, s)
	svcs, _, err := c.NetAccessPointApi.ReadNetAccessPointServices(ctx).ReadNetAccessPointServicesRequest(osc.ReadNetAccessPointServicesRequest{}).Execute()
	require.NoError(t, err)
	names := map[string]string{}
	for _, sv := range svcs.GetServices() {
		names[sv.GetServiceName()] = sv.GetServiceId()
	}
	require.Contains(t, names, "com.outscale.eu-west-2.oos")
	oos := names["com.outscale.eu-west-2.oos"]

	net := func(cidr string) (string, string) {
		n, _, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: cidr}).Execute()
		require.NoError(t, err)
		rt, _, err := c.RouteTableApi.CreateRouteTable(ctx).CreateRouteTableRequest(osc.CreateRouteTableRequest{NetId: n.Net.GetNetId()}).Execute()
		require.NoError(t, err)
		return n.Net.GetNetId(), rt.RouteTable.GetRouteTableId()
	}
	a, rtA := net("10.0.0.0/16")
	_, rtB := net("10.1.0.0/16")
	create := func(service string, tables ...string) (osc.NetAccessPoint, error) {
		in := osc.CreateNetAccessPointRequest{NetId: a, ServiceName: service}
		if len(tables) > 0 {
			in.RouteTableIds = &tables
		}
		r, res, err := c.NetAccessPointApi.CreateNetAccessPoint(ctx).CreateNetAccessPointRequest(in).Execute()
		if err != nil {
			st, code := apiErr(t, err, res)
			return osc.NetAccessPoint{}, &codeErr{st, code}
		}
		return r.GetNetAccessPoint(), nil
	}
	_, err = create("com.outscale.eu-west-2.s3")
	assert.Equal(t, &codeErr{400, "4047"}, err, "an unknown service")
	_, err = create("com.outscale.eu-west-2.oos", rtB)
	assert.Equal(t, &codeErr{400, "4047"}, err, "a route table of another Net")
	ap, err := create("com.outscale.eu-west-2.oos", rtA)
	require.NoError(t, err)
	assert.Regexp(t, `^vpce-[0-9a-f]{8}$`, ap.GetNetAccessPointId())
	_, err = create("com.outscale.eu-west-2.oos", rtA)
	assert.Equal(t, &codeErr{409, "9034"}, err, "the table routes OOS already")

	accessRoutes := func(rt string) []osc.Route {
		rts, _, err := c.RouteTableApi.ReadRouteTables(ctx).ReadRouteTablesRequest(osc.ReadRouteTablesRequest{
			Filters: &osc.FiltersRouteTable{RouteTableIds: &[]string{rt}}}).Execute()
		require.NoError(t, err)
		var out []osc.Route
		for _, r := range rts.GetRouteTables()[0].GetRoutes() {
			if r.GetNetAccessPointId() != "" {
				out = append(out, r)
			}
		}
		return out
	}
	routes := accessRoutes(rtA)
	require.Len(t, routes, 1)
	assert.Equal(t, oos, routes[0].GetDestinationServiceId())
	assert.Equal(t, ap.GetNetAccessPointId(), routes[0].GetNetAccessPointId())

	rt2, _, err := c.RouteTableApi.CreateRouteTable(ctx).CreateRouteTableRequest(osc.CreateRouteTableRequest{NetId: a}).Execute()
	require.NoError(t, err)
	rtA2 := rt2.RouteTable.GetRouteTableId()
	up, _, err := c.NetAccessPointApi.UpdateNetAccessPoint(ctx).UpdateNetAccessPointRequest(osc.UpdateNetAccessPointRequest{
		NetAccessPointId: ap.GetNetAccessPointId(), AddRouteTableIds: &[]string{rtA2}, RemoveRouteTableIds: &[]string{rtA}}).Execute()
	require.NoError(t, err)
	assert.Equal(t, []string{rtA2}, up.NetAccessPoint.GetRouteTableIds())
	assert.Empty(t, accessRoutes(rtA))
	assert.Len(t, accessRoutes(rtA2), 1)

	sg, _, err := c.SecurityGroupApi.CreateSecurityGroup(ctx).CreateSecurityGroupRequest(osc.CreateSecurityGroupRequest{
		SecurityGroupName: "app", Description: "app", NetId: &a}).Execute()
	require.NoError(t, err)
	rule := func(flow, id string) error {
		_, res, err := c.SecurityGroupRuleApi.CreateSecurityGroupRule(ctx).CreateSecurityGroupRuleRequest(osc.CreateSecurityGroupRuleRequest{
			SecurityGroupId: sg.SecurityGroup.GetSecurityGroupId(), Flow: flow, Rules: &[]osc.SecurityGroupRule{{
				IpProtocol: ptr("tcp"), FromPortRange: ptr(int32(443)), ToPortRange: ptr(int32(443)), ServiceIds: &[]string{id}}}}).Execute()
		if err != nil {
			st, code := apiErr(t, err, res)
			return &codeErr{st, code}
		}
		return nil
	}
	assert.Equal(t, &codeErr{400, "4047"}, rule("Inbound", oos), "a service is reached from the Net")
	assert.Equal(t, &codeErr{400, "5067"}, rule("Outbound", "pl-00000000"), "an unknown service id")
	require.NoError(t, rule("Outbound", oos))
	g, _, err := c.SecurityGroupApi.ReadSecurityGroups(ctx).ReadSecurityGroupsRequest(osc.ReadSecurityGroupsRequest{
		Filters: &osc.FiltersSecurityGroup{SecurityGroupIds: &[]string{sg.SecurityGroup.GetSecurityGroupId()}}}).Execute()
	require.NoError(t, err)
	assert.True(t, func() bool {
		for _, r := range g.GetSecurityGroups()[0].GetOutboundRules() {
			if len(r.GetServiceIds()) == 1 && r.GetServiceIds()[0] == oos {
				return true
			}
		}
		return false
	}(), "the rule reads back with its service id")

	_, res, err := c.NetApi.DeleteNet(ctx).DeleteNetRequest(osc.DeleteNetRequest{NetId: a}).Execute()
	st, code := apiErr(t, err, res)
	assert.Equal(t, 409, st)
	assert.Equal(t, "9045", code, "the Net keeps its access point")
	_, _, err = c.NetAccessPointApi.DeleteNetAccessPoint(ctx).DeleteNetAccessPointRequest(osc.DeleteNetAccessPointRequest{NetAccessPointId: ap.GetNetAccessPointId()}).Execute()
	require.NoError(t, err)
	assert.Empty(t, accessRoutes(rtA2), "the routes go with the access point")
	left, _, err := c.NetAccessPointApi.ReadNetAccessPoints(ctx).ReadNetAccessPointsRequest(osc.ReadNetAccessPointsRequest{
		Filters: &osc.FiltersNetAccessPoint{NetIds: &[]string{a}}}).Execute()
	require.NoError(t, err)
	require.Len(t, left.GetNetAccessPoints(), 1)
	assert.Equal(t, "deleted", left.GetNetAccessPoints()[0].GetState())
	assert.Empty(t, s.Violations())
}

// codeErr is an OUTSCALE error's HTTP status and code.
type codeErr struct {
	status int
	code   string
}

func (e *codeErr) Error() string { return e.code }
