package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/archkit/archkit/pattern/blueprint"
)

// FieldDiff is the change of one spec field, named by its JSON name. A list
// field reports the elements Added and Removed; any other field its Old and
// New values. Values of sensitive fields (user data) are never shown.
type FieldDiff struct {
	Field string `json:"field"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
	// Before and After are every element of a list field before and after
	// the change, in canonical order; Added and Removed the difference.
	Before  []string `json:"before,omitempty"`
	After   []string `json:"after,omitempty"`
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	// ForcesReplacement reports whether the driver cannot change the
	// field in place, or not to that value; Reason says why when the
	// field is mutable but not this change ("RDS cannot shrink storage").
	ForcesReplacement bool   `json:"forces_replacement,omitempty"`
	Reason            string `json:"reason,omitempty"`
}

// String returns the diff as one line: "inbound: + tcp 8080 from security_group/web".
func (d FieldDiff) String() string {
	var b strings.Builder
	b.WriteString(d.Field)
	b.WriteString(":")
	if d.Added == nil && d.Removed == nil {
		fmt.Fprintf(&b, " %s -> %s", orNone(d.Old), orNone(d.New))
	}
	for _, s := range d.Removed {
		b.WriteString(" - " + s + ";")
	}
	for _, s := range d.Added {
		b.WriteString(" + " + s + ";")
	}
	out := strings.TrimSuffix(b.String(), ";")
	switch {
	case d.ForcesReplacement && d.Reason != "":
		out += " (forces replacement: " + d.Reason + ")"
	case d.ForcesReplacement:
		out += " (forces replacement)"
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// sensitive fields are compared but never displayed.
var sensitive = map[string]bool{"user_data": true}

// specFields returns the JSON fields of r's spec, with zero values (null,
// "", 0, false, [], {}) left out so that an omitted field and its zero
// value compare equal.
func specFields(r *blueprint.Resource) map[string]json.RawMessage {
	raw, err := json.Marshal(r.Spec())
	if err != nil {
		return nil
	}
	return objectFields(raw)
}

// diffResources compares two normalized resources of the same kind field
// by field, skipping the fields in skip. Object fields (a health check, a
// database's fallback cluster) are compared member by member, reported as
// "health_check.path".
func diffResources(old, new blueprint.Resource, skip []string, mutable func(string) bool) []FieldDiff {
	return diffFields(new.Kind, "", specFields(&old), specFields(&new), skip, mutable)
}

func diffFields(kind blueprint.Kind, prefix string, of, nf map[string]json.RawMessage, skip []string, mutable func(string) bool) []FieldDiff {
	keys := make([]string, 0, len(of)+len(nf))
	for k := range of {
		keys = append(keys, k)
	}
	for k := range nf {
		if _, ok := of[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []FieldDiff
	for _, k := range keys {
		if prefix == "" && slices.Contains(skip, k) {
			continue
		}
		o, n := of[k], nf[k]
		if bytes.Equal(o, n) {
			continue
		}
		top := k
		if prefix != "" {
			top = strings.SplitN(prefix, ".", 2)[0]
		}
		if isObject(o) && isObject(n) {
			out = append(out, diffFields(kind, prefix+k+".", objectFields(o), objectFields(n), nil, func(string) bool { return mutable(top) })...)
			continue
		}
		d := FieldDiff{Field: prefix + k, ForcesReplacement: !mutable(top)}
		switch {
		case sensitive[k]:
			d.Old, d.New = "(sensitive)", "(sensitive)"
		case isArray(o) || isArray(n):
			oe, ne := elements(kind, k, o), elements(kind, k, n)
			d.Before, d.After = oe, ne
			d.Removed, d.Added = multisetDiff(oe, ne), multisetDiff(ne, oe)
			if d.Removed == nil && d.Added == nil { // same elements, other order
				continue
			}
		default:
			d.Old, d.New = scalar(o), scalar(n)
			if isObject(o) || isObject(n) {
				d.Old, d.New = orSet(o), orSet(n)
			}
		}
		out = append(out, d)
	}
	return out
}

func isObject(b json.RawMessage) bool { return len(b) > 0 && b[0] == '{' }

// orSet shows an object field as set or not, never its content (it may
// hold user data).
func orSet(b json.RawMessage) string {
	if len(b) == 0 {
		return ""
	}
	return "(set)"
}

func objectFields(raw json.RawMessage) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	for k, v := range m {
		switch string(v) {
		case "null", `""`, "0", "false", "[]", "{}":
			delete(m, k)
		}
	}
	return m
}

func isArray(b json.RawMessage) bool { return len(b) > 0 && b[0] == '[' }

func scalar(b json.RawMessage) string {
	if len(b) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		return s
	}
	return string(b)
}

// multisetDiff returns the elements of a not matched in b.
func multisetDiff(a, b []string) []string {
	left := map[string]int{}
	for _, s := range b {
		left[s]++
	}
	var out []string
	for _, s := range a {
		if left[s] > 0 {
			left[s]--
			continue
		}
		out = append(out, s)
	}
	return out
}

// elements renders each element of a JSON array for display.
func elements(kind blueprint.Kind, field string, raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil {
		return []string{string(raw)}
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, element(kind, field, it))
	}
	return out
}

// element renders one element of a list field with the display method of
// its blueprint type: a rule, a route, a listener or a network ACL entry.
func element(kind blueprint.Kind, field string, it json.RawMessage) string {
	var s fmt.Stringer
	switch {
	case kind == blueprint.KindSecurityGroupRules && (field == "inbound" || field == "outbound"):
		var r blueprint.RuleSpec
		if json.Unmarshal(it, &r) == nil {
			return r.Text(field == "inbound")
		}
	case kind == blueprint.KindRouteTable && field == "routes":
		s = decode[blueprint.RouteSpec](it)
	case kind == blueprint.KindLoadBalancer && field == "listeners":
		s = decode[blueprint.ListenerSpec](it)
	case kind == blueprint.KindNetworkACL && (field == "inbound" || field == "outbound"):
		s = decode[blueprint.ACLEntrySpec](it)
	}
	if s != nil {
		return s.String()
	}
	return scalar(it)
}

// decode returns it decoded as a T, or nil when it is no T.
func decode[T fmt.Stringer](it json.RawMessage) fmt.Stringer {
	var v T
	if json.Unmarshal(it, &v) != nil {
		return nil
	}
	return v
}
