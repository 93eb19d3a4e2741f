package aws

import (
	"context"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/archkit/archkit/provider/driver"
)

// A create looks up by tags (deployment, logical id and token) what an
// earlier attempt of the same request made only when there was one: the
// token is new in each run (driver.Request.Token), so the first attempt
// of a request can find nothing, and the look-up would be a read for
// nothing on every create. The driver keeps the token and logical id of
// every create it sent (some 100 bytes each, for the driver's life): a
// repeat of a request, after a failure, a lost answer or even a success
// (the contract's idempotent create), looks up and finds the first.

type resendKey struct{}

// attempt records req's create as sent and returns ctx telling whether
// an earlier attempt of it was sent.
func (d *Driver) attempt(ctx context.Context, req driver.Request) context.Context {
	if req.Token == "" {
		return ctx
	}
	_, again := d.sent.LoadOrStore(req.Token+"\x00"+req.Resource.ID, struct{}{})
	return context.WithValue(ctx, resendKey{}, again)
}

// resending reports whether the create of ctx may follow an earlier
// attempt of the same request, which the look-up must find: true unless
// [Driver.attempt] knows that it is the first.
func resending(ctx context.Context) bool {
	again, known := ctx.Value(resendKey{}).(bool)
	return !known || again
}

// lookUp sends the describe of a create's look-up only when the create
// may follow an earlier attempt ([resending]); otherwise it answers
// empty, as the cloud would.
func lookUp[I, O any](ctx context.Context, describe func(context.Context, *I, ...func(*ec2.Options)) (*O, error), in *I) (*O, error) {
	if !resending(ctx) {
		return new(O), nil
	}
	return describe(ctx, in)
}

// mustLookUp returns ctx for a look-up that runs even on a first attempt:
// the create's own answer said that the resource exists.
func mustLookUp(ctx context.Context) context.Context {
	return context.WithValue(ctx, resendKey{}, true)
}
