package driver

import (
	"math/rand/v2"
	"time"
)

// RetryPolicy is an exponential backoff with full jitter: before attempt
// n+1 a caller sleeps a random duration in [0, min(MaxDelay,
// BaseDelay*2^(n-1))). Only retryable errors ([IsRetryable]) are retried.
// The engine (package provider) retries with it; a driver with a retry
// loop of its own computes its delays with [RetryPolicy.Delay].
type RetryPolicy struct {
	// MaxAttempts is the number of attempts of one call, the first
	// included. The engine's default for 0 is 8.
	MaxAttempts int
	// BaseDelay is the backoff of the first retry. The engine's default
	// for 0 is 200ms.
	BaseDelay time.Duration
	// MaxDelay caps the backoff. The engine's default for 0 is 20s.
	MaxDelay time.Duration
}

// Delay returns the full-jitter delay before retry n (n >= 1): a random
// duration in [0, min(MaxDelay, BaseDelay*2^(n-1))). The fields are used as
// they are, without the defaults the engine applies to a zero policy:
//
//	p := driver.RetryPolicy{BaseDelay: 500 * time.Millisecond, MaxDelay: 20 * time.Second}
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
