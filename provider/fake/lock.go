package fake

import (
	"context"
	"maps"
	"time"

	"github.com/archkit/archkit/provider/driver"
)

// lockEntry is a lock object: a name unique in the fake, an id new at
// every creation, and its record in tags.
type lockEntry struct {
	id   string
	tags map[string]string
}

func (l *lockEntry) lock(deployment string) driver.Lock {
	return driver.LockFromTags(l.id, deployment, l.tags)
}

// CreateLock creates the lock object of l.Deployment, named
// [driver.LockName], with l's record; a name taken fails with Code
// AlreadyExists, as CreateLaunchTemplate and CreateKeypair do. Lock
// objects are not resources: [Driver.Resources], Snapshot and List never
// show them; [Driver.Locks] does.
func (d *Driver) CreateLock(ctx context.Context, l driver.Lock) (driver.Lock, error) {
	if !d.usable() {
		return driver.Lock{}, errNilDriver
	}
	if err := checkDeployment(OpCreateLock, "", l.Deployment); err != nil {
		return driver.Lock{}, err
	}
	name := driver.LockName(l.Deployment)
	err := d.call(ctx, Call{Op: OpCreateLock, LogicalID: name}, func(c *Call) error {
		if cur, ok := d.locks[name]; ok {
			return d.errf(OpCreateLock, "", cur.id, driver.AlreadyExists, "lock %s exists (%s)", name, cur.id)
		}
		d.lockSeq++
		prefix := "lt"
		if d.opts.IDStyle == IDStyleOutscale {
			prefix = "key"
		}
		l.ID = d.idWith(prefix, mix(d.lockSeq^0x6c6f636b))
		d.locks[name] = &lockEntry{id: l.ID, tags: l.Tags()}
		c.ID = l.ID
		return nil
	})
	if err != nil {
		return driver.Lock{}, err
	}
	return l, nil
}

// ReadLock returns the lock object of deployment, or Code NotFound.
func (d *Driver) ReadLock(ctx context.Context, deployment string) (driver.Lock, error) {
	if !d.usable() {
		return driver.Lock{}, errNilDriver
	}
	if err := checkDeployment(OpReadLock, "", deployment); err != nil {
		return driver.Lock{}, err
	}
	name := driver.LockName(deployment)
	var out driver.Lock
	err := d.call(ctx, Call{Op: OpReadLock, LogicalID: name}, func(c *Call) error {
		cur, ok := d.locks[name]
		if !ok || cur.tags[driver.TagLock] != deployment {
			return d.errf(OpReadLock, "", name, driver.NotFound, "lock %s does not exist", name)
		}
		c.ID = cur.id
		out = cur.lock(deployment)
		return nil
	})
	return out, err
}

// RenewLock sets the expiry of the lock object l.ID; Code NotFound when
// that object is gone, even if a newer lock of the same name exists.
func (d *Driver) RenewLock(ctx context.Context, l driver.Lock, expires time.Time) (driver.Lock, error) {
	if !d.usable() {
		return driver.Lock{}, errNilDriver
	}
	if err := checkDeployment(OpRenewLock, "", l.Deployment); err != nil {
		return driver.Lock{}, err
	}
	var out driver.Lock
	err := d.call(ctx, Call{Op: OpRenewLock, ID: l.ID}, func(*Call) error {
		cur, ok := d.locks[driver.LockName(l.Deployment)]
		if !ok || cur.id != l.ID {
			return d.errf(OpRenewLock, "", l.ID, driver.NotFound, "lock %s does not exist", l.ID)
		}
		maps.Copy(cur.tags, driver.ExpiryTags(expires))
		out = cur.lock(l.Deployment)
		return nil
	})
	return out, err
}

// DeleteLock deletes the lock object l.ID, never a newer one of the same
// name; one already gone is not an error.
func (d *Driver) DeleteLock(ctx context.Context, l driver.Lock) error {
	if !d.usable() {
		return errNilDriver
	}
	if err := checkDeployment(OpDeleteLock, "", l.Deployment); err != nil {
		return err
	}
	return d.call(ctx, Call{Op: OpDeleteLock, ID: l.ID}, func(*Call) error {
		name := driver.LockName(l.Deployment)
		if cur, ok := d.locks[name]; ok && cur.id == l.ID {
			delete(d.locks, name)
		}
		return nil
	})
}

// Locks returns the lock objects the fake holds, by deployment: a test
// checks that a run released its lock.
func (d *Driver) Locks() map[string]driver.Lock {
	if !d.usable() {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string]driver.Lock, len(d.locks))
	for _, l := range d.locks {
		dep := l.tags[driver.TagLock]
		out[dep] = l.lock(dep)
	}
	return out
}
