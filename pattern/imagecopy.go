package pattern

import (
	"slices"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// imageCopy returns the image copy that cluster c starts from, adding it
// to the Blueprint on first use ("image_copy/<source image>", one per
// image whatever the number of clusters that use it), or "" when c's
// image is not copied ([Architecture.ImageCopies]).
func (b *bpBuilder) imageCopy(c *tier.Cluster) blueprint.Ref {
	a := b.d.arch
	region, ok := a.ImageCopies[c.Image]
	if !ok || c.Image == "" {
		return ""
	}
	cid := id(blueprint.KindImageCopy, c.Image)
	if !slices.ContainsFunc(b.bp.Resources, func(r blueprint.Resource) bool { return r.ID == cid }) {
		b.add(blueprint.Resource{ID: cid, Kind: blueprint.KindImageCopy, ImageCopy: &blueprint.ImageCopySpec{
			SourceImage: c.Image, SourceRegion: region, Name: blueprint.ImageCopyName(a.Name, c.Image, region)}})
	}
	return blueprint.Ref(cid)
}

// copyImages gives a, the architecture of a recovery region, a copy of
// each image its clusters share with the primary's architecture: an
// image id is valid in its own region only, so the recovery clusters
// start from a copy of the primary's image made in their region. An image
// the region's architecture names itself (another id: an image of its
// own, or one mapped by [Recovery.Images]) is used as is.
func copyImages(a, primary *Architecture, primaryRegion string) {
	images := map[string]bool{}
	for _, c := range primary.Clusters {
		images[c.Image] = true
	}
	for _, db := range primary.Databases {
		if db.FallbackToCluster {
			images[db.Fallback.Image] = true
		}
	}
	use := func(image string) {
		if image == "" || !images[image] {
			return
		}
		if a.ImageCopies == nil {
			a.ImageCopies = map[string]string{}
		}
		a.ImageCopies[image] = primaryRegion
	}
	for _, c := range a.Clusters {
		use(c.Image)
	}
	for _, db := range a.Databases {
		if db.FallbackToCluster {
			use(db.Fallback.Image)
		}
	}
}
