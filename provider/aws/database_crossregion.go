package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// A database whose spec sets ReplicaOf is a cross-region read replica:
// CreateDBInstanceReadReplica in the driver's region with
// SourceDBInstanceIdentifier the ARN of the source (found in the source
// region by the deployment's tags and its logical id) and SourceRegion,
// from which the SDK signs the presigned URL RDS needs to reach the
// source. It has its own DB subnet group (required for a replica in a VPC
// of another region), deletion protection, and, when encrypted, the RDS
// key of its own region (a KMS key is regional). It stays kind database
// (stateful): tags name its source, so that it reads back with
// ReplicaOf, and the list of read replicas (database_replica) leaves it
// out. Clearing ReplicaOf promotes it in place (PromoteReadReplica).

// Spec tags of a cross-region replica: its source.
const (
	tagReplicaOfRegion = specTag + "replica-of-region"
	tagReplicaOf       = specTag + "replica-of"
)

// defaultRDSKey is the AWS managed key of RDS, in the replica's region.
const defaultRDSKey = "alias/aws/rds"

// crossRegion reports whether db is a cross-region replica archkit made
// as a database (its tags name its source).
func crossRegion(db rdstypes.DBInstance) bool {
	return fromRDSTags(db.TagList)[tagReplicaOfRegion] != ""
}

// replicaOf reads the source of a cross-region replica back, nil once it
// is promoted (RDS no longer names a source).
func replicaOf(db rdstypes.DBInstance, tags map[string]string) *blueprint.DatabaseSource {
	if awssdk.ToString(db.ReadReplicaSourceDBInstanceIdentifier) == "" || tags[tagReplicaOfRegion] == "" {
		return nil
	}
	return &blueprint.DatabaseSource{Region: tags[tagReplicaOfRegion], Database: tags[tagReplicaOf]}
}

// createCrossRegionReplica creates the replica id in its subnet group id
// once its source is available in the source region.
func (d *Driver) createCrossRegionReplica(ctx context.Context, req driver.Request, id string, tags map[string]string) (driver.Observed, error) {
	spec := req.Resource.Database
	src := spec.ReplicaOf
	arn, err := d.sourceARN(ctx, req.Deployment, req.Resource.ID, *src)
	if err != nil {
		return driver.Observed{}, err
	}
	tags = withTags(tags, tagReplicaOfRegion, src.Region, tagReplicaOf, src.Database)
	if err := d.ensureSubnetGroup(ctx, req, id, tags); err != nil {
		return driver.Observed{}, err
	}
	in := &rds.CreateDBInstanceReadReplicaInput{
		DBInstanceIdentifier:       awssdk.String(id),
		SourceDBInstanceIdentifier: awssdk.String(arn),
		SourceRegion:               awssdk.String(src.Region),
		DBInstanceClass:            awssdk.String(spec.InstanceClass),
		DBSubnetGroupName:          awssdk.String(id),
		VpcSecurityGroupIds:        refStrings(spec.SecurityGroups),
		MultiAZ:                    awssdk.Bool(spec.MultiAZ),
		PubliclyAccessible:         awssdk.Bool(false),
		DeletionProtection:         awssdk.Bool(true),
		Tags:                       rdsTags(tags),
	}
	if spec.Encrypted {
		in.KmsKeyId = awssdk.String(defaultRDSKey)
	}
	if spec.Port != 0 {
		in.Port = awssdk.Int32(int32(spec.Port))
	}
	if _, err := d.RDS.CreateDBInstanceReadReplica(ctx, in); err != nil && !isCode(err, driver.AlreadyExists) {
		return driver.Observed{}, mapErr("CreateDBInstanceReadReplica", "database", req.Resource.ID, err)
	}
	return d.waitDatabase(ctx, id)
}

// sourceARN returns the ARN of the deployment's database src in its
// region, waiting (bounded) while it is missing or not yet available: the
// regions of a deployment are applied in parallel.
func (d *Driver) sourceARN(ctx context.Context, deployment, lid string, src blueprint.DatabaseSource) (string, error) {
	var arn string
	err := d.retryWhile(ctx, driver.Dependency, func() error {
		var err error
		arn, err = d.findSource(ctx, deployment, lid, src)
		return err
	})
	return arn, err
}

// findSource looks the source up once: Dependency while it is missing or
// not available.
func (d *Driver) findSource(ctx context.Context, deployment, lid string, src blueprint.DatabaseSource) (string, error) {
	inRegion := func(o *rds.Options) { o.Region = src.Region }
	p := rds.NewDescribeDBInstancesPaginator(d.RDS, &rds.DescribeDBInstancesInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx, inRegion)
		if err != nil {
			return "", mapErr("DescribeDBInstances", "database", lid, err)
		}
		for _, db := range out.DBInstances {
			tags := fromRDSTags(db.TagList)
			if !owned(tags, deployment) || tags[driver.TagLogicalID] != src.Database || isReplica(db) {
				continue
			}
			if status := awssdk.ToString(db.DBInstanceStatus); status != "available" {
				return "", driver.NewError("DescribeDBInstances", "database", lid, driver.Dependency,
					fmt.Errorf("aws: %s: its source %s in %s is %s; waiting for it to be available", lid, src.Database, src.Region, status))
			}
			return awssdk.ToString(db.DBInstanceArn), nil
		}
	}
	return "", driver.NewError("DescribeDBInstances", "database", lid, driver.Dependency,
		fmt.Errorf("aws: %s: its source %s of deployment %q is not in %s yet; apply the primary region (the Fleet applies both)", lid, src.Database, deployment, src.Region))
}

// promote makes the cross-region replica id a standalone database
// (PromoteReadReplica, keeping the backups asked) and waits until it is
// available again.
func (d *Driver) promote(ctx context.Context, lid, id string, want *blueprint.DatabaseSpec) error {
	in := &rds.PromoteReadReplicaInput{DBInstanceIdentifier: awssdk.String(id)}
	if want.BackupRetentionDays > 0 {
		in.BackupRetentionPeriod = awssdk.Int32(int32(want.BackupRetentionDays))
	}
	if _, err := d.RDS.PromoteReadReplica(ctx, in); err != nil {
		return mapErr("PromoteReadReplica", "database", lid, err)
	}
	return d.waitDBAvailable(ctx, id)
}
