package provider_test

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

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

const (
	primaryRegion  = "eu-west-3"
	recoveryRegion = "eu-west-1"
)

// twoRegionWebApp is the web app of the AWS migration document in a
// primary region and a warm-standby recovery region.
func twoRegionWebApp(name string) *pattern.MultiRegion {
	return pattern.Regions(name, "10.0.0.0/8", func(string) *pattern.Architecture {
		return pattern.WebApp(pattern.WebAppOptions{Name: name})
	}).Primary(primaryRegion).Recovery(recoveryRegion, pattern.WarmStandby)
}

// fakeFleet returns a Fleet over one fake per region, and the fakes.
func fakeFleet(t *testing.T, onEvent func(provider.Event)) (*provider.Fleet, map[string]*fake.Driver) {
	t.Helper()
	fakes := map[string]*fake.Driver{primaryRegion: newFake(), recoveryRegion: newFake()}
	drivers := map[string]driver.Driver{}
	for r, d := range fakes {
		drivers[r] = d
	}
	f, err := provider.NewFleet(drivers, fastOpts, func(o *provider.Options) { o.OnEvent = onEvent })
	require.NoError(t, err)
	return f, fakes
}

// TestFleetLifecycle applies a deployment over two regions, applies it
// again with no write, and destroys it with nothing left in either region.
func TestFleetLifecycle(t *testing.T) {
	t.Parallel()
	m := twoRegionWebApp("shop")
	bps, err := m.Build()
	require.NoError(t, err)
	var (
		mu      sync.Mutex
		regions = map[string]int{}
	)
	fl, fakes := fakeFleet(t, func(ev provider.Event) {
		mu.Lock()
		defer mu.Unlock()
		if ev.Type == provider.EventDone {
			regions[ev.Region]++
		}
	})

	res, err := fl.Apply(t.Context(), m)
	require.NoError(t, err)
	t.Logf("apply:\n%s", res)
	for _, r := range m.Regions() {
		// The copy of the database's fallback image is dropped: the fake,
		// as AWS, runs the managed database.
		want := len(bps[r].Resources) - len(fallbackImageCopies(bps[r]))
		assert.Equal(t, want, res.Region(r).Created, r)
		assert.Equal(t, want, regions[r], "events of %s", r)
		assert.Empty(t, fakes[r].Locks(), "the lock of %s is released", r)
	}
	assert.Equal(t, netip.MustParsePrefix("10.0.0.0/16"), netOf(t, fakes[primaryRegion], "net/"+primaryRegion))
	assert.Equal(t, netip.MustParsePrefix("10.1.0.0/16"), netOf(t, fakes[recoveryRegion], "net/"+recoveryRegion))

	standby := fakes[recoveryRegion].Snapshot("shop")[blueprint.KindCluster]["cluster/app"].Cluster
	require.NotNil(t, standby)
	assert.Equal(t, [3]int{1, 1, 6}, [3]int{standby.Min, standby.Desired, standby.Max}, "warm standby: one node, room to scale")
	primary := fakes[primaryRegion].Snapshot("shop")[blueprint.KindCluster]["cluster/app"].Cluster
	assert.Equal(t, 2, primary.Desired)

	for _, d := range fakes {
		d.ResetCalls()
	}
	res, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)
	for r, d := range fakes {
		assert.Zero(t, d.Counts().Writes, "re-apply wrote in %s", r)
		assert.Zero(t, d.Counts().Locks, "re-apply locked in %s", r)
	}
	assert.Zero(t, res.Total().Created+res.Total().Updated+res.Total().Deleted)

	res, err = fl.Destroy(t.Context(), "shop", allowStateful(bps[primaryRegion]))
	require.NoError(t, err)
	t.Logf("destroy:\n%s", res)
	for r, d := range fakes {
		assert.Empty(t, d.Resources(), "left in %s", r)
		assert.Empty(t, d.Locks(), "lock left in %s", r)
	}
}

// TestFleetFailoverDrill deletes the primary region's resources out of
// band: the recovery region still answers, and the plan rebuilds the
// primary with creates only, touching nothing in the recovery region.
func TestFleetFailoverDrill(t *testing.T) {
	t.Parallel()
	m := twoRegionWebApp("drill")
	bps, err := m.Build()
	require.NoError(t, err)
	fl, fakes := fakeFleet(t, nil)
	_, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)
	before := fakes[recoveryRegion].Snapshot("drill")

	prim := fakes[primaryRegion]
	for _, o := range slices.Backward(prim.Resources()) {
		if o.Resource.Kind == blueprint.KindLoadBalancer {
			// The operator lifts the balancer's deletion protection.
			require.NoError(t, prim.Mutate(o.ID, func(r *blueprint.Resource) { r.LoadBalancer.AllowDeletion = true }))
		}
		require.NoError(t, prim.DeleteOutside(o.ID))
	}
	require.Empty(t, prim.Resources())

	// The recovery region answers: the internet reaches its load balancer,
	// which reaches the app tier, in what is deployed there.
	rec := fakes[recoveryRegion]
	assert.Equal(t, before, rec.Snapshot("drill"))
	ok, why, err := rec.Allows("security_group/app-lb", "security_group/app", netplan.ProtocolTCP, 8080)
	require.NoError(t, err)
	assert.True(t, ok, why)
	a, err := m.Architecture(recoveryRegion, netip.Prefix{})
	require.NoError(t, err)
	rules, err := a.Rules()
	require.NoError(t, err)
	v := rules.CanReach(netplan.Query{From: netplan.Internet(), To: "app-lb", Protocol: netplan.ProtocolTCP, Port: 80})
	assert.True(t, v.Allowed, v.String())

	plan, err := fl.Plan(t.Context(), m)
	require.NoError(t, err)
	t.Logf("rebuild:\n%s", plan)
	assert.False(t, plan.Region(recoveryRegion).HasChanges(), "nothing touched in the recovery region")
	counts := plan.Region(primaryRegion).Counts()
	assert.Equal(t, map[provider.Action]int{provider.ActionCreate: len(bps[primaryRegion].Resources)}, counts)

	rec.ResetCalls()
	res, err := fl.Apply(t.Context(), m)
	require.NoError(t, err)
	assert.Equal(t, len(bps[primaryRegion].Resources), res.Region(primaryRegion).Created)
	assert.Zero(t, rec.Counts().Writes, "no write in the recovery region")
	assert.Equal(t, before, rec.Snapshot("drill"))
}

// TestFleetLocks: a region whose lock another run holds stops the whole
// run before any write, and the locks taken are released.
func TestFleetLocks(t *testing.T) {
	t.Parallel()
	m := twoRegionWebApp("locked")
	fl, fakes := fakeFleet(t, nil)
	lease, err := provider.NewEngine(fakes[primaryRegion], fastOpts).Lock(t.Context(), "locked")
	require.NoError(t, err)

	_, err = fl.Apply(t.Context(), m)
	require.ErrorIs(t, err, provider.ErrLocked)
	var re *provider.RegionError
	require.True(t, errors.As(err, &re))
	assert.Equal(t, primaryRegion, re.Region)
	for r, d := range fakes {
		assert.Empty(t, d.Resources(), "written in %s", r)
	}
	assert.Empty(t, fakes[recoveryRegion].Locks(), "the recovery region's lock (taken first: eu-west-1 < eu-west-3) is released")
	require.NoError(t, lease.Release(t.Context()))

	_, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)
}

// TestFleetRefusals: a region without a driver, a driver of another region
// and an invalid deployment are refused before any call.
func TestFleetRefusals(t *testing.T) {
	t.Parallel()
	fl, fakes := fakeFleet(t, nil)
	m := twoRegionWebApp("shop").Recovery("us-east-1", pattern.PilotLight)
	_, err := fl.Apply(t.Context(), m)
	require.ErrorContains(t, err, `region "us-east-1" has no driver`)
	for _, d := range fakes {
		assert.Empty(t, d.Calls())
	}
	_, err = provider.NewFleet(nil)
	require.Error(t, err)
	_, err = provider.NewFleet(map[string]driver.Driver{"eu-west-1": nil})
	require.ErrorContains(t, err, "nil driver")
	_, err = fl.Apply(t.Context(), pattern.Regions("shop", "10.0.0.0/8", nil).Primary("eu-west-3"))
	require.ErrorIs(t, err, pattern.ErrInvalid)
}

func netOf(t *testing.T, d *fake.Driver, id string) netip.Prefix {
	t.Helper()
	for _, o := range d.Resources() {
		if o.LogicalID == id {
			return o.Resource.Net.CIDR
		}
	}
	t.Fatalf("no %s", id)
	return netip.Prefix{}
}

// TestPilotLightWithoutEmptyClusters: on a cloud that cannot hold a
// cluster of 0 nodes (OUTSCALE's rule, kept by the fake), a pilot light's
// clusters are refused with the fix, or left out with a notice under
// AllowFallback; the fake refuses one sent anyway.
func TestPilotLightWithoutEmptyClusters(t *testing.T) {
	t.Parallel()
	m := pattern.Regions("pilot", "10.0.0.0/8", func(string) *pattern.Architecture {
		return pattern.WebApp(pattern.WebAppOptions{Name: "pilot"})
	}).Primary(primaryRegion).Recovery(recoveryRegion, pattern.PilotLight)
	d := newFake(fake.Outscale, func(o *fake.Options) { o.Unsupported = nil })
	eng := provider.NewEngine(d, fastOpts)
	bps, err := m.Build()
	require.NoError(t, err)

	_, err = eng.Plan(t.Context(), bps[recoveryRegion])
	require.ErrorIs(t, err, driver.ErrUnsupported)
	assert.ErrorContains(t, err, "cluster/app: a cluster of 0 nodes")
	assert.ErrorContains(t, err, "set AllowFallback")

	eng = provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.AllowFallback = true })
	cs, err := eng.Plan(t.Context(), bps[recoveryRegion])
	require.NoError(t, err)
	_, planned := cs.Change("cluster/app")
	assert.False(t, planned)
	assert.Contains(t, strings.Join(cs.Notices, "\n"), "cluster/app: left out: 0 nodes")

	c, _ := bps[recoveryRegion].Resource("cluster/app")
	c = c.Clone()
	c.Cluster.Scaling = nil
	_, err = d.Create(t.Context(), driver.Request{Deployment: "pilot", Resource: c})
	require.Equal(t, driver.Invalid, driver.CodeOf(err), "%v", err)
}

// TestFleetLinkNeedsAccount: fakes made by fake.New are regions of
// accounts of their own, which have no other region to peer with: a
// linked deployment is refused by the preflight, naming the field and the
// fix, before any write in either region.
func TestFleetLinkNeedsAccount(t *testing.T) {
	t.Parallel()
	fl, fakes := fakeFleet(t, nil)
	m := twoRegionWebApp("linked").Link(primaryRegion, recoveryRegion).Flow("app@" + primaryRegion + " -> db@" + recoveryRegion + " tcp/3306")
	_, err := fl.Apply(t.Context(), m)
	require.ErrorIs(t, err, driver.ErrInvalid)
	assert.ErrorContains(t, err, "net_peering/eu-west-3-eu-west-1: net_peering.peer_region")
	assert.ErrorContains(t, err, "fake.NewAccount")
	for r, d := range fakes {
		assert.Zero(t, d.Counts().Writes, "written in %s", r)
	}
}

// fallbackImageCopies returns the image copies of bp that only database
// fallback clusters start from.
func fallbackImageCopies(bp *blueprint.Blueprint) []string {
	used, fallback := map[string]bool{}, map[string]bool{}
	for _, r := range bp.Resources {
		if r.Cluster != nil && r.Cluster.ImageCopy != "" {
			used[string(r.Cluster.ImageCopy)] = true
		}
		if r.Database != nil && r.Database.Fallback != nil && r.Database.Fallback.ImageCopy != "" {
			fallback[string(r.Database.Fallback.ImageCopy)] = true
		}
	}
	var out []string
	for id := range fallback {
		if !used[id] {
			out = append(out, id)
		}
	}
	return out
}

// TestFleetPromoteReplica: the recovery region's database is a
// cross-region read replica of the primary's; MultiRegion.Promote makes
// the next apply promote it in place (an update of replica_of, the same
// instance, nothing deleted), and a re-apply then writes nothing. Going
// back to a replica is a replace, which the engine refuses without the
// caller's opt-in.
func TestFleetPromoteReplica(t *testing.T) {
	t.Parallel()
	m := twoRegionWebApp("promote")
	bps, err := m.Build()
	require.NoError(t, err)
	db, ok := bps[recoveryRegion].Resource("database/db")
	require.True(t, ok)
	require.Equal(t, &blueprint.DatabaseSource{Region: primaryRegion, Database: "database/db"}, db.Database.ReplicaOf)
	primaryDB, _ := bps[primaryRegion].Resource("database/db")
	assert.Nil(t, primaryDB.Database.ReplicaOf, "the primary's database is its own")

	fl, fakes := fakeFleet(t, nil)
	_, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)
	before := dbOf(t, fakes[recoveryRegion])
	require.NotNil(t, before.Resource.Database.ReplicaOf)

	m.Promote(recoveryRegion)
	plan, err := fl.Plan(t.Context(), m)
	require.NoError(t, err)
	assert.Equal(t, 1, plan.Region(recoveryRegion).Counts()[provider.ActionUpdate])
	ch, ok := plan.Region(recoveryRegion).Change("database/db")
	require.True(t, ok)
	require.Len(t, ch.Diffs, 1)
	assert.Equal(t, "replica_of", ch.Diffs[0].Field)
	assert.False(t, plan.Region(primaryRegion).HasChanges())
	_, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)
	after := dbOf(t, fakes[recoveryRegion])
	assert.Equal(t, before.ID, after.ID, "promoted in place")
	assert.Nil(t, after.Resource.Database.ReplicaOf)
	res, err := fl.Apply(t.Context(), m)
	require.NoError(t, err)
	assert.Zero(t, res.Total().WriteCalls)

	back := twoRegionWebApp("promote")
	_, err = fl.Apply(t.Context(), back)
	require.Error(t, err, "a database is never turned back into a replica without the caller's opt-in")
	assert.Contains(t, err.Error(), "database/db")
	require.Error(t, twoRegionWebApp("promote").Promote(primaryRegion).Validate(), "the primary is no recovery region")
}

// dbOf returns the one database of d.
// TestFleetProtectedWritesNowhere: a change in one region that would
// lose data (the promoted database turned back into a replica) refuses
// the whole Fleet run before any write: the primary region's own change
// (a new instance type) waits, as ErrProtected promises ("nothing was
// written"). Before, the primary region's cluster was updated while the
// recovery region refused.
func TestFleetProtectedWritesNowhere(t *testing.T) {
	t.Parallel()
	m := twoRegionWebApp("promote")
	fl, fakes := fakeFleet(t, nil)
	_, err := fl.Apply(t.Context(), m)
	require.NoError(t, err)
	_, err = fl.Apply(t.Context(), m.Promote(recoveryRegion))
	require.NoError(t, err)
	back := pattern.Regions("promote", "10.0.0.0/8", func(r string) *pattern.Architecture {
		o := pattern.WebAppOptions{Name: "promote"}
		if r == primaryRegion {
			o.InstanceType = "t3.large"
		}
		return pattern.WebApp(o)
	}).Primary(primaryRegion).Recovery(recoveryRegion, pattern.WarmStandby)
	for _, d := range fakes {
		d.ResetCalls()
	}
	_, err = fl.Apply(t.Context(), back)
	require.ErrorIs(t, err, provider.ErrProtected)
	var re *provider.RegionError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, recoveryRegion, re.Region)
	for r, d := range fakes {
		assert.Zero(t, d.Counts().Writes, "writes in %s", r)
	}
	_, err = fl.Apply(t.Context(), back, func(o *provider.ApplyOptions) { o.DryRun = true })
	require.ErrorIs(t, err, provider.ErrProtected, "a dry run reports the refusal too")
}

// TestFleetDestroyProtectedWritesNowhere: a Fleet destroy that would
// lose data the caller did not allow in one region (the primary's managed
// cache) deletes nothing in any region and takes no lock; before, the
// recovery region, whose database the caller allowed, was destroyed while
// the primary refused.
func TestFleetDestroyProtectedWritesNowhere(t *testing.T) {
	t.Parallel()
	m := pattern.Regions("cached", "10.0.0.0/8", func(r string) *pattern.Architecture {
		a := pattern.WebApp(pattern.WebAppOptions{Name: "cached"})
		if r == primaryRegion {
			a.AddTier(tier.Tier{Name: "cache", Exposure: netplan.Isolated, Zones: []string{"a", "b"}}).
				AddCache(tier.NewCache("cache", tier.CacheRedis, "cache.t4g.small"))
		}
		return a
	}).Primary(primaryRegion).Recovery(recoveryRegion, pattern.WarmStandby)
	fl, fakes := fakeFleet(t, nil)
	_, err := fl.Apply(t.Context(), m)
	require.NoError(t, err)
	for _, d := range fakes {
		d.ResetCalls()
	}
	_, err = fl.Destroy(t.Context(), "cached", func(o *provider.DestroyOptions) { o.AllowDataLoss = []string{"database/db"} })
	require.ErrorIs(t, err, provider.ErrProtected)
	assert.Contains(t, err.Error(), "cache/cache")
	for r, d := range fakes {
		assert.Zero(t, d.Counts().Writes, "writes in %s", r)
	}
	_, err = fl.Destroy(t.Context(), "cached", func(o *provider.DestroyOptions) { o.AllowDataLoss = []string{"database/db", "cache/cache"} })
	require.NoError(t, err)
}

func dbOf(t *testing.T, d *fake.Driver) driver.Observed {
	t.Helper()
	obs, err := d.List(t.Context(), driver.Query{Deployment: "promote", Kind: blueprint.KindDatabase})
	require.NoError(t, err)
	require.Len(t, obs, 1)
	return obs[0]
}

// TestFleetTotalPrints: a Fleet's total prints as one summary line with
// the verb of its regions' runs, and a nil FleetResult's total is empty,
// not nil.
func TestFleetTotalPrints(t *testing.T) {
	t.Parallel()
	fl, _ := accountFleet(t)
	m := twoRegionWebApp("total")
	res, err := fl.Apply(t.Context(), m)
	require.NoError(t, err)
	total := res.Total()
	assert.Regexp(t, `^Apply complete: \d+ created, 0 updated, 0 replaced, 0 deleted in `, fmt.Sprint(total))
	assert.Equal(t, res.Region(primaryRegion).Created+res.Region(recoveryRegion).Created, total.Created)

	bps, err := m.Build()
	require.NoError(t, err)
	res, err = fl.Destroy(t.Context(), "total", allowStateful(bps[primaryRegion]), allowStateful(bps[recoveryRegion]))
	require.NoError(t, err)
	assert.Regexp(t, `^Destroy complete: 0 created, 0 updated, 0 replaced, \d+ deleted in `, fmt.Sprint(res.Total()))

	var none *provider.FleetResult
	assert.Equal(t, 0, none.Total().Created)
}
