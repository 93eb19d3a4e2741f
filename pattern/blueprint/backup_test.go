package blueprint_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/archkit/archkit/pattern/blueprint"
)

func TestCheckBackupCron(t *testing.T) {
	t.Parallel()
	for expr, ok := range map[string]bool{
		"cron(0 3 * * ? *)":          true,
		"cron(0 5 ? * MON-FRI *)":    true,
		"cron(0/15 */6 1,15 * ? *)":  true,
		"cron(0 3 L * ? *)":          true,
		"cron(0 3 ? * 6#3 2027)":     true,
		"cron(0 3 * * ?)":            false, // five fields
		"cron(0 3 * * * *)":          false, // no "?"
		"cron(0 3 ? * ? *)":          false, // two "?"
		"cron(60 3 * * ? *)":         false,
		"cron(0 3 * 13 ? *)":         false,
		"cron(0 3 * * ? *":           false,
		"rate(1 day)":                false,
		"0 3 * * ? *":                false,
		"cron(0 3 * JAN-XYZ ? *)":    false,
		"cron(0/0 3 * * ? *)":        false,
		"cron(? 3 * * ? *)":          false,
		"cron(0 3 * * ? 1969)":       false,
		"cron(0 3 * * ? *) trailing": false,
	} {
		assert.Equal(t, ok, blueprint.CheckBackupCron(expr) == nil, "%s: %v", expr, blueprint.CheckBackupCron(expr))
	}
}

func TestCheckBackupSpecs(t *testing.T) {
	t.Parallel()
	plan := func(f func(*blueprint.BackupPlanSpec)) blueprint.Resource {
		s := &blueprint.BackupPlanSpec{Name: "shop-snapshots-0a1b2c3d", Vault: "backup_vault/snapshots", Schedule: "cron(0 3 * * ? *)",
			KeepDays: 7, Select: "snapshots", Copies: []blueprint.BackupCopy{{Region: "eu-west-1", Vault: "shop-snapshots"}}}
		f(s)
		return blueprint.Resource{ID: "backup_plan/snapshots", Kind: blueprint.KindBackupPlan, BackupPlan: s}
	}
	vault := func(name string) blueprint.Resource {
		return blueprint.Resource{ID: "backup_vault/snapshots", Kind: blueprint.KindBackupVault, BackupVault: &blueprint.BackupVaultSpec{Name: name}}
	}
	for _, tc := range []struct {
		r    blueprint.Resource
		want []string // fields named; none: valid
	}{
		{vault("shop-snapshots"), nil},
		{vault("a"), []string{"backup_vault.name"}},
		{vault("shop.snapshots"), []string{"backup_vault.name"}},
		{vault(string(make([]byte, 51))), []string{"backup_vault.name"}},
		{plan(func(*blueprint.BackupPlanSpec) {}), nil},
		{plan(func(s *blueprint.BackupPlanSpec) { s.Schedule = "cron(0 3 * *)" }), []string{"backup_plan.schedule"}},
		{plan(func(s *blueprint.BackupPlanSpec) { s.KeepDays = 0 }), []string{"backup_plan.keep_days"}},
		{plan(func(s *blueprint.BackupPlanSpec) { s.KeepDays, s.ColdAfterDays = 100, 30 }), []string{"backup_plan.keep_days"}},
		{plan(func(s *blueprint.BackupPlanSpec) { s.KeepDays, s.ColdAfterDays = 120, 30 }), nil},
		{plan(func(s *blueprint.BackupPlanSpec) { s.Copies[0].KeepDays = 50; s.KeepDays, s.ColdAfterDays = 120, 30 }), []string{"backup_plan.copies[0].keep_days"}},
		{plan(func(s *blueprint.BackupPlanSpec) { s.Copies = append(s.Copies, s.Copies[0]) }), []string{"backup_plan.copies[1].region"}},
		{plan(func(s *blueprint.BackupPlanSpec) { s.Copies[0].Vault = "x y" }), []string{"backup_plan.copies[0].vault"}},
		{plan(func(s *blueprint.BackupPlanSpec) { s.Select, s.Vault = "", "" }), []string{"backup_plan.select", "backup_plan.vault"}},
		{plan(func(s *blueprint.BackupPlanSpec) { s.Role = "my-role" }), []string{"backup_plan.role"}},
		{plan(func(s *blueprint.BackupPlanSpec) { s.Name = "" }), []string{"backup_plan.name"}},
	} {
		err := tc.r.Check()
		if len(tc.want) == 0 {
			assert.NoError(t, err, "%+v", tc.r.Spec())
			continue
		}
		if assert.Error(t, err, "%+v", tc.r.Spec()) {
			for _, f := range tc.want {
				assert.Contains(t, err.Error(), f)
			}
		}
	}
}
