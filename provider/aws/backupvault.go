package aws

import (
	"context"
	"errors"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/backup"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// A backup_vault is an AWS Backup vault (CreateBackupVault with
// BackupVaultTags and CreatorRequestId). Its provider id is its name,
// which DescribeBackupVault and DeleteBackupVault take and a plan's rule
// names (TargetBackupVaultName). It holds recovery points: AWS refuses to
// delete a vault that is not empty (InvalidRequestException), and the
// driver deletes its recovery points first only when the engine lifts the
// protection (DeleteOptions.LiftProtection, which it sets for a stateful
// resource when the caller's AllowDataLoss names it). moto keeps no
// recovery points (NumberOfRecoveryPoints is always 0) and deletes any
// vault: the fake keeps AWS's rule (fake.Driver.AddRecoveryPoints).

const vaultKind = string(blueprint.KindBackupVault)

// needBackup refuses the AWS Backup kinds on a Driver built without a
// Backup client.
func (d *Driver) needBackup(op, kind, id string) error {
	if d.Backup == nil {
		return driver.NewError(op, kind, id, driver.Unsupported, errors.New("aws: Driver.Backup is nil; build the driver with New or NewFromConfig"))
	}
	return nil
}

// backupTags returns the tags of the AWS Backup resource arn (ListTags).
func (d *Driver) backupTags(ctx context.Context, kind, arn string) (map[string]string, error) {
	out, err := d.Backup.ListTags(ctx, &backup.ListTagsInput{ResourceArn: awssdk.String(arn)})
	if err != nil {
		return nil, mapErr("ListTags", kind, arn, err)
	}
	return out.Tags, nil
}

// createBackupVault creates the vault with its tags. A vault of that name
// that an earlier try made for the same resource is taken instead (moto
// ignores CreatorRequestId: a lost answer's repeat is AlreadyExists); one
// of anything else is AlreadyExists.
func (d *Driver) createBackupVault(ctx context.Context, req driver.Request) (driver.Observed, error) {
	name := req.Resource.BackupVault.Name
	if err := d.needBackup("CreateBackupVault", vaultKind, req.Resource.ID); err != nil {
		return driver.Observed{}, err
	}
	out, err := d.Backup.CreateBackupVault(ctx, &backup.CreateBackupVaultInput{BackupVaultName: awssdk.String(name),
		BackupVaultTags: withTags(req.Tags), CreatorRequestId: tokenOf(req)})
	if err == nil {
		o := observed(blueprint.KindBackupVault, name, withTags(req.Tags), true, "available")
		o.Resource.BackupVault = &blueprint.BackupVaultSpec{Name: name}
		o.Parts = map[string][]string{"arn": {awssdk.ToString(out.BackupVaultArn)}}
		return o, nil
	}
	if !isCode(err, driver.AlreadyExists) {
		return driver.Observed{}, mapErr("CreateBackupVault", vaultKind, req.Resource.ID, err)
	}
	o, tags, rerr := d.readVault(ctx, name, nil)
	if rerr != nil {
		return driver.Observed{}, rerr
	}
	if !mine(req, tags) {
		return driver.Observed{}, driver.NewError("CreateBackupVault", vaultKind, name, driver.AlreadyExists,
			fmt.Errorf("aws: backup vault %s exists and is not %s of deployment %s; rename the deployment or remove the vault", name, req.Resource.ID, req.Deployment))
	}
	return o, nil
}

// tokenOf is the request's token as AWS Backup's CreatorRequestId, nil
// when the request has none.
func tokenOf(req driver.Request) *string {
	if req.Token == "" {
		return nil
	}
	return awssdk.String(req.Token)
}

func (d *Driver) readBackupVault(ctx context.Context, name string) (driver.Observed, error) {
	if err := d.needBackup("DescribeBackupVault", vaultKind, name); err != nil {
		return driver.Observed{}, err
	}
	o, _, err := d.readVault(ctx, name, nil)
	return o, err
}

// readVault reads the vault name (DescribeBackupVault, and ListTags
// unless tags, read already, are given) and returns its tags too, those
// Observed.Tags leaves out included. Its recovery points are in Parts
// ("recovery_points": their count).
func (d *Driver) readVault(ctx context.Context, name string, tags map[string]string) (driver.Observed, map[string]string, error) {
	v, err := d.Backup.DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: awssdk.String(name)})
	if err != nil {
		return driver.Observed{}, nil, mapErr("DescribeBackupVault", vaultKind, name, err)
	}
	if tags == nil {
		if tags, err = d.backupTags(ctx, vaultKind, awssdk.ToString(v.BackupVaultArn)); err != nil {
			return driver.Observed{}, nil, err
		}
	}
	o := observed(blueprint.KindBackupVault, name, tags, true, "available")
	o.Resource.BackupVault = &blueprint.BackupVaultSpec{Name: awssdk.ToString(v.BackupVaultName)}
	o.Parts = map[string][]string{"arn": {awssdk.ToString(v.BackupVaultArn)}}
	if v.NumberOfRecoveryPoints > 0 {
		o.Parts["recovery_points"] = []string{fmt.Sprint(v.NumberOfRecoveryPoints)}
	}
	return o, tags, nil
}

// listBackupVaults lists the region's vaults (ListBackupVaults, every
// page) whose tags name the deployment.
func (d *Driver) listBackupVaults(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	if err := d.needBackup("ListBackupVaults", vaultKind, ""); err != nil {
		return nil, err
	}
	var res []driver.Observed
	p := backup.NewListBackupVaultsPaginator(d.Backup, &backup.ListBackupVaultsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("ListBackupVaults", vaultKind, "", err)
		}
		for _, v := range page.BackupVaultList {
			res, err = d.appendOwned(ctx, res, vaultKind, awssdk.ToString(v.BackupVaultArn), q.Deployment, func(tags map[string]string) (driver.Observed, error) {
				o, _, err := d.readVault(ctx, awssdk.ToString(v.BackupVaultName), tags)
				return o, err
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// appendOwned appends to res the AWS Backup resource arn, read by read
// with its tags, when its tags name the deployment; one gone meanwhile is
// skipped.
func (d *Driver) appendOwned(ctx context.Context, res []driver.Observed, kind, arn, deployment string,
	read func(tags map[string]string) (driver.Observed, error)) ([]driver.Observed, error) {
	tags, err := d.backupTags(ctx, kind, arn)
	if isCode(err, driver.NotFound) {
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	if !owned(tags, deployment) || tags[driver.TagLogicalID] == "" {
		return res, nil
	}
	o, err := read(tags)
	if isCode(err, driver.NotFound) {
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	return append(res, o), nil
}

// deleteBackupVault deletes the vault. One that holds recovery points is
// refused unless opts.LiftProtection: then its recovery points are
// deleted first (ListRecoveryPointsByBackupVault, DeleteRecoveryPoint),
// as DeleteBackupVault takes only an empty vault.
func (d *Driver) deleteBackupVault(ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error {
	if err := d.needBackup("DeleteBackupVault", vaultKind, cur.ID); err != nil {
		return err
	}
	v, err := d.Backup.DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: awssdk.String(cur.ID)})
	if isCode(err, driver.NotFound) {
		return nil
	}
	if err != nil {
		return mapErr("DescribeBackupVault", vaultKind, cur.ID, err)
	}
	if n := v.NumberOfRecoveryPoints; n > 0 {
		if !opts.LiftProtection {
			return driver.NewError("DeleteBackupVault", vaultKind, cur.ID, driver.Invalid,
				fmt.Errorf("aws: backup vault %s holds %d recovery point(s), which AWS Backup refuses to delete with it (InvalidRequestException); name %s in AllowDataLoss to delete them with it", cur.ID, n, cur.LogicalID))
		}
		if err := d.deleteRecoveryPoints(ctx, cur.ID); err != nil {
			return err
		}
	}
	_, err = d.Backup.DeleteBackupVault(ctx, &backup.DeleteBackupVaultInput{BackupVaultName: awssdk.String(cur.ID)})
	if isCode(err, driver.NotFound) {
		return nil
	}
	return mapErr("DeleteBackupVault", vaultKind, cur.ID, err)
}

// deleteRecoveryPoints deletes every recovery point of the vault.
func (d *Driver) deleteRecoveryPoints(ctx context.Context, vault string) error {
	p := backup.NewListRecoveryPointsByBackupVaultPaginator(d.Backup, &backup.ListRecoveryPointsByBackupVaultInput{BackupVaultName: awssdk.String(vault)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return mapErr("ListRecoveryPointsByBackupVault", vaultKind, vault, err)
		}
		for _, rp := range page.RecoveryPoints {
			_, err := d.Backup.DeleteRecoveryPoint(ctx, &backup.DeleteRecoveryPointInput{BackupVaultName: awssdk.String(vault), RecoveryPointArn: rp.RecoveryPointArn})
			if err != nil && !isCode(err, driver.NotFound) {
				return mapErr("DeleteRecoveryPoint", vaultKind, vault, err)
			}
		}
	}
	return nil
}
