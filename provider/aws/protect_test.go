package aws_test

import (
	"slices"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/providertest"
)

// dbOnly is a Net with two subnets, a group and a database.
func dbOnly(t *testing.T, td *testDriver, dep string) *blueprint.Blueprint {
	zones, err := td.Zones(t.Context())
	require.NoError(t, err)
	keep := []string{"net/main", "subnet/app/a", "subnet/app/b", "security_group/db", "database/main"}
	bp := &blueprint.Blueprint{Schema: blueprint.SchemaV2, Deployment: dep}
	for _, r := range providertest.Resources(dep, zones) {
		if slices.Contains(keep, r.ID) {
			bp.Resources = append(bp.Resources, r)
		}
	}
	return bp
}

// Destroy of a deployment with a database: refused without the opt-in;
// with it, the database goes with a final snapshot (DescribeDBSnapshots)
// and the instance was protected at the cloud itself (RDS refuses
// DeleteDBInstance while DeletionProtection is on). SkipFinalSnapshot
// leaves none.
func TestDestroyTakesFinalSnapshot(t *testing.T) {
	t.Parallel()
	for _, skip := range []bool{false, true} {
		t.Run(map[bool]string{false: "snapshot", true: "skip"}[skip], func(t *testing.T) {
			t.Parallel()
			td := newDriver(t)
			dep := map[bool]string{false: "snap", true: "nosnap"}[skip]
			bp := dbOnly(t, td, dep)
			eng := engine(td.Driver)
			_, err := eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			dbs, err := td.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindDatabase})
			require.NoError(t, err)
			require.Len(t, dbs, 1)
			id := dbs[0].ID

			// Protected at the cloud: RDS itself refuses the delete.
			_, err = td.RDS.DeleteDBInstance(t.Context(), &rds.DeleteDBInstanceInput{DBInstanceIdentifier: &id, SkipFinalSnapshot: awssdk.Bool(true)})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "InvalidParameterCombination")

			td.calls.reset()
			_, err = eng.Destroy(t.Context(), dep)
			require.ErrorIs(t, err, provider.ErrProtected)
			writes, _, _ := td.calls.snapshot()
			assert.Zero(t, writes, "a refused destroy writes nothing")

			_, err = eng.Destroy(t.Context(), dep, func(o *provider.DestroyOptions) {
				o.AllowDataLoss, o.SkipFinalSnapshot = []string{"database/main"}, skip
			})
			require.NoError(t, err)
			rdsc := td.RDS.(*rds.Client)
			out, err := rdsc.DescribeDBSnapshots(t.Context(), &rds.DescribeDBSnapshotsInput{DBInstanceIdentifier: &id, SnapshotType: awssdk.String("manual")})
			require.NoError(t, err)
			var names []string
			for _, s := range out.DBSnapshots {
				names = append(names, awssdk.ToString(s.DBSnapshotIdentifier))
				_, _ = rdsc.DeleteDBSnapshot(t.Context(), &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: s.DBSnapshotIdentifier})
			}
			if skip {
				assert.Empty(t, names)
				return
			}
			require.Len(t, names, 1)
			assert.True(t, strings.HasPrefix(names[0], id+"-final-"), names[0])
			assert.Regexp(t, `-final-\d{8}-\d{6}$`, names[0])
		})
	}
}

// TestInPlaceCalls counts the AWS API calls of in-place changes of a
// deployed database, on moto: each is one write (ModifyDBInstance, or
// ModifyDBSubnetGroup for its subnets), one database replica one create,
// and the identifier never changes. The figures are in the README.
func TestInPlaceCalls(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	dep := "calls"
	bp := dbOnly(t, td, dep)
	eng := engine(td.Driver)
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	db := func() *blueprint.DatabaseSpec {
		for i := range bp.Resources {
			if bp.Resources[i].Database != nil {
				return bp.Resources[i].Database
			}
		}
		panic("no database")
	}
	for _, tc := range []struct {
		name   string
		change func()
		writes map[string]int
	}{
		{"instance class", func() { db().InstanceClass = "db.t3.small" }, map[string]int{"ModifyDBInstance": 1}},
		{"storage", func() { db().StorageGiB = 40 }, map[string]int{"ModifyDBInstance": 1}},
		{"engine upgrade", func() { db().EngineVersion = "17.2" }, map[string]int{"ModifyDBInstance": 1, "AddTagsToResource": 1}},
		{"backups and Multi-AZ", func() { db().BackupRetentionDays, db().MultiAZ = 14, true }, map[string]int{"ModifyDBInstance": 1}},
		{"subnets", func() { db().Subnets = []blueprint.Ref{"subnet/app/a", "subnet/web/b"} }, map[string]int{"ModifyDBSubnetGroup": 1}},
		{"read replica", func() {
			bp.Resources = append(bp.Resources, blueprint.Resource{ID: "database_replica/main/1", Kind: blueprint.KindDatabaseReplica,
				DatabaseReplica: &blueprint.DatabaseReplicaSpec{Source: "database/main", InstanceClass: "db.t3.micro", SecurityGroups: []blueprint.Ref{"security_group/db"}}})
		}, map[string]int{"CreateDBInstanceReadReplica": 1}},
	} {
		if tc.name == "subnets" {
			zones, err := td.Zones(t.Context())
			require.NoError(t, err)
			for _, r := range providertest.Resources(dep, zones) {
				if r.ID == "subnet/web/b" {
					bp.Resources = append(bp.Resources, r)
				}
			}
		}
		tc.change()
		td.calls.reset()
		res, err := eng.Apply(t.Context(), bp)
		require.NoError(t, err, tc.name)
		writes, reads, ops := td.calls.snapshot()
		got := map[string]int{}
		for op, n := range ops {
			if isWrite(op) && op != "CreateSubnet" && op != "CreateTags" && op != "ModifySubnetAttribute" && !isLockOp(op) {
				got[op] = n
			}
		}
		assert.Equal(t, tc.writes, got, "%s: %v", tc.name, ops)
		assert.Equal(t, 1, ops["CreateLaunchTemplate"], "%s: the lock taken once", tc.name)
		assert.Equal(t, 1, ops["DeleteLaunchTemplate"], "%s: and released", tc.name)
		assert.Zero(t, res.Replaced+res.Deleted, tc.name)
		t.Logf("%s: %d AWS API writes, %d reads (the plan's lists included): %v", tc.name, writes, reads, ops)
	}
	dbs, err := td.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindDatabase})
	require.NoError(t, err)
	require.Len(t, dbs, 1)
	_, err = eng.Destroy(t.Context(), dep, allowStateful(bp))
	require.NoError(t, err)
}
