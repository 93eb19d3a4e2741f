package tier

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// PublicKey is an SSH public key in the OpenSSH authorized_keys format,
// one line: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI... alice@laptop". It
// is the only key material archkit takes: the clouds keep the public key
// (an AWS key pair made with ImportKeyPair, an OUTSCALE keypair made with
// CreateKeypair and its PublicKey), the private key never leaves its
// owner. The zero value is no key.
type PublicKey string

// sshKeyTypes are the key types both clouds import: AWS's ImportKeyPair
// takes RSA and ED25519 keys ("Amazon EC2 key pairs", EC2 user guide);
// OUTSCALE's CreateKeypair takes RSA, Ed25519 and ECDSA (CreateKeypair,
// OUTSCALE API reference). ECDSA keys are refused on AWS only: archkit
// keeps the types both take.
var sshKeyTypes = map[string]bool{ssh.KeyAlgoRSA: true, ssh.KeyAlgoED25519: true}

// minRSABits is the smallest RSA key both clouds import: AWS asks for
// 2048-bit SSH-2 RSA keys, OUTSCALE for 2048 or preferably 4096 bits.
const minRSABits = 2048

// Check reports whether k is an SSH public key both clouds import: one
// OpenSSH authorized_keys line of type ssh-ed25519 or ssh-rsa (2048 bits
// or more), with nothing after the comment. A private key, in any of its
// formats (PEM "-----BEGIN OPENSSH PRIVATE KEY-----", PKCS #1, PKCS #8),
// is refused with its own message and never quoted back. The error
// matches [ErrInvalid] and names field:
//
//	tier: cluster[bastion].ssh_public_key: "-----BEGIN OPENSSH PRIVATE KEY-----...": a private key; give the public key (the .pub file, ssh-keygen -y -f key), never the private one
func (k PublicKey) Check(field string) error {
	s := strings.TrimSpace(string(k))
	if looksPrivate(s) {
		return fieldError(field, "-----BEGIN ... PRIVATE KEY-----", "a private key",
			"give the public key (the .pub file, or ssh-keygen -y -f key), never the private one")
	}
	if strings.ContainsAny(s, "\r\n") {
		return fieldError(field, quoteKey(s), "more than one line", "give one key, one authorized_keys line")
	}
	pub, _, options, rest, err := ssh.ParseAuthorizedKey([]byte(s))
	switch {
	case err != nil:
		return fieldError(field, quoteKey(s), "not an SSH public key", `give one OpenSSH public key line, such as "ssh-ed25519 AAAAC3Nza... alice@laptop" (the .pub file)`)
	case len(options) > 0 || len(rest) > 0:
		return fieldError(field, quoteKey(s), "options or more keys around the key", "give the key line alone: type, key and comment")
	case !sshKeyTypes[pub.Type()]:
		return fieldError(field, pub.Type(), "a key type the clouds do not both import", "use an ssh-ed25519 key (ssh-keygen -t ed25519) or ssh-rsa of 2048 bits or more")
	}
	if bits := rsaBits(pub); bits > 0 && bits < minRSABits {
		return fieldError(field, fmt.Sprintf("ssh-rsa %d bits", bits), "RSA key too short", "use an RSA key of 2048 bits or more, or ssh-ed25519")
	}
	return nil
}

// Canonical returns k as "<type> <Base64 key>", without comment or
// surrounding space, as the clouds read it back: the form a Blueprint
// keeps. A k that is not a public key is returned trimmed.
func (k PublicKey) Canonical() PublicKey {
	s := strings.TrimSpace(string(k))
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(s))
	if err != nil {
		return PublicKey(s)
	}
	return PublicKey(strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub))))
}

// Fingerprint returns the SHA-256 fingerprint of the key as OpenSSH
// prints it ("SHA256:" and the unpadded Base64 of the hash of the key's
// wire form), or "" when k is not a public key.
func (k PublicKey) Fingerprint() string {
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(strings.TrimSpace(string(k))))
	if err != nil {
		return ""
	}
	return ssh.FingerprintSHA256(pub)
}

// ShortHash returns the first 8 hexadecimal digits of the SHA-256 of the
// key's wire form: a comment or spacing change keeps it, another key
// changes it. "" when k is not a public key.
func (k PublicKey) ShortHash() string {
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(strings.TrimSpace(string(k))))
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(pub.Marshal())
	return hex.EncodeToString(sum[:4])
}

// looksPrivate reports whether s holds a private key: a PEM block of a
// private key, or anything x/crypto/ssh reads as one.
func looksPrivate(s string) bool {
	if strings.Contains(s, "PRIVATE KEY") {
		return true
	}
	if _, err := ssh.ParseRawPrivateKey([]byte(s)); err == nil {
		return true
	} else if errors.As(err, new(*ssh.PassphraseMissingError)) {
		return true
	}
	return false
}

// rsaBits returns the modulus size of an RSA key, 0 for other types.
func rsaBits(pub ssh.PublicKey) int {
	cpk, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		return 0
	}
	if r, ok := cpk.CryptoPublicKey().(interface{ Size() int }); ok && pub.Type() == ssh.KeyAlgoRSA {
		return r.Size() * 8
	}
	return 0
}

// quoteKey quotes the start of what looks like a public key line for an
// error message; anything else (it may be key material the caller must
// not see in a log) is only measured.
func quoteKey(s string) string {
	const max = 24
	if !strings.HasPrefix(s, "ssh-") && !strings.HasPrefix(s, "ecdsa-") || strings.ContainsAny(s, "\r\n") {
		return fmt.Sprintf("<%d characters>", len(s))
	}
	if len(s) > max {
		return fmt.Sprintf("%q...", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
