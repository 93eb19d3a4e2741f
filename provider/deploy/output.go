package deploy

import (
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
)

// Schema is the JSON Schema (draft 2020-12) of every document -json
// writes, the file schema.json of this package. Each document names its
// kind and version in its "schema" member; within a version, documents
// only ever gain members.
//
//go:embed schema.json
var Schema []byte

// The "schema" member of each document -json writes.
const (
	SchemaPlan   = "archkit.plan/v1"
	SchemaResult = "archkit.result/v1"
	SchemaDrift  = "archkit.drift/v1"
	SchemaError  = "archkit.error/v1"
)

// PlanDocument is the plan as -plan -json writes it, and as a result
// document holds it: every change with its field diffs and the values
// before and after.
type PlanDocument struct {
	Schema     string `json:"schema"`
	Deployment string `json:"deployment"`
	Provider   string `json:"provider"`
	// HasChanges reports whether an apply would make a write call: the
	// exit status of -plan is 2 when it does.
	HasChanges bool             `json:"has_changes"`
	Summary    PlanSummary      `json:"summary"`
	Changes    []ChangeDocument `json:"changes"`
	// Notices report adaptations to the driver (a dropped network ACL).
	Notices []string `json:"notices,omitempty"`
}

// PlanSummary counts the changes of a plan per action.
type PlanSummary struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Replace   int `json:"replace"`
	Delete    int `json:"delete"`
	Unchanged int `json:"unchanged"`
}

// ChangeDocument is one planned change.
type ChangeDocument struct {
	ID     string          `json:"id"`
	Kind   blueprint.Kind  `json:"kind"`
	Action provider.Action `json:"action"`
	// Class says how the action is made ([provider.Class]): in place,
	// replaced create-before-destroy or delete-first ...
	Class  provider.Class `json:"class"`
	Reason string         `json:"reason,omitempty"`
	// ProviderID is the cloud's id of the existing resource.
	ProviderID string `json:"provider_id,omitempty"`
	// DeleteFirst reports whether a replace deletes the old resource
	// before it creates the new one.
	DeleteFirst bool `json:"delete_first,omitempty"`
	// ForcedBy names what forces a replace: the fields the cloud cannot
	// change in place, or a dependency replaced first.
	ForcedBy []string `json:"forced_by,omitempty"`
	// Stateful reports whether the resource holds data
	// ([provider.Change.Stateful]); Destructive whether the change
	// deletes or replaces it. A change both stateful and destructive
	// loses data: the run refuses it unless -allow-data-loss names it.
	Stateful    bool                 `json:"stateful"`
	Destructive bool                 `json:"destructive"`
	Diffs       []provider.FieldDiff `json:"diffs,omitempty"`
	// Before and After are the resource's spec as it exists and as the
	// change leaves it ([provider.Changeset.Values]): Before is absent
	// for a create, After for a delete.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// NewPlanDocument returns the document of cs.
func NewPlanDocument(cs *provider.Changeset) *PlanDocument {
	if cs == nil {
		return &PlanDocument{Schema: SchemaPlan, Changes: []ChangeDocument{}}
	}
	counts := cs.Counts()
	doc := &PlanDocument{
		Schema: SchemaPlan, Deployment: cs.Deployment, Provider: cs.Provider, HasChanges: cs.HasChanges(),
		Summary: PlanSummary{Create: counts[provider.ActionCreate], Update: counts[provider.ActionUpdate],
			Replace: counts[provider.ActionReplace], Delete: counts[provider.ActionDelete], Unchanged: counts[provider.ActionNoop]},
		Changes: make([]ChangeDocument, 0, len(cs.Changes)),
		Notices: cs.Notices,
	}
	for _, c := range cs.Changes {
		cd := changeDocument(c)
		cd.Before, cd.After = cs.Values(c)
		doc.Changes = append(doc.Changes, cd)
	}
	return doc
}

func changeDocument(c provider.Change) ChangeDocument {
	return ChangeDocument{
		ID: c.ID, Kind: c.Kind, Action: c.Action, Class: c.Class, Reason: c.Reason, ProviderID: c.ProviderID,
		DeleteFirst: c.DeleteFirst, ForcedBy: c.ForcedBy, Stateful: c.Stateful, Destructive: c.Destructive, Diffs: c.Diffs,
	}
}

// The statuses of a run and of a resource in a [ResultDocument].
const (
	StatusComplete     = "complete"      // the run did everything
	StatusFailed       = "failed"        // a resource failed
	StatusInterrupted  = "interrupted"   // cancelled (Ctrl-C) or out of time
	StatusNotConfirmed = "not_confirmed" // the plan was not approved: nothing written
	StatusProtected    = "protected"     // the run would lose data -allow-data-loss does not allow: nothing written
	StatusLocked       = "locked"        // another run holds the deployment's lock: nothing written
	StatusDone         = "done"          // the resource's action succeeded
	StatusNotStarted   = "not_started"   // the resource's action never made a call
)

// ResultDocument is what an apply or a destroy did.
type ResultDocument struct {
	Schema     string `json:"schema"`
	Operation  string `json:"operation"` // "apply" or "destroy"
	Deployment string `json:"deployment"`
	Provider   string `json:"provider"`
	// Status is complete, failed, interrupted, not_confirmed or
	// protected.
	Status  string        `json:"status"`
	Summary ResultSummary `json:"summary"`
	// WriteCalls and ReadCalls count the driver calls, retries included.
	WriteCalls int `json:"write_calls"`
	ReadCalls  int `json:"read_calls"`
	// Seconds is the wall time of the run, planning included.
	Seconds float64 `json:"seconds"`
	// Resources are the resources the run acted on, in the plan's order.
	Resources []ResourceDocument `json:"resources"`
	// Plan is the plan the run applied (absent when planning failed).
	Plan  *PlanDocument `json:"plan,omitempty"`
	Error string        `json:"error,omitempty"`
}

// ResultSummary counts the resources of a run per outcome.
type ResultSummary struct {
	Created    int `json:"created"`
	Updated    int `json:"updated"`
	Replaced   int `json:"replaced"`
	Deleted    int `json:"deleted"`
	Unchanged  int `json:"unchanged"`
	Failed     int `json:"failed"`
	NotStarted int `json:"not_started"`
}

// ResourceDocument is what happened to one resource.
type ResourceDocument struct {
	ID         string          `json:"id"`
	Kind       blueprint.Kind  `json:"kind"`
	Action     provider.Action `json:"action"`
	Status     string          `json:"status"` // done, failed, interrupted or not_started
	ProviderID string          `json:"provider_id,omitempty"`
	Seconds    float64         `json:"seconds"`
	// Message says why a resource was not started; Error why it failed.
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

// DriftDocument is what -drift -json writes.
type DriftDocument struct {
	Schema     string           `json:"schema"`
	Deployment string           `json:"deployment"`
	Provider   string           `json:"provider"`
	HasDrift   bool             `json:"has_drift"`
	Changed    []ChangeDocument `json:"changed"`
	Missing    []string         `json:"missing"`
	Extra      []ChangeDocument `json:"extra"`
}

// NewDriftDocument returns the document of r.
func NewDriftDocument(r *provider.DriftReport, providerName string) *DriftDocument {
	if r == nil {
		r = &provider.DriftReport{}
	}
	doc := &DriftDocument{Schema: SchemaDrift, Deployment: r.Deployment, Provider: providerName, HasDrift: r.HasDrift(),
		Changed: []ChangeDocument{}, Missing: append([]string{}, r.Missing...), Extra: []ChangeDocument{}}
	for _, c := range r.Changed {
		doc.Changed = append(doc.Changed, changeDocument(c))
	}
	for _, c := range r.Extra {
		doc.Extra = append(doc.Extra, changeDocument(c))
	}
	return doc
}

// ErrorDocument is what -json writes when a run fails before it has a
// plan, a result or a drift report to show: a bad flag, an architecture
// that does not build, a driver that cannot open.
type ErrorDocument struct {
	Schema string `json:"schema"`
	// Error is the whole message; Errors its problems one by one (Build
	// reports every problem at once, a line each).
	Error  string   `json:"error"`
	Errors []string `json:"errors"`
}

// NewErrorDocument returns the document of err.
func NewErrorDocument(err error) *ErrorDocument {
	if err == nil {
		err = errors.New("no error")
	}
	msg := err.Error()
	doc := &ErrorDocument{Schema: SchemaError, Error: msg}
	for line := range strings.Lines(msg) {
		if line = strings.TrimSpace(line); line != "" {
			doc.Errors = append(doc.Errors, line)
		}
	}
	return doc
}

// writeJSON writes v indented, a newline after it.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// statusOf is the status of a finished run.
func statusOf(err error, interrupted bool) string {
	switch {
	case err == nil:
		return StatusComplete
	case errors.Is(err, ErrNotConfirmed):
		return StatusNotConfirmed
	case errors.Is(err, provider.ErrProtected):
		return StatusProtected
	case errors.Is(err, provider.ErrLocked):
		return StatusLocked
	case interrupted:
		return StatusInterrupted
	}
	return StatusFailed
}
