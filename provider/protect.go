package provider

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrProtected is matched (errors.Is) by the error of an Apply or a
// Destroy that would delete or replace a stateful resource the caller did
// not name in AllowDataLoss ([ApplyOptions], [DestroyOptions]). Nothing
// was written: the refusal comes before the first write. The error is a
// [*ProtectedError].
var ErrProtected = errors.New("provider: stateful resource protected")

// ProtectedError is the refusal of a run that would lose data: the
// destructive changes of stateful resources that the caller did not allow.
type ProtectedError struct {
	// Verb is the run refused: "apply" or "destroy".
	Verb string
	// Changes are the refused changes, in plan order.
	Changes []Change
}

// Error names each resource, what forces its loss and the opt-in:
//
//	provider: apply refused: it would lose the data of 1 stateful resource(s):
//	  database/db: replace, forced by engine (postgres -> mysql); allow it with ApplyOptions.AllowDataLoss = []string{"database/db"}
func (e *ProtectedError) Error() string {
	if e == nil {
		return ErrProtected.Error()
	}
	opt := "ApplyOptions"
	if e.Verb == "destroy" {
		opt = "DestroyOptions"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "provider: %s refused: it would lose the data of %d stateful resource(s):", e.Verb, len(e.Changes))
	for _, c := range e.Changes {
		fmt.Fprintf(&b, "\n  %s: %s, %s; allow it with %s.AllowDataLoss = []string{%q}", c.ID, c.Action, forcedBy(c), opt, c.ID)
	}
	return b.String()
}

// Unwrap returns ErrProtected.
func (e *ProtectedError) Unwrap() error { return ErrProtected }

// IDs returns the logical ids of the refused resources: what
// AllowDataLoss would have to name.
func (e *ProtectedError) IDs() []string {
	if e == nil {
		return nil
	}
	ids := make([]string, 0, len(e.Changes))
	for _, c := range e.Changes {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// forcedBy says what forces the loss of c: the fields and their values,
// the dependency replaced first, or why it is deleted.
func forcedBy(c Change) string {
	if c.Action == ActionDelete {
		return c.Reason
	}
	var parts []string
	for _, f := range c.ForcedBy {
		i := slices.IndexFunc(c.Diffs, func(d FieldDiff) bool { return d.Field == f })
		if i < 0 {
			parts = append(parts, f)
			continue
		}
		d := c.Diffs[i]
		s := d.String()
		if d.Added == nil && d.Removed == nil {
			s = fmt.Sprintf("%s (%s -> %s)", d.Field, orNone(d.Old), orNone(d.New))
		}
		if d.Reason != "" {
			s += ": " + d.Reason
		}
		parts = append(parts, s)
	}
	return "forced by " + strings.Join(parts, ", ")
}

// protect returns a *ProtectedError for the changes of changes that lose
// data and that allow does not name, or nil.
func protect(verb string, changes []Change, allow []string) error {
	var refused []Change
	for _, c := range changes {
		if c.LosesData() && !slices.Contains(allow, c.ID) {
			refused = append(refused, c)
		}
	}
	if len(refused) == 0 {
		return nil
	}
	return &ProtectedError{Verb: verb, Changes: refused}
}
