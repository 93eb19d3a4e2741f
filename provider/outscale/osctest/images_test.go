package osctest_test

import (
	"net/http"
	"testing"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/outscale/osctest"
	"github.com/archkit/archkit/provider/providertest"
)

// TestImages checks which OMIs CreateVms accepts: the fixed ones, the
// conformance suite's providertest.Image, and those of Options.Images.
func TestImages(t *testing.T) {
	s := osctest.New(t, func(o *osctest.Options) {
		o.PendingReads = -1
		o.Images = []string{"ami-0123abcd", "ami-0000c0de"} // a duplicate of a fixed one is listed once
	})
	c, ctx := client(t, s)

	all, _, err := c.ImageApi.ReadImages(ctx).ReadImagesRequest(osc.ReadImagesRequest{}).Execute()
	require.NoError(t, err)
	var ids []string
	for _, im := range all.GetImages() {
		ids = append(ids, im.GetImageId())
	}
	assert.Equal(t, []string{"ami-0000c0de", "ami-0000beef", providertest.Image, "ami-0123abcd"}, ids)

	net, _, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: "10.0.0.0/16"}).Execute()
	require.NoError(t, err)
	sn, _, err := c.SubnetApi.CreateSubnet(ctx).CreateSubnetRequest(osc.CreateSubnetRequest{NetId: net.Net.GetNetId(), IpRange: "10.0.0.0/24"}).Execute()
	require.NoError(t, err)
	subnetID := sn.Subnet.GetSubnetId()

	for _, tc := range []struct {
		image  string
		status int
	}{
		{"ami-0000c0de", http.StatusOK},
		{providertest.Image, http.StatusOK},
		{"ami-0123abcd", http.StatusOK},
		{"ami-deadbeef", http.StatusBadRequest},
	} {
		t.Run(tc.image, func(t *testing.T) {
			_, res, err := c.VmApi.CreateVms(ctx).CreateVmsRequest(osc.CreateVmsRequest{ImageId: tc.image, SubnetId: &subnetID}).Execute()
			if tc.status == http.StatusOK {
				require.NoError(t, err)
				return
			}
			st, _ := apiErr(t, err, res)
			assert.Equal(t, tc.status, st)
		})
	}
}

// TestImageCopies copies an OMI from the server of another region
// (CreateImage with SourceImageId and SourceRegionName): the copy is
// pending, then available, backed by a snapshot DeleteImage leaves and
// DeleteSnapshot then deletes; a copy from a region the server is not
// linked to, of an OMI the source region lacks, or under a name in use is
// refused.
func TestImageCopies(t *testing.T) {
	t.Parallel()
	src := osctest.New(t, func(o *osctest.Options) { o.Region = "eu-west-2"; o.Images = []string{"ami-0abc0abc"} })
	dst := osctest.New(t, func(o *osctest.Options) { o.Region = "us-east-2" })
	dst.LinkRegion("eu-west-2", src)
	c, ctx := client(t, dst)
	copyImage := func(name, image, region string) (*osc.Image, int, string) {
		resp, res, err := c.ImageApi.CreateImage(ctx).CreateImageRequest(osc.CreateImageRequest{
			ImageName: &name, SourceImageId: &image, SourceRegionName: &region}).Execute()
		if err != nil {
			st, code := apiErr(t, err, res)
			return nil, st, code
		}
		im := resp.GetImage()
		return &im, http.StatusOK, ""
	}
	im, st, _ := copyImage("shop-copy", "ami-0abc0abc", "eu-west-2")
	require.Equal(t, http.StatusOK, st)
	assert.Equal(t, "pending", im.GetState())
	snapshot := im.GetBlockDeviceMappings()[0].GetBsu().SnapshotId
	require.NotNil(t, snapshot)

	read := func() osc.Image {
		out, _, err := c.ImageApi.ReadImages(ctx).ReadImagesRequest(osc.ReadImagesRequest{Filters: &osc.FiltersImage{ImageIds: &[]string{im.GetImageId()}}}).Execute()
		require.NoError(t, err)
		require.Len(t, out.GetImages(), 1)
		return out.GetImages()[0]
	}
	read()
	again := read()
	assert.Equal(t, "available", again.GetState(), "available after PendingReads reads")

	for _, tc := range []struct {
		name, image, region string
		status              int
	}{
		{"shop-copy", "ami-0abc0abc", "eu-west-2", http.StatusConflict},    // the name is taken
		{"other", "ami-0abc0abc", "ap-northeast-1", http.StatusBadRequest}, // no such linked region
		{"other", "ami-0abc0abc", "us-east-2", http.StatusBadRequest},      // not in this region
		{"other", "ami-feedf00d", "eu-west-2", http.StatusBadRequest},      // not in the source region
		{"x", "ami-0abc0abc", "eu-west-2", http.StatusBadRequest},          // too short a name
		{"other", providertest.Image, "eu-west-2", http.StatusOK},          // a fixed OMI of the source
		{"again", im.GetImageId(), "us-east-2", http.StatusOK},             // a copy of the copy, in its region
	} {
		_, got, code := copyImage(tc.name, tc.image, tc.region)
		assert.Equal(t, tc.status, got, "%s %s %s: code %s", tc.name, tc.image, tc.region, code)
	}

	_, res, err := c.SnapshotApi.DeleteSnapshot(ctx).DeleteSnapshotRequest(osc.DeleteSnapshotRequest{SnapshotId: *snapshot}).Execute()
	st, _ = apiErr(t, err, res)
	assert.Equal(t, http.StatusConflict, st, "the OMI is made of the snapshot")
	_, _, err = c.ImageApi.DeleteImage(ctx).DeleteImageRequest(osc.DeleteImageRequest{ImageId: im.GetImageId()}).Execute()
	require.NoError(t, err)
	_, _, err = c.SnapshotApi.DeleteSnapshot(ctx).DeleteSnapshotRequest(osc.DeleteSnapshotRequest{SnapshotId: *snapshot}).Execute()
	require.NoError(t, err)
	_, res, err = c.ImageApi.DeleteImage(ctx).DeleteImageRequest(osc.DeleteImageRequest{ImageId: im.GetImageId()}).Execute()
	st, _ = apiErr(t, err, res)
	assert.Equal(t, http.StatusBadRequest, st, "deleted")
}
