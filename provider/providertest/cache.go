package providertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// Gaps of the managed cache (AWS ElastiCache on moto 5.2).
const (
	// GapCacheValidation: CreateReplicationGroup takes what ElastiCache
	// refuses: automatic failover with a single node, Multi-AZ without
	// automatic failover, a node type that is no cache.<family>.<size>,
	// an engine version ElastiCache does not create. Build and the
	// engine's preflight refuse them before any call.
	GapCacheValidation = "cache-validation"
	// GapCacheModify: ModifyReplicationGroup (and IncreaseReplicaCount,
	// DecreaseReplicaCount, ModifyCacheSubnetGroup) are not implemented:
	// the backend answers HTTP 500, so no in-place change of a cache
	// is applied.
	GapCacheModify = "cache-modify"
	// GapCacheDelete: DeleteReplicationGroup leaves the group "deleting"
	// for ever and takes no final snapshot, and DeleteCacheSubnetGroup is
	// not implemented (HTTP 500): a deleted cache leaves its subnet group.
	GapCacheDelete = "cache-delete"
)

// cacheSpec is the suite's Redis: a primary and a replica over the app
// tier's two subnets, automatic failover across zones, encrypted.
func cacheSpec() *blueprint.CacheSpec {
	return &blueprint.CacheSpec{Engine: "redis", EngineVersion: "7.1", NodeType: "cache.t4g.small", Nodes: 2, AutomaticFailover: true, MultiAZ: true,
		Encrypted: true, SnapshotRetentionDays: 7, Port: 6379, Subnets: []blueprint.Ref{"subnet/app/a", "subnet/app/b"},
		SecurityGroups: []blueprint.Ref{"security_group/db"}}
}

// testCache checks a managed cache where the driver has one: refused
// values, create and read back, an idempotent create, an in-place change
// of the node type, a delete refused without LiftProtection (Redis holds
// data) and done with it. A driver without caches refuses the Create with
// ErrUnsupported.
func testCache(ctx context.Context, t *testing.T, s *suite) {
	dep := fmt.Sprintf("pt-cache-%s%d", runID, seq.Add(1))
	t.Cleanup(func() { s.destroyCaches(context.WithoutCancel(t.Context()), t, dep) })
	r := blueprint.Resource{ID: "cache/main", Kind: blueprint.KindCache, Cache: cacheSpec()}
	if !s.d.Capabilities().Supports(blueprint.KindCache) {
		if _, err := s.d.Create(ctx, Request(dep, r, nil)); !errors.Is(err, driver.ErrUnsupported) {
			t.Errorf("Create cache on %s, which has none: err = %v; want ErrUnsupported", s.d.Name(), err)
		}
		return
	}
	obs := deploy(ctx, t, s.d, dep, []blueprint.Kind{blueprint.KindNet, blueprint.KindSubnet, blueprint.KindSecurityGroup})
	ids := idsOf(obs)
	for _, bad := range []struct {
		what string
		edit func(c *blueprint.CacheSpec)
	}{
		{"automatic failover with one node", func(c *blueprint.CacheSpec) { c.Nodes, c.MultiAZ = 1, false }},
		{"Multi-AZ without automatic failover", func(c *blueprint.CacheSpec) { c.AutomaticFailover = false }},
		{"node type db.t3.micro", func(c *blueprint.CacheSpec) { c.NodeType = "db.t3.micro" }},
		{"engine version 2.8", func(c *blueprint.CacheSpec) { c.EngineVersion = "2.8" }},
	} {
		x := r.Clone()
		x.ID = "cache/bad"
		bad.edit(x.Cache)
		o, err := s.d.Create(ctx, Request(dep, x, ids))
		s.check(t, GapCacheValidation, wantInvalid("Create cache with "+bad.what, err))
		if err == nil {
			s.deleteCache(ctx, t, o)
		}
	}
	o, err := CreateRetry(ctx, s.d, Request(dep, r, ids))
	if err != nil {
		t.Fatalf("Create %s: %v", r.ID, err)
	}
	o = WaitReady(ctx, t, s.d, r.Kind, o.ID)
	checkObserved(t, dep, r, o, Resolve(r, ids), s.d.Capabilities().WriteOnly[r.Kind])
	if !o.Resource.IsStateful() {
		t.Errorf("%s: a Redis cache read back is not stateful", r.ID)
	}
	again, err := s.d.Create(ctx, Request(dep, r, ids))
	if err != nil || again.ID != o.ID {
		t.Errorf("Create %s again: %s, %v; want the same cache %s", r.ID, again.ID, err, o.ID)
	}
	s.cacheInPlace(ctx, t, dep, r, o, ids)
	if err := s.d.Delete(ctx, o, driver.DeleteOptions{}); err == nil {
		t.Errorf("Delete Redis cache %s without LiftProtection succeeded; want it refused", o.ID)
	}
	if _, err := s.d.Read(ctx, r.Kind, o.ID); err != nil {
		t.Errorf("Read cache %s after a refused Delete: %v; want it kept", o.ID, err)
	}
	s.deleteCache(ctx, t, o)
}

// cacheInPlace changes the cache's node type in place: the same cache
// reads back with the new type.
func (s *suite) cacheInPlace(ctx context.Context, t *testing.T, dep string, r blueprint.Resource, o driver.Observed, ids map[string]string) {
	t.Helper()
	if !slices.Contains(s.d.Capabilities().Mutable[blueprint.KindCache], "node_type") {
		t.Errorf("%s: node_type is not in Capabilities().Mutable; ElastiCache changes it in place (ModifyReplicationGroup)", s.d.Name())
		return
	}
	w := r.Clone()
	w.Cache.NodeType = "cache.t4g.medium"
	got, err := s.d.Update(ctx, Request(dep, w, ids), o)
	if err == nil {
		got = WaitReady(ctx, t, s.d, r.Kind, o.ID)
		if got.ID != o.ID || got.Resource.Cache == nil || got.Resource.Cache.NodeType != "cache.t4g.medium" {
			err = fmt.Errorf("update cache node type: read back %s %+v; want %s with cache.t4g.medium", got.ID, got.Resource.Cache, o.ID)
		}
	}
	s.check(t, GapCacheModify, err)
}

// deleteCache deletes o with LiftProtection and checks that it is gone;
// once only where the backend cannot delete a cache (GapCacheDelete: its
// error would be retried until MaxWait).
func (s *suite) deleteCache(ctx context.Context, t *testing.T, o driver.Observed) {
	t.Helper()
	var err error
	if slices.Contains(s.gaps, GapCacheDelete) {
		err = s.d.Delete(ctx, o, Teardown)
	} else {
		err = DeleteRetry(ctx, s.d, o)
	}
	if err == nil {
		err = WaitGone(ctx, s.d, blueprint.KindCache, o.ID)
	}
	s.check(t, GapCacheDelete, err)
}

// destroyCaches is the cache test's clean-up: Destroy, with the cache's
// subnet group excused where the backend cannot delete it
// (GapCacheDelete).
func (s *suite) destroyCaches(ctx context.Context, t *testing.T, dep string) {
	if slices.Contains(s.gaps, GapCacheDelete) {
		caches, _ := list(ctx, s.d, driver.Query{Deployment: dep, Kind: blueprint.KindCache})
		for _, o := range caches {
			t.Logf("known gap %q: cache %s left", GapCacheDelete, o.ID)
		}
		destroyExcept(ctx, t, s.d, dep, blueprint.KindCache)
		return
	}
	Destroy(ctx, t, s.d, dep)
}

// destroyExcept is Destroy without the resources of kind skip.
func destroyExcept(ctx context.Context, t *testing.T, d driver.Driver, dep string, skip blueprint.Kind) {
	for _, k := range slices.Backward(blueprint.Kinds) {
		if k == skip || !d.Capabilities().Supports(k) {
			continue
		}
		obs, err := list(ctx, d, driver.Query{Deployment: dep, Kind: k})
		if err != nil {
			t.Errorf("providertest: destroy %s: List %s: %v", dep, k, err)
			continue
		}
		for _, o := range obs {
			if err := DeleteRetry(ctx, d, o); err != nil {
				t.Errorf("providertest: destroy %s: Delete %s %s: %v", dep, k, o.ID, err)
			}
		}
	}
}

// wantInvalid describes err when it is not the refusal of an invalid
// cache or broker (Code Invalid), or nil.
func wantInvalid(what string, err error) error {
	switch {
	case err == nil:
		return fmt.Errorf("%s: accepted; want ErrInvalid", what)
	case !errors.Is(err, driver.ErrInvalid):
		return fmt.Errorf("%s: err = %v; want ErrInvalid", what, err)
	}
	return nil
}
