package provider

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
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

// Class says how a change is made and what it costs: the field a
// program or a reviewer reads to know whether a plan is safe.
type Class string

// The classes of a [Change].
const (
	ClassCreate = Class("create")
	// ClassUpdateInPlace changes the resource where it is: same
	// provider id, no data lost (RDS ModifyDBInstance, elbv2 SetSubnets,
	// UpdateAutoScalingGroup ...).
	ClassUpdateInPlace = Class("update-in-place")
	// ClassReplaceCreateFirst creates the new resource, moves what
	// refers to it, then deletes the old one.
	ClassReplaceCreateFirst = Class("replace-create-before-destroy")
	// ClassReplaceDeleteFirst deletes the old resource before it
	// creates the new one: the two cannot exist at once (a subnet's
	// range, a name unique in the Net), or a dependency goes first.
	ClassReplaceDeleteFirst = Class("replace-delete-first")
	ClassDelete             = Class("delete")
	ClassNoop               = Class("no-op")
)

// Change is the action planned for one resource.
type Change struct {
	ID     string         `json:"id"` // logical id
	Kind   blueprint.Kind `json:"kind"`
	Action Action         `json:"action"`
	// Class says how the action is made: in place, replaced create
	// first or delete first, and so on.
	Class Class `json:"class"`
	// Reason says why: "not found", "cidr changed: forces replacement",
	// "not in the blueprint".
	Reason string `json:"reason,omitempty"`
	// ProviderID is the id of the existing resource, if any.
	ProviderID string `json:"provider_id,omitempty"`
	// Diffs are the fields that change, old -> new.
	Diffs []FieldDiff `json:"diffs,omitempty"`
	// ForcedBy names what forces a replace: the fields the driver cannot
	// change in place ("engine"), or the dependencies replaced delete-first
	// ("subnet/db/a (replaced first)").
	ForcedBy []string `json:"forced_by,omitempty"`
	// DeleteFirst reports whether a replace deletes the old resource before
	// it creates the new one (nets, subnets and what depends on them).
	DeleteFirst bool `json:"delete_first,omitempty"`
	// Stateful reports whether the resource holds data
	// ([blueprint.Resource.IsStateful]): a database, a database cluster.
	// The Blueprint's resource or the one that exists is enough: a cluster
	// made stateful and now declared stateless still holds its data.
	Stateful bool `json:"stateful"`
	// Destructive reports whether the change destroys the existing
	// resource: a replace or a delete. A destructive change of a stateful
	// resource loses its data; Apply refuses it unless
	// [ApplyOptions.AllowDataLoss] names the resource.
	Destructive bool `json:"destructive"`

	desired   *blueprint.Resource // nil for deletes
	observed  *driver.Observed    // nil for creates
	waitReady bool                // no-op on a resource that is not ready yet
	deps      []string
}

// classify sets Class and Destructive from the action.
func (c *Change) classify() {
	c.Destructive = c.Action == ActionReplace || c.Action == ActionDelete
	switch c.Action {
	case ActionCreate:
		c.Class = ClassCreate
	case ActionUpdate:
		c.Class = ClassUpdateInPlace
	case ActionReplace:
		c.Class = ClassReplaceCreateFirst
		if c.DeleteFirst {
			c.Class = ClassReplaceDeleteFirst
		}
	case ActionDelete:
		c.Class = ClassDelete
	default:
		c.Class = ClassNoop
	}
}

// LosesData reports whether the change destroys a stateful resource: the
// changes Apply refuses without the caller's opt-in.
func (c Change) LosesData() bool { return c.Stateful && c.Destructive }

// String returns the change as in a plan listing:
//
//	~ update database/db: instance_class: db.t3.micro -> db.t3.small
//	-/+ replace subnet/db/a (cidr changed: forces replacement), delete first
//	      cidr: 10.0.2.0/24 -> 10.0.3.0/24 (forces replacement)
//
// A destructive change of a stateful resource ends with a line that says
// so and names the opt-in.
func (c Change) String() string {
	s := fmt.Sprintf("%s %s %s", c.Action.Symbol(), c.Action, c.ID)
	if c.Action == ActionUpdate && len(c.Diffs) == 1 {
		s += ": " + c.Diffs[0].String()
	} else if c.Reason != "" && !(c.Action == ActionCreate && c.Reason == "not found") {
		s += " (" + c.Reason + ")"
	}
	if c.Action == ActionReplace {
		s += map[bool]string{true: ", delete first", false: ", create before destroy"}[c.DeleteFirst]
	}
	if c.Action == ActionUpdate && len(c.Diffs) > 1 || c.Action == ActionReplace {
		for _, d := range c.Diffs {
			s += "\n      " + d.String()
		}
	}
	if c.LosesData() {
		s += "\n      ! stateful: its data is lost; Apply refuses unless AllowDataLoss names " + c.ID
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
	// Findings are the lint findings of the Blueprint (those it carries
	// and those of [blueprint.Blueprint.Lint]), acknowledged ones with
	// their reason; none of them blocks (Plan refuses a Blueprint with a
	// blocking one, with ErrLint).
	Findings []netplan.Finding `json:"findings,omitempty"`

	bp       *blueprint.Blueprint // adapted, zones mapped
	observed map[blueprint.Kind][]driver.Observed
	ids      map[string]string // logical id -> provider id of what exists
	netIDs   []string
	zones    []string // the provider's zones when planned
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

// LosesData returns the logical ids of the stateful resources the
// changeset deletes or replaces, sorted: what Apply refuses unless
// [ApplyOptions.AllowDataLoss] names them.
func (cs *Changeset) LosesData() []string {
	if cs == nil {
		return nil
	}
	var ids []string
	for _, c := range cs.Changes {
		if c.LosesData() {
			ids = append(ids, c.ID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Stateful returns the logical ids of the stateful resources the
// changeset holds, whatever their change, sorted: what a Destroy of the
// deployment must be allowed to delete ([DestroyOptions.AllowDataLoss]).
func (cs *Changeset) Stateful() []string {
	if cs == nil {
		return nil
	}
	var ids []string
	for _, c := range cs.Changes {
		if c.Stateful {
			ids = append(ids, c.ID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
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
	if lost := cs.LosesData(); len(lost) > 0 {
		fmt.Fprintf(&b, "! %d stateful resource(s) would lose their data: %s\n", len(lost), strings.Join(lost, ", "))
	}
	for _, s := range cs.Notices {
		b.WriteString("! " + s + "\n")
	}
	for _, f := range cs.Findings {
		if f.Severity != netplan.SeverityInfo || f.Acknowledged != "" {
			b.WriteString("# " + f.String() + "\n")
		}
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

// Plan compares src with what exists and returns the changes an Apply
// would make. It makes no write call and takes no lock: it is the dry
// run. src is a Blueprint, or an architecture the engine builds around
// what is deployed (see [Source]). Errors: an invalid Blueprint or
// architecture (a deployment name that [blueprint.CheckDeployment]
// refuses, before any call), a kind the driver does not support
// (ErrUnsupported), a zone not in the region, every problem the preflight
// finds ([ErrPreflight], see the package documentation) with every
// blocking lint finding of the Blueprint ([ErrLint]; the others are in
// Changeset.Findings), or a failed List, all before anything is changed;
// [ErrNoDriver] for an Engine without a driver.
func (e *Engine) Plan(ctx context.Context, src Source) (*Changeset, error) {
	if err := e.usable(ctx); err != nil {
		return nil, err
	}
	cs, _, err := e.plan(ctx, e.newClient(), src)
	return cs, err
}

// ErrLint is matched with errors.Is by the error of a Plan or an Apply
// whose Blueprint has a lint finding of severity error that nobody
// acknowledged ([blueprint.Blueprint.Lint]).
var ErrLint = errors.New("provider: blocking lint finding")

// lint runs the Blueprint's lint checks and merges their findings with
// those bp carries (Build's, which include them), each (id, subject)
// once. It returns an error wrapping ErrLint that names every blocking
// finding, so that a Blueprint given to the engine directly, not built by
// package pattern, is held to the same checks; the plan reports it with
// the preflight's problems, before the first write.
func lint(bp *blueprint.Blueprint) ([]netplan.Finding, error) {
	fs := slices.Clone(bp.Findings)
	blueprint.Acknowledge(fs, bp.Acknowledgements)
	seen := make(map[[2]string]bool, len(fs))
	for _, f := range fs {
		seen[[2]string{f.ID, f.Subject}] = true
	}
	for _, f := range bp.Lint() {
		if !seen[[2]string{f.ID, f.Subject}] {
			fs = append(fs, f)
		}
	}
	blueprint.SortFindings(fs)
	var errs []error
	for _, f := range fs {
		if f.IsBlocking() {
			errs = append(errs, fmt.Errorf("provider: %s: %s: %s; %s, or acknowledge it in the blueprint's acknowledgements: %w", f.Subject, f.ID, f.Message, f.Fix, ErrLint))
		}
	}
	return fs, errors.Join(errs...)
}

// prepare validates and adapts a copy of bp.
func (e *Engine) prepare(bp *blueprint.Blueprint) (*blueprint.Blueprint, []string, error) {
	if bp == nil {
		return nil, nil, fmt.Errorf("provider: nil blueprint")
	}
	if err := bp.Validate(); err != nil { // the name too (blueprint.CheckDeployment), checked first by deploymentOf
		return nil, nil, err
	}
	cp := *bp
	cp.Resources = make([]blueprint.Resource, len(bp.Resources))
	for i := range bp.Resources {
		bp.Resources[i].CloneInto(&cp.Resources[i])
	}
	expandReplicas(&cp)
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
	refs := r.Refs()
	d := make([]string, 0, len(r.DependsOn)+len(refs))
	d = append(d, r.DependsOn...)
	for _, ref := range refs {
		if *ref != "" {
			d = append(d, string(*ref))
		}
	}
	slices.Sort(d)
	return slices.Compact(d)
}

// topo returns the resources of bp in dependency order, or an error
// naming a cycle.
func topo(bp *blueprint.Blueprint) ([]*blueprint.Resource, error) {
	idx := make(map[string]*blueprint.Resource, len(bp.Resources))
	for i := range bp.Resources {
		idx[bp.Resources[i].ID] = &bp.Resources[i]
	}
	state := make(map[string]int, len(bp.Resources)) // 1 visiting, 2 done
	out := make([]*blueprint.Resource, 0, len(bp.Resources))
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
