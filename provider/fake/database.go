package fake

import (
	"slices"
	"strings"
	"time"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/inplace"
)

// dbState is where RDS runs a database: the subnet of its primary and,
// Multi-AZ, of its standby. RDS picks them in the subnet group; the fake
// takes the subnets of the first two zones, in zone order.
type dbState struct {
	primary, standby string // subnet ids
}

// validateDatabase checks a managed database the way RDS does (its engine,
// class, storage, port, user name, backups and replicas:
// blueprint.Resource.Check): a subnet group of one Net over at least two
// zones, security groups of that Net, and Quotas.DatabasesPerRegion, read
// replicas included.
//
// An update (old set) keeps RDS's rules of ModifyDBInstance and
// ModifyDBSubnetGroup: storage grows and never shrinks, an engine version
// is upgraded and never downgraded, backups stay on while read replicas
// exist, and the subnet group keeps the subnet the primary runs in
// (SubnetAlreadyInUse). A standby whose subnet leaves the group moves to
// another zone, as the AWS driver moves it (Multi-AZ off, then on).
func (d *Driver) validateDatabase(op string, e, old *entry) error {
	s := e.res.Database
	net, err := d.checkSubnets(op, e, "database.subnets", s.Subnets, 2)
	if err != nil {
		return err
	}
	if err := d.checkGroups(op, e, "database.security_groups", s.SecurityGroups, net); err != nil {
		return err
	}
	if err := d.checkInstances(op, e, old); err != nil {
		return err
	}
	if old == nil {
		e.db = d.place(s, nil)
		return nil
	}
	return d.checkModify(op, e, old)
}

// checkModify checks the change of a database from old to e as
// ModifyDBInstance and ModifyDBSubnetGroup would, and places e.
func (d *Driver) checkModify(op string, e, old *entry) error {
	s, was := e.res.Database, old.res.Database
	k := blueprint.KindDatabase
	if why := d.Replaces(old.res, e.res); len(why) > 0 {
		return d.errf(op, k, e.res.ID, driver.Invalid, "%v; replace the database instead", why)
	}
	if s.BackupRetentionDays == 0 && was.BackupRetentionDays > 0 && len(d.replicasOf(old.id)) > 0 {
		return d.errf(op, k, e.res.ID, driver.Invalid, "database.backup_retention_days: 0: read replicas need the source's automated backups (InvalidParameterCombination); delete the replicas first")
	}
	cur := old.db
	if cur == nil {
		cur = d.place(was, nil)
	}
	if !slices.Contains(s.Subnets, blueprint.Ref(cur.primary)) {
		return d.errf(op, k, e.res.ID, driver.Dependency,
			"database.subnets: the instance runs in subnet %s, which the subnet group would lose (SubnetAlreadyInUse); keep it, or fail over to the standby first", cur.primary)
	}
	e.db = d.place(s, cur)
	return nil
}

// place returns where s runs: cur's primary when it has one (an instance
// never moves), else the subnet of the first zone; Multi-AZ, a standby in
// another zone, cur's when its subnet is still in the group.
func (d *Driver) place(s *blueprint.DatabaseSpec, cur *dbState) *dbState {
	subnets := slices.Clone(s.Subnets)
	slices.SortFunc(subnets, func(a, b blueprint.Ref) int {
		if za, zb := d.zoneOf(a), d.zoneOf(b); za != zb {
			return strings.Compare(za, zb)
		}
		return strings.Compare(string(a), string(b))
	})
	st := &dbState{}
	if cur != nil && slices.Contains(subnets, blueprint.Ref(cur.primary)) {
		st.primary = cur.primary
	} else if len(subnets) > 0 {
		st.primary = string(subnets[0])
	}
	if !s.MultiAZ {
		return st
	}
	if cur != nil && cur.standby != "" && slices.Contains(subnets, blueprint.Ref(cur.standby)) {
		st.standby = cur.standby
		return st
	}
	for _, sn := range subnets {
		if d.zoneOf(sn) != d.zoneOf(blueprint.Ref(st.primary)) {
			st.standby = string(sn)
			break
		}
	}
	return st
}

// checkInstances refuses e when the region would hold more DB instances
// than Quotas.DatabasesPerRegion: databases and read replicas together
// (RDS's "DB instances" quota).
func (d *Driver) checkInstances(op string, e, old *entry) error {
	q := d.opts.Profile.Quotas.DatabasesPerRegion
	if q <= 0 || old != nil {
		return nil
	}
	n := 1 + d.count(blueprint.KindDatabase, key{}, nil) + d.count(blueprint.KindDatabaseReplica, key{}, nil)
	if n > q {
		return d.errf(op, e.kind, e.res.ID, driver.Quota, "%s: %d DB instances in the region with the read replicas; at most %d", e.kind, n, q)
	}
	return nil
}

// replicasOf returns the stored read replicas of database id.
func (d *Driver) replicasOf(id string) []*entry {
	return d.keyed(blueprint.KindDatabaseReplica, sourceKey(blueprint.Ref(id)), nil)
}

// maxReplicas is RDS's quota of read replicas per source instance.
const maxReplicas = 15

// validateReplica checks a read replica as CreateDBInstanceReadReplica
// does: an existing source database with automated backups on (backup
// retention above 0), at most 15 replicas per source, an instance class,
// security groups of the source's Net.
func (d *Driver) validateReplica(op string, e, old *entry) error {
	s := e.res.DatabaseReplica
	k := blueprint.KindDatabaseReplica
	src, err := d.ref(op, e, "database_replica.source", s.Source, blueprint.KindDatabase)
	if err != nil {
		return err
	}
	if err := d.checkInstances(op, e, old); err != nil {
		return err
	}
	if src.res.Database.BackupRetentionDays == 0 {
		return d.errf(op, k, e.res.ID, driver.Invalid, "database_replica.source: %s has automated backups off (backup retention 0); a source needs them (InvalidDBInstanceState)", src.id)
	}
	if n := len(d.replicasOf(src.id)); old == nil && n >= maxReplicas {
		return d.errf(op, k, e.res.ID, driver.Quota, "database_replica.source: %s has %d read replicas, RDS's maximum (ReadReplicaQuotaExceeded)", src.id, n)
	}
	if s.InstanceClass == "" {
		return d.errf(op, k, e.res.ID, driver.Invalid, "database_replica.instance_class: empty; give one like db.t3.micro")
	}
	return d.checkGroups(op, e, "database_replica.security_groups", s.SecurityGroups, d.netOf(src))
}

// DeletedDatabase is what the fake keeps of a database it deleted, as RDS
// keeps it: the name of its final snapshot ("" when the delete skipped
// it) and whether its automated backups were kept. On OUTSCALE a stateful
// cluster (a database cluster) is recorded too, as its driver snapshots
// the VMs' volumes before it deletes them (Kind is then KindCluster, and
// AutomatedBackupsKept false: OUTSCALE has none).
type DeletedDatabase struct {
	ID, LogicalID, Deployment string
	Kind                      blueprint.Kind
	// FinalSnapshot is the snapshot taken before the delete
	// ([driver.FinalSnapshotName]), "" when skipped.
	FinalSnapshot string
	// AutomatedBackupsKept reports whether the automated backups outlive
	// the database (until their retention ends).
	AutomatedBackupsKept bool
	At                   time.Time
}

// DeletedDatabases returns the databases deleted so far, in order.
func (d *Driver) DeletedDatabases() []DeletedDatabase {
	if !d.usable() {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.deletedDBs)
}

// protected reports whether e has the deletion protection its driver
// sets: every RDS instance (archkit turns DeletionProtection on), on
// OUTSCALE the VMs of a stateful cluster (VM DeletionProtection), and on
// AWS a load balancer unless its spec allows deletion (attribute
// deletion_protection.enabled; OUTSCALE's LBU has none).
func (d *Driver) protected(e *entry) bool {
	switch {
	case e.kind == blueprint.KindDatabase:
		return true
	case e.kind == blueprint.KindBroker:
		// Amazon MQ has no deletion protection: the AWS driver refuses the
		// delete of a broker itself unless the caller allowed it.
		return true
	case e.kind == blueprint.KindCache:
		// ElastiCache has no deletion protection: the AWS driver refuses
		// the delete of a Redis cache itself unless the caller allowed it.
		return e.res.IsStateful()
	case e.kind == blueprint.KindCluster && d.opts.Cloud == CloudOutscale:
		return e.res.IsStateful()
	case e.kind == blueprint.KindLoadBalancer && d.opts.Cloud != CloudOutscale:
		return !e.res.LoadBalancer.AllowDeletion
	case e.kind == blueprint.KindBackupVault:
		return e.points > 0
	}
	return false
}

// checkProtected refuses the delete of a protected e unless opts lift the
// protection, as RDS does (InvalidParameterCombination: cannot delete a
// protected instance) and OUTSCALE does for a protected VM.
func (d *Driver) checkProtected(e *entry, opts driver.DeleteOptions) error {
	if !d.protected(e) || opts.LiftProtection {
		return nil
	}
	if e.kind == blueprint.KindBackupVault {
		return d.errf(OpDelete, e.kind, e.id, driver.Invalid,
			"backup vault %s holds %d recovery point(s) (InvalidRequestException); the engine deletes them with the vault only when AllowDataLoss names %s",
			e.id, e.points, e.tags[driver.TagLogicalID])
	}
	if e.kind == blueprint.KindLoadBalancer {
		return d.errf(OpDelete, e.kind, e.id, driver.Invalid,
			"%s %s has deletion protection (OperationNotPermitted); lift it first: the engine lifts it for every delete its plan holds", e.kind, e.id)
	}
	return d.errf(OpDelete, e.kind, e.id, driver.Invalid,
		"%s %s has deletion protection (InvalidParameterCombination); lift it first: the engine lifts it only when AllowDataLoss names %s",
		e.kind, e.id, e.tags[driver.TagLogicalID])
}

// keepData records, for a database about to be deleted, its final
// snapshot and its automated backups, as DeleteDBInstance keeps them; on
// OUTSCALE, for a stateful cluster, the final snapshots of its volumes.
func (d *Driver) keepData(e *entry, opts driver.DeleteOptions) {
	cluster := e.kind == blueprint.KindCluster && d.opts.Cloud == CloudOutscale && e.res.IsStateful()
	cache := e.kind == blueprint.KindCache && e.res.IsStateful()
	if e.kind != blueprint.KindDatabase && !cluster && !cache {
		return
	}
	at := opts.At
	if at.IsZero() {
		at = d.opts.Now()
	}
	rec := DeletedDatabase{ID: e.id, LogicalID: e.tags[driver.TagLogicalID], Deployment: e.tags[driver.TagDeployment], Kind: e.kind,
		AutomatedBackupsKept: !opts.DeleteAutomatedBackups && !cluster && !cache, At: at}
	if !opts.SkipFinalSnapshot {
		rec.FinalSnapshot = driver.FinalSnapshotName(e.id, at)
	}
	d.deletedDBs = append(d.deletedDBs, rec)
}

// Replaces implements [driver.Replacer] with the cloud's rules: on AWS,
// RDS neither shrinks storage nor downgrades an engine; on OUTSCALE, a
// stateful cluster's VMs never change subnet.
func (d *Driver) Replaces(have, want blueprint.Resource) map[string]string {
	if !d.usable() {
		return nil
	}
	if d.opts.Cloud == CloudOutscale {
		return inplace.VMCluster(have, want)
	}
	if have.Cache != nil {
		return inplace.ElastiCache(have, want)
	}
	if have.Broker != nil {
		return inplace.AmazonMQ(have, want)
	}
	return inplace.RDS(have, want)
}
