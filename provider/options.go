package provider

import (
	"log/slog"
	"time"

	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/ratelimit"
)

// Options configure an [Engine]. The zero value of every field selects the
// default documented on it. The defaults of the pacing fields (RateLimit,
// Retry, PollMin and PollMax) are a cloud's, unless the driver is local
// ([driver.Capabilities.Local], as the fake is): then no rate limit, polls
// from 1ms to 10ms and retries after at most 1ms, so that a test on the
// fake is fast without options:
//
//	eng := provider.NewEngine(fake.New()) // an apply of the three-tier Net in milliseconds
type Options struct {
	// Logger receives the engine's structured log, with the keys of the
	// LogKey constants. nil: nothing is logged.
	Logger *slog.Logger
	// Parallelism bounds the driver operations (create, update, delete and
	// their waits) in flight at once. 0: 16, enough for the widest level of
	// the ready patterns (the three-tier Net creates 16 route tables, network ACLs and
	// rule sets at once), so that an apply takes its critical path and no
	// more; the rate limit, not this bound, keeps the API calls in check.
	// An operation whose request waits for rate-limit tokens gives its
	// place up meanwhile, so that requests of other buckets go on.
	Parallelism int
	// RateLimits says which token buckets meter each API request, as the
	// cloud meters them: the driver reports each request it sends, retries
	// included, to the engine's limiter (package ratelimit), which makes it
	// wait for its tokens instead of being throttled by the cloud. nil: the
	// buckets the driver's cloud documents, by the Name of its Profile:
	// ratelimit.AWS (EC2 per action: mutating 50 tokens refilled at 5/s,
	// non-mutating 100 at 20/s; ELBv2, RDS and Auto Scaling per account),
	// ratelimit.Outscale (10 tokens refilled at 5/s per account); no limit
	// for another cloud, and none for a local driver ([driver.Capabilities]
	// Local: the fake), so that tests run at full speed. Set RateLimits
	// (or Limiter) to pace a local driver too: the fake meters its calls
	// as the cloud it mimics.
	RateLimits ratelimit.Table
	// RateLimit, when positive, replaces the buckets of RateLimits with one
	// flat client-side limit for every request, in requests per second,
	// with a burst of RateBurst; negative: no client-side limit (an
	// in-memory driver needs none). 0: RateLimits.
	RateLimit float64
	// RateBurst is the burst of a positive RateLimit. 0: 10.
	RateBurst int
	// Limiter, when set, is the limiter the engine paces requests with,
	// instead of one of its own: engines that work in the same account and
	// region share the cloud's buckets, and should share one Limiter.
	// RateLimits, RateLimit and RateBurst are then ignored.
	Limiter *ratelimit.Limiter
	// Retry is the retry policy for retryable errors ([driver.IsRetryable]),
	// those of a driver without a retry layer of its own (the fake): the
	// AWS and OUTSCALE drivers retry their calls themselves and hand back
	// errors that are not Retryable. Its zero fields take the defaults: 8
	// attempts, 200ms base delay, 20s cap (local driver: 16 attempts, 1ms
	// and 1ms: a retry costs nothing there, and a test that throttles 30%
	// of the fake's calls sees a call throttled 8 times in a row about
	// once in 15,000 calls, 16 times once in 200 million).
	// Worst case, one persistently throttled create on the fake costs
	// MaxAttempts calls.
	Retry driver.RetryPolicy
	// WaitTimeout bounds the wait for an asynchronous resource to become
	// ready after its create (a NAT gateway, a load balancer). 0: 10m.
	WaitTimeout time.Duration
	// PollMin and PollMax bound the delay between two reads while waiting;
	// the delay doubles from PollMin up to PollMax. 0: 1s and 15s (local
	// driver: 1ms and 10ms).
	PollMin, PollMax time.Duration
	// DependencyRetries is how many times a delete refused with Code
	// Dependency is tried again (after the Retry policy's backoff) before
	// the error is reported: on AWS, network interfaces linger for a while
	// after their load balancer is deleted. 0: 5; negative: none.
	DependencyRetries int
	// OnEvent, when set, receives one [Event] per step of every resource.
	// It is called from several goroutines, one call at a time per
	// resource; it must be safe for concurrent use ([Renderer.Handle] is).
	OnEvent func(Event)
	// AllowFallback lets the engine adapt a Blueprint to a driver that
	// lacks a kind: network ACL resources are dropped (security groups
	// already enforce the same flows) and a database is replaced by its
	// [blueprint.DatabaseSpec.Fallback] cluster, and the fields the driver
	// lists in [driver.Capabilities.UnsupportedFields] are cleared (a cluster's
	// scaling policy on OUTSCALE: the nodes stay at Desired). Each
	// adaptation is reported as a notice event. false: such a Blueprint is
	// refused before any call.
	AllowFallback bool
	// Tags are added to every resource created, after the ownership tags,
	// which they cannot override.
	Tags map[string]string
	// Lock configures the deployment lock every Apply and Destroy holds
	// while it writes: its lease, renewals and wait ([LockOptions]; the
	// zero value: a 5-minute lease, renewed every minute, no wait).
	Lock LockOptions
}

// ApplyOptions configure one [Engine.Apply] call.
type ApplyOptions struct {
	// DryRun plans and reports the changeset (planned events, Result with
	// the changeset) without a single write call, and without the lock.
	// It returns the error a real run would return before its first write
	// (ErrProtected).
	DryRun bool
	// AllowDataLoss lists the logical ids ("database/db") of the stateful
	// resources this run may delete or replace. A plan that deletes or
	// replaces a stateful resource it does not name is refused before the
	// first write, with an error that matches [ErrProtected]. The opt-in
	// is per resource and per run, like Terraform's prevent_destroy
	// lifted for one apply. An allowed replace creates the new resource
	// before it deletes the old one when the cloud can hold both; the old
	// one goes with a final snapshot where the cloud takes one.
	AllowDataLoss []string
	// Confirm, when set, is called with the changeset after the plan and
	// before the first write: the place to show the plan and ask for a
	// confirmation (package provider/deploy does). An error stops Apply
	// without a write and is returned (having released the lock it took).
	// When there are changes, it is called under the deployment's lock
	// with the changeset planned under it, which is the one applied:
	// nothing is listed again between the confirmation and the writes.
	Confirm func(*Changeset) error
	// Lock changes the engine's Options.Lock for this call: its fields
	// that are set override the engine's. Wait to wait for a run in
	// progress, Break to break a dead run's lock:
	//
	//	eng.Apply(ctx, bp, func(o *provider.ApplyOptions) { o.Lock.Wait = 10 * time.Minute })
	Lock LockOptions
	// Lease, when set, is a lock of the deployment the caller holds
	// ([Engine.Lock]): the apply runs under it instead of taking the lock,
	// and leaves it held.
	Lease *Lease

	// health makes the plan's lists ask for the nodes' health
	// (driver.Query.Health): set by Engine.Reconcile.
	health bool
}

// DestroyOptions configure one [Engine.Destroy] call.
type DestroyOptions struct {
	// AllowDataLoss lists the logical ids of the stateful resources the
	// destroy may delete; a deployment holding a stateful resource it does
	// not name is not touched, and the error matches [ErrProtected].
	AllowDataLoss []string
	// SkipFinalSnapshot deletes a database without the final snapshot
	// taken otherwise ("<identifier>-final-<UTC date>-<UTC time>", see
	// driver.FinalSnapshotName).
	SkipFinalSnapshot bool
	// DeleteAutomatedBackups deletes a database's automated backups with
	// it; by default the cloud keeps them for their retention period.
	DeleteAutomatedBackups bool
	// Confirm, when set, is called with the changeset of the deletes
	// (every resource tagged with the deployment) before the first one:
	// an error stops Destroy without a write and is returned. It is not
	// called when nothing is left to delete.
	Confirm func(*Changeset) error
	// Lock and Lease are those of [ApplyOptions], for the destroy's
	// deletes.
	Lock  LockOptions
	Lease *Lease
}

// setDefaults fills in the zero fields; local selects the pacing
// defaults of a driver that answers in this process.
func (o *Options) setDefaults(local bool) {
	if local {
		o.setLocalDefaults()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Parallelism <= 0 {
		o.Parallelism = 16
	}
	if o.RateBurst <= 0 {
		o.RateBurst = 10
	}
	if o.Retry.MaxAttempts <= 0 {
		o.Retry.MaxAttempts = 8
	}
	if o.Retry.BaseDelay <= 0 {
		o.Retry.BaseDelay = 200 * time.Millisecond
	}
	if o.Retry.MaxDelay <= 0 {
		o.Retry.MaxDelay = 20 * time.Second
	}
	if o.WaitTimeout <= 0 {
		o.WaitTimeout = 10 * time.Minute
	}
	if o.PollMin <= 0 {
		o.PollMin = time.Second
	}
	if o.PollMax <= 0 {
		o.PollMax = 15 * time.Second
	}
	if o.PollMax < o.PollMin {
		o.PollMax = o.PollMin
	}
	if o.DependencyRetries == 0 {
		o.DependencyRetries = 5
	}
	if o.DependencyRetries < 0 {
		o.DependencyRetries = 0
	}
}

// setLocalDefaults fills in the pacing fields left zero with the values
// of a local driver: nothing to protect from load, nothing slow to wait
// for.
func (o *Options) setLocalDefaults() {
	if o.RateLimit == 0 && o.RateLimits == nil && o.Limiter == nil {
		o.RateLimit = -1
	}
	if o.Retry.MaxAttempts <= 0 {
		o.Retry.MaxAttempts = 16
	}
	if o.Retry.BaseDelay <= 0 {
		o.Retry.BaseDelay = time.Millisecond
	}
	if o.Retry.MaxDelay <= 0 {
		o.Retry.MaxDelay = time.Millisecond
	}
	if o.PollMin <= 0 {
		o.PollMin = time.Millisecond
	}
	if o.PollMax <= 0 {
		o.PollMax = 10 * time.Millisecond
	}
}
