package aws_test

import (
	"slices"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// linkedTiers is a deployment over two regions whose Nets are linked: an
// app tier in each, an api tier that the primary's app reaches in
// the recovery region over the link. Tiers only: no machine, so that moto
// answers quickly.
func linkedTiers(name string) *pattern.MultiRegion {
	return pattern.Regions(name, "10.0.0.0/8", func(string) *pattern.Architecture {
		app, api := tier.App("app"), tier.App("api")
		app.Exposure, api.Exposure = netplan.Isolated, netplan.Isolated // no NAT: nothing slow for moto
		return pattern.New(name, "10.0.0.0/16").AddTier(app, api).Connect("app", "api")
	}).Primary(primaryRegion).Recovery(recoveryRegion, pattern.PilotLight).
		Link(primaryRegion, recoveryRegion).
		Flow("app@" + primaryRegion + " -> api@" + recoveryRegion + " tcp/8080")
}

// peeredKinds are the kinds a link between Nets derives on each side.
var peeredKinds = []blueprint.Kind{blueprint.KindRouteTable, blueprint.KindSecurityGroupRules, blueprint.KindNetworkACL}

// readBack lists the kinds of deployment on td, their references turned
// into logical ids, each in canonical form, by logical id.
func readBack(t *testing.T, td *testDriver, deployment string, kinds ...blueprint.Kind) map[blueprint.Kind]map[string]blueprint.Resource {
	t.Helper()
	logical := map[string]string{}
	var all []driver.Observed
	for _, k := range blueprint.Kinds {
		obs, err := td.List(t.Context(), driver.Query{Deployment: deployment, Kind: k})
		require.NoError(t, err)
		for _, o := range obs {
			logical[o.ID] = o.LogicalID
		}
		all = append(all, obs...)
	}
	out := map[blueprint.Kind]map[string]blueprint.Resource{}
	for _, o := range all {
		r := o.Resource.Clone()
		for _, ref := range r.Refs() {
			if l, ok := logical[string(*ref)]; ok {
				*ref = blueprint.Ref(l)
			}
		}
		canonical(&r)
		if out[r.Kind] == nil {
			out[r.Kind] = map[string]blueprint.Resource{}
		}
		out[r.Kind][o.LogicalID] = r
	}
	return out
}

// canonical puts r in canonical form, an empty rule list nil.
func canonical(r *blueprint.Resource) {
	r.Normalize()
	if s := r.SecurityGroupRules; s != nil {
		s.Inbound, s.Outbound = nilIfEmpty(s.Inbound), nilIfEmpty(s.Outbound)
	}
	if s := r.NetworkACL; s != nil {
		s.Inbound, s.Outbound = nilIfEmpty(s.Inbound), nilIfEmpty(s.Outbound)
	}
	if s := r.RouteTable; s != nil {
		s.Routes = nilIfEmpty(s.Routes)
	}
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestFleetLinkedNetsMoto: two Nets in two regions of moto, linked by a
// flow. One VPC peering connection, requested in the primary region and
// accepted in the recovery region, active on both sides; the route
// tables, rule sets and network ACLs read back from each region are
// exactly the derivation's (routes to the connection included); a second
// apply writes nothing; the destroy leaves nothing in either region.
func TestFleetLinkedNetsMoto(t *testing.T) {
	t.Parallel()
	tds := regionDrivers(t, primaryRegion, recoveryRegion)
	fl := motoFleet(t, tds)
	m := linkedTiers("linkedmoto")
	bps, err := m.Build()
	require.NoError(t, err)

	res, err := fl.Apply(t.Context(), m)
	require.NoError(t, err, "%s", res)
	var pcx []string
	for _, r := range m.Regions() {
		writes, reads, ops := tds[r].calls.snapshot()
		t.Logf("apply %s: %s; AWS API calls %d writes %d reads; %v", r, res.Region(r), writes, reads, ops)
		got := readBack(t, tds[r], "linkedmoto")
		for _, k := range peeredKinds {
			want := map[string]blueprint.Resource{}
			for _, x := range bps[r].OfKind(k) {
				canonical(&x)
				want[x.ID] = x
			}
			assert.Equal(t, want, got[k], "%s in %s", k, r)
		}
		toLink := 0
		for _, rt := range got[blueprint.KindRouteTable] {
			for _, route := range rt.RouteTable.Routes {
				if route.TargetKind == netplan.TargetNetPeering && route.Target == blueprint.Ref("net_peering/"+primaryRegion+"-"+recoveryRegion) {
					toLink++
				}
			}
		}
		assert.Positive(t, toLink, "%s: routes to the connection (VpcPeeringConnectionId)", r)
		peerings := got[blueprint.KindNetPeering]
		require.Len(t, peerings, 1, r)
		want, _ := bps[r].Resource("net_peering/" + primaryRegion + "-" + recoveryRegion)
		p := peerings[want.ID].NetPeering
		assert.Equal(t, want.NetPeering.Accepter, p.Accepter, r)
		assert.Equal(t, want.NetPeering.PeerRegion, p.PeerRegion, r)
		assert.Equal(t, blueprint.Ref("net/"+r), p.Net, r)
		obs, err := tds[r].List(t.Context(), driver.Query{Deployment: "linkedmoto", Kind: blueprint.KindNetPeering})
		require.NoError(t, err)
		require.Len(t, obs, 1)
		assert.True(t, obs[0].Ready, "%s: %s", r, obs[0].Status)
		pcx = append(pcx, obs[0].ID)
	}
	assert.Equal(t, pcx[0], pcx[1], "one connection, a side in each region")
	_, _, ops := tds[primaryRegion].calls.snapshot()
	assert.Equal(t, 1, ops["CreateVpcPeeringConnection"], "requested once, in the primary region")
	_, _, ops = tds[recoveryRegion].calls.snapshot()
	assert.Equal(t, 1, ops["AcceptVpcPeeringConnection"], "accepted once, in the recovery region")
	assert.Zero(t, ops["CreateVpcPeeringConnection"])

	for _, td := range tds {
		td.calls.reset()
	}
	res, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)
	assert.Zero(t, res.Total().WriteCalls, "%s", res)
	for r, td := range tds {
		writes, reads, ops := td.calls.snapshot()
		t.Logf("re-apply %s: AWS API calls %d writes %d reads", r, writes, reads)
		assert.Zero(t, writes, "re-apply wrote in %s: %v", r, ops)
	}

	for _, td := range tds {
		td.calls.reset()
	}
	_, err = fl.Destroy(t.Context(), "linkedmoto")
	require.NoError(t, err)
	deletes := 0
	for r, td := range tds {
		assert.Empty(t, leftovers(t, td, "linkedmoto"), "left in %s", r)
		_, _, ops := td.calls.snapshot()
		deletes += ops["DeleteVpcPeeringConnection"]
	}
	assert.Equal(t, 1, deletes, "deleted once, from either side")
}

// TestLinkedNetsAnswersLost: the answers of the primary's
// CreateVpcPeeringConnection and of the recovery's
// AcceptVpcPeeringConnection are lost after they took effect. Neither is
// sent again blindly (neither takes a client token): the engine's retry
// of the requester's Create finds the connection by its tags, the
// accepter's finds it active between the two VPCs. One connection, one
// request, one acceptance; the destroy leaves nothing.
func TestLinkedNetsAnswersLost(t *testing.T) {
	t.Parallel()
	tds := regionDriversWith(t, map[string][]func(*middleware.Stack) error{
		primaryRegion:  {loseFirstAnswer("CreateVpcPeeringConnection")},
		recoveryRegion: {loseFirstAnswer("AcceptVpcPeeringConnection")},
	}, primaryRegion, recoveryRegion)
	fl := motoFleet(t, tds)
	m := linkedTiers("lostpcx")
	res, err := fl.Apply(t.Context(), m)
	require.NoError(t, err, "%s", res)
	_, _, ops := tds[primaryRegion].calls.snapshot()
	assert.Equal(t, 1, ops["CreateVpcPeeringConnection"], "requested once")
	_, _, ops = tds[recoveryRegion].calls.snapshot()
	assert.Equal(t, 1, ops["AcceptVpcPeeringConnection"], "accepted once")
	for r, td := range tds {
		obs, err := td.List(t.Context(), driver.Query{Deployment: "lostpcx", Kind: blueprint.KindNetPeering})
		require.NoError(t, err)
		require.Len(t, obs, 1, r)
		assert.True(t, obs[0].Ready, r)
	}
	out, err := tds[primaryRegion].EC2.DescribeVpcPeeringConnections(t.Context(), &ec2.DescribeVpcPeeringConnectionsInput{})
	require.NoError(t, err)
	live := 0
	for _, p := range out.VpcPeeringConnections {
		if p.Status != nil && p.Status.Code != "deleted" && slices.ContainsFunc(p.Tags, func(tag ec2types.Tag) bool { return awssdk.ToString(tag.Value) == "lostpcx" }) {
			live++
		}
	}
	assert.Equal(t, 1, live, "one connection in moto")

	_, err = fl.Destroy(t.Context(), "lostpcx")
	require.NoError(t, err)
	for r, td := range tds {
		assert.Empty(t, leftovers(t, td, "lostpcx"), "left in %s", r)
	}
}
