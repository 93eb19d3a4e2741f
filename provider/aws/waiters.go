package aws

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/wait"
)

// retryWhile calls fn until it returns an error whose code is not code
// (nil included), backing off from the driver's poll interval, for at most
// the driver's wait timeout. It is the driver's helper for AWS's eventual
// consistency on delete: an internet gateway whose VPC still maps public
// addresses, an Elastic IP still held by a NAT gateway that is going away,
// a target group whose listeners are being removed. On timeout it returns
// fn's last error.
func (d *Driver) retryWhile(ctx context.Context, code driver.Code, fn func() error) error {
	return d.retryUnless(ctx, nil, code, fn)
}

// awaitPeer is retryWhile for what another region of a multi-region run
// makes (the peer Net, a peering's request): while fn finds it NotFound,
// until that region's run has ended ([driver.RegionEnded]), then one last
// call of fn, as nothing more will be made there in this run.
func (d *Driver) awaitPeer(ctx context.Context, region string, fn func() error) error {
	return d.retryUnless(ctx, driver.RegionEnded(ctx, region), driver.NotFound, fn)
}

func (d *Driver) retryUnless(ctx context.Context, ended <-chan struct{}, code driver.Code, fn func() error) error {
	ctx, cancel := context.WithTimeout(ctx, d.waitTimeout())
	defer cancel()
	minDelay, maxDelay := d.delays()
	delay := minDelay
	for {
		err := fn()
		if err == nil || driver.CodeOf(err) != code {
			return err
		}
		over, serr := wait.SleepUnless(ctx, delay, ended)
		if over {
			return fn()
		}
		if serr != nil {
			return err
		}
		delay = min(delay*2, maxDelay)
	}
}

// waitBound is the maximum wait passed to the SDK waiters.
func (d *Driver) waitBound() time.Duration { return d.waitTimeout() }

// isWaitTimeout reports whether err is an SDK waiter's "exceeded max wait
// time" or a context deadline: the resource is simply not ready yet. The
// SDK's waiters return that error untyped (fmt.Errorf), so this is the one
// place that reads an error's text.
func isWaitTimeout(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	return strings.Contains(err.Error(), "exceeded max wait time")
}
