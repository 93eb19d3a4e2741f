package provider

import (
	"context"
	"sync/atomic"

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

// metered returns ctx carrying the engine's limiter for the driver.
func (c *client) metered(ctx context.Context) context.Context {
	if c.lim == nil {
		return ctx
	}
	return ratelimit.NewContext(ctx, c.lim)
}

func (c *client) zones(ctx context.Context) ([]string, error) {
	c.reads.Add(1)
	return c.d.Zones(c.metered(ctx))
}

func (c *client) list(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	c.reads.Add(1)
	return c.d.List(c.metered(ctx), q)
}

func (c *client) read(ctx context.Context, k blueprint.Kind, id string) (driver.Observed, error) {
	c.reads.Add(1)
	return c.d.Read(c.metered(ctx), k, id)
}

func (c *client) create(ctx context.Context, req driver.Request) (driver.Observed, error) {
	c.writes.Add(1)
	return c.d.Create(c.metered(ctx), req)
}

func (c *client) update(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	c.writes.Add(1)
	return c.d.Update(c.metered(ctx), req, cur)
}

func (c *client) delete(ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error {
	c.writes.Add(1)
	return c.d.Delete(c.metered(ctx), cur, opts)
}
