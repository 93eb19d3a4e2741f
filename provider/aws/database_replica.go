package aws

import (
	"context"
	"slices"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// A database_replica is an RDS read replica (CreateDBInstanceReadReplica)
// of the database its Source names, named dbIdentifier(token);
// Observed.ID is its identifier. It lives in its source's subnet group
// and is never publicly accessible. Adding or removing one never touches
// the source. In place: instance class and security groups
// (ModifyDBInstance). A replica has no final snapshot (RDS refuses one for
// a read replica) and no deletion protection: its data is its source's.

func (d *Driver) createReplica(ctx context.Context, req driver.Request) (driver.Observed, error) {
	spec := req.Resource.DatabaseReplica
	id := dbIdentifier(clusterName(req))
	if _, err := d.describeDB(ctx, id); err == nil {
		return d.waitDatabase(ctx, id)
	} else if !isCode(err, driver.NotFound) {
		return driver.Observed{}, err
	}
	_, err := d.RDS.CreateDBInstanceReadReplica(ctx, &rds.CreateDBInstanceReadReplicaInput{
		DBInstanceIdentifier:       awssdk.String(id),
		SourceDBInstanceIdentifier: awssdk.String(string(spec.Source)),
		DBInstanceClass:            awssdk.String(spec.InstanceClass),
		VpcSecurityGroupIds:        refStrings(spec.SecurityGroups),
		PubliclyAccessible:         awssdk.Bool(false),
		Tags:                       rdsTags(req.Tags),
	})
	if err != nil && !isCode(err, driver.AlreadyExists) {
		return driver.Observed{}, mapErr("CreateDBInstanceReadReplica", "database_replica", req.Resource.ID, err)
	}
	return d.waitDatabase(ctx, id)
}

func replicaObserved(db rdstypes.DBInstance) driver.Observed {
	status := awssdk.ToString(db.DBInstanceStatus)
	o := observed(blueprint.KindDatabaseReplica, awssdk.ToString(db.DBInstanceIdentifier), fromRDSTags(db.TagList), status == "available", status)
	o.Resource.DatabaseReplica = &blueprint.DatabaseReplicaSpec{
		Source:         blueprint.Ref(awssdk.ToString(db.ReadReplicaSourceDBInstanceIdentifier)),
		InstanceClass:  awssdk.ToString(db.DBInstanceClass),
		SecurityGroups: dbGroups(db),
	}
	return o
}

func (d *Driver) readReplica(ctx context.Context, id string) (driver.Observed, error) {
	db, err := d.describeDB(ctx, id)
	if err != nil {
		return driver.Observed{}, err
	}
	if !isReplica(*db) {
		return driver.Observed{}, notFound("DescribeDBInstances", blueprint.KindDatabaseReplica, id)
	}
	return replicaObserved(*db), nil
}

func (d *Driver) listReplicas(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	dbs, err := d.listInstances(ctx, q, true)
	if err != nil {
		return nil, err
	}
	var res []driver.Observed
	for _, db := range dbs {
		res = append(res, replicaObserved(db))
	}
	return res, nil
}

func (d *Driver) updateReplica(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	want, have := req.Resource.DatabaseReplica, cur.Resource.DatabaseReplica
	if have == nil {
		have = &blueprint.DatabaseReplicaSpec{}
	}
	in := &rds.ModifyDBInstanceInput{DBInstanceIdentifier: awssdk.String(cur.ID), ApplyImmediately: awssdk.Bool(true)}
	if want.InstanceClass != have.InstanceClass {
		in.DBInstanceClass = awssdk.String(want.InstanceClass)
	}
	if !slices.Equal(sortedRefs(want.SecurityGroups), sortedRefs(have.SecurityGroups)) {
		in.VpcSecurityGroupIds = refStrings(want.SecurityGroups)
	}
	if in.DBInstanceClass != nil || in.VpcSecurityGroupIds != nil {
		if _, err := d.RDS.ModifyDBInstance(ctx, in); err != nil {
			return driver.Observed{}, mapErr("ModifyDBInstance", "database_replica", cur.ID, err)
		}
	}
	return d.waitDatabase(ctx, cur.ID)
}

// deleteReplica deletes the replica (no final snapshot: RDS takes none of
// a read replica) and waits until it is gone.
func (d *Driver) deleteReplica(ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error {
	db, err := d.describeDB(ctx, cur.ID)
	if isCode(err, driver.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	opts.SkipFinalSnapshot = true
	return d.deleteInstance(ctx, cur.ID, db, opts)
}
