package provider_test

import (
	"testing"
	"time"

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

// BenchmarkApplyDefaults applies the three-tier pattern to a new fake
// with an engine of no options, as a user's first test does: the fake is
// a local driver, so the engine takes no rate limit and millisecond polls.
func BenchmarkApplyDefaults(b *testing.B) {
	bp := readyPatterns(b)["three-tier"]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := provider.NewEngine(fake.New()).Apply(b.Context(), bp); err != nil {
			b.Fatal(err)
		}
	}
}
