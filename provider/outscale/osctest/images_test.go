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
