package fake

import (
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateImageCopy checks an image copy as the clouds do: a source image
// and region (AWS CopyImage and OUTSCALE CreateImage need both) and a
// name no other image of the region has (AWS InvalidAMIName.Duplicate,
// OUTSCALE 409). The fake has no other region to look the source up in:
// it takes any source, as its clusters take any image.
func (d *Driver) validateImageCopy(op string, e, old *entry) error {
	s := e.res.ImageCopy
	if s.SourceImage == "" || s.SourceRegion == "" {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "image_copy: source_image %q, source_region %q: give both (MissingParameter)", s.SourceImage, s.SourceRegion)
	}
	for _, o := range d.keyed(e.kind, nameKey(s.Name), old) {
		return d.errf(op, e.kind, e.res.ID, driver.AlreadyExists, "image_copy.name: %q: used by %s (InvalidAMIName.Duplicate)", s.Name, o.id)
	}
	return nil
}

// usesImageCopy reports whether o is a cluster whose nodes start from
// image copy id. Neither cloud stops the deregistration of an image in
// use (running nodes keep their volumes); the fake refuses it, so that a
// plan that deletes a copy before the cluster moved off it fails in tests
// before it fails the next node the cloud starts.
func usesImageCopy(o *entry, id string) bool {
	if o.kind == blueprint.KindCluster {
		return o.res.Cluster.ImageCopy == blueprint.Ref(id)
	}
	return o.kind == blueprint.KindDatabase && o.res.Database.Fallback != nil && o.res.Database.Fallback.ImageCopy == blueprint.Ref(id)
}
