package outscale

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/wait"
	"github.com/archkit/archkit/provider/ratelimit"
)

// call runs one OUTSCALE operation with the driver's credentials, retrying
// what [notReady] accepts with exponential backoff and full jitter: before
// attempt n+1 it sleeps a random duration in [0, min(MaxDelay,
// BaseDelay*2^(n-1))). It stops after Options.MaxAttempts attempts or when
// ctx ends, and returns a *driver.Error for kind/id on failure.
//
// osc-sdk-go/v2 retries nothing itself, so every call of the driver goes
// through here, and this loop is the one retry layer of the driver: the
// error it returns is never Retryable (its Code stays Throttled or
// Unavailable), so the engine does not retry it again. One persistently
// throttled create costs at most Options.MaxAttempts calls (6 by default).
//
// Each attempt first waits for its token in the rate limiter of ctx (the
// engine's, see package ratelimit): OUTSCALE meters requests per account.
func call[T any](ctx context.Context, d *Driver, op, kind, id string, fn func(ctx context.Context) (T, *http.Response, error)) (T, error) {
	actx := d.auth(ctx)
	var zero T
	for attempt := 1; ; attempt++ {
		if err := ratelimit.Wait(ctx, ratelimit.Call{Service: ratelimit.ServiceOutscale, Action: op}); err != nil {
			return zero, wrap(op, kind, id, &APIError{Op: op, Err: err})
		}
		d.calls.Add(1)
		out, res, err := fn(actx)
		if res != nil && res.Body != nil {
			_ = res.Body.Close()
		}
		if err == nil {
			d.log.LogAttrs(ctx, slog.LevelDebug, "call", slog.String(logOp, op), slog.String(logKind, kind), slog.String(logID, id))
			return out, nil
		}
		ae := decodeError(op, res, err)
		code := classify(ae)
		if ae.Status == 0 && !repeatable[op] && strings.HasPrefix(op, "Create") {
			// No answer: the resource may exist. A token-less create that
			// makes a new id is not repeated, by the driver or by the
			// engine, or it could make a second resource.
			return zero, wrap(op, kind, id, ae)
		}
		if !notReady(ae, code) || attempt >= d.opts.MaxAttempts {
			return zero, wrap(op, kind, id, ae)
		}
		delay := driver.RetryPolicy{BaseDelay: d.opts.RetryBaseDelay, MaxDelay: d.opts.RetryMaxDelay}.Delay(attempt)
		d.log.LogAttrs(ctx, slog.LevelDebug, "retry", slog.String(logOp, op), slog.String(logKind, kind), slog.String(logID, id),
			slog.Int(logAttempt, attempt), slog.String(logCode, ae.Code), slog.Int(logStatus, ae.Status), slog.Duration(logDelay, delay))
		if err := wait.Sleep(ctx, delay); err != nil {
			return zero, wrap(op, kind, id, &APIError{Op: op, Status: ae.Status, Code: ae.Code, Type: ae.Type, Details: ae.Details, Err: err})
		}
	}
}

// repeatable lists the create operations that are safe to send again
// when no answer came: those with a client token, those whose repeat is
// refused as a conflict (a name, a range, a destination or a rule that
// must be unique) and the tag calls.
var repeatable = map[string]bool{
	"CreateVms": true, "CreateNatService": true, "CreateSnapshot": true, // ClientToken
	"CreateSubnet": true, "CreateSecurityGroup": true, "CreateLoadBalancer": true, // unique range or name
	"CreateRoute": true, "CreateSecurityGroupRule": true, "CreateLoadBalancerListeners": true,
	"CreateTags": true, "CreateLoadBalancerTags": true,
}

// Log keys.
const (
	logOp      = "op"
	logKind    = "kind"
	logID      = "id"
	logAttempt = "attempt"
	logCode    = "code"
	logStatus  = "status"
	logDelay   = "delay"
	logRegion  = "region"
	logAccess  = "access_key"
)
