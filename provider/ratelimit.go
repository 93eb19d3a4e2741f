package provider

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/archkit/archkit/provider/driver"

	"github.com/archkit/archkit/pattern/blueprint"
	"golang.org/x/time/rate"
)

// client wraps a Driver with the engine's client-side rate limit and counts
// its calls. It is safe for concurrent use.
type client struct {
	d      driver.Driver
	lim    *rate.Limiter
	reads  atomic.Int64
	writes atomic.Int64
}

func newLimiter(o Options) *rate.Limiter {
	l := rate.Limit(o.RateLimit)
	if o.RateLimit < 0 {
		l = rate.Inf
	}
	return rate.NewLimiter(l, o.RateBurst)
}

// wait waits for the rate limit, then counts the call in ctx's tracker.
// It returns a *notSentError when the call must not go out: ctx is done,
// or the limiter would make it wait past ctx's deadline.
func (c *client) wait(ctx context.Context) error {
	err := ctx.Err()
	if err == nil && c.lim.Limit() != rate.Inf {
		if err = c.lim.Wait(ctx); err != nil && ctx.Err() == nil {
			// rate.Limiter refuses at once a wait that would end after
			// the deadline, with an error of its own: say which.
			err = fmt.Errorf("%w: the rate limit would make the call wait past it", context.DeadlineExceeded)
		}
	}
	if err != nil {
		if cause := context.Cause(ctx); cause != nil {
			err = cause
		}
		return &notSentError{err: err}
	}
	if t, ok := ctx.Value(trackerKey{}).(*tracker); ok && t.calls.Add(1) == 1 && t.start != nil {
		t.start()
	}
	return nil
}

// notSent returns why a node that failed with err was stopped before a
// call reached the driver (a *notSentError, or ctx done), or nil.
func notSent(ctx context.Context, err error) error {
	var ns *notSentError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ns):
		return ns.err
	case ctx.Err() != nil:
		return context.Cause(ctx)
	}
	return nil
}

// notSentError is the error of a call that never reached the driver.
type notSentError struct{ err error }

func (e *notSentError) Error() string { return e.err.Error() }
func (e *notSentError) Unwrap() error { return e.err }

// tracker counts the driver calls of one node; start runs before the
// first goes out.
type tracker struct {
	calls atomic.Int64
	start func()
}

type trackerKey struct{}

func withTracker(ctx context.Context, t *tracker) context.Context {
	return context.WithValue(ctx, trackerKey{}, t)
}

func (c *client) zones(ctx context.Context) ([]string, error) {
	if err := c.wait(ctx); err != nil {
		return nil, err
	}
	c.reads.Add(1)
	return c.d.Zones(ctx)
}

func (c *client) list(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	if err := c.wait(ctx); err != nil {
		return nil, err
	}
	c.reads.Add(1)
	return c.d.List(ctx, q)
}

func (c *client) read(ctx context.Context, k blueprint.Kind, id string) (driver.Observed, error) {
	if err := c.wait(ctx); err != nil {
		return driver.Observed{}, err
	}
	c.reads.Add(1)
	return c.d.Read(ctx, k, id)
}

func (c *client) create(ctx context.Context, req driver.Request) (driver.Observed, error) {
	if err := c.wait(ctx); err != nil {
		return driver.Observed{}, err
	}
	c.writes.Add(1)
	return c.d.Create(ctx, req)
}

func (c *client) update(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	if err := c.wait(ctx); err != nil {
		return driver.Observed{}, err
	}
	c.writes.Add(1)
	return c.d.Update(ctx, req, cur)
}

func (c *client) delete(ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	c.writes.Add(1)
	return c.d.Delete(ctx, cur, opts)
}
