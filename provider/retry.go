package provider

import (
	"context"

	"github.com/archkit/archkit/provider/driver"

	"github.com/archkit/archkit/provider/internal/wait"
)

// retry calls f until it succeeds, fails with an error that is not
// retryable, runs out of attempts, or ctx ends. onRetry is told of every
// retried failure with the number of the attempt that failed.
func retry(ctx context.Context, p driver.RetryPolicy, f func() error, onRetry func(attempt int, err error)) error {
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || !driver.IsRetryable(err) || attempt >= p.MaxAttempts {
			return err
		}
		if ctx.Err() != nil {
			return err
		}
		if onRetry != nil {
			onRetry(attempt, err)
		}
		if serr := wait.Sleep(ctx, p.Delay(attempt)); serr != nil {
			return err
		}
	}
}
