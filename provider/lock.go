package provider

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/wait"
)

// ErrLocked is matched by the error of a run that found its deployment
// locked by another live run: errors.Is(err, provider.ErrLocked). The
// error is a [*LockedError] naming the holder.
var ErrLocked = errors.New("deployment locked")

// ErrLockLost is matched by the error of a run that lost its lock while
// it ran: the lock was broken or taken over, or it could not be renewed
// before its lease ended. The run stops at once (its context is
// cancelled), since another run may be writing.
var ErrLockLost = errors.New("deployment lock lost")

// LockedError reports a deployment locked by another run.
type LockedError struct {
	Deployment string
	// Lock is the lock found, with its holder and the end of its lease.
	Lock driver.Lock
}

// Error names the holder, the end of its lease and what to do.
func (e *LockedError) Error() string {
	if e == nil {
		return "provider: deployment locked (<nil LockedError>)"
	}
	until := "its record is not written yet (a run is taking it, or died while taking it: it expires one lease from now)"
	if !e.Lock.Expires.IsZero() {
		until = "its lease runs until " + e.Lock.Expires.UTC().Format(time.RFC3339)
	}
	breakWith := e.Lock.Holder.ID
	if breakWith == "" {
		breakWith = e.Lock.ID
	}
	return fmt.Sprintf("provider: deployment %s is locked by %s (lock %s); %s. Another run is applying or destroying it: "+
		"wait for it (LockOptions.Wait), or, if that run is dead, let the lease end or break the lock (LockOptions.Break = %q)",
		e.Deployment, e.Lock.Holder, e.Lock.ID, until, breakWith)
}

// Is reports whether target is [ErrLocked].
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// LockOptions configure the deployment lock that every Apply and Destroy
// holds while it writes (see [Engine.Lock]). The zero value of every field
// selects its default.
type LockOptions struct {
	// Lease is how long the lock stays valid without a renewal: how long
	// a run that dies without releasing it blocks the next one. 0: 5m.
	Lease time.Duration
	// Renew is the interval between two renewals of the lease by the
	// holder. 0: Lease/5. The holder gives the lock up, and stops its run,
	// when it could not renew it for Lease minus Renew.
	Renew time.Duration
	// Wait is how long to wait for a lock held by another live run before
	// failing with ErrLocked. 0: fail at once.
	Wait time.Duration
	// Break names the holder of a lock to break (its holder id, or the
	// provider id of the lock object, as a [LockedError] prints them):
	// that lock is deleted, whatever its lease, and a new one taken. A
	// lock held by anyone else is not broken. "": break nothing.
	Break string
}

// Lock defaults: see [LockOptions].
const (
	defaultLease = 5 * time.Minute
	maxLockPoll  = 5 * time.Second
	maxLockRaces = 5 // tries in a row without a wait, when the lock changes hands between two calls
)

// override sets the fields of o that set sets.
func (o *LockOptions) override(set LockOptions) {
	o.Lease = cmp.Or(set.Lease, o.Lease)
	o.Renew = cmp.Or(set.Renew, o.Renew)
	o.Wait = cmp.Or(set.Wait, o.Wait)
	o.Break = cmp.Or(set.Break, o.Break)
}

func (o *LockOptions) setDefaults() {
	if o.Lease <= 0 {
		o.Lease = defaultLease
	}
	if o.Renew <= 0 || o.Renew >= o.Lease {
		o.Renew = o.Lease / 5
	}
}

// lockOptions returns the engine's LockOptions with fns applied, defaults
// set.
func (e *Engine) lockOptions(fns ...func(*LockOptions)) LockOptions {
	o := e.opts.Lock
	for _, f := range fns {
		f(&o)
	}
	o.setDefaults()
	return o
}

// Lease is a held deployment lock, renewed in the background until
// [Lease.Release]. A program that runs several steps under one lock (a
// plan shown for approval, then the apply) takes a Lease with
// [Engine.Lock] and passes it to Apply or Destroy (ApplyOptions.Lease,
// DestroyOptions.Lease). A Lease is safe for concurrent use.
type Lease struct {
	e    *Engine
	opts LockOptions

	mu         sync.Mutex
	lock       driver.Lock
	validUntil time.Time // the expiry of the last renewal, by this clock
	err        error     // why the lease ended

	ended       chan struct{} // closed when the lease ends: lost, dead or released
	endOnce     sync.Once
	stop        chan struct{} // closed by Release
	releaseOnce sync.Once
	beat        chan struct{} // closed when the heartbeat has returned
	runs        atomic.Int64
}

// Lock returns the lock object as last written: its provider id, holder
// and the end of its lease.
func (l *Lease) Lock() driver.Lock {
	if !l.taken() {
		return driver.Lock{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lock
}

// Done returns a channel closed when the lease ends: released, lost
// (Err matches [ErrLockLost]) or given up because the context passed to
// [Engine.Lock] ended.
func (l *Lease) Done() <-chan struct{} {
	if !l.taken() {
		return closed
	}
	return l.ended
}

// taken reports whether l was made by Engine.Lock (not nil, not zero).
func (l *Lease) taken() bool { return l != nil && l.e != nil }

// closed is the Done of a nil or zero Lease: it never held anything.
var closed = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// errNilLease is what the methods of a nil Lease report.
var errNilLease = errors.New("provider: nil *Lease; take one with Engine.Lock")

// Err returns nil while the lease holds, and why it ended afterwards.
func (l *Lease) Err() error {
	if !l.taken() {
		return errNilLease
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// end records why the lease ended, once.
func (l *Lease) end(err error) {
	l.endOnce.Do(func() {
		l.mu.Lock()
		l.err = err
		l.mu.Unlock()
		close(l.ended)
	})
}

// life returns a name for the next run under the lease: the lock's
// provider id, new at every acquisition, and the run's number. Tokens
// built on it never serve two lives of a resource.
func (l *Lease) life() string {
	return l.Lock().ID + "/" + strconv.FormatInt(l.runs.Add(1), 10)
}

// bind returns a context for a run under l: cancelled, with the lease's
// error as cause, when the lease ends. stop releases the binding.
func (l *Lease) bind(ctx context.Context) (run context.Context, stop func()) {
	run, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-l.ended:
			cancel(l.Err())
		case <-run.Done():
		}
	}()
	return run, func() { cancel(nil) }
}

// Lock takes the lock of deployment for the caller and keeps it until
// [Lease.Release], renewing it every LockOptions.Renew. optFns change the
// engine's [Options].Lock for this call.
//
// The lock is an object in the cloud itself, one per deployment, that the
// cloud refuses to create twice ([driver.Locker]): the first of two runs
// makes it, the second finds it and fails at once with a [*LockedError]
// (errors.Is(err, ErrLocked)) naming the holder (host, process, start,
// holder id), or waits up to LockOptions.Wait. A lock whose lease ended
// (its holder died or lost contact) is taken over; a lock named by
// LockOptions.Break is broken; both are reported as notice events.
//
// When ctx ends, the renewals stop, as if the holder died: the lock stays
// until its lease ends, and Done is closed. The renewal that fails with
// NotFound (the lock was broken or taken over), or that cannot be made
// before Lease minus Renew has passed, ends the lease with [ErrLockLost];
// a run bound to it stops at once.
//
// A crashed run blocks the next one for at most Lease (5 minutes by
// default), plus the difference between the two hosts' clocks.
func (e *Engine) Lock(ctx context.Context, deployment string, optFns ...func(*LockOptions)) (*Lease, error) {
	if err := e.usable(ctx); err != nil {
		return nil, err
	}
	if err := checkDeployment(deployment); err != nil {
		return nil, err
	}
	return e.acquire(ctx, e.newClient(), &redactor{deployment: deployment}, deployment, e.lockOptions(optFns...))
}

// acquire takes the lock of deployment (see [Engine.Lock]).
func (e *Engine) acquire(ctx context.Context, c *client, red *redactor, deployment string, o LockOptions) (*Lease, error) {
	holder, err := newHolder()
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(o.Wait)
	poll := min(o.Renew, maxLockPoll)
	if e.d.Capabilities().Local {
		poll = min(poll, e.opts.PollMax) // a local driver answers at once
	}
	// races counts the tries without a wait in between (the lock changed
	// hands between two calls); it starts again after every wait.
	for races := 0; ; races++ {
		want := driver.Lock{Deployment: deployment, Holder: holder, Expires: time.Now().Add(o.Lease)}
		got, err := e.lockCall(ctx, func() (driver.Lock, error) { return c.createLock(ctx, want) })
		if err == nil {
			return e.newLease(ctx, got, o), nil
		}
		if !errors.Is(err, driver.ErrAlreadyExists) && !mayHaveTakenEffect(ctx, err) {
			return nil, fmt.Errorf("provider: lock %s: %w", deployment, err)
		}
		// The lock exists, or our create may have made it though its
		// answer was lost: read whose it is.
		cur, err := e.lockCall(ctx, func() (driver.Lock, error) { return c.readLock(ctx, deployment) })
		switch {
		case errors.Is(err, driver.ErrNotFound):
			if races < maxLockRaces {
				continue // released between the create and the read
			}
			cur = driver.Lock{Deployment: deployment}
		case err != nil:
			return nil, fmt.Errorf("provider: lock %s: %w", deployment, err)
		case cur.Holder.ID == holder.ID:
			// Our own create, whose answer was lost and that the driver
			// or the SDK sent again.
			return e.newLease(ctx, cur, o), nil
		default:
			took, err := e.displace(ctx, c, red, cur, &o)
			if err != nil {
				return nil, err
			}
			if took && races < maxLockRaces {
				continue
			}
		}
		if !time.Now().Add(poll).Before(deadline) {
			return nil, &LockedError{Deployment: deployment, Lock: cur}
		}
		if err := wait.Sleep(ctx, poll); err != nil {
			return nil, fmt.Errorf("provider: lock %s: waiting: %w (%w)", deployment, err, &LockedError{Deployment: deployment, Lock: cur})
		}
		races = -1
	}
}

// mayHaveTakenEffect reports whether a failed call may still have done
// its work: no answer or a server failure (Unavailable, Internal,
// Unknown), not a refusal and not the caller's own cancellation.
func mayHaveTakenEffect(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	switch driver.CodeOf(err) {
	case driver.Unavailable, driver.Internal, driver.Unknown:
		return true
	}
	return false
}

// displace removes cur when it may be removed: broken on request (once),
// or expired. A lock without a record gets an expiry of one lease from
// now, so that a run that died between creating it and writing its record
// blocks the next ones no longer than a lease. It reports whether cur was
// removed.
func (e *Engine) displace(ctx context.Context, c *client, red *redactor, cur driver.Lock, o *LockOptions) (bool, error) {
	var why string
	switch {
	case o.Break != "" && (o.Break == cur.Holder.ID || o.Break == cur.ID):
		why = "broke the lock held by " + cur.Holder.String() + " (LockOptions.Break)"
		o.Break = ""
	case cur.Expired(time.Now()):
		why = fmt.Sprintf("took over the lock held by %s: its lease ended at %s", cur.Holder, cur.Expires.UTC().Format(time.RFC3339))
	case cur.Expires.IsZero():
		_, err := e.lockCall(ctx, func() (driver.Lock, error) { return c.renewLock(ctx, cur, time.Now().Add(o.Lease)) })
		if err != nil && !errors.Is(err, driver.ErrNotFound) {
			return false, fmt.Errorf("provider: lock %s: %w", cur.Deployment, err)
		}
		return false, nil
	default:
		return false, nil
	}
	_, err := e.lockCall(ctx, func() (driver.Lock, error) { return driver.Lock{}, c.deleteLock(ctx, cur) })
	if err != nil {
		return false, fmt.Errorf("provider: lock %s: remove lock %s: %w", cur.Deployment, cur.ID, err)
	}
	e.emit(ctx, red, Event{Type: EventNotice, ProviderID: cur.ID, Message: why})
	return true, nil
}

// lockCall calls f, retrying what is Retryable with the engine's policy.
func (e *Engine) lockCall(ctx context.Context, f func() (driver.Lock, error)) (driver.Lock, error) {
	var out driver.Lock
	err := retry(ctx, e.opts.Retry, func() error {
		var err error
		out, err = f()
		return err
	}, nil)
	return out, err
}

// newHolder describes this process for a new acquisition.
func newHolder() (driver.Holder, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return driver.Holder{}, fmt.Errorf("provider: lock: holder id: %w", err)
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return driver.Holder{ID: hex.EncodeToString(b[:]), Host: host, PID: os.Getpid(), Start: time.Now().UTC()}, nil
}

// newLease starts the renewals of a lock just taken.
func (e *Engine) newLease(ctx context.Context, l driver.Lock, o LockOptions) *Lease {
	ls := &Lease{e: e, opts: o, lock: l, validUntil: l.Expires,
		ended: make(chan struct{}), stop: make(chan struct{}), beat: make(chan struct{})}
	if ls.validUntil.IsZero() {
		ls.validUntil = time.Now().Add(o.Lease)
	}
	go ls.heartbeat(ctx)
	return ls
}

// heartbeat renews the lease every Renew until Release or until ctx ends.
func (l *Lease) heartbeat(ctx context.Context) {
	defer close(l.beat)
	t := time.NewTicker(l.opts.Renew)
	defer t.Stop()
	c := l.e.newClient()
	for {
		select {
		case <-l.stop:
			return
		case <-ctx.Done():
			l.end(fmt.Errorf("%w: renewals stopped: %w", ErrLockLost, context.Cause(ctx)))
			return
		case <-t.C:
		}
		if err := l.renew(ctx, c); err != nil {
			l.end(err)
			return
		}
	}
}

// renew extends the lease once. It returns an error when the lease is
// lost: the lock is gone, or no renewal succeeded in time.
func (l *Lease) renew(ctx context.Context, c *client) error {
	cur := l.Lock()
	l.mu.Lock()
	giveUp := l.validUntil.Add(-l.opts.Renew) // the lease must not end while the run writes
	l.mu.Unlock()
	exp := time.Now().Add(l.opts.Lease)
	rctx, cancel := context.WithDeadline(ctx, giveUp)
	got, err := l.e.lockCall(rctx, func() (driver.Lock, error) { return c.renewLock(rctx, cur, exp) })
	cancel()
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err == nil:
		l.lock, l.validUntil = got, exp
		return nil
	case errors.Is(err, driver.ErrNotFound):
		return fmt.Errorf("%w: lock %s of %s is gone: it was broken or taken over", ErrLockLost, cur.ID, cur.Deployment)
	case !time.Now().Before(giveUp):
		return fmt.Errorf("%w: lock %s of %s could not be renewed before its lease ends at %s: %w",
			ErrLockLost, cur.ID, cur.Deployment, l.validUntil.UTC().Format(time.RFC3339), err)
	}
	return nil // a failed renewal with time left: the next one may pass
}

// errReleased is the Err of a released Lease.
var errReleased = errors.New("provider: lease released")

// Release stops the renewals and deletes the lock object, by its id, so
// that a lock taken over meanwhile by someone else is never deleted. When
// the delete fails, the lock is expired instead (its lease set to end
// now), so that the next run takes it over at once; the error says which.
// Release is safe to call more than once.
func (l *Lease) Release(ctx context.Context) error {
	if !l.taken() {
		return errNilLease
	}
	first := false
	l.releaseOnce.Do(func() { first = true; close(l.stop) })
	<-l.beat
	if !first {
		return nil
	}
	l.end(errReleased)
	ctx = context.WithoutCancel(ctx)
	cur := l.Lock()
	c := l.e.newClient()
	_, err := l.e.lockCall(ctx, func() (driver.Lock, error) { return driver.Lock{}, c.deleteLock(ctx, cur) })
	if err == nil {
		return nil
	}
	_, xerr := l.e.lockCall(ctx, func() (driver.Lock, error) { return c.renewLock(ctx, cur, time.Now().Add(-time.Second)) })
	if xerr == nil || errors.Is(xerr, driver.ErrNotFound) {
		return fmt.Errorf("provider: release lock %s of %s: %w; it was expired instead: the next run takes it over", cur.ID, cur.Deployment, err)
	}
	return fmt.Errorf("provider: release lock %s of %s: %w; expiring it failed too (%w): it blocks the next run until %s, or break it (LockOptions.Break = %q)",
		cur.ID, cur.Deployment, err, xerr, cur.Expires.UTC().Format(time.RFC3339), cur.Holder.ID)
}
