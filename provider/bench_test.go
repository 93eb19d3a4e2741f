package provider_test

import (
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/ratelimit"
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

// limits selects the client-side rate limit of a benchmark's engine.
type limits int

const (
	unlimited    limits = iota // RateLimit -1
	cloudBuckets               // the default: the buckets of the fake's cloud
	flat20                     // the former default: 20 requests a second, burst 10, for every request
)

// benchApply applies bp on a fake (fakeOpts over benchLatency per call)
// with parallelism workers (0: the engine's default) and the rate limit
// lim, and reports the makespan over its lower bound: the critical path,
// or the least time the requests need to fit in their buckets
// (ratelimit.Limiter.Bound), whichever is larger.
func benchApply(b *testing.B, bp *blueprint.Blueprint, parallelism int, lim limits, fakeOpts ...func(*fake.Options)) {
	const poll = time.Millisecond
	workers := parallelism
	if workers == 0 {
		workers = 16 // the engine's default (Options.Parallelism)
	}
	critical := criticalPath(bp, benchLatency, poll, 1, workers)
	b.ReportAllocs()
	var ratio, makespan, bucket float64
	var writes, noopWrites, noopLists, n int
	for b.Loop() {
		d := fake.New(append([]func(*fake.Options){func(o *fake.Options) { o.Latency = benchLatency; o.PendingReads = 1 }}, fakeOpts...)...)
		l := limiter(d, lim)
		eng := provider.NewEngine(d, func(o *provider.Options) {
			o.RateLimit, o.Limiter = -1, l
			o.Parallelism, o.AllowFallback = parallelism, true
			o.PollMin, o.PollMax = poll, poll
		})
		res, err := eng.Apply(b.Context(), bp)
		if err != nil {
			b.Fatal(err)
		}
		bound := max(critical, l.Bound())
		ratio += float64(res.Makespan) / float64(bound)
		makespan += res.Makespan.Seconds()
		bucket += l.Bound().Seconds()
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
	b.ReportMetric(ratio/float64(n), "makespan/bound")
	b.ReportMetric(makespan/float64(n), "makespan-s")
	b.ReportMetric(bucket/float64(n), "bucket-bound-s")
	b.ReportMetric(critical.Seconds(), "critical-s")
	b.ReportMetric(float64(writes)/float64(n), "writes/apply")
	b.ReportMetric(float64(len(bp.Resources)), "resources")
	b.ReportMetric(float64(noopWrites)/float64(n), "noop-writes")
	b.ReportMetric(float64(noopLists), "noop-lists")
}

// limiter returns the limiter of lim for d: nil, the buckets of d's cloud,
// or one flat bucket.
func limiter(d *fake.Driver, lim limits) *ratelimit.Limiter {
	switch lim {
	case cloudBuckets:
		if d.Profile().Name == "outscale" {
			return ratelimit.New(ratelimit.Outscale)
		}
		return ratelimit.New(ratelimit.AWS)
	case flat20:
		return ratelimit.New(ratelimit.Flat(20, 10))
	}
	return nil
}

// outscaleThreeTier is the three-tier Net built for OUTSCALE.
func outscaleThreeTier(b *testing.B) *blueprint.Blueprint {
	bp, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "three", Profile: netplan.Outscale}).Build()
	if err != nil {
		b.Fatal(err)
	}
	return bp
}

func BenchmarkApplyThreeTier(b *testing.B) {
	pats := readyPatterns(b)
	b.Run("pattern", func(b *testing.B) { benchApply(b, pats["three-tier"], 0, unlimited) })
	b.Run("pattern-webapp", func(b *testing.B) { benchApply(b, pats["web-app"], 0, unlimited) })
	b.Run("pattern-vpn", func(b *testing.B) { benchApply(b, pats["three-tier-vpn"], 0, unlimited) })
	b.Run("pattern/parallelism=8", func(b *testing.B) { benchApply(b, pats["three-tier"], 8, unlimited) })
	b.Run("unlimited", func(b *testing.B) { benchApply(b, threeTier("shop", "#!/bin/sh"), 8, unlimited) })
	b.Run("flat20", func(b *testing.B) { benchApply(b, threeTier("shop", "#!/bin/sh"), 8, flat20) })
}

// BenchmarkApplyRateLimited applies with the engine's default limits, the
// buckets of the fake's cloud: AWS's for the ready patterns and 100 tiers,
// OUTSCALE's for its three-tier Net.
func BenchmarkApplyRateLimited(b *testing.B) {
	pats := readyPatterns(b)
	b.Run("aws-three-tier", func(b *testing.B) { benchApply(b, pats["three-tier"], 0, cloudBuckets) })
	b.Run("aws-web-app", func(b *testing.B) { benchApply(b, pats["web-app"], 0, cloudBuckets) })
	b.Run("aws-tiers=100", func(b *testing.B) { benchApply(b, nTier("big", 100), 0, cloudBuckets, liftQuotas) })
	b.Run("outscale-three-tier", func(b *testing.B) { benchApply(b, outscaleThreeTier(b), 0, cloudBuckets, fake.Outscale) })
	b.Run("aws-tiers=100-flat20", func(b *testing.B) { benchApply(b, nTier("big", 100), 0, flat20, liftQuotas) })
}

// BenchmarkApplyLimitedOverUnlimited applies a Blueprint on the fake as
// AWS (20 ms per call) without a client-side limit, then with the default
// buckets, in each iteration, and reports the ratio of the makespans: the
// ready patterns, whose requests fit in the buckets' bursts, and 100 tiers,
// whose 200 subnets do not.
func BenchmarkApplyLimitedOverUnlimited(b *testing.B) {
	pats := readyPatterns(b)
	b.Run("three-tier", func(b *testing.B) { limitedOverUnlimited(b, pats["three-tier"]) })
	b.Run("web-app", func(b *testing.B) { limitedOverUnlimited(b, pats["web-app"]) })
	b.Run("tiers=100", func(b *testing.B) { limitedOverUnlimited(b, nTier("big", 100)) })
}

func limitedOverUnlimited(b *testing.B, bp *blueprint.Blueprint) {
	var free, limited time.Duration
	for b.Loop() {
		for _, lim := range []limits{unlimited, cloudBuckets} {
			d := fake.New(func(o *fake.Options) { o.Latency = benchLatency; o.PendingReads = 1 }, liftQuotas)
			eng := provider.NewEngine(d, func(o *provider.Options) {
				o.RateLimit, o.Limiter = -1, limiter(d, lim)
				o.PollMin, o.PollMax = time.Millisecond, time.Millisecond
			})
			res, err := eng.Apply(b.Context(), bp)
			if err != nil {
				b.Fatal(err)
			}
			if lim == unlimited {
				free += res.Makespan
			} else {
				limited += res.Makespan
			}
		}
	}
	b.ReportMetric(float64(limited)/float64(free), "limited/unlimited")
	b.ReportMetric(free.Seconds()/float64(b.N), "unlimited-s")
	b.ReportMetric(limited.Seconds()/float64(b.N), "limited-s")
}

func BenchmarkApply100Tier(b *testing.B) {
	b.Run("default", func(b *testing.B) { benchApply(b, nTier("big", 100), 0, unlimited, liftQuotas) })
	b.Run("parallelism=8", func(b *testing.B) { benchApply(b, nTier("big", 100), 8, unlimited, liftQuotas) })
	b.Run("parallelism=1000", func(b *testing.B) { benchApply(b, nTier("big", 100), 1000, unlimited, liftQuotas) })
}

func BenchmarkPlan100Tier(b *testing.B) {
	bp := nTier("big", 100)
	d := fake.New(liftQuotas)
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

// liftQuotas lifts the account quotas of a fake's profile (AWS's by
// default), so that hundreds of tiers fit in one Net.
func liftQuotas(o *fake.Options) {
	if o.Profile.Name == "" {
		o.Profile = netplan.AWS
	}
	o.Profile.Quotas = netplan.Quotas{}
}

// scaleFake is a fake without latency whose account quotas are lifted, so
// that thousands of tiers fit in it.
func scaleFake() *fake.Driver { return fake.New(liftQuotas) }

// applyOnce applies bp to a new scaleFake with no rate limit and returns
// the time it took and the bytes it allocated.
func applyOnce(b *testing.B, bp *blueprint.Blueprint) (time.Duration, uint64) {
	d, _, m := applyMeasured(b, bp)
	return d, m
}

// applyMeasured is applyOnce that also returns the CPU time the process
// spent (user and system, the garbage collector's included): on a machine
// other builds load, the wall-clock time measures the wait for a core as
// much as the work.
func applyMeasured(b *testing.B, bp *blueprint.Blueprint) (time.Duration, time.Duration, uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c0 := cpuTime()
	t0 := time.Now()
	eng := provider.NewEngine(scaleFake(), func(o *provider.Options) { o.RateLimit = -1 })
	if _, err := eng.Apply(b.Context(), bp); err != nil {
		b.Fatal(err)
	}
	d := time.Since(t0)
	c := cpuTime() - c0
	runtime.ReadMemStats(&after)
	return d, c, after.TotalAlloc - before.TotalAlloc
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
	var ts, tl, cl time.Duration
	var ms, ml uint64
	for b.Loop() {
		t, m := applyOnce(b, small)
		ts, ms = ts+t, ms+m
		t, c, m := applyMeasured(b, large)
		tl, cl, ml = tl+t, cl+c, ml+m
	}
	b.ReportMetric(math.Log10(float64(tl)/float64(ts)), "time-exponent")
	b.ReportMetric(math.Log10(float64(ml)/float64(ms)), "alloc-exponent")
	b.ReportMetric(float64(tl)/float64(b.N)/1e9, "s/apply-1000")
	b.ReportMetric(float64(cl)/float64(b.N)/1e9, "cpu-s/apply-1000")
	b.ReportMetric(float64(ml)/float64(b.N)/1e6, "MB/apply-1000")
}

// BenchmarkDestroyScale destroys n synthetic tiers from the fake (no
// latency, no rate limit): the apply is outside the timer.
func BenchmarkDestroyScale(b *testing.B) {
	for _, n := range []int{100, 1000} {
		bp := nTier("big", n)
		b.Run(fmt.Sprintf("tiers=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				eng := provider.NewEngine(scaleFake(), func(o *provider.Options) { o.RateLimit = -1 })
				if _, err := eng.Apply(b.Context(), bp); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := eng.Destroy(b.Context(), bp.Deployment); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
