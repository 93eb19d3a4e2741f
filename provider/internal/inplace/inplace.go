// Package inplace holds the rules by which a cloud refuses an in-place
// change of a field it otherwise changes in place, shared by a driver and
// the fake that mimics its cloud (driver.Replacer).
package inplace

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/archkit/archkit/pattern/blueprint"
)

// RDS returns the fields of a database or read replica change that RDS
// cannot make in place although ModifyDBInstance changes the field:
//
//   - storage_gib smaller than it is: RDS grows allocated storage, never
//     shrinks it (ModifyDBInstance AllocatedStorage takes a value larger
//     than the current one);
//   - storage_gib grown by less than 10%: RDS rounds such a value up to
//     10% more (ModifyDBInstance AllocatedStorage, MySQL, MariaDB and
//     PostgreSQL), which the next plan would see as a shrink: the reason
//     names the smallest size to ask for;
//   - engine_version lower than it is: ModifyDBInstance EngineVersion
//     upgrades only.
//
// Other changes give nil.
func RDS(have, want blueprint.Resource) map[string]string {
	h, w := have.Database, want.Database
	if h == nil || w == nil {
		return nil
	}
	out := map[string]string{}
	switch least := MinStorageGrowth(h.StorageGiB); {
	case w.StorageGiB < h.StorageGiB:
		out["storage_gib"] = fmt.Sprintf("RDS cannot shrink storage (%d -> %d GiB)", h.StorageGiB, w.StorageGiB)
	case w.StorageGiB > h.StorageGiB && w.StorageGiB < least:
		out["storage_gib"] = fmt.Sprintf("RDS grows storage by 10%% at least (%d -> %d GiB); ask for %d GiB or more", h.StorageGiB, w.StorageGiB, least)
	}
	if h.EngineVersion != "" && w.EngineVersion != "" && CompareVersions(w.EngineVersion, h.EngineVersion) < 0 {
		out["engine_version"] = fmt.Sprintf("RDS cannot downgrade an engine (%s -> %s)", h.EngineVersion, w.EngineVersion)
	}
	if w.ReplicaOf != nil && (h.ReplicaOf == nil || *h.ReplicaOf != *w.ReplicaOf) {
		out["replica_of"] = "RDS promotes a read replica (PromoteReadReplica) but never turns a database into a replica of another"
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// MinStorageGrowth returns the smallest storage, in GiB, that RDS takes
// as a growth of have GiB without rounding it: 10% more, rounded up
// (20 -> 22, 100 -> 110).
func MinStorageGrowth(have int) int { return have + (have+9)/10 }

// VMCluster returns the fields of a cluster change that a cloud whose
// cluster is a set of VMs (OUTSCALE) cannot make in place for a stateful
// cluster: a VM never changes subnet, so dropping a subnet the cluster
// uses would delete the VMs in it, and their data. A stateless cluster
// replaces those VMs one by one in place of the cluster.
func VMCluster(have, want blueprint.Resource) map[string]string {
	h, w := have.Cluster, want.Cluster
	if h == nil || w == nil || w.Stateless {
		return nil
	}
	var gone []string
	for _, s := range h.Subnets {
		if !slices.Contains(w.Subnets, s) {
			gone = append(gone, string(s))
		}
	}
	if len(gone) == 0 {
		return nil
	}
	return map[string]string{"subnets": "a VM cannot change subnet; the stateful cluster's VMs in " + strings.Join(gone, ", ") + " would be deleted"}
}

// CompareVersions compares two dotted engine versions ("8.0.35",
// "16.2") number by number; a part that is not a number compares as
// text, and a version that is a prefix of the other is smaller.
func CompareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errx := strconv.Atoi(as[i])
		y, erry := strconv.Atoi(bs[i])
		switch {
		case errx == nil && erry == nil && x != y:
			if x < y {
				return -1
			}
			return 1
		case (errx != nil || erry != nil) && as[i] != bs[i]:
			return strings.Compare(as[i], bs[i])
		}
	}
	return len(as) - len(bs)
}

// Major returns the major version of an engine version as RDS counts
// it: the first number for PostgreSQL 10 and later ("16.2" -> "16"), the
// first two otherwise ("8.0.35" -> "8.0", "9.6.24" -> "9.6").
func Major(engine, version string) string {
	parts := strings.Split(version, ".")
	if n, err := strconv.Atoi(parts[0]); err == nil && engine == "postgres" && n >= 10 || len(parts) < 2 {
		return parts[0]
	}
	return parts[0] + "." + parts[1]
}

// ElastiCache returns the fields of a cache change that ElastiCache cannot
// make in place although its Modify calls change the field:
//
//   - engine_version lower than it is: ModifyReplicationGroup and
//     ModifyCacheCluster EngineVersion upgrade only;
//   - node_type of a Memcached cluster: ModifyCacheCluster has no node
//     type (a Memcached cluster scales by its number of nodes);
//   - subnets that leave the cache subnet group: a node may run in them
//     (ModifyCacheSubnetGroup refuses a subnet in use); adding subnets is
//     done in place.
//
// Other changes give nil.
func ElastiCache(have, want blueprint.Resource) map[string]string {
	h, w := have.Cache, want.Cache
	if h == nil || w == nil {
		return nil
	}
	out := map[string]string{}
	if h.EngineVersion != "" && w.EngineVersion != "" && CompareVersions(w.EngineVersion, h.EngineVersion) < 0 {
		out["engine_version"] = fmt.Sprintf("ElastiCache cannot downgrade an engine (%s -> %s)", h.EngineVersion, w.EngineVersion)
	}
	if !w.IsRedis() && h.NodeType != w.NodeType {
		out["node_type"] = fmt.Sprintf("a Memcached cluster cannot change node type (%s -> %s); change its number of nodes instead", h.NodeType, w.NodeType)
	}
	var gone []string
	for _, s := range h.Subnets {
		if !slices.Contains(w.Subnets, s) {
			gone = append(gone, string(s))
		}
	}
	if len(gone) > 0 {
		out["subnets"] = "a cache node may run in " + strings.Join(gone, ", ") + ", which its subnet group cannot lose (SubnetInUse)"
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// AmazonMQ returns the fields of a broker change that Amazon MQ cannot
// make in place although UpdateBroker changes the field:
//
//   - engine_version lower than it is: Amazon MQ upgrades only ("Managing
//     Amazon MQ for RabbitMQ engine versions");
//   - instance_type mq.t3.micro from a larger type: "You cannot downgrade
//     a broker from an mq.m5 or mq.m7g instance type to an mq.t3.micro
//     instance type" (Amazon MQ for RabbitMQ sizing guidelines).
//
// Other changes give nil.
func AmazonMQ(have, want blueprint.Resource) map[string]string {
	h, w := have.Broker, want.Broker
	if h == nil || w == nil {
		return nil
	}
	out := map[string]string{}
	if h.EngineVersion != "" && w.EngineVersion != "" && CompareVersions(w.EngineVersion, h.EngineVersion) < 0 {
		out["engine_version"] = fmt.Sprintf("Amazon MQ cannot downgrade a broker's engine (%s -> %s)", h.EngineVersion, w.EngineVersion)
	}
	if w.InstanceType == "mq.t3.micro" && h.InstanceType != w.InstanceType {
		out["instance_type"] = fmt.Sprintf("Amazon MQ cannot downgrade a broker from %s to mq.t3.micro", h.InstanceType)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
