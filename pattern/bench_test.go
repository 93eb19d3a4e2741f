package pattern_test

import (
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// synthetic returns an architecture of n tiers in two zones: a public
// edge with a load balancer, then n-1 private tiers in a chain, each
// reaching the next on tcp/8080 and running a cluster, with one subnet of
// 16 addresses per tier per zone in a /16 (a /10 beyond 2,000 tiers).
func synthetic(n int) *pattern.Architecture {
	cidr := "10.0.0.0/16"
	if n > 2000 {
		cidr = "10.0.0.0/10"
	}
	a := pattern.New("bench", cidr)
	edge := tier.LoadBalancers("edge", netplan.Public)
	edge.Hosts = 11
	a.AddTier(edge)
	prev := ""
	for i := 1; i < n; i++ {
		name := fmt.Sprintf("t%d", i)
		t := tier.App(name)
		t.Hosts = 11
		a.AddTier(t)
		a.AddCluster(tier.NewCluster(name, "image", "t3.small"))
		if prev != "" {
			a.Connect(prev, name)
		}
		prev = name
	}
	a.AddLB(tier.PublicLB("front", "edge", "t1", 8080))
	return a
}

func TestSyntheticBuilds(t *testing.T) {
	t.Parallel()
	bp, err := synthetic(100).Build()
	require.NoError(t, err)
	require.Len(t, bp.OfKind(blueprint.KindSubnet), 200)
}

// BenchmarkBuild measures Build as the architecture grows: planning,
// two rule derivations, lint and the Blueprint.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		a := synthetic(n)
		b.Run(fmt.Sprintf("tiers=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Build(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuildGrowth builds 1,000 and 10,000 tiers in each iteration and
// reports the growth exponent of Build's time and allocated bytes between
// the two, log(x10000/x1000)/log(10): 1 is linear, 2 quadratic.
func BenchmarkBuildGrowth(b *testing.B) {
	small, large := synthetic(1000), synthetic(10000)
	build := func(a *pattern.Architecture) (time.Duration, uint64) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		t0 := time.Now()
		if _, err := a.Build(); err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		runtime.ReadMemStats(&after)
		return d, after.TotalAlloc - before.TotalAlloc
	}
	var ts, tl time.Duration
	var ms, ml uint64
	for b.Loop() {
		t, m := build(small)
		ts, ms = ts+t, ms+m
		t, m = build(large)
		tl, ml = tl+t, ml+m
	}
	b.ReportMetric(math.Log10(float64(tl)/float64(ts)), "time-exponent")
	b.ReportMetric(math.Log10(float64(ml)/float64(ms)), "alloc-exponent")
}
