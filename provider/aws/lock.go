package aws

import (
	"context"
	"fmt"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/provider/driver"
)

// The deployment lock on AWS is an EC2 launch template named
// driver.LockName(deployment), with no launch data, so that it launches
// nothing and costs nothing. It is safe because launch template names are
// unique per account and region: CreateLaunchTemplate of a name in use
// fails with InvalidLaunchTemplateName.AlreadyExistsException (EC2 API
// reference, CreateLaunchTemplate and its error codes), so of two runs
// that create it at once exactly one gets it. Its record (holder, lease)
// is set in the same call (TagSpecifications, resource type
// launch-template), so a lock never exists without it; renewals rewrite
// the expiry tag with CreateTags on the template's id, and release deletes
// the template by its id (lt-...), new at every creation, so that nobody
// ever deletes a lock taken after the one they meant.
//
// The record is read with DescribeTags, not from DescribeLaunchTemplates:
// moto reports there the tags of the creation, not those of later
// CreateTags calls (AWS reports both alike).

const lockKind = "lock"

// CreateLock creates the lock's launch template with its record. The
// holder id is the client token: AWS answers the SDK's retry of a call
// whose answer was lost with the same template (moto answers
// AlreadyExists, and the engine recognises its holder id).
func (d *Driver) CreateLock(ctx context.Context, l driver.Lock) (driver.Lock, error) {
	if err := d.ready("CreateLock", ""); err != nil {
		return driver.Lock{}, err
	}
	if err := checkDeployment("CreateLock", lockKind, l.Deployment); err != nil {
		return driver.Lock{}, err
	}
	name := driver.LockName(l.Deployment)
	out, err := d.EC2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: awssdk.String(name),
		VersionDescription: awssdk.String("archkit deployment lock of " + l.Deployment + ": launches nothing"),
		LaunchTemplateData: &ec2types.RequestLaunchTemplateData{},
		ClientToken:        awssdk.String(l.Holder.ID),
		TagSpecifications:  tagSpec(ec2types.ResourceTypeLaunchTemplate, l.Tags()),
	})
	if err != nil {
		return driver.Lock{}, mapErr("CreateLaunchTemplate", lockKind, name, err)
	}
	l.ID = awssdk.ToString(out.LaunchTemplate.LaunchTemplateId)
	return l, nil
}

// ReadLock returns the lock's launch template and its record.
func (d *Driver) ReadLock(ctx context.Context, deployment string) (driver.Lock, error) {
	if err := d.ready("ReadLock", ""); err != nil {
		return driver.Lock{}, err
	}
	if err := checkDeployment("ReadLock", lockKind, deployment); err != nil {
		return driver.Lock{}, err
	}
	name := driver.LockName(deployment)
	out, err := d.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{name}})
	if err != nil {
		return driver.Lock{}, mapErr("DescribeLaunchTemplates", lockKind, name, err)
	}
	for _, lt := range out.LaunchTemplates {
		if awssdk.ToString(lt.LaunchTemplateName) == name {
			return d.lockRecord(ctx, deployment, awssdk.ToString(lt.LaunchTemplateId))
		}
	}
	return driver.Lock{}, notFound("DescribeLaunchTemplates", lockKind, name)
}

// lockRecord reads the tags of the lock template id.
func (d *Driver) lockRecord(ctx context.Context, deployment, id string) (driver.Lock, error) {
	out, err := d.EC2.DescribeTags(ctx, &ec2.DescribeTagsInput{Filters: []ec2types.Filter{filter("resource-id", id)}})
	if err != nil {
		return driver.Lock{}, mapErr("DescribeTags", lockKind, id, err)
	}
	tags := map[string]string{}
	for _, t := range out.Tags {
		if awssdk.ToString(t.ResourceId) == id {
			tags[awssdk.ToString(t.Key)] = awssdk.ToString(t.Value)
		}
	}
	if tags[driver.TagLock] != deployment {
		return driver.Lock{}, driver.NewError("DescribeTags", lockKind, id, driver.Invalid, fmt.Errorf(
			"aws: launch template %s (%s) is not the archkit lock of %s (its tag %s is %q); rename or delete it",
			driver.LockName(deployment), id, deployment, driver.TagLock, tags[driver.TagLock]))
	}
	return driver.LockFromTags(id, deployment, tags), nil
}

// RenewLock rewrites the expiry tag of the template l.ID, after checking
// that this very template still exists.
func (d *Driver) RenewLock(ctx context.Context, l driver.Lock, expires time.Time) (driver.Lock, error) {
	if err := d.ready("RenewLock", ""); err != nil {
		return driver.Lock{}, err
	}
	if err := checkDeployment("RenewLock", lockKind, l.Deployment); err != nil {
		return driver.Lock{}, err
	}
	out, err := d.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{l.ID}})
	if err != nil {
		return driver.Lock{}, mapErr("DescribeLaunchTemplates", lockKind, l.ID, err)
	}
	if len(out.LaunchTemplates) == 0 || awssdk.ToString(out.LaunchTemplates[0].LaunchTemplateName) != driver.LockName(l.Deployment) {
		return driver.Lock{}, notFound("DescribeLaunchTemplates", lockKind, l.ID)
	}
	_, err = d.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{l.ID}, Tags: ec2Tags(driver.ExpiryTags(expires))})
	if err != nil {
		return driver.Lock{}, mapErr("CreateTags", lockKind, l.ID, err)
	}
	l.Expires = expires
	return l, nil
}

// DeleteLock deletes the template l.ID; one already gone is not an error.
func (d *Driver) DeleteLock(ctx context.Context, l driver.Lock) error {
	if err := d.ready("DeleteLock", ""); err != nil {
		return err
	}
	if err := checkDeployment("DeleteLock", lockKind, l.Deployment); err != nil {
		return err
	}
	_, err := d.EC2.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: awssdk.String(l.ID)})
	if err != nil && !isCode(err, driver.NotFound) {
		return mapErr("DeleteLaunchTemplate", lockKind, l.ID, err)
	}
	return nil
}
