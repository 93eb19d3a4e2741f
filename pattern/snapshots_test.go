package pattern_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
)

func snapshotRecovery(s *pattern.SnapshotSchedule) *pattern.MultiRegion {
	return pattern.WebAppRecovery(pattern.WebAppOptions{Name: "shop", Image: "ami-app"},
		pattern.Recovery{Primary: "eu-west-3", Region: pattern.Region{Name: "eu-west-1", Posture: pattern.PilotLight}, Snapshots: s})
}

// TestSnapshotScheduleOverRegions: the primary gets the vault and the
// plan (its rule's cron and lifecycle, a copy to the recovery region's
// vault, the selection's tag) and its app cluster tags its volumes; the
// recovery region gets a vault of the same name and no plan.
func TestSnapshotScheduleOverRegions(t *testing.T) {
	t.Parallel()
	m := snapshotRecovery(&pattern.SnapshotSchedule{Cron: "cron(0 3 * * ? *)", KeepDays: 7, CopyKeepDays: 14, Tiers: []string{"app"}})
	bps, err := m.Build()
	require.NoError(t, err)

	p := bps["eu-west-3"]
	v, ok := p.Resource("backup_vault/snapshots")
	require.True(t, ok)
	assert.Equal(t, "shop-snapshots", v.BackupVault.Name)
	plan, ok := p.Resource("backup_plan/snapshots")
	require.True(t, ok)
	s := plan.BackupPlan
	assert.Equal(t, "cron(0 3 * * ? *)", s.Schedule)
	assert.Equal(t, 7, s.KeepDays)
	assert.Equal(t, []blueprint.BackupCopy{{Region: "eu-west-1", Vault: "shop-snapshots", KeepDays: 14}}, s.Copies)
	assert.Equal(t, blueprint.Ref("backup_vault/snapshots"), s.Vault)
	assert.Equal(t, "snapshots", s.Select)
	assert.Equal(t, blueprint.BackupPlanName("shop", *s), s.Name)
	assert.Contains(t, plan.DependsOn, "backup_vault/snapshots")
	require.NoError(t, plan.Check())
	app, _ := p.Resource("cluster/app")
	assert.Equal(t, "snapshots", app.Cluster.Backup, "the selected cluster tags its volumes")

	r := bps["eu-west-1"]
	rv, ok := r.Resource("backup_vault/snapshots")
	require.True(t, ok, "the recovery region's vault receives the copies")
	assert.Equal(t, "shop-snapshots", rv.BackupVault.Name)
	assert.Empty(t, r.OfKind(blueprint.KindBackupPlan), "the schedule runs in the primary")
	rapp, _ := r.Resource("cluster/app")
	assert.Empty(t, rapp.Cluster.Backup)

	none, err := snapshotRecovery(nil).Build()
	require.NoError(t, err)
	assert.Empty(t, none["eu-west-3"].OfKind(blueprint.KindBackupVault))
	assert.Empty(t, none["eu-west-1"].OfKind(blueprint.KindBackupVault))
}

// TestSnapshotPlanNameFollowsSpec: another schedule is another plan name,
// so that the new plan is made before the old one goes.
func TestSnapshotPlanNameFollowsSpec(t *testing.T) {
	t.Parallel()
	a := blueprint.BackupPlanSpec{Vault: "backup_vault/snapshots", Schedule: "cron(0 3 * * ? *)", KeepDays: 7, Select: "snapshots"}
	b := a
	b.Schedule = "cron(0 4 * * ? *)"
	c := a
	c.Role = "arn:aws:iam::123456789012:role/mine"
	assert.NotEqual(t, blueprint.BackupPlanName("shop", a), blueprint.BackupPlanName("shop", b))
	assert.Equal(t, blueprint.BackupPlanName("shop", a), blueprint.BackupPlanName("shop", c), "the role is the selection's")
	assert.LessOrEqual(t, len(blueprint.BackupPlanName(string(make([]byte, 80)), a)), blueprint.MaxBackupName)
}

// TestSnapshotScheduleRefusals: every problem of a schedule is found by
// Build, at once, each naming its field.
func TestSnapshotScheduleRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		s      pattern.SnapshotSchedule
		fields []string
	}{
		{"five fields", pattern.SnapshotSchedule{Cron: "cron(0 3 * * ?)", KeepDays: 7, Tiers: []string{"app"}}, []string{"snapshots.cron"}},
		{"not cron", pattern.SnapshotSchedule{Cron: "0 3 * * ? *", KeepDays: 7, Tiers: []string{"app"}}, []string{"snapshots.cron"}},
		{"two days", pattern.SnapshotSchedule{Cron: "cron(0 3 * * * *)", KeepDays: 7, Tiers: []string{"app"}}, []string{"snapshots.cron"}},
		{"hour 24", pattern.SnapshotSchedule{Cron: "cron(0 24 * * ? *)", KeepDays: 7, Tiers: []string{"app"}}, []string{"snapshots.cron"}},
		{"zero days", pattern.SnapshotSchedule{Cron: "cron(0 3 * * ? *)", Tiers: []string{"app"}}, []string{"snapshots.keep_days"}},
		{"cold 90 days", pattern.SnapshotSchedule{Cron: "cron(0 3 * * ? *)", KeepDays: 100, ColdAfterDays: 30, Tiers: []string{"app"}}, []string{"snapshots.keep_days"}},
		{"unknown tier, bad role", pattern.SnapshotSchedule{Cron: "cron(0 3 * * ? *)", KeepDays: 7, Tiers: []string{"web"}, Role: "backup"},
			[]string{"snapshots.tiers[0]", "snapshots.role"}},
		{"all at once", pattern.SnapshotSchedule{Cron: "cron(x)", KeepDays: 0}, []string{"snapshots.cron", "snapshots.keep_days", "snapshots.tiers"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := snapshotRecovery(&tc.s).Build()
			require.Error(t, err)
			for _, f := range tc.fields {
				var fe *netplan.FieldError
				found := false
				for _, e := range flatten(err) {
					if errors.As(e, &fe) && fe.Field == f {
						found = true
						assert.NotEmpty(t, fe.Fix)
					}
				}
				assert.True(t, found, "%s not named in %v", f, err)
			}
		})
	}
	ok := pattern.SnapshotSchedule{Cron: "cron(15 */6 ? * MON-FRI *)", KeepDays: 120, ColdAfterDays: 30, Tiers: []string{"app"},
		Role: "arn:aws:iam::123456789012:role/service-role/backup"}
	_, err := snapshotRecovery(&ok).Build()
	require.NoError(t, err)
}

// flatten returns the leaves of a tree of joined errors.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	if u := errors.Unwrap(err); u != nil {
		return append(flatten(u), err)
	}
	return []error{err}
}

// TestLintSnapshotRunningDatabase: a schedule that selects a database
// tier (its managed database, or the cluster it falls back to on
// OUTSCALE) or a stateful cluster is lint error PT033, naming the field
// and the fix; acknowledged, it builds.
func TestLintSnapshotRunningDatabase(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		profile netplan.Profile
		tiers   []string
	}{
		{"managed database on AWS", netplan.AWS, []string{"db"}},
		{"the fallback cluster on OUTSCALE", netplan.Outscale, []string{"app", "db"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := pattern.WebApp(pattern.WebAppOptions{Name: "shop", Profile: tc.profile})
			a.Snapshots = &pattern.SnapshotSchedule{Cron: "cron(0 3 * * ? *)", KeepDays: 7, Tiers: tc.tiers}
			_, err := a.Build()
			require.Error(t, err)
			assert.Contains(t, err.Error(), "PT033")
			assert.Contains(t, err.Error(), "snapshots.tiers[")
			assert.Contains(t, err.Error(), "database-aware dump")
		})
	}
	a := pattern.WebApp(pattern.WebAppOptions{Name: "shop"})
	a.Snapshots = &pattern.SnapshotSchedule{Cron: "cron(0 3 * * ? *)", KeepDays: 7, Tiers: []string{"app"}}
	_, err := a.Build()
	require.NoError(t, err, "a stateless cluster may be snapshot")
	a.Clusters[0].Stateless = false // the user's cluster, marked stateful
	require.Equal(t, "app", a.Clusters[0].Tier)
	_, err = a.Build()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PT033")
	assert.Contains(t, err.Error(), "stateful")
}

// TestSnapshotScheduleOfTheBuildFunction: a schedule the build function
// gives every region's architecture runs in the primary only, copied to
// the recovery region, whose vault receives the copies.
func TestSnapshotScheduleOfTheBuildFunction(t *testing.T) {
	t.Parallel()
	m := pattern.Regions("shop", "10.0.0.0/8", func(string) *pattern.Architecture {
		a := pattern.WebApp(pattern.WebAppOptions{Name: "shop"})
		a.Snapshots = &pattern.SnapshotSchedule{Cron: "cron(0 3 * * ? *)", KeepDays: 7, Tiers: []string{"app"}}
		return a
	}).Primary("eu-west-3").Recovery("eu-west-1", pattern.WarmStandby)
	bps, err := m.Build()
	require.NoError(t, err)
	plan, ok := bps["eu-west-3"].Resource("backup_plan/snapshots")
	require.True(t, ok)
	assert.Equal(t, []blueprint.BackupCopy{{Region: "eu-west-1", Vault: "shop-snapshots"}}, plan.BackupPlan.Copies)
	assert.Empty(t, bps["eu-west-1"].OfKind(blueprint.KindBackupPlan))
	assert.Len(t, bps["eu-west-1"].OfKind(blueprint.KindBackupVault), 1)
}
