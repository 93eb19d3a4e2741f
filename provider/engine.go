package provider

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/archkit/archkit/provider/driver"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/ratelimit"
)

// Engine plans, applies, destroys and checks the drift of Blueprints on
// one Driver. It keeps no state between calls: the cloud is the state,
// found again by the ownership tags. An Engine is safe for concurrent use;
// its rate limiter is shared by all its calls.
type Engine struct {
	d    driver.Driver
	opts Options
	log  *slog.Logger
	lim  *ratelimit.Limiter // nil: no client-side limit
	// noPreflight skips the preflight and the lint's blocking findings:
	// only the tests that show a driver's own refusals set it.
	noPreflight bool
}

// NewEngine returns an Engine for d, with the options set by optFns
// applied over the defaults documented on [Options].
//
//	eng := provider.NewEngine(drv, func(o *provider.Options) { o.Parallelism = 4 })
//	res, err := eng.Apply(ctx, bp)
func NewEngine(d driver.Driver, optFns ...func(*Options)) *Engine {
	var o Options
	for _, f := range optFns {
		if f != nil {
			f(&o)
		}
	}
	local := false
	if d != nil {
		local = d.Capabilities().Local
	}
	o.setDefaults(local)
	return &Engine{d: d, opts: o, log: o.Logger, lim: newLimiter(d, o)}
}

func (e *Engine) newClient() *client { return &client{d: e.d, lim: e.lim} }

// ErrNoDriver is returned by every method of an Engine that has no driver:
// a nil *Engine, the zero Engine, or NewEngine(nil).
var ErrNoDriver = errors.New("provider: engine without a driver; make it with provider.NewEngine(driver)")

// usable returns ErrNoDriver for an Engine that cannot run, so that its
// methods fail with an error instead of a panic.
func (e *Engine) usable(ctx context.Context) error {
	switch {
	case e == nil || e.d == nil:
		return ErrNoDriver
	case ctx == nil:
		return errNilContext
	}
	return nil
}

// errNilContext is the error of a call given a nil context.
var errNilContext = errors.New("provider: nil context; pass context.Background() or a context of your own")

func joinErrs(errs []error) error { return errors.Join(errs...) }

// listOrder is the order in which kinds are listed: nets first, so that
// the other lists can be scoped by their ids.
func (e *Engine) listKinds() []blueprint.Kind {
	caps := e.d.Capabilities()
	var ks []blueprint.Kind
	for _, k := range blueprint.Kinds {
		if caps.Supports(k) {
			ks = append(ks, k)
		}
	}
	return ks
}

// observe lists every resource tagged with deployment, one List per kind
// (nets first, then the others in parallel, scoped by the nets' ids). It
// is one refresh ([driver.WithRefresh]): kinds the cloud reads with the
// same call share its answer, and the answers go when observe returns.
func (e *Engine) observe(ctx context.Context, c *client, deployment string) (map[blueprint.Kind][]driver.Observed, []string, error) {
	ctx = driver.WithRefresh(ctx)
	out := map[blueprint.Kind][]driver.Observed{}
	kinds := e.listKinds()
	var netIDs []string
	if slices.Contains(kinds, blueprint.KindNet) {
		nets, err := e.listKind(ctx, c, driver.Query{Deployment: deployment, Kind: blueprint.KindNet})
		if err != nil {
			return nil, nil, err
		}
		out[blueprint.KindNet] = nets
		for _, n := range nets {
			netIDs = append(netIDs, n.ID)
		}
	}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		errs []error
	)
	// Lists are reads: all kinds at once, within the rate limit.
	for _, k := range kinds {
		if k == blueprint.KindNet {
			continue
		}
		wg.Go(func() {
			obs, err := e.listKind(ctx, c, driver.Query{Deployment: deployment, Kind: k, NetIDs: netIDs})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			out[k] = obs
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return out, netIDs, nil
}

// listKind lists one kind, retrying what is Retryable, fills in the kind
// and the logical id of each resource, and sorts them in
// [driver.CompareObserved] order.
func (e *Engine) listKind(ctx context.Context, c *client, q driver.Query) ([]driver.Observed, error) {
	var obs []driver.Observed
	err := retry(ctx, e.opts.Retry, func() error {
		var err error
		obs, err = c.list(ctx, q)
		return err
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("provider: list %s: %w", q.Kind, err)
	}
	for i := range obs {
		o := &obs[i]
		o.Resource.Kind = q.Kind
		if o.LogicalID == "" {
			o.LogicalID = o.Tags[driver.TagLogicalID]
		}
		o.Resource.ID = o.LogicalID
	}
	slices.SortFunc(obs, driver.CompareObserved)
	return obs, nil
}
