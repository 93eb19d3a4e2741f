package blueprint

import (
	"strconv"
	"strings"
)

// ImageCopySpec is a copy, in the Blueprint's region, of a machine image
// of another region: an AMI copied by AWS CopyImage (SourceImageId,
// SourceRegion), an OMI copied by OUTSCALE CreateImage (SourceImageId,
// SourceRegionName). An image id is valid in its region only, so the
// clusters of a recovery region start from the copy
// ([ClusterSpec.ImageCopy]) of the primary region's image;
// pattern.MultiRegion derives one copy per distinct image of the
// primary's clusters ("image_copy/<source image>").
//
// A copy is made once and never changes: another source is another copy.
// Its delete deregisters the image and deletes the snapshots behind it
// (AWS DeregisterImage then DeleteSnapshot; OUTSCALE DeleteImage then
// DeleteSnapshot), so that nothing of it is left to pay for.
type ImageCopySpec struct {
	// SourceImage is the image in SourceRegion ("ami-0abc...").
	SourceImage string `json:"source_image"`
	// SourceRegion is the region the image is copied from.
	SourceRegion string `json:"source_region"`
	// Name is the copy's name, unique in the account and region: 3 to 128
	// letters, digits and "() ./-_", the characters both AWS CopyImage
	// Name (which also takes "[]'@") and OUTSCALE CreateImage ImageName
	// take.
	Name string `json:"name"`
}

func (s *ImageCopySpec) refs() []*Ref          { return nil }
func (s *ImageCopySpec) clone() *ImageCopySpec { c := *s; return &c }
func (s *ImageCopySpec) normalize()            {}

// ImageCopyName returns the name of the copy of image from region in
// deployment: "<deployment>-<image>-from-<region>", cut to 128 characters.
func ImageCopyName(deployment, image, region string) string {
	n := deployment + "-" + image + "-from-" + region
	if len(n) > MaxImageName {
		n = n[:MaxImageName]
	}
	return n
}

// MaxImageName is the longest image name AWS takes (CopyImage Name).
const MaxImageName = 128

// imageNameChars are the characters both clouds take in an image name
// besides letters and digits.
const imageNameChars = "() ./-_"

func (ps *problems) imageCopy(s *ImageCopySpec) {
	if s == nil {
		return
	}
	ps.need("image_copy.source_image", s.SourceImage, "the image id in the source region")
	ps.need("image_copy.source_region", s.SourceRegion, "the region the image is copied from")
	bad := strings.IndexFunc(s.Name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(imageNameChars, r))
	})
	if len(s.Name) < 3 || len(s.Name) > MaxImageName || bad >= 0 {
		ps.add("image_copy.name", strconv.Quote(s.Name), "not 3-128 letters, digits and "+imageNameChars, "name it like blueprint.ImageCopyName gives")
	}
}
