package blueprint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// TagBackup is the tag a cluster's volumes carry when a backup plan
// selects them ([ClusterSpec.Backup]): its value names the plan's
// selection ([BackupPlanSpec.Select]). A plan selects the volumes that
// carry both this tag with its value and the deployment's ownership tag,
// so that it never takes another deployment's volumes.
const TagBackup = "archkit:backup"

// BackupVaultSpec is a vault that holds recovery points: an AWS Backup
// vault. A schedule's snapshots go to the vault of the plan's region, and
// their copies to the vault of the same name in each recovery region
// ([BackupCopy]). A vault is stateful: AWS refuses to delete a vault that
// holds recovery points (DeleteBackupVault: InvalidRequestException), and
// the engine never deletes one without the caller's AllowDataLoss; with
// it, the driver deletes the recovery points first. OUTSCALE has no such
// service.
type BackupVaultSpec struct {
	// Name is unique in the account and region: 2 to 50 letters, digits,
	// hyphens and underscores (AWS Backup CreateBackupVault).
	Name string `json:"name"`
}

// BackupPlanSpec is a snapshot schedule: an AWS Backup plan with one rule
// (a cron schedule in UTC, a lifecycle in days, a copy to each recovery
// region's vault) and one selection: the EBS volumes tagged with the
// deployment's ownership tag and [TagBackup] = Select, which the cluster
// launch templates put on the volumes they start ([ClusterSpec.Backup]).
// AWS Backup assumes an IAM role to take the snapshots: Role, or, when
// empty, a role the driver creates under the deployment's path with the
// AWS managed policy AWSBackupServiceRolePolicyForBackup.
//
// A plan never changes in place: its name carries a hash of its spec
// ([BackupPlanName]), and a changed schedule is a new plan made before the
// old one goes; the recovery points stay in the vaults.
type BackupPlanSpec struct {
	// Name is unique in the account and region: 1 to 50 letters, digits
	// and -_. (AWS Backup BackupPlanName).
	Name string `json:"name"`
	// Vault is the backup_vault of the plan's region the snapshots go to.
	Vault Ref `json:"vault"`
	// Schedule is an AWS Backup cron expression, in UTC: "cron(0 3 * * ? *)"
	// (minutes, hours, day of month, month, day of week, year; one of the
	// two days is "?").
	Schedule string `json:"schedule"`
	// KeepDays is how long a snapshot is kept (Lifecycle DeleteAfterDays),
	// at least 1.
	KeepDays int `json:"keep_days"`
	// ColdAfterDays moves a snapshot to cold storage after that many days
	// (MoveToColdStorageAfterDays); 0: never. A snapshot then stays at
	// least 90 days in cold storage: KeepDays >= ColdAfterDays + 90.
	ColdAfterDays int `json:"cold_after_days,omitempty"`
	// Copies are the vaults of other regions each snapshot is copied to.
	Copies []BackupCopy `json:"copies,omitempty"`
	// Select is the value of [TagBackup] on the volumes the plan takes.
	Select string `json:"select"`
	// Role is the ARN of the IAM role AWS Backup assumes, the user's;
	// "": the driver creates one ([IAMName] of the deployment and the
	// plan's logical id).
	Role string `json:"role,omitempty"`
}

// BackupCopy is a copy of every snapshot of a plan into another region's
// vault (an AWS Backup CopyAction whose destination is that vault's ARN).
type BackupCopy struct {
	// Region is the region of the destination vault.
	Region string `json:"region"`
	// Vault is the destination vault's name in Region.
	Vault string `json:"vault"`
	// KeepDays is how long a copy is kept; 0: the plan's KeepDays.
	KeepDays int `json:"keep_days,omitempty"`
}

func (s *BackupVaultSpec) refs() []*Ref            { return nil }
func (s *BackupVaultSpec) clone() *BackupVaultSpec { c := *s; return &c }
func (s *BackupVaultSpec) normalize()              {}

func (s *BackupPlanSpec) refs() []*Ref { return []*Ref{&s.Vault} }
func (s *BackupPlanSpec) clone() *BackupPlanSpec {
	c := *s
	c.Copies = slices.Clone(s.Copies)
	return &c
}

func (s *BackupPlanSpec) normalize() {
	for i := range s.Copies {
		if s.Copies[i].KeepDays == s.KeepDays {
			s.Copies[i].KeepDays = 0
		}
	}
	slices.SortFunc(s.Copies, func(a, b BackupCopy) int { return strings.Compare(a.Region, b.Region) })
}

// CopyKeepDays returns how long c's copies are kept: c's KeepDays, or
// the plan's (0 for a nil plan).
func (s *BackupPlanSpec) CopyKeepDays(c BackupCopy) int {
	switch {
	case c.KeepDays > 0:
		return c.KeepDays
	case s == nil:
		return 0
	}
	return s.KeepDays
}

// Limits of AWS Backup names and lifecycles (AWS Backup API Reference:
// CreateBackupVault, BackupPlanInput, Lifecycle).
const (
	MaxBackupName = 50
	// MinColdStorageDays is how long a recovery point stays in cold
	// storage at least: DeleteAfterDays >= MoveToColdStorageAfterDays + 90.
	MinColdStorageDays = 90
)

// BackupVaultName returns the name of the deployment's vault, the same
// in every region: "<deployment>-snapshots", cut to 50 characters.
func BackupVaultName(deployment string) string {
	return cut(cleanBackupName(deployment)+"-snapshots", MaxBackupName)
}

// BackupPlanName returns the name of plan s of deployment: the deployment
// and a hash of everything in the spec but its name, so that a changed
// schedule is a new plan: "<deployment>-snapshots-<8 hex>".
func BackupPlanName(deployment string, s BackupPlanSpec) string {
	s.Name, s.Role = "", "" // the role is the selection's, not the plan's identity
	c := s.clone()
	c.normalize()
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return cut(cleanBackupName(deployment)+"-snapshots", MaxBackupName-9) + "-" + hex.EncodeToString(sum[:4])
}

func cleanBackupName(s string) string {
	return strings.Map(func(r rune) rune {
		if backupNameRune(r) {
			return r
		}
		return '-'
	}, s)
}

func backupNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (ps *problems) backupVault(s *BackupVaultSpec) {
	if s == nil {
		return
	}
	ps.backupName("backup_vault.name", s.Name, 2, "2-50 letters, digits, - and _", "name it like blueprint.BackupVaultName gives")
}

func (ps *problems) backupName(field, name string, min int, what, fix string) {
	if len(name) < min || len(name) > MaxBackupName || strings.IndexFunc(name, func(r rune) bool { return !backupNameRune(r) && r != '.' }) >= 0 ||
		(min == 2 && strings.Contains(name, ".")) {
		ps.add(field, strconv.Quote(name), "not "+what, fix)
	}
}

func (ps *problems) backupPlan(s *BackupPlanSpec) {
	if s == nil {
		return
	}
	ps.backupName("backup_plan.name", s.Name, 1, "1-50 letters, digits and -_.", "name it like blueprint.BackupPlanName gives")
	ps.need("backup_plan.vault", string(s.Vault), "the backup_vault the snapshots go to")
	ps.need("backup_plan.select", s.Select, "the value of the archkit:backup tag on the volumes to snapshot")
	if err := CheckBackupCron(s.Schedule); err != nil {
		ps.add("backup_plan.schedule", strconv.Quote(s.Schedule), err.Error(), `write an AWS Backup cron expression in UTC, such as "cron(0 3 * * ? *)" (daily at 03:00)`)
	}
	ps.lifecycle("backup_plan.keep_days", s.KeepDays, s.ColdAfterDays)
	seen := map[string]bool{}
	for i, c := range s.Copies {
		f := fmt.Sprintf("backup_plan.copies[%d]", i)
		ps.need(f+".region", c.Region, "the region of the vault copies go to")
		ps.backupName(f+".vault", c.Vault, 2, "2-50 letters, digits, - and _", "name the recovery region's vault (blueprint.BackupVaultName)")
		if c.KeepDays < 0 {
			ps.add(f+".keep_days", strconv.Itoa(c.KeepDays), "negative", "give 0 (the plan's keep_days) or more")
		} else if c.KeepDays > 0 {
			ps.lifecycle(f+".keep_days", c.KeepDays, s.ColdAfterDays)
		}
		if seen[c.Region] {
			ps.add(f+".region", strconv.Quote(c.Region), "copied to twice", "copy to each region once")
		}
		seen[c.Region] = true
	}
	if s.Role != "" && !strings.HasPrefix(s.Role, "arn:") {
		ps.add("backup_plan.role", strconv.Quote(s.Role), "not an IAM role ARN", `give "arn:aws:iam::<account>:role/<name>", or "" to let archkit create the role`)
	}
}

// lifecycle checks a lifecycle of AWS Backup: kept at least one day, and
// 90 days in cold storage when moved there.
func (ps *problems) lifecycle(field string, keep, cold int) {
	switch {
	case keep < 1:
		ps.add(field, strconv.Itoa(keep), "a snapshot kept less than a day", "keep snapshots 1 day or more")
	case cold < 0:
		ps.add("backup_plan.cold_after_days", strconv.Itoa(cold), "negative", "give 0 (never) or the days before the move to cold storage")
	case cold > 0 && keep < cold+MinColdStorageDays:
		ps.add(field, strconv.Itoa(keep), fmt.Sprintf("moved to cold storage after %d days, a snapshot stays there %d days at least (AWS Backup Lifecycle)", cold, MinColdStorageDays),
			fmt.Sprintf("keep it %d days or more, or do not move it to cold storage", cold+MinColdStorageDays))
	}
}
