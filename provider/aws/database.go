package aws

import (
	"context"
	"fmt"
	"slices"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/inplace"
)

// A database is an RDS DB subnet group and a DB instance, both named by
// dbIdentifier(token); Observed.ID is the instance identifier and
// Parts["db_subnet_group"] the group. The master password is managed by
// RDS in Secrets Manager (ManageMasterUserPassword): archkit never sees
// it. The instance is never publicly accessible, and it is made with
// DeletionProtection on: only a delete the caller allowed lifts it
// (driver.DeleteOptions.LiftProtection), and that delete takes a final
// snapshot named by driver.FinalSnapshotName and keeps the automated
// backups unless told otherwise.
//
// In place (updateDatabase, one ModifyDBInstance with ApplyImmediately):
// instance class, storage (growth only), engine version (upgrades only;
// AllowMajorVersionUpgrade when the major version changes), Multi-AZ,
// backup retention, port, security groups, deletion protection; and the
// subnets, by ModifyDBSubnetGroup on the instance's own group. Read
// replicas are database_replica resources (database_replica.go).

// dbIdentifier turns a token into a valid RDS identifier: lowercase
// letters, digits and single hyphens, starting with a letter, at most 63
// characters ("Shop--db/main" -> "shop-db-main"). RDS's rules for
// DBInstanceIdentifier (CreateDBInstance): 1 to 63 letters, digits or
// hyphens, a letter first, no two hyphens in a row, no hyphen at the end.
func dbIdentifier(token string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(token) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	id := b.String()
	if id == "" || id[0] < 'a' || id[0] > 'z' {
		id = "db-" + id
	}
	if len(id) > 63 {
		// Keep the end, which holds the token's hash: two resources of
		// one long deployment name still get two identifiers.
		const tail = 9 // "-" and 8 hex digits
		id = strings.TrimRight(id[:63-tail], "-") + id[len(id)-tail:]
	}
	return strings.TrimRight(id, "-")
}

func (d *Driver) createDatabase(ctx context.Context, req driver.Request) (driver.Observed, error) {
	return d.createDatabaseID(ctx, req, dbIdentifier(clusterName(req)))
}

// createDatabaseID creates the database with identifier (and subnet
// group) id: derived from the request's token for a new database, the
// name of the subnet group an earlier run left for one it left incomplete.
func (d *Driver) createDatabaseID(ctx context.Context, req driver.Request, id string) (driver.Observed, error) {
	spec := req.Resource.Database
	if _, err := d.describeDB(ctx, id); err == nil {
		return d.waitDatabase(ctx, id)
	} else if !isCode(err, driver.NotFound) {
		return driver.Observed{}, err
	}
	tags := withTags(req.Tags, tagEngineVersion, spec.EngineVersion)
	if spec.ReplicaOf != nil {
		return d.createCrossRegionReplica(ctx, req, id, tags)
	}
	if err := d.ensureSubnetGroup(ctx, req, id, tags); err != nil {
		return driver.Observed{}, err
	}
	in := &rds.CreateDBInstanceInput{
		DBInstanceIdentifier:     awssdk.String(id),
		DBInstanceClass:          awssdk.String(spec.InstanceClass),
		Engine:                   awssdk.String(spec.Engine),
		AllocatedStorage:         awssdk.Int32(int32(spec.StorageGiB)),
		MultiAZ:                  awssdk.Bool(spec.MultiAZ),
		BackupRetentionPeriod:    awssdk.Int32(int32(spec.BackupRetentionDays)),
		StorageEncrypted:         awssdk.Bool(spec.Encrypted),
		MasterUsername:           awssdk.String(spec.Username),
		ManageMasterUserPassword: awssdk.Bool(true),
		DBSubnetGroupName:        awssdk.String(id),
		VpcSecurityGroupIds:      refStrings(spec.SecurityGroups),
		PubliclyAccessible:       awssdk.Bool(false),
		DeletionProtection:       awssdk.Bool(true),
		Tags:                     rdsTags(tags),
	}
	if spec.EngineVersion != "" {
		in.EngineVersion = awssdk.String(spec.EngineVersion)
	}
	if spec.Port != 0 {
		in.Port = awssdk.Int32(int32(spec.Port))
	}
	if _, err := d.RDS.CreateDBInstance(ctx, in); err != nil && !isCode(err, driver.AlreadyExists) {
		return driver.Observed{}, mapErr("CreateDBInstance", "database", req.Resource.ID, err)
	}
	return d.waitDatabase(ctx, id)
}

func (d *Driver) ensureSubnetGroup(ctx context.Context, req driver.Request, name string, tags map[string]string) error {
	out, err := d.RDS.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: awssdk.String(name)})
	if err == nil && len(out.DBSubnetGroups) > 0 {
		return nil
	}
	if err != nil && !isCode(err, driver.NotFound) {
		return mapErr("DescribeDBSubnetGroups", "database", req.Resource.ID, err)
	}
	_, err = d.RDS.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{
		DBSubnetGroupName:        awssdk.String(name),
		DBSubnetGroupDescription: awssdk.String(subnetGroupDescription + req.Resource.ID),
		SubnetIds:                refStrings(req.Resource.Database.Subnets),
		Tags:                     rdsTags(tags),
	})
	return mapErr("CreateDBSubnetGroup", "database", req.Resource.ID, err)
}

// waitDatabase waits (bounded) until instance id is available, then
// reads it (a database or a read replica).
func (d *Driver) waitDatabase(ctx context.Context, id string) (driver.Observed, error) {
	if err := d.waitDBAvailable(ctx, id); err != nil {
		return driver.Observed{}, err
	}
	db, err := d.describeDB(ctx, id)
	if isCode(err, driver.NotFound) {
		return d.incompleteDatabase(ctx, id, err)
	}
	if err != nil {
		return driver.Observed{}, err
	}
	return instanceObserved(*db), nil
}

// waitDBAvailable waits, at most waitBound, until instance id is
// available; a wait that runs out is no error (the engine polls Read).
func (d *Driver) waitDBAvailable(ctx context.Context, id string) error {
	minDelay, maxDelay := d.delays()
	w := rds.NewDBInstanceAvailableWaiter(d.RDS, func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = minDelay, maxDelay
	})
	if err := w.Wait(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(id)}, d.waitBound()); err != nil && !isWaitTimeout(err) {
		return mapErr("DescribeDBInstances", "database", id, err)
	}
	return nil
}

func (d *Driver) describeDB(ctx context.Context, id string) (*rdstypes.DBInstance, error) {
	out, err := d.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(id)})
	if err != nil {
		return nil, mapErr("DescribeDBInstances", "database", id, err)
	}
	if len(out.DBInstances) == 0 {
		return nil, notFound("DescribeDBInstances", blueprint.KindDatabase, id)
	}
	return &out.DBInstances[0], nil
}

func (d *Driver) readDatabase(ctx context.Context, id string) (driver.Observed, error) {
	db, err := d.describeDB(ctx, id)
	if isCode(err, driver.NotFound) {
		return d.incompleteDatabase(ctx, id, err)
	}
	if err != nil {
		return driver.Observed{}, err
	}
	if isReplica(*db) {
		return driver.Observed{}, notFound("DescribeDBInstances", blueprint.KindDatabase, id)
	}
	return dbObserved(*db), nil
}

// incompleteDatabase reports the subnet group of a database whose
// instance was never made (a create that stopped between the two), so
// that the engine completes or deletes it instead of leaking it. Without
// a subnet group, notFound is returned.
func (d *Driver) incompleteDatabase(ctx context.Context, id string, notFound error) (driver.Observed, error) {
	out, err := d.RDS.DescribeDBSubnetGroups(ctx, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: awssdk.String(id)})
	if isCode(err, driver.NotFound) || (err == nil && len(out.DBSubnetGroups) == 0) {
		return driver.Observed{}, notFound
	}
	if err != nil {
		return driver.Observed{}, mapErr("DescribeDBSubnetGroups", "database", id, err)
	}
	g := out.DBSubnetGroups[0]
	tags, err := d.RDS.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: g.DBSubnetGroupArn})
	if err != nil {
		return driver.Observed{}, mapErr("ListTagsForResource", "database", id, err)
	}
	return incompleteDatabaseObserved(g, fromRDSTags(tags.TagList)), nil
}

func incompleteDatabaseObserved(g rdstypes.DBSubnetGroup, tags map[string]string) driver.Observed {
	name := awssdk.ToString(g.DBSubnetGroupName)
	o := observed(blueprint.KindDatabase, name, tags, false, "incomplete")
	o.Incomplete = true
	o.Resource.Database = &blueprint.DatabaseSpec{}
	o.Parts = map[string][]string{partSubnetGroup: {name}}
	return o
}

// isReplica reports whether db is a read replica (a database_replica):
// a cross-region replica archkit made as a database is a database.
func isReplica(db rdstypes.DBInstance) bool {
	return awssdk.ToString(db.ReadReplicaSourceDBInstanceIdentifier) != "" && !crossRegion(db)
}

// instanceObserved reports db as a database or, for a read replica, a
// database_replica.
func instanceObserved(db rdstypes.DBInstance) driver.Observed {
	if isReplica(db) {
		return replicaObserved(db)
	}
	return dbObserved(db)
}

func dbObserved(db rdstypes.DBInstance) driver.Observed {
	tags := fromRDSTags(db.TagList)
	status := awssdk.ToString(db.DBInstanceStatus)
	o := observed(blueprint.KindDatabase, awssdk.ToString(db.DBInstanceIdentifier), tags, status == "available", status)
	spec := &blueprint.DatabaseSpec{
		Engine:              awssdk.ToString(db.Engine),
		EngineVersion:       tags[tagEngineVersion], // as asked: RDS picks and upgrades minor versions itself
		InstanceClass:       awssdk.ToString(db.DBInstanceClass),
		StorageGiB:          int(awssdk.ToInt32(db.AllocatedStorage)),
		MultiAZ:             awssdk.ToBool(db.MultiAZ),
		BackupRetentionDays: int(awssdk.ToInt32(db.BackupRetentionPeriod)),
		Encrypted:           awssdk.ToBool(db.StorageEncrypted),
		Username:            awssdk.ToString(db.MasterUsername),
		Port:                dbPort(db),
		SecurityGroups:      dbGroups(db),
		ReplicaOf:           replicaOf(db, tags),
	}
	if sg := db.DBSubnetGroup; sg != nil {
		o.Parts = map[string][]string{partSubnetGroup: {awssdk.ToString(sg.DBSubnetGroupName)}}
		for _, s := range sg.Subnets {
			spec.Subnets = append(spec.Subnets, blueprint.Ref(awssdk.ToString(s.SubnetIdentifier)))
		}
		slices.Sort(spec.Subnets)
	}
	o.Resource.Database = spec
	return o
}

func dbPort(db rdstypes.DBInstance) uint16 {
	if db.Endpoint != nil && db.Endpoint.Port != nil {
		return uint16(awssdk.ToInt32(db.Endpoint.Port))
	}
	return uint16(awssdk.ToInt32(db.DbInstancePort))
}

func dbGroups(db rdstypes.DBInstance) []blueprint.Ref {
	var out []blueprint.Ref
	for _, g := range db.VpcSecurityGroups {
		out = append(out, blueprint.Ref(awssdk.ToString(g.VpcSecurityGroupId)))
	}
	slices.Sort(out)
	return out
}

// listInstances returns the deployment's DB instances that are neither
// being deleted nor outside q's Nets: databases, or read replicas when
// replicas is true.
//
// Databases and read replicas are read from one DescribeDBInstances of the
// account's instances (RDS filters by neither tag nor VPC), whose answer
// the two kinds share within a refresh ([driver.Shared]).
func (d *Driver) listInstances(ctx context.Context, q driver.Query, replicas bool) ([]rdstypes.DBInstance, error) {
	all, err := driver.Shared(ctx, fmt.Sprintf("rds %p DescribeDBInstances", d), func(ctx context.Context) ([]rdstypes.DBInstance, error) {
		p := rds.NewDescribeDBInstancesPaginator(d.RDS, &rds.DescribeDBInstancesInput{})
		return allItems(ctx, p.HasMorePages, p.NextPage, func(o *rds.DescribeDBInstancesOutput) []rdstypes.DBInstance { return o.DBInstances })
	})
	if err != nil {
		return nil, mapErr("DescribeDBInstances", "database", "", err)
	}
	var res []rdstypes.DBInstance
	for _, db := range all {
		if !owned(fromRDSTags(db.TagList), q.Deployment) || isReplica(db) != replicas || awssdk.ToString(db.DBInstanceStatus) == "deleting" {
			continue
		}
		if len(q.NetIDs) > 0 && db.DBSubnetGroup != nil && !slices.Contains(q.NetIDs, awssdk.ToString(db.DBSubnetGroup.VpcId)) {
			continue
		}
		res = append(res, db)
	}
	return res, nil
}

func (d *Driver) listDatabases(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	dbs, err := d.listInstances(ctx, q, false)
	if err != nil {
		return nil, err
	}
	var res []driver.Observed
	seen := map[string]bool{}
	for _, db := range dbs {
		o := dbObserved(db)
		res = append(res, o)
		seen[o.ID] = true
	}
	// Subnet groups left by a create that stopped before its instance.
	gp := rds.NewDescribeDBSubnetGroupsPaginator(d.RDS, &rds.DescribeDBSubnetGroupsInput{})
	for gp.HasMorePages() {
		out, err := gp.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeDBSubnetGroups", "database", "", err)
		}
		for _, g := range out.DBSubnetGroups {
			o, ok, err := d.strayGroup(ctx, q, g, seen)
			if err != nil {
				return nil, err
			}
			if ok {
				res = append(res, o)
			}
		}
	}
	return res, nil
}

// strayGroup reports g when it is a subnet group of q's deployment that
// archkit made and whose instance does not exist.
func (d *Driver) strayGroup(ctx context.Context, q driver.Query, g rdstypes.DBSubnetGroup, seen map[string]bool) (driver.Observed, bool, error) {
	name := awssdk.ToString(g.DBSubnetGroupName)
	if seen[name] || !strings.HasPrefix(awssdk.ToString(g.DBSubnetGroupDescription), subnetGroupDescription) ||
		len(q.NetIDs) > 0 && !slices.Contains(q.NetIDs, awssdk.ToString(g.VpcId)) {
		return driver.Observed{}, false, nil
	}
	if _, err := d.describeDB(ctx, name); err == nil {
		return driver.Observed{}, false, nil // a database of another deployment, or one being created
	}
	tags, err := d.RDS.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: g.DBSubnetGroupArn})
	if err != nil {
		return driver.Observed{}, false, mapErr("ListTagsForResource", "database", name, err)
	}
	t := fromRDSTags(tags.TagList)
	return incompleteDatabaseObserved(g, t), owned(t, q.Deployment), nil
}

// subnetGroupDescription starts the description of the DB subnet groups
// archkit makes.
const subnetGroupDescription = "archkit "

// Replaces implements driver.Replacer: RDS grows storage and upgrades
// engines in place, and does neither the other way; ElastiCache upgrades
// engines, adds subnets and changes a Redis node type in place
// (inplace.ElastiCache); Amazon MQ upgrades engines and instance types,
// not down to mq.t3.micro (inplace.AmazonMQ).
func (d *Driver) Replaces(have, want blueprint.Resource) map[string]string {
	if have.Cache != nil {
		return inplace.ElastiCache(have, want)
	}
	if have.Broker != nil {
		return inplace.AmazonMQ(have, want)
	}
	return inplace.RDS(have, want)
}

// updateDatabase changes the database in place: its subnets first
// (moveSubnets), then one ModifyDBInstance with every other field that
// differs, applied immediately; the engine version asked is kept in a
// tag. It waits until the instance is available again.
func (d *Driver) updateDatabase(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	if cur.Status == "incomplete" {
		return d.createDatabaseID(ctx, req, cur.ID)
	}
	db, err := d.describeDB(ctx, cur.ID)
	if err != nil {
		return driver.Observed{}, err
	}
	want := req.Resource.Database
	have := dbObserved(*db).Resource.Database
	if have.ReplicaOf != nil && want.ReplicaOf == nil {
		if err := d.promote(ctx, req.Resource.ID, cur.ID, want); err != nil {
			return driver.Observed{}, err
		}
		if db, err = d.describeDB(ctx, cur.ID); err != nil {
			return driver.Observed{}, err
		}
		have = dbObserved(*db).Resource.Database
	}
	standbyOff, err := d.moveSubnets(ctx, req.Resource.ID, db, have, want)
	if err != nil {
		return driver.Observed{}, err
	}
	if in := modifyInput(db, have, want, standbyOff); in != nil {
		if _, err := d.RDS.ModifyDBInstance(ctx, in); err != nil {
			return driver.Observed{}, mapErr("ModifyDBInstance", "database", cur.ID, err)
		}
	}
	if want.EngineVersion != have.EngineVersion && db.DBInstanceArn != nil {
		_, err := d.RDS.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: db.DBInstanceArn,
			Tags: rdsTags(map[string]string{tagEngineVersion: want.EngineVersion})})
		if err != nil {
			return driver.Observed{}, mapErr("AddTagsToResource", "database", cur.ID, err)
		}
	}
	return d.waitDatabase(ctx, cur.ID)
}

// modifyInput returns the ModifyDBInstance of every field of want that
// differs from have (and deletion protection, when it was lifted), or nil
// when nothing differs. standbyOff: moveSubnets turned Multi-AZ off.
func modifyInput(db *rdstypes.DBInstance, have, want *blueprint.DatabaseSpec, standbyOff bool) *rds.ModifyDBInstanceInput {
	in := &rds.ModifyDBInstanceInput{DBInstanceIdentifier: db.DBInstanceIdentifier, ApplyImmediately: awssdk.Bool(true)}
	changed := false
	set := func(differs bool, apply func()) {
		if differs {
			apply()
			changed = true
		}
	}
	set(want.InstanceClass != have.InstanceClass, func() { in.DBInstanceClass = awssdk.String(want.InstanceClass) })
	set(want.StorageGiB > have.StorageGiB, func() { in.AllocatedStorage = awssdk.Int32(int32(want.StorageGiB)) })
	set(want.MultiAZ != have.MultiAZ || standbyOff, func() { in.MultiAZ = awssdk.Bool(want.MultiAZ) })
	set(want.BackupRetentionDays != have.BackupRetentionDays, func() { in.BackupRetentionPeriod = awssdk.Int32(int32(want.BackupRetentionDays)) })
	set(want.Port != 0 && want.Port != have.Port, func() { in.DBPortNumber = awssdk.Int32(int32(want.Port)) })
	set(!slices.Equal(sortedRefs(want.SecurityGroups), sortedRefs(have.SecurityGroups)), func() { in.VpcSecurityGroupIds = refStrings(want.SecurityGroups) })
	set(!awssdk.ToBool(db.DeletionProtection), func() { in.DeletionProtection = awssdk.Bool(true) })
	set(want.EngineVersion != "" && want.EngineVersion != have.EngineVersion, func() {
		in.EngineVersion = awssdk.String(want.EngineVersion)
		if running := awssdk.ToString(db.EngineVersion); running != "" && inplace.Major(want.Engine, want.EngineVersion) != inplace.Major(want.Engine, running) {
			in.AllowMajorVersionUpgrade = awssdk.Bool(true)
		}
	})
	if !changed {
		return nil
	}
	return in
}

// moveSubnets gives the instance's subnet group the subnets of want
// (ModifyDBSubnetGroup). RDS refuses to take from the group the subnet the
// instance runs in (SubnetAlreadyInUse): that is an error naming it. A
// standby whose subnet leaves the group is moved first: Multi-AZ is turned
// off (and back on by the ModifyDBInstance that follows; standbyOff).
func (d *Driver) moveSubnets(ctx context.Context, lid string, db *rdstypes.DBInstance, have, want *blueprint.DatabaseSpec) (standbyOff bool, err error) {
	if slices.Equal(sortedRefs(want.Subnets), sortedRefs(have.Subnets)) || db.DBSubnetGroup == nil {
		return false, nil
	}
	id := awssdk.ToString(db.DBInstanceIdentifier)
	primary, standby := placement(db)
	if primary != "" && !slices.Contains(want.Subnets, blueprint.Ref(primary)) {
		return false, driver.NewError("ModifyDBSubnetGroup", "database", lid, driver.Dependency, errString(
			"aws: database.subnets: the instance runs in subnet "+primary+", which RDS will not take from its subnet group (SubnetAlreadyInUse); keep that subnet, or fail over to the standby first (RebootDBInstance with ForceFailover)"))
	}
	if standby != "" && !slices.Contains(want.Subnets, blueprint.Ref(standby)) {
		_, err := d.RDS.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: awssdk.String(id), MultiAZ: awssdk.Bool(false), ApplyImmediately: awssdk.Bool(true)})
		if err != nil {
			return false, mapErr("ModifyDBInstance", "database", lid, err)
		}
		if err := d.waitDBAvailable(ctx, id); err != nil {
			return false, err
		}
		standbyOff = true
	}
	_, err = d.RDS.ModifyDBSubnetGroup(ctx, &rds.ModifyDBSubnetGroupInput{DBSubnetGroupName: db.DBSubnetGroup.DBSubnetGroupName, SubnetIds: refStrings(want.Subnets)})
	return standbyOff, mapErr("ModifyDBSubnetGroup", "database", lid, err)
}

// placement returns the subnets of db's group in the zones of its primary
// and of its standby ("" when unknown or single-AZ).
func placement(db *rdstypes.DBInstance) (primary, standby string) {
	az, az2 := awssdk.ToString(db.AvailabilityZone), awssdk.ToString(db.SecondaryAvailabilityZone)
	for _, s := range db.DBSubnetGroup.Subnets {
		z := ""
		if s.SubnetAvailabilityZone != nil {
			z = awssdk.ToString(s.SubnetAvailabilityZone.Name)
		}
		switch {
		case z == "":
		case z == az && primary == "":
			primary = awssdk.ToString(s.SubnetIdentifier)
		case z == az2 && standby == "":
			standby = awssdk.ToString(s.SubnetIdentifier)
		}
	}
	return primary, standby
}

// deleteDatabase deletes the instance and its subnet group. Only a delete
// the caller allowed (opts.LiftProtection) goes ahead: it lifts the
// deletion protection, then deletes with a final snapshot named by
// driver.FinalSnapshotName (unless opts.SkipFinalSnapshot) and keeps the
// automated backups (unless opts.DeleteAutomatedBackups), waits until the
// instance is gone and deletes its subnet group.
func (d *Driver) deleteDatabase(ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error {
	groups := slices.Clone(cur.Parts[partSubnetGroup])
	db, err := d.describeDB(ctx, cur.ID)
	switch {
	case isCode(err, driver.NotFound):
	case err != nil:
		return err
	default:
		if db.DBSubnetGroup != nil {
			groups = append(groups, awssdk.ToString(db.DBSubnetGroup.DBSubnetGroupName))
		}
		if err := d.deleteInstance(ctx, cur.ID, db, opts); err != nil {
			return err
		}
	}
	if len(groups) == 0 {
		groups = []string{cur.ID}
	}
	slices.Sort(groups)
	for _, g := range slices.Compact(groups) {
		err := d.retryWhile(ctx, driver.Dependency, func() error {
			_, err := d.RDS.DeleteDBSubnetGroup(ctx, &rds.DeleteDBSubnetGroupInput{DBSubnetGroupName: awssdk.String(g)})
			return mapErr("DeleteDBSubnetGroup", "database", g, err)
		})
		if err != nil && !isCode(err, driver.NotFound) {
			return err
		}
	}
	return nil
}

// errProtected is the refusal of a database delete the caller did not allow.
const errProtected = errString("aws: database: deletion protection is on; the engine lifts it only for a delete the caller allowed (AllowDataLoss)")

// deleteInstance lifts the protection of db (when opts allow), deletes it
// as opts say and waits until it is gone.
func (d *Driver) deleteInstance(ctx context.Context, id string, db *rdstypes.DBInstance, opts driver.DeleteOptions) error {
	if awssdk.ToBool(db.DeletionProtection) {
		if !opts.LiftProtection {
			return driver.NewError("DeleteDBInstance", "database", id, driver.Invalid, errProtected)
		}
		_, err := d.RDS.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{DBInstanceIdentifier: awssdk.String(id),
			DeletionProtection: awssdk.Bool(false), ApplyImmediately: awssdk.Bool(true)})
		if err != nil {
			return mapErr("ModifyDBInstance", "database", id, err)
		}
	}
	in := &rds.DeleteDBInstanceInput{DBInstanceIdentifier: awssdk.String(id), DeleteAutomatedBackups: awssdk.Bool(opts.DeleteAutomatedBackups)}
	if opts.SkipFinalSnapshot || awssdk.ToString(db.ReadReplicaSourceDBInstanceIdentifier) != "" { // RDS takes no snapshot of a replica
		in.SkipFinalSnapshot = awssdk.Bool(true)
	} else {
		in.FinalDBSnapshotIdentifier = awssdk.String(driver.FinalSnapshotName(id, opts.At))
	}
	if _, err := d.RDS.DeleteDBInstance(ctx, in); err != nil && !isCode(err, driver.NotFound) {
		return mapErr("DeleteDBInstance", "database", id, err)
	}
	minDelay, maxDelay := d.delays()
	w := rds.NewDBInstanceDeletedWaiter(d.RDS, func(o *rds.DBInstanceDeletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = minDelay, maxDelay
	})
	if err := w.Wait(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(id)}, d.waitBound()); err != nil && !isCode(err, driver.NotFound) {
		return mapErr("DescribeDBInstances", "database", id, err)
	}
	return nil
}
