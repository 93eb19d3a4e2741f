package providertest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// Canonical returns the spec of r as canonical JSON for comparisons
// between what was sent and what a driver reads back: the fields named in
// skip (JSON names, such as a driver's WriteOnly fields) are left out,
// zero values are treated as absent, and lists are sorted, since clouds
// report rules, routes and subnets in an order of their own.
//
// A cluster started from an image copy reads back the copy's image: its
// image is compared as the image its nodes start from
// ([blueprint.ClusterSpec.ImageID]).
func Canonical(r blueprint.Resource, skip ...string) (string, error) {
	if r.Cluster != nil {
		c := *r.Cluster
		c.Image, c.ImageCopy = c.ImageID(), ""
		r.Cluster = &c
	}
	b, err := json.Marshal(r.Spec())
	if err != nil {
		return "", err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return "", err
	}
	for _, f := range skip {
		delete(m, f)
	}
	out, err := json.Marshal(normalize(m))
	return string(out), err
}

func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			e = normalize(e)
			if isZero(e) {
				delete(x, k)
				continue
			}
			x[k] = e
		}
		return x
	case []any:
		keys := make([]string, len(x))
		for i, e := range x {
			x[i] = normalize(e)
			b, _ := json.Marshal(x[i])
			keys[i] = string(b)
		}
		idx := make([]int, len(x))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(keys[a], keys[b]) })
		out := make([]any, len(x))
		for i, j := range idx {
			out[i] = x[j]
		}
		return out
	}
	return v
}

func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case float64:
		return x == 0
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// specFields returns the JSON names of the fields of kind k's spec.
func specFields(k blueprint.Kind) ([]string, error) {
	rt := reflect.TypeFor[blueprint.Resource]()
	for i := range rt.NumField() {
		f := rt.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != string(k) || f.Type.Kind() != reflect.Pointer {
			continue
		}
		st := f.Type.Elem()
		var out []string
		for j := range st.NumField() {
			n, _, _ := strings.Cut(st.Field(j).Tag.Get("json"), ",")
			if n != "" && n != "-" {
				out = append(out, n)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("kind %q has no spec field in blueprint.Resource", k)
}

// fieldJSON returns the canonical JSON of one spec field of r.
func fieldJSON(r blueprint.Resource, field string) string {
	b, _ := json.Marshal(r.Spec())
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	out, _ := json.Marshal(normalize(map[string]any{field: m[field]}))
	return string(out)
}

// SameMutable checks that two drivers' Capabilities change the same
// fields in place, for every kind both support: a fake that mimics a
// cloud must be no kinder than its driver.
func SameMutable(t testing.TB, cloud, mimic driver.Capabilities) {
	t.Helper()
	for _, k := range blueprint.Kinds {
		if !cloud.Supports(k) || !mimic.Supports(k) {
			if cloud.Supports(k) != mimic.Supports(k) {
				t.Errorf("kind %s: supported by one and not the other", k)
			}
			continue
		}
		a, b := slices.Sorted(slices.Values(cloud.Mutable[k])), slices.Sorted(slices.Values(mimic.Mutable[k]))
		if !slices.Equal(a, b) {
			t.Errorf("kind %s: the cloud's driver changes %v in place, the mimic %v", k, a, b)
		}
	}
}
