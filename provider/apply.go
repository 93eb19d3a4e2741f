package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/archkit/archkit/provider/driver"
)

// Apply plans src (a Blueprint, or an architecture built around what is
// deployed: see [Source]) and executes the changeset over the dependency
// graph: a resource starts as soon as its dependencies are done, within
// the Parallelism and the rate limit. Retryable errors are retried with
// backoff; asynchronous resources are waited for. Deletes of removed
// resources run after the creates and updates, in reverse dependency
// order.
//
// A changeset that deletes or replaces a stateful resource (a database)
// that [ApplyOptions.AllowDataLoss] does not name is refused before the
// first write, with a [*ProtectedError] (errors.Is(err, ErrProtected))
// naming each resource, the fields that force its loss and the opt-in.
//
// A changeset with changes is applied under the deployment's lock
// ([Engine.Lock]): Apply takes it (or runs under ApplyOptions.Lease),
// plans again under it, since another run may have written meanwhile,
// and releases it at the end, on success and on failure. A second Apply of
// the same deployment at the same time fails at once with a [*LockedError]
// (errors.Is(err, ErrLocked)), or waits (LockOptions.Wait) and then finds
// the work done. A dry run, and an Apply with nothing to change, take no
// lock and make no write call.
//
// On failure Apply goes on with the independent branches, skips what
// depends on a failed resource, and returns an error joining every
// failure, each naming its resource. Running Apply again converges: what
// was created is found by its tags, and a create retried within the run
// finds what its earlier attempt made (its token and tags) instead of
// making it twice. Tokens are bound to the run's lock, so that a later
// run never meets the token of a resource deleted since.
func (e *Engine) Apply(ctx context.Context, src Source, optFns ...func(*ApplyOptions)) (*Result, error) {
	if err := e.usable(ctx); err != nil {
		return nil, err
	}
	var ao ApplyOptions
	for _, f := range optFns {
		if f != nil {
			f(&ao)
		}
	}
	a := &applying{e: e, ao: ao, start: time.Now(), c: e.newClient(),
		res: &Result{Durations: map[string]time.Duration{}, verb: "Apply"}}
	a.c.health = ao.health
	err := a.do(ctx, src)
	return a.res, err
}

// applying is the state of one Apply call.
type applying struct {
	e     *Engine
	ao    ApplyOptions
	start time.Time
	c     *client
	res   *Result
}

func (a *applying) finish(err error) error {
	a.res.Makespan = time.Since(a.start)
	a.res.ReadCalls, a.res.WriteCalls = int(a.c.reads.Load()), int(a.c.writes.Load())
	a.res.failed = err != nil
	return err
}

// do plans, takes the lock when there is something to write, plans again
// under it, reports the plan, checks that no data is lost and runs it.
func (a *applying) do(ctx context.Context, src Source) (err error) {
	e := a.e
	cs, red, err := e.plan(ctx, a.c, src)
	a.res.Changeset = cs
	if err != nil {
		return a.finish(err)
	}
	runCtx, life := ctx, ""
	if !a.ao.DryRun && cs.HasChanges() && protect("apply", cs.Changes, a.ao.AllowDataLoss) == nil {
		var (
			lease *Lease
			owned bool
		)
		if lease, owned, err = e.hold(ctx, a.c, red, cs.Deployment, a.ao.Lease, a.ao.Lock); err != nil {
			return a.finish(err)
		}
		if owned {
			defer func() { err = a.release(ctx, red, lease, err) }()
			// Plan again under the lock: another run may have written
			// since the first plan.
			cs, red, err = e.replan(ctx, a.c, src, cs, red)
			a.res.Changeset = cs
			if err != nil {
				return a.finish(err)
			}
		}
		var unbind func()
		runCtx, unbind = lease.bind(ctx)
		defer unbind()
		life = lease.life()
	}
	e.reportPlan(ctx, red, cs, a.res)
	if err := protect("apply", cs.Changes, a.ao.AllowDataLoss); err != nil {
		if a.ao.DryRun {
			a.res.verb = "Plan"
		}
		return a.finish(err)
	}
	if a.ao.DryRun {
		a.res.verb = "Plan"
		return a.finish(nil)
	}
	if a.ao.Confirm != nil {
		// Under the lock when there are changes: the changeset confirmed
		// is the one applied.
		if err := a.ao.Confirm(cs); err != nil {
			return a.finish(err)
		}
	}
	nodes, err := graph(cs)
	if err != nil {
		return a.finish(err)
	}
	r := &run{e: e, c: a.c, red: red, cs: cs, res: a.res, ids: maps.Clone(cs.ids), gone: map[string]bool{}, life: life,
		allow: a.ao.AllowDataLoss, del: driver.DeleteOptions{At: a.start}}
	err = a.finish(r.exec(runCtx, nodes))
	e.emit(ctx, red, Event{Type: EventComplete, Message: a.res.String(), Duration: a.res.Makespan})
	return err
}

// release releases a lock the run took and adds a failure to err.
func (a *applying) release(ctx context.Context, red *redactor, l *Lease, err error) error {
	rerr := l.Release(ctx)
	if rerr == nil {
		return err
	}
	a.res.failed = true
	return red.err(errors.Join(err, rerr))
}

// reportPlan emits the notices and one planned event per change.
func (e *Engine) reportPlan(ctx context.Context, red *redactor, cs *Changeset, res *Result) {
	for _, n := range cs.Notices {
		e.emit(ctx, red, Event{Type: EventNotice, Message: n})
	}
	for _, ch := range cs.Changes {
		if ch.Action == ActionNoop {
			res.Unchanged++
			continue
		}
		e.emit(ctx, red, Event{Type: EventPlanned, Kind: ch.Kind, ID: ch.ID, ProviderID: ch.ProviderID, Action: ch.Action, Message: ch.Reason})
	}
}

// hold returns the lease a run of deployment writes under: the caller's
// (given), or the lock taken for the run (owned: the run releases it).
func (e *Engine) hold(ctx context.Context, c *client, red *redactor, deployment string, given *Lease, set LockOptions) (l *Lease, owned bool, err error) {
	if given != nil {
		if got := given.Lock().Deployment; got != deployment {
			return nil, false, fmt.Errorf("provider: the lease given holds the lock of %s, not of %s", got, deployment)
		}
		if err := given.Err(); err != nil {
			return nil, false, fmt.Errorf("provider: the lease given of %s has ended: %w", deployment, err)
		}
		return given, false, nil
	}
	l, err = e.acquire(ctx, c, red, deployment, e.lockOptions(func(o *LockOptions) { o.override(set) }))
	return l, err == nil, err
}
