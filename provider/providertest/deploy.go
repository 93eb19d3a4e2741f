package providertest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/wait"
)

// MaxWait bounds every wait of the suite: a resource becoming ready, a
// resource going away, a delete blocked by one still going away.
const MaxWait = 5 * time.Minute

// Deploy creates the resources of [Resources] that the driver supports, in
// order, resolving Refs to the ids the driver returned and waiting for each
// asynchronous resource to be ready. It returns what it made by logical id,
// as read once ready. It stops the test on the first failure. Driver
// packages use it in their own tests; [Destroy] removes what it made.
//
//	obs := providertest.Deploy(t.Context(), t, d, "shop")
//	natID := obs["nat_gateway/a"].ID
func Deploy(ctx context.Context, t testing.TB, d driver.Driver, deployment string) map[string]driver.Observed {
	t.Helper()
	return deploy(ctx, t, d, deployment, nil)
}

// deploy creates the supported resources of Resources whose kind is in
// kinds (all when kinds is nil).
func deploy(ctx context.Context, t testing.TB, d driver.Driver, deployment string, kinds []blueprint.Kind) map[string]driver.Observed {
	t.Helper()
	zones, err := d.Zones(ctx)
	if err != nil {
		t.Fatalf("providertest: Zones: %v", err)
	}
	caps := d.Capabilities()
	ids := map[string]string{}
	out := map[string]driver.Observed{}
	for _, r := range Resources(deployment, zones) {
		if !supports(caps, r) || kinds != nil && !slices.Contains(kinds, r.Kind) {
			continue
		}
		o, err := CreateRetry(ctx, d, Request(deployment, r, ids))
		if err != nil {
			t.Fatalf("providertest: Create %s: %v", r.ID, err)
		}
		if !o.Ready {
			o = WaitReady(ctx, t, d, r.Kind, o.ID)
		}
		ids[r.ID] = o.ID
		out[r.ID] = o
	}
	return out
}

// supports reports whether the driver of caps makes r: its kind, and for
// a net endpoint its service and type
// ([driver.Capabilities.SupportsEndpoint]).
func supports(caps driver.Capabilities, r blueprint.Resource) bool {
	if e := r.NetEndpoint; e != nil {
		return caps.SupportsEndpoint(e.Service, e.Type)
	}
	return caps.Supports(r.Kind)
}

// CreateRetry calls Create, and again while its error is Retryable
// ([driver.IsRetryable]), as the engine does: a create whose answer was
// lost is sent again through the driver, which finds what the first call
// made. It waits as [poll] does, for at most [MaxWait].
func CreateRetry(ctx context.Context, d driver.Driver, req driver.Request) (driver.Observed, error) {
	var o driver.Observed
	err := retryable(ctx, func() (err error) {
		o, err = d.Create(ctx, req)
		return err
	})
	return o, err
}

// retryable calls f until it succeeds or fails with an error that is not
// Retryable, waiting as [poll] does.
func retryable(ctx context.Context, f func() error) error {
	var last error
	err := poll(ctx, func() (bool, error) {
		last = f()
		switch {
		case last == nil:
			return true, nil
		case driver.IsRetryable(last):
			return false, nil
		}
		return false, last
	})
	if err != nil && last != nil && !errors.Is(err, last) {
		err = errors.Join(err, last)
	}
	return err
}

// WaitReady polls Read until the resource is ready, for at most [MaxWait],
// retrying retryable errors, and returns it. It stops the test on any
// other error or when the wait ends.
func WaitReady(ctx context.Context, t testing.TB, d driver.Driver, kind blueprint.Kind, id string) driver.Observed {
	t.Helper()
	var last driver.Observed
	err := poll(ctx, func() (bool, error) {
		o, err := d.Read(ctx, kind, id)
		if err != nil {
			return false, err
		}
		last = o
		return o.Ready, nil
	})
	if err != nil {
		t.Fatalf("providertest: waiting for %s %s to be ready (last status %q): %v", kind, id, last.Status, err)
	}
	return last
}

// WaitGone polls Read until it reports the resource NotFound, for at most
// [MaxWait]. It returns the last error that was not NotFound when the wait
// ends.
func WaitGone(ctx context.Context, d driver.Driver, kind blueprint.Kind, id string) error {
	return poll(ctx, func() (bool, error) {
		_, err := d.Read(ctx, kind, id)
		if errors.Is(err, driver.ErrNotFound) {
			return true, nil
		}
		return false, err
	})
}

// Teardown are the delete options of the suite's clean-up: protections
// lifted, no final snapshot, no backups kept, so that a test leaves
// nothing behind.
var Teardown = driver.DeleteOptions{LiftProtection: true, SkipFinalSnapshot: true, DeleteAutomatedBackups: true}

// DeleteRetry deletes o with [Teardown], retrying for at most [MaxWait]
// while the driver reports a retryable error or a dependency that may
// still be going away (an AWS NAT gateway takes a while to release its
// subnet).
func DeleteRetry(ctx context.Context, d driver.Driver, o driver.Observed) error {
	var last error
	err := poll(ctx, func() (bool, error) {
		last = d.Delete(ctx, o, Teardown)
		if last == nil {
			return true, nil
		}
		if errors.Is(last, driver.ErrDependency) {
			return false, nil
		}
		return false, last
	})
	if errors.Is(err, context.DeadlineExceeded) && last != nil {
		return errors.Join(err, last)
	}
	return err
}

// Destroy deletes every resource of deployment that List finds, kinds in
// the reverse of their creation order, and reports what it could not
// delete with t.Errorf. It is meant for t.Cleanup.
func Destroy(ctx context.Context, t testing.TB, d driver.Driver, deployment string) {
	t.Helper()
	for _, k := range slices.Backward(blueprint.Kinds) {
		if !d.Capabilities().Supports(k) {
			continue
		}
		obs, err := list(ctx, d, driver.Query{Deployment: deployment, Kind: k})
		if err != nil {
			t.Errorf("providertest: destroy %s: List %s: %v", deployment, k, err)
			continue
		}
		for _, o := range obs {
			if o.Resource.Kind == "" {
				o.Resource.Kind = k
			}
			if err := DeleteRetry(ctx, d, o); err != nil {
				t.Errorf("providertest: destroy %s: Delete %s %s: %v", deployment, k, o.ID, err)
			}
		}
	}
}

// list calls List, retrying retryable errors.
func list(ctx context.Context, d driver.Driver, q driver.Query) ([]driver.Observed, error) {
	var out []driver.Observed
	err := poll(ctx, func() (bool, error) {
		var err error
		out, err = d.List(ctx, q)
		return err == nil, err
	})
	return out, err
}

// poll calls try until it reports done, for at most MaxWait: at once, then
// after 2ms, doubling up to 1s. Retryable errors are retried; others end
// the wait.
func poll(ctx context.Context, try func() (done bool, err error)) error {
	ctx, cancel := context.WithTimeout(ctx, MaxWait)
	defer cancel()
	delay := 2 * time.Millisecond
	for {
		done, err := try()
		switch {
		case done:
			return nil
		case err != nil && !driver.CodeOf(err).Retryable():
			return err // a throttle or an outage is polled through
		}
		if serr := wait.Sleep(ctx, delay); serr != nil {
			return errors.Join(serr, err)
		}
		delay = min(2*delay, time.Second)
	}
}
