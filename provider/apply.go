package provider

import (
	"context"
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
// On failure Apply goes on with the independent branches, skips what
// depends on a failed resource, and returns an error joining every
// failure, each naming its resource. Running Apply again converges: what
// was created is found by its tags, and a create retried with the same
// token makes nothing twice. An unchanged Blueprint applied again makes
// no write call.
func (e *Engine) Apply(ctx context.Context, src Source, optFns ...func(*ApplyOptions)) (*Result, error) {
	if err := e.usable(); err != nil {
		return nil, err
	}
	var ao ApplyOptions
	for _, f := range optFns {
		if f != nil {
			f(&ao)
		}
	}
	start := time.Now()
	c := e.newClient()
	cs, red, err := e.plan(ctx, c, src)
	res := &Result{Durations: map[string]time.Duration{}, Changeset: cs, verb: "Apply"}
	finish := func() {
		res.Makespan = time.Since(start)
		res.ReadCalls, res.WriteCalls = int(c.reads.Load()), int(c.writes.Load())
	}
	if err != nil {
		finish()
		res.failed = true
		return res, err
	}
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
	if err := protect("apply", cs.Changes, ao.AllowDataLoss); err != nil {
		finish()
		res.failed = true
		if ao.DryRun {
			res.verb = "Plan"
		}
		return res, err
	}
	if ao.DryRun {
		finish()
		res.verb = "Plan"
		return res, nil
	}
	if ao.Confirm != nil {
		if err := ao.Confirm(cs); err != nil {
			finish()
			res.failed = true
			return res, err
		}
	}
	nodes, err := graph(cs)
	if err != nil {
		finish()
		res.failed = true
		return res, err
	}
	r := &run{e: e, c: c, red: red, cs: cs, res: res, ids: maps.Clone(cs.ids), gone: map[string]bool{},
		allow: ao.AllowDataLoss, del: driver.DeleteOptions{At: start}}
	err = r.exec(ctx, nodes)
	finish()
	res.failed = err != nil
	e.emit(ctx, red, Event{Type: EventComplete, Message: res.String(), Duration: res.Makespan})
	return res, err
}
