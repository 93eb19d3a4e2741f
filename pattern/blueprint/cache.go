package blueprint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/archkit/archkit/tier"
)

// CacheSpec is a managed cache (AWS ElastiCache) with its cache subnet
// group over the tier's subnets.
//
// Redis is a replication group of Nodes nodes in one shard (cluster mode
// disabled): a primary and Nodes-1 replicas, placed one per zone in turn;
// with AutomaticFailover a replica is promoted when the primary fails, and
// with MultiAZ the promotion crosses zones. Memcached is a cache cluster
// of Nodes nodes spread over the zones. Encrypted turns on encryption in
// transit and, for Redis, at rest.
//
// A Redis cache is stateful ([Resource.IsStateful]): the engine never
// deletes or replaces it without the caller's opt-in, and its driver takes
// a final snapshot when it goes. A Memcached cache is not.
type CacheSpec struct {
	Engine        string `json:"engine"` // redis, memcached
	EngineVersion string `json:"engine_version,omitempty"`
	NodeType      string `json:"node_type"`
	Nodes         int    `json:"nodes"`
	// AutomaticFailover and MultiAZ are Redis's.
	AutomaticFailover     bool   `json:"automatic_failover,omitempty"`
	MultiAZ               bool   `json:"multi_az,omitempty"`
	Encrypted             bool   `json:"encrypted"`
	SnapshotRetentionDays int    `json:"snapshot_retention_days,omitempty"`
	Port                  uint16 `json:"port"`
	Subnets               []Ref  `json:"subnets"`
	SecurityGroups        []Ref  `json:"security_groups"`
	// Fallback is the cluster of VMs to build instead on a provider
	// without managed caches, when the apply allows fallbacks.
	Fallback *ClusterSpec `json:"fallback,omitempty"`
}

// IsRedis reports whether s is a Redis replication group.
func (s *CacheSpec) IsRedis() bool { return s != nil && s.Engine == string(tier.CacheRedis) }

func (s *CacheSpec) stateful() bool { return s.Engine != string(tier.CacheMemcached) }

func (s *CacheSpec) refs() []*Ref {
	out := append(refsOf(s.Subnets), refsOf(s.SecurityGroups)...)
	if s.Fallback != nil {
		out = append(out, s.Fallback.refs()...)
	}
	return out
}

func (s *CacheSpec) clone() *CacheSpec {
	c := *s
	c.Subnets = slices.Clone(s.Subnets)
	c.SecurityGroups = slices.Clone(s.SecurityGroups)
	if s.Fallback != nil {
		c.Fallback = s.Fallback.clone()
	}
	return &c
}

func (s *CacheSpec) normalize() {
	slices.Sort(s.Subnets)
	slices.Sort(s.SecurityGroups)
	if s.Fallback != nil {
		s.Fallback.normalize()
	}
}

// FallbackCluster returns the cluster of VMs r becomes on a provider
// without its kind (a database's, a cache's or a broker's Fallback), or nil.
func (r *Resource) FallbackCluster() *ClusterSpec {
	switch {
	case r == nil:
		return nil
	case r.Database != nil:
		return r.Database.Fallback
	case r.Cache != nil:
		return r.Cache.Fallback
	case r.Broker != nil:
		return r.Broker.Fallback
	}
	return nil
}

// DropFallback clears r's fallback cluster: it tells the engine what to
// build on a cloud without the kind, and is nothing the cloud keeps.
func (r *Resource) DropFallback() {
	switch {
	case r == nil:
	case r.Database != nil:
		r.Database.Fallback = nil
	case r.Cache != nil:
		r.Cache.Fallback = nil
	case r.Broker != nil:
		r.Broker.Fallback = nil
	}
}

// Encryption floors of ElastiCache: encryption in transit and at rest
// need Redis 3.2.6, or 4.0.10 and later; encryption in transit needs
// Memcached 1.6.12 (ElastiCache User Guide, "In-transit encryption" and
// "At-rest encryption").
var encryptionFloor = map[string][]int{"redis": {4, 0, 10}, "memcached": {1, 6, 12}}

// CacheVersions are the engine version families ElastiCache creates
// ("major.minor"; a version names one, such as "7.1" or "6.2.6", or a
// major version alone, "7"): ElastiCache User Guide, "Supported engines
// and versions" (Redis OSS 4.0.10, 5.0.6, 6.0, 6.2, 7.0, 7.1; Memcached
// 1.4.5 to 1.6.22).
var CacheVersions = map[string][]string{
	"redis":     {"4.0", "5.0", "6.0", "6.2", "7.0", "7.1"},
	"memcached": {"1.4", "1.5", "1.6"},
}

// knownCacheVersion reports whether ElastiCache creates engine version v.
func knownCacheVersion(engine, v string) bool {
	families := CacheVersions[engine]
	parts := strings.Split(v, ".")
	if len(parts) == 1 {
		return slices.ContainsFunc(families, func(f string) bool { return strings.HasPrefix(f, v+".") })
	}
	return slices.Contains(families, parts[0]+"."+parts[1])
}

// cache checks the ElastiCache rules of CreateReplicationGroup and
// CreateCacheCluster (ElastiCache API reference): a known engine, a node
// type cache.<family>.<size>, 1 to 6 Redis nodes (a shard) or 1 to 60
// Memcached nodes, automatic failover with a replica and on a node type
// that has it (not T1), Multi-AZ with automatic failover and subnets in
// two zones, 0 to 35 days of snapshots (Redis only), a port, and an engine
// version ElastiCache creates ([CacheVersions]) that has encryption when
// it is asked.
func (ps *problems) cache(s *CacheSpec) {
	if s == nil {
		return
	}
	redis := s.Engine == string(tier.CacheRedis)
	if !redis && s.Engine != string(tier.CacheMemcached) {
		ps.add("cache.engine", strconv.Quote(s.Engine), "unknown engine", "use redis or memcached")
	}
	if err := tier.CheckCacheNodeType(s.NodeType); err != nil {
		ps.add("cache.node_type", strconv.Quote(s.NodeType), err.Error(), "give one like cache.t4g.small")
	}
	maxNodes := 60
	if redis {
		maxNodes = 6
	}
	if s.Nodes < 1 || s.Nodes > maxNodes {
		ps.add("cache.nodes", strconv.Itoa(s.Nodes), fmt.Sprintf("outside 1-%d", maxNodes), fmt.Sprintf("use 1 to %d nodes", maxNodes))
	}
	ps.cacheFailover(s, redis)
	if s.SnapshotRetentionDays < 0 || s.SnapshotRetentionDays > 35 || !redis && s.SnapshotRetentionDays != 0 {
		ps.add("cache.snapshot_retention_days", strconv.Itoa(s.SnapshotRetentionDays), "outside 0-35, or set on Memcached (no snapshots)", "use 0 to 35 days on Redis, 0 on Memcached")
	}
	if s.Port == 0 {
		ps.add("cache.port", "0", "no port", "use the engine's port, 6379 or 11211")
	}
	if len(s.Subnets) == 0 {
		ps.add("cache.subnets", "0", "a cache subnet group needs a subnet", "give one subnet in each zone of the tier")
	}
	if s.EngineVersion != "" && CacheVersions[s.Engine] != nil && !knownCacheVersion(s.Engine, s.EngineVersion) {
		ps.add("cache.engine_version", strconv.Quote(s.EngineVersion), "not a version ElastiCache creates",
			"use one of the "+s.Engine+" versions "+strings.Join(CacheVersions[s.Engine], ", ")+", or \"\" for the default")
	} else if s.EngineVersion != "" && s.Encrypted && versionBelow(s.EngineVersion, encryptionFloor[s.Engine]) {
		ps.add("cache.engine_version", strconv.Quote(s.EngineVersion), "no encryption in transit before "+s.Engine+" "+joinInts(encryptionFloor[s.Engine]),
			"use a later version (or \"\" for the cloud's default), or turn encryption off")
	}
	if s.Fallback != nil {
		ps.cluster("cache.fallback", s.Fallback)
	}
}

func (ps *problems) cacheFailover(s *CacheSpec, redis bool) {
	switch {
	case !redis && (s.AutomaticFailover || s.MultiAZ):
		ps.add("cache.automatic_failover", "true", "Memcached has no replicas to fail over to", "leave automatic_failover and multi_az off")
	case s.AutomaticFailover && s.Nodes < 2:
		ps.add("cache.automatic_failover", "true", fmt.Sprintf("%d node: automatic failover needs a replica (InvalidParameterCombination)", s.Nodes), "use 2 nodes or more")
	case s.AutomaticFailover && strings.HasPrefix(s.NodeType, "cache.t1."):
		ps.add("cache.node_type", strconv.Quote(s.NodeType), "T1 nodes have no automatic failover", "use a current node type such as cache.t4g.small")
	}
	if s.MultiAZ && !s.AutomaticFailover {
		ps.add("cache.multi_az", "true", "Multi-AZ needs automatic failover (InvalidParameterCombination)", "turn automatic_failover on")
	}
	if s.MultiAZ && len(s.Subnets) < 2 {
		ps.add("cache.subnets", strconv.Itoa(len(s.Subnets)), "Multi-AZ needs subnets in two zones", "give one subnet in each of two zones or more")
	}
}

// versionBelow reports whether v (digits and dots) is below floor;
// a v that does not parse is not below.
func versionBelow(v string, floor []int) bool {
	parts := strings.Split(v, ".")
	for i, f := range floor {
		if i >= len(parts) {
			return false // "7": a major version, every minor of it
		}
		n, err := strconv.Atoi(parts[i])
		if err != nil {
			return false
		}
		if n != f {
			return n < f
		}
	}
	return false
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ".")
}
