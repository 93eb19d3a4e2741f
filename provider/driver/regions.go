package driver

import (
	"context"
	"sync"
)

// A multi-region run (provider.Fleet) applies or destroys the regions of
// one deployment at once, and a side of a link between two regions waits
// for the other region's side (a Net peering's request, the peer Net). The
// run marks its context with [WithRegionRuns] and reports the end of each
// region's run; a driver waiting for another region stops waiting once
// that region's run has ended ([RegionEnded]), after one last look, since
// nothing more will be made there in this run. Without the mark a wait
// lasts its own bound.

type regionRunsKey struct{}

type regionRuns struct {
	mu    sync.Mutex
	ended map[string]chan struct{}
	done  map[string]bool
}

// WithRegionRuns returns ctx marked as the context of a run over regions,
// and the function that reports the end of one region's run (its apply or
// destroy returned, done or failed). Reporting a region twice, or one not
// in regions, does nothing.
func WithRegionRuns(ctx context.Context, regions []string) (context.Context, func(region string)) {
	if ctx == nil {
		ctx = context.Background()
	}
	rr := &regionRuns{ended: map[string]chan struct{}{}, done: map[string]bool{}}
	for _, r := range regions {
		rr.ended[r] = make(chan struct{})
	}
	end := func(region string) {
		rr.mu.Lock()
		defer rr.mu.Unlock()
		if c, ok := rr.ended[region]; ok && !rr.done[region] {
			close(c)
			rr.done[region] = true
		}
	}
	return context.WithValue(ctx, regionRunsKey{}, rr), end
}

// RegionEnded returns a channel closed when the run of region ends, in a
// run marked by [WithRegionRuns]; elsewhere, and for a region the run does
// not drive, nil, which a select never receives from.
func RegionEnded(ctx context.Context, region string) <-chan struct{} {
	if ctx == nil {
		return nil
	}
	rr, _ := ctx.Value(regionRunsKey{}).(*regionRuns)
	if rr == nil {
		return nil
	}
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return rr.ended[region]
}
