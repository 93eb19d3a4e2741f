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
	ctx, cancel := context.WithTimeout(ctx, d.opts.WaitTimeout)
	defer cancel()
	delay := d.opts.PollInterval
	for {
		ok, err := done(ctx)
		switch {
		case ok:
			return nil
		case err != nil && !driver.CodeOf(err).Retryable():
			return err
		}
		if serr := wait.Sleep(ctx, delay); serr != nil {
			return errorf(op, kind, id, driver.Unavailable, "waiting for %s %s to be %s: %v (after %s)", kind, id, what, serr, d.opts.WaitTimeout)
		}
		delay = min(2*delay, 10*time.Second)
	}
}
