package provider

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/archkit/archkit/provider/driver"

	"github.com/archkit/archkit/pattern/blueprint"
)

// Action is what the engine does to one resource.
type Action string

// The actions of a [Changeset].
const (
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionReplace Action = "replace"
	ActionDelete  Action = "delete"
	ActionNoop    Action = "no-op"
)

// Symbol returns the action's prefix in a plan listing: "+", "~", "-/+",
// "-" or " ".
func (a Action) Symbol() string {
	switch a {
	case ActionCreate:
		return "+"
	case ActionUpdate:
		return "~"
	case ActionReplace:
		return "-/+"
	case ActionDelete:
		return "-"
	}
	return " "
}

// Change is the action planned for one resource.
type Change struct {
	ID     string         `json:"id"` // logical id
	Kind   blueprint.Kind `json:"kind"`
	Action Action         `json:"action"`
	// Reason says why: "not found", "cidr changed: forces replacement",
	// "not in the blueprint".
	Reason string `json:"reason,omitempty"`
	// ProviderID is the id of the existing resource, if any.
	ProviderID string      `json:"provider_id,omitempty"`
	Diffs      []FieldDiff `json:"diffs,omitempty"`
	// DeleteFirst reports whether a replace deletes the old resource before
	// it creates the new one (nets, subnets and what depends on them).
	DeleteFirst bool `json:"delete_first,omitempty"`

	desired   *blueprint.Resource // nil for deletes
	observed  *driver.Observed    // nil for creates
	waitReady bool                // no-op on a resource that is not ready yet
	deps      []string
}

// String returns the change as in a plan listing:
// "-/+ replace subnet/db/a (cidr changed: forces replacement)".
func (c Change) String() string {
	s := fmt.Sprintf("%s %s %s", c.Action.Symbol(), c.Action, c.ID)
	if c.Action == ActionUpdate && len(c.Diffs) == 1 {
		return s + ": " + c.Diffs[0].String()
	}
	if c.Reason != "" && !(c.Action == ActionCreate && c.Reason == "not found") {
		s += " (" + c.Reason + ")"
	}
	if c.Action == ActionUpdate || c.Action == ActionReplace {
		for _, d := range c.Diffs {
			s += "\n      " + d.String()
		}
	}
	return s
}

// Changeset is the result of [Engine.Plan]: one [Change] per resource of
// the Blueprint and per tagged resource to delete, sorted in creation order
// of their kind, then by id, deletes last. It prints as a readable diff
// and encodes as stable JSON.
type Changeset struct {
	Deployment string   `json:"deployment"`
	Provider   string   `json:"provider"`
	Changes    []Change `json:"changes"`
	// Notices report adaptations to the driver (a dropped network ACL, a
	// database built as a cluster).
	Notices []string `json:"notices,omitempty"`

	bp       *blueprint.Blueprint // adapted, zones mapped
	observed map[blueprint.Kind][]driver.Observed
	ids      map[string]string // logical id -> provider id of what exists
	netIDs   []string
}

// Counts returns the number of changes per action.
func (cs *Changeset) Counts() map[Action]int {
	m := map[Action]int{}
	for _, c := range cs.Changes {
		m[c.Action]++
	}
	return m
}

// HasChanges reports whether applying the changeset would make a write
// call.
func (cs *Changeset) HasChanges() bool {
	for _, c := range cs.Changes {
		if c.Action != ActionNoop {
			return true
		}
	}
	return false
}

// Change returns the change of logical id id.
func (cs *Changeset) Change(id string) (Change, bool) {
	for _, c := range cs.Changes {
		if c.ID == id {
			return c, true
		}
	}
	return Change{}, false
}

// String returns the changeset as a plan listing, like terraform plan.
func (cs *Changeset) String() string {
	var b strings.Builder
	n := cs.Counts()
	fmt.Fprintf(&b, "Plan for %s on %s: %d to create, %d to update, %d to replace, %d to delete, %d unchanged.\n",
		cs.Deployment, cs.Provider, n[ActionCreate], n[ActionUpdate], n[ActionReplace], n[ActionDelete], n[ActionNoop])
	for _, s := range cs.Notices {
		b.WriteString("! " + s + "\n")
	}
	for _, c := range cs.Changes {
		if c.Action == ActionNoop {
			continue
		}
		b.WriteString(c.String() + "\n")
	}
	return b.String()
}

// WriteTo writes the listing of String to w.
func (cs *Changeset) WriteTo(w io.Writer) (int64, error) {
	n, err := io.WriteString(w, cs.String())
	return int64(n), err
}

// Plan compares bp with what exists and returns the changes an Apply would
// make. It makes no write call: it is the dry run. Errors: an invalid
// Blueprint, a kind the driver does not support (ErrUnsupported), a zone
// not in the region, or a failed List, all before anything is changed.
func (e *Engine) Plan(ctx context.Context, bp *blueprint.Blueprint) (*Changeset, error) {
	cs, _, err := e.plan(ctx, e.newClient(), bp)
	return cs, err
}

// prepare validates and adapts a copy of bp.
func (e *Engine) prepare(bp *blueprint.Blueprint) (*blueprint.Blueprint, []string, error) {
	if bp == nil {
		return nil, nil, fmt.Errorf("provider: nil blueprint")
	}
	if err := bp.Validate(); err != nil {
		return nil, nil, err
	}
	if bp.Deployment == "" {
		return nil, nil, fmt.Errorf("provider: deployment: empty; name the deployment, its resources are tagged with it")
	}
	cp := *bp
	cp.Resources = make([]blueprint.Resource, len(bp.Resources))
	for i, r := range bp.Resources {
		cp.Resources[i] = r.Clone()
	}
	notices, err := adapt(&cp, e.d.Name(), e.d.Capabilities(), e.opts.AllowFallback)
	if err != nil {
		return nil, nil, err
	}
	return &cp, notices, nil
}

// zones lists the provider's zones.
func (e *Engine) zones(ctx context.Context, c *client) ([]string, error) {
	var zones []string
	err := retry(ctx, e.opts.Retry, func() error {
		var err error
		zones, err = c.zones(ctx)
		return err
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("provider: zones: %w", err)
	}
	return zones, nil
}

// deps returns the dependencies of r: DependsOn and its Refs.
func deps(r *blueprint.Resource) []string {
	d := append(slices.Clone(r.DependsOn), r.Dependencies()...)
	slices.Sort(d)
	return slices.Compact(d)
}

// topo returns the resources of bp in dependency order, or an error
// naming a cycle.
func topo(bp *blueprint.Blueprint) ([]*blueprint.Resource, error) {
	idx := map[string]*blueprint.Resource{}
	for i := range bp.Resources {
		idx[bp.Resources[i].ID] = &bp.Resources[i]
	}
	state := map[string]int{} // 1 visiting, 2 done
	var out []*blueprint.Resource
	var visit func(id string, path []string) error
	visit = func(id string, path []string) error {
		switch state[id] {
		case 1:
			return fmt.Errorf("provider: dependency cycle: %s -> %s; break it", strings.Join(path, " -> "), id)
		case 2:
			return nil
		}
		r, ok := idx[id]
		if !ok {
			return nil
		}
		state[id] = 1
		for _, d := range deps(r) {
			if err := visit(d, append(path, id)); err != nil {
				return err
			}
		}
		state[id] = 2
		out = append(out, r)
		return nil
	}
	ids := make([]string, 0, len(idx))
	for id := range idx {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(blueprint.CompareKinds(idx[a].Kind, idx[b].Kind), strings.Compare(a, b))
	})
	for _, id := range ids {
		if err := visit(id, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (e *Engine) plan(ctx context.Context, c *client, in *blueprint.Blueprint) (*Changeset, *redactor, error) {
	red := newRedactor(in)
	bp, notices, err := e.prepare(in)
	if err != nil {
		return nil, red, red.err(err)
	}
	order, err := topo(bp)
	if err != nil {
		return nil, red, err
	}
	// The zones are read while the state is listed; a zone that maps to
	// nothing is reported before any write all the same.
	var (
		zones   []string
		zoneErr error
		zdone   = make(chan struct{})
	)
	go func() {
		defer close(zdone)
		zones, zoneErr = e.zones(ctx, c)
	}()
	obs, netIDs, err := e.observe(ctx, c, bp.Deployment)
	<-zdone
	if zoneErr == nil {
		zoneErr = mapZones(bp, zones)
	}
	if zoneErr != nil {
		return nil, red, red.err(zoneErr)
	}
	if err != nil {
		return nil, red, red.err(err)
	}
	cs := &Changeset{Deployment: bp.Deployment, Provider: e.d.Name(), Notices: notices, bp: bp, observed: obs,
		ids: map[string]string{}, netIDs: netIDs}

	// What exists, by logical id. Several resources with one logical id
	// (a replace interrupted half-way) are resolved below: the one that
	// matches the Blueprint stays, the others are deleted as duplicates.
	byID := map[string][]*driver.Observed{}
	rev := map[string]string{} // provider id -> logical id
	var extra []*driver.Observed
	for _, k := range blueprint.Kinds {
		list := obs[k]
		for i := range list {
			o := &list[i]
			if o.LogicalID == "" {
				extra = append(extra, o)
				continue
			}
			rev[o.ID] = o.LogicalID
			byID[o.LogicalID] = append(byID[o.LogicalID], o)
		}
	}
	caps := e.d.Capabilities()
	changes := map[string]*Change{}
	chosen := map[string]*driver.Observed{}
	var list []*Change
	for _, r := range order {
		ch := &Change{ID: r.ID, Kind: r.Kind, desired: r, deps: deps(r)}
		changes[r.ID] = ch
		list = append(list, ch)
		var cands []*driver.Observed
		for _, o := range byID[r.ID] {
			if o.Resource.Kind != r.Kind {
				// Same logical id, other kind: the old one goes.
				extra = append(extra, o)
				continue
			}
			cands = append(cands, o)
		}
		if len(cands) == 0 {
			ch.Action, ch.Reason = ActionCreate, "not found"
			continue
		}
		// Compare in logical-id space: observed refs mapped back to logical
		// ids, desired refs to a resource that will be new marked so.
		var forced []string
		renew := func(ref blueprint.Ref) blueprint.Ref {
			if d := changes[string(ref)]; d != nil && (d.Action == ActionCreate || d.Action == ActionReplace) {
				if d.Action == ActionReplace && d.DeleteFirst {
					forced = append(forced, string(ref))
				}
				return ref + " (new)"
			}
			return ref
		}
		back := func(ref blueprint.Ref) blueprint.Ref {
			if id, ok := rev[string(ref)]; ok {
				return blueprint.Ref(id)
			}
			return ref
		}
		want := normalize(*r, renew)
		var o *driver.Observed
		for _, c := range cands {
			have := normalize(c.Resource, back)
			have.Kind = r.Kind
			diffs := diffResources(have, want, caps.WriteOnly[r.Kind], func(f string) bool { return caps.CanUpdate(r.Kind, f) })
			if o == nil || (len(ch.Diffs) > 0 && len(diffs) == 0) || (len(diffs) == len(ch.Diffs) && c.Ready && !o.Ready) {
				o, ch.Diffs = c, diffs
			}
		}
		for _, c := range cands {
			if c != o {
				extra = append(extra, c)
			}
		}
		chosen[r.ID] = o
		cs.ids[r.ID] = o.ID
		ch.observed, ch.ProviderID = o, o.ID
		slices.Sort(forced)
		forced = slices.Compact(forced)
		var replaceBy []string
		for _, d := range ch.Diffs {
			if d.ForcesReplacement {
				replaceBy = append(replaceBy, d.Field)
			}
		}
		switch {
		case len(forced) > 0:
			ch.Action, ch.DeleteFirst = ActionReplace, true
			ch.Reason = strings.Join(forced, ", ") + " replaced first: forces replacement"
		case len(replaceBy) > 0:
			ch.Action, ch.DeleteFirst = ActionReplace, r.Kind.IsDeleteFirst()
			ch.Reason = strings.Join(replaceBy, ", ") + " changed: forces replacement"
			// The old one sits on something deleted first: it must go first too.
			for _, ref := range o.Resource.Refs() {
				if d := changes[rev[string(*ref)]]; d != nil && d.Action == ActionReplace && d.DeleteFirst {
					ch.DeleteFirst = true
				}
			}
		case len(ch.Diffs) > 0:
			fields := make([]string, len(ch.Diffs))
			for i, d := range ch.Diffs {
				fields[i] = d.Field
			}
			ch.Action, ch.Reason = ActionUpdate, strings.Join(fields, ", ")+" changed"
		default:
			ch.Action = ActionNoop
			if !o.Ready {
				ch.waitReady, ch.Reason = true, "exists, not ready yet ("+o.Status+")"
			}
		}
	}
	for _, o := range extra {
		id, reason := o.LogicalID, "not in the blueprint"
		if d, ok := chosen[id]; ok && d != o {
			reason = "duplicate of " + d.ID
		}
		if id == "" {
			id, reason = o.ID, "tagged with the deployment but without a logical id"
		}
		list = append(list, &Change{ID: id, Kind: o.Resource.Kind, Action: ActionDelete, Reason: reason, ProviderID: o.ID, observed: o})
	}
	for id, os := range byID {
		if _, ok := changes[id]; ok {
			continue
		}
		for _, o := range os {
			list = append(list, &Change{ID: id, Kind: o.Resource.Kind, Action: ActionDelete, Reason: "not in the blueprint", ProviderID: o.ID, observed: o})
		}
	}
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
		return cmpStr(a.ID, b.ID, a.ProviderID, b.ProviderID)
	})
	cs.Changes = make([]Change, len(list))
	for i, ch := range list {
		cs.Changes[i] = *ch
	}
	return cs, red, nil
}

func cmpStr(a, b, c, d string) int {
	if r := strings.Compare(a, b); r != 0 {
		return r
	}
	return strings.Compare(c, d)
}
