package provider_test

import (
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/archkit/archkit/netplan"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
)

const benchLatency = 20 * time.Millisecond

// criticalPath returns the lower bound of any apply of bp on a driver with
// latency lat per call: the planning reads (the nets' List, then the
// other Lists in parallel) plus the longest dependency chain, where a
// resource costs one Create and, when asynchronous, the poll delay and the
// Reads until ready; or the total work divided by the parallelism, if
// larger.
func criticalPath(bp *blueprint.Blueprint, lat, poll time.Duration, pendingReads, parallelism int) time.Duration {
	cost := func(r *blueprint.Resource) time.Duration {
		switch r.Kind {
		case blueprint.KindNATGateway, blueprint.KindLoadBalancer, blueprint.KindDatabase:
			return lat + time.Duration(pendingReads)*(lat+poll)
		}
		return lat
	}
	finish := map[string]time.Duration{}
	var visit func(id string) time.Duration
	visit = func(id string) time.Duration {
		if f, ok := finish[id]; ok {
			return f
		}
		r, _ := bp.Resource(id)
		var start time.Duration
		deps := append(append([]string{}, r.DependsOn...), r.Dependencies()...)
		for _, d := range deps {
			start = max(start, visit(d))
		}
		finish[id] = start + cost(&r)
		return finish[id]
	}
	var longest, work time.Duration
	for _, r := range bp.Resources {
		longest = max(longest, visit(r.ID))
		work += cost(&r)
	}
	plan := 2 * lat // the nets, then the other kinds in parallel (Zones alongside)
	return plan + max(longest, work/time.Duration(parallelism))
}

// benchApply applies bp on a fake with benchLatency per call, with
// parallelism workers (0: the engine's default). rps 0 means
// no rate limit; otherwise the bound is also at least the time the token
// bucket needs for every call beyond the burst.
func benchApply(b *testing.B, bp *blueprint.Blueprint, parallelism int, rps float64) {
	const poll, burst = time.Millisecond, 10
	opts := func(o *provider.Options) {
		o.RateLimit = -1
		if rps > 0 {
			o.RateLimit, o.RateBurst = rps, burst
		}
		o.Parallelism = parallelism
		o.PollMin, o.PollMax = poll, poll
	}
	workers := parallelism
	if workers == 0 {
		workers = 16 // the engine's default (Options.Parallelism)
	}
	bound := criticalPath(bp, benchLatency, poll, 1, workers)
	b.ReportAllocs()
	var ratio float64
	var writes, noopWrites, noopLists, n int
	for b.Loop() {
		d := fake.New(func(o *fake.Options) { o.Latency = benchLatency; o.PendingReads = 1 })
		eng := provider.NewEngine(d, opts)
		res, err := eng.Apply(b.Context(), bp)
		if err != nil {
			b.Fatal(err)
		}
		lower := bound
		if rps > 0 {
			calls := res.ReadCalls + res.WriteCalls
			lower = max(lower, time.Duration(float64(calls-burst)/rps*float64(time.Second)))
		}
		ratio += float64(res.Makespan) / float64(lower)
		writes += res.WriteCalls
		d.SetLatency(0)
		d.ResetCalls()
		if _, err := eng.Apply(b.Context(), bp); err != nil {
			b.Fatal(err)
		}
		c := d.Counts()
		noopWrites += c.Writes
		noopLists = max(noopLists, c.ByOp[fake.OpList])
		n++
	}
	b.ReportMetric(ratio/float64(n), "makespan/critical")
	b.ReportMetric(float64(writes)/float64(n), "writes/apply")
	b.ReportMetric(float64(len(bp.Resources)), "resources")
	b.ReportMetric(float64(noopWrites)/float64(n), "noop-writes")
	b.ReportMetric(float64(noopLists), "noop-lists")
}

func BenchmarkApplyThreeTier(b *testing.B) {
	pats := readyPatterns(b)
	b.Run("pattern", func(b *testing.B) { benchApply(b, pats["three-tier"], 0, 0) })
	b.Run("pattern-webapp", func(b *testing.B) { benchApply(b, pats["web-app"], 0, 0) })
	b.Run("pattern/parallelism=8", func(b *testing.B) { benchApply(b, pats["three-tier"], 8, 0) })
	b.Run("unlimited", func(b *testing.B) { benchApply(b, threeTier("shop", "#!/bin/sh"), 8, 0) })
	b.Run("ratelimit=20", func(b *testing.B) { benchApply(b, threeTier("shop", "#!/bin/sh"), 8, 20) })
}

func BenchmarkApply100Tier(b *testing.B) {
	b.Run("default", func(b *testing.B) { benchApply(b, nTier("big", 100), 0, 0) })
	b.Run("parallelism=8", func(b *testing.B) { benchApply(b, nTier("big", 100), 8, 0) })
	b.Run("parallelism=1000", func(b *testing.B) { benchApply(b, nTier("big", 100), 1000, 0) })
}

func BenchmarkPlan100Tier(b *testing.B) {
	bp := nTier("big", 100)
	d := fake.New()
	eng := provider.NewEngine(d, func(o *provider.Options) { o.RateLimit = -1 })
	if _, err := eng.Apply(b.Context(), bp); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eng.Plan(b.Context(), bp); err != nil {
			b.Fatal(err)
		}
	}
}

// scaleFake is a fake without latency whose account quotas are lifted, so
// that thousands of tiers fit in it.
func scaleFake() *fake.Driver {
	return fake.New(func(o *fake.Options) { o.Profile = netplan.AWS; o.Profile.Quotas = netplan.Quotas{} })
}

// applyOnce applies bp to a new scaleFake with no rate limit and returns
// the time it took and the bytes it allocated.
func applyOnce(b *testing.B, bp *blueprint.Blueprint) (time.Duration, uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	eng := provider.NewEngine(scaleFake(), func(o *provider.Options) { o.RateLimit = -1 })
	if _, err := eng.Apply(b.Context(), bp); err != nil {
		b.Fatal(err)
	}
	d := time.Since(t0)
	runtime.ReadMemStats(&after)
	return d, after.TotalAlloc - before.TotalAlloc
}

// BenchmarkApplyScale applies n synthetic tiers (7 resources each) to the
// fake: the time and memory a unit test of a large estate waits for.
func BenchmarkApplyScale(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		bp := nTier("big", n)
		b.Run(fmt.Sprintf("tiers=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				applyOnce(b, bp)
			}
			b.ReportMetric(float64(len(bp.Resources)), "resources")
		})
	}
}

// BenchmarkApplyGrowth applies 100 and 1,000 tiers in each iteration and
// reports the growth exponents of time and allocated bytes between the
// two, log(x1000/x100)/log(10): 1 is linear, 2 quadratic.
func BenchmarkApplyGrowth(b *testing.B) {
	small, large := nTier("big", 100), nTier("big", 1000)
	var ts, tl time.Duration
	var ms, ml uint64
	for b.Loop() {
		t, m := applyOnce(b, small)
		ts, ms = ts+t, ms+m
		t, m = applyOnce(b, large)
		tl, ml = tl+t, ml+m
	}
	b.ReportMetric(math.Log10(float64(tl)/float64(ts)), "time-exponent")
	b.ReportMetric(math.Log10(float64(ml)/float64(ms)), "alloc-exponent")
	b.ReportMetric(float64(tl)/float64(b.N)/1e9, "s/apply-1000")
	b.ReportMetric(float64(ml)/float64(b.N)/1e6, "MB/apply-1000")
}
