package netplan_test

import (
	"fmt"
	"net/netip"
	"strconv"
	"testing"

	"github.com/archkit/archkit/netplan"
)

// benchRequests returns n single-subnet requests whose prefix lengths cycle
// through base, base+1, ..., base+spread-1.
func benchRequests(n, base, spread int) []netplan.Request {
	reqs := make([]netplan.Request, n)
	for i := range reqs {
		reqs[i] = netplan.Request{Name: "s" + strconv.Itoa(i), Bits: base + i%spread}
	}
	return reqs
}

// BenchmarkAllocate plans n subnets of mixed sizes: in an IPv4 /8 (/24 to
// /28) and in an IPv6 /48 (/64 to /71).
func BenchmarkAllocate(b *testing.B) {
	cases := []struct {
		family     string
		parent     netip.Prefix
		base, span int
	}{
		{"ipv4-slash8", netip.MustParsePrefix("10.0.0.0/8"), 24, 5},
		{"ipv6-slash48", netip.MustParsePrefix("fd00:1:2::/48"), 64, 8},
	}
	for _, c := range cases {
		for _, n := range []int{1_000, 10_000, 100_000} {
			reqs := benchRequests(n, c.base, c.span)
			planner := netplan.NewPlanner(c.parent, netplan.Generic)
			b.Run(fmt.Sprintf("%s/n=%d", c.family, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					plan, err := planner.Allocate(reqs)
					if err != nil {
						b.Fatal(err)
					}
					if len(plan.Subnets) != n {
						b.Fatalf("%d subnets, want %d", len(plan.Subnets), n)
					}
				}
			})
		}
	}
}

// BenchmarkAllocatePinned extends a plan of 10,000 pinned subnets by 1,000
// new ones, the stable-extension path.
func BenchmarkAllocatePinned(b *testing.B) {
	parent := netip.MustParsePrefix("10.0.0.0/8")
	reqs := benchRequests(11_000, 24, 5)
	first, err := netplan.NewPlanner(parent, netplan.Generic).Allocate(reqs[:10_000])
	if err != nil {
		b.Fatal(err)
	}
	planner := netplan.NewPlanner(parent, netplan.Generic, first.Subnets...)
	b.ReportAllocs()
	for b.Loop() {
		plan, err := planner.Allocate(reqs)
		if err != nil {
			b.Fatal(err)
		}
		if len(plan.Subnets) != len(reqs) {
			b.Fatalf("%d subnets", len(plan.Subnets))
		}
	}
}

func BenchmarkCIDRSubnets(b *testing.B) {
	p := netip.MustParsePrefix("fd00:fd12:3456:7890::/56")
	nb := make([]int, 256)
	for i := range nb {
		nb[i] = 8 + i%8
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := netplan.CIDRSubnets(p, nb...); err != nil {
			b.Fatal(err)
		}
	}
}
