package provider

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// Destroy deletes every resource tagged with deployment, of every kind, in
// reverse dependency order: a resource goes after everything whose refs
// name it, and after every resource of the kinds its kind lists in
// [blueprint.KindInfo.DeleteAfter] (every security_group_rules, which
// revokes the rules that reference other groups, before any
// security_group). A delete refused with
// Code Dependency is retried DependencyRetries times, then reported with
// the blocker the driver named ("blocked by instance i-0ab1 (not managed
// by archkit ...)").
//
// A deployment that holds a stateful resource (a database) that
// [DestroyOptions.AllowDataLoss] does not name is not touched: the error
// is a [*ProtectedError] (errors.Is(err, ErrProtected)) naming each one.
// Allowed databases go with a final snapshot and keep their automated
// backups unless the options say otherwise.
//
// The deployment name is checked first ([blueprint.CheckDeployment]):
// "s*" is refused before any call, and every driver compares the tag
// exactly, so Destroy never touches another deployment. The deletes run
// under the deployment's lock, as an Apply's writes do (see [Engine.Apply]
// and DestroyOptions).
//
// Destroy then lists again and returns an error naming every leftover.
// Destroying a deployment with nothing left is a no-op that takes no lock
// (it only removes a lock whose lease has ended), unless a live run holds
// the lock: that run may be creating the deployment, so Destroy fails
// with ErrLocked, or waits for it (DestroyOptions.Lock.Wait) and lists
// again under the lock.
func (e *Engine) Destroy(ctx context.Context, deployment string, optFns ...func(*DestroyOptions)) (*Result, error) {
	if err := e.usable(ctx); err != nil {
		return nil, err
	}
	var do DestroyOptions
	for _, f := range optFns {
		if f != nil {
			f(&do)
		}
	}
	start := time.Now()
	c := e.newClient()
	red := &redactor{deployment: deployment}
	res := &Result{Durations: map[string]time.Duration{}, verb: "Destroy"}
	defer func() {
		res.Makespan = time.Since(start)
		res.ReadCalls, res.WriteCalls = int(c.reads.Load()), int(c.writes.Load())
	}()
	err := e.destroy(ctx, c, red, deployment, do, res)
	res.failed = err != nil
	res.Makespan = time.Since(start)
	e.emit(ctx, red, Event{Type: EventComplete, Message: res.String(), Duration: res.Makespan})
	return res, err
}

// protectDestroy lists deployment and refuses, with a *ProtectedError, a
// destroy that would lose data do does not allow; it writes nothing.
func (e *Engine) protectDestroy(ctx context.Context, deployment string, do DestroyOptions) error {
	obs, _, err := e.observe(ctx, e.newClient(), deployment)
	if err != nil {
		return err
	}
	return protect("destroy", destroyChangeset(deployment, e.d.Name(), obs).Changes, do.AllowDataLoss)
}

// destroy is the body of Destroy: look, lock, look again, delete, check.
func (e *Engine) destroy(ctx context.Context, c *client, red *redactor, deployment string, do DestroyOptions, res *Result) (err error) {
	if err := checkDeployment(deployment); err != nil {
		return err
	}
	obs, _, err := e.observe(ctx, c, deployment)
	if err != nil {
		return err
	}
	if isEmpty(obs) && do.Lease == nil {
		// Nothing listed: nothing to delete, unless a live run holds the
		// lock and is creating the deployment, which Destroy waits for
		// (or reports, ErrLocked) like any writer.
		live, err := e.clearExpiredLock(ctx, c, deployment)
		if err != nil || !live {
			return err
		}
	}
	if err := protect("destroy", destroyChangeset(deployment, e.d.Name(), obs).Changes, do.AllowDataLoss); err != nil {
		return err
	}
	lease, owned, err := e.hold(ctx, c, red, deployment, do.Lease, do.Lock)
	if err != nil {
		return err
	}
	if owned {
		defer func() {
			if rerr := lease.Release(ctx); rerr != nil {
				err = red.err(errors.Join(err, rerr))
			}
		}()
		if obs, _, err = e.observe(ctx, c, deployment); err != nil {
			return err
		}
	}
	runCtx, unbind := lease.bind(ctx)
	defer unbind()
	return e.deleteAll(runCtx, c, red, deployment, obs, do, res)
}

// deleteAll deletes what obs holds, under the lock, and checks that
// nothing is left.
func (e *Engine) deleteAll(ctx context.Context, c *client, red *redactor, deployment string, obs map[blueprint.Kind][]driver.Observed,
	do DestroyOptions, res *Result) error {
	cs := destroyChangeset(deployment, e.d.Name(), obs)
	if err := protect("destroy", cs.Changes, do.AllowDataLoss); err != nil {
		return err
	}
	nodes, err := graph(cs)
	if err != nil {
		return err
	}
	nodes = deleteAfter(nodes)
	if err := acyclic(nodes); err != nil {
		return err
	}
	for _, ch := range cs.Changes {
		e.emit(ctx, red, Event{Type: EventPlanned, Kind: ch.Kind, ID: ch.ID, ProviderID: ch.ProviderID, Action: ActionDelete, Message: ch.Reason})
	}
	if do.Confirm != nil && len(cs.Changes) > 0 {
		if err := do.Confirm(cs); err != nil {
			return err
		}
	}
	r := &run{e: e, c: c, red: red, cs: cs, res: res, ids: map[string]string{}, gone: map[string]bool{}, allow: do.AllowDataLoss,
		del: driver.DeleteOptions{SkipFinalSnapshot: do.SkipFinalSnapshot, DeleteAutomatedBackups: do.DeleteAutomatedBackups, At: time.Now()}}
	if err := r.exec(ctx, nodes); err != nil {
		return err
	}
	return e.leftovers(ctx, c, deployment)
}

func isEmpty(obs map[blueprint.Kind][]driver.Observed) bool {
	for _, o := range obs {
		if len(o) > 0 {
			return false
		}
	}
	return true
}

// clearExpiredLock deletes the lock of deployment when its lease has
// ended: the lock a run left when it could not release it. live reports
// a lock whose lease runs: another run is writing the deployment.
func (e *Engine) clearExpiredLock(ctx context.Context, c *client, deployment string) (live bool, err error) {
	cur, err := e.lockCall(ctx, func() (driver.Lock, error) { return c.readLock(ctx, deployment) })
	switch {
	case errors.Is(err, driver.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("provider: destroy %s: read the lock: %w", deployment, err)
	case !cur.Expired(time.Now()):
		return true, nil
	}
	_, err = e.lockCall(ctx, func() (driver.Lock, error) { return driver.Lock{}, c.deleteLock(ctx, cur) })
	if err != nil {
		return false, fmt.Errorf("provider: destroy %s: remove the expired lock %s: %w", deployment, cur.ID, err)
	}
	return false, nil
}

// destroyChangeset deletes every resource of obs.
func destroyChangeset(deployment, provider string, obs map[blueprint.Kind][]driver.Observed) *Changeset {
	cs := &Changeset{Deployment: deployment, Provider: provider, observed: obs}
	for _, k := range blueprint.Kinds {
		for i := range obs[k] {
			o := &obs[k][i]
			id := cmp.Or(o.LogicalID, o.ID)
			ch := Change{ID: id, Kind: k, Action: ActionDelete, Reason: "destroy", ProviderID: o.ID, Stateful: holdsData(o), observed: o}
			ch.classify()
			cs.Changes = append(cs.Changes, ch)
		}
	}
	return cs
}

// leftovers lists the deployment again and returns an error naming every
// resource still tagged with it.
func (e *Engine) leftovers(ctx context.Context, c *client, deployment string) error {
	left, _, err := e.observe(ctx, c, deployment)
	if err != nil {
		return err
	}
	var names []string
	for _, k := range blueprint.Kinds {
		for _, o := range left[k] {
			names = append(names, fmt.Sprintf("%s %s (%s)", k, o.ID, o.LogicalID))
		}
	}
	if len(names) == 0 {
		return nil
	}
	return errors.New("provider: destroy " + deployment + ": still tagged with the deployment after the deletes: " +
		strings.Join(names, ", ") + "; run Destroy again or delete them by hand")
}

// deleteAfter makes each delete node wait for the deletes of every kind
// its kind lists in [blueprint.KindInfo.DeleteAfter], through one barrier
// node per such kind: the edges grow with the nodes, not with the product
// of two kinds' counts (a thousand groups after a thousand rule sets). It
// returns nodes with the barriers.
func deleteAfter(nodes []*node) []*node {
	byKind := map[blueprint.Kind][]*node{}
	for _, n := range nodes {
		byKind[n.ch.Kind] = append(byKind[n.ch.Kind], n)
	}
	barriers := map[blueprint.Kind]*node{}
	barrier := func(k blueprint.Kind) *node {
		b, ok := barriers[k]
		if !ok && len(byKind[k]) > 0 {
			b = &node{ch: &Change{ID: "the deletes of every " + string(k), Kind: k}, op: opBarrier}
			for _, before := range byKind[k] {
				b.deps = append(b.deps, before)
				before.dependents = append(before.dependents, b)
			}
			b.pending = len(b.deps)
			barriers[k] = b
		}
		return b
	}
	out := nodes
	for _, n := range nodes {
		info, _ := n.ch.Kind.Info()
		for _, k := range info.DeleteAfter {
			if b := barrier(k); b != nil {
				n.addDep(b)
			}
		}
		n.pending = len(n.deps)
	}
	for _, k := range blueprint.Kinds {
		if b, ok := barriers[k]; ok {
			out = append(out, b)
		}
	}
	return out
}
