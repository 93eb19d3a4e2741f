package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// An image_copy is an AMI copied into the driver's region from another
// region's (CopyImage with SourceRegion and SourceImageId; the SDK sends
// it to the destination region, the driver's). Observed.ID is the copy's
// AMI id; it is ready once the image is "available" (its snapshots are
// copied). The source's id and region are not read back (DescribeImages
// has no such field): they are kept in tags, which the read turns into
// the spec, so that another source is seen as a change (a replace).
//
// moto ignores CopyImage's ClientToken and TagSpecifications: the driver
// tags the copy with CreateTags when the answer lacks the tags, and looks
// an earlier try up by its tags before it copies again (CopyImage is sent
// once: see sentOnce).

// Tags that hold what DescribeImages does not return.
const (
	tagSourceImage  = specTag + "source-image"
	tagSourceRegion = specTag + "source-region"
)

func imageCopyObserved(im ec2types.Image) driver.Observed {
	tags := fromEC2Tags(im.Tags)
	state := string(im.State)
	o := observed(blueprint.KindImageCopy, awssdk.ToString(im.ImageId), tags, im.State == ec2types.ImageStateAvailable, state)
	o.Resource.ImageCopy = &blueprint.ImageCopySpec{SourceImage: tags[tagSourceImage], SourceRegion: tags[tagSourceRegion], Name: awssdk.ToString(im.Name)}
	return o
}

func images(o *ec2.DescribeImagesOutput) []ec2types.Image { return o.Images }

func imageTags(im *ec2types.Image) []ec2types.Tag { return im.Tags }

// createImageCopy copies the source image, or returns the copy an earlier
// try made (found by its tags), then tags it. It does not wait: the
// engine reads the copy until it is available.
func (d *Driver) createImageCopy(ctx context.Context, req driver.Request) (driver.Observed, error) {
	s := req.Resource.ImageCopy
	tags := withTags(req.Tags, tagSourceImage, s.SourceImage, tagSourceRegion, s.SourceRegion)
	out, err := d.EC2.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}, Filters: logicalFilters(req)})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeImages", string(blueprint.KindImageCopy), req.Resource.ID, err)
	}
	if found := earlier(req, out.Images, imageTags); found != nil {
		return imageCopyObserved(*found), nil
	}
	cp, err := d.EC2.CopyImage(ctx, &ec2.CopyImageInput{Name: awssdk.String(s.Name), SourceImageId: awssdk.String(s.SourceImage),
		SourceRegion: awssdk.String(s.SourceRegion), ClientToken: awssdk.String(req.Token),
		Description:       awssdk.String(fmt.Sprintf("archkit %s: %s copied from %s", req.Deployment, s.SourceImage, s.SourceRegion)),
		TagSpecifications: tagSpec(ec2types.ResourceTypeImage, tags)})
	if err != nil {
		return driver.Observed{}, mapErr("CopyImage", string(blueprint.KindImageCopy), req.Resource.ID, err)
	}
	id := awssdk.ToString(cp.ImageId)
	o, err := d.readImageCopy(ctx, id)
	if err != nil || mine(req, o.Tags) {
		return o, err
	}
	if _, err := d.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: ec2Tags(tags)}); err != nil {
		return driver.Observed{}, mapErr("CreateTags", string(blueprint.KindImageCopy), req.Resource.ID, err)
	}
	return d.readImageCopy(ctx, id)
}

// readImageCopy reads the copy; a deregistered image is gone.
func (d *Driver) readImageCopy(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{id}})
	if err == nil && len(out.Images) > 0 && out.Images[0].State == ec2types.ImageStateDeregistered {
		out.Images = nil
	}
	return readOne("DescribeImages", blueprint.KindImageCopy, id, out, err, images, imageCopyObserved)
}

// listImageCopies lists the deployment's copies among the account's own
// images; DescribeImages has no pages when it is filtered.
func (d *Driver) listImageCopies(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	out, err := d.EC2.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"}, Filters: ownerFilters(q, "")})
	if err != nil {
		return nil, mapErr("DescribeImages", string(blueprint.KindImageCopy), "", err)
	}
	var res []driver.Observed
	for _, im := range ownedOnly(out.Images, imageTags, q.Deployment) {
		if im.State != ec2types.ImageStateDeregistered {
			res = append(res, imageCopyObserved(im))
		}
	}
	return res, nil
}

// deleteImageCopy deregisters the copy, then deletes the snapshots it was
// made of (DeregisterImage leaves them, and they are billed): a copy
// leaves nothing behind. A missing image or snapshot is gone already.
func (d *Driver) deleteImageCopy(ctx context.Context, cur driver.Observed) error {
	out, err := d.EC2.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{cur.ID}})
	if err = mapErr("DescribeImages", string(blueprint.KindImageCopy), cur.ID, err); err != nil {
		if isCode(err, driver.NotFound) {
			return nil
		}
		return err
	}
	var snapshots []string
	for _, im := range out.Images {
		for _, m := range im.BlockDeviceMappings {
			if m.Ebs != nil && awssdk.ToString(m.Ebs.SnapshotId) != "" {
				snapshots = append(snapshots, awssdk.ToString(m.Ebs.SnapshotId))
			}
		}
	}
	_, err = d.EC2.DeregisterImage(ctx, &ec2.DeregisterImageInput{ImageId: awssdk.String(cur.ID)})
	if err = mapErr("DeregisterImage", string(blueprint.KindImageCopy), cur.ID, err); err != nil && !isCode(err, driver.NotFound) {
		return err
	}
	for _, sn := range snapshots {
		_, err := d.EC2.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: awssdk.String(sn)})
		if err = mapErr("DeleteSnapshot", string(blueprint.KindImageCopy), cur.ID, err); err != nil && !isCode(err, driver.NotFound) {
			return err
		}
	}
	return nil
}
