package provider

import (
	"log/slog"
	"time"

	"github.com/archkit/archkit/provider/driver"
)

// Options configure an [Engine]. The zero value of every field selects the
// default documented on it.
type Options struct {
	// Logger receives the engine's structured log, with the keys of the
	// LogKey constants. nil: nothing is logged.
	Logger *slog.Logger
	// Parallelism bounds the driver operations (create, update, delete and
	// their waits) in flight at once. 0: 16, enough for the widest level of
	// the ready patterns (the three-tier Net creates 16 route tables, network ACLs and
	// rule sets at once), so that an apply takes its critical path and no
	// more; the rate limit, not this bound, keeps the API calls in check.
	Parallelism int
	// RateLimit is the client-side rate limit of driver calls, reads and
	// writes together, in requests per second. 0: 20; negative: no limit.
	RateLimit float64
	// RateBurst is the burst of the rate limit. 0: 10.
	RateBurst int
	// Retry is the retry policy for retryable errors ([driver.IsRetryable]),
	// those of a driver without a retry layer of its own (the fake): the
	// AWS and OUTSCALE drivers retry their calls themselves and hand back
	// errors that are not Retryable. Its zero fields take the defaults: 8
	// attempts, 200ms base delay, 20s cap. Worst case, one persistently
	// throttled create on the fake costs MaxAttempts calls.
	Retry driver.RetryPolicy
	// WaitTimeout bounds the wait for an asynchronous resource to become
	// ready after its create (a NAT gateway, a load balancer). 0: 10m.
	WaitTimeout time.Duration
	// PollMin and PollMax bound the delay between two reads while waiting;
	// the delay doubles from PollMin up to PollMax. 0: 1s and 15s.
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
	// Lock and Lease are those of [ApplyOptions], for the destroy's
	// deletes.
	Lock  LockOptions
	Lease *Lease
}

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Parallelism <= 0 {
		o.Parallelism = 16
	}
	if o.RateLimit == 0 {
		o.RateLimit = 20
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
