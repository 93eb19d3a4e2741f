// Package wait holds what the engine and the drivers share that is no part
// of the driver contract: the context-aware sleep of every backoff and poll.
package wait

import (
	"context"
	"time"
)

// Sleep waits d or until ctx is done, and returns ctx's error in the second
// case. A d of zero or less returns at once with ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
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

// SleepUnless is Sleep that also ends early, reporting true, once done is
// closed (a nil done never is).
func SleepUnless(ctx context.Context, d time.Duration, done <-chan struct{}) (bool, error) {
	t := time.NewTimer(max(d, 0))
	defer t.Stop()
	select {
	case <-done:
		return true, nil
	case <-ctx.Done():
		return false, ctx.Err()
	case <-t.C:
		return false, ctx.Err()
	}
}
