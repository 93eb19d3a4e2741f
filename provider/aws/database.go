package aws

import (
	"context"
	"slices"
	"strconv"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// A database is an RDS DB subnet group and a DB instance, both named by
// dbIdentifier(token); Observed.ID is the instance identifier and
// Parts["db_subnet_group"] the group. The master password is managed by
// RDS in Secrets Manager (ManageMasterUserPassword): archkit never sees
// it. The instance is never publicly accessible. Read replicas are
// instances named "<id>-r<n>"; deleting the database deletes them first.
// Delete skips the final snapshot (a destroy removes everything); take
// one yourself first if you need it.

// dbIdentifier turns a token into a valid RDS identifier: lowercase
// letters, digits and single hyphens, starting with a letter, at most 63
// characters ("Shop--db/main" -> "shop-db-main").
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
	if len(id) > 60 { // room for "-rN" replica suffixes
		id = id[:60]
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
		return d.ensureReplicasAndRead(ctx, req, id)
	} else if !isCode(err, driver.NotFound) {
		return driver.Observed{}, err
	}
	tags := withTags(req.Tags, tagReplicas, strconv.Itoa(spec.ReadReplicas), tagEngineVersion, spec.EngineVersion)
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
	return d.ensureReplicasAndRead(ctx, req, id)
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

// ensureReplicasAndRead waits (bounded) for the instance, creates missing
// read replicas, and reads it.
func (d *Driver) ensureReplicasAndRead(ctx context.Context, req driver.Request, id string) (driver.Observed, error) {
	minDelay, maxDelay := d.delays()
	w := rds.NewDBInstanceAvailableWaiter(d.RDS, func(o *rds.DBInstanceAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = minDelay, maxDelay
	})
	if err := w.Wait(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(id)}, d.waitBound()); err != nil {
		if isWaitTimeout(err) {
			return d.readDatabase(ctx, id)
		}
		return driver.Observed{}, mapErr("DescribeDBInstances", "database", id, err)
	}
	for i := 1; i <= req.Resource.Database.ReadReplicas; i++ {
		rid := id + "-r" + strconv.Itoa(i)
		if _, err := d.describeDB(ctx, rid); err == nil {
			continue
		} else if !isCode(err, driver.NotFound) {
			return driver.Observed{}, err
		}
		_, err := d.RDS.CreateDBInstanceReadReplica(ctx, &rds.CreateDBInstanceReadReplicaInput{
			DBInstanceIdentifier:       awssdk.String(rid),
			SourceDBInstanceIdentifier: awssdk.String(id),
			DBInstanceClass:            awssdk.String(req.Resource.Database.InstanceClass),
			PubliclyAccessible:         awssdk.Bool(false),
			Tags:                       rdsTags(withTags(req.Tags, driver.TagLogicalID, req.Resource.ID+"/replica/"+strconv.Itoa(i))),
		})
		if err != nil {
			return driver.Observed{}, mapErr("CreateDBInstanceReadReplica", "database", rid, err)
		}
	}
	return d.readDatabase(ctx, id)
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
	o.Resource.Database = &blueprint.DatabaseSpec{}
	o.Parts = map[string][]string{partSubnetGroup: {name}}
	return o
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
	}
	spec.ReadReplicas, _ = strconv.Atoi(tags[tagReplicas])
	if db.Endpoint != nil {
		spec.Port = uint16(awssdk.ToInt32(db.Endpoint.Port))
	} else if db.DbInstancePort != nil {
		spec.Port = uint16(awssdk.ToInt32(db.DbInstancePort))
	}
	for _, g := range db.VpcSecurityGroups {
		spec.SecurityGroups = append(spec.SecurityGroups, blueprint.Ref(awssdk.ToString(g.VpcSecurityGroupId)))
	}
	slices.Sort(spec.SecurityGroups)
	if sg := db.DBSubnetGroup; sg != nil {
		o.Parts = map[string][]string{partSubnetGroup: {awssdk.ToString(sg.DBSubnetGroupName)}}
		for _, s := range sg.Subnets {
			spec.Subnets = append(spec.Subnets, blueprint.Ref(awssdk.ToString(s.SubnetIdentifier)))
		}
		slices.Sort(spec.Subnets)
	}
	for _, r := range db.ReadReplicaDBInstanceIdentifiers {
		if o.Parts == nil {
			o.Parts = map[string][]string{}
		}
		o.Parts["db_instance"] = append(o.Parts["db_instance"], r)
	}
	o.Resource.Database = spec
	return o
}

func (d *Driver) listDatabases(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	var res []driver.Observed
	p := rds.NewDescribeDBInstancesPaginator(d.RDS, &rds.DescribeDBInstancesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeDBInstances", "database", "", err)
		}
		for _, db := range out.DBInstances {
			if !owned(fromRDSTags(db.TagList), q.Deployment) || awssdk.ToString(db.ReadReplicaSourceDBInstanceIdentifier) != "" {
				continue
			}
			if status := awssdk.ToString(db.DBInstanceStatus); status == "deleting" {
				continue
			}
			if len(q.NetIDs) > 0 && db.DBSubnetGroup != nil && !slices.Contains(q.NetIDs, awssdk.ToString(db.DBSubnetGroup.VpcId)) {
				continue
			}
			res = append(res, dbObserved(db))
		}
	}
	// Subnet groups left by a create that stopped before its instance.
	seen := map[string]bool{}
	for _, o := range res {
		seen[o.ID] = true
	}
	gp := rds.NewDescribeDBSubnetGroupsPaginator(d.RDS, &rds.DescribeDBSubnetGroupsInput{})
	for gp.HasMorePages() {
		out, err := gp.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeDBSubnetGroups", "database", "", err)
		}
		for _, g := range out.DBSubnetGroups {
			name := awssdk.ToString(g.DBSubnetGroupName)
			if seen[name] || !strings.HasPrefix(awssdk.ToString(g.DBSubnetGroupDescription), subnetGroupDescription) {
				continue
			}
			if len(q.NetIDs) > 0 && !slices.Contains(q.NetIDs, awssdk.ToString(g.VpcId)) {
				continue
			}
			if _, err := d.describeDB(ctx, name); err == nil {
				continue // a database of another deployment, or one being created
			}
			tags, err := d.RDS.ListTagsForResource(ctx, &rds.ListTagsForResourceInput{ResourceName: g.DBSubnetGroupArn})
			if err != nil {
				return nil, mapErr("ListTagsForResource", "database", name, err)
			}
			if t := fromRDSTags(tags.TagList); owned(t, q.Deployment) {
				res = append(res, incompleteDatabaseObserved(g, t))
			}
		}
	}
	return res, nil
}

// subnetGroupDescription starts the description of the DB subnet groups
// archkit makes.
const subnetGroupDescription = "archkit "

func (d *Driver) updateDatabase(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	if cur.Status == "incomplete" {
		return d.createDatabaseID(ctx, req, cur.ID)
	}
	want := req.Resource.Database
	in := &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier:  awssdk.String(cur.ID),
		ApplyImmediately:      awssdk.Bool(true),
		DBInstanceClass:       awssdk.String(want.InstanceClass),
		AllocatedStorage:      awssdk.Int32(int32(want.StorageGiB)),
		MultiAZ:               awssdk.Bool(want.MultiAZ),
		BackupRetentionPeriod: awssdk.Int32(int32(want.BackupRetentionDays)),
	}
	if _, err := d.RDS.ModifyDBInstance(ctx, in); err != nil {
		return driver.Observed{}, mapErr("ModifyDBInstance", "database", cur.ID, err)
	}
	return d.readDatabase(ctx, cur.ID)
}

// deleteDatabase deletes the read replicas, then the instance (no final
// snapshot, automated backups deleted), waits until it is gone and
// deletes its subnet group.
func (d *Driver) deleteDatabase(ctx context.Context, cur driver.Observed) error {
	groups := slices.Clone(cur.Parts[partSubnetGroup])
	ids := []string{}
	if db, err := d.describeDB(ctx, cur.ID); err == nil {
		ids = append(ids, db.ReadReplicaDBInstanceIdentifiers...)
		if db.DBSubnetGroup != nil {
			groups = append(groups, awssdk.ToString(db.DBSubnetGroup.DBSubnetGroupName))
		}
	} else if !isCode(err, driver.NotFound) {
		return err
	}
	ids = append(ids, cur.ID)
	minDelay, maxDelay := d.delays()
	for _, id := range ids {
		_, err := d.RDS.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{
			DBInstanceIdentifier: awssdk.String(id), SkipFinalSnapshot: awssdk.Bool(true), DeleteAutomatedBackups: awssdk.Bool(true),
		})
		if isCode(err, driver.NotFound) {
			continue
		}
		if err != nil {
			return mapErr("DeleteDBInstance", "database", id, err)
		}
		w := rds.NewDBInstanceDeletedWaiter(d.RDS, func(o *rds.DBInstanceDeletedWaiterOptions) {
			o.MinDelay, o.MaxDelay = minDelay, maxDelay
		})
		if err := w.Wait(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: awssdk.String(id)}, d.waitBound()); err != nil && !isCode(err, driver.NotFound) {
			return mapErr("DescribeDBInstances", "database", id, err)
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
