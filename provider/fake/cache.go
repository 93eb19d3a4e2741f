package fake

import (
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateCache checks a managed cache the way ElastiCache does (its
// engine, version, node type, nodes, failover and snapshots:
// blueprint.Resource.Check): a cache subnet group of one Net, over two
// zones or more when Multi-AZ (a replica in another zone than the
// primary), security groups of that Net; an update keeps ElastiCache's
// rules of ModifyReplicationGroup, ModifyCacheCluster and
// ModifyCacheSubnetGroup (inplace.ElastiCache).
func (d *Driver) validateCache(op string, e, old *entry) error {
	s := e.res.Cache
	minZones := 1
	if s.MultiAZ {
		minZones = 2
	}
	net, err := d.checkSubnets(op, e, "cache.subnets", s.Subnets, minZones)
	if err != nil {
		return err
	}
	if err := d.checkGroups(op, e, "cache.security_groups", s.SecurityGroups, net); err != nil {
		return err
	}
	if old == nil {
		return nil
	}
	if why := d.Replaces(old.res, e.res); len(why) > 0 {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "%v; replace the cache instead", why)
	}
	return nil
}

// cacheZones returns the zones the nodes of cache s run in: one node per
// zone of its subnets in turn, the primary in the first, as ElastiCache
// places them when no zone is preferred.
func (d *Driver) cacheZones(s *blueprint.CacheSpec) []string {
	var zones []string
	seen := map[string]bool{}
	for _, sn := range s.Subnets {
		if z := d.zoneOf(sn); z != "" && !seen[z] {
			seen[z] = true
			zones = append(zones, z)
		}
	}
	if len(zones) == 0 {
		return nil
	}
	out := make([]string, s.Nodes)
	for i := range out {
		out[i] = zones[i%len(zones)]
	}
	return out
}

// CacheZones returns the zone of each node of the cache id, the
// primary's first (a Redis replication group's member clusters, or a
// Memcached cluster's nodes), as DescribeReplicationGroups would show
// them; nil when id is no cache.
func (d *Driver) CacheZones(id string) []string {
	if !d.usable() {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.res[id]
	if !ok || e.kind != blueprint.KindCache {
		return nil
	}
	return d.cacheZones(e.res.Cache)
}
