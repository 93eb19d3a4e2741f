package outscale

import (
	"context"
	"time"

	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/wait"
)

// waitFor polls done until it reports true, for at most
// Options.WaitTimeout: at once, then after Options.PollInterval, doubling
// up to 10s. A throttle or an outage (Code Throttled or Unavailable) from
// done is polled through; any other error ends the wait.
func (d *Driver) waitFor(ctx context.Context, op, kind, id, what string, done func(ctx context.Context) (bool, error)) error {
	return d.waitUnless(ctx, nil, op, kind, id, what, done)
}

// awaitPeer is waitFor for what another region of a multi-region run
// makes (the other end of a VPN link): it also stops once that region's
// run has ended ([driver.RegionEnded]), after one last look, since
// nothing more will be made there in this run (Code NotFound).
func (d *Driver) awaitPeer(ctx context.Context, region, op, kind, id, what string, done func(ctx context.Context) (bool, error)) error {
	return d.waitUnless(ctx, driver.RegionEnded(ctx, region), op, kind, id, what, done)
}

func (d *Driver) waitUnless(ctx context.Context, ended <-chan struct{}, op, kind, id, what string, done func(ctx context.Context) (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, d.opts.WaitTimeout)
	defer cancel()
	delay := d.opts.PollInterval
	for last := false; ; {
		ok, err := done(ctx)
		switch {
		case ok:
			return nil
		case err != nil && !driver.CodeOf(err).Retryable():
			return err
		case last:
			return errorf(op, kind, id, driver.NotFound, "%s %s was not %s: the run of its other region has ended", kind, id, what)
		}
		over, serr := wait.SleepUnless(ctx, delay, ended)
		if serr != nil {
			return errorf(op, kind, id, driver.Unavailable, "waiting for %s %s to be %s: %v (after %s)", kind, id, what, serr, d.opts.WaitTimeout)
		}
		last = over
		delay = min(2*delay, 10*time.Second)
	}
}
