package aws_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/aws/internal/mototest"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/providertest"
)

// motoGaps are the behaviours where moto 5.2 is less strict than AWS; the
// conformance suite logs their checks instead of failing (see doc.go).
// moto ignores client tokens: a repeated create is made idempotent by the
// driver (it finds what an earlier call made by its tags, name or subnet
// first), but a token of a deleted resource makes a new one on moto where
// AWS answers with the deleted one (token-after-delete). Subnet prefix
// bounds are closed by the driver (it refuses a subnet outside /16-/28
// before calling) and not listed; so is the size of a role's policy
// (moto takes any size: the driver refuses one over IAM's 10,240
// characters before CreateRole). moto does not model IAM's eventual
// consistency either (a new instance profile is usable at once); the
// suite has no check of it. moto serves no backup selection
// (CreateBackupSelection and ListBackupSelections answer HTTP 500) and
// loads no AWS managed IAM policy: the tests' HTTP client serves them in
// the test process and keeps the requests, whose bodies the tests check
// (mototest.BackupGaps); it keeps no recovery points either
// (GapBackupRecoveryPoints).
var motoGaps = []string{
	providertest.GapDeleteSGInUse,
	providertest.GapDeleteSubnetInUse,
	providertest.GapReleaseIPInUse,
	providertest.GapTokenAfterDelete,
	providertest.GapModifyDatabasePort,
	providertest.GapSubnetGroupModifiedOnce,
	providertest.GapDBSubnetGroupOneZone,
	providertest.GapEndpointSubnetsOneZone,
	providertest.GapModifyEndpointPrivateDNS,
	providertest.GapCacheValidation,
	providertest.GapCacheModify,
	providertest.GapCacheDelete,
	providertest.GapBrokerValidation,
	providertest.GapBackupRecoveryPoints,
}

func TestConformance(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		return providertest.NewHarness(newDriver(t).Driver, motoGaps...)
	})
}

// TestDayTwo: issue 12's changes against moto. Beyond the suite's checks
// (no subnet moves, no stateful replace, every change in place), each RDS
// instance keeps its identifier and its InstanceCreateTime.
func TestDayTwo(t *testing.T) {
	providertest.DayTwo(t, func(t *testing.T) providertest.Harness {
		return providertest.NewHarness(newDriver(t).Driver, motoGaps...)
	}, engine, func(t *testing.T, d driver.Driver, before map[string]driver.Observed) func(*testing.T, map[string]driver.Observed) {
		rdsc := d.(*aws.Driver).RDS
		created := createTimes(t, rdsc, before)
		require.NotEmpty(t, created, "the deployment has an RDS instance")
		return func(t *testing.T, now map[string]driver.Observed) {
			assert.Equal(t, created, createTimes(t, rdsc, now), "every RDS instance keeps its identifier and creation time")
		}
	})
}

// createTimes returns the InstanceCreateTime of the databases of obs, by
// logical id and identifier.
func createTimes(t *testing.T, c aws.RDSAPI, obs map[string]driver.Observed) map[string]string {
	t.Helper()
	out := map[string]string{}
	for lid, o := range obs {
		if o.Resource.Kind != blueprint.KindDatabase {
			continue
		}
		db, err := c.DescribeDBInstances(t.Context(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: &o.ID})
		require.NoError(t, err)
		require.Len(t, db.DBInstances, 1)
		require.NotNil(t, db.DBInstances[0].InstanceCreateTime)
		out[lid+" "+o.ID] = db.DBInstances[0].InstanceCreateTime.String()
	}
	return out
}

// TestFakeChangesWhatAWSChanges: the fake (as AWS) changes in place
// exactly the fields the AWS driver does, no more, so that a plan tested
// on the fake is the plan AWS gets.
func TestFakeChangesWhatAWSChanges(t *testing.T) {
	t.Parallel()
	d, err := aws.NewFromConfig(mototest.Config())
	require.NoError(t, err)
	providertest.SameMutable(t, d.Capabilities(), fake.New().Capabilities())
}

// motoPeeringGaps: moto 5.2 requests a connection between overlapping
// VPCs, a second one between the same two VPCs, and routes to one still
// pending acceptance; AWS refuses all three (the fake too).
var motoPeeringGaps = []string{providertest.GapPeeringOverlap, providertest.GapPeeringDuplicate, providertest.GapPeeringRouteWhilePending}

// TestConformancePeering: VPC peering between two regions of moto.
func TestConformancePeering(t *testing.T) {
	providertest.RunPeering(t, func(t *testing.T) providertest.PeeringHarness {
		tds := regionDrivers(t, primaryRegion, recoveryRegion)
		return providertest.PeeringHarness{Requester: tds[primaryRegion].Driver, Accepter: tds[recoveryRegion].Driver,
			RequesterRegion: primaryRegion, AccepterRegion: recoveryRegion, Gaps: motoPeeringGaps}
	})
}

// TestConformancePeeringOneRegion: VPC peering between two VPCs of one
// region of moto, the requester's side requesting and accepting it.
func TestConformancePeeringOneRegion(t *testing.T) {
	providertest.RunPeering(t, func(t *testing.T) providertest.PeeringHarness {
		td := newDriver(t)
		return providertest.PeeringHarness{Requester: td.Driver, Accepter: td.Driver,
			RequesterRegion: td.Region(), AccepterRegion: td.Region(), Gaps: motoPeeringGaps}
	})
}
