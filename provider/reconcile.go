package provider

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrBuild is matched by the error of a Source that did not build (its
// BuildAround failed, or built another deployment): no later pass of
// [Engine.Reconcile] can fix it.
var ErrBuild = errors.New("provider: build")

// DefaultReconcileInterval is the time between the starts of two passes
// of [Engine.Reconcile] when ReconcileOptions.Interval is zero.
const DefaultReconcileInterval = time.Minute

// ReconcileOptions configure [Engine.Reconcile].
type ReconcileOptions struct {
	// Interval is the time between the starts of two passes; a pass that
	// takes longer is followed at once by the next. 0:
	// DefaultReconcileInterval.
	Interval time.Duration
	// AllowDataLoss lists the stateful resources ("cluster/db") the loop
	// may replace or delete, as ApplyOptions.AllowDataLoss does for one
	// apply, but for every pass. Without it a pass that would replace a
	// stateful resource writes nothing and reports ErrProtected in its
	// Pass, every pass, until the caller opts in or the cause goes.
	AllowDataLoss []string
	// Lock overrides the engine's lock options for the passes' writes
	// (ApplyOptions.Lock). A pass that finds the deployment locked by
	// another run writes nothing and reports ErrLocked: the loop never
	// breaks a lock and never waits for one longer than Lock.Wait.
	Lock LockOptions
	// OnPass, when set, is called after each pass, in the loop's goroutine.
	OnPass func(Pass)
	// MaxPasses ends the loop after that many passes; 0: until ctx ends.
	MaxPasses int
}

// Pass is one pass of [Engine.Reconcile]: an Apply of the Source.
type Pass struct {
	// N counts the passes from 1.
	N     int
	Start time.Time
	// Result is the pass's Apply result: its Changeset says what was found
	// out of place (nothing: the deployment had not moved), and its counts
	// what was done.
	Result *Result
	// Err is why the pass did not converge: ErrLocked (another run was
	// writing), ErrProtected (a stateful resource would be replaced; see
	// ReconcileOptions.AllowDataLoss), a cloud's error. The next pass tries
	// again.
	Err error
}

// Healed reports whether the pass changed anything.
func (p Pass) Healed() bool {
	return p.Result != nil && p.Result.Created+p.Result.Updated+p.Result.Replaced+p.Result.Deleted > 0
}

// Reconcile keeps the deployment of src converged until ctx ends: every
// Interval it applies src, which reads the actual state (without the
// lock) and, only when something moved, takes the deployment's lock and
// writes what brings it back: a resource deleted out of band is created
// again; on OUTSCALE, a cluster's VM that was terminated or stopped, or
// that fails its load balancer's health check (the passes' lists ask for
// the nodes' health: driver.Query.Health), is replaced (on AWS the
// autoscaling group replaces its instances itself, and the loop finds
// nothing to do); a rule or route changed by hand is
// put back. Every write is reported as an Apply's are (Options.OnEvent),
// and each pass as a Pass (ReconcileOptions.OnPass) and an EventNotice
// naming what it did.
//
// Stateful resources keep their protection: a pass never replaces or
// deletes one the caller did not name in ReconcileOptions.AllowDataLoss.
// A pass that fails (a cloud's error, a lock held by another run) is
// reported and the next one tries again. The loop returns nil when ctx
// ends (cancelled or past its deadline: the way to stop it; an apply in
// flight stops as Apply stops), or after MaxPasses passes, and returns an
// error at once for what no pass can fix: a Source that does not build
// (ErrBuild), a Blueprint the preflight or the lint refuses (ErrPreflight,
// ErrLint), an engine without a driver.
//
//	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
//	defer stop()
//	err := eng.Reconcile(ctx, arch, func(o *provider.ReconcileOptions) {
//		o.Interval = 30 * time.Second
//		o.OnPass = func(p provider.Pass) { log.Print(p) }
//	})
func (e *Engine) Reconcile(ctx context.Context, src Source, optFns ...func(*ReconcileOptions)) error {
	if err := e.usable(ctx); err != nil {
		return err
	}
	if src == nil {
		return fmt.Errorf("%w: nil Source; pass a Blueprint or an architecture", ErrBuild)
	}
	var o ReconcileOptions
	for _, f := range optFns {
		if f != nil {
			f(&o)
		}
	}
	if o.Interval <= 0 {
		o.Interval = DefaultReconcileInterval
	}
	tick := time.NewTicker(o.Interval)
	defer tick.Stop()
	for n := 1; o.MaxPasses <= 0 || n <= o.MaxPasses; n++ {
		p := e.pass(ctx, src, n, &o)
		if ctx.Err() != nil {
			return nil
		}
		if o.OnPass != nil {
			o.OnPass(p)
		}
		if final(p.Err) {
			return p.Err
		}
		if o.MaxPasses > 0 && n == o.MaxPasses {
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
	return nil
}

// pass runs one pass of the loop and reports it as a notice.
func (e *Engine) pass(ctx context.Context, src Source, n int, o *ReconcileOptions) Pass {
	p := Pass{N: n, Start: time.Now()}
	p.Result, p.Err = e.Apply(ctx, src, func(ao *ApplyOptions) {
		ao.AllowDataLoss, ao.Lock, ao.health = o.AllowDataLoss, o.Lock, true
	})
	if ctx.Err() == nil {
		e.emit(ctx, &redactor{deployment: src.DeploymentName()}, Event{Type: EventNotice, Message: p.String(), Err: p.Err})
	}
	return p
}

// final reports whether err is one no later pass can fix.
func final(err error) bool {
	return errors.Is(err, ErrBuild) || errors.Is(err, ErrPreflight) || errors.Is(err, ErrLint) || errors.Is(err, ErrNoDriver)
}

// String says what the pass did: "reconcile pass 3: converged, nothing
// to do", "reconcile pass 4: healed: 1 created, 1 updated", or
// "reconcile pass 5: failed: ...".
func (p Pass) String() string {
	head := fmt.Sprintf("reconcile pass %d: ", p.N)
	switch {
	case p.Err != nil:
		return head + "failed: " + p.Err.Error()
	case p.Healed():
		r := p.Result
		return head + fmt.Sprintf("healed: %d created, %d updated, %d replaced, %d deleted", r.Created, r.Updated, r.Replaced, r.Deleted)
	}
	return head + "converged, nothing to do"
}
