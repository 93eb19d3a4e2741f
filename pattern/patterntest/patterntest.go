// Package patterntest helps the tests of programs built on archkit, before
// anything is applied: matchers over a Blueprint (resources of a kind with
// given properties, as AWS CDK's assertions match a template), a golden
// file helper for Blueprints and plans, and an assertion that an
// architecture is refused for a given field.
//
//	func TestShop(t *testing.T) {
//		bp := patterntest.Build(t, shop())
//		patterntest.ResourceCount(t, bp, blueprint.KindSubnet, nil, 6)
//		patterntest.HasResource(t, bp, blueprint.KindDatabase, patterntest.Props{
//			"engine": "postgres", "multi_az": true, "encrypted": true,
//		})
//		patterntest.HasResource(t, bp, blueprint.KindSecurityGroupRules, patterntest.Props{
//			"group": "security_group/db",
//			"inbound": patterntest.ArrayWith(patterntest.Props{"from_port": 5432, "group": "security_group/api"}),
//		})
//		patterntest.GoldenJSON(t, "shop-blueprint", bp) // testdata/shop-blueprint.golden; go test -update rewrites it
//	}
//
// Properties use the JSON names of the Blueprint's specs (go doc
// github.com/archkit/archkit/pattern/blueprint, or the output of a deploy
// program's -blueprint flag).
//
// The package defines the test binary's -update flag: a test package that
// imports it reads [Update] instead of defining its own.
package patterntest

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
)

var update = flag.Bool("update", false, "rewrite the golden files of package patterntest's Golden and GoldenJSON")

// Update reports whether the test binary runs with -update: golden files
// are then rewritten instead of compared.
func Update() bool { return *update }

// Build builds arch and fails the test at once if it is refused.
func Build(t testing.TB, arch *pattern.Architecture) *blueprint.Blueprint {
	t.Helper()
	bp, err := arch.Build()
	if err != nil {
		t.Fatalf("patterntest: Build refused the architecture:\n%v", err)
	}
	return bp
}

// Props selects resources by the members of their spec, named as in the
// Blueprint's JSON ("cidr", "multi_az", "health_check"). A resource
// matches when each member of Props matches its spec's member:
//
//   - a Props matches an object member by member; the object may hold
//     more members (as CDK's Match.objectLike);
//   - a slice matches an array element by element, of the same length;
//   - [ArrayWith] matches an array holding a match for each of its
//     elements, in any order;
//   - [Absent] matches a member that is missing or zero;
//   - a [Matcher] built with [MatchFunc] decides for itself;
//   - any other value is compared as JSON: "10.0.0.0/24", 5432, true, a
//     netip.Prefix, a blueprint.Ref.
//
// A nil Props matches every resource of the kind.
type Props map[string]any

// Matcher is a test of one JSON value (decoded into any: map[string]any,
// []any, string, float64, bool or nil).
type Matcher interface {
	Match(v any) bool
	String() string
}

type matchFunc struct {
	name string
	fn   func(any) bool
}

func (m matchFunc) Match(v any) bool { return m.fn(v) }
func (m matchFunc) String() string   { return m.name }

// MatchFunc returns a Matcher named name (shown when nothing matches).
func MatchFunc(name string, fn func(v any) bool) Matcher { return matchFunc{name, fn} }

// Absent matches a member that is missing, null or zero ("", 0, false,
// an empty array or object): the Blueprint leaves zero members out.
var Absent Matcher = MatchFunc("absent", func(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case float64:
		return v == 0
	case bool:
		return !v
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
})

// ArrayWith matches an array that holds, for each of elems, an element
// that matches it (as a Props member would), in any order.
func ArrayWith(elems ...any) Matcher {
	return MatchFunc(fmt.Sprintf("array with %s", show(elems)), func(v any) bool {
		arr, ok := v.([]any)
		if !ok {
			return false
		}
		for _, want := range elems {
			found := false
			for _, got := range arr {
				if matches(want, got) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	})
}

// Resources returns the resources of bp of kind k whose spec matches
// props, in the Blueprint's order.
func Resources(bp *blueprint.Blueprint, k blueprint.Kind, props Props) []blueprint.Resource {
	var out []blueprint.Resource
	for _, r := range bp.OfKind(k) {
		if matches(props, spec(r)) {
			out = append(out, r)
		}
	}
	return out
}

// HasResource asserts that bp holds a resource of kind k matching props
// and returns the first; it fails the test naming the resources of the
// kind when none matches.
func HasResource(t testing.TB, bp *blueprint.Blueprint, k blueprint.Kind, props Props) blueprint.Resource {
	t.Helper()
	rs := Resources(bp, k, props)
	if len(rs) == 0 {
		t.Errorf("patterntest: no %s matches %s; the %s resources are:\n%s", k, show(props), k, listing(bp, k))
		return blueprint.Resource{}
	}
	return rs[0]
}

// ResourceCount asserts that bp holds exactly n resources of kind k
// matching props (nil: every resource of the kind).
func ResourceCount(t testing.TB, bp *blueprint.Blueprint, k blueprint.Kind, props Props, n int) {
	t.Helper()
	if rs := Resources(bp, k, props); len(rs) != n {
		t.Errorf("patterntest: %d %s resources match %s, want %d:\n%s", len(rs), k, show(props), n, ids(rs))
	}
}

// NoResource asserts that no resource of kind k matches props.
func NoResource(t testing.TB, bp *blueprint.Blueprint, k blueprint.Kind, props Props) {
	t.Helper()
	if rs := Resources(bp, k, props); len(rs) > 0 {
		t.Errorf("patterntest: %d %s resources match %s, want none: %s", len(rs), k, show(props), ids(rs))
	}
}

// AssertRefused asserts that arch.Build refuses the architecture with a
// problem naming field ("cluster[app].image", "lbs[0].target", "cidr"),
// and that the error matches pattern.ErrInvalid; it returns the error for
// more checks (errors.Is with a sentinel of netplan or tier).
func AssertRefused(t testing.TB, arch *pattern.Architecture, field string) error {
	t.Helper()
	_, err := arch.Build()
	switch {
	case err == nil:
		t.Errorf("patterntest: Build accepted the architecture; want a problem naming %s", field)
		return nil
	case !errors.Is(err, pattern.ErrInvalid):
		t.Errorf("patterntest: Build's error does not match pattern.ErrInvalid: %v", err)
	}
	named := regexp.MustCompile(`(^|[\s"(])` + regexp.QuoteMeta(field) + `:`)
	if !named.MatchString(err.Error()) {
		t.Errorf("patterntest: no problem names %s; Build reported:\n%v", field, err)
	}
	return err
}

// Golden compares got with the file testdata/<name>.golden of the test's
// package, and fails the test with both when they differ. With -update it
// writes got to the file instead (creating testdata), so that a reviewer
// sees the change in the diff.
func Golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("patterntest: %v; run go test -update to create it", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("patterntest: %s differs from the output; run go test -update to accept it, then review the diff\n--- %s\n%s\n--- got\n%s",
			path, path, want, got)
	}
}

// GoldenJSON is Golden of v as indented JSON: a Blueprint, a plan
// (provider.Changeset, or the plan document of package provider/deploy),
// a drift report.
func GoldenJSON(t testing.TB, name string, v any) {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("patterntest: %s: %v", name, err)
	}
	Golden(t, name, b.Bytes())
}

// matches reports whether got (decoded JSON) matches want (a Props
// member).
func matches(want, got any) bool {
	switch w := want.(type) {
	case Matcher:
		return w.Match(got)
	case Props:
		obj, ok := got.(map[string]any)
		if !ok {
			return w == nil
		}
		for k, wv := range w {
			if !matches(wv, obj[k]) {
				return false
			}
		}
		return true
	case []any:
		arr, ok := got.([]any)
		if !ok || len(arr) != len(w) {
			return false
		}
		for i := range w {
			if !matches(w[i], arr[i]) {
				return false
			}
		}
		return true
	}
	// A slice of another type (of Props, of strings) element by element.
	if raw, err := json.Marshal(want); err == nil {
		var wj any
		if json.Unmarshal(raw, &wj) == nil {
			if arr, ok := wj.([]any); ok {
				if elems, ok := asAnySlice(want); ok {
					return matches(elems, got)
				}
				return matches(arr, got)
			}
			gotRaw, _ := json.Marshal(got)
			wantRaw, _ := json.Marshal(wj)
			return bytes.Equal(gotRaw, wantRaw)
		}
	}
	return false
}

// asAnySlice returns the elements of a []Props as []any, so that each
// keeps its subset matching.
func asAnySlice(v any) ([]any, bool) {
	ps, ok := v.([]Props)
	if !ok {
		return nil, false
	}
	out := make([]any, len(ps))
	for i, p := range ps {
		out[i] = p
	}
	return out, true
}

// spec returns r's spec decoded from JSON.
func spec(r blueprint.Resource) any {
	raw, err := json.Marshal(r.Spec())
	if err != nil {
		return nil
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	return v
}

func show(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}

func ids(rs []blueprint.Resource) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return strings.Join(out, ", ")
}

// listing shows each resource of kind k with its spec, a line each.
func listing(bp *blueprint.Blueprint, k blueprint.Kind) string {
	var b strings.Builder
	for _, r := range bp.OfKind(k) {
		fmt.Fprintf(&b, "  %s %s\n", r.ID, show(r.Spec()))
	}
	if b.Len() == 0 {
		return "  (none)\n"
	}
	return b.String()
}
