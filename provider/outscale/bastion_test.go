package outscale_test

import (
	"context"
	"crypto/md5"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale/osctest"
	"github.com/archkit/archkit/provider/providertest"
)

// apiClient is an SDK client of srv, with the context its calls need.
func apiClient(t *testing.T, srv *osctest.Server) (*osc.APIClient, context.Context) {
	t.Helper()
	cfg := osc.NewConfiguration()
	cfg.Servers = osc.ServerConfigurations{{URL: srv.URL()}}
	return osc.NewAPIClient(cfg), context.WithValue(t.Context(), osc.ContextAWSv4, osc.AWSv4{AccessKey: "AK", SecretKey: "SK"})
}

// md5Fingerprint is the fingerprint OUTSCALE reports for a public key.
func md5Fingerprint(t *testing.T, key string) string {
	t.Helper()
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(key))
	require.NoError(t, err)
	sum := md5.Sum(pub.Marshal())
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ":")
}

// The three-tier Net of the OUTSCALE document with a bastion per
// subregion and the user's key, on the test server: the keypair imported
// with the key (ReadKeypairs: its name, its fingerprint, its tags), the
// bastion's VMs started with it, the other VMs without; re-applied
// without a write, destroyed with nothing left; every call validated
// against the OpenAPI description.
func TestBastionKeypairOnOutscale(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	eng := engineFor(d)
	bp, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "jump", Profile: netplan.Outscale,
		WebImage: suiteImage, AppImage: suiteImage, DBImage: suiteImage, BastionImage: suiteImage, InstanceType: "tinav5.c2r4p2",
		AdminCIDR: netip.MustParsePrefix("203.0.113.0/24"), BastionPublicKey: providertest.PublicKey, BastionPerZone: true}).Build()
	require.NoError(t, err)
	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	w := 0
	for _, c := range srv.Calls() {
		if isWrite(c.Op) {
			w++
		}
	}
	t.Logf("apply: %s; %d resources; %d requests, %d writes", res, len(bp.Resources), len(srv.Calls()), w)

	api, ctx := apiClient(t, srv)
	kps, _, err := api.KeypairApi.ReadKeypairs(ctx).ReadKeypairsRequest(osc.ReadKeypairsRequest{Filters: &osc.FiltersKeypair{
		Tags: &[]string{driver.TagDeployment + "=jump"}}}).Execute()
	require.NoError(t, err)
	name := "jump-bastion-" + providertest.PublicKey.ShortHash()
	var found []string
	for _, kp := range kps.GetKeypairs() {
		if kp.GetKeypairName() == driver.LockName("jump") {
			continue
		}
		found = append(found, kp.GetKeypairName())
		assert.Equal(t, md5Fingerprint(t, string(providertest.PublicKey)), kp.GetKeypairFingerprint(), "the key given, imported")
		assert.Equal(t, "ssh-ed25519", kp.GetKeypairType())
	}
	assert.Equal(t, []string{name}, found)

	vms, _, err := api.VmApi.ReadVms(ctx).ReadVmsRequest(osc.ReadVmsRequest{Filters: &osc.FiltersVm{
		Tags: &[]string{driver.TagDeployment + "=jump"}}}).Execute()
	require.NoError(t, err)
	bastions := 0
	for _, vm := range vms.GetVms() {
		if tagValue(vm.GetTags(), driver.TagLogicalID) == "cluster/bastion" {
			bastions++
			assert.Equal(t, name, vm.GetKeypairName())
		} else {
			assert.Empty(t, vm.GetKeypairName(), vm.GetVmId())
		}
	}
	assert.Equal(t, 2, bastions, "one per subregion")

	before := len(srv.Calls())
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	for _, c := range srv.Calls()[before:] {
		assert.True(t, strings.HasPrefix(c.Op, "Read"), "re-apply wrote: %s", c.Op)
	}
	_, err = eng.Destroy(t.Context(), "jump", allowStateful(bp))
	require.NoError(t, err)
	assertNothingLeft(t, srv, d, "jump")
}

func tagValue(tags []osc.ResourceTag, key string) string {
	for _, t := range tags {
		if t.GetKey() == key {
			return t.GetValue()
		}
	}
	return ""
}

// assertNothingLeft checks that d lists nothing of deployment, of any kind
// it supports, and that every call srv answered kept to the OpenAPI
// description.
func assertNothingLeft(t *testing.T, srv *osctest.Server, d driver.Driver, deployment string) {
	t.Helper()
	for _, k := range blueprint.Kinds {
		if !d.Capabilities().Supports(k) {
			continue
		}
		left, err := d.List(t.Context(), driver.Query{Deployment: deployment, Kind: k})
		require.NoError(t, err)
		assert.Empty(t, left, "kind %s", k)
	}
	assert.Empty(t, srv.Violations())
}
