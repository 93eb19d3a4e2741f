package providertest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// GapBackupRecoveryPoints: the backend keeps no recovery points in a
// backup vault (moto 5.2: NumberOfRecoveryPoints is always 0, and it
// deletes any vault), so the refusal of a non-empty vault's delete is not
// checked there; the fake proves it (fake.Driver.AddRecoveryPoints), and
// the AWS driver reads NumberOfRecoveryPoints before it deletes.
const GapBackupRecoveryPoints = "backup-recovery-points"

// RecoveryPointer is a backend that can put recovery points in a backup
// vault, as the jobs of a backup plan do ([fake.Driver] is one).
type RecoveryPointer interface {
	AddRecoveryPoints(id string, n int) error
}

// testBackup checks the snapshot schedule's kinds where the driver has
// them: a vault and a plan into it, created and read back complete (the
// plan with its selection), and a vault that holds recovery points, whose
// delete is refused without LiftProtection (AWS DeleteBackupVault:
// InvalidRequestException) and done with it. A driver without them
// refuses the Create with ErrUnsupported.
func testBackup(ctx context.Context, t *testing.T, s *suite) {
	dep := s.deployment(t, "backup")
	var vault, plan blueprint.Resource
	for _, r := range Resources(dep, nil) {
		switch r.Kind {
		case blueprint.KindBackupVault:
			vault = r
		case blueprint.KindBackupPlan:
			plan = r
		}
	}
	if !s.d.Capabilities().Supports(blueprint.KindBackupVault) {
		if _, err := s.d.Create(ctx, Request(dep, vault, nil)); !errors.Is(err, driver.ErrUnsupported) {
			t.Errorf("Create backup_vault on %s, which has none: err = %v; want ErrUnsupported", s.d.Name(), err)
		}
		return
	}
	v, err := CreateRetry(ctx, s.d, Request(dep, vault, nil))
	if err != nil {
		t.Fatalf("Create %s: %v", vault.ID, err)
	}
	p, err := CreateRetry(ctx, s.d, Request(dep, plan, map[string]string{vault.ID: v.ID}))
	if err != nil {
		t.Fatalf("Create %s: %v", plan.ID, err)
	}
	if got, err := s.d.Read(ctx, blueprint.KindBackupPlan, p.ID); err != nil || got.Incomplete {
		t.Errorf("Read %s: %+v, %v; want it complete (its selection made)", plan.ID, got, err)
	}
	if err := DeleteRetry(ctx, s.d, p); err != nil {
		t.Fatalf("Delete %s: %v", plan.ID, err)
	}
	rp, ok := s.d.(RecoveryPointer)
	if !ok {
		s.check(t, GapBackupRecoveryPoints, fmt.Errorf("%s cannot hold recovery points: a non-empty vault's delete is not checked", s.d.Name()))
		return
	}
	if err := rp.AddRecoveryPoints(v.ID, 2); err != nil {
		t.Fatalf("AddRecoveryPoints: %v", err)
	}
	if err := s.d.Delete(ctx, v, driver.DeleteOptions{}); !errors.Is(err, driver.ErrInvalid) {
		t.Errorf("Delete of a vault with recovery points without LiftProtection: err = %v; want ErrInvalid (InvalidRequestException)", err)
	}
	if err := s.d.Delete(ctx, v, driver.DeleteOptions{LiftProtection: true}); err != nil {
		t.Errorf("Delete of a vault with recovery points with LiftProtection: %v; want its points deleted, then the vault", err)
	}
}
