package outscale_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale"
	"github.com/archkit/archkit/provider/outscale/osctest"
	"github.com/archkit/archkit/provider/providertest"
	"github.com/archkit/archkit/tier"
)

const vpnHub, vpnSpoke, vpnLink = "eu-west-2", "us-east-2", "eu-west-2-us-east-2"

// vpnLinkedRegions is a Net in two OUTSCALE regions joined by a VPN: the
// hub's app tier calls the spoke's api tier on tcp/8080; each region has
// a public web tier (the spoke's holds the appliance) and a store tier
// with no flow over the link.
func vpnLinkedRegions() *pattern.MultiRegion {
	return vpnUnlinkedRegions().LinkVPN(vpnHub, vpnSpoke, pattern.VPNLinkOptions{Image: suiteImage, VMType: "tinav5.c2r4p2"}).
		Flow("app@" + vpnHub + " -> api@" + vpnSpoke + " tcp/8080")
}

// vpnUnlinkedRegions is vpnLinkedRegions before the link.
func vpnUnlinkedRegions() *pattern.MultiRegion {
	return pattern.Regions("vpnlink", "10.0.0.0/8", func(string) *pattern.Architecture {
		app, api, store := tier.App("app"), tier.App("api"), tier.App("store")
		app.Exposure, api.Exposure, store.Exposure = netplan.Isolated, netplan.Isolated, netplan.Isolated
		a := pattern.New("vpnlink", "10.0.0.0/16").AddTier(tier.Web("web"), app, api, store).Connect("web", "app")
		a.Profile = netplan.Outscale
		return a
	}).Primary(vpnHub).Recovery(vpnSpoke, pattern.PilotLight)
}

// vpnRegions is one test server and driver per region, and a Fleet over
// them.
type vpnRegions struct {
	srvs map[string]*osctest.Server
	ds   map[string]*outscale.Driver
	fl   *provider.Fleet
}

func newVPNRegions(t *testing.T, driverOpts func(*outscale.Options), optFns ...func(*provider.Options)) *vpnRegions {
	t.Helper()
	v := &vpnRegions{srvs: map[string]*osctest.Server{}, ds: map[string]*outscale.Driver{}}
	drivers := map[string]driver.Driver{}
	for _, r := range []string{vpnHub, vpnSpoke} {
		v.srvs[r] = osctest.New(t, func(o *osctest.Options) { o.Region = r; o.PendingReads = -1 })
		v.ds[r] = newDriver(t, v.srvs[r], func(o *outscale.Options) { o.Region = r }, driverOpts)
		drivers[r] = v.ds[r]
	}
	fl, err := provider.NewFleet(drivers, append([]func(*provider.Options){func(o *provider.Options) {
		o.AllowFallback = true
		o.RateLimit = -1
		o.PollMin, o.PollMax = 1e6, 5e6
		o.Retry.BaseDelay, o.Retry.MaxDelay = 1e6, 5e6
		o.DependencyRetries = 20
	}}, optFns...)...)
	require.NoError(t, err)
	v.fl = fl
	return v
}

// writes returns the OUTSCALE writes of every region so far.
func (v *vpnRegions) writes() map[string]int {
	out := map[string]int{}
	for r, srv := range v.srvs {
		_, perOp := srv.Requests()
		out[r] = writes(perOp)
	}
	return out
}

// TestVPNLinkedRegions: two OUTSCALE regions on two test servers, their
// Nets linked by a flow over a VPN. Read back from both servers: the
// route tables equal the derivation (hub: the spoke's api subnets to the
// virtual gateway on exactly the app tier's tables; spoke: the hub's app
// subnets to the appliance VM on the api tier's), every rule set equals
// the derived one, the VPN connection's static routes are the api
// subnets, the client gateway's address is the appliance's public IP, the
// appliance forwards (source/destination check off) and its user data
// names the hub's outside address, both ranges and the key, which is in
// no Blueprint, plan, event or log; a re-apply writes nothing; the
// destroy leaves nothing in either region.
func TestVPNLinkedRegions(t *testing.T) {
	t.Parallel()
	trail := &providertest.SyncBuffer{} // every event, plan and log record, to look for the key
	logger := slog.New(slog.NewTextHandler(trail, &slog.HandlerOptions{Level: slog.LevelDebug}))
	v := newVPNRegions(t, func(o *outscale.Options) { o.Logger = logger }, func(o *provider.Options) {
		o.OnEvent = func(ev provider.Event) { fmt.Fprintf(trail, "%+v\n", ev) }
		o.Logger = logger
	})
	m := vpnLinkedRegions()
	bps, err := m.Build()
	require.NoError(t, err)
	plan, err := v.fl.Plan(t.Context(), m)
	require.NoError(t, err)
	fmt.Fprint(trail, plan.String())

	res, err := v.fl.Apply(t.Context(), m)
	require.NoError(t, err)
	applied := v.writes()
	for r, srv := range v.srvs {
		total, _ := srv.Requests()
		t.Logf("apply %s: %s; %d OUTSCALE requests (%d writes)", r, res.Region(r), total, applied[r])
	}

	got := map[string]map[string]blueprint.Resource{}
	for r, d := range v.ds {
		got[r] = readBackLogical(t, d, "vpnlink")
		assert.Empty(t, v.srvs[r].Violations(), r)
	}
	for r, bp := range bps {
		for _, rt := range bp.OfKind(blueprint.KindRouteTable) {
			assert.ElementsMatch(t, rt.RouteTable.Routes, got[r][rt.ID].RouteTable.Routes, "%s of %s: the derived routes", rt.ID, r)
		}
		for _, rs := range bp.OfKind(blueprint.KindSecurityGroupRules) {
			have := got[r][rs.ID].SecurityGroupRules
			require.NotNil(t, have, "%s of %s", rs.ID, r)
			assert.Equal(t, ruleKeys(rs.SecurityGroupRules.Inbound), ruleKeys(have.Inbound), "%s of %s inbound", rs.ID, r)
			assert.Equal(t, ruleKeys(rs.SecurityGroupRules.Outbound), ruleKeys(have.Outbound), "%s of %s outbound", rs.ID, r)
		}
	}
	hubRoutes, spokeRoutes := routesTo(got[vpnHub], netplan.TargetVPNGateway), routesTo(got[vpnSpoke], netplan.TargetVPNAppliance)
	assert.Equal(t, []string{"route_table/app/a", "route_table/app/b"}, slices.Sorted(maps.Keys(hubRoutes)))
	assert.Equal(t, []string{"route_table/api/a", "route_table/api/b"}, slices.Sorted(maps.Keys(spokeRoutes)))

	conn := got[vpnHub]["vpn_connection/vpn-"+vpnLink].VPNConnection
	require.NotNil(t, conn)
	assert.Equal(t, *bps[vpnHub].OfKind(blueprint.KindVPNConnection)[0].VPNConnection, *conn)
	assert.Len(t, conn.StaticRoutes, 2, "the api tier's two subnets")

	hubAPI, hubCtx := apiClient(t, v.srvs[vpnHub])
	spokeAPI, spokeCtx := apiClient(t, v.srvs[vpnSpoke])
	ips, _, err := spokeAPI.PublicIpApi.ReadPublicIps(spokeCtx).ReadPublicIpsRequest(osc.ReadPublicIpsRequest{}).Execute()
	require.NoError(t, err)
	require.Len(t, ips.GetPublicIps(), 1, "the appliance's")
	applianceIP := ips.GetPublicIps()[0]
	cgws, _, err := hubAPI.ClientGatewayApi.ReadClientGateways(hubCtx).ReadClientGatewaysRequest(osc.ReadClientGatewaysRequest{}).Execute()
	require.NoError(t, err)
	require.Len(t, cgws.GetClientGateways(), 1)
	assert.Equal(t, applianceIP.GetPublicIp(), cgws.GetClientGateways()[0].GetPublicIp(), "the client gateway is the appliance")

	vpns, _, err := hubAPI.VpnConnectionApi.ReadVpnConnections(hubCtx).ReadVpnConnectionsRequest(osc.ReadVpnConnectionsRequest{}).Execute()
	require.NoError(t, err)
	require.Len(t, vpns.GetVpnConnections(), 1)
	vpn := vpns.GetVpnConnections()[0]
	opts := vpn.GetVpnOptions()
	p2 := opts.GetPhase2Options()
	key := p2.GetPreSharedKey()
	require.Len(t, key, 49, "a key drawn by the driver")
	outside := vpn.GetVgwTelemetries()[0].GetOutsideIpAddress()

	vms, _, err := spokeAPI.VmApi.ReadVms(spokeCtx).ReadVmsRequest(osc.ReadVmsRequest{}).Execute()
	require.NoError(t, err)
	require.Len(t, vms.GetVms(), 1, "the appliance, and no other VM")
	vm := vms.GetVms()[0]
	assert.False(t, vm.GetIsSourceDestChecked(), "the appliance forwards")
	assert.Equal(t, applianceIP.GetVmId(), vm.GetVmId(), "its public IP is linked to it")
	assert.Equal(t, suiteImage, vm.GetImageId())
	ud, err := base64.StdEncoding.DecodeString(vm.GetUserData())
	require.NoError(t, err)
	netOf := func(r string) string { return bps[r].OfKind(blueprint.KindNet)[0].Net.CIDR.String() }
	for _, want := range []string{"right=" + outside, "leftsubnet=" + netOf(vpnSpoke), "rightsubnet=" + netOf(vpnHub),
		`PSK "` + key + `"`, "leftid=" + applianceIP.GetPublicIp(), "net.ipv4.ip_forward=1", "forceencaps=yes"} {
		assert.Contains(t, string(ud), want)
	}
	appl := got[vpnSpoke]["vpn_appliance/"+vpnLink].VPNAppliance
	require.NotNil(t, appl)
	want := *bps[vpnSpoke].OfKind(blueprint.KindVPNAppliance)[0].VPNAppliance
	want.Zone = vpnSpoke + want.Zone // the subregion of logical zone "a"
	assert.Equal(t, want, *appl)
	enc, err := json.Marshal(bps)
	require.NoError(t, err)
	assert.NotContains(t, string(enc), key, "the key is in no Blueprint")
	require.Contains(t, trail.String(), "UpdateVpnConnection", "the trail logs the calls")
	assert.NotContains(t, trail.String(), key, "nor in a plan, an event or a log record")

	before := map[string]int{}
	for r, srv := range v.srvs {
		before[r], _ = srv.Requests()
	}
	res, err = v.fl.Apply(t.Context(), m)
	require.NoError(t, err)
	for r, srv := range v.srvs {
		total, _ := srv.Requests()
		t.Logf("re-apply %s: %d OUTSCALE requests, all reads", r, total-before[r])
	}
	assert.Equal(t, applied, v.writes(), "re-apply sends no OUTSCALE write")
	assert.Zero(t, res.Total().WriteCalls, "%s", res)

	_, err = v.fl.Destroy(t.Context(), "vpnlink")
	require.NoError(t, err)
	for r, d := range v.ds {
		assert.Empty(t, leftovers(t, d), "left in %s", r)
		assert.Empty(t, vpnLeftovers(t, v.srvs[r]), "left in %s", r)
		assert.Empty(t, v.srvs[r].Violations(), r)
	}
}

// TestVPNLinkFaults: each create of the link's resources fails once (HTTP
// 500) in its region, or is done with its answer lost, or (at the link's
// own steps, the link added to deployed Nets) is the moment the run is
// cancelled; the next apply converges to the state of a clean
// apply in both regions, nothing duplicated (one virtual gateway, client
// gateway, VPN connection and appliance VM), the one after writes
// nothing, the destroy leaves nothing in either region.
func TestVPNLinkFaults(t *testing.T) {
	t.Parallel()
	short := func(o *outscale.Options) { o.WaitTimeout = 3 * time.Second }
	m := vpnLinkedRegions()
	clean := newVPNRegions(t, short)
	_, err := clean.fl.Apply(t.Context(), m)
	require.NoError(t, err)
	want := map[string]map[string]string{}
	for r, d := range clean.ds {
		want[r] = state(t, d, "vpnlink")
	}
	// Each fault is the first request of op in region whose body holds
	// match: the tagging of the link's new resources is singled out by
	// their logical ids.
	faults := []struct{ region, op, match string }{
		{vpnHub, "CreateVirtualGateway", ""}, {vpnHub, "LinkVirtualGateway", ""}, {vpnHub, "CreateClientGateway", ""},
		{vpnHub, "CreateTags", "customer_gateway/"}, {vpnHub, "CreateVpnConnection", ""}, {vpnHub, "UpdateVpnConnection", ""},
		{vpnHub, "CreateTags", "vpn_connection/"}, {vpnHub, "CreateVpnConnectionRoute", ""}, {vpnHub, "CreateRoute", ""},
		{vpnSpoke, "CreatePublicIp", ""}, {vpnSpoke, "CreateVms", ""}, {vpnSpoke, "CreateTags", "vpn_appliance/"},
		{vpnSpoke, "UpdateVm", ""}, {vpnSpoke, "LinkPublicIp", ""}, {vpnSpoke, "CreateRoute", ""},
	}
	kinds := map[string]*osctest.Fault{
		"500":  {Status: 500},
		"lost": {Drop: true, AfterEffect: true}, // done, its answer lost
		// "cancelled": the run is cancelled as the request arrives, which
		// is served: the run stops between this step and the next.
		"cancelled": nil,
	}
	// The steps of the link a cancelled run stops after: the key set but
	// not the tags, the VM made but not tagged, not forwarding, without
	// its public IP. The link is added to deployed Nets: a cancelled run
	// cuts short every call in flight, and at these steps the link's
	// other creates are done or waiting.
	cancelAt := map[string]bool{"UpdateVpnConnection": true, "CreateTags/vpn_connection/": true, "CreateVpnConnectionRoute": true,
		"CreateVms": true, "CreateTags/vpn_appliance/": true, "UpdateVm": true, "LinkPublicIp": true}
	for _, f := range faults {
		for name, kind := range kinds {
			if name == "cancelled" && !cancelAt[strings.TrimSuffix(f.op+"/"+f.match, "/")] {
				continue
			}
			t.Run(name+"/"+f.region+"/"+f.op+"/"+f.match, func(t *testing.T) {
				t.Parallel()
				v := newVPNRegions(t, short)
				if kind == nil {
					_, err := v.fl.Apply(t.Context(), vpnUnlinkedRegions())
					require.NoError(t, err)
				}
				var once sync.Once
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				v.srvs[f.region].OnRequest(func(op string, body []byte) *osctest.Fault {
					var fault *osctest.Fault
					if op == f.op && strings.Contains(string(body), f.match) {
						once.Do(func() {
							if fault = kind; kind == nil {
								cancel()
							}
						})
					}
					return fault
				})
				_, err := v.fl.Apply(ctx, m)
				v.srvs[f.region].OnRequest(nil)
				if name != "lost" { // a lost answer is found again by the run, or by the next
					require.Error(t, err)
				}

				_, err = v.fl.Apply(t.Context(), m)
				require.NoError(t, err)
				for r, d := range v.ds {
					assert.Equal(t, want[r], state(t, d, "vpnlink"), r)
					kinds := map[string]int{}
					for _, l := range vpnLeftovers(t, v.srvs[r]) {
						kinds[strings.Fields(l)[0]]++
					}
					assert.LessOrEqual(t, slices.Max(append(slices.Collect(maps.Values(kinds)), 0)), 1, "nothing duplicated in %s: %v", r, kinds)
				}
				res, err := v.fl.Apply(t.Context(), m)
				require.NoError(t, err)
				assert.Zero(t, res.Total().WriteCalls, "%s", res)
				_, err = v.fl.Destroy(t.Context(), "vpnlink")
				require.NoError(t, err)
				for r, d := range v.ds {
					assert.Empty(t, leftovers(t, d), r)
					assert.Empty(t, vpnLeftovers(t, v.srvs[r]), r)
				}
			})
		}
	}
}

// routesTo maps each route table of got to its routes of target kind k.
func routesTo(got map[string]blueprint.Resource, k netplan.TargetKind) map[string][]blueprint.RouteSpec {
	out := map[string][]blueprint.RouteSpec{}
	for id, r := range got {
		if r.RouteTable == nil {
			continue
		}
		for _, rt := range r.RouteTable.Routes {
			if rt.TargetKind == k {
				out[id] = append(out[id], rt)
			}
		}
	}
	return out
}

// vpnLeftovers lists the virtual gateways, client gateways, VPN
// connections and live VMs of the server.
func vpnLeftovers(t *testing.T, srv *osctest.Server) []string {
	t.Helper()
	api, ctx := apiClient(t, srv)
	var out []string
	vgws, _, err := api.VirtualGatewayApi.ReadVirtualGateways(ctx).ReadVirtualGatewaysRequest(osc.ReadVirtualGatewaysRequest{}).Execute()
	require.NoError(t, err)
	for _, g := range vgws.GetVirtualGateways() {
		out = append(out, "vgw "+g.GetVirtualGatewayId())
	}
	cgws, _, err := api.ClientGatewayApi.ReadClientGateways(ctx).ReadClientGatewaysRequest(osc.ReadClientGatewaysRequest{}).Execute()
	require.NoError(t, err)
	for _, g := range cgws.GetClientGateways() {
		out = append(out, "cgw "+g.GetClientGatewayId())
	}
	vpns, _, err := api.VpnConnectionApi.ReadVpnConnections(ctx).ReadVpnConnectionsRequest(osc.ReadVpnConnectionsRequest{}).Execute()
	require.NoError(t, err)
	for _, c := range vpns.GetVpnConnections() {
		out = append(out, "vpn "+c.GetVpnConnectionId())
	}
	vms, _, err := api.VmApi.ReadVms(ctx).ReadVmsRequest(osc.ReadVmsRequest{}).Execute()
	require.NoError(t, err)
	for _, vm := range vms.GetVms() {
		if vm.GetState() != "terminated" {
			out = append(out, "vm "+vm.GetVmId())
		}
	}
	return out
}

// TestVPNLinkFollowsTheHub: the hub's VPN connection deleted out of band
// comes back with another tunnel address and key; the next run finds the
// appliance configured for the old one and replaces it (a VM's user data
// changes only while it is stopped): the new appliance holds the new
// address and key, keeps the public IP, and the spoke's routes follow it;
// then a run writes nothing.
func TestVPNLinkFollowsTheHub(t *testing.T) {
	t.Parallel()
	v := newVPNRegions(t, nil)
	m := vpnLinkedRegions()
	_, err := v.fl.Apply(t.Context(), m)
	require.NoError(t, err)
	spokeAPI, spokeCtx := apiClient(t, v.srvs[vpnSpoke])
	first := applianceVM(t, spokeAPI, spokeCtx)
	now := replaceHubVPN(t, v, m, 2) // the hub's connection, then the appliance that follows it
	opts := now.GetVpnOptions()
	p2 := opts.GetPhase2Options()
	second := applianceVM(t, spokeAPI, spokeCtx)
	assert.NotEqual(t, first.GetVmId(), second.GetVmId(), "the appliance is replaced")
	ud, err := base64.StdEncoding.DecodeString(second.GetUserData())
	require.NoError(t, err)
	assert.Contains(t, string(ud), "right="+now.GetVgwTelemetries()[0].GetOutsideIpAddress())
	assert.Contains(t, string(ud), `PSK "`+p2.GetPreSharedKey()+`"`)
	assert.Equal(t, first.GetPublicIp(), second.GetPublicIp(), "the public IP, hence the client gateway, stays")
	assert.False(t, second.GetIsSourceDestChecked())
	got := readBackLogical(t, v.ds[vpnSpoke], "vpnlink")
	for _, id := range []string{"route_table/api/a", "route_table/api/b"} {
		for _, r := range got[id].RouteTable.Routes {
			assert.Equal(t, blueprint.Ref("vpn_appliance/"+vpnLink), r.Target, id)
		}
	}
	res, err := v.fl.Apply(t.Context(), m)
	require.NoError(t, err)
	assert.Zero(t, res.Total().WriteCalls, "%s", res)
}

// replaceHubVPN deletes the hub's VPN connection out of band, applies m
// runs times and returns the connection made again, another one.
func replaceHubVPN(t *testing.T, v *vpnRegions, m *pattern.MultiRegion, runs int) osc.VpnConnection {
	t.Helper()
	hubAPI, hubCtx := apiClient(t, v.srvs[vpnHub])
	old := hubVPN(t, hubAPI, hubCtx)
	_, _, err := hubAPI.VpnConnectionApi.DeleteVpnConnection(hubCtx).DeleteVpnConnectionRequest(osc.DeleteVpnConnectionRequest{VpnConnectionId: old.GetVpnConnectionId()}).Execute()
	require.NoError(t, err)
	for range runs {
		_, err = v.fl.Apply(t.Context(), m)
		require.NoError(t, err)
	}
	now := hubVPN(t, hubAPI, hubCtx)
	require.NotEqual(t, old.GetVpnConnectionId(), now.GetVpnConnectionId())
	return now
}

// applianceVM returns the server's one live VM.
func applianceVM(t *testing.T, api *osc.APIClient, ctx context.Context) osc.Vm {
	t.Helper()
	vms, _, err := api.VmApi.ReadVms(ctx).ReadVmsRequest(osc.ReadVmsRequest{Filters: &osc.FiltersVm{VmStateNames: &[]string{"pending", "running"}}}).Execute()
	require.NoError(t, err)
	require.Len(t, vms.GetVms(), 1)
	return vms.GetVms()[0]
}

// hubVPN returns the server's one VPN connection.
func hubVPN(t *testing.T, api *osc.APIClient, ctx context.Context) osc.VpnConnection {
	t.Helper()
	vpns, _, err := api.VpnConnectionApi.ReadVpnConnections(ctx).ReadVpnConnectionsRequest(osc.ReadVpnConnectionsRequest{}).Execute()
	require.NoError(t, err)
	require.Len(t, vpns.GetVpnConnections(), 1)
	return vpns.GetVpnConnections()[0]
}

// TestVPNLinkFollowsTheSpoke: the appliance's public IP released out of
// band comes back with another address; the runs that follow relink it,
// replace the hub's client gateway (it had the old address) and with it
// the VPN connection, then the appliance configured for the old
// connection, until a run writes nothing: the client gateway has the
// appliance's address and the appliance the connection's key.
func TestVPNLinkFollowsTheSpoke(t *testing.T) {
	t.Parallel()
	v := newVPNRegions(t, nil)
	m := vpnLinkedRegions()
	_, err := v.fl.Apply(t.Context(), m)
	require.NoError(t, err)
	hubAPI, hubCtx := apiClient(t, v.srvs[vpnHub])
	spokeAPI, spokeCtx := apiClient(t, v.srvs[vpnSpoke])
	ips, _, err := spokeAPI.PublicIpApi.ReadPublicIps(spokeCtx).ReadPublicIpsRequest(osc.ReadPublicIpsRequest{}).Execute()
	require.NoError(t, err)
	require.Len(t, ips.GetPublicIps(), 1)
	old := ips.GetPublicIps()[0]
	_, _, err = spokeAPI.PublicIpApi.UnlinkPublicIp(spokeCtx).UnlinkPublicIpRequest(osc.UnlinkPublicIpRequest{LinkPublicIpId: osc.PtrString(old.GetLinkPublicIpId())}).Execute()
	require.NoError(t, err)
	_, _, err = spokeAPI.PublicIpApi.DeletePublicIp(spokeCtx).DeletePublicIpRequest(osc.DeletePublicIpRequest{PublicIpId: osc.PtrString(old.GetPublicIpId())}).Execute()
	require.NoError(t, err)

	runs := 0
	for ; runs < 6; runs++ {
		res, err := v.fl.Apply(t.Context(), m)
		require.NoError(t, err)
		if res.Total().WriteCalls == 0 {
			break
		}
	}
	t.Logf("converged after %d runs", runs)
	require.Less(t, runs, 6, "the link converges")
	vm := applianceVM(t, spokeAPI, spokeCtx)
	assert.NotEqual(t, old.GetPublicIp(), vm.GetPublicIp(), "a new address")
	cgws, _, err := hubAPI.ClientGatewayApi.ReadClientGateways(hubCtx).ReadClientGatewaysRequest(osc.ReadClientGatewaysRequest{}).Execute()
	require.NoError(t, err)
	require.Len(t, cgws.GetClientGateways(), 1, "the old gateway is gone")
	assert.Equal(t, vm.GetPublicIp(), cgws.GetClientGateways()[0].GetPublicIp())
	conn := hubVPN(t, hubAPI, hubCtx)
	assert.Equal(t, cgws.GetClientGateways()[0].GetClientGatewayId(), conn.GetClientGatewayId())
	opts := conn.GetVpnOptions()
	p2 := opts.GetPhase2Options()
	ud, err := base64.StdEncoding.DecodeString(vm.GetUserData())
	require.NoError(t, err)
	assert.Contains(t, string(ud), `PSK "`+p2.GetPreSharedKey()+`"`)
	assert.Contains(t, string(ud), "leftid="+vm.GetPublicIp())
}

// TestVPNLinkSpokeWithoutTheHub: the hub's region answers nothing but
// errors (the outage a recovery region is for); the spoke's region alone
// is still planned and destroyed: reading its appliance needs nothing of
// the hub, and the destroy leaves nothing in the spoke's region.
func TestVPNLinkSpokeWithoutTheHub(t *testing.T) {
	t.Parallel()
	v := newVPNRegions(t, func(o *outscale.Options) { o.MaxAttempts = 2 })
	m := vpnLinkedRegions()
	_, err := v.fl.Apply(t.Context(), m)
	require.NoError(t, err)
	v.srvs[vpnHub].OnRequest(func(string, []byte) *osctest.Fault { return &osctest.Fault{Status: 503} })
	spoke := v.fl.Engine(vpnSpoke)
	bps, err := m.Build()
	require.NoError(t, err)
	plan, err := spoke.Plan(t.Context(), bps[vpnSpoke])
	require.NoError(t, err, "the spoke is planned without its hub")
	assert.False(t, plan.HasChanges(), "%s", plan)
	_, err = spoke.Destroy(t.Context(), "vpnlink")
	require.NoError(t, err, "the spoke is destroyed without its hub")
	assert.Empty(t, leftovers(t, v.ds[vpnSpoke]))
	assert.Empty(t, vpnLeftovers(t, v.srvs[vpnSpoke]))
}

// TestVPNLinkUntaggedApplianceOfAnOldHub: a run stops after CreateVms
// (the appliance's tagging fails), then the hub's VPN connection is
// replaced out of band (new tunnel, new key). The runs that follow do not
// complete the untagged VM, made for the old tunnel and key, as the
// appliance: the live appliance holds the key of the hub's connection,
// and it is the only VM.
func TestVPNLinkUntaggedApplianceOfAnOldHub(t *testing.T) {
	t.Parallel()
	v := newVPNRegions(t, func(o *outscale.Options) { o.WaitTimeout = 3 * time.Second })
	m := vpnLinkedRegions()
	v.srvs[vpnSpoke].OnRequest(func(op string, body []byte) *osctest.Fault {
		if op == "CreateTags" && strings.Contains(string(body), "vpn_appliance/") {
			return &osctest.Fault{Status: 500}
		}
		return nil
	})
	_, err := v.fl.Apply(t.Context(), m)
	require.Error(t, err)
	v.srvs[vpnSpoke].OnRequest(nil)
	spokeAPI, spokeCtx := apiClient(t, v.srvs[vpnSpoke])
	first := applianceVM(t, spokeAPI, spokeCtx)
	require.Empty(t, first.GetTags(), "the untagged VM of the stopped run")
	now := replaceHubVPN(t, v, m, 3)
	opts := now.GetVpnOptions()
	p2 := opts.GetPhase2Options()
	vm := applianceVM(t, spokeAPI, spokeCtx) // the only live VM
	ud, err := base64.StdEncoding.DecodeString(vm.GetUserData())
	require.NoError(t, err)
	assert.Contains(t, string(ud), `PSK "`+p2.GetPreSharedKey()+`"`, "the appliance holds the hub's key")
	assert.Contains(t, string(ud), "right="+now.GetVgwTelemetries()[0].GetOutsideIpAddress())
	res, err := v.fl.Apply(t.Context(), m)
	require.NoError(t, err)
	assert.Zero(t, res.Total().WriteCalls, "%s", res)
}
