package pattern_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// The elastic platform's cache is a managed Redis over the three zones,
// with automatic failover across zones, encrypted, reachable on 6379 from
// the application tier only; on AWS it opens no peer port, and it carries
// the cluster of VMs a cloud without ElastiCache builds instead.
func TestElasticManagedCache(t *testing.T) {
	t.Parallel()
	a := pattern.Elastic(pattern.ElasticOptions{Profile: netplan.AWS})
	bp := build(t, a)
	c := res(t, bp, "cache/cache").Cache
	assert.Equal(t, "redis", c.Engine)
	assert.Equal(t, 3, c.Nodes, "one node per zone")
	assert.True(t, c.AutomaticFailover)
	assert.True(t, c.MultiAZ)
	assert.True(t, c.Encrypted)
	assert.Equal(t, 7, c.SnapshotRetentionDays)
	assert.Equal(t, uint16(6379), c.Port)
	assert.Equal(t, []blueprint.Ref{"security_group/cache"}, c.SecurityGroups)
	assert.Len(t, c.Subnets, 3)
	require.NotNil(t, c.Fallback)
	assert.False(t, c.Fallback.Stateless, "a Redis cluster keeps data")
	assert.Equal(t, 3, c.Fallback.Desired)
	cr := res(t, bp, "cache/cache")
	assert.True(t, cr.IsStateful())
	for _, r := range bp.OfKind(blueprint.KindCluster) {
		assert.NotEqual(t, "cache", r.Cluster.Tier, "no cluster beside the managed cache")
	}
	assert.Equal(t, []blueprint.RuleSpec{{Protocol: "tcp", FromPort: 6379, ToPort: 6379, Group: "security_group/app"}},
		stripDesc(sgRules(t, bp, "cache").Inbound), "6379 from the application's group only: no peer rules on AWS")
	r := rules(t, a)
	assert.True(t, reach(r, netplan.Tier("app"), "cache", 6379))
	assert.False(t, reach(r, netplan.Tier("web"), "cache", 6379))
	assert.False(t, reach(r, netplan.Internet(), "cache", 6379))
	assert.NotContains(t, findingIDs(bp), "PT016 tiers[cache]", "a managed cache is the tier's service")
	rep, err := a.Availability(0.99, 0.9999)
	require.NoError(t, err)
	assert.Contains(t, rep.Path, "cache", "the cache is on the request path")
	for _, ta := range rep.Tiers {
		if ta.Tier == "cache" {
			assert.Equal(t, []int{3, 3}, []int{ta.Nodes, ta.Zones}, "three nodes over three zones")
		}
	}

	// Elsewhere the fallback's nodes reach each other on Redis's peer ports.
	osc := build(t, pattern.Elastic(pattern.ElasticOptions{Profile: netplan.Outscale, Zones: []string{"a", "b"}}))
	assert.Len(t, sgRules(t, osc, "cache").Inbound, 4, "6379 from app, and 6379, 16379, 26379 between the cache's nodes")

	mc := build(t, pattern.Elastic(pattern.ElasticOptions{Profile: netplan.AWS, Cache: pattern.CacheMemcached}))
	m := res(t, mc, "cache/cache")
	assert.Equal(t, "memcached", m.Cache.Engine)
	assert.Equal(t, uint16(11211), m.Cache.Port)
	assert.False(t, m.IsStateful(), "Memcached keeps nothing")
	assert.True(t, m.Cache.Fallback.Stateless, "its fallback is stateless too")
}

// A cache is declared like a database: checked at its fields, one service
// per tier, ports derived from its engine, lint on its availability.
func TestCacheDeclaration(t *testing.T) {
	t.Parallel()
	base := func() *pattern.Architecture {
		a := pattern.New("shop", "10.0.0.0/16").WithZones("a", "b")
		app := tier.App("app")
		app.Exposure = netplan.Isolated
		store := tier.Tier{Name: "store", Role: tier.RoleCache} // no ports: the cache's
		a.AddTier(app, store).Connect("app", "store")
		a.AddCluster(tier.NewCluster("app", "ami-1", "t3.micro"))
		return a
	}
	a := base().AddCache(tier.NewCache("store", tier.CacheRedis, "cache.t4g.small"))
	bp := build(t, a)
	assert.Equal(t, []blueprint.RuleSpec{{Protocol: "tcp", FromPort: 6379, ToPort: 6379, Group: "security_group/app"}},
		stripDesc(sgRules(t, bp, "store").Inbound), "the port comes from the engine")

	single := tier.NewCache("store", tier.CacheRedis, "cache.t4g.small")
	single.Nodes, single.AutomaticFailover, single.MultiAZ, single.Encrypted = 1, false, false, false
	ids := findingIDs(build(t, base().AddCache(single)))
	assert.Contains(t, ids, "PT030 caches[store]")
	assert.Contains(t, ids, "PT031 caches[store]")

	for name, tc := range map[string]struct {
		edit  func(a *pattern.Architecture)
		field string
	}{
		"no such tier":  {func(a *pattern.Architecture) { a.AddCache(tier.NewCache("nope", tier.CacheRedis, "cache.t4g.small")) }, "caches[0].tier"},
		"bad node type": {func(a *pattern.Architecture) { a.AddCache(tier.NewCache("store", tier.CacheRedis, "t3.micro")) }, "cache[store].node_type"},
		"two in a tier": {func(a *pattern.Architecture) {
			c := tier.NewCache("store", tier.CacheRedis, "cache.t4g.small")
			a.AddCache(c, c)
		}, "caches[1].tier"},
		"beside cluster": {func(a *pattern.Architecture) { a.AddCache(tier.NewCache("app", tier.CacheRedis, "cache.t4g.small")) }, "caches[0].tier"},
		"multi-az in one zone": {func(a *pattern.Architecture) {
			a.Tier("store").Zones = []string{"a"}
			a.AddCache(tier.NewCache("store", tier.CacheRedis, "cache.t4g.small"))
		}, "caches[0].multi_az"},
		"port not listened": {func(a *pattern.Architecture) {
			a.Tier("store").Ports = []tier.Port{tier.TCP(6380)}
			a.AddCache(tier.NewCache("store", tier.CacheRedis, "cache.t4g.small"))
		}, "caches[0].port"},
	} {
		a := base()
		tc.edit(a)
		_, err := a.Build()
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), tc.field, name)
	}
}
