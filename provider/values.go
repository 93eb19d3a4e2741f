package provider

import (
	"encoding/json"

	"github.com/archkit/archkit/pattern/blueprint"
)

// Values returns the spec of c's resource before and after the change, as
// JSON objects in the Blueprint's terms: refs as logical ids (an existing
// resource's provider ids mapped back through its tags), lists sorted, the
// values of sensitive fields (user data) replaced by "(sensitive)". before
// is nil for a create, after nil for a delete. They are the values behind
// c.Diffs, for a program that shows or checks a plan (package
// provider/deploy prints them in its JSON plan).
//
// c must be one of cs.Changes.
func (cs *Changeset) Values(c Change) (before, after json.RawMessage) {
	if cs == nil {
		return nil, nil
	}
	if c.observed != nil {
		rev := map[string]string{}
		for _, list := range cs.observed {
			for _, o := range list {
				if o.LogicalID != "" {
					rev[o.ID] = o.LogicalID
				}
			}
		}
		have := normalize(c.observed.Resource, func(ref blueprint.Ref) blueprint.Ref {
			if id, ok := rev[string(ref)]; ok {
				return blueprint.Ref(id)
			}
			return ref
		})
		have.Kind = c.Kind
		before = specJSON(have)
	}
	if c.desired != nil && c.Action != ActionDelete {
		after = specJSON(normalize(*c.desired, nil))
	}
	return before, after
}

// specJSON returns r's spec as JSON, sensitive values hidden.
func specJSON(r blueprint.Resource) json.RawMessage {
	raw, err := json.Marshal(r.Spec())
	if err != nil {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return raw
	}
	out, err := json.Marshal(hideSensitive(v))
	if err != nil {
		return nil
	}
	return out
}

// hideSensitive replaces the value of every sensitive key, at any depth.
func hideSensitive(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if sensitive[k] {
				v[k] = "(sensitive)"
				continue
			}
			v[k] = hideSensitive(e)
		}
	case []any:
		for i, e := range v {
			v[i] = hideSensitive(e)
		}
	}
	return v
}
