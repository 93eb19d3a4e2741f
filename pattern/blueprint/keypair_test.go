package blueprint_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

const edKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs"

// A key pair is checked as the clouds check it: a name of 1 to 255
// printable ASCII characters, not a deployment lock's, and a public key
// both import; a private key is refused.
func TestKeyPairCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		spec blueprint.KeyPairSpec
		want []string
	}{
		{"ok", blueprint.KeyPairSpec{Name: "shop-bastion-cff7d2bf", PublicKey: edKey}, nil},
		{"empty name", blueprint.KeyPairSpec{PublicKey: edKey}, []string{"key_pair.name", "1-255 printable"}},
		{"long name", blueprint.KeyPairSpec{Name: strings.Repeat("k", 256), PublicKey: edKey}, []string{"key_pair.name"}},
		{"lock name", blueprint.KeyPairSpec{Name: "archkit-lock-shop", PublicKey: edKey}, []string{"deployment locks"}},
		{"private key", blueprint.KeyPairSpec{Name: "k", PublicKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"},
			[]string{"key_pair.public_key", "a private key"}},
		{"no key", blueprint.KeyPairSpec{Name: "k"}, []string{"key_pair.public_key", "not an SSH public key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			spec := tc.spec
			err := (&blueprint.Resource{ID: "key_pair/bastion", Kind: blueprint.KindKeyPair, KeyPair: &spec}).Check()
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, blueprint.ErrInvalid)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
			assert.NotContains(t, err.Error(), "b3BlbnNzaC1rZXktdjEAAAAA")
		})
	}
}

// A key pair's key is kept in canonical form: the comment is not the key.
func TestKeyPairNormalize(t *testing.T) {
	t.Parallel()
	r := blueprint.Resource{ID: "key_pair/bastion", Kind: blueprint.KindKeyPair,
		KeyPair: &blueprint.KeyPairSpec{Name: "k", PublicKey: "  " + edKey + " alice@laptop\n"}}
	r.Normalize()
	assert.Equal(t, tier.PublicKey(edKey), r.KeyPair.PublicKey)
}
