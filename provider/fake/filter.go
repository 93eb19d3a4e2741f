package fake

import (
	"slices"
	"strings"

	"github.com/archkit/archkit/pattern/blueprint"
)

// tagFilter maps tag keys to filter values with AWS's meaning: '*' matches
// any run of characters, '?' exactly one, '\' escapes the next one (EC2
// API reference, Filter). All keys must match.
type tagFilter map[string]string

// describe returns the stored resources of kind k whose tags match f, in
// id order: what a cloud's Describe call with tag filters answers. Like
// the cloud, it matches patterns, not values: callers compare exactly.
func (d *Driver) describe(k blueprint.Kind, f tagFilter) []*entry {
	var out []*entry
	for _, e := range d.idx.byKind[k].all() {
		ok := true
		for key, pattern := range f {
			v, has := e.tags[key]
			if !has || !filterMatch(pattern, v) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b *entry) int { return compareIDs(a.id, b.id) })
	return out
}

// filterEscaper escapes a filter value's wildcards. Built once: a
// Replacer builds its tables at its first use, and one per call made
// half of the allocations of an apply.
var filterEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`)

// escapeFilter escapes '*', '?' and '\' so that a filter value means
// itself.
func escapeFilter(v string) string {
	return filterEscaper.Replace(v)
}

// filterMatch reports whether value matches pattern, with AWS's filter
// wildcards: "s*" matches "shop", "sh?p" matches "shop", `s\*` only "s*".
func filterMatch(pattern, value string) bool {
	if pattern == "" {
		return value == ""
	}
	c := pattern[0]
	switch {
	case c == '*':
		for i := 0; i <= len(value); i++ {
			if filterMatch(pattern[1:], value[i:]) {
				return true
			}
		}
		return false
	case c == '?':
		return value != "" && filterMatch(pattern[1:], value[1:])
	case c == '\\' && len(pattern) > 1:
		c, pattern = pattern[1], pattern[1:]
	}
	return value != "" && value[0] == c && filterMatch(pattern[1:], value[1:])
}
