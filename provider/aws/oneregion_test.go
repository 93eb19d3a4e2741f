package aws_test

import (
	"context"
	"sync"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// linkedSites is two Nets of one region, front (an app tier and a web
// tier) and back (an api tier and a store tier), linked, front's app
// calling back's api on tcp/8080: the web and store tiers have no flow
// over the link. Tiers only, Isolated: nothing slow for moto.
func linkedSites(name string) *pattern.MultiRegion {
	tiers := map[string][2]string{"front": {"app", "web"}, "back": {"api", "store"}}
	return pattern.Regions(name, "10.0.0.0/8", func(site string) *pattern.Architecture {
		a, b := tier.App(tiers[site][0]), tier.App(tiers[site][1])
		a.Exposure, b.Exposure = netplan.Isolated, netplan.Isolated
		return pattern.New(name, "10.0.0.0/16").AddTier(a, b)
	}).Primary("front").Recovery("back", pattern.PilotLight).Link("front", "back").
		Flow("app@front -> api@back tcp/8080")
}

// TestLinkedNetsOneRegionMoto: two VPCs of one region of moto linked by
// a flow (pattern.MultiRegion.BuildOneRegion). One VPC peering
// connection, active, from front's VPC to back's, requested without
// PeerRegion and accepted in the same region by the requester's side; the
// route tables, rule sets and network ACLs read back from both VPCs
// equal what Build derived for each site, the rules naming the other
// side's ranges (CIDRs, not the peer VPC's group); a re-apply writes
// nothing; the destroy leaves nothing.
func TestLinkedNetsOneRegionMoto(t *testing.T) {
	t.Parallel()
	var (
		mu          sync.Mutex
		peerRegions []*string
	)
	td := newDriver(t, func(o *aws.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("peerRegion", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if p, ok := in.Parameters.(*ec2.CreateVpcPeeringConnectionInput); ok {
					mu.Lock()
					peerRegions = append(peerRegions, p.PeerRegion)
					mu.Unlock()
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
		})
	})
	eng := engine(td.Driver)
	const dep = "sitesmoto"
	m := linkedSites(dep)
	bp, err := m.BuildOneRegion(td.Region())
	require.NoError(t, err)
	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err, "%s", res)

	_, _, ops := td.calls.snapshot()
	assert.Equal(t, 1, ops["CreateVpcPeeringConnection"], "requested once")
	assert.Equal(t, 1, ops["AcceptVpcPeeringConnection"], "accepted once, by the requester's side")
	mu.Lock()
	assert.Equal(t, []*string{nil}, peerRegions, "no PeerRegion: the connection's default is the caller's region")
	mu.Unlock()
	nets, err := td.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindNet})
	require.NoError(t, err)
	netID := map[string]string{}
	for _, n := range nets {
		netID[n.LogicalID] = n.ID
	}
	out, err := td.EC2.DescribeVpcPeeringConnections(t.Context(), &ec2.DescribeVpcPeeringConnectionsInput{})
	require.NoError(t, err)
	var live []string
	for _, p := range out.VpcPeeringConnections {
		if p.Status == nil || p.Status.Code == "deleted" {
			continue
		}
		live = append(live, awssdk.ToString(p.VpcPeeringConnectionId))
		if awssdk.ToString(p.RequesterVpcInfo.VpcId) != netID["net/front"] && awssdk.ToString(p.RequesterVpcInfo.VpcId) != netID["net/back"] {
			continue // another test's
		}
		assert.Equal(t, "active", string(p.Status.Code))
		assert.Equal(t, netID["net/front"], awssdk.ToString(p.RequesterVpcInfo.VpcId))
		assert.Equal(t, netID["net/back"], awssdk.ToString(p.AccepterVpcInfo.VpcId))
		assert.Equal(t, td.Region(), awssdk.ToString(p.AccepterVpcInfo.Region))
	}
	obs, err := td.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindNetPeering})
	require.NoError(t, err)
	require.Len(t, obs, 1, "one connection")
	assert.True(t, obs[0].Ready, obs[0].Status)
	assert.Contains(t, live, obs[0].ID)
	assert.Equal(t, blueprint.NetPeeringSpec{Net: blueprint.Ref(netID["net/front"]), PeerRegion: td.Region(),
		PeerCIDR: obs[0].Resource.NetPeering.PeerCIDR}, *obs[0].Resource.NetPeering)

	derived, err := m.Build()
	require.NoError(t, err)
	got := readBack(t, td, dep)
	toPeering := 0
	for site, sbp := range derived {
		for _, k := range peeredKinds {
			for _, want := range sbp.OfKind(k) {
				canonical(&want)
				have, ok := got[k][want.ID]
				if !assert.True(t, ok, "%s of %s", want.ID, site) {
					continue
				}
				assert.Equal(t, want, have, "%s of %s: the derivation", want.ID, site)
				if k != blueprint.KindRouteTable {
					continue
				}
				for _, r := range have.RouteTable.Routes {
					if r.TargetKind == netplan.TargetNetPeering {
						assert.Equal(t, blueprint.Ref("net_peering/front-back"), r.Target)
						toPeering++
					}
				}
			}
		}
	}
	// app/a, app/b to api's two subnets; api/a, api/b back to app's: web
	// and store route nothing over the link.
	assert.Equal(t, 8, toPeering, "routes to the connection on exactly the tiers of the flow")
	app := got[blueprint.KindSecurityGroupRules]["security_group_rules/app"].SecurityGroupRules
	require.Len(t, app.Outbound, 1)
	assert.Equal(t, uint16(8080), app.Outbound[0].FromPort)
	api := got[blueprint.KindSecurityGroupRules]["security_group_rules/api"].SecurityGroupRules
	require.Len(t, api.Inbound, 1)
	assert.True(t, derived["front"].OfKind(blueprint.KindNet)[0].Net.CIDR.Contains(api.Inbound[0].CIDR.Addr()),
		"back's api admits front's app range")

	td.calls.reset()
	again, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, again.WriteCalls, "%s", again)
	writes, _, ops := td.calls.snapshot()
	assert.Zero(t, writes, "re-apply wrote: %v", ops)

	link, _ := bp.Resource("net_peering/front-back")
	acc := link.Clone()
	acc.NetPeering.Accepter = true
	err = td.Check(dep, acc)
	require.ErrorIs(t, err, driver.ErrInvalid)
	assert.ErrorContains(t, err, "net_peering.accepter", "in one region the requester's side accepts: no accepter's side")
	assert.NoError(t, td.Check(dep, link))

	td.calls.reset()
	_, err = eng.Destroy(t.Context(), dep)
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, td, dep))
	_, _, ops = td.calls.snapshot()
	assert.Equal(t, 1, ops["DeleteVpcPeeringConnection"], "deleted once")
}

// TestLinkedNetsOneRegionAnswersLost: in one region, the answers of
// CreateVpcPeeringConnection and of the requester's own
// AcceptVpcPeeringConnection are lost after they took effect. The
// engine's retries of the Create find the connection by its tags, pending
// then active: one request, one acceptance, one active connection; the
// destroy leaves nothing.
func TestLinkedNetsOneRegionAnswersLost(t *testing.T) {
	t.Parallel()
	td := newDriver(t, func(o *aws.Options) {
		o.APIOptions = append(o.APIOptions, loseFirstAnswer("CreateVpcPeeringConnection"), loseFirstAnswer("AcceptVpcPeeringConnection"))
	})
	eng := engine(td.Driver)
	const dep = "sitelost"
	bp, err := linkedSites(dep).BuildOneRegion(td.Region())
	require.NoError(t, err)
	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err, "%s", res)
	_, _, ops := td.calls.snapshot()
	assert.Equal(t, 1, ops["CreateVpcPeeringConnection"], "requested once")
	assert.Equal(t, 1, ops["AcceptVpcPeeringConnection"], "accepted once")
	obs, err := td.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindNetPeering})
	require.NoError(t, err)
	require.Len(t, obs, 1)
	assert.True(t, obs[0].Ready, obs[0].Status)

	_, err = eng.Destroy(t.Context(), dep)
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, td, dep))
}

// TestTwoLinksOneRegionMoto: three sites of one region, front linked to
// back and to edge: two connections, each requested once and accepted
// once, both active; the routes to each name their own connection; a
// re-apply writes nothing; the destroy deletes both and leaves nothing.
func TestTwoLinksOneRegionMoto(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	eng := engine(td.Driver)
	const dep = "twolinks"
	tiers := map[string]string{"front": "app", "back": "api", "edge": "gate"}
	m := pattern.Regions(dep, "10.0.0.0/8", func(site string) *pattern.Architecture {
		a := tier.App(tiers[site])
		a.Exposure = netplan.Isolated
		return pattern.New(dep, "10.0.0.0/16").AddTier(a)
	}).Primary("front").Recovery("back", pattern.PilotLight).Recovery("edge", pattern.PilotLight).
		Link("front", "back").Link("front", "edge").
		Flow("app@front -> api@back tcp/8080").Flow("app@front -> gate@edge tcp/8080")
	bp, err := m.BuildOneRegion(td.Region())
	require.NoError(t, err)
	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err, "%s", res)
	_, _, ops := td.calls.snapshot()
	assert.Equal(t, 2, ops["CreateVpcPeeringConnection"], "one request per link")
	assert.Equal(t, 2, ops["AcceptVpcPeeringConnection"], "one acceptance per link")
	obs, err := td.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindNetPeering})
	require.NoError(t, err)
	require.Len(t, obs, 2, "two connections")
	ids := map[string]string{}
	for _, o := range obs {
		assert.True(t, o.Ready, "%s: %s", o.LogicalID, o.Status)
		ids[o.LogicalID] = o.ID
	}
	assert.Len(t, ids, 2, "two logical ids: %v", ids)
	got := readBack(t, td, dep)
	toPeering := map[blueprint.Ref]int{}
	for _, want := range bp.OfKind(blueprint.KindRouteTable) {
		canonical(&want)
		have, ok := got[blueprint.KindRouteTable][want.ID]
		if !assert.True(t, ok, want.ID) {
			continue
		}
		assert.ElementsMatch(t, want.RouteTable.Routes, have.RouteTable.Routes, "%s: the derivation", want.ID)
		for _, r := range have.RouteTable.Routes {
			if r.TargetKind == netplan.TargetNetPeering {
				toPeering[r.Target]++
			}
		}
	}
	assert.Len(t, toPeering, 2, "routes to each connection: %v", toPeering)
	td.calls.reset()
	again, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, again.WriteCalls, "%s", again)
	td.calls.reset()
	_, err = eng.Destroy(t.Context(), dep)
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, td, dep))
	_, _, ops = td.calls.snapshot()
	assert.Equal(t, 2, ops["DeleteVpcPeeringConnection"], "each deleted once")
}
