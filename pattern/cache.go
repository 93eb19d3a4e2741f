package pattern

import (
	"fmt"
	"slices"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// AddCache adds managed caches (AWS ElastiCache), one per tier.
//
// The cache listens on its engine's port (6379, 11211) or Port; a tier
// declared without Ports listens on it, so a flow to the tier without
// ports ("app -> cache", Connect) opens exactly that port, from exactly the
// tiers that declare a flow to it.
func (a *Architecture) AddCache(cs ...tier.Cache) *Architecture {
	if a == nil {
		return nil
	}
	a.Caches = append(a.Caches, cs...)
	return a
}

// Cache returns a pointer to the managed cache of tier name, or nil.
func (a *Architecture) Cache(tierName string) *tier.Cache {
	if a == nil {
		return nil
	}
	for i := range a.Caches {
		if a.Caches[i].Tier == tierName {
			return &a.Caches[i]
		}
	}
	return nil
}

// validateCaches checks each managed cache and its tier: one service per
// tier (no cluster or database beside it), and a tier that listens on
// the cache's port when it lists ports.
func (d *design) validateCaches() []error {
	var errs []error
	for i := range d.arch.Caches {
		c := &d.arch.Caches[i]
		f := fmt.Sprintf("caches[%d]", i)
		_, other := d.clusters[c.Tier]
		if _, db := d.dbs[c.Tier]; db {
			other = true
		}
		errs = append(errs, d.validateService(f, c.Validate(), c.Tier, "cache", d.caches[c.Tier] != nil)...)
		if other {
			errs = append(errs, errf(f+".tier", c.Tier, "a cache and another service share the tier's subnets", "one service per subnet: give the cache a tier of its own"))
		}
		d.caches[c.Tier] = c
		t := d.tiers[c.Tier]
		if t == nil {
			continue
		}
		if n := len(d.arch.tierZones(t)); c.MultiAZ && n < 2 {
			errs = append(errs, errf(f+".multi_az", "true", fmt.Sprintf("tier %s has subnets in %d zone: no other zone to fail over to", c.Tier, n),
				"list two zones or more for the tier, or turn MultiAZ off"))
		}
		if len(t.Ports) == 0 || c.ListenPort() == 0 {
			continue
		}
		if !listens(t.Ports, netplan.ProtocolTCP, netplan.Port(c.ListenPort())) {
			errs = append(errs, errf(f+".port", fmt.Sprint(c.ListenPort()), fmt.Sprintf("tier %s listens on %s: its flows would open ports the cache does not answer on", c.Tier, portList(t.Ports)),
				fmt.Sprintf("add tcp/%d to the tier's Ports, or set the cache's Port to one of them", c.ListenPort())))
		}
	}
	return errs
}

// listenPorts returns the ports tier t listens on: its Ports, or, when it
// lists none, its managed cache's port or its broker's ports.
func (d *design) listenPorts(t *tier.Tier) []tier.Port {
	if len(t.Ports) > 0 {
		return t.Ports
	}
	if c := d.caches[t.Name]; c != nil && c.ListenPort() != 0 {
		return []tier.Port{tier.TCP(c.ListenPort()).Named(string(c.Engine))}
	}
	if d.brokers[t.Name] != nil {
		return d.brokerPorts()
	}
	return nil
}

// caches adds the managed caches with their fallback clusters.
func (b *bpBuilder) caches() {
	for i := range b.d.arch.Caches {
		c := &b.d.arch.Caches[i]
		spec := &blueprint.CacheSpec{Engine: string(c.Engine), EngineVersion: c.Version, NodeType: c.NodeType, Nodes: c.Nodes,
			AutomaticFailover: c.AutomaticFailover, MultiAZ: c.MultiAZ, Encrypted: c.Encrypted, SnapshotRetentionDays: c.SnapshotRetentionDays,
			Port: c.ListenPort(), Subnets: slices.Clone(b.subnets[c.Tier]),
			SecurityGroups: []blueprint.Ref{blueprint.Ref(id(blueprint.KindSecurityGroup, c.Tier))}}
		if c.FallbackToCluster {
			fb := c.Fallback
			fb.Tier = c.Tier
			fb.Stateless = !c.IsStateful()
			fb.Scaling = nil // a cache cluster keeps its size
			spec.Fallback = b.d.clusterSpec(&fb, b.subnets[c.Tier])
		}
		b.add(blueprint.Resource{ID: id(blueprint.KindCache, c.Tier), Kind: blueprint.KindCache, Cache: spec})
	}
}

// lintCaches judges each managed cache by the elastic platform
// document's availability and security practices.
func (d *design) lintCaches() []netplan.Finding {
	var fs []netplan.Finding
	for i := range d.arch.Caches {
		c := &d.arch.Caches[i]
		t := d.tiers[c.Tier]
		if t == nil {
			continue
		}
		subj := "caches[" + c.Tier + "]"
		if t.Exposure == netplan.Public {
			fs = append(fs, finding("PT002", subj, "cache in public tier "+c.Tier, "set the tier's Exposure to netplan.Isolated"))
		}
		if c.Engine == tier.CacheRedis && (!c.AutomaticFailover || !c.MultiAZ) {
			fs = append(fs, finding("PT030", subj, fmt.Sprintf("Redis with %d node(s), automatic failover %t, Multi-AZ %t: the cache is lost with its primary's node or zone", c.Nodes, c.AutomaticFailover, c.MultiAZ),
				"use 2 nodes or more with AutomaticFailover and MultiAZ (tier.NewCache sets them)"))
		}
		if !c.Encrypted {
			fs = append(fs, finding("PT031", subj, "cache not encrypted in transit and at rest", "set Encrypted"))
		}
	}
	return fs
}

// cacheText describes c in a diagram: "managed Redis 3 × cache.t4g.medium,
// automatic failover, Multi-AZ".
func cacheText(c *tier.Cache) string {
	name := "Redis"
	if c.Engine == tier.CacheMemcached {
		name = "Memcached"
	}
	s := fmt.Sprintf("managed %s %d × %s", name, c.Nodes, c.NodeType)
	if c.AutomaticFailover {
		s += ", automatic failover"
	}
	if c.MultiAZ {
		s += ", Multi-AZ"
	}
	return s
}

// cacheAvailability is the availability of managed cache c in a tier of
// zs zones: a Redis cache without automatic failover is its primary; with
// it, any of its nodes, in one zone or, Multi-AZ, spread over the zones; a
// Memcached cache's nodes are spread over the zones.
func cacheAvailability(c *tier.Cache, zs int, node, zone Availability) TierAvailability {
	n, z := max(c.Nodes, 1), zs
	switch {
	case c.Engine == tier.CacheRedis && !c.AutomaticFailover:
		n, z = 1, 1
	case c.Engine == tier.CacheRedis && !c.MultiAZ:
		z = 1
	}
	z = min(max(z, 1), n)
	return TierAvailability{Tier: c.Tier, Nodes: n, Zones: z, Availability: Spread(n, z, node, zone)}
}
