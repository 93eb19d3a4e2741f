// Package ratelimit paces API requests the way the clouds meter them: token
// buckets per API action or category, with the bucket sizes and refill
// rates each cloud documents ([AWS], [Outscale]).
//
// A cloud meters an account's requests in token buckets: a bucket holds at
// most Size tokens, gains Refill tokens a second, and each request takes one
// from every bucket it draws from; a request that finds a bucket empty is
// refused (AWS: RequestLimitExceeded, Throttling; OUTSCALE: HTTP 429). A
// [Limiter] keeps a client-side copy of those buckets, each full at first,
// and makes a request wait for its tokens instead of being refused. The
// engine (package provider) makes one Limiter per Engine and hands it to the
// driver through the context ([NewContext]); a driver calls [Wait] before
// each request it sends, retries included, naming it by service and
// action. That is the one limiter layer: the engine itself does not pace
// driver operations, since one operation may be several requests in
// several buckets.
//
// Worked example: EC2 meters each mutating action in a bucket of 50 tokens
// refilled at 5 a second. A deployment of 200 subnets makes 200
// CreateSubnet requests: 50 at once, then 5 a second, so at least
// (200-50)/5 = 30 s, whatever the parallelism ([Limiter.Bound]). The 200
// CreateRouteTable requests draw from their own bucket at the same time.
package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Bucket is a token bucket as a cloud documents it: it holds at most Size
// tokens (the burst) and gains Refill tokens a second (the sustained rate).
type Bucket struct {
	Size   int
	Refill float64
}

// Call is one API request, as a driver names it for the limiter.
type Call struct {
	// Service is the API: ServiceEC2, ServiceELBv2, ServiceAutoScaling,
	// ServiceRDS (the aws-sdk-go-v2 service ids) or ServiceOutscale.
	Service string
	// Action is the API action: "CreateSubnet", "DescribeVpcs",
	// "CreateSecurityGroupRule".
	Action string
	// Unfiltered reports an EC2 describe request with neither a filter nor
	// pagination, which some actions meter in a smaller bucket.
	Unfiltered bool
}

// The services of [Call.Service].
const (
	ServiceEC2         = "EC2"
	ServiceELBv2       = "Elastic Load Balancing v2"
	ServiceAutoScaling = "Auto Scaling"
	ServiceRDS         = "RDS"
	ServiceIAM         = "IAM"
	ServiceLogs        = "CloudWatch Logs"
	ServiceElastiCache = "ElastiCache"
	ServiceMQ          = "Amazon MQ"
	ServiceBackup      = "Backup"
	ServiceOutscale    = "OUTSCALE"
)

// Meter is one bucket a request draws from, by name: requests whose meters
// have the same name share the bucket ("EC2 CreateSubnet",
// "Elastic Load Balancing v2 account").
type Meter struct {
	Name string
	Bucket
}

// Table says which buckets meter each request of a cloud. A request with
// no meter is not paced. The slice it returns is the caller's.
type Table func(Call) []Meter

// Flat returns a Table that meters every request in one bucket of burst
// tokens refilled at rps a second.
func Flat(rps float64, burst int) Table {
	b := Bucket{Size: max(burst, 1), Refill: rps}
	return func(Call) []Meter { return []Meter{{Name: "flat", Bucket: b}} }
}

// Limiter paces requests by a Table: one token bucket per meter name,
// made full on first use. It is safe for concurrent use; engines that
// work in the same account and region may share one, as the cloud's
// buckets are the account's.
type Limiter struct {
	table Table
	mu    sync.Mutex
	used  map[string]*bucket
}

type bucket struct {
	lim   *rate.Limiter
	spec  Bucket
	taken int
}

// New returns a Limiter that meters requests by t.
func New(t Table) *Limiter {
	return &Limiter{table: t, used: map[string]*bucket{}}
}

// Wait blocks until every bucket c draws from has a token for it, and
// takes them. It returns a *NotSentError, wrapping ctx's error, when ctx
// ends first or a token would come after ctx's deadline. A nil Limiter
// does not wait.
func (l *Limiter) Wait(ctx context.Context, c Call) error {
	if l == nil || l.table == nil {
		return nil
	}
	for _, m := range l.table(c) {
		b := l.bucket(m)
		if err := wait(ctx, b.lim); err != nil {
			return &NotSentError{Call: c, Err: err}
		}
		l.mu.Lock()
		b.taken++
		l.mu.Unlock()
	}
	return nil
}

// wait takes a token of lim, waiting for it; a caller that holds a Slot
// (ctx's) gives it up while it waits.
func wait(ctx context.Context, lim *rate.Limiter) error {
	r := lim.Reserve()
	d := r.Delay()
	if d == 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		r.Cancel()
		return fmt.Errorf("a token comes in %s, after the context's deadline: %w", d, context.DeadlineExceeded)
	}
	if s, ok := ctx.Value(slotKey{}).(Slot); ok {
		s.Release()
		defer s.Acquire()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		r.Cancel()
		return ctx.Err()
	}
}

// Slot is a place among a caller's operations in flight (the engine's
// Parallelism): a request that must wait for tokens gives its place up
// while it waits, and takes one again before it goes on, so that requests
// of other buckets use the place meanwhile.
type Slot interface {
	Release()
	Acquire()
}

type slotKey struct{}

// WithSlot returns a copy of ctx whose requests give s up while they wait
// for tokens.
func WithSlot(ctx context.Context, s Slot) context.Context {
	return context.WithValue(ctx, slotKey{}, s)
}

func (l *Limiter) bucket(m Meter) *bucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.used[m.Name]
	if b == nil {
		size := max(m.Size, 1)
		b = &bucket{lim: rate.NewLimiter(rate.Limit(m.Refill), size), spec: Bucket{Size: size, Refill: m.Refill}}
		l.used[m.Name] = b
	}
	return b
}

// Taken returns the tokens taken so far from each bucket, by meter name.
func (l *Limiter) Taken() map[string]int {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.used))
	for name, b := range l.used {
		out[name] = b.taken
	}
	return out
}

// Bound returns the least time in which the requests metered so far fit
// in their buckets, each full at first: the largest, over the buckets, of
// (tokens taken - Size) / Refill. No schedule of those requests within the
// cloud's limits is shorter.
func (l *Limiter) Bound() time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var bound time.Duration
	for _, b := range l.used {
		if over := b.taken - b.spec.Size; over > 0 && b.spec.Refill > 0 {
			bound = max(bound, time.Duration(float64(over)/b.spec.Refill*float64(time.Second)))
		}
	}
	return bound
}

type ctxKey struct{}

// NewContext returns a copy of ctx that carries l, for the driver calls
// made with it.
func NewContext(ctx context.Context, l *Limiter) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext returns the Limiter ctx carries, or nil.
func FromContext(ctx context.Context) *Limiter {
	l, _ := ctx.Value(ctxKey{}).(*Limiter)
	return l
}

// Wait waits for the tokens of c in the Limiter ctx carries (see
// [Limiter.Wait]); without one it returns at once. Drivers call it before
// each request they send. Once the tokens are taken, it calls the
// function ctx carries from [WithSent].
func Wait(ctx context.Context, c Call) error {
	if err := FromContext(ctx).Wait(ctx, c); err != nil {
		return err
	}
	if f, ok := ctx.Value(sentKey{}).(func()); ok {
		f()
	}
	return nil
}

type sentKey struct{}

// WithSent returns a copy of ctx whose requests call sent when [Wait]
// lets them go out: the engine learns from it whether an operation sent
// anything before its run stopped.
func WithSent(ctx context.Context, sent func()) context.Context {
	return context.WithValue(ctx, sentKey{}, sent)
}

// NotSentError is the error of a request that [Limiter.Wait] held back:
// its context ended while it waited for tokens, or its tokens would come
// after the context's deadline. The request was not sent.
type NotSentError struct {
	Call Call
	Err  error // wraps context.Canceled or context.DeadlineExceeded
}

func (e *NotSentError) Error() string {
	return "ratelimit: " + e.Call.Service + " " + e.Call.Action + " not sent: " + e.Err.Error()
}

func (e *NotSentError) Unwrap() error { return e.Err }
