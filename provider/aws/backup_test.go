package aws_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/aws/internal/mototest"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/providertest"
)

// TestFleetSnapshotsTwoRegions applies the web app over two regions of
// moto with a snapshot schedule of its app tier: the primary's plan reads
// back (GetBackupPlan) with its rule's cron, lifecycle and a copy action
// to the recovery region's vault ARN; both vaults read back
// (DescribeBackupVault); the selection the driver sent (served in-process:
// moto has none) selects the deployment's volumes tagged
// archkit:backup=snapshots with the role the driver made, which IAM holds
// with AWS Backup's trust and managed policy; the app cluster tags its
// volumes. A re-apply writes nothing; the destroy leaves nothing in
// either region, the role and the selection included.
func TestFleetSnapshotsTwoRegions(t *testing.T) {
	t.Parallel()
	const dep = "snaps"
	tds := regionDrivers(t, primaryRegion, recoveryRegion)
	fl := motoFleet(t, tds)
	m := twoRegionWebApp(dep)
	m.Snapshots = &pattern.SnapshotSchedule{Cron: "cron(0 3 * * ? *)", KeepDays: 7, CopyKeepDays: 30, Tiers: []string{"app"}}
	bps, err := m.Build()
	require.NoError(t, err)
	_, err = fl.Apply(t.Context(), m)
	require.NoError(t, err)

	p, r := tds[primaryRegion], tds[recoveryRegion]
	vaults := map[string]string{}
	for region, td := range tds {
		v, err := td.Backup.DescribeBackupVault(t.Context(), &backup.DescribeBackupVaultInput{BackupVaultName: awssdk.String(blueprint.BackupVaultName(dep))})
		require.NoError(t, err, "the vault of %s", region)
		vaults[region] = awssdk.ToString(v.BackupVaultArn)
		assert.Contains(t, vaults[region], ":"+region+":", "each vault in its region")
	}
	plans, err := p.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindBackupPlan})
	require.NoError(t, err)
	require.Len(t, plans, 1)
	none, err := r.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindBackupPlan})
	require.NoError(t, err)
	assert.Empty(t, none, "the schedule runs in the primary")

	got, err := p.Backup.GetBackupPlan(t.Context(), &backup.GetBackupPlanInput{BackupPlanId: awssdk.String(plans[0].ID)})
	require.NoError(t, err)
	require.Len(t, got.BackupPlan.Rules, 1)
	rule := got.BackupPlan.Rules[0]
	assert.Equal(t, "cron(0 3 * * ? *)", awssdk.ToString(rule.ScheduleExpression))
	assert.Equal(t, "Etc/UTC", awssdk.ToString(rule.ScheduleExpressionTimezone))
	assert.Equal(t, blueprint.BackupVaultName(dep), awssdk.ToString(rule.TargetBackupVaultName))
	assert.Equal(t, int64(7), awssdk.ToInt64(rule.Lifecycle.DeleteAfterDays))
	require.Len(t, rule.CopyActions, 1)
	assert.Equal(t, vaults[recoveryRegion], awssdk.ToString(rule.CopyActions[0].DestinationBackupVaultArn), "copied to the recovery region's vault")
	assert.Equal(t, int64(30), awssdk.ToInt64(rule.CopyActions[0].Lifecycle.DeleteAfterDays))

	checkSelection(t, p, dep, plans[0].ID)
	apps, err := p.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindCluster})
	require.NoError(t, err)
	require.Len(t, apps, 1)
	assert.Equal(t, "snapshots", apps[0].Resource.Cluster.Backup, "the launch template tags the volumes")

	for _, td := range tds {
		td.calls.reset()
	}
	res, err := fl.Apply(t.Context(), m)
	require.NoError(t, err)
	for region, td := range tds {
		writes, _, ops := td.calls.snapshot()
		assert.Zero(t, writes, "re-apply wrote in %s: %v", region, ops)
	}
	total := res.Total()
	assert.Zero(t, total.Created+total.Updated+total.Replaced+total.Deleted)

	_, err = fl.Destroy(t.Context(), dep, allowStateful(bps[primaryRegion]))
	require.NoError(t, err)
	for region, td := range tds {
		assert.Empty(t, leftovers(t, td, dep), "left in %s", region)
	}
	_, err = p.IAM.GetRole(t.Context(), &iam.GetRoleInput{RoleName: awssdk.String(blueprint.IAMName(dep, "backup_plan/snapshots"))})
	assert.Error(t, err, "the role goes with the plan")
	ops := map[string]int{}
	for _, s := range p.gaps.Requests() {
		ops[s.Op]++
	}
	assert.Equal(t, map[string]int{"CreateBackupSelection": 1, "DeleteBackupSelection": 1, "AttachRolePolicy": 1, "DetachRolePolicy": 1}, ops)
}

// checkSelection checks the CreateBackupSelection request the SDK sent
// for plan, decoded from its body: the plan's id in the path, a selection
// of EBS volumes with both tags (AND), and the role, which IAM holds
// under the deployment's backup path with AWS Backup's trust and the AWS
// managed policy attached.
func checkSelection(t *testing.T, td *testDriver, dep, plan string) {
	t.Helper()
	var sel, attach *mototest.Served
	for _, s := range td.gaps.Requests() {
		switch s.Op {
		case "CreateBackupSelection":
			sel = &s
		case "AttachRolePolicy":
			attach = &s
		}
	}
	require.NotNil(t, sel, "a CreateBackupSelection was sent")
	assert.Equal(t, plan, sel.Plan)
	b, err := json.Marshal(sel.Body["BackupSelection"])
	require.NoError(t, err)
	var got struct {
		SelectionName string
		IamRoleArn    string
		Resources     []string
		ListOfTags    []any
		Conditions    struct {
			StringEquals []struct{ ConditionKey, ConditionValue string }
		}
	}
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, "archkit-snapshots", got.SelectionName)
	assert.Equal(t, []string{"arn:aws:ec2:*:*:volume/*"}, got.Resources, "EBS volumes only")
	assert.Empty(t, got.ListOfTags, "ListOfTags ORs its tags: the selection uses Conditions, which AND them")
	assert.ElementsMatch(t, []struct{ ConditionKey, ConditionValue string }{
		{"aws:ResourceTag/archkit:deployment", dep}, {"aws:ResourceTag/archkit:backup", "snapshots"}}, got.Conditions.StringEquals)
	assert.NotEmpty(t, sel.Body["CreatorRequestId"], "the request's token")

	role, err := td.IAM.GetRole(t.Context(), &iam.GetRoleInput{RoleName: awssdk.String(blueprint.IAMName(dep, "backup_plan/snapshots"))})
	require.NoError(t, err)
	assert.Equal(t, awssdk.ToString(role.Role.Arn), got.IamRoleArn, "the role the driver made")
	assert.Equal(t, "/archkit/"+dep+"/backup/", awssdk.ToString(role.Role.Path))
	trust, err := url.QueryUnescape(awssdk.ToString(role.Role.AssumeRolePolicyDocument))
	require.NoError(t, err)
	assert.Contains(t, trust, `"Service":"backup.amazonaws.com"`)
	require.NotNil(t, attach, "the managed policy was attached")
	assert.Equal(t, "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup", attach.Form.Get("PolicyArn"))
	assert.Equal(t, blueprint.IAMName(dep, "backup_plan/snapshots"), attach.Form.Get("RoleName"))
}

// TestBackupAnswersLost: the answers of a CreateBackupVault, a
// CreateBackupPlan and a CreateBackupSelection that took effect are lost.
// The SDK sends none of them again (sentOnce); the engine's retry, the
// next Create, finds what the first made (the plan by its name and tags,
// the selection by its name; the vault's repeat is refused as its name is
// taken, and the vault, tagged as the request's, is taken) and makes
// nothing twice: one vault, one plan, one selection.
func TestBackupAnswersLost(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"CreateBackupVault", "CreateBackupPlan", "CreateBackupSelection"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			td := newDriver(t, func(o *aws.Options) { o.APIOptions = append(o.APIOptions, loseFirstAnswer(op)) })
			ctx, dep := t.Context(), "lostbackup"
			vault, plan := backupPair(dep)
			v, err := providertest.CreateRetry(ctx, td.Driver, providertest.Request(dep, vault, nil))
			require.NoError(t, err)
			p, err := providertest.CreateRetry(ctx, td.Driver, providertest.Request(dep, plan, map[string]string{vault.ID: v.ID}))
			require.NoError(t, err)
			want := 1 // found after by a look-up
			if op == "CreateBackupVault" {
				want = 2 // a vault's name is unique: the repeat is AlreadyExists, and the vault, tagged as the request's, is taken
			}
			td.calls.mu.Lock()
			assert.Equal(t, want, td.calls.opAttempts[op])
			td.calls.mu.Unlock()
			for k, want := range map[blueprint.Kind]int{blueprint.KindBackupVault: 1, blueprint.KindBackupPlan: 1} {
				obs, err := td.List(ctx, driver.Query{Deployment: dep, Kind: k})
				require.NoError(t, err)
				assert.Len(t, obs, want, "%s", k)
			}
			got, err := td.Read(ctx, blueprint.KindBackupPlan, p.ID)
			require.NoError(t, err)
			assert.False(t, got.Incomplete, "the plan has its selection")
			n := 0
			for _, s := range td.gaps.Requests() {
				if s.Op == "CreateBackupSelection" {
					n++
				}
			}
			assert.Equal(t, 1, n, "one selection")
			providertest.Destroy(context.WithoutCancel(ctx), t, td.Driver, dep)
		})
	}
}

// TestBackupPlanUserRole: a plan that names the user's role selects with
// it and makes no role: no CreateRole, the selection's IamRoleArn is the
// ARN given, and it reads back as given.
func TestBackupPlanUserRole(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	ctx, dep := t.Context(), "userrole"
	role := "arn:aws:iam::" + td.account + ":role/service-role/my-backup-role"
	vault, plan := backupPair(dep)
	plan.BackupPlan.Role = role
	v, err := providertest.CreateRetry(ctx, td.Driver, providertest.Request(dep, vault, nil))
	require.NoError(t, err)
	p, err := providertest.CreateRetry(ctx, td.Driver, providertest.Request(dep, plan, map[string]string{vault.ID: v.ID}))
	require.NoError(t, err)
	got, err := td.Read(ctx, blueprint.KindBackupPlan, p.ID)
	require.NoError(t, err)
	assert.Equal(t, role, got.Resource.BackupPlan.Role)
	td.calls.mu.Lock()
	assert.Zero(t, td.calls.opAttempts["CreateRole"], "no role made")
	td.calls.mu.Unlock()
	for _, s := range td.gaps.Requests() {
		if s.Op == "CreateBackupSelection" {
			assert.Equal(t, role, s.Body["BackupSelection"].(map[string]any)["IamRoleArn"])
		}
	}
	providertest.Destroy(context.WithoutCancel(ctx), t, td.Driver, dep)
	assert.Empty(t, leftovers(t, td, dep))
}

// backupPair returns the vault and the plan of the conformance suite's
// resources of dep.
func backupPair(dep string) (vault, plan blueprint.Resource) {
	for _, r := range providertest.Resources(dep, nil) {
		switch r.Kind {
		case blueprint.KindBackupVault:
			vault = r
		case blueprint.KindBackupPlan:
			plan = r
		}
	}
	return vault, plan
}

// selectionRequests counts the CreateBackupSelection requests td's
// in-process AWS Backup served, and those of them it refused.
func selectionRequests(td *testDriver) (sent, refused int) {
	for _, s := range td.gaps.Requests() {
		if s.Op == "CreateBackupSelection" {
			sent++
			if s.Refused {
				refused++
			}
		}
	}
	return sent, refused
}

// TestBackupSelectionWaitsForRole: IAM is eventually consistent, and AWS
// Backup refuses a selection whose role, just made, it cannot assume yet
// (InvalidParameterValueException "IAM Role ... cannot be assumed by AWS
// Backup", injected three times by the in-process AWS Backup). One
// Create of the plan sends the selection again until it is taken:
// exactly one selection made, the plan complete. A refusal that never
// ends stops at the driver's wait bound with an error that names the role
// and the fix; the plan reads back Incomplete, without a selection.
func TestBackupSelectionWaitsForRole(t *testing.T) {
	t.Parallel()
	t.Run("Propagates", func(t *testing.T) {
		t.Parallel()
		td := newDriver(t)
		td.gaps.RefuseRole(3)
		ctx, dep := t.Context(), "rolelag"
		vault, plan := backupPair(dep)
		v, err := td.Create(ctx, providertest.Request(dep, vault, nil))
		require.NoError(t, err)
		p, err := td.Create(ctx, providertest.Request(dep, plan, map[string]string{vault.ID: v.ID}))
		require.NoError(t, err, "one Create waits for the role")
		sent, refused := selectionRequests(td)
		assert.Equal(t, 4, sent, "refused three times, then taken")
		assert.Equal(t, 3, refused)
		sels, err := td.Backup.ListBackupSelections(ctx, &backup.ListBackupSelectionsInput{BackupPlanId: awssdk.String(p.ID)})
		require.NoError(t, err)
		assert.Len(t, sels.BackupSelectionsList, 1, "exactly one selection")
		got, err := td.Read(ctx, blueprint.KindBackupPlan, p.ID)
		require.NoError(t, err)
		assert.False(t, got.Incomplete, "the plan has its selection")
		checkSelection(t, td, dep, p.ID)
		providertest.Destroy(context.WithoutCancel(ctx), t, td.Driver, dep)
		assert.Empty(t, leftovers(t, td, dep))
	})
	t.Run("Never", func(t *testing.T) {
		t.Parallel()
		td := newDriver(t, func(o *aws.Options) { o.WaitTimeout = 300 * time.Millisecond })
		td.gaps.RefuseRole(-1)
		ctx, dep := t.Context(), "rolenever"
		vault, plan := backupPair(dep)
		v, err := td.Create(ctx, providertest.Request(dep, vault, nil))
		require.NoError(t, err)
		_, err = td.Create(ctx, providertest.Request(dep, plan, map[string]string{vault.ID: v.ID}))
		require.Error(t, err)
		t.Logf("the error: %v", err)
		role := "arn:aws:iam::" + td.account + ":role/archkit/" + dep + "/backup/" + blueprint.IAMName(dep, plan.ID)
		assert.ErrorContains(t, err, role, "the error names the role")
		assert.ErrorContains(t, err, "backup.amazonaws.com", "and what to check")
		assert.Equal(t, driver.Invalid, driver.CodeOf(err), "%v", err)
		var pe *driver.Error
		require.ErrorAs(t, err, &pe)
		assert.False(t, pe.Retryable, "the engine does not send it again: the driver waited already")
		sent, refused := selectionRequests(td)
		assert.Equal(t, sent, refused, "no selection made")
		assert.Greater(t, sent, 1, "sent again while the bound allows")
		obs, err := td.List(ctx, driver.Query{Deployment: dep, Kind: blueprint.KindBackupPlan})
		require.NoError(t, err)
		require.Len(t, obs, 1)
		assert.True(t, obs[0].Incomplete, "a plan without its selection")
		providertest.Destroy(context.WithoutCancel(ctx), t, td.Driver, dep)
		assert.Empty(t, leftovers(t, td, dep))
	})
}
