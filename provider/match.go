package provider

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// plan is the body of Plan, Apply and Drift: read what exists and the
// zones, build the Blueprint around what exists (a Blueprint source is
// checked before any call instead), prepare a copy of it, match each
// desired resource with what exists and classify the change, then add the
// deletes of what is left. What exists is listed once.
func (e *Engine) plan(ctx context.Context, c *client, src Source) (*Changeset, *redactor, error) {
	dep, err := deploymentOf(src)
	if err != nil {
		return nil, &redactor{}, err
	}
	var (
		bp      *blueprint.Blueprint
		notices []string
		red     = &redactor{deployment: dep}
	)
	if fixed, ok := src.(*blueprint.Blueprint); ok {
		// Nothing to build: every problem is reported before any call.
		red = newRedactor(fixed)
		if bp, notices, err = e.prepare(fixed); err != nil {
			return nil, red, red.err(err)
		}
	}
	obs, err := e.observeZoned(ctx, c, dep, bp)
	if err != nil {
		return nil, red, red.err(err)
	}
	return e.planFrom(src, dep, bp, notices, red, obs)
}

// replan plans src again, under the lock, after the plan prev (whose
// redactor is red): when what exists is what prev saw, prev is the plan
// (a plan is a function of the source and what exists), and only the
// lists are paid for again.
func (e *Engine) replan(ctx context.Context, c *client, src Source, prev *Changeset, red *redactor) (*Changeset, *redactor, error) {
	obs, err := e.observeZoned(ctx, c, prev.Deployment, nil)
	if err != nil {
		return nil, red, red.err(err)
	}
	if prev.saw(obs) {
		return prev, red, nil
	}
	var (
		bp      *blueprint.Blueprint
		notices []string
	)
	if fixed, ok := src.(*blueprint.Blueprint); ok {
		if bp, notices, err = e.prepare(fixed); err != nil {
			return nil, red, red.err(err)
		}
		if err := mapZones(bp, obs.zones); err != nil {
			return nil, red, red.err(err)
		}
	}
	return e.planFrom(src, prev.Deployment, bp, notices, red, obs)
}

// planFrom plans src (prepared as bp when it is a Blueprint) against what
// exists.
func (e *Engine) planFrom(src Source, dep string, bp *blueprint.Blueprint, notices []string, red *redactor, obs observation) (*Changeset, *redactor, error) {
	var err error
	if bp == nil {
		if bp, notices, red, err = e.build(src, dep, obs.byKind, obs.zones); err != nil {
			return nil, red, red.err(err)
		}
	}
	order, err := topo(bp)
	if err != nil {
		return nil, red, err
	}
	findings, lintErr := lint(bp)
	if !e.noPreflight {
		if err := errors.Join(preflight(bp, e.d), lintErr); err != nil {
			return nil, red, red.err(err)
		}
	}
	cs := &Changeset{Deployment: bp.Deployment, Provider: e.d.Name(), Notices: notices, Findings: findings, bp: bp, observed: obs.byKind,
		ids: map[string]string{}, netIDs: obs.netIDs, zones: obs.zones}
	m := newMatcher(cs, e.d)
	for _, r := range order {
		m.match(r)
	}
	m.deleteExtras()
	cs.Changes = sortChanges(m.list)
	return cs, red, nil
}

// observation is what a plan lists: what exists by kind, the Nets, and
// the provider's zones.
type observation struct {
	byKind map[blueprint.Kind][]driver.Observed
	netIDs []string
	zones  []string
}

// saw reports whether cs was planned from exactly obs.
func (cs *Changeset) saw(obs observation) bool {
	return cs.bp != nil && slices.Equal(cs.zones, obs.zones) && slices.Equal(cs.netIDs, obs.netIDs) &&
		reflect.DeepEqual(cs.observed, obs.byKind)
}

// build builds src around what obs holds and prepares the result for the
// driver, its zones mapped.
func (e *Engine) build(src Source, dep string, obs map[blueprint.Kind][]driver.Observed, zones []string) (*blueprint.Blueprint, []string, *redactor, error) {
	red := &redactor{deployment: dep}
	in, err := src.BuildAround(existingOf(obs))
	if err != nil {
		return nil, nil, red, fmt.Errorf("%w %s around what is deployed: %w", ErrBuild, dep, err)
	}
	if in == nil || in.Deployment != dep {
		return nil, nil, red, fmt.Errorf("%w: source %q built a Blueprint of another deployment; a Source must build its own", ErrBuild, dep)
	}
	red = newRedactor(in)
	bp, notices, err := e.prepare(in)
	if err != nil {
		return nil, nil, red, err
	}
	if err := mapZones(bp, zones); err != nil {
		return nil, nil, red, err
	}
	return bp, notices, red, nil
}

// observeZoned lists what exists and, meanwhile, the provider's zones. When
// bp is known already (a Blueprint source), its zones are mapped before a
// failed List is reported, so that a zone that maps to nothing is
// reported first.
func (e *Engine) observeZoned(ctx context.Context, c *client, dep string, bp *blueprint.Blueprint) (observation, error) {
	var (
		zones   []string
		zoneErr error
		zdone   = make(chan struct{})
	)
	go func() {
		defer close(zdone)
		zones, zoneErr = e.zones(ctx, c)
	}()
	obs, netIDs, err := e.observe(ctx, c, dep)
	<-zdone
	if zoneErr == nil && bp != nil {
		zoneErr = mapZones(bp, zones)
	}
	if zoneErr != nil {
		return observation{}, zoneErr
	}
	return observation{byKind: obs, netIDs: netIDs, zones: zones}, err
}

// matcher pairs the desired resources of a changeset with what exists.
// Several resources with one logical id (a replace interrupted half-way)
// are resolved: the one that matches the Blueprint stays, the others are
// deleted as duplicates.
type matcher struct {
	cs       *Changeset
	caps     driver.Capabilities
	replacer driver.Replacer               // nil: the driver's Mutable fields change in place whatever their values
	byID     map[string][]*driver.Observed // logical id -> what exists
	rev      map[string]string             // provider id -> logical id
	users    map[string]int                // provider id -> how many observed resources refer to it
	extra    []*driver.Observed            // to delete
	changes  map[string]*Change            // logical id -> change, in creation order
	chosen   map[string]*driver.Observed   // logical id -> the one kept
	list     []*Change
}

func newMatcher(cs *Changeset, d driver.Driver) *matcher {
	m := &matcher{cs: cs, caps: d.Capabilities(), byID: map[string][]*driver.Observed{}, rev: map[string]string{},
		users: map[string]int{}, changes: map[string]*Change{}, chosen: map[string]*driver.Observed{}}
	m.replacer, _ = d.(driver.Replacer)
	for _, k := range blueprint.Kinds {
		list := cs.observed[k]
		for i := range list {
			o := &list[i]
			for _, ref := range o.Resource.Refs() {
				if *ref != "" && string(*ref) != o.ID {
					m.users[string(*ref)]++
				}
			}
			if o.LogicalID == "" {
				m.extra = append(m.extra, o)
				continue
			}
			m.rev[o.ID] = o.LogicalID
			m.byID[o.LogicalID] = append(m.byID[o.LogicalID], o)
		}
	}
	return m
}

// match plans the change of r, whose dependencies are planned already.
func (m *matcher) match(r *blueprint.Resource) {
	ch := &Change{ID: r.ID, Kind: r.Kind, Stateful: r.IsStateful(), desired: r, deps: deps(r)}
	m.changes[r.ID] = ch
	m.list = append(m.list, ch)
	var cands []*driver.Observed
	for _, o := range m.byID[r.ID] {
		if o.Resource.Kind != r.Kind {
			m.extra = append(m.extra, o) // same logical id, other kind: the old one goes
			continue
		}
		cands = append(cands, o)
	}
	if len(cands) == 0 {
		ch.Action, ch.Reason = ActionCreate, "not found"
		return
	}
	forced, o := m.choose(ch, r, cands)
	m.chosen[r.ID] = o
	m.cs.ids[r.ID] = o.ID
	ch.observed, ch.ProviderID = o, o.ID
	// The resource holds data if the Blueprint says so or the cloud does
	// (a database cluster declared stateless now still holds its data);
	// a half-made resource reports no spec to judge by.
	ch.Stateful = ch.Stateful || holdsData(o)
	m.classify(ch, r, o, forced)
}

// choose compares r with each candidate in logical-id space (observed refs
// mapped back to logical ids, desired refs to a resource that will be new
// marked so) and keeps, of duplicates (a lost answer or two runs without
// the lock made them), the one that holds dependents: the most observed
// resources refer to it; then the one with no diff, then the ready one.
// The others are deleted, the empty one, never the reverse. A ref to a
// duplicate that is not kept is a diff, so that what sits in the deleted
// duplicate moves to the kept one. It returns the dependencies replaced
// delete-first, which force r's replacement.
func (m *matcher) choose(ch *Change, r *blueprint.Resource, cands []*driver.Observed) (forced []string, kept *driver.Observed) {
	renew := func(ref blueprint.Ref) blueprint.Ref {
		if d := m.changes[string(ref)]; d != nil && (d.Action == ActionCreate || d.Action == ActionReplace) {
			if d.Action == ActionReplace && d.DeleteFirst {
				forced = append(forced, string(ref))
			}
			return ref + " (new)"
		}
		return ref
	}
	back := func(ref blueprint.Ref) blueprint.Ref {
		id, ok := m.rev[string(ref)]
		if !ok {
			return ref
		}
		if k := m.chosen[id]; k != nil && k.ID != string(ref) {
			return blueprint.Ref(id + " (duplicate " + string(ref) + ", deleted)")
		}
		return blueprint.Ref(id)
	}
	want := normalize(*r, renew)
	for _, c := range cands {
		have := normalize(c.Resource, back)
		have.Kind = r.Kind
		diffs := m.diff(have, want)
		if kept == nil || m.better(c, diffs, kept, ch.Diffs) {
			kept, ch.Diffs = c, diffs
		}
	}
	for _, c := range cands {
		if c != kept {
			m.extra = append(m.extra, c)
		}
	}
	slices.Sort(forced)
	return slices.Compact(forced), kept
}

// better reports whether candidate c (with diffs) is to be kept rather
// than k (with kdiffs): more dependents first, then no diff, then ready.
func (m *matcher) better(c *driver.Observed, diffs []FieldDiff, k *driver.Observed, kdiffs []FieldDiff) bool {
	if cu, ku := m.users[c.ID], m.users[k.ID]; cu != ku {
		return cu > ku
	}
	if (len(diffs) == 0) != (len(kdiffs) == 0) {
		return len(diffs) == 0
	}
	return len(diffs) == len(kdiffs) && c.Ready && !k.Ready
}

// diff compares two normalized resources field by field: a field the
// driver does not list in Mutable forces a replacement, and so does a
// mutable field whose change the driver's Replacer says the cloud cannot
// make in place (a database's storage shrunk), with its reason.
func (m *matcher) diff(have, want blueprint.Resource) []FieldDiff {
	mutable := func(f string) bool { return m.caps.CanUpdate(want.Kind, f) }
	diffs := diffResources(have, want, m.caps.WriteOnly[want.Kind], mutable)
	if m.replacer == nil || !slices.ContainsFunc(diffs, func(d FieldDiff) bool { return !d.ForcesReplacement }) {
		return diffs
	}
	why := m.replacer.Replaces(have, want)
	for i := range diffs {
		top, _, _ := strings.Cut(diffs[i].Field, ".")
		if reason, ok := why[top]; ok && !diffs[i].ForcesReplacement {
			diffs[i].ForcesReplacement, diffs[i].Reason = true, reason
		}
	}
	return diffs
}

// classify sets the action of ch, whose observed resource o has been
// diffed: a replace (forced by a dependency, or by a field the driver
// cannot change), an update, or nothing.
func (m *matcher) classify(ch *Change, r *blueprint.Resource, o *driver.Observed, forced []string) {
	var replaceBy, fields []string
	for _, d := range ch.Diffs {
		fields = append(fields, d.Field)
		if d.ForcesReplacement {
			replaceBy = append(replaceBy, d.Field)
		}
	}
	switch {
	case o.Incomplete && len(forced) == 0:
		ch.Action, ch.Reason = ActionUpdate, "incomplete: a create stopped half-way; the driver completes it"
	case len(forced) > 0:
		ch.Action, ch.DeleteFirst = ActionReplace, true
		ch.Reason = strings.Join(forced, ", ") + " replaced first: forces replacement"
		for _, f := range forced {
			ch.ForcedBy = append(ch.ForcedBy, f+" (replaced first)")
		}
	case len(replaceBy) > 0:
		ch.Action, ch.DeleteFirst = ActionReplace, r.Kind.IsDeleteFirst() || m.sitsOnDeleteFirst(o)
		ch.Reason = strings.Join(replaceBy, ", ") + " changed: forces replacement"
		ch.ForcedBy = replaceBy
	case len(ch.Diffs) > 0:
		ch.Action, ch.Reason = ActionUpdate, strings.Join(fields, ", ")+" changed"
	default:
		ch.Action = ActionNoop
		if !o.Ready {
			ch.waitReady, ch.Reason = true, "exists, not ready yet ("+o.Status+")"
		}
	}
}

// holdsData reports whether o, as the cloud reports it, holds data: a
// half-made resource (Incomplete) reports no spec to judge by and holds
// none.
func holdsData(o *driver.Observed) bool { return !o.Incomplete && o.Resource.IsStateful() }

// sitsOnDeleteFirst reports whether o refers to a resource replaced
// delete-first: o must then go first too.
func (m *matcher) sitsOnDeleteFirst(o *driver.Observed) bool {
	for _, ref := range o.Resource.Refs() {
		if d := m.changes[m.rev[string(*ref)]]; d != nil && d.Action == ActionReplace && d.DeleteFirst {
			return true
		}
	}
	return false
}

// deleteExtras adds a delete for every resource left: duplicates, other
// kinds under a desired logical id, resources without a logical id, and
// logical ids the Blueprint no longer holds.
func (m *matcher) deleteExtras() {
	for _, o := range m.extra {
		id, reason := o.LogicalID, "not in the blueprint"
		if d, ok := m.chosen[id]; ok && d != o {
			reason = m.duplicateReason(d, o)
		}
		if id == "" {
			id, reason = o.ID, "tagged with the deployment but without a logical id"
		}
		m.list = append(m.list, &Change{ID: id, Kind: o.Resource.Kind, Action: ActionDelete, Reason: reason, ProviderID: o.ID,
			Stateful: holdsData(o), observed: o})
	}
	for id, os := range m.byID {
		if _, ok := m.changes[id]; ok {
			continue
		}
		for _, o := range os {
			m.list = append(m.list, &Change{ID: id, Kind: o.Resource.Kind, Action: ActionDelete, Reason: "not in the blueprint", ProviderID: o.ID,
				Stateful: holdsData(o), observed: o})
		}
	}
}

// sortChanges orders changes as a Changeset lists them: creates, updates
// and the rest in creation order of their kind, then deletes in reverse
// creation order; by logical id, then provider id, within a kind.
func sortChanges(list []*Change) []Change {
	slices.SortStableFunc(list, func(a, b *Change) int {
		if (a.Action == ActionDelete) != (b.Action == ActionDelete) {
			if a.Action == ActionDelete {
				return 1
			}
			return -1
		}
		if d := blueprint.CompareKinds(a.Kind, b.Kind); d != 0 {
			if a.Action == ActionDelete {
				return -d
			}
			return d
		}
		return cmp.Or(strings.Compare(a.ID, b.ID), strings.Compare(a.ProviderID, b.ProviderID))
	})
	out := make([]Change, len(list))
	for i, ch := range list {
		ch.classify()
		out[i] = *ch
	}
	return out
}

// duplicateReason says why duplicate o goes and kept stays.
func (m *matcher) duplicateReason(kept, o *driver.Observed) string {
	ku, ou := m.users[kept.ID], m.users[o.ID]
	if ku == ou {
		return "duplicate of " + kept.ID
	}
	return fmt.Sprintf("duplicate of %s, which is kept: it holds %d dependents, this one %d", kept.ID, ku, ou)
}
