// Package resend tells a driver's create whether it repeats a request
// the driver sent before, so that it looks up by tags what an earlier
// attempt made only then.
//
// The token of a request is new in each run (driver.Request.Token): the
// first attempt of a request can find nothing that an earlier attempt
// made, and a look-up before it is a read for nothing on every create. A
// [Sent] keeps the token and logical id of every create a driver sent
// (some 100 bytes each, for the driver's life): a repeat of a request,
// after a failure, a lost answer or even a success (the contract's
// idempotent create), looks up and finds the first.
package resend

import (
	"context"
	"sync"

	"github.com/archkit/archkit/provider/driver"
)

// Sent is the creates a driver sent. The zero value is ready; it is safe
// for concurrent use and must not be copied.
type Sent struct{ m sync.Map }

type key struct{}

// Attempt records req's create as sent and returns ctx telling
// [Resending] whether an earlier attempt of it was sent. A request
// without a token is always looked up.
func (s *Sent) Attempt(ctx context.Context, req driver.Request) context.Context {
	if req.Token == "" {
		return ctx
	}
	_, again := s.m.LoadOrStore(req.Token+"\x00"+req.Resource.ID, struct{}{})
	return context.WithValue(ctx, key{}, again)
}

// Resending reports whether the create of ctx may follow an earlier
// attempt of the same request, which its look-up must find: true unless
// [Sent.Attempt] knows that it is the first.
func Resending(ctx context.Context) bool {
	again, known := ctx.Value(key{}).(bool)
	return !known || again
}

// Force returns ctx for a look-up that runs even on a first attempt (the
// create's own answer said that the resource exists).
func Force(ctx context.Context) context.Context {
	return context.WithValue(ctx, key{}, true)
}
