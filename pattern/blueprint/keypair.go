package blueprint

import (
	"errors"
	"strconv"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/tier"
)

// KeyPairSpec is an SSH public key registered with the cloud, which the
// nodes of a cluster start with: an AWS key pair (ImportKeyPair), an
// OUTSCALE keypair (CreateKeypair with PublicKey). Only public key
// material is ever sent; [Resource.Check] refuses a private key. Its
// provider id is its name, which both clouds take where a key pair is
// used (launch template KeyName, CreateVms KeypairName).
//
// Neither cloud changes a key pair: another key is another key pair.
// Build names it "<deployment>-<tier>-<hash>", the hash being
// [tier.PublicKey.ShortHash], so that the new one is made (and the
// cluster moved to it) before the old one goes.
type KeyPairSpec struct {
	// Name is the key pair's name, unique in the region: 1 to 255
	// printable ASCII characters (AWS ImportKeyPair KeyName, OUTSCALE
	// CreateKeypair KeypairName).
	Name string `json:"name"`
	// PublicKey is the key, one OpenSSH authorized_keys line, kept in
	// canonical form ([tier.PublicKey.Canonical]: no comment). OUTSCALE
	// reads back only a fingerprint: its driver lists the field as write
	// only, and the hash in Name tells a changed key.
	PublicKey tier.PublicKey `json:"public_key"`
}

func (s *KeyPairSpec) refs() []*Ref        { return nil }
func (s *KeyPairSpec) clone() *KeyPairSpec { c := *s; return &c }
func (s *KeyPairSpec) normalize()          { s.PublicKey = s.PublicKey.Canonical() }
func (s *KeyPairSpec) isLockName() bool    { return strings.HasPrefix(s.Name, "archkit-lock-") }
func (s *KeyPairSpec) printableName() bool { return strings.IndexFunc(s.Name, notPrintableASCII) < 0 }
func notPrintableASCII(r rune) bool        { return r < 0x20 || r > 0x7e }

// MaxKeyPairName is the longest key pair name AWS and OUTSCALE take.
const MaxKeyPairName = 255

// keyPair checks the name and the key: a public key both clouds import,
// never a private one.
func (ps *problems) keyPair(s *KeyPairSpec) {
	if s == nil {
		return
	}
	switch {
	case s.Name == "" || len(s.Name) > MaxKeyPairName || !s.printableName():
		ps.add("key_pair.name", strconv.Quote(s.Name), "not 1-255 printable ASCII characters", "name it like <deployment>-<tier>-<hash>")
	case s.isLockName():
		ps.add("key_pair.name", strconv.Quote(s.Name), "the prefix of archkit's deployment locks", "rename it")
	}
	if err := s.PublicKey.Check("key_pair.public_key"); err != nil {
		var fe *netplan.FieldError
		if errors.As(err, &fe) {
			ps.add(fe.Field, fe.Input, fe.Problem, fe.Fix)
		}
	}
}
