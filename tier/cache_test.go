package tier_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/tier"
)

func TestNewCacheIsSecure(t *testing.T) {
	t.Parallel()
	r := tier.NewCache("cache", tier.CacheRedis, "cache.t4g.small")
	require.NoError(t, r.Validate())
	assert.Equal(t, 2, r.Nodes)
	assert.True(t, r.AutomaticFailover && r.MultiAZ && r.Encrypted)
	assert.Equal(t, 7, r.SnapshotRetentionDays)
	assert.Equal(t, uint16(6379), r.ListenPort())
	assert.True(t, r.IsStateful())

	m := tier.NewCache("cache", tier.CacheMemcached, "cache.t4g.small")
	require.NoError(t, m.Validate())
	assert.False(t, m.AutomaticFailover || m.MultiAZ)
	assert.True(t, m.Encrypted)
	assert.Equal(t, uint16(11211), m.ListenPort())
	assert.False(t, m.IsStateful())
}

func TestCacheValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		edit  func(c *tier.Cache)
		field string
	}{
		{"no tier", func(c *tier.Cache) { c.Tier = "" }, "cache.tier"},
		{"engine", func(c *tier.Cache) { c.Engine = "valkey" }, "cache[cache].engine"},
		{"node type", func(c *tier.Cache) { c.NodeType = "db.t3.micro" }, "cache[cache].node_type"},
		{"seven nodes", func(c *tier.Cache) { c.Nodes = 7 }, "cache[cache].nodes"},
		{"failover alone", func(c *tier.Cache) { c.Nodes, c.MultiAZ = 1, false }, "cache[cache].automatic_failover"},
		{"multi-az without failover", func(c *tier.Cache) { c.AutomaticFailover = false }, "cache[cache].multi_az"},
		{"snapshots", func(c *tier.Cache) { c.SnapshotRetentionDays = 40 }, "cache[cache].snapshot_retention_days"},
		{"version", func(c *tier.Cache) { c.Version = "7.x" }, "cache[cache].version"},
		{"memcached failover", func(c *tier.Cache) { c.Engine = tier.CacheMemcached }, "cache[cache].automatic_failover"},
		{"fallback", func(c *tier.Cache) { c.FallbackToCluster = true }, "cache[cache].fallback"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := tier.NewCache("cache", tier.CacheRedis, "cache.t4g.small")
			tc.edit(&c)
			err := c.Validate()
			require.Error(t, err)
			assert.True(t, errors.Is(err, tier.ErrInvalid))
			assert.Contains(t, err.Error(), tc.field)
		})
	}
}
