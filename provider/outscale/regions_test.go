package outscale_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale"
	"github.com/archkit/archkit/provider/outscale/osctest"
	"github.com/archkit/archkit/tier"
)

// TestThreeTierRecoveryRegion applies the three-tier document's Net with
// its recovery region (pilot light) to two test servers, one per OUTSCALE
// region, applies it again with no write, and destroys it with nothing
// left in either region.
func TestThreeTierRecoveryRegion(t *testing.T) {
	t.Parallel()
	const primary, recovery = "eu-west-2", "us-east-2"
	srvs := map[string]*osctest.Server{}
	drivers := map[string]driver.Driver{}
	ds := map[string]*outscale.Driver{}
	for _, r := range []string{primary, recovery} {
		srvs[r] = osctest.New(t, func(o *osctest.Options) { o.Region = r })
		ds[r] = newDriver(t, srvs[r], func(o *outscale.Options) { o.Region = r })
		drivers[r] = ds[r]
	}
	srvs[recovery].LinkRegion(primary, srvs[primary]) // the recovery region copies the primary's OMIs
	fl, err := provider.NewFleet(drivers, func(o *provider.Options) {
		o.AllowFallback = true
		o.RateLimit = -1
		o.PollMin, o.PollMax = 1e6, 5e6
		o.Retry.BaseDelay, o.Retry.MaxDelay = 1e6, 5e6
		o.DependencyRetries = 20
	})
	require.NoError(t, err)
	m := pattern.ThreeTierRecovery(pattern.ThreeTierOptions{Name: "shop", Profile: netplan.Outscale,
		WebImage: suiteImage, AppImage: suiteImage, DBImage: suiteImage, InstanceType: "tinav5.c2r4p2"},
		pattern.Recovery{Primary: primary, Region: pattern.Region{Name: recovery, Posture: pattern.PilotLight}})
	bps, err := m.Build()
	require.NoError(t, err)

	res, err := fl.Apply(t.Context(), m)
	require.NoError(t, err)
	applied := map[string]int{}
	for _, r := range m.Regions() {
		total, perOp := srvs[r].Requests()
		applied[r] = writes(perOp)
		t.Logf("apply %s: %s; %d OUTSCALE requests (%d writes)", r, res.Region(r), total, applied[r])
		// Network ACLs, flow logs and instance roles are dropped (OUTSCALE
		// has none), and so are the clusters of 0 nodes of the pilot light
		// (a cluster is its VMs).
		left := len(bps[r].OfKind(blueprint.KindNetworkACL)) + len(bps[r].OfKind(blueprint.KindFlowLog)) + len(bps[r].OfKind(blueprint.KindInstanceRole))
		for _, c := range bps[r].OfKind(blueprint.KindCluster) {
			if c.Cluster.Desired == 0 {
				left++
			}
		}
		assert.Len(t, state(t, ds[r], "shop"), len(bps[r].Resources)-left, r)
	}
	t.Logf("makespan over both regions: %s", res.Makespan)
	nets := map[string]string{}
	for r, d := range ds {
		obs, err := d.List(t.Context(), driver.Query{Deployment: "shop", Kind: blueprint.KindNet})
		require.NoError(t, err)
		require.Len(t, obs, 1)
		nets[r] = obs[0].Resource.Net.CIDR.String()
	}
	assert.Equal(t, map[string]string{primary: "10.0.0.0/16", recovery: "10.1.0.0/16"}, nets)
	// Pilot light: the stateless clusters have no VM, the database
	// cluster (data) is whole.
	clusters, err := ds[recovery].List(t.Context(), driver.Query{Deployment: "shop", Kind: blueprint.KindCluster})
	require.NoError(t, err)
	require.Len(t, clusters, 1, "pilot light: the database cluster only")
	assert.True(t, clusters[0].Resource.IsStateful())
	assert.Len(t, clusters[0].Parts["vm"], 2)
	primaryClusters, err := ds[primary].List(t.Context(), driver.Query{Deployment: "shop", Kind: blueprint.KindCluster})
	require.NoError(t, err)
	require.Len(t, primaryClusters, 3)
	stateful := []string{clusters[0].LogicalID}
	// The recovery region's VMs start from a copy of the primary's OMI,
	// made in the recovery region; the primary's start from the OMI itself.
	copies, err := ds[recovery].List(t.Context(), driver.Query{Deployment: "shop", Kind: blueprint.KindImageCopy})
	require.NoError(t, err)
	require.Len(t, copies, 1, "one OMI, one copy")
	assert.Equal(t, blueprint.ImageCopySpec{SourceImage: suiteImage, SourceRegion: primary,
		Name: blueprint.ImageCopyName("shop", suiteImage, primary)}, *copies[0].Resource.ImageCopy)
	assert.True(t, copies[0].Ready, copies[0].Status)
	assert.Equal(t, copies[0].ID, clusters[0].Resource.Cluster.Image, "the database cluster's VMs start from the copy")
	for _, c := range primaryClusters {
		assert.Equal(t, suiteImage, c.Resource.Cluster.Image, c.LogicalID)
	}

	res, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)
	for r, srv := range srvs {
		_, perOp := srv.Requests()
		assert.Equal(t, applied[r], writes(perOp), "re-apply sends no OUTSCALE write in %s", r)
	}
	assert.Zero(t, res.Total().WriteCalls)

	_, err = fl.Destroy(t.Context(), "shop", func(o *provider.DestroyOptions) { o.AllowDataLoss = stateful })
	require.NoError(t, err)
	for r, d := range ds {
		assert.Empty(t, leftovers(t, d), "left in %s", r)
		assert.Empty(t, srvs[r].Violations(), r)
		copies, err := d.List(t.Context(), driver.Query{Deployment: "shop", Kind: blueprint.KindImageCopy})
		require.NoError(t, err)
		assert.Empty(t, copies, "image copies left in %s", r)
		for _, sn := range readSnapshots(t, srvs[r]) {
			assert.NotContains(t, sn.GetDescription(), "CreateImage", "a copy's snapshot is left in %s", r)
		}
	}
}

// TestLinkedRegionsRefused: OUTSCALE's Net peering joins the Nets of one
// region; a deployment whose Nets of two regions are linked is refused by
// the preflight in each region, naming the VPN that joins them instead,
// before any write in either region.
func TestLinkedRegionsRefused(t *testing.T) {
	t.Parallel()
	const primary, recovery = "eu-west-2", "us-east-2"
	srvs := map[string]*osctest.Server{}
	drivers := map[string]driver.Driver{}
	for _, r := range []string{primary, recovery} {
		srvs[r] = osctest.New(t, func(o *osctest.Options) { o.Region = r })
		drivers[r] = newDriver(t, srvs[r], func(o *outscale.Options) { o.Region = r })
	}
	fl, err := provider.NewFleet(drivers, func(o *provider.Options) { o.RateLimit = -1; o.AllowFallback = true })
	require.NoError(t, err)
	m := pattern.Regions("linked", "10.0.0.0/8", func(string) *pattern.Architecture {
		return pattern.New("linked", "10.0.0.0/16").AddTier(isolated("app"), isolated("api")).Connect("app", "api")
	}).Primary(primary).Recovery(recovery, pattern.PilotLight).Link(primary, recovery).
		Flow("app@" + primary + " -> api@" + recovery + " tcp/8080")
	_, err = fl.Apply(t.Context(), m)
	require.Error(t, err)
	for _, r := range []string{primary, recovery} {
		assert.ErrorContains(t, err, "region "+r)
		_, perOp := srvs[r].Requests()
		assert.Zero(t, writes(perOp), "written in %s: %v", r, perOp)
	}
	assert.ErrorContains(t, err, "net_peering.peer_region")
	assert.ErrorContains(t, err, "pattern.MultiRegion.LinkVPN")
}

// isolated is an application tier with no route out of its Net.
func isolated(name string) tier.Tier {
	t := tier.App(name)
	t.Exposure = netplan.Isolated
	return t
}
