package driver

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// Locker keeps the lock of a deployment in the cloud itself: one object
// per deployment, named [LockName], that the cloud refuses to create twice
// and that carries its holder and the end of its lease in tags. Every
// [Driver] implements it; the engine (package provider) builds the lease on
// it: take, renew while the run lasts, take over once expired, break on
// request, release. The conformance suite (package providertest) checks
// the contract on every driver.
//
// What makes it safe is the cloud's own guarantee, one per driver:
//
//	driver    object                                   unique because
//	aws       an EC2 launch template, no data          its name is unique per account and region:
//	                                                   CreateLaunchTemplate of a taken name fails
//	                                                   with InvalidLaunchTemplateName.AlreadyExistsException
//	outscale  a keypair (an imported public key whose   its name is unique per account: CreateKeypair
//	          private key nobody has)                  of a taken name fails with 409, code 9011
//	fake      an in-memory object under the            a map from the name, under the driver's mutex
//	          driver's mutex
//
// Every method checks the deployment name ([blueprint.CheckDeployment])
// before any call, and compares names and tags exactly.
type Locker interface {
	// CreateLock creates the lock object of l.Deployment carrying l's
	// holder and expiry ([Lock.Tags]), and returns it with its ID set.
	// When the object exists already, whoever holds it, it fails with
	// Code AlreadyExists and changes nothing.
	CreateLock(ctx context.Context, l Lock) (Lock, error)
	// ReadLock returns the lock object of deployment, or an error with
	// Code NotFound when there is none.
	ReadLock(ctx context.Context, deployment string) (Lock, error)
	// RenewLock sets the expiry of the lock object l.ID, and only of that
	// one: when it is gone (released, broken, taken over, even if a newer
	// lock of the same name exists), it fails with Code NotFound.
	RenewLock(ctx context.Context, l Lock, expires time.Time) (Lock, error)
	// DeleteLock deletes the lock object l.ID, never another one of the
	// same name, so that breaking an expired lock cannot release the
	// newer lock of someone else. A lock already gone is not an error.
	DeleteLock(ctx context.Context, l Lock) error
}

// LockPrefix starts the cloud name of every lock object.
const LockPrefix = "archkit-lock-"

// LockName returns the cloud name of the lock object of deployment:
// "archkit-lock-shop" for "shop". A deployment name of
// [blueprint.MaxDeploymentLen] characters gives 128, the limit of AWS
// launch template names.
func LockName(deployment string) string { return LockPrefix + deployment }

// Lock tags: the record a lock object carries. TagLock marks the object as
// the lock of its value's deployment (never TagDeployment: a lock is not a
// resource of the deployment, and List never returns it).
const (
	TagLock        = "archkit:lock"
	TagLockHolder  = "archkit:lock:holder"
	TagLockHost    = "archkit:lock:host"
	TagLockPID     = "archkit:lock:pid"
	TagLockStart   = "archkit:lock:start"
	TagLockExpires = "archkit:lock:expires"
)

// Lock is a deployment's lock object as the cloud reports it.
type Lock struct {
	// ID is the provider id of the lock object ("lt-0ab12...", "key-..."),
	// new for every acquisition: the engine binds idempotency tokens to it.
	ID         string
	Deployment string
	Holder     Holder
	// Expires is the end of the holder's lease. Zero: the object carries no
	// record yet (OUTSCALE tags a keypair after creating it).
	Expires time.Time
}

// Holder names who holds a lock: a random id drawn at each acquisition,
// the host, the process and the time the lock was taken.
type Holder struct {
	ID    string
	Host  string
	PID   int
	Start time.Time
}

// String returns "host build-7, process 4242, since 2026-05-04T10:00:00Z
// (holder 9f86d081884c7d65)", or "an unknown holder" for a lock without a
// record.
func (h Holder) String() string {
	if h.ID == "" {
		return "an unknown holder (its record was never written)"
	}
	return fmt.Sprintf("host %s, process %d, since %s (holder %s)", h.Host, h.PID, h.Start.UTC().Format(time.RFC3339), h.ID)
}

// Expired reports whether the lease of l ended at or before now. A lock
// without a record (Expires zero) has not expired.
func (l Lock) Expired(now time.Time) bool { return !l.Expires.IsZero() && !now.Before(l.Expires) }

// Tags returns the record of l as tags: TagLock and the holder's and
// expiry's tags. Values fit every cloud's tag values (the host name is cut
// to 255 bytes).
func (l Lock) Tags() map[string]string {
	host := l.Holder.Host
	if len(host) > 255 {
		host = host[:255]
	}
	return map[string]string{
		TagLock:        l.Deployment,
		TagLockHolder:  l.Holder.ID,
		TagLockHost:    host,
		TagLockPID:     strconv.Itoa(l.Holder.PID),
		TagLockStart:   l.Holder.Start.UTC().Format(time.RFC3339Nano),
		TagLockExpires: l.Expires.UTC().Format(time.RFC3339Nano),
	}
}

// ExpiryTags returns the tag that renews a lock until expires.
func ExpiryTags(expires time.Time) map[string]string {
	return map[string]string{TagLockExpires: expires.UTC().Format(time.RFC3339Nano)}
}

// LockFromTags rebuilds the Lock with provider id id of deployment from
// its tags. Missing or unreadable tags leave their fields zero.
func LockFromTags(id, deployment string, tags map[string]string) Lock {
	l := Lock{ID: id, Deployment: deployment}
	l.Holder.ID = tags[TagLockHolder]
	l.Holder.Host = tags[TagLockHost]
	l.Holder.PID, _ = strconv.Atoi(tags[TagLockPID])
	l.Holder.Start, _ = time.Parse(time.RFC3339Nano, tags[TagLockStart])
	l.Expires, _ = time.Parse(time.RFC3339Nano, tags[TagLockExpires])
	return l
}
