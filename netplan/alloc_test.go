package netplan_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/archkit/archkit/netplan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go4.org/netipx"
)

var mp = netip.MustParsePrefix

// threeTierRequests are the tiers of seed 000: web (public), app and db,
// in two zones, one /24 each.
func threeTierRequests(zones ...string) []netplan.Request {
	return []netplan.Request{
		{Name: "web", Bits: 24, Zones: zones},
		{Name: "app", Bits: 24, Zones: zones},
		{Name: "db", Bits: 24, Zones: zones},
	}
}

func allocStrings(as []netplan.Allocation) []string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return s
}

func prefixStrings(ps []netip.Prefix) []string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return s
}

// assertPlanValid checks the invariants every plan keeps, with netipx as
// the oracle: every subnet inside the parent, aligned, no two overlapping,
// Free exactly the rest of the parent as maximal blocks, Subnets and Free
// sorted.
func assertPlanValid(t testing.TB, plan *netplan.Plan) {
	t.Helper()
	var used netipx.IPSetBuilder
	keys := map[netplan.Key]bool{}
	for _, a := range plan.Subnets {
		p := a.Prefix
		require.True(t, p.IsValid(), "%s invalid", a)
		require.Equal(t, p.Masked(), p, "%s not aligned", a)
		require.True(t, plan.Parent.Bits() <= p.Bits() && plan.Parent.Contains(p.Addr()), "%s outside %s", a, plan.Parent)
		set, err := used.IPSet()
		require.NoError(t, err)
		require.False(t, set.OverlapsPrefix(p), "%s overlaps another subnet", a)
		used.AddPrefix(p)
		require.False(t, keys[a.Key()], "%s twice", a.Key())
		keys[a.Key()] = true
		got, ok := plan.Get(a.Key())
		require.True(t, ok)
		require.Equal(t, a, got)
	}
	require.True(t, slices.IsSortedFunc(plan.Subnets, func(x, y netplan.Allocation) int { return x.Prefix.Addr().Compare(y.Prefix.Addr()) }))
	var free netipx.IPSetBuilder
	free.AddPrefix(plan.Parent)
	usedSet, err := used.IPSet()
	require.NoError(t, err)
	free.RemoveSet(usedSet)
	freeSet, err := free.IPSet()
	require.NoError(t, err)
	require.Equal(t, prefixStrings(freeSet.Prefixes()), prefixStrings(plan.Free), "free blocks")
}

func TestAllocateThreeTier(t *testing.T) {
	t.Parallel()
	plan, err := netplan.NewPlanner(mp("10.0.0.0/16"), netplan.AWS).Allocate(threeTierRequests("a", "b"))
	require.NoError(t, err)
	assertPlanValid(t, plan)
	assert.Equal(t, []string{
		"web/a 10.0.0.0/24", "web/b 10.0.1.0/24", "app/a 10.0.2.0/24",
		"app/b 10.0.3.0/24", "db/a 10.0.4.0/24", "db/b 10.0.5.0/24",
	}, allocStrings(plan.Subnets))
	assert.Equal(t, []string{"10.0.6.0/23", "10.0.8.0/21", "10.0.16.0/20", "10.0.32.0/19", "10.0.64.0/18", "10.0.128.0/17"},
		prefixStrings(plan.Free))
	assert.Equal(t, netplan.AWS, plan.Profile)
	got, ok := plan.Lookup("db", "b")
	require.True(t, ok)
	assert.Equal(t, mp("10.0.5.0/24"), got)
	_, ok = plan.Lookup("db", "c")
	assert.False(t, ok)
	assert.Equal(t, "NAME  ZONE  CIDR         USABLE\n"+
		"web   a     10.0.0.0/24  251\n"+
		"web   b     10.0.1.0/24  251\n"+
		"app   a     10.0.2.0/24  251\n"+
		"app   b     10.0.3.0/24  251\n"+
		"db    a     10.0.4.0/24  251\n"+
		"db    b     10.0.5.0/24  251\n", plan.Table())
}

func TestAllocateBySize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		profile netplan.Profile
		parent  string
		req     netplan.Request
		want    string
	}{
		{"aws 100 hosts 50% headroom", netplan.AWS, "10.0.0.0/16", netplan.Request{Name: "web", Hosts: 100, Headroom: 50}, "10.0.0.0/24"},
		{"aws 251 hosts", netplan.AWS, "10.0.0.0/16", netplan.Request{Name: "web", Hosts: 251}, "10.0.0.0/24"},
		{"aws 252 hosts", netplan.AWS, "10.0.0.0/16", netplan.Request{Name: "web", Hosts: 252}, "10.0.0.0/23"},
		{"aws 3 hosts raised to /28", netplan.AWS, "10.0.0.0/16", netplan.Request{Name: "nat", Hosts: 3}, "10.0.0.0/28"},
		{"outscale 3 hosts", netplan.Outscale, "10.0.0.0/16", netplan.Request{Name: "nat", Hosts: 3}, "10.0.0.0/29"},
		{"generic 2 hosts", netplan.Generic, "10.0.0.0/16", netplan.Request{Name: "p2p", Hosts: 2}, "10.0.0.0/30"},
		{"zero profile is generic", netplan.Profile{}, "10.0.0.0/16", netplan.Request{Name: "p2p", Hosts: 2}, "10.0.0.0/30"},
		{"bits and hosts", netplan.AWS, "10.0.0.0/16", netplan.Request{Name: "web", Bits: 22, Hosts: 100}, "10.0.0.0/22"},
		{"aws ipv6 hosts", netplan.AWS, "2600:1f18:0:100::/56", netplan.Request{Name: "web", Hosts: 1000}, "2600:1f18:0:100::/64"},
		{"generic ipv6 hosts", netplan.Generic, "fd00::/48", netplan.Request{Name: "web", Hosts: 1000}, "fd00::/118"},
		{"generic ipv6 huge", netplan.Generic, "fd00::/48", netplan.Request{Name: "web", Hosts: 1 << 62, Headroom: 1000}, "fd00::/62"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan, err := netplan.NewPlanner(mp(tc.parent), tc.profile).Allocate([]netplan.Request{tc.req})
			require.NoError(t, err)
			assertPlanValid(t, plan)
			require.Len(t, plan.Subnets, 1)
			assert.Equal(t, tc.want, plan.Subnets[0].Prefix.String())
			want := hostsWithHeadroom(tc.req.Hosts, tc.req.Headroom)
			assert.GreaterOrEqual(t, plan.Profile.Usable(plan.Subnets[0].Prefix), want, "usable addresses hold the hosts")
		})
	}
}

func TestAllocateLargestFirst(t *testing.T) {
	t.Parallel()
	// A small request first in the list must not fragment the space for
	// the large ones: /26 + /25 + /26 fill a /24 exactly.
	plan, err := netplan.NewPlanner(mp("10.0.0.0/24"), netplan.Generic).Allocate([]netplan.Request{
		{Name: "small", Bits: 26}, {Name: "big", Bits: 25}, {Name: "small2", Bits: 26},
	})
	require.NoError(t, err)
	assertPlanValid(t, plan)
	assert.Equal(t, []string{"big 10.0.0.0/25", "small 10.0.0.128/26", "small2 10.0.0.192/26"}, allocStrings(plan.Subnets))
	assert.Empty(t, plan.Free)
}

func TestAllocateStable(t *testing.T) {
	t.Parallel()
	parent := mp("10.0.0.0/16")
	first, err := netplan.NewPlanner(parent, netplan.AWS).Allocate(threeTierRequests("a", "b"))
	require.NoError(t, err)

	// Add a zone and a tier, in a different order: nothing moves.
	reqs := append([]netplan.Request{{Name: "cache", Bits: 26, Zones: []string{"a", "b", "c"}}}, threeTierRequests("c", "b", "a")...)
	second, err := netplan.NewPlanner(parent, netplan.AWS, first.Subnets...).Allocate(reqs)
	require.NoError(t, err)
	assertPlanValid(t, second)
	for _, a := range first.Subnets {
		got, ok := second.Get(a.Key())
		require.True(t, ok)
		assert.Equal(t, a, got, "%s moved", a.Key())
	}
	assert.Len(t, second.Subnets, 12)
	assert.Empty(t, second.Released)
	assert.Empty(t, second.Mismatches)

	// Remove app: its space is freed, nothing else moves.
	var noApp []netplan.Request
	for _, r := range reqs {
		if r.Name != "app" {
			noApp = append(noApp, r)
		}
	}
	third, err := netplan.NewPlanner(parent, netplan.AWS, second.Subnets...).Allocate(noApp)
	require.NoError(t, err)
	assertPlanValid(t, third)
	for _, a := range second.Subnets {
		got, ok := third.Get(a.Key())
		if a.Name == "app" {
			assert.False(t, ok)
			continue
		}
		assert.Equal(t, a, got)
	}
	assert.Equal(t, []string{"app/a 10.0.2.0/24", "app/b 10.0.3.0/24", "app/c 10.0.7.0/24"}, allocStrings(third.Released))

	// A new tier reuses the freed space, best fit: the /24 left by app/c
	// rather than splitting the /23 left by app/a and app/b.
	fourth, err := netplan.NewPlanner(parent, netplan.AWS, third.Subnets...).Allocate(append(noApp, netplan.Request{Name: "queue", Bits: 24}))
	require.NoError(t, err)
	q, _ := fourth.Lookup("queue", "")
	assert.Equal(t, "10.0.7.0/24", q.String())
}

func TestAllocateMismatchKept(t *testing.T) {
	t.Parallel()
	pinned := []netplan.Allocation{{Name: "web", Zone: "a", Prefix: mp("10.0.0.0/25")}}
	plan, err := netplan.NewPlanner(mp("10.0.0.0/16"), netplan.AWS, pinned...).Allocate([]netplan.Request{{Name: "web", Bits: 24, Zones: []string{"a", "b"}}})
	require.NoError(t, err)
	assertPlanValid(t, plan)
	assert.Equal(t, []string{"web/a 10.0.0.0/25", "web/b 10.0.1.0/24"}, allocStrings(plan.Subnets))
	require.Len(t, plan.Mismatches, 1)
	assert.Equal(t, "web/a: pinned 10.0.0.0/25 kept, request asks for /24", plan.Mismatches[0].String())
}

func TestAllocateNoSpace(t *testing.T) {
	t.Parallel()
	plan, err := netplan.NewPlanner(mp("10.0.0.0/22"), netplan.AWS).Allocate([]netplan.Request{{Name: "web", Bits: 24, Zones: []string{"a", "b", "c", "d", "e"}}})
	require.ErrorIs(t, err, netplan.ErrNoSpace)
	assert.Nil(t, plan)
	var ns *netplan.NoSpaceError
	require.ErrorAs(t, err, &ns)
	assert.Equal(t, netplan.Key{Name: "web", Zone: "e"}, ns.Request)
	assert.Equal(t, uint64(1280), ns.Needed)
	assert.Equal(t, uint64(1024), ns.Available)
	assert.False(t, ns.LargestFree.IsValid())
	assert.Equal(t, "netplan: web/e: /24: no space left in 10.0.0.0/22: requests need 1280 addresses, 1024 are free, largest free block none; use a shorter parent prefix or smaller subnets", err.Error())

	// Fragmented by pinned subnets: 128 addresses free, but no /25.
	pinned := []netplan.Allocation{{Name: "a", Prefix: mp("10.0.0.64/26")}, {Name: "b", Prefix: mp("10.0.0.192/26")}}
	_, err = netplan.NewPlanner(mp("10.0.0.0/24"), netplan.Generic, pinned...).Allocate([]netplan.Request{{Name: "a", Bits: 26}, {Name: "b", Bits: 26}, {Name: "c", Bits: 25}})
	require.ErrorAs(t, err, &ns)
	assert.Equal(t, uint64(128), ns.Needed)
	assert.Equal(t, uint64(128), ns.Available)
	assert.Equal(t, mp("10.0.0.0/26"), ns.LargestFree)

	// Larger than the parent.
	_, err = netplan.NewPlanner(mp("10.0.0.0/16"), netplan.Generic).Allocate([]netplan.Request{{Name: "big", Bits: 12}})
	require.ErrorAs(t, err, &ns)
	assert.Equal(t, mp("10.0.0.0/16"), ns.LargestFree)
}

func TestAllocateErrors(t *testing.T) {
	t.Parallel()
	parent := mp("10.0.0.0/16")
	tests := []struct {
		name    string
		parent  netip.Prefix
		profile netplan.Profile
		pinned  []netplan.Allocation
		reqs    []netplan.Request
		wantErr []error  // every sentinel that must match
		wantMsg []string // every line that must appear
	}{
		{name: "no parent", reqs: []netplan.Request{{Name: "web", Bits: 24}},
			wantErr: []error{netplan.ErrInvalid}, wantMsg: []string{`netplan: parent: missing or invalid prefix; set a prefix such as "10.0.0.0/16"`}},
		{name: "parent host bits", parent: netip.MustParsePrefix("10.0.0.1/16"), reqs: []netplan.Request{{Name: "web", Bits: 24}},
			wantErr: []error{netplan.ErrInvalid}, wantMsg: []string{"netplan: parent: 10.0.0.1/16: host bits set; did you mean 10.0.0.0/16?"}},
		{name: "parent out of bounds", parent: mp("10.0.0.0/12"), profile: netplan.AWS, reqs: []netplan.Request{{Name: "web", Bits: 24}},
			wantErr: []error{netplan.ErrOutOfBounds}, wantMsg: []string{"netplan: parent: 10.0.0.0/12: prefix length /12 outside aws net bounds /16-/28; use a /16 or longer"}},
		{name: "outscale ipv6", parent: mp("fd00::/56"), profile: netplan.Outscale, reqs: []netplan.Request{{Name: "web", Bits: 64}},
			wantErr: []error{netplan.ErrOutOfBounds}, wantMsg: []string{
				"netplan: parent: fd00::/56: outscale has no ipv6 net; use an ipv4 prefix or another profile",
				"netplan: requests[0].bits: 64: outscale has no ipv6 subnet; use an ipv4 prefix or another profile",
			}},
		{name: "everything wrong at once", parent: parent, profile: netplan.AWS, reqs: []netplan.Request{
			{Name: "", Bits: 24},
			{Name: "web", Bits: -1},
			{Name: "app"},
			{Name: "db", Bits: 29},
			{Name: "web", Bits: 24, Zones: []string{"a", "a", ""}},
			{Name: "big", Hosts: 100000},
			{Name: "x/y", Bits: 24},
			{Name: "v6", Bits: 64},
			{Name: "hr", Hosts: 10, Headroom: -5},
			{Name: "tight", Bits: 28, Hosts: 20},
		}, wantErr: []error{netplan.ErrInvalid, netplan.ErrOutOfBounds, netplan.ErrDuplicate}, wantMsg: []string{
			`netplan: requests[0].name: empty name; set a name such as "web"`,
			"netplan: requests[1].bits: -1: negative prefix length; set a prefix length such as 24, or 0 to size by hosts",
			"netplan: requests[2]: neither bits nor hosts set; set bits (a prefix length) or hosts (usable addresses needed)",
			"netplan: requests[3].bits: 29: prefix length /29 outside aws subnet bounds /16-/28; use a /28 or shorter",
			"netplan: requests[4].zones[1]: web/a: already requested by requests[4]; use another name or zone",
			"netplan: requests[4].zones[2]: empty name",
			"netplan: requests[5].hosts: 100000: 100000 hosts with 0% headroom need a /15, outside aws subnet bounds /16-/28; lower hosts or split the request",
			`netplan: requests[6].name: "x/y": names may not contain '/', spaces or control characters`,
			"netplan: requests[7].bits: 64: prefix length /64 longer than the /32 of the parent's family; use at most 32",
			"netplan: requests[8].headroom: -5: headroom outside 0-1000 percent",
			"netplan: requests[9].bits: 28: a /28 holds 11 usable addresses, fewer than 20 hosts with 0% headroom; use a /27 or shorter, or set bits to 0",
		}},
		{name: "duplicate name without zones", parent: parent, reqs: []netplan.Request{{Name: "web", Bits: 24}, {Name: "web", Bits: 25}},
			wantErr: []error{netplan.ErrDuplicate}, wantMsg: []string{"netplan: requests[1].name: web: already requested by requests[0]; use another name or zone"}},
		{name: "pinned problems", parent: parent, profile: netplan.AWS, pinned: []netplan.Allocation{
			{Name: "web", Zone: "a", Prefix: mp("10.1.0.0/24")},
			{Name: "web", Zone: "b", Prefix: mp("10.0.0.0/23")},
			{Name: "app", Zone: "a", Prefix: mp("10.0.1.0/24")},
			{Name: "app", Zone: "a", Prefix: mp("10.0.9.0/24")},
			{Name: "db", Prefix: mp("fd00::/64")},
			{Name: "", Prefix: mp("10.0.20.0/24")},
			{Name: "q", Prefix: netip.MustParsePrefix("10.0.30.1/24")},
			{Name: "old", Prefix: mp("10.0.0.128/25")},
		}, reqs: threeTierRequests("a", "b"),
			wantErr: []error{netplan.ErrOutOfBounds, netplan.ErrOverlap, netplan.ErrDuplicate, netplan.ErrInvalid}, wantMsg: []string{
				"netplan: pinned[0].prefix: 10.1.0.0/24: outside the parent 10.0.0.0/16; drop it or use the parent it was allocated from",
				"netplan: pinned[2].prefix: 10.0.1.0/24: overlaps pinned[1] web/b 10.0.0.0/23; pin each address once",
				"netplan: pinned[7].prefix: 10.0.0.128/25: overlaps pinned[1] web/b 10.0.0.0/23; pin each address once",
				"netplan: pinned[3]: app/a: already pinned by pinned[2]; pin each name and zone once",
				"netplan: pinned[4].prefix: fd00::/64: address family differs from the parent 10.0.0.0/16",
				"netplan: pinned[5].name: empty name",
				"netplan: pinned[6].prefix: 10.0.30.1/24: host bits set; did you mean 10.0.30.0/24?",
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := netplan.Planner{Parent: tc.parent, Profile: tc.profile, Pinned: tc.pinned}
			plan, err := p.Allocate(tc.reqs)
			require.Error(t, err)
			assert.Nil(t, plan, "nothing is allocated on error")
			for _, want := range tc.wantErr {
				assert.ErrorIs(t, err, want)
			}
			for _, want := range tc.wantMsg {
				assert.Contains(t, err.Error(), want)
			}
			if u, ok := err.(interface{ Unwrap() []error }); ok {
				assert.Len(t, u.Unwrap(), len(tc.wantMsg), "one error per problem:\n%v", err)
			}
		})
	}
	var nilPlanner *netplan.Planner
	_, err := nilPlanner.Allocate(nil)
	assert.ErrorIs(t, err, netplan.ErrInvalid)
}

func TestPlanNil(t *testing.T) {
	t.Parallel()
	var p *netplan.Plan
	_, ok := p.Lookup("web", "")
	assert.False(t, ok)
	assert.Equal(t, "NAME  ZONE  CIDR  USABLE\n", p.Table())
	// A Plan built by hand has no index: Get still works.
	hand := &netplan.Plan{Subnets: []netplan.Allocation{{Name: "web", Prefix: mp("10.0.0.0/24")}}}
	got, ok := hand.Lookup("web", "")
	assert.True(t, ok)
	assert.Equal(t, mp("10.0.0.0/24"), got)
}

func TestAllocateEmptyAndJSON(t *testing.T) {
	t.Parallel()
	plan, err := netplan.NewPlanner(mp("10.0.0.0/16"), netplan.AWS, netplan.Allocation{Name: "gone", Prefix: mp("10.0.0.0/24")}).Allocate(nil)
	require.NoError(t, err)
	assert.Empty(t, plan.Subnets)
	assert.Equal(t, []string{"10.0.0.0/16"}, prefixStrings(plan.Free))
	assert.Equal(t, []string{"gone 10.0.0.0/24"}, allocStrings(plan.Released))

	a, err := netplan.NewPlanner(mp("10.0.0.0/16"), netplan.AWS).Allocate(threeTierRequests("a", "b"))
	require.NoError(t, err)
	b, err := netplan.NewPlanner(mp("10.0.0.0/16"), netplan.AWS).Allocate(threeTierRequests("a", "b"))
	require.NoError(t, err)
	ja, err := json.Marshal(a)
	require.NoError(t, err)
	jb, err := json.Marshal(b)
	require.NoError(t, err)
	assert.Equal(t, string(ja), string(jb), "deterministic")
	assert.Contains(t, string(ja), `{"name":"web","zone":"a","prefix":"10.0.0.0/24"}`)
}

func TestAllocateNets(t *testing.T) {
	t.Parallel()
	super := mp("10.0.0.0/8")
	reqs := []netplan.NetRequest{{Name: "prod", Bits: 16}, {Name: "staging", Bits: 20}, {Name: "dr", Bits: 16}}
	plan, err := netplan.AllocateNets(super, netplan.AWS, reqs)
	require.NoError(t, err)
	assertPlanValid(t, plan)
	assert.Equal(t, []string{"prod 10.0.0.0/16", "dr 10.1.0.0/16", "staging 10.2.0.0/20"}, allocStrings(plan.Subnets))
	assert.Contains(t, plan.Table(), "prod     -     10.0.0.0/16  65536")

	// Adding a region moves nothing.
	more, err := netplan.AllocateNets(super, netplan.AWS, append(reqs, netplan.NetRequest{Name: "us", Bits: 16}), plan.Subnets...)
	require.NoError(t, err)
	for _, a := range plan.Subnets {
		got, ok := more.Get(a.Key())
		require.True(t, ok)
		assert.Equal(t, a, got)
	}
	us, _ := more.Lookup("us", "")
	assert.Equal(t, "10.3.0.0/16", us.String())

	_, err = netplan.AllocateNets(super, netplan.AWS, []netplan.NetRequest{{Name: "prod", Bits: 12}, {Name: "prod", Bits: 16}, {Name: "x", Bits: 40}})
	require.Error(t, err)
	assert.ErrorIs(t, err, netplan.ErrOutOfBounds)
	assert.ErrorIs(t, err, netplan.ErrDuplicate)
	assert.ErrorIs(t, err, netplan.ErrInvalid)
	assert.Contains(t, err.Error(), "netplan: nets[0].bits: 12: prefix length /12 outside aws net bounds /16-/28; use a /16 or longer")

	_, err = netplan.AllocateNets(mp("10.0.0.0/15"), netplan.AWS, []netplan.NetRequest{{Name: "a", Bits: 16}, {Name: "b", Bits: 16}, {Name: "c", Bits: 16}})
	assert.ErrorIs(t, err, netplan.ErrNoSpace)
	_, err = netplan.AllocateNets(netip.Prefix{}, netplan.AWS, nil)
	assert.ErrorIs(t, err, netplan.ErrInvalid)
}

// randomRequests returns n requests of random sizes between minBits and
// maxBits, some by hosts, some with zones.
func randomRequests(rng *rand.Rand, n, minBits, maxBits, bitLen int, prefix string) []netplan.Request {
	reqs := make([]netplan.Request, n)
	for i := range reqs {
		r := netplan.Request{Name: fmt.Sprintf("%s%d", prefix, i)}
		b := minBits + rng.IntN(maxBits-minBits+1)
		if rng.IntN(3) == 0 {
			r.Hosts = 1 + rng.IntN(1<<min(62, bitLen-b))
			r.Headroom = rng.IntN(60)
		} else {
			r.Bits = b
		}
		for z := range rng.IntN(4) {
			r.Zones = append(r.Zones, string(rune('a'+z)))
		}
		reqs[i] = r
	}
	return reqs
}

// hostsWithHeadroom returns hosts + ceil(hosts*headroom/100), saturating.
func hostsWithHeadroom(hosts, headroom int) uint64 {
	h := big.NewInt(int64(hosts))
	extra := new(big.Int).Mul(h, big.NewInt(int64(headroom)))
	extra.Add(extra, big.NewInt(99)).Quo(extra, big.NewInt(100))
	h.Add(h, extra)
	if !h.IsUint64() {
		return math.MaxUint64
	}
	return h.Uint64()
}

func TestAllocateProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 300 {
		var parent netip.Prefix
		var profile netplan.Profile
		var reqs []netplan.Request
		var maxBits int
		if iter%2 == 0 {
			parent = netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(rng.IntN(256)), 0, 0}), 16+rng.IntN(4)).Masked()
			profile = []netplan.Profile{netplan.AWS, netplan.Outscale, netplan.Generic}[rng.IntN(3)]
			maxBits = profile.SubnetPrefix.Max
		} else {
			parent = netip.PrefixFrom(netip.AddrFrom16([16]byte{0xfd, byte(rng.IntN(256))}), 44+rng.IntN(8)).Masked()
			profile = netplan.Generic
			maxBits = 72
		}
		reqs = randomRequests(rng, 1+rng.IntN(12), parent.Bits()+2, maxBits, parent.Addr().BitLen(), "t")
		t.Run(fmt.Sprint(iter), func(t *testing.T) {
			plan, err := netplan.NewPlanner(parent, profile).Allocate(reqs)
			if err != nil {
				var ns *netplan.NoSpaceError
				require.ErrorAs(t, err, &ns, "only running out of space may fail")
				if ns.Available < math.MaxUint64 {
					require.Greater(t, ns.Needed, ns.Available, "without pinned subnets, requests that add up to the parent always fit")
				}
				return
			}
			assertPlanValid(t, plan)
			want := 0
			for _, r := range reqs {
				want += max(1, len(r.Zones))
				zones := r.Zones
				if len(zones) == 0 {
					zones = []string{""}
				}
				for _, z := range zones {
					got, ok := plan.Lookup(r.Name, z)
					require.True(t, ok)
					if r.Bits > 0 {
						assert.Equal(t, r.Bits, got.Bits(), "asked size")
					}
					if r.Hosts > 0 {
						need := hostsWithHeadroom(r.Hosts, r.Headroom)
						assert.GreaterOrEqual(t, profile.Usable(got), need, "%s/%s %s holds the hosts", r.Name, z, got)
						if got.Bits() < maxBits {
							assert.Less(t, profile.Usable(netip.PrefixFrom(got.Addr(), got.Bits()+1)), need, "and is the smallest that does")
						}
					}
				}
			}
			assert.Len(t, plan.Subnets, want)

			// Extend: add zones and requests; old keys keep their prefixes.
			ext := slices.Clone(reqs)
			for i := range ext {
				if len(ext[i].Zones) > 0 && rng.IntN(2) == 0 {
					ext[i].Zones = append(slices.Clone(ext[i].Zones), "z")
				}
			}
			ext = append(ext, randomRequests(rng, rng.IntN(4), parent.Bits()+3, min(parent.Bits()+12, maxBits), parent.Addr().BitLen(), "n")...)
			rng.Shuffle(len(ext), func(i, j int) { ext[i], ext[j] = ext[j], ext[i] })
			plan2, err := netplan.NewPlanner(parent, profile, plan.Subnets...).Allocate(ext)
			if err != nil {
				require.ErrorIs(t, err, netplan.ErrNoSpace)
				return
			}
			assertPlanValid(t, plan2)
			for _, a := range plan.Subnets {
				got, ok := plan2.Get(a.Key())
				require.True(t, ok)
				require.Equal(t, a, got, "extension moved %s", a.Key())
			}

			// Remove some: the rest stays, the removed ones are released.
			var kept []netplan.Request
			for _, r := range ext {
				if rng.IntN(3) > 0 {
					kept = append(kept, r)
				}
			}
			plan3, err := netplan.NewPlanner(parent, profile, plan2.Subnets...).Allocate(kept)
			require.NoError(t, err, "removing never needs more space")
			assertPlanValid(t, plan3)
			assert.Len(t, plan3.Subnets, len(plan2.Subnets)-len(plan3.Released))
			for _, a := range plan3.Subnets {
				old, ok := plan2.Get(a.Key())
				require.True(t, ok)
				require.Equal(t, old, a, "removal moved %s", a.Key())
			}
		})
	}
}

func TestAllocateErrorsNeverPanic(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 7))
	parents := []netip.Prefix{{}, mp("10.0.0.0/16"), mp("fd00::/48"), netip.MustParsePrefix("10.0.0.1/8"), mp("0.0.0.0/0"), mp("::/0"), mp("10.0.0.0/32")}
	for range 500 {
		reqs := make([]netplan.Request, rng.IntN(5))
		for i := range reqs {
			reqs[i] = netplan.Request{Name: []string{"", "a", "b", "a/b"}[rng.IntN(4)], Bits: rng.IntN(140) - 5, Hosts: rng.IntN(1 << 20), Headroom: rng.IntN(1200) - 100}
		}
		var pinned []netplan.Allocation
		for range rng.IntN(3) {
			pinned = append(pinned, netplan.Allocation{Name: "a", Prefix: parents[rng.IntN(len(parents))]})
		}
		prof := netplan.Profiles()[rng.IntN(3)]
		plan, err := netplan.NewPlanner(parents[rng.IntN(len(parents))], prof, pinned...).Allocate(reqs)
		if err != nil {
			assert.Nil(t, plan)
			assert.True(t, strings.HasPrefix(err.Error(), "netplan: "), err.Error())
			assert.True(t, errors.Is(err, netplan.ErrInvalid) || errors.Is(err, netplan.ErrOutOfBounds) || errors.Is(err, netplan.ErrNoSpace) ||
				errors.Is(err, netplan.ErrDuplicate) || errors.Is(err, netplan.ErrOverlap), err.Error())
			continue
		}
		assertPlanValid(t, plan)
	}
}

func TestAllocateFragmented(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	parent := mp("10.0.0.0/16")
	// Pin a random half of the /24s: the free space is many lone /24s and
	// a few larger blocks.
	var pinned []netplan.Allocation
	var freeSingles []string // free /24s whose buddy is pinned
	taken := make([]bool, 256)
	for i := range 256 {
		taken[i] = rng.IntN(2) == 0
	}
	for i := range 256 {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, byte(i), 0}), 24)
		if taken[i] {
			pinned = append(pinned, netplan.Allocation{Name: "p" + fmt.Sprint(i), Prefix: p})
		} else if taken[i^1] {
			freeSingles = append(freeSingles, p.String())
		}
	}
	reqs := make([]netplan.Request, 0, len(pinned)+len(freeSingles))
	for _, a := range pinned {
		reqs = append(reqs, netplan.Request{Name: a.Name, Bits: 24})
	}
	for i := range freeSingles {
		reqs = append(reqs, netplan.Request{Name: fmt.Sprintf("n%03d", i), Bits: 24})
	}
	plan, err := netplan.NewPlanner(parent, netplan.AWS, pinned...).Allocate(reqs)
	require.NoError(t, err)
	assertPlanValid(t, plan)
	// Best fit fills the lone /24s, lowest address first, before splitting
	// any larger block.
	for i, want := range freeSingles {
		got, ok := plan.Lookup(fmt.Sprintf("n%03d", i), "")
		require.True(t, ok)
		assert.Equal(t, want, got.String())
	}
	for _, a := range pinned {
		got, _ := plan.Lookup(a.Name, "")
		assert.Equal(t, a.Prefix, got)
	}
}

func TestKey(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "web/a", netplan.Key{Name: "web", Zone: "a"}.String())
	assert.Equal(t, "web", netplan.Key{Name: "web"}.String())
	keys := []netplan.Key{{"web", "b"}, {"app", ""}, {"web", "a"}, {"app", "a"}}
	slices.SortFunc(keys, netplan.CompareKey)
	assert.Equal(t, []netplan.Key{{"app", ""}, {"app", "a"}, {"web", "a"}, {"web", "b"}}, keys)
	a := netplan.Allocation{Name: "db", Zone: "b", Prefix: mp("10.0.5.0/24")}
	assert.Equal(t, netplan.Key{Name: "db", Zone: "b"}, a.Key())
}

// TestNoSpaceIPv6Figures gives the exact figures of IPv6 shortfalls, where
// the uint64 fields saturate: 257 /64 subnets in a /56 Net.
func TestNoSpaceIPv6Figures(t *testing.T) {
	t.Parallel()
	reqs := make([]netplan.Request, 257)
	for i := range reqs {
		reqs[i] = netplan.Request{Name: fmt.Sprintf("s%03d", i), Bits: 64}
	}
	_, err := netplan.NewPlanner(mp("2600:1f18:0:100::/56"), netplan.AWS).Allocate(reqs)
	var ns *netplan.NoSpaceError
	require.ErrorAs(t, err, &ns)
	assert.Equal(t, uint64(math.MaxUint64), ns.Needed, "the field saturates")
	assert.Equal(t, uint64(math.MaxUint64), ns.Available)
	assert.Equal(t, "netplan: s256: /64: no space left in 2600:1f18:0:100::/56: requests need 257*2^64 addresses, 2^72 are free, largest free block none; use a shorter parent prefix or smaller subnets", err.Error())
	assert.NotContains(t, err.Error(), "18446744073709551615")

	// pinned subnets taken out, odd multiples
	pinned := []netplan.Allocation{{Name: "old", Prefix: mp("fd00::/49")}}
	_, err = netplan.NewPlanner(mp("fd00::/48"), netplan.Generic, pinned...).Allocate([]netplan.Request{{Name: "old", Bits: 49}, {Name: "a", Bits: 50}, {Name: "b", Bits: 50}, {Name: "c", Bits: 64}})
	require.ErrorAs(t, err, &ns)
	assert.Contains(t, err.Error(), "requests need 32769*2^64 addresses, 2^79 are free")

	// a count that is no small multiple of a power of two is written out
	for _, c := range []struct {
		e    netplan.NoSpaceError
		want string
	}{
		{netplan.NoSpaceError{Needed: 5, Available: 3}, "requests need 5 addresses, 3 are free"},
		{netplan.NoSpaceError{Needed: 1 << 40, Available: 1<<40 + 1}, "requests need 2^40 addresses, 1099511627777 are free"},
	} {
		assert.Contains(t, c.e.Error(), c.want)
	}
}

func TestRequestFields(t *testing.T) {
	t.Parallel()
	reqs := []netplan.Request{
		{Name: "web", Bits: 12, Fields: netplan.RequestFields{Request: "tiers[0]", Bits: "tiers[0].subnet_bits"}},
		{Name: "app", Hosts: -1, Headroom: 2000, Zones: []string{"a", "a b"}, Fields: netplan.RequestFields{Request: "tiers[1]"}},
		{Name: "db"},
		{Name: "web", Bits: 24, Fields: netplan.RequestFields{Request: "tiers[3]", Name: "tiers[3].name"}},
	}
	_, err := netplan.NewPlanner(mp("10.0.0.0/16"), netplan.AWS).Allocate(reqs)
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	for _, want := range []string{
		"netplan: tiers[0].subnet_bits: 12: prefix length /12 outside aws subnet bounds /16-/28; use a /16 or longer",
		"netplan: tiers[1].hosts: -1: negative host count; set the number of hosts needed",
		"netplan: tiers[1].headroom: 2000: headroom outside 0-1000 percent; set a percentage from 0 to 1000",
		`netplan: tiers[1].zones[1]: "a b": names may not contain '/', spaces or control characters; use letters, digits, '-', '_' or '.'`,
		"netplan: requests[2]: neither bits nor hosts set; set bits (a prefix length) or hosts (usable addresses needed)",
		"netplan: tiers[3].name: web: already requested by tiers[0]; use another name or zone",
	} {
		assert.Contains(t, lines, want)
	}
	var fe *netplan.FieldError
	require.ErrorAs(t, err, &fe)
	// the fields never reach JSON
	b, err := json.Marshal(reqs[0])
	require.NoError(t, err)
	assert.Equal(t, `{"name":"web","bits":12}`, string(b))
}

// TestReleasedPins reports the pinned subnets no request names: a caller
// refuses those the user pinned for a tier that does not exist, and lets
// go of those read back from the cloud for a tier removed on purpose.
func TestReleasedPins(t *testing.T) {
	t.Parallel()
	pinned := []netplan.Allocation{
		{Name: "web", Zone: "a", Prefix: mp("10.0.0.0/24")},
		{Name: "wbe", Zone: "a", Prefix: mp("10.0.1.0/24")}, // a typo: no such request
		{Name: "cache", Zone: "a", Prefix: mp("10.0.2.0/24")},
	}
	plan, err := netplan.NewPlanner(mp("10.0.0.0/16"), netplan.AWS, pinned...).Allocate([]netplan.Request{
		{Name: "web", Bits: 24, Zones: []string{"a"}},
		{Name: "app", Bits: 23, Zones: []string{"a"}},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"wbe/a 10.0.1.0/24", "cache/a 10.0.2.0/24"}, allocStrings(plan.Released))
	// their space is free again: app's /23 takes it
	assert.Equal(t, []string{"web/a 10.0.0.0/24", "app/a 10.0.2.0/23"}, allocStrings(plan.Subnets))
}
