package tier

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// CacheEngine is a managed cache engine.
type CacheEngine string

// The engines a managed cache may use: the elastic platform document's "Redis
// ou Memcached".
const (
	CacheRedis     CacheEngine = "redis"
	CacheMemcached CacheEngine = "memcached"
)

// DefaultPort returns the engine's usual port: 6379 for Redis, 11211 for
// Memcached, 0 for an unknown engine.
func (e CacheEngine) DefaultPort() uint16 {
	switch e {
	case CacheRedis:
		return 6379
	case CacheMemcached:
		return 11211
	}
	return 0
}

// Cache is a managed cache (AWS ElastiCache) in the subnets of one tier.
//
// Redis is a replication group of Nodes nodes (a primary and Nodes-1
// read replicas, in one shard: ElastiCache's "cluster mode disabled"),
// placed over the tier's zones; with AutomaticFailover a replica takes
// over when the primary fails, and with MultiAZ the replicas are kept in
// other zones than the primary. Redis keeps data: archkit never deletes
// it without the caller's opt-in (AllowDataLoss), and a delete takes a
// final snapshot.
//
// Memcached is a cache cluster of Nodes nodes spread over the zones,
// which the clients hash keys over; it keeps nothing that a restart does
// not lose, so it is not protected.
//
// A cloud without a managed cache (OUTSCALE) builds Fallback instead when
// FallbackToCluster is set: a cluster of VMs in the tier, whose nodes reach
// each other on the tier's PeerPorts (tier.Redis: 6379, 16379 for the
// cluster bus, 26379 for Sentinel).
type Cache struct {
	Tier   string      `json:"tier"`
	Engine CacheEngine `json:"engine"`
	// Version is the engine version ("7.1", "1.6.22"); "" lets the cloud
	// choose its default.
	Version string `json:"version,omitempty"`
	// NodeType is the cloud's node type, such as cache.t4g.small.
	NodeType string `json:"node_type"`
	// Nodes is the number of nodes: Redis 1 to 6 (a primary and its
	// replicas), Memcached 1 to 60.
	Nodes int `json:"nodes"`
	// AutomaticFailover (Redis) promotes a replica when the primary
	// fails; it needs 2 nodes or more.
	AutomaticFailover bool `json:"automatic_failover,omitempty"`
	// MultiAZ (Redis) keeps the replicas in other zones than the primary
	// and fails over across zones; it needs AutomaticFailover.
	MultiAZ bool `json:"multi_az,omitempty"`
	// Encrypted turns on encryption in transit (TLS between clients and
	// nodes) and, for Redis, at rest (Memcached keeps nothing at rest).
	Encrypted bool `json:"encrypted"`
	// SnapshotRetentionDays (Redis) keeps daily automatic snapshots that
	// many days, 0 to 35; 0 turns them off.
	SnapshotRetentionDays int `json:"snapshot_retention_days,omitempty"`
	// Port is the listening port; 0 means the engine's default.
	Port uint16 `json:"port,omitempty"`
	// FallbackToCluster builds Fallback on a provider without managed
	// caches.
	FallbackToCluster bool    `json:"fallback_to_cluster,omitempty"`
	Fallback          Cluster `json:"fallback,omitzero"`
}

// NewCache returns a secure managed cache of nodeType in tier tierName.
// Redis: 2 nodes (a primary and a replica) with automatic failover across
// zones (Multi-AZ), encrypted in transit and at rest, daily snapshots kept
// 7 days. Memcached: 2 nodes, encrypted in transit.
func NewCache(tierName string, engine CacheEngine, nodeType string) Cache {
	c := Cache{Tier: tierName, Engine: engine, NodeType: nodeType, Nodes: 2, Encrypted: true}
	if engine == CacheRedis {
		c.AutomaticFailover, c.MultiAZ, c.SnapshotRetentionDays = true, true, 7
	}
	return c
}

// ListenPort returns Port, or the engine's default when Port is 0.
func (c Cache) ListenPort() uint16 {
	if c.Port != 0 {
		return c.Port
	}
	return c.Engine.DefaultPort()
}

// IsStateful reports whether the cache keeps data a delete loses: Redis
// does, Memcached does not.
func (c Cache) IsStateful() bool { return c.Engine != CacheMemcached }

// Validate checks c and reports every problem at once.
func (c Cache) Validate() error {
	var errs []error
	f := "cache[" + c.Tier + "]"
	if c.Tier == "" {
		errs = append(errs, fieldError("cache.tier", `""`, "empty tier", "name the tier the cache lives in"))
	}
	if err := CheckCacheNodeType(c.NodeType); err != nil {
		errs = append(errs, fieldError(f+".node_type", strconv.Quote(c.NodeType), err.Error(), "give a node type such as cache.t4g.small"))
	}
	switch c.Engine {
	case CacheRedis:
		errs = append(errs, c.validateRedis(f)...)
	case CacheMemcached:
		errs = append(errs, c.validateMemcached(f)...)
	default:
		errs = append(errs, fieldError(f+".engine", strconv.Quote(string(c.Engine)), "unknown engine", "use tier.CacheRedis or tier.CacheMemcached"))
	}
	if c.Version != "" && !isVersion(c.Version) {
		errs = append(errs, fieldError(f+".version", strconv.Quote(c.Version), "not a version", `use digits and dots such as "7.1", or "" for the cloud's default`))
	}
	if c.FallbackToCluster {
		fb := c.Fallback
		if fb.Tier == "" {
			fb.Tier = c.Tier
		}
		if err := fb.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s.fallback: %w", f, err))
		}
	}
	return errors.Join(errs...)
}

func (c Cache) validateRedis(f string) []error {
	var errs []error
	if c.Nodes < 1 || c.Nodes > 6 {
		errs = append(errs, fieldError(f+".nodes", strconv.Itoa(c.Nodes), "outside 1-6 (a primary and up to 5 replicas)", "use 2 to 6 nodes for failover"))
	}
	if c.AutomaticFailover && c.Nodes < 2 {
		errs = append(errs, fieldError(f+".automatic_failover", "true", fmt.Sprintf("%d node: no replica to fail over to", c.Nodes), "use 2 nodes or more, or turn automatic failover off"))
	}
	if c.MultiAZ && !c.AutomaticFailover {
		errs = append(errs, fieldError(f+".multi_az", "true", "Multi-AZ needs automatic failover", "turn AutomaticFailover on, or MultiAZ off"))
	}
	if c.SnapshotRetentionDays < 0 || c.SnapshotRetentionDays > 35 {
		errs = append(errs, fieldError(f+".snapshot_retention_days", strconv.Itoa(c.SnapshotRetentionDays), "outside 0-35 days", "use 1 to 35 days, or 0 for no automatic snapshots"))
	}
	return errs
}

func (c Cache) validateMemcached(f string) []error {
	var errs []error
	if c.Nodes < 1 || c.Nodes > 60 {
		errs = append(errs, fieldError(f+".nodes", strconv.Itoa(c.Nodes), "outside 1-60", "use 1 to 60 nodes"))
	}
	if c.AutomaticFailover || c.MultiAZ {
		errs = append(errs, fieldError(f+".automatic_failover", "true", "Memcached nodes do not replicate: nothing to fail over to", "leave AutomaticFailover and MultiAZ off (spread the nodes over the zones instead)"))
	}
	if c.SnapshotRetentionDays != 0 {
		errs = append(errs, fieldError(f+".snapshot_retention_days", strconv.Itoa(c.SnapshotRetentionDays), "Memcached has no snapshots", "leave it 0"))
	}
	return errs
}

// CheckCacheNodeType reports why ElastiCache would refuse t as a node
// type, or nil: "cache." then a family and a size, each of lowercase
// letters, digits and '-', such as cache.t4g.small or cache.r7g.xlarge
// (ElastiCache User Guide, "Supported node types"). Whether the region
// offers it is not checked.
func CheckCacheNodeType(t string) error { return checkTypeName("cache", t) }

// isVersion reports whether v is digits separated by single dots.
func isVersion(v string) bool {
	for p := range strings.SplitSeq(v, ".") {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}
