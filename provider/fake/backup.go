package fake

import (
	"fmt"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateBackupVault checks a vault as AWS Backup does: a name no other
// vault of the region has (AlreadyExistsException).
func (d *Driver) validateBackupVault(op string, e, old *entry) error {
	for _, o := range d.keyed(e.kind, nameKey(e.res.BackupVault.Name), old) {
		return d.errf(op, e.kind, e.res.ID, driver.AlreadyExists, "backup_vault.name: %q: used by %s (AlreadyExistsException)", e.res.BackupVault.Name, o.id)
	}
	return nil
}

// validateBackupPlan checks a plan as AWS Backup does: its rule's vault
// exists in the region (CreateBackupPlan: InvalidParameterValueException
// otherwise) and no other plan has its name (AlreadyExistsException).
// The copies' vaults are in other regions: AWS checks them only when a
// copy job runs, and neither does the fake.
func (d *Driver) validateBackupPlan(op string, e, old *entry) error {
	s := e.res.BackupPlan
	if _, err := d.ref(op, e, "backup_plan.vault", s.Vault, blueprint.KindBackupVault); err != nil {
		return err
	}
	for _, o := range d.keyed(e.kind, nameKey(s.Name), old) {
		return d.errf(op, e.kind, e.res.ID, driver.AlreadyExists, "backup_plan.name: %q: used by %s (AlreadyExistsException)", s.Name, o.id)
	}
	return nil
}

// AddRecoveryPoints puts n recovery points in the backup vault id, as the
// jobs of a backup plan (or its copies from another region) do. A vault
// that holds recovery points is not deleted unless the delete lifts its
// protection (the engine does with AllowDataLoss), which deletes them
// first, as the AWS driver does (DeleteRecoveryPoint) and as AWS requires
// (DeleteBackupVault refuses a vault that is not empty).
func (d *Driver) AddRecoveryPoints(id string, n int) error {
	if !d.usable() {
		return errNilDriver
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.res[id]
	if !ok || e.kind != blueprint.KindBackupVault {
		return fmt.Errorf("fake: no backup vault %s", id)
	}
	e.points += max(n, 0)
	return nil
}

// RecoveryPoints returns the recovery points of the backup vault id (0
// when there is no such vault).
func (d *Driver) RecoveryPoints(id string) int {
	if !d.usable() {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.res[id]; ok && e.kind == blueprint.KindBackupVault {
		return e.points
	}
	return 0
}
