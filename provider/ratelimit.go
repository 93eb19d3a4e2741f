package provider

import (
	"context"
	"sync/atomic"
	"time"

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

func (c *client) wait(ctx context.Context) error {
	if c.lim.Limit() == rate.Inf {
		return ctx.Err()
	}
	return c.lim.Wait(ctx)
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

func (c *client) createLock(ctx context.Context, l driver.Lock) (driver.Lock, error) {
	if err := c.wait(ctx); err != nil {
		return driver.Lock{}, err
	}
	return c.d.CreateLock(ctx, l)
}

func (c *client) readLock(ctx context.Context, deployment string) (driver.Lock, error) {
	if err := c.wait(ctx); err != nil {
		return driver.Lock{}, err
	}
	return c.d.ReadLock(ctx, deployment)
}

func (c *client) renewLock(ctx context.Context, l driver.Lock, expires time.Time) (driver.Lock, error) {
	if err := c.wait(ctx); err != nil {
		return driver.Lock{}, err
	}
	return c.d.RenewLock(ctx, l, expires)
}

func (c *client) deleteLock(ctx context.Context, l driver.Lock) error {
	if err := c.wait(ctx); err != nil {
		return err
	}
	return c.d.DeleteLock(ctx, l)
}
