package pattern

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
)

// SnapshotSchedule takes snapshots of the volumes of some clusters on a
// schedule, keeps them KeepDays, and copies each to the vault of every
// recovery region (the OUTSCALE three-tier document: "volume snapshots
// taken on a schedule and copied to the other region").
//
// On AWS it is AWS Backup: a vault in each region (kind backup_vault, the
// recovery regions' vaults the copies' destinations) and a plan (kind
// backup_plan: one rule with the cron schedule, the lifecycle and a
// CopyAction per recovery region, and a selection by tag with the IAM role
// AWS Backup assumes). The selected clusters' launch templates tag their
// volumes at creation (archkit:backup = "snapshots", with the deployment's
// ownership tag, both of which the selection requires). OUTSCALE's API has
// no snapshot scheduler: the schedule is refused there, or dropped with a
// notice under AllowFallback.
//
// It is declared on the [Architecture] (Snapshots) for one region, on
// [MultiRegion] (or [Recovery]) for a deployment over regions: the
// schedule runs in the primary region, where the clusters' data is
// written, and the copies go to each recovery region, where a failover
// restores them. A schedule never selects a database's volumes: a
// snapshot of a running database's volume is not consistent (the
// database document); lint PT033 refuses it.
type SnapshotSchedule struct {
	// Cron is an AWS Backup cron expression in UTC:
	// "cron(0 3 * * ? *)" (daily at 03:00 UTC). Six fields: minutes,
	// hours, day of month, month, day of week, year; one of the two days
	// is "?".
	Cron string
	// KeepDays is how long a snapshot is kept, in days: 1 or more.
	KeepDays int
	// ColdAfterDays moves snapshots to cold storage after that many days;
	// 0: never. AWS keeps a snapshot 90 days in cold storage at least:
	// KeepDays >= ColdAfterDays + 90.
	ColdAfterDays int
	// CopyKeepDays is how long the copies in the recovery regions are
	// kept; 0: KeepDays.
	CopyKeepDays int
	// Tiers are the tiers whose clusters' volumes are snapshot: stateless
	// clusters whose volumes keep something worth restoring (uploads,
	// caches warmed from disk). A database or cache tier is a lint error
	// (PT033): use the database's own backups.
	Tiers []string
	// Role is the ARN of the IAM role AWS Backup assumes to take and copy
	// the snapshots; "": archkit creates one with the AWS managed policy
	// AWSBackupServiceRolePolicyForBackup.
	Role string
	// CopyTo lists the regions each snapshot is copied to, whose vault
	// has the deployment's vault name ([blueprint.BackupVaultName]).
	// [MultiRegion] sets it to its recovery regions in the primary's
	// architecture.
	CopyTo []string
}

// snapshotsID is the logical name of the deployment's schedule, its
// vault and the value of the volumes' archkit:backup tag.
const snapshotsID = "snapshots"

// validateSnapshots checks the schedule, each problem naming its field
// under "snapshots" and the fix, before any call.
func (d *design) validateSnapshots() []error {
	s := d.arch.Snapshots
	if s == nil {
		return nil
	}
	var errs []error
	if err := blueprint.CheckBackupCron(s.Cron); err != nil {
		errs = append(errs, errf("snapshots.cron", strconv.Quote(s.Cron), err.Error(), `write an AWS Backup cron expression in UTC: "cron(0 3 * * ? *)" runs daily at 03:00`))
	}
	switch {
	case s.KeepDays < 1:
		errs = append(errs, errf("snapshots.keep_days", strconv.Itoa(s.KeepDays), "snapshots kept less than a day", "keep them 1 day or more"))
	case s.ColdAfterDays < 0:
		errs = append(errs, errf("snapshots.cold_after_days", strconv.Itoa(s.ColdAfterDays), "negative", "give 0 (never) or the days before the move"))
	case s.ColdAfterDays > 0 && s.KeepDays < s.ColdAfterDays+blueprint.MinColdStorageDays:
		errs = append(errs, errf("snapshots.keep_days", strconv.Itoa(s.KeepDays),
			fmt.Sprintf("moved to cold storage after %d days, a snapshot stays there %d days at least", s.ColdAfterDays, blueprint.MinColdStorageDays),
			fmt.Sprintf("keep it %d days or more, or set cold_after_days 0", s.ColdAfterDays+blueprint.MinColdStorageDays)))
	}
	if s.CopyKeepDays < 0 || (s.CopyKeepDays > 0 && s.ColdAfterDays > 0 && s.CopyKeepDays < s.ColdAfterDays+blueprint.MinColdStorageDays) {
		errs = append(errs, errf("snapshots.copy_keep_days", strconv.Itoa(s.CopyKeepDays), "not a lifecycle AWS Backup takes",
			fmt.Sprintf("give 0 (keep_days) or at least 1 day (%d with cold storage)", s.ColdAfterDays+blueprint.MinColdStorageDays)))
	}
	if len(s.Tiers) == 0 {
		errs = append(errs, errf("snapshots.tiers", "[]", "no tier selected", "name the tiers whose cluster volumes to snapshot"))
	}
	for i, t := range s.Tiers {
		if _, ok := d.tiers[t]; !ok {
			errs = append(errs, errf(fmt.Sprintf("snapshots.tiers[%d]", i), strconv.Quote(t), "no such tier", "name a tier of the architecture"))
		}
	}
	for i, r := range s.CopyTo {
		if r == "" || slices.Index(s.CopyTo, r) < i {
			errs = append(errs, errf(fmt.Sprintf("snapshots.copy_to[%d]", i), strconv.Quote(r), "empty or given twice", "name each recovery region once"))
		}
	}
	if s.Role != "" && !validRoleARN(s.Role) {
		errs = append(errs, errf("snapshots.role", strconv.Quote(s.Role), "not an IAM role ARN", `give "arn:aws:iam::<account>:role/<name>", or "" to let archkit create it`))
	}
	if n := len(blueprint.BackupVaultName(d.arch.Name)); d.arch.Name == "" || n > blueprint.MaxBackupName {
		errs = append(errs, errf("name", strconv.Quote(d.arch.Name), "no vault name can be made of it", "name the deployment"))
	}
	return errs
}

// validRoleARN reports whether s reads as an IAM role's ARN:
// arn:<partition>:iam::<12-digit account>:role/<path and name>.
func validRoleARN(s string) bool {
	f := strings.SplitN(s, ":", 6)
	return len(f) == 6 && f[0] == "arn" && f[2] == "iam" && f[3] == "" && len(f[4]) == 12 &&
		strings.HasPrefix(f[5], "role/") && len(f[5]) > len("role/")
}

// snapshotTag returns the archkit:backup tag value of tier's volumes: the
// schedule's when it selects the tier, "" otherwise.
func (d *design) snapshotTag(tierName string) string {
	if s := d.arch.Snapshots; s != nil && slices.Contains(s.Tiers, tierName) {
		return snapshotsID
	}
	return ""
}

// snapshots adds the vault and the plan of the schedule, or the vault
// alone in a region that receives another region's copies.
func (b *bpBuilder) snapshots() {
	a := b.d.arch
	if a.Snapshots == nil && a.SnapshotCopiesFrom == "" {
		return
	}
	vault := id(blueprint.KindBackupVault, snapshotsID)
	b.add(blueprint.Resource{ID: vault, Kind: blueprint.KindBackupVault, BackupVault: &blueprint.BackupVaultSpec{Name: blueprint.BackupVaultName(a.Name)}})
	s := a.Snapshots
	if s == nil {
		return
	}
	spec := blueprint.BackupPlanSpec{Vault: blueprint.Ref(vault), Schedule: s.Cron, KeepDays: s.KeepDays, ColdAfterDays: s.ColdAfterDays,
		Select: snapshotsID, Role: s.Role}
	for _, r := range s.CopyTo {
		spec.Copies = append(spec.Copies, blueprint.BackupCopy{Region: r, Vault: blueprint.BackupVaultName(a.Name), KeepDays: s.CopyKeepDays})
	}
	spec.Name = blueprint.BackupPlanName(a.Name, spec)
	b.add(blueprint.Resource{ID: id(blueprint.KindBackupPlan, snapshotsID), Kind: blueprint.KindBackupPlan, BackupPlan: &spec})
}

// lintSnapshots finds the schedules that select a database's or a
// stateful cluster's volumes (PT033): a snapshot of the volume of a
// running database is taken while it writes, and restores a database
// that may not start or may have lost committed transactions (the
// database document: never snapshot the volume of a running database).
func (d *design) lintSnapshots() []netplan.Finding {
	s := d.arch.Snapshots
	if s == nil {
		return nil
	}
	var fs []netplan.Finding
	for i, t := range s.Tiers {
		subj := fmt.Sprintf("snapshots.tiers[%d]", i)
		switch db, c := d.dbs[t], d.caches[t]; {
		case db != nil:
			fs = append(fs, finding("PT033", subj, fmt.Sprintf("tier %s is a database: a snapshot of its running volumes is not consistent", t),
				"remove it from snapshots.tiers; keep the managed database's own backups (BackupRetentionDays, its final snapshot, a cross-region replica) or a database-aware dump"))
		case c != nil:
			fs = append(fs, finding("PT033", subj, fmt.Sprintf("tier %s is a cache: a snapshot of its running volumes is not consistent", t),
				"remove it from snapshots.tiers; use the cache's own snapshots (SnapshotRetentionDays)"))
		case d.clusters[t] != nil && !d.clusters[t].Stateless:
			fs = append(fs, finding("PT033", subj, fmt.Sprintf("cluster %s is stateful (a database or a bus on VMs): a snapshot of its running volumes is not consistent", t),
				"remove it from snapshots.tiers and back it up with the service's own tool (a database-aware dump), or mark the cluster Stateless if its volumes hold nothing to restore"))
		}
	}
	return fs
}
