package outscale

import (
	"context"
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// The deployment lock on OUTSCALE is a keypair named
// driver.LockName(deployment). It is safe because keypair names are unique
// in an account: CreateKeypair of a name in use fails with 409, code 9011
// (the API description: "A unique name for the keypair"), so of two runs
// that create it at once exactly one gets it. Keypairs take tags
// (CreateTags lists them among its resources, key-...) and are deleted by
// their id (DeleteKeypair takes KeypairId), new at every creation, so that
// nobody ever deletes a lock taken after the one they meant. CreateKeypair
// takes no tags (the OUTSCALE objects with a unique name that take tags in
// their create call, load balancers, cost money and take minutes to
// make), so the record is written by CreateTags right after; when
// that fails the keypair is deleted again. A run that dies between the two
// calls leaves a lock without a record: the engine gives such a lock an
// expiry one lease away, so it blocks no longer than a lease.
//
// The keypair is an imported ed25519 public key whose private key is never
// kept (nobody can log in with it), and whose fingerprint, known to the
// creating call only, lets it recognise its own keypair when the answer to
// CreateKeypair is lost.

const lockKind = "lock"

// CreateLock imports the lock's keypair and tags it with its record.
func (d *Driver) CreateLock(ctx context.Context, l driver.Lock) (driver.Lock, error) {
	if err := d.ready("CreateLock", ""); err != nil {
		return driver.Lock{}, err
	}
	if err := checkDeployment("CreateLock", lockKind, l.Deployment); err != nil {
		return driver.Lock{}, err
	}
	name := driver.LockName(l.Deployment)
	pub, fingerprint, err := lockKey()
	if err != nil {
		return driver.Lock{}, errorf("CreateKeypair", lockKind, name, driver.Internal, "lock key: %v", err)
	}
	in := osc.CreateKeypairRequest{KeypairName: name, PublicKey: &pub}
	resp, err := call(ctx, d, "CreateKeypair", lockKind, name, func(ctx context.Context) (osc.CreateKeypairResponse, *http.Response, error) {
		return d.api.KeypairApi.CreateKeypair(ctx).CreateKeypairRequest(in).Execute()
	})
	created := resp.GetKeypair()
	id := created.GetKeypairId()
	if err != nil {
		if id, err = d.lostKeypair(ctx, name, fingerprint, err); err != nil {
			return driver.Lock{}, err
		}
	}
	if err := d.createTags(ctx, "CreateLock", lockKind, id, l.Tags()); err != nil {
		_ = d.deleteKeypair(context.WithoutCancel(ctx), id)
		return driver.Lock{}, err
	}
	l.ID = id
	return l, nil
}

// lostKeypair decides what a failed CreateKeypair did. When its answer
// was lost, the keypair of that name is ours if it has our fingerprint;
// none means the call never took effect (Retryable: the engine sends it
// again); another one means the name is taken.
func (d *Driver) lostKeypair(ctx context.Context, name, fingerprint string, err error) (string, error) {
	if !lostAnswer(err) {
		return "", err
	}
	kp, found, rerr := d.readKeypair(ctx, osc.FiltersKeypair{KeypairNames: &[]string{name}}, name)
	switch {
	case rerr != nil:
		return "", errors.Join(err, rerr)
	case found && kp.GetKeypairFingerprint() == fingerprint:
		return kp.GetKeypairId(), nil
	case found:
		return "", errorf("CreateKeypair", lockKind, name, driver.AlreadyExists, "keypair %s exists (%s)", name, kp.GetKeypairId())
	}
	var pe *driver.Error
	if errors.As(err, &pe) {
		pe.Retryable = true
	}
	return "", err
}

// ReadLock returns the lock's keypair and its record.
func (d *Driver) ReadLock(ctx context.Context, deployment string) (driver.Lock, error) {
	if err := d.ready("ReadLock", ""); err != nil {
		return driver.Lock{}, err
	}
	if err := checkDeployment("ReadLock", lockKind, deployment); err != nil {
		return driver.Lock{}, err
	}
	name := driver.LockName(deployment)
	kp, found, err := d.readKeypair(ctx, osc.FiltersKeypair{KeypairNames: &[]string{name}}, name)
	switch {
	case err != nil:
		return driver.Lock{}, err
	case !found:
		return driver.Lock{}, errorf("ReadKeypairs", lockKind, name, driver.NotFound, "lock %s: no such keypair", name)
	}
	tags := tagMap(kp.GetTags())
	if v, ok := tags[driver.TagLock]; ok && v != deployment {
		return driver.Lock{}, errorf("ReadKeypairs", lockKind, kp.GetKeypairId(), driver.Invalid,
			"keypair %s is not the archkit lock of %s (its tag %s is %q); rename or delete it", name, deployment, driver.TagLock, v)
	}
	return driver.LockFromTags(kp.GetKeypairId(), deployment, tags), nil
}

// RenewLock rewrites the expiry tag of the keypair l.ID, after checking
// that this very keypair still exists.
func (d *Driver) RenewLock(ctx context.Context, l driver.Lock, expires time.Time) (driver.Lock, error) {
	if err := d.ready("RenewLock", ""); err != nil {
		return driver.Lock{}, err
	}
	if err := checkDeployment("RenewLock", lockKind, l.Deployment); err != nil {
		return driver.Lock{}, err
	}
	kp, found, err := d.readKeypair(ctx, osc.FiltersKeypair{KeypairIds: &[]string{l.ID}}, l.ID)
	switch {
	case err != nil:
		return driver.Lock{}, err
	case !found || kp.GetKeypairName() != driver.LockName(l.Deployment):
		return driver.Lock{}, errorf("ReadKeypairs", lockKind, l.ID, driver.NotFound, "lock %s: no such keypair", l.ID)
	}
	if err := d.createTags(ctx, "RenewLock", lockKind, l.ID, driver.ExpiryTags(expires)); err != nil {
		return driver.Lock{}, err
	}
	l.Expires = expires
	return l, nil
}

// DeleteLock deletes the keypair l.ID; one already gone is not an error.
func (d *Driver) DeleteLock(ctx context.Context, l driver.Lock) error {
	if err := d.ready("DeleteLock", ""); err != nil {
		return err
	}
	if err := checkDeployment("DeleteLock", lockKind, l.Deployment); err != nil {
		return err
	}
	if err := d.deleteKeypair(ctx, l.ID); err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

func (d *Driver) deleteKeypair(ctx context.Context, id string) error {
	in := osc.DeleteKeypairRequest{KeypairId: &id}
	_, err := call(ctx, d, "DeleteKeypair", lockKind, id, func(ctx context.Context) (osc.DeleteKeypairResponse, *http.Response, error) {
		return d.api.KeypairApi.DeleteKeypair(ctx).DeleteKeypairRequest(in).Execute()
	})
	return err
}

// readKeypair returns the keypair f selects, compared exactly by name or
// id (want).
func (d *Driver) readKeypair(ctx context.Context, f osc.FiltersKeypair, want string) (osc.Keypair, bool, error) {
	in := osc.ReadKeypairsRequest{Filters: &f}
	resp, err := call(ctx, d, "ReadKeypairs", lockKind, want, func(ctx context.Context) (osc.ReadKeypairsResponse, *http.Response, error) {
		return d.api.KeypairApi.ReadKeypairs(ctx).ReadKeypairsRequest(in).Execute()
	})
	if err != nil {
		return osc.Keypair{}, false, err
	}
	for _, kp := range resp.GetKeypairs() {
		if kp.GetKeypairName() == want || kp.GetKeypairId() == want {
			return kp, true, nil
		}
	}
	return osc.Keypair{}, false, nil
}

// lockKey returns a fresh ed25519 public key, Base64-encoded in OpenSSH's
// authorized_keys form as CreateKeypair takes it, and its MD5 fingerprint
// as OUTSCALE reports it (RFC 4716, section 4: "aa:bb:..."). The private
// key is dropped.
func lockKey() (pub, fingerprint string, err error) {
	pk, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	blob := sshString(nil, []byte("ssh-ed25519"))
	blob = sshString(blob, pk)
	line := "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob) + " archkit-lock"
	return base64.StdEncoding.EncodeToString([]byte(line)), fingerprintOf(blob), nil
}

// sshString appends s to b as an SSH wire string (RFC 4251): a 32-bit
// length and the bytes.
func sshString(b, s []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// fingerprintOf returns the MD5 fingerprint of an SSH public key blob (the
// decoded second field of an authorized_keys line), as RFC 4716 section 4
// writes it and OUTSCALE reports it: 16 lowercase hexadecimal pairs
// joined by ':'.
func fingerprintOf(blob []byte) string {
	sum := md5.Sum(blob)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(parts, ":")
}

// checkDeployment refuses, before any call, a deployment name that
// blueprint.CheckDeployment refuses.
func checkDeployment(op, kind, deployment string) error {
	if err := blueprint.CheckDeployment(deployment); err != nil {
		return final(driver.NewError(op, kind, "", driver.Invalid, fmt.Errorf("outscale: %w", err)))
	}
	return nil
}
