package provider

import (
	"context"
	"fmt"
	"strings"
)

// DriftReport is what changed outside archkit since the last apply.
type DriftReport struct {
	Deployment string `json:"deployment"`
	// Changed are resources whose fields differ from the Blueprint, with
	// the field diffs (the Action an Apply would take: update or replace).
	Changed []Change `json:"changed,omitempty"`
	// Missing are logical ids of the Blueprint that no longer exist
	// (deleted outside archkit, or never applied).
	Missing []string `json:"missing,omitempty"`
	// Extra are tagged resources that the Blueprint does not hold,
	// duplicates included.
	Extra []Change `json:"extra,omitempty"`
}

// HasDrift reports whether anything differs.
func (r *DriftReport) HasDrift() bool {
	if r == nil {
		return false
	}
	return len(r.Changed)+len(r.Missing)+len(r.Extra) > 0
}

// String returns the report as a listing.
func (r *DriftReport) String() string {
	if r == nil {
		return "No drift report.\n"
	}
	if !r.HasDrift() {
		return fmt.Sprintf("No drift in %s.\n", r.Deployment)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Drift in %s: %d changed, %d missing, %d extra.\n", r.Deployment, len(r.Changed), len(r.Missing), len(r.Extra))
	for _, c := range r.Changed {
		b.WriteString("~ changed " + c.ID + "\n")
		for _, d := range c.Diffs {
			b.WriteString("      " + d.String() + "\n")
		}
	}
	for _, id := range r.Missing {
		b.WriteString("- missing " + id + "\n")
	}
	for _, c := range r.Extra {
		fmt.Fprintf(&b, "+ extra %s %s (%s)\n", c.Kind, c.ID, c.ProviderID)
	}
	return b.String()
}

// Drift compares src (a Blueprint, or an architecture built around what
// is deployed: see [Source]) with what exists and reports the resources
// changed or deleted outside archkit and the extra tagged resources. It
// makes no write call.
func (e *Engine) Drift(ctx context.Context, src Source) (*DriftReport, error) {
	if err := e.usable(ctx); err != nil {
		return nil, err
	}
	cs, _, err := e.plan(ctx, e.newClient(), src)
	if err != nil {
		return nil, err
	}
	rep := &DriftReport{Deployment: cs.Deployment}
	for _, c := range cs.Changes {
		switch c.Action {
		case ActionCreate:
			rep.Missing = append(rep.Missing, c.ID)
		case ActionUpdate, ActionReplace:
			if len(c.Diffs) > 0 {
				rep.Changed = append(rep.Changed, c)
			}
		case ActionDelete:
			rep.Extra = append(rep.Extra, c)
		}
	}
	return rep, nil
}
