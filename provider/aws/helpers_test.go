package aws_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/aws/internal/mototest"
)

func TestMain(m *testing.M) { os.Exit(mototest.Main(m)) }

// calls counts the driver's API calls through a middleware on every
// client, and injects faults: a failure of the k-th write call, and
// throttling of the first attempts of calls.
type calls struct {
	mu     sync.Mutex
	ops    map[string]int
	writes atomic.Int64
	reads  atomic.Int64
	// attempts counts the HTTP attempts (retries included).
	attempts atomic.Int64

	// failWrite makes the k-th write call fail (1-based; 0: never).
	failWrite int64
	// failOp makes every call of this operation fail ("": none).
	failOp string
	// throttle makes the first throttle attempts of every call fail with
	// RequestLimitExceeded, before the request is sent; of the calls of
	// throttleOp only, when it is set.
	throttle   int64
	throttleOp string
	// opAttempts counts the HTTP attempts per operation.
	opAttempts map[string]int
}

func isWrite(op string) bool {
	for _, p := range []string{"Create", "Delete", "Authorize", "Revoke", "Modify", "Attach", "Detach", "Associate",
		"Disassociate", "Run", "Allocate", "Release", "Replace", "Terminate", "Update", "Set", "Register",
		"Deregister", "Add", "Remove", "Put", "Accept"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

// isLockOp reports whether op takes or releases the deployment's lock (a
// launch template), in a test whose Blueprint makes no launch template.
func isLockOp(op string) bool {
	return op == "CreateLaunchTemplate" || op == "DeleteLaunchTemplate"
}

type attemptKey struct{}

// count adds one to (*m)[op], under c's lock.
func (c *calls) count(m *map[string]int, op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[op]++
}

// apiOptions returns the middleware of c.
func (c *calls) apiOptions() []func(*middleware.Stack) error {
	count := middleware.InitializeMiddlewareFunc("archkitCount", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		op := middleware.GetOperationName(ctx)
		c.count(&c.ops, op)
		if op == c.failOp {
			return middleware.InitializeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{Code: "InjectedFailure", Message: op + " fails", Fault: smithy.FaultClient}
		}
		if isWrite(op) {
			if n := c.writes.Add(1); n == c.failWrite {
				return middleware.InitializeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{Code: "InjectedFailure", Message: fmt.Sprintf("write %d (%s) fails", n, op), Fault: smithy.FaultClient}
			}
		} else {
			c.reads.Add(1)
		}
		ctx = middleware.WithStackValue(ctx, attemptKey{}, new(atomic.Int64))
		return next.HandleInitialize(ctx, in)
	})
	attempt := middleware.FinalizeMiddlewareFunc("archkitAttempt", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		c.attempts.Add(1)
		op := middleware.GetOperationName(ctx)
		c.count(&c.opAttempts, op)
		if c.throttleOp != "" && op != c.throttleOp {
			return next.HandleFinalize(ctx, in)
		}
		if n, ok := middleware.GetStackValue(ctx, attemptKey{}).(*atomic.Int64); ok && n.Add(1) <= c.throttle {
			return middleware.FinalizeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{Code: "RequestLimitExceeded", Message: "Request limit exceeded (injected)"}
		}
		return next.HandleFinalize(ctx, in)
	})
	return []func(*middleware.Stack) error{
		func(s *middleware.Stack) error { return s.Initialize.Add(count, middleware.Before) },
		func(s *middleware.Stack) error {
			if _, ok := s.Finalize.Get("Retry"); ok {
				return s.Finalize.Insert(attempt, "Retry", middleware.After)
			}
			return s.Finalize.Add(attempt, middleware.After)
		},
	}
}

func (c *calls) snapshot() (writes, reads int64, ops map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ops = map[string]int{}
	for k, v := range c.ops {
		ops[k] = v
	}
	return c.writes.Load(), c.reads.Load(), ops
}

func (c *calls) reset() {
	c.mu.Lock()
	c.ops = nil
	c.mu.Unlock()
	c.writes.Store(0)
	c.reads.Store(0)
	c.attempts.Store(0)
}

// testDriver is a driver on moto in a fresh account, with short waits and
// its call counter. The SDK retries a call at most twice, 5ms apart:
// enough to absorb the connection resets a loaded moto_server sends now
// and then (the SDK retries those, as it does in production), too few to
// hide an error a test expects. Tests about throttling set their own.
type testDriver struct {
	*aws.Driver
	account  string
	endpoint string
	calls    *calls
	// gaps serves what moto does not (backup selections, AWS managed
	// policies) and keeps the requests it served.
	gaps *mototest.BackupGaps
}

func newDriver(t testing.TB, optFns ...func(*aws.Options)) *testDriver {
	t.Helper()
	ep := mototest.Endpoint(t)
	account := mototest.Account()
	c := &calls{}
	gaps := mototest.NewBackupGaps()
	cfg := mototest.Config()
	cfg.HTTPClient = gaps.Client()
	d, err := aws.NewFromConfig(cfg, func(o *aws.Options) {
		o.BaseEndpoint = ep
		o.RetryMaxAttempts = 3
		o.RetryMaxBackoff = 5 * time.Millisecond
		o.WaitTimeout = 20 * time.Second
		o.PollInterval = 5 * time.Millisecond
		o.APIOptions = append([]func(*middleware.Stack) error{mototest.WithAccount(account)}, c.apiOptions()...)
		for _, fn := range optFns {
			fn(o)
		}
	})
	require.NoError(t, err)
	return &testDriver{Driver: d, account: account, endpoint: ep, calls: c, gaps: gaps}
}

// allowStateful lets a Destroy delete every stateful resource of bp, with
// no final snapshot: the tests' clean-up, which leaves nothing in moto.
func allowStateful(bp *blueprint.Blueprint) func(*provider.DestroyOptions) {
	return func(o *provider.DestroyOptions) {
		for _, r := range bp.Resources {
			if r.IsStateful() {
				o.AllowDataLoss = append(o.AllowDataLoss, r.ID)
			}
		}
		o.SkipFinalSnapshot, o.DeleteAutomatedBackups = true, true
	}
}
