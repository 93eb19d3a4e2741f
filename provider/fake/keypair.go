package fake

import (
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateKeyPair checks a key pair as the clouds do: a public key they
// import (a private key is refused: AWS answers InvalidKey.Format,
// OUTSCALE 4000 InvalidParameterValue) and a name no other key pair of
// the region has (AWS InvalidKeyPair.Duplicate, OUTSCALE 409 code 9011).
func (d *Driver) validateKeyPair(op string, e, old *entry) error {
	s := e.res.KeyPair
	if err := s.PublicKey.Check("key_pair.public_key"); err != nil {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "%v", err)
	}
	for _, o := range d.keyed(e.kind, nameKey(s.Name), old) {
		return d.errf(op, e.kind, e.res.ID, driver.AlreadyExists, "key_pair.name: %q: used by %s (InvalidKeyPair.Duplicate)", s.Name, o.id)
	}
	return nil
}

// usesKeyPair reports whether o is a cluster that starts its nodes with
// key pair id. Neither cloud stops the delete of a key pair in use (the
// running nodes keep the key they started with); the fake refuses it, so
// that a plan that deletes a key pair before the cluster moved off it
// fails in tests before it fails the next node the cloud starts.
func usesKeyPair(o *entry, id string) bool {
	return o.kind == blueprint.KindCluster && o.res.Cluster.KeyPair == blueprint.Ref(id)
}
