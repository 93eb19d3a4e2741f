package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/archkit/archkit/pattern/blueprint"
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
// Destroy then lists again and returns an error naming every leftover.
// Destroying a deployment with nothing left is a no-op.
func (e *Engine) Destroy(ctx context.Context, deployment string) (*Result, error) {
	start := time.Now()
	c := e.newClient()
	red := &redactor{deployment: deployment}
	res := &Result{Durations: map[string]time.Duration{}, verb: "Destroy"}
	finish := func() {
		res.Makespan = time.Since(start)
		res.ReadCalls, res.WriteCalls = int(c.reads.Load()), int(c.writes.Load())
	}
	if deployment == "" {
		return res, fmt.Errorf("provider: destroy: deployment: empty; name the deployment to destroy")
	}
	obs, _, err := e.observe(ctx, c, deployment)
	if err != nil {
		finish()
		return res, err
	}
	cs := &Changeset{Deployment: deployment, Provider: e.d.Name(), observed: obs}
	for _, k := range blueprint.Kinds {
		for i := range obs[k] {
			o := &obs[k][i]
			id := o.LogicalID
			if id == "" {
				id = o.ID
			}
			cs.Changes = append(cs.Changes, Change{ID: id, Kind: k, Action: ActionDelete, Reason: "destroy", ProviderID: o.ID, observed: o})
		}
	}
	nodes, err := graph(cs)
	if err != nil {
		finish()
		return res, err
	}
	deleteAfter(nodes)
	if err := acyclic(nodes); err != nil {
		finish()
		return res, err
	}
	for _, ch := range cs.Changes {
		e.emit(ctx, red, Event{Type: EventPlanned, Kind: ch.Kind, ID: ch.ID, ProviderID: ch.ProviderID, Action: ActionDelete, Message: ch.Reason})
	}
	r := &run{e: e, c: c, red: red, cs: cs, res: res, ids: map[string]string{}, gone: map[string]bool{}}
	runErr := r.exec(ctx, nodes)
	if runErr != nil {
		finish()
		res.failed = true
		e.emit(ctx, red, Event{Type: EventComplete, Message: res.String(), Duration: res.Makespan})
		return res, runErr
	}
	left, _, err := e.observe(ctx, c, deployment)
	finish()
	if err != nil {
		return res, err
	}
	var leftovers []string
	for _, k := range blueprint.Kinds {
		for _, o := range left[k] {
			leftovers = append(leftovers, fmt.Sprintf("%s %s (%s)", k, o.ID, o.LogicalID))
		}
	}
	res.failed = len(leftovers) > 0
	e.emit(ctx, red, Event{Type: EventComplete, Message: res.String(), Duration: res.Makespan})
	if len(leftovers) > 0 {
		return res, errors.New("provider: destroy " + deployment + ": still tagged with the deployment after the deletes: " +
			strings.Join(leftovers, ", ") + "; run Destroy again or delete them by hand")
	}
	return res, nil
}

// deleteAfter makes each delete node wait for the deletes of every kind
// its kind lists in [blueprint.KindInfo.DeleteAfter].
func deleteAfter(nodes []*node) {
	byKind := map[blueprint.Kind][]*node{}
	for _, n := range nodes {
		byKind[n.ch.Kind] = append(byKind[n.ch.Kind], n)
	}
	for _, n := range nodes {
		info, _ := n.ch.Kind.Info()
		for _, k := range info.DeleteAfter {
			for _, before := range byKind[k] {
				n.addDep(before)
			}
		}
		n.pending = len(n.deps)
	}
}
