package provider_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

func snapshotSchedule() *pattern.SnapshotSchedule {
	return &pattern.SnapshotSchedule{Cron: "cron(0 3 * * ? *)", KeepDays: 7, Tiers: []string{"app"}}
}

// vaultOf returns the backup vault of the deployment on d.
func vaultOf(t *testing.T, d *fake.Driver, dep string) driver.Observed {
	t.Helper()
	obs, err := d.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindBackupVault})
	require.NoError(t, err)
	require.Len(t, obs, 1)
	return obs[0]
}

// TestFleetSnapshotVaultsKeepRecoveryPoints: a vault that holds recovery
// points is stateful. The fake refuses its delete as AWS does
// (InvalidRequestException), and refuses the primary's while its plan
// names it; the engine's destroy leaves both vaults without the caller's
// AllowDataLoss and deletes them, their recovery points first, with it.
func TestFleetSnapshotVaultsKeepRecoveryPoints(t *testing.T) {
	t.Parallel()
	m := twoRegionWebApp("snaps")
	m.Snapshots = snapshotSchedule()
	bps, err := m.Build()
	require.NoError(t, err)
	fl, fakes := fakeFleet(t, nil)
	_, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)
	assert.Equal(t, 1, fakes[primaryRegion].Snapshot("snaps").Count(blueprint.KindBackupPlan))
	assert.Zero(t, fakes[recoveryRegion].Snapshot("snaps").Count(blueprint.KindBackupPlan))

	for _, d := range fakes {
		v := vaultOf(t, d, "snaps")
		require.NoError(t, d.AddRecoveryPoints(v.ID, 3))
	}
	rec := fakes[recoveryRegion]
	err = rec.Delete(t.Context(), vaultOf(t, rec, "snaps"), driver.DeleteOptions{})
	require.ErrorIs(t, err, driver.ErrInvalid)
	assert.ErrorContains(t, err, "InvalidRequestException")
	prim := fakes[primaryRegion]
	err = prim.Delete(t.Context(), vaultOf(t, prim, "snaps"), driver.DeleteOptions{LiftProtection: true})
	var de *driver.Error
	require.ErrorAs(t, err, &de)
	assert.Equal(t, driver.Dependency, de.Code, "the plan names the vault: %v", err)

	_, err = fl.Destroy(t.Context(), "snaps", func(o *provider.DestroyOptions) {
		o.AllowDataLoss, o.SkipFinalSnapshot = []string{"database/db"}, true
	})
	require.Error(t, err)
	assert.ErrorContains(t, err, "backup_vault/snapshots")
	for r, d := range fakes {
		assert.Equal(t, 3, d.RecoveryPoints(vaultOf(t, d, "snaps").ID), "the vault of %s keeps its recovery points", r)
	}

	_, err = fl.Destroy(t.Context(), "snaps", allowStateful(bps[primaryRegion]))
	require.NoError(t, err)
	for r, d := range fakes {
		assert.Empty(t, d.Resources(), "left in %s", r)
	}
}

// TestSnapshotsOnOutscale: OUTSCALE's API has no snapshot scheduler. The
// schedule is refused before any call, naming the vault, the plan and the
// cluster's tag; with AllowFallback it is dropped with a notice per
// resource and the cluster is made without the tag.
func TestSnapshotsOnOutscale(t *testing.T) {
	t.Parallel()
	a := pattern.WebApp(pattern.WebAppOptions{Name: "osc", Profile: netplan.Outscale})
	a.Snapshots = snapshotSchedule()
	bp, err := a.Build()
	require.NoError(t, err)

	d := newFake(fake.Outscale)
	_, err = provider.NewEngine(d, fastOpts).Plan(t.Context(), bp)
	require.ErrorIs(t, err, driver.ErrUnsupported)
	for _, want := range []string{"backup_vault/snapshots: backup_vault not supported", "backup_plan/snapshots: backup_plan not supported",
		"cluster/app: cluster.backup not supported", "no snapshot scheduler", "remove the snapshot schedule (Snapshots)"} {
		assert.ErrorContains(t, err, want)
	}
	assert.Zero(t, d.Counts().Writes)

	var c collector
	eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.AllowFallback = true; o.OnEvent = c.handle })
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	snap := d.Snapshot("osc")
	assert.Zero(t, snap.Count(blueprint.KindBackupVault)+snap.Count(blueprint.KindBackupPlan))
	assert.Empty(t, snap[blueprint.KindCluster]["cluster/app"].Cluster.Backup)
	var notices []string
	for _, ev := range c.all() {
		if ev.Type == provider.EventNotice {
			notices = append(notices, ev.Message)
		}
	}
	assert.Contains(t, notices, "backup_vault/snapshots: dropped: fake has no snapshot schedule ("+
		"OUTSCALE's API has no snapshot scheduler nor backup vault (CreateSnapshot takes one snapshot, or copies one from another region, when called)); no volume snapshot is taken nor copied to another region")
}
