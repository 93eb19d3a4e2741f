package aws

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	backuptypes "github.com/aws/aws-sdk-go-v2/service/backup/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// A backup_plan is an AWS Backup plan with one rule (CreateBackupPlan:
// ScheduleExpression in UTC, Lifecycle, one CopyAction per recovery
// region whose DestinationBackupVaultArn is that region's vault) and one
// selection (CreateBackupSelection): the EBS volumes whose tags hold the
// deployment's ownership tag and archkit:backup = Select (Conditions
// StringEquals, which AWS Backup joins with AND), with the IAM role AWS
// Backup assumes. The role is the spec's, or one the driver creates under
// "/archkit/<deployment>/backup/" that backup.amazonaws.com may assume,
// with the AWS managed policy AWSBackupServiceRolePolicyForBackup
// attached. Its provider id is the plan's BackupPlanId.
//
// A plan never changes in place (its name carries a hash of its spec):
// the engine makes the new one before it deletes the old one, whose
// recovery points stay in the vaults. A plan without its selection (an
// earlier try cut short) reads back Incomplete, and Update completes it.
//
// moto 5.2 serves the plan (CreateBackupPlan, GetBackupPlan,
// ListBackupPlans, DeleteBackupPlan, ListTags) but no selection
// (CreateBackupSelection and ListBackupSelections answer HTTP 500, not
// implemented) and loads no AWS managed policy by default: the AWS tests
// serve the selections on 127.0.0.1 in front of moto and check the
// requests' bodies (see the conformance suite's GapBackupSelection).

const planKind = string(blueprint.KindBackupPlan)

// backupTrust lets AWS Backup assume the role.
const backupTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"backup.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// backupPolicy is the AWS managed policy of the role the driver creates
// (AWS Backup Developer Guide, "Managed policies for AWS Backup").
const backupPolicy = "policy/service-role/AWSBackupServiceRolePolicyForBackup"

// ruleName is the name of the plan's one rule.
const ruleName = "archkit-snapshots"

func backupRolePath(deployment string) string { return rolePath(deployment) + "backup/" }

// selectionName is the name of the plan's one selection.
func selectionName(sel string) string {
	n := "archkit-" + sel
	if len(n) > blueprint.MaxBackupName {
		n = n[:blueprint.MaxBackupName]
	}
	return n
}

// createBackupPlan creates the plan, or takes the one an earlier try
// made (found by its name and tags), then its role and its selection.
func (d *Driver) createBackupPlan(ctx context.Context, req driver.Request) (driver.Observed, error) {
	s := req.Resource.BackupPlan
	if err := d.needBackup("CreateBackupPlan", planKind, req.Resource.ID); err != nil {
		return driver.Observed{}, err
	}
	id, err := d.earlierPlan(ctx, req)
	switch {
	case err != nil:
		return driver.Observed{}, err
	case id != "":
		return d.completePlan(ctx, req, id, true)
	}
	plan, err := d.planInput(ctx, s)
	if err != nil {
		return driver.Observed{}, err
	}
	out, err := d.Backup.CreateBackupPlan(ctx, &backup.CreateBackupPlanInput{BackupPlan: plan, BackupPlanTags: withTags(req.Tags),
		CreatorRequestId: tokenOf(req)})
	if err != nil {
		return driver.Observed{}, mapErr("CreateBackupPlan", planKind, req.Resource.ID, err)
	}
	return d.completePlan(ctx, req, awssdk.ToString(out.BackupPlanId), false)
}

// completePlan makes the plan's role and its selection (unless look
// finds one made already: a plan of an earlier try), and returns the
// plan as made.
func (d *Driver) completePlan(ctx context.Context, req driver.Request, id string, look bool) (driver.Observed, error) {
	role, err := d.backupRole(ctx, req)
	if err != nil {
		return driver.Observed{}, err
	}
	if err := d.ensureSelection(ctx, req, id, role, look); err != nil {
		return driver.Observed{}, err
	}
	o := observed(blueprint.KindBackupPlan, id, withTags(req.Tags), true, "available")
	o.Resource.BackupPlan = req.Resource.BackupPlan
	o.Resource = o.Resource.Clone()
	o.Resource.ID = req.Resource.ID
	o.Resource.Normalize()
	return o, nil
}

// earlierPlan returns the id of the plan of the request's name that an
// earlier try made for the same resource, "" when there is none; a plan
// of that name of anything else is AlreadyExists.
func (d *Driver) earlierPlan(ctx context.Context, req driver.Request) (string, error) {
	p := backup.NewListBackupPlansPaginator(d.Backup, &backup.ListBackupPlansInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return "", mapErr("ListBackupPlans", planKind, req.Resource.ID, err)
		}
		for _, pl := range page.BackupPlansList {
			if awssdk.ToString(pl.BackupPlanName) != req.Resource.BackupPlan.Name || pl.DeletionDate != nil {
				continue
			}
			tags, err := d.backupTags(ctx, planKind, awssdk.ToString(pl.BackupPlanArn))
			if err != nil {
				return "", err
			}
			if !mine(req, tags) {
				return "", driver.NewError("CreateBackupPlan", planKind, req.Resource.BackupPlan.Name, driver.AlreadyExists,
					fmt.Errorf("aws: backup plan %s exists and is not %s of deployment %s; rename the deployment or remove the plan", req.Resource.BackupPlan.Name, req.Resource.ID, req.Deployment))
			}
			return awssdk.ToString(pl.BackupPlanId), nil
		}
	}
	return "", nil
}

// planInput is the plan of s: its rule with the schedule, the lifecycle
// and a copy to each recovery region's vault, whose ARN is the local
// vault's with the region and the name changed (the account is the
// same).
func (d *Driver) planInput(ctx context.Context, s *blueprint.BackupPlanSpec) (*backuptypes.BackupPlanInput, error) {
	v, err := d.Backup.DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: awssdk.String(string(s.Vault))})
	if err != nil {
		return nil, mapErr("DescribeBackupVault", planKind, string(s.Vault), err)
	}
	rule := backuptypes.BackupRuleInput{RuleName: awssdk.String(ruleName), TargetBackupVaultName: awssdk.String(string(s.Vault)),
		ScheduleExpression: awssdk.String(s.Schedule), ScheduleExpressionTimezone: awssdk.String("Etc/UTC"),
		Lifecycle: lifecycle(s.KeepDays, s.ColdAfterDays)}
	for _, c := range s.Copies {
		rule.CopyActions = append(rule.CopyActions, backuptypes.CopyAction{
			DestinationBackupVaultArn: awssdk.String(vaultARN(awssdk.ToString(v.BackupVaultArn), c.Region, c.Vault)),
			Lifecycle:                 lifecycle(s.CopyKeepDays(c), s.ColdAfterDays)})
	}
	return &backuptypes.BackupPlanInput{BackupPlanName: awssdk.String(s.Name), Rules: []backuptypes.BackupRuleInput{rule}}, nil
}

func lifecycle(keep, cold int) *backuptypes.Lifecycle {
	l := &backuptypes.Lifecycle{DeleteAfterDays: awssdk.Int64(int64(keep))}
	if cold > 0 {
		l.MoveToColdStorageAfterDays = awssdk.Int64(int64(cold))
	}
	return l
}

// vaultARN returns the ARN of the vault name in region, of the account
// and partition of the vault ARN local
// (arn:aws:backup:eu-west-3:123456789012:backup-vault:name).
func vaultARN(local, region, name string) string {
	f := strings.SplitN(local, ":", 7)
	if len(f) < 7 {
		return local
	}
	f[3], f[6] = region, name
	return strings.Join(f, ":")
}

// vaultOfARN returns the region and the name of a vault's ARN.
func vaultOfARN(arn string) (region, name string) {
	f := strings.SplitN(arn, ":", 7)
	if len(f) < 7 {
		return "", arn
	}
	return f[3], f[6]
}

// backupRole returns the ARN of the role of the plan's selection: the
// spec's, or the one the driver creates (CreateRole under the
// deployment's backup path, AttachRolePolicy of the AWS managed policy),
// taking what an earlier try made.
func (d *Driver) backupRole(ctx context.Context, req driver.Request) (string, error) {
	if r := req.Resource.BackupPlan.Role; r != "" {
		return r, nil
	}
	if err := d.needIAM("CreateRole", planKind, req.Resource.ID); err != nil {
		return "", err
	}
	name := blueprint.IAMName(req.Deployment, req.Resource.ID)
	arn, err := d.ensureRole(ctx, req, name, backupRolePath(req.Deployment), backupTrust, req.Tags)
	if err != nil {
		return "", err
	}
	policy := "arn:" + d.scopeOf(arn).Partition + ":iam::aws:" + backupPolicy
	_, err = d.IAM.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: awssdk.String(name), PolicyArn: awssdk.String(policy)})
	return arn, mapErr("AttachRolePolicy", planKind, name, err)
}

// ensureSelection creates the plan's selection, unless look finds one
// (ListBackupSelections).
func (d *Driver) ensureSelection(ctx context.Context, req driver.Request, id, role string, look bool) error {
	s := req.Resource.BackupPlan
	if look {
		have, err := d.Backup.ListBackupSelections(ctx, &backup.ListBackupSelectionsInput{BackupPlanId: awssdk.String(id)})
		if err != nil {
			return mapErr("ListBackupSelections", planKind, id, err)
		}
		for _, sel := range have.BackupSelectionsList {
			if awssdk.ToString(sel.SelectionName) == selectionName(s.Select) {
				return nil
			}
		}
	}
	return d.createSelection(ctx, id, role, &backup.CreateBackupSelectionInput{BackupPlanId: awssdk.String(id),
		BackupSelection: selection(req.Deployment, s.Select, role, d.scopeOf(role).Partition), CreatorRequestId: tokenOf(req)})
}

// rolePropagation bounds how long a selection waits for AWS Backup to be
// able to assume its role (at most Options.WaitTimeout): IAM is
// eventually consistent (IAM User Guide, "Changes that I make are not
// always immediately visible"), usually for seconds; the AWS provider for
// Terraform waits up to two minutes there too.
const rolePropagation = 2 * time.Minute

// createSelection sends CreateBackupSelection, again while AWS Backup
// refuses the role as IAM has not propagated it yet (roleNotAssumable),
// up to rolePropagation: a refused request made nothing, and the repeat
// carries the same CreatorRequestId. A refusal that outlasts the bound
// is an error that names the role and what to check.
func (d *Driver) createSelection(ctx context.Context, id, role string, in *backup.CreateBackupSelectionInput) error {
	wctx, cancel := context.WithTimeout(ctx, min(rolePropagation, d.waitTimeout()))
	defer cancel()
	var refused error
	err := d.retryWhile(wctx, driver.Dependency, func() error {
		_, err := d.Backup.CreateBackupSelection(ctx, in)
		if refused = nil; roleNotAssumable(err) {
			refused = err
			return driver.NewError("CreateBackupSelection", planKind, id, driver.Dependency, err)
		}
		return mapErr("CreateBackupSelection", planKind, id, err)
	})
	if refused == nil || ctx.Err() != nil {
		return err
	}
	return driver.NewError("CreateBackupSelection", planKind, id, driver.Invalid, fmt.Errorf(
		"aws: AWS Backup cannot assume the role %s of the plan's selection after %s (%w); check that its trust policy lets backup.amazonaws.com "+
			"assume it (sts:AssumeRole) and that it holds AWSBackupServiceRolePolicyForBackup (tag:GetResources), or give SnapshotSchedule.Role a role that does",
		role, min(rolePropagation, d.waitTimeout()), refused))
}

// roleNotAssumable reports whether err is AWS Backup's refusal of a
// selection's role that IAM may not have propagated yet:
// InvalidParameterValueException "IAM Role <arn> cannot be assumed by AWS
// Backup", or "... is not authorized to call tag:GetResources" while its
// policy is not yet attached everywhere (the two the AWS provider for
// Terraform retries CreateBackupSelection on).
func roleNotAssumable(err error) bool {
	var e *backuptypes.InvalidParameterValueException
	if !errors.As(err, &e) {
		return false
	}
	m := e.ErrorMessage()
	return strings.Contains(m, "cannot be assumed") || strings.Contains(m, "is not authorized to call")
}

// selection selects the EBS volumes of the deployment tagged
// archkit:backup = sel (both conditions must hold: AWS Backup joins the
// Conditions with AND).
func selection(deployment, sel, role, partition string) *backuptypes.BackupSelection {
	return &backuptypes.BackupSelection{SelectionName: awssdk.String(selectionName(sel)), IamRoleArn: awssdk.String(role),
		Resources: []string{"arn:" + partition + ":ec2:*:*:volume/*"},
		Conditions: &backuptypes.Conditions{StringEquals: []backuptypes.ConditionParameter{
			{ConditionKey: awssdk.String("aws:ResourceTag/" + driver.TagDeployment), ConditionValue: awssdk.String(deployment)},
			{ConditionKey: awssdk.String("aws:ResourceTag/" + blueprint.TagBackup), ConditionValue: awssdk.String(sel)},
		}}}
}

// readBackupPlan reads the plan (GetBackupPlan; a deleted plan, which AWS
// Backup still answers for with its DeletionDate, is NotFound), its tags
// and its selection. A plan without its selection is Incomplete.
func (d *Driver) readBackupPlan(ctx context.Context, id string) (driver.Observed, error) {
	if err := d.needBackup("GetBackupPlan", planKind, id); err != nil {
		return driver.Observed{}, err
	}
	return d.readPlan(ctx, id, nil)
}

// readPlan is readBackupPlan with the plan's tags, when read already.
func (d *Driver) readPlan(ctx context.Context, id string, tags map[string]string) (driver.Observed, error) {
	p, err := d.Backup.GetBackupPlan(ctx, &backup.GetBackupPlanInput{BackupPlanId: awssdk.String(id)})
	if err != nil {
		return driver.Observed{}, mapErr("GetBackupPlan", planKind, id, err)
	}
	if p.DeletionDate != nil || p.BackupPlan == nil {
		return driver.Observed{}, notFound("GetBackupPlan", blueprint.KindBackupPlan, id)
	}
	if tags == nil {
		if tags, err = d.backupTags(ctx, planKind, awssdk.ToString(p.BackupPlanArn)); err != nil {
			return driver.Observed{}, err
		}
	}
	o := observed(blueprint.KindBackupPlan, id, tags, true, "available")
	s := planSpec(p.BackupPlan)
	o.Resource.BackupPlan = s
	sel, err := d.readSelection(ctx, id)
	if err != nil {
		return driver.Observed{}, err
	}
	if sel == nil {
		o.Incomplete = true
	} else {
		s.Select, s.Role = selectOf(sel), awssdk.ToString(sel.IamRoleArn)
		if strings.HasSuffix(s.Role, ":role"+backupRolePath(tags[driver.TagDeployment])+blueprint.IAMName(tags[driver.TagDeployment], o.LogicalID)) {
			s.Role = "" // the role the driver made
		}
	}
	o.Resource.Normalize()
	return o, nil
}

// planSpec reads the spec of a plan's one rule.
func planSpec(p *backuptypes.BackupPlan) *blueprint.BackupPlanSpec {
	s := &blueprint.BackupPlanSpec{Name: awssdk.ToString(p.BackupPlanName)}
	if len(p.Rules) == 0 {
		return s
	}
	r := p.Rules[0]
	s.Vault, s.Schedule = blueprint.Ref(awssdk.ToString(r.TargetBackupVaultName)), awssdk.ToString(r.ScheduleExpression)
	if r.Lifecycle != nil {
		s.KeepDays, s.ColdAfterDays = int(awssdk.ToInt64(r.Lifecycle.DeleteAfterDays)), int(awssdk.ToInt64(r.Lifecycle.MoveToColdStorageAfterDays))
	}
	for _, c := range r.CopyActions {
		region, name := vaultOfARN(awssdk.ToString(c.DestinationBackupVaultArn))
		bc := blueprint.BackupCopy{Region: region, Vault: name}
		if c.Lifecycle != nil {
			bc.KeepDays = int(awssdk.ToInt64(c.Lifecycle.DeleteAfterDays))
		}
		s.Copies = append(s.Copies, bc)
	}
	return s
}

// readSelection returns the plan's selection made by archkit, nil when it
// has none.
func (d *Driver) readSelection(ctx context.Context, id string) (*backuptypes.BackupSelection, error) {
	out, err := d.Backup.ListBackupSelections(ctx, &backup.ListBackupSelectionsInput{BackupPlanId: awssdk.String(id)})
	if err != nil {
		return nil, mapErr("ListBackupSelections", planKind, id, err)
	}
	for _, sel := range out.BackupSelectionsList {
		if !strings.HasPrefix(awssdk.ToString(sel.SelectionName), "archkit-") {
			continue
		}
		g, err := d.Backup.GetBackupSelection(ctx, &backup.GetBackupSelectionInput{BackupPlanId: awssdk.String(id), SelectionId: sel.SelectionId})
		if err != nil {
			return nil, mapErr("GetBackupSelection", planKind, id, err)
		}
		return g.BackupSelection, nil
	}
	return nil, nil
}

// selectOf returns the archkit:backup value a selection requires.
func selectOf(sel *backuptypes.BackupSelection) string {
	if sel.Conditions == nil {
		return ""
	}
	for _, c := range sel.Conditions.StringEquals {
		if awssdk.ToString(c.ConditionKey) == "aws:ResourceTag/"+blueprint.TagBackup {
			return awssdk.ToString(c.ConditionValue)
		}
	}
	return ""
}

// listBackupPlans lists the region's plans (ListBackupPlans, every page;
// deleted ones left out) whose tags name the deployment.
func (d *Driver) listBackupPlans(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	if err := d.needBackup("ListBackupPlans", planKind, ""); err != nil {
		return nil, err
	}
	var res []driver.Observed
	p := backup.NewListBackupPlansPaginator(d.Backup, &backup.ListBackupPlansInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("ListBackupPlans", planKind, "", err)
		}
		for _, pl := range page.BackupPlansList {
			if pl.DeletionDate != nil {
				continue
			}
			res, err = d.appendOwned(ctx, res, planKind, awssdk.ToString(pl.BackupPlanArn), q.Deployment, func(tags map[string]string) (driver.Observed, error) {
				return d.readPlan(ctx, awssdk.ToString(pl.BackupPlanId), tags)
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// updateBackupPlan completes a plan an earlier try left without its role
// or selection; nothing of a plan changes in place.
func (d *Driver) updateBackupPlan(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	return d.completePlan(ctx, req, cur.ID, true)
}

// deleteBackupPlan deletes the plan's selections (AWS Backup refuses to
// delete a plan that has any), the plan, and the role the driver made
// for it. What is already gone is skipped.
func (d *Driver) deleteBackupPlan(ctx context.Context, cur driver.Observed) error {
	if err := d.needBackup("DeleteBackupPlan", planKind, cur.ID); err != nil {
		return err
	}
	out, err := d.Backup.ListBackupSelections(ctx, &backup.ListBackupSelectionsInput{BackupPlanId: awssdk.String(cur.ID)})
	if err != nil && !isCode(err, driver.NotFound) {
		return mapErr("ListBackupSelections", planKind, cur.ID, err)
	}
	if out != nil {
		for _, sel := range out.BackupSelectionsList {
			_, err := d.Backup.DeleteBackupSelection(ctx, &backup.DeleteBackupSelectionInput{BackupPlanId: awssdk.String(cur.ID), SelectionId: sel.SelectionId})
			if err != nil && !isCode(err, driver.NotFound) {
				return mapErr("DeleteBackupSelection", planKind, cur.ID, err)
			}
		}
	}
	if _, err := d.Backup.DeleteBackupPlan(ctx, &backup.DeleteBackupPlanInput{BackupPlanId: awssdk.String(cur.ID)}); err != nil && !isCode(err, driver.NotFound) {
		return mapErr("DeleteBackupPlan", planKind, cur.ID, err)
	}
	return d.deleteBackupRole(ctx, cur)
}

// deleteBackupRole deletes the role the driver made for the plan cur,
// when it is there and tagged as the plan's.
func (d *Driver) deleteBackupRole(ctx context.Context, cur driver.Observed) error {
	dep := cur.Tags[driver.TagDeployment]
	if d.IAM == nil || dep == "" || cur.LogicalID == "" {
		return nil
	}
	name := awssdk.String(blueprint.IAMName(dep, cur.LogicalID))
	r, err := d.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: name})
	if isCode(err, driver.NotFound) {
		return nil
	}
	if err != nil {
		return mapErr("GetRole", planKind, *name, err)
	}
	if awssdk.ToString(r.Role.Path) != backupRolePath(dep) {
		return nil
	}
	if tags, err := d.roleTags(ctx, *name, r.Role.Tags); err != nil || !owned(tags, dep) || tags[driver.TagLogicalID] != cur.LogicalID {
		return err
	}
	policy := awssdk.String("arn:" + d.scopeOf(awssdk.ToString(r.Role.Arn)).Partition + ":iam::aws:" + backupPolicy)
	if _, err := d.IAM.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: name, PolicyArn: policy}); err != nil && !isCode(err, driver.NotFound) {
		return mapErr("DetachRolePolicy", planKind, *name, err)
	}
	_, err = d.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: name})
	if isCode(err, driver.NotFound) {
		return nil
	}
	return mapErr("DeleteRole", planKind, *name, err)
}
