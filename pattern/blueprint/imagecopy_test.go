package blueprint_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
)

// An image copy needs its source and a name both clouds take.
func TestImageCopyCheck(t *testing.T) {
	t.Parallel()
	name := blueprint.ImageCopyName("shop", "ami-0abc", "eu-west-3")
	assert.Equal(t, "shop-ami-0abc-from-eu-west-3", name)
	assert.Len(t, blueprint.ImageCopyName(strings.Repeat("d", 120), "ami-0abc", "eu-west-3"), blueprint.MaxImageName)
	for _, tc := range []struct {
		name string
		spec blueprint.ImageCopySpec
		want []string
	}{
		{"ok", blueprint.ImageCopySpec{SourceImage: "ami-0abc", SourceRegion: "eu-west-3", Name: name}, nil},
		{"no source", blueprint.ImageCopySpec{Name: name}, []string{"image_copy.source_image", "image_copy.source_region"}},
		{"short name", blueprint.ImageCopySpec{SourceImage: "ami-0abc", SourceRegion: "eu-west-3", Name: "ab"}, []string{"image_copy.name"}},
		{"OUTSCALE refuses @", blueprint.ImageCopySpec{SourceImage: "ami-0abc", SourceRegion: "eu-west-3", Name: "shop@copy"}, []string{"image_copy.name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			spec := tc.spec
			err := (&blueprint.Resource{ID: "image_copy/ami-0abc", Kind: blueprint.KindImageCopy, ImageCopy: &spec}).Check()
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, blueprint.ErrInvalid)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

// A cluster started from a copy compares, once normalized, as the image
// its nodes run: the copy's id, which a cloud reads back.
func TestClusterImageCopyNormalize(t *testing.T) {
	t.Parallel()
	r := blueprint.Resource{ID: "cluster/app", Kind: blueprint.KindCluster,
		Cluster: &blueprint.ClusterSpec{Image: "ami-primary", ImageCopy: "ami-copy"}}
	assert.Equal(t, "ami-copy", r.Cluster.ImageID())
	assert.Equal(t, []string{"ami-copy"}, r.Dependencies())
	c := r.Clone()
	c.Normalize()
	assert.Equal(t, &blueprint.ClusterSpec{Image: "ami-copy"}, c.Cluster)
	assert.Equal(t, "ami-primary", r.Cluster.Image, "the original is untouched")
}
