package provider_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
)

// A deadline that comes mid-apply leaves resources that were never
// started: they are reported as not started, never as failed, and a
// started event comes before every done or failed one.
func TestDeadlineReportsNotStarted(t *testing.T) {
	t.Parallel()
	d := fake.New(func(o *fake.Options) { o.Latency = 5 * time.Millisecond })
	var c collector
	// 10 calls a second after a burst that holds the plan's calls (a list
	// per kind before the lock and again under it, the lock's) with room
	// to spare: the plan passes well within the deadline even on a loaded
	// machine, then the rate limit stretches the apply (about 60 calls:
	// 5 s) far past it.
	eng := provider.NewEngine(d, func(o *provider.Options) {
		o.RateLimit, o.RateBurst = 10, 2*len(blueprint.Kinds)+5
		o.OnEvent = c.handle
	})
	bp := threeTier("shop", "")
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	res, err := eng.Apply(ctx, bp)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "provider: run interrupted:")
	assert.NotContains(t, err.Error(), "rate: Wait", "the limiter's own message is not the user's problem")

	require.Positive(t, res.NotStarted, "events:\n%s", c.dump())
	assert.Equal(t, res.Created+res.Failed+res.NotStarted, len(bp.Resources), "every resource is done, failed or not started")
	assert.Contains(t, res.String(), "not started)")

	started := map[string]bool{}
	for _, ev := range c.all() {
		switch ev.Type {
		case provider.EventStarted:
			started[ev.ID] = true
		case provider.EventDone, provider.EventFailed:
			assert.True(t, started[ev.ID], "%s %s without a started event", ev.Type, ev.ID)
			if ev.Err != nil {
				assert.NotContains(t, ev.Err.Error(), "rate: Wait")
			}
		case provider.EventNotStarted:
			assert.False(t, started[ev.ID], "%s started, then reported not started", ev.ID)
			assert.NotEmpty(t, ev.Message)
		}
	}
}

// Cancelling the context stops the run: what had not started is reported
// as not started, with the cancellation as the reason, and the next apply
// converges.
func TestCancelReportsNotStarted(t *testing.T) {
	t.Parallel()
	d := fake.New(func(o *fake.Options) { o.Latency = 2 * time.Millisecond })
	ctx, cancel := context.WithCancelCause(t.Context())
	defer cancel(nil)
	stop := errors.New("interrupt")
	var c collector
	done := 0
	eng := provider.NewEngine(d, func(o *provider.Options) {
		o.Parallelism = 1
		o.OnEvent = func(ev provider.Event) {
			c.handle(ev)
			if ev.Type == provider.EventDone {
				if done++; done == 3 {
					cancel(stop)
				}
			}
		}
	})
	bp := threeTier("shop", "")
	res, err := eng.Apply(ctx, bp)
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 3, res.Created)
	assert.Zero(t, res.Failed, "nothing was in flight: Parallelism 1")
	assert.Equal(t, len(bp.Resources)-3, res.NotStarted)
	for _, ev := range c.all() {
		if ev.Type == provider.EventNotStarted {
			assert.Contains(t, ev.Message, "cancelled (interrupt)")
		}
	}

	res, err = provider.NewEngine(d).Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Equal(t, len(bp.Resources)-3, res.Created)
}

// A local driver (the fake) needs no options: pending resources and
// injected throttles are absorbed with the local defaults (their values
// are checked in TestSetDefaults, their speed by BenchmarkApplyDefaults).
func TestLocalDriverDefaults(t *testing.T) {
	t.Parallel()
	d := fake.New()
	d.Throttle(0.3, 1)
	eng := provider.NewEngine(d)
	_, err := eng.Apply(t.Context(), threeTier("shop", ""))
	require.NoError(t, err)
	assert.Positive(t, d.Counts().Errors, "throttles were retried")
}
