package provider

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/ratelimit"
)

// client hands the engine's rate limiter to the driver with each call,
// through the context (the driver meters each API request it sends, see
// package ratelimit), and counts the driver's calls. It is safe for
// concurrent use.
type client struct {
	d      driver.Driver
	lim    *ratelimit.Limiter // nil: no client-side limit
	reads  atomic.Int64
	writes atomic.Int64
	health bool // lists ask for the nodes' health (driver.Query.Health)
}

// newLimiter returns the limiter of an engine on d: Options.Limiter; no
// limiter for a negative RateLimit; one flat bucket for a positive one;
// else the buckets of Options.RateLimits, by default those of the cloud d
// names in its profile (ratelimit.AWS, ratelimit.Outscale). A driver of
// another cloud gets no client-side limit.
func newLimiter(d driver.Driver, o Options) *ratelimit.Limiter {
	switch {
	case o.Limiter != nil:
		return o.Limiter
	case o.RateLimit < 0:
		return nil
	case o.RateLimit > 0:
		return ratelimit.New(ratelimit.Flat(o.RateLimit, o.RateBurst))
	case o.RateLimits != nil:
		return ratelimit.New(o.RateLimits)
	}
	if d == nil {
		return nil
	}
	switch d.Profile().Name {
	case "aws":
		return ratelimit.New(ratelimit.AWS)
	case "outscale":
		return ratelimit.New(ratelimit.Outscale)
	}
	return nil
}

// begin checks that a driver call may still go out and counts it in
// ctx's tracker. It returns the context for the driver: carrying the
// engine's limiter and the tracker's count of the requests that got their
// tokens; or a *notSentError when ctx is done.
func (c *client) begin(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		if cause := context.Cause(ctx); cause != nil {
			err = cause
		}
		return ctx, &notSentError{err: err}
	}
	if t, ok := ctx.Value(trackerKey{}).(*tracker); ok {
		t.calls.Add(1)
		ctx = ratelimit.WithSent(ctx, t.sending)
	}
	if c.lim != nil {
		ctx = ratelimit.NewContext(ctx, c.lim)
	}
	return ctx, nil
}

// notSent returns why a node that failed with err was stopped before a
// request went out (a *notSentError, a *ratelimit.NotSentError, or ctx
// done), or nil.
func notSent(ctx context.Context, err error) error {
	var ns *notSentError
	var rs *ratelimit.NotSentError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ns):
		return ns.err
	case errors.As(err, &rs):
		return rs.Err
	case ctx.Err() != nil:
		return context.Cause(ctx)
	}
	return nil
}

// notSentError is the error of a call that never reached the driver.
type notSentError struct{ err error }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }

// tracker counts the driver calls of one node, and the requests of those
// calls that got their rate-limit tokens (a driver that meters its
// requests, see package ratelimit). start runs once, when the first
// request goes out; for a driver that does not meter its requests, when
// its call returns (started).
type tracker struct {
	calls atomic.Int64
	sent  atomic.Int64
	once  sync.Once
	start func()
}

// sending records a request let out by the rate limiter.
func (t *tracker) sending() {
	t.sent.Add(1)
	t.started()
}

// started runs start, once.
func (t *tracker) started() {
	if t.start != nil {
		t.once.Do(t.start)
	}
}

// stoppedBeforeSending reports whether a node whose error had cause
// (notSent) did nothing: no driver call, or calls whose requests the
// rate limiter all held back.
func (t *tracker) stoppedBeforeSending(err error) bool {
	var rs *ratelimit.NotSentError
	return t.calls.Load() == 0 || t.sent.Load() == 0 && errors.As(err, &rs)
}

type trackerKey struct{}

func withTracker(ctx context.Context, t *tracker) context.Context {
	return context.WithValue(ctx, trackerKey{}, t)
}

func (c *client) zones(ctx context.Context) ([]string, error) {
	ctx, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	c.reads.Add(1)
	return c.d.Zones(ctx)
}

func (c *client) list(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	ctx, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	c.reads.Add(1)
	q.Health = q.Health || c.health
	return c.d.List(ctx, q)
}

func (c *client) read(ctx context.Context, k blueprint.Kind, id string) (driver.Observed, error) {
	ctx, err := c.begin(ctx)
	if err != nil {
		return driver.Observed{}, err
	}
	c.reads.Add(1)
	return c.d.Read(ctx, k, id)
}

func (c *client) create(ctx context.Context, req driver.Request) (driver.Observed, error) {
	ctx, err := c.begin(ctx)
	if err != nil {
		return driver.Observed{}, err
	}
	c.writes.Add(1)
	return c.d.Create(ctx, req)
}

func (c *client) update(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	ctx, err := c.begin(ctx)
	if err != nil {
		return driver.Observed{}, err
	}
	c.writes.Add(1)
	return c.d.Update(ctx, req, cur)
}

func (c *client) delete(ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error {
	ctx, err := c.begin(ctx)
	if err != nil {
		return err
	}
	c.writes.Add(1)
	return c.d.Delete(ctx, cur, opts)
}

func (c *client) createLock(ctx context.Context, l driver.Lock) (driver.Lock, error) {
	ctx, err := c.begin(ctx)
	if err != nil {
		return driver.Lock{}, err
	}
	return c.d.CreateLock(ctx, l)
}

func (c *client) readLock(ctx context.Context, deployment string) (driver.Lock, error) {
	ctx, err := c.begin(ctx)
	if err != nil {
		return driver.Lock{}, err
	}
	return c.d.ReadLock(ctx, deployment)
}

func (c *client) renewLock(ctx context.Context, l driver.Lock, expires time.Time) (driver.Lock, error) {
	ctx, err := c.begin(ctx)
	if err != nil {
		return driver.Lock{}, err
	}
	return c.d.RenewLock(ctx, l, expires)
}

func (c *client) deleteLock(ctx context.Context, l driver.Lock) error {
	ctx, err := c.begin(ctx)
	if err != nil {
		return err
	}
	return c.d.DeleteLock(ctx, l)
}
