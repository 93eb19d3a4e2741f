package tier_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/archkit/archkit/tier"
)

// authorizedKey returns the authorized_keys line of pub, with a comment.
func authorizedKey(t *testing.T, pub any) string {
	t.Helper()
	sp, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " alice@laptop"
}

func TestPublicKeyCheck(t *testing.T) {
	t.Parallel()
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	rsa2048, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	openssh, err := ssh.MarshalPrivateKey(edPriv, "")
	require.NoError(t, err)
	private := string(pem.EncodeToMemory(openssh))
	ed := authorizedKey(t, edPub)

	for _, tc := range []struct {
		name, key, want string // want: "" or a part of the error
	}{
		{"ed25519", ed, ""},
		{"ed25519 without comment", strings.Join(strings.Fields(ed)[:2], " "), ""},
		{"rsa 2048", authorizedKey(t, &rsa2048.PublicKey), ""},
		{"rsa 1024", authorizedKey(t, &rsa1024.PublicKey), "RSA key too short"},
		{"ecdsa", authorizedKey(t, &ec.PublicKey), "do not both import"},
		{"openssh private key", private, "a private key"},
		{"private key without header", strings.Join(strings.Split(private, "\n")[1:3], "\n"), "more than one line"},
		{"pkcs8 header", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----", "a private key"},
		{"two keys", ed + "\n" + ed, "more than one line"},
		{"options", `from="10.0.0.1" ` + ed, "options"},
		{"garbage", "ssh-ed25519 notbase64!", "not an SSH public key"},
		{"empty", "", "not an SSH public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tier.PublicKey(tc.key).Check("cluster[bastion].ssh_public_key")
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tier.ErrInvalid)
			assert.ErrorContains(t, err, "cluster[bastion].ssh_public_key")
			assert.ErrorContains(t, err, tc.want)
			if len(tc.key) > 30 {
				assert.NotContains(t, err.Error(), tc.key[:30], "a key is never quoted in full")
			}
		})
	}
	// The private key is never quoted back.
	err = tier.PublicKey(private).Check("k")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), strings.Split(private, "\n")[1][:20])
}

func TestPublicKeyHash(t *testing.T) {
	t.Parallel()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	k := tier.PublicKey(authorizedKey(t, pub))
	other := tier.PublicKey(strings.Replace(string(k), "alice@laptop", "bob", 1))
	assert.Len(t, k.ShortHash(), 8)
	assert.Equal(t, k.ShortHash(), other.ShortHash(), "the comment is not the key")
	assert.Equal(t, k.Fingerprint(), other.Fingerprint())
	assert.True(t, strings.HasPrefix(k.Fingerprint(), "SHA256:"))
	assert.Empty(t, tier.PublicKey("nope").ShortHash())
}
