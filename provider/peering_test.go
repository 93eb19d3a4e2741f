package provider_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/tier"
)

// accountFleet returns a Fleet over the two regions of one fake account.
func accountFleet(t *testing.T, optFns ...func(*fake.Options)) (*provider.Fleet, map[string]*fake.Driver) {
	t.Helper()
	acct := fake.NewAccount()
	fakes := map[string]*fake.Driver{}
	drivers := map[string]driver.Driver{}
	for _, r := range []string{primaryRegion, recoveryRegion} {
		fakes[r] = acct.Region(r, append([]func(*fake.Options){func(o *fake.Options) { o.PendingReads = 2 }}, optFns...)...)
		drivers[r] = fakes[r]
	}
	f, err := provider.NewFleet(drivers, fastOpts)
	require.NoError(t, err)
	return f, fakes
}

// peeredKinds are the kinds a link between Nets derives on each side.
var peeredKinds = []blueprint.Kind{blueprint.KindNetPeering, blueprint.KindRouteTable, blueprint.KindSecurityGroupRules, blueprint.KindNetworkACL}

// TestFleetLinkedNets links the Nets of two regions of one fake account
// by a flow: each side holds its end of one peering connection, active;
// the route tables, rule sets and network ACLs read back from each region
// are exactly the derivation's; a second apply writes nothing; the
// destroy leaves nothing in either region.
func TestFleetLinkedNets(t *testing.T) {
	t.Parallel()
	fl, fakes := accountFleet(t)
	m := twoRegionWebApp("linked").Link(primaryRegion, recoveryRegion).
		Flow("app@" + primaryRegion + " -> db@" + recoveryRegion + " tcp/3306")
	bps, err := m.Build()
	require.NoError(t, err)

	res, err := fl.Apply(t.Context(), m)
	require.NoError(t, err, "%s", res)
	var pcx []string
	for _, r := range m.Regions() {
		snap := fakes[r].Snapshot("linked")
		for _, k := range peeredKinds {
			want := map[string]blueprint.Resource{}
			for _, res := range bps[r].OfKind(k) {
				res.DependsOn = nil
				want[res.ID] = res
			}
			assert.Equal(t, want, map[string]blueprint.Resource(snap[k]), "%s in %s", k, r)
		}
		obs, err := fakes[r].List(t.Context(), driver.Query{Kind: blueprint.KindNetPeering, Deployment: "linked"})
		require.NoError(t, err)
		require.Len(t, obs, 1, r)
		assert.True(t, obs[0].Ready, "%s: %s", r, obs[0].Status)
		pcx = append(pcx, obs[0].ID)
	}
	assert.Equal(t, pcx[0], pcx[1], "one connection, a side in each region")
	rt := bps[primaryRegion].OfKind(blueprint.KindRouteTable)
	assert.True(t, routesTo(rt, netplan.TargetNetPeering), "the primary's route tables send the db subnets to the link")
	rt = bps[recoveryRegion].OfKind(blueprint.KindRouteTable)
	assert.True(t, routesTo(rt, netplan.TargetNetPeering), "the recovery's route tables send the app subnets back")

	res, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)
	total := res.Total()
	assert.Zero(t, total.WriteCalls, "%s", res)

	_, err = fl.Destroy(t.Context(), "linked", allowStateful(bps[primaryRegion]), allowStateful(bps[recoveryRegion]))
	require.NoError(t, err)
	for r, d := range fakes {
		assert.Empty(t, d.Snapshot("linked"), "left in %s", r)
	}
}

func routesTo(rts []blueprint.Resource, k netplan.TargetKind) bool {
	for _, rt := range rts {
		for _, r := range rt.RouteTable.Routes {
			if r.TargetKind == k {
				return true
			}
		}
	}
	return false
}

// TestFakePeeringRules: the fake keeps AWS's rules of VPC peering:
// overlapping Nets are refused, the requester's side is pending until the
// accepter's region accepts it, a route to it only once it is active, and
// two Nets hold one connection.
func TestFakePeeringRules(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	acct := fake.NewAccount()
	a := acct.Region("r-a", func(o *fake.Options) { o.PeerTimeout = 50 * time.Millisecond })
	b := acct.Region("r-b", func(o *fake.Options) { o.PeerTimeout = 50 * time.Millisecond })
	require.Same(t, a, acct.Region("r-a"))
	assert.Equal(t, []string{"r-a", "r-b"}, acct.Regions())
	net := func(d *fake.Driver, id, cidr string) string {
		o, err := d.Create(ctx, driver.Request{Deployment: "p", Resource: blueprint.Resource{ID: id, Kind: blueprint.KindNet,
			Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix(cidr)}}, Tags: map[string]string{driver.TagDeployment: "p", driver.TagLogicalID: id}})
		require.NoError(t, err)
		return o.ID
	}
	peering := func(d *fake.Driver, netID, peerRegion, peerNet, peerCIDR string, accepter bool) (driver.Observed, error) {
		return d.Create(ctx, driver.Request{Deployment: "p", Resource: blueprint.Resource{ID: "net_peering/r-a-r-b", Kind: blueprint.KindNetPeering,
			NetPeering: &blueprint.NetPeeringSpec{Net: blueprint.Ref(netID), PeerRegion: peerRegion, PeerNet: peerNet,
				PeerCIDR: netip.MustParsePrefix(peerCIDR), Accepter: accepter}},
			Tags: map[string]string{driver.TagDeployment: "p", driver.TagLogicalID: "net_peering/r-a-r-b"}})
	}
	na := net(a, "net/a", "10.0.0.0/16")
	_, err := peering(a, na, "r-b", "net/b", "10.0.0.0/16", false)
	assert.Equal(t, driver.NotFound, driver.CodeOf(err), "no peer Net yet: %v", err)
	assert.ErrorContains(t, err, "provider.Fleet")

	nOver := net(b, "net/b", "10.0.128.0/17")
	_, err = peering(a, na, "r-b", "net/b", "10.0.128.0/17", false)
	assert.Equal(t, driver.Invalid, driver.CodeOf(err), "overlap: %v", err)
	assert.ErrorContains(t, err, "Overlapping CIDR range")
	require.NoError(t, b.Delete(ctx, driver.Observed{ID: nOver, Resource: blueprint.Resource{Kind: blueprint.KindNet}}, driver.DeleteOptions{}))

	nb := net(b, "net/b", "10.1.0.0/16")
	req, err := peering(a, na, "r-b", "net/b", "10.1.0.0/16", false)
	require.NoError(t, err)
	assert.False(t, req.Ready)
	assert.Equal(t, "pending-acceptance", req.Status)

	_, err = a.Create(ctx, driver.Request{Deployment: "p", Resource: routeTo(t, a, ctx, na, req.ID), Tags: map[string]string{driver.TagDeployment: "p"}})
	assert.Equal(t, driver.Invalid, driver.CodeOf(err), "a route to a pending connection: %v", err)
	assert.ErrorContains(t, err, "not active")

	acc, err := peering(b, nb, "r-a", "net/a", "10.0.0.0/16", true)
	require.NoError(t, err)
	assert.Equal(t, req.ID, acc.ID)
	assert.True(t, acc.Ready)
	got, err := a.Read(ctx, blueprint.KindNetPeering, req.ID)
	require.NoError(t, err)
	assert.True(t, got.Ready, "active on the requester's side too")
	_, err = a.Create(ctx, driver.Request{Deployment: "p", Resource: routeTo(t, a, ctx, na, req.ID), Tags: map[string]string{driver.TagDeployment: "p"}})
	require.NoError(t, err, "a route to the active connection")

	_, err = b.Create(ctx, driver.Request{Deployment: "p", Resource: blueprint.Resource{ID: "net_peering/r-b-r-a", Kind: blueprint.KindNetPeering,
		NetPeering: &blueprint.NetPeeringSpec{Net: blueprint.Ref(nb), PeerRegion: "r-a", PeerNet: "net/a", PeerCIDR: netip.MustParsePrefix("10.0.0.0/16")}},
		Tags: map[string]string{driver.TagDeployment: "p", driver.TagLogicalID: "net_peering/r-b-r-a"}})
	assert.Equal(t, driver.AlreadyExists, driver.CodeOf(err), "a second connection between the two Nets: %v", err)

	require.NoError(t, b.Delete(ctx, acc, driver.DeleteOptions{}))
	_, err = a.Read(ctx, blueprint.KindNetPeering, req.ID)
	assert.Equal(t, driver.NotFound, driver.CodeOf(err), "deleted from the accepter's region, gone in the requester's")
}

// routeTo returns a route table of a new subnet of net with a route to
// the peering connection pcx.
func routeTo(t *testing.T, d *fake.Driver, ctx context.Context, net, pcx string) blueprint.Resource {
	t.Helper()
	sub, err := d.Create(ctx, driver.Request{Deployment: "p", Resource: blueprint.Resource{ID: "subnet/x", Kind: blueprint.KindSubnet,
		Subnet: &blueprint.SubnetSpec{Net: blueprint.Ref(net), CIDR: netip.MustParsePrefix("10.0." + fmt.Sprint(d.Counts().Writes) + ".0/24"), Zone: d.Region() + "a"}}})
	require.NoError(t, err)
	return blueprint.Resource{ID: "route_table/x", Kind: blueprint.KindRouteTable, RouteTable: &blueprint.RouteTableSpec{
		Net: blueprint.Ref(net), Subnet: blueprint.Ref(sub.ID),
		Routes: []blueprint.RouteSpec{{Destination: netip.MustParsePrefix("10.1.0.0/24"), TargetKind: netplan.TargetNetPeering, Target: blueprint.Ref(pcx)}}}}
}

// TestPreflightPeeringOverlap: a hand-made Blueprint whose Net peering
// joins overlapping Nets is refused before any call, naming the field and
// the fix, on every fake (the clouds fail such a peering).
func TestPreflightPeeringOverlap(t *testing.T) {
	t.Parallel()
	acct := fake.NewAccount()
	a, _ := acct.Region("r-a"), acct.Region("r-b")
	bp := &blueprint.Blueprint{Deployment: "ov", Resources: []blueprint.Resource{
		{ID: "net/a", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.0.0.0/16")}},
		{ID: "net_peering/r-a-r-b", Kind: blueprint.KindNetPeering, NetPeering: &blueprint.NetPeeringSpec{
			Net: "net/a", PeerRegion: "r-b", PeerNet: "net/b", PeerCIDR: netip.MustParsePrefix("10.0.128.0/17")}},
	}}
	_, err := provider.NewEngine(a, fastOpts).Apply(t.Context(), bp)
	require.ErrorIs(t, err, driver.ErrInvalid)
	assert.ErrorContains(t, err, "net_peering.peer_cidr")
	assert.ErrorContains(t, err, "disjoint ranges")
	assert.Zero(t, a.Counts().Writes)
}

// TestLinkedNetsOneRegionFake links two Nets of one region of the fake,
// with AWS's rules (pattern.MultiRegion.BuildOneRegion): one connection,
// requested and accepted by the requester's side, active; the route
// tables, rule sets and network ACLs read back from both Nets equal what
// Build derives for each site; a re-apply writes nothing; the destroy
// leaves nothing. An accepter's side in the driver's own region is
// refused by the preflight, naming the field.
func TestLinkedNetsOneRegionFake(t *testing.T) {
	t.Parallel()
	d := fake.NewAccount().Region(primaryRegion, func(o *fake.Options) { o.PendingReads = 2 })
	eng := provider.NewEngine(d, fastOpts)
	m := pattern.Regions("sites", "10.0.0.0/8", func(site string) *pattern.Architecture {
		a, b := tier.App(site+"app"), tier.App(site+"web")
		a.Exposure, b.Exposure = netplan.Isolated, netplan.Isolated
		return pattern.New("sites", "10.0.0.0/16").AddTier(a, b)
	}).Primary("front").Recovery("back", pattern.PilotLight).Link("front", "back").
		Flow("frontapp@front -> backapp@back tcp/8080")
	bp, err := m.BuildOneRegion(primaryRegion)
	require.NoError(t, err)
	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err, "%s", res)

	derived, err := m.Build()
	require.NoError(t, err)
	snap := d.Snapshot("sites")
	for site, sbp := range derived {
		for _, k := range peeredKinds[1:] {
			for _, want := range sbp.OfKind(k) {
				want.DependsOn = nil
				assert.Equal(t, want, snap[k][want.ID], "%s of %s", want.ID, site)
			}
		}
	}
	want, _ := bp.Resource("net_peering/front-back")
	want.DependsOn = nil
	assert.Equal(t, map[string]blueprint.Resource{want.ID: want}, map[string]blueprint.Resource(snap[blueprint.KindNetPeering]))
	obs, err := d.List(t.Context(), driver.Query{Kind: blueprint.KindNetPeering, Deployment: "sites"})
	require.NoError(t, err)
	require.Len(t, obs, 1)
	assert.True(t, obs[0].Ready, obs[0].Status)
	assert.True(t, routesTo(derived["front"].OfKind(blueprint.KindRouteTable), netplan.TargetNetPeering))
	assert.True(t, routesTo(derived["back"].OfKind(blueprint.KindRouteTable), netplan.TargetNetPeering))

	again, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, again.WriteCalls, "%s", again)

	acc := want.Clone()
	acc.ID, acc.NetPeering.Accepter = "net_peering/back-front", true
	twice := &blueprint.Blueprint{Deployment: "sites", Resources: append(slices.Clone(bp.Resources), acc)}
	_, err = eng.Plan(t.Context(), twice)
	require.ErrorIs(t, err, driver.ErrInvalid)
	assert.ErrorContains(t, err, "net_peering/back-front: net_peering.accepter")

	_, err = eng.Destroy(t.Context(), "sites")
	require.NoError(t, err)
	assert.Empty(t, d.Snapshot("sites"))
}

// TestLinkedRegionFailsEarly: when one region of a linked Fleet fails
// before making its Net, the other region's side of the link stops
// waiting for it once that region's run has ended, instead of waiting out
// its peer timeout (here two minutes: the error would then name it).
func TestLinkedRegionFailsEarly(t *testing.T) {
	t.Parallel()
	fl, fakes := accountFleet(t, func(o *fake.Options) { o.PeerTimeout = 2 * time.Minute })
	fakes[recoveryRegion].FailOn(fake.OpCreate, blueprint.KindNet, driver.Invalid)
	m := twoRegionWebApp("early").Link(primaryRegion, recoveryRegion).
		Flow("app@" + primaryRegion + " -> db@" + recoveryRegion + " tcp/3306")

	_, err := fl.Apply(t.Context(), m)
	require.Error(t, err)
	var re *provider.RegionError
	var primary error
	for _, e := range unjoin(err) {
		if errors.As(e, &re) && re.Region == primaryRegion {
			primary = re.Err
		}
	}
	require.Error(t, primary, "the primary's side of the link fails too: %v", err)
	assert.Contains(t, primary.Error(), "the run of region "+recoveryRegion+" ended")
	assert.NotContains(t, primary.Error(), "after 2m0s")
}

// unjoin flattens errors.Join's tree.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unjoin(e)...)
		}
		return out
	}
	return []error{err}
}
