package outscale

import (
	"context"
	"fmt"
	"net/http"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// The OMI copies of a recovery region (kind image_copy): CreateImage with
// SourceImageId and SourceRegionName, the API's copy of an OMI from
// another region (or the same one) into the driver's. Observed.ID is the
// copy's OMI id; it is ready once "available". CreateImage takes neither
// tags nor a client token: the copy is tagged after it (CreateTags), and
// an earlier try whose answer was lost is found by its name, unique in
// the account. The source's id and region are kept in bookkeeping tags
// (ReadImages does not return them). The delete removes the OMI and then
// the snapshots it is made of, which DeleteImage leaves.

const imageCopyKind = string(blueprint.KindImageCopy)

// Bookkeeping tags of a copy: its source.
const (
	metaSourceImage  = metaPrefix + "source-image"
	metaSourceRegion = metaPrefix + "source-region"
)

// listImageCopies lists the deployment's copies (by tag), or those with
// the ids given.
func (d *Driver) listImageCopies(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	ims, err := d.readImages(ctx, osc.FiltersImage{Tags: ownerFilter(q), ImageIds: idFilter(ids)}, first(ids))
	if err != nil {
		return nil, err
	}
	return ownedObserved(q, ims, imageCopyObserved), nil
}

// readImages reads every page of the OMIs f selects.
func (d *Driver) readImages(ctx context.Context, f osc.FiltersImage, id string) ([]osc.Image, error) {
	return pages(func(token *string) ([]osc.Image, string, error) {
		req := osc.ReadImagesRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadImages", imageCopyKind, id, func(ctx context.Context) (osc.ReadImagesResponse, *http.Response, error) {
			return d.api.ImageApi.ReadImages(ctx).ReadImagesRequest(req).Execute()
		})
		return resp.GetImages(), resp.GetNextPageToken(), err
	})
}

func imageCopyObserved(im osc.Image, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindImageCopy, im.GetImageId(), tags)
	o.Resource.ImageCopy = &blueprint.ImageCopySpec{SourceImage: tags[metaSourceImage], SourceRegion: tags[metaSourceRegion], Name: im.GetImageName()}
	o.Status, o.Ready = im.GetState(), im.GetState() == "available"
	return o
}

// createImageCopy copies the source OMI and tags the copy, or takes the
// copy an earlier try made.
func (d *Driver) createImageCopy(ctx context.Context, req driver.Request) (driver.Observed, error) {
	if o, ok, err := d.findOwned(ctx, req, d.listImageCopies); err != nil || ok {
		return o, err
	}
	s := req.Resource.ImageCopy
	desc := fmt.Sprintf("archkit %s: %s copied from %s", req.Deployment, s.SourceImage, s.SourceRegion)
	in := osc.CreateImageRequest{ImageName: &s.Name, SourceImageId: &s.SourceImage, SourceRegionName: &s.SourceRegion, Description: &desc}
	resp, err := call(ctx, d, "CreateImage", imageCopyKind, req.Resource.ID, func(ctx context.Context) (osc.CreateImageResponse, *http.Response, error) {
		return d.api.ImageApi.CreateImage(ctx).CreateImageRequest(in).Execute()
	})
	im := resp.GetImage()
	if err != nil {
		if im, err = d.earlierImage(ctx, req, err); err != nil {
			return driver.Observed{}, err
		}
	}
	tags := withMeta(req.Tags, map[string]string{metaSourceImage: s.SourceImage, metaSourceRegion: s.SourceRegion})
	if err := d.tagNew(ctx, blueprint.KindImageCopy, im.GetImageId(), tags, func(ctx context.Context) error {
		return d.deleteImageCopy(ctx, driver.Observed{ID: im.GetImageId()})
	}); err != nil {
		return driver.Observed{}, err
	}
	return imageCopyObserved(im, tags), nil
}

// earlierImage decides what a failed CreateImage means: an OMI of the
// name, untagged or tagged with our deployment and logical id, is an
// earlier try's (its answer lost), to take; err stands otherwise.
func (d *Driver) earlierImage(ctx context.Context, req driver.Request, err error) (osc.Image, error) {
	if code := driver.CodeOf(err); !lostAnswer(err) && code != driver.AlreadyExists && code != driver.Dependency {
		return osc.Image{}, err
	}
	s := req.Resource.ImageCopy
	ims, rerr := d.readImages(ctx, osc.FiltersImage{ImageNames: &[]string{s.Name}}, s.Name)
	if rerr != nil {
		return osc.Image{}, err
	}
	for _, im := range ims {
		tags := tagMap(im.GetTags())
		if im.GetImageName() == s.Name && (tags[driver.TagDeployment] == "" ||
			tags[driver.TagDeployment] == req.Deployment && tags[driver.TagLogicalID] == req.Resource.ID) {
			return im, nil
		}
	}
	return osc.Image{}, err
}

// deleteImageCopy deletes the OMI, then the snapshots it was made of. A
// missing OMI or snapshot is gone already.
func (d *Driver) deleteImageCopy(ctx context.Context, cur driver.Observed) error {
	ims, err := d.readImages(ctx, osc.FiltersImage{ImageIds: &[]string{cur.ID}}, cur.ID)
	if err != nil {
		return err
	}
	var snapshots []string
	for _, im := range ims {
		for _, m := range im.GetBlockDeviceMappings() {
			if id := m.GetBsu().SnapshotId; id != nil && *id != "" {
				snapshots = append(snapshots, *id)
			}
		}
	}
	if len(ims) > 0 {
		in := osc.DeleteImageRequest{ImageId: cur.ID}
		_, err = call(ctx, d, "DeleteImage", imageCopyKind, cur.ID, func(ctx context.Context) (osc.DeleteImageResponse, *http.Response, error) {
			return d.api.ImageApi.DeleteImage(ctx).DeleteImageRequest(in).Execute()
		})
		if err != nil && !isNotFound(err) {
			return err
		}
	}
	for _, sn := range snapshots {
		in := osc.DeleteSnapshotRequest{SnapshotId: sn}
		_, err := call(ctx, d, "DeleteSnapshot", imageCopyKind, cur.ID, func(ctx context.Context) (osc.DeleteSnapshotResponse, *http.Response, error) {
			return d.api.SnapshotApi.DeleteSnapshot(ctx).DeleteSnapshotRequest(in).Execute()
		})
		if err != nil && !isNotFound(err) {
			return err
		}
	}
	return nil
}
