package provider

import (
	"cmp"
	"context"
	"errors"
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
	if cs == nil {
		return map[Action]int{}
	}
	m := map[Action]int{}
	for _, c := range cs.Changes {
		m[c.Action]++
	}
	return m
}

// HasChanges reports whether applying the changeset would make a write
// call.
func (cs *Changeset) HasChanges() bool {
	if cs == nil {
		return false
	}
	for _, c := range cs.Changes {
		if c.Action != ActionNoop {
			return true
		}
	}
	return false
}

// Change returns the change of logical id id.
func (cs *Changeset) Change(id string) (Change, bool) {
	if cs == nil {
		return Change{}, false
	}
	for _, c := range cs.Changes {
		if c.ID == id {
			return c, true
		}
	}
	return Change{}, false
}

// String returns the changeset as a plan listing, like terraform plan.
func (cs *Changeset) String() string {
	if cs == nil {
		return "No plan.\n"
	}
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
	if w == nil {
		return 0, errors.New("provider: Changeset.WriteTo: nil writer; give an io.Writer")
	}
	n, err := io.WriteString(w, cs.String())
	return int64(n), err
}

// Plan compares bp with what exists and returns the changes an Apply would
// make. It makes no write call and takes no lock: it is the dry run.
// Errors: an invalid Blueprint (a deployment name that
// [blueprint.CheckDeployment] refuses, before any call), a kind the driver
// does not support (ErrUnsupported), a zone not in the region, every
// problem the preflight finds ([ErrPreflight], see the package
// documentation), or a failed List, all before anything is changed;
// [ErrNoDriver] for an Engine without a driver.
func (e *Engine) Plan(ctx context.Context, bp *blueprint.Blueprint) (*Changeset, error) {
	if err := e.usable(); err != nil {
		return nil, err
	}
	cs, _, err := e.plan(ctx, e.newClient(), bp)
	return cs, err
}

// prepare validates and adapts a copy of bp.
func (e *Engine) prepare(bp *blueprint.Blueprint) (*blueprint.Blueprint, []string, error) {
	if bp == nil {
		return nil, nil, fmt.Errorf("provider: nil blueprint")
	}
	if err := checkDeployment(bp.Deployment); err != nil {
		return nil, nil, err
	}
	if err := bp.Validate(); err != nil {
		return nil, nil, err
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
