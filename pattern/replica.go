package pattern

import (
	"fmt"
	"slices"

	"github.com/archkit/archkit/tier"
)

// replicateDatabases makes each managed database of a, the architecture
// of a recovery region, a cross-region read replica of the primary's
// database of the same tier (blueprint.DatabaseSpec.ReplicaOf): the
// recovery region keeps the primary's data, as the pilot light and the
// warm standby ask. A database the primary lacks stays a database of its
// own.
func replicateDatabases(a, primary *Architecture, primaryRegion string) {
	for _, db := range a.Databases {
		if !slices.ContainsFunc(primary.Databases, func(p tier.Database) bool { return p.Tier == db.Tier }) {
			continue
		}
		if a.ReplicaSources == nil {
			a.ReplicaSources = map[string]string{}
		}
		a.ReplicaSources[db.Tier] = primaryRegion
	}
}

// Promote marks the databases of recovery region as promoted: no longer
// read replicas of the primary's but standalone databases, which take
// writes. The next apply promotes each replica in place (AWS
// PromoteReadReplica) and keeps its data; nothing is deleted. It is the
// data step of a failover, after which the region can be made the
// primary of a new deployment.
//
//	m.Promote("us-west-2")
//	res, err := fleet.Apply(ctx, m) // database/db: update replica_of -> (none)
//
// A promoted database cannot go back to being a replica in place: RDS has
// no such call, and the engine never replaces a database without the
// caller's opt-in.
func (m *MultiRegion) Promote(region string) *MultiRegion {
	if m == nil {
		return nil
	}
	i := slices.IndexFunc(m.regions, func(r Region) bool { return r.Name == region })
	if i <= 0 || m.regions[i].Posture == "" {
		m.errs = append(m.errs, errf("regions.promote", fmt.Sprintf("%q", region), "not a recovery region of the deployment",
			"promote a region declared with Recovery or AddRegion"))
		return m
	}
	m.regions[i].Promoted = true
	return m
}
