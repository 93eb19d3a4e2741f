package provider

import (
	"context"
	"math/rand/v2"
	"time"
)

// Delay returns the full-jitter delay before retry n (n >= 1): a random
// duration in [0, min(MaxDelay, BaseDelay*2^(n-1))). The fields are used as
// they are, without the defaults the engine applies to a zero policy;
// drivers with a retry loop of their own use it too:
//
//	p := provider.RetryPolicy{BaseDelay: 500 * time.Millisecond, MaxDelay: 20 * time.Second}
//	p.Delay(1) // in [0, 500ms)
//	p.Delay(4) // in [0, 4s)
func (p RetryPolicy) Delay(n int) time.Duration {
	ceil := p.BaseDelay
	for i := 1; i < n && ceil < p.MaxDelay; i++ {
		ceil *= 2
	}
	ceil = min(ceil, p.MaxDelay)
	if ceil <= 0 {
		return 0
	}
	return rand.N(ceil)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retry calls f until it succeeds, fails with an error that is not
// retryable, runs out of attempts, or ctx ends. onRetry is told of every
// retried failure with the number of the attempt that failed.
func retry(ctx context.Context, p RetryPolicy, f func() error, onRetry func(attempt int, err error)) error {
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || !IsRetryable(err) || attempt >= p.MaxAttempts {
			return err
		}
		if ctx.Err() != nil {
			return err
		}
		if onRetry != nil {
			onRetry(attempt, err)
		}
		if serr := sleep(ctx, p.Delay(attempt)); serr != nil {
			return err
		}
	}
}
