package blueprint_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
)

func redisSpec() *blueprint.CacheSpec {
	return &blueprint.CacheSpec{Engine: "redis", EngineVersion: "7.1", NodeType: "cache.t4g.small", Nodes: 2, AutomaticFailover: true, MultiAZ: true,
		Encrypted: true, SnapshotRetentionDays: 7, Port: 6379, Subnets: []blueprint.Ref{"subnet/cache/a", "subnet/cache/b"},
		SecurityGroups: []blueprint.Ref{"security_group/cache"}}
}

func TestCacheCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		edit   func(s *blueprint.CacheSpec)
		fields []string // the fields the problems name; none: valid
	}{
		{"secure redis", func(*blueprint.CacheSpec) {}, nil},
		{"memcached", func(s *blueprint.CacheSpec) {
			s.Engine, s.EngineVersion, s.AutomaticFailover, s.MultiAZ, s.SnapshotRetentionDays, s.Nodes, s.Port = "memcached", "1.6.22", false, false, 0, 3, 11211
		}, nil},
		{"unknown engine", func(s *blueprint.CacheSpec) { s.Engine = "valkey-ish" }, []string{"cache.engine"}},
		{"db class as node type", func(s *blueprint.CacheSpec) { s.NodeType = "db.t3.micro" }, []string{"cache.node_type"}},
		{"seven redis nodes", func(s *blueprint.CacheSpec) { s.Nodes = 7 }, []string{"cache.nodes"}},
		{"failover without replica", func(s *blueprint.CacheSpec) { s.Nodes, s.MultiAZ = 1, false }, []string{"cache.automatic_failover"}},
		{"multi-az without failover", func(s *blueprint.CacheSpec) { s.AutomaticFailover = false }, []string{"cache.multi_az"}},
		{"multi-az in one subnet", func(s *blueprint.CacheSpec) { s.Subnets = s.Subnets[:1] }, []string{"cache.subnets"}},
		{"t1 failover", func(s *blueprint.CacheSpec) { s.NodeType = "cache.t1.micro" }, []string{"cache.node_type"}},
		{"snapshots 36 days", func(s *blueprint.CacheSpec) { s.SnapshotRetentionDays = 36 }, []string{"cache.snapshot_retention_days"}},
		{"memcached failover and snapshots", func(s *blueprint.CacheSpec) { s.Engine = "memcached" }, []string{"cache.automatic_failover", "cache.snapshot_retention_days"}},
		{"encrypted old redis", func(s *blueprint.CacheSpec) { s.EngineVersion = "4.0.9" }, []string{"cache.engine_version"}},
		{"unknown redis version", func(s *blueprint.CacheSpec) { s.EngineVersion = "9.9" }, []string{"cache.engine_version"}},
		{"redis patch version", func(s *blueprint.CacheSpec) { s.EngineVersion = "6.2.6" }, nil},
		{"encrypted old memcached", func(s *blueprint.CacheSpec) {
			s.Engine, s.EngineVersion, s.AutomaticFailover, s.MultiAZ, s.SnapshotRetentionDays = "memcached", "1.6.6", false, false, 0
		}, []string{"cache.engine_version"}},
		{"major version only", func(s *blueprint.CacheSpec) { s.EngineVersion = "7" }, nil},
		{"no port", func(s *blueprint.CacheSpec) { s.Port = 0 }, []string{"cache.port"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := redisSpec()
			tc.edit(s)
			r := blueprint.Resource{ID: "cache/cache", Kind: blueprint.KindCache, Cache: s}
			err := r.Check()
			if len(tc.fields) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, blueprint.ErrInvalid))
			for _, f := range tc.fields {
				assert.Contains(t, err.Error(), f)
			}
		})
	}
}

func TestCacheFallbackAndClone(t *testing.T) {
	t.Parallel()
	s := redisSpec()
	s.Fallback = &blueprint.ClusterSpec{Tier: "cache", Subnets: []blueprint.Ref{"subnet/cache/a"}}
	r := blueprint.Resource{ID: "cache/cache", Kind: blueprint.KindCache, Cache: s}
	c := r.Clone()
	for _, p := range c.Refs() {
		*p = "changed"
	}
	assert.Equal(t, blueprint.Ref("subnet/cache/a"), r.Cache.Fallback.Subnets[0], "the clone is deep")
	assert.Same(t, r.Cache.Fallback, r.FallbackCluster())
	assert.Equal(t, []string{"security_group/cache", "subnet/cache/a", "subnet/cache/b"}, r.Dependencies())
	r.DropFallback()
	assert.Nil(t, r.Cache.Fallback)
	assert.Nil(t, (*blueprint.Resource)(nil).FallbackCluster())
}
