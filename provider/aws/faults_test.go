package aws_test

import (
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/driver"
)

// TestFailureAtEveryWrite fails the k-th AWS write call of a first apply
// of the web app, then applies again without faults: the second apply
// converges (everything created once, nothing duplicated), and a third
// makes no write call. k runs over a stride of the write calls of a clean
// apply (every 4th call and the last) to keep the test short;
// ARCHKIT_FAULT_STRIDE=1 covers them all.
func TestFailureAtEveryWrite(t *testing.T) {
	t.Parallel()
	faultStride := int64(4)
	if s, err := strconv.Atoi(os.Getenv("ARCHKIT_FAULT_STRIDE")); err == nil && s > 0 {
		faultStride = int64(s)
	}
	clean := newDriver(t)
	bp := webApp("faults")
	withCertificate(bp, requestCertificate(t.Context(), t, clean, "faults.example.com"))
	_, err := engine(clean.Driver).Apply(t.Context(), bp)
	require.NoError(t, err)
	total, _, _ := clean.calls.snapshot()
	require.Positive(t, total)

	var ks []int64
	for k := int64(1); k <= total; k += faultStride {
		ks = append(ks, k)
	}
	if ks[len(ks)-1] != total {
		ks = append(ks, total)
	}
	for _, k := range ks {
		t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
			t.Parallel()
			td := newDriver(t)
			bp := webApp("faults")
			withCertificate(bp, requestCertificate(t.Context(), t, td, "faults.example.com"))
			eng := engine(td.Driver)
			td.calls.failWrite = k
			_, err := eng.Apply(t.Context(), bp)
			require.Error(t, err, "write %d of %d was to fail", k, total)
			assert.Contains(t, err.Error(), "InjectedFailure")

			td.calls.failWrite = 0
			_, err = eng.Apply(t.Context(), bp)
			require.NoError(t, err, "the apply after a failure at write %d must converge", k)
			assertOnce(t, td, bp)

			td.calls.reset()
			res, err := eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			writes, _, ops := td.calls.snapshot()
			assert.Zero(t, writes, "third apply wrote: %v", ops)
			assert.Equal(t, len(bp.Resources), res.Unchanged)
		})
	}
}

// assertOnce checks that each resource of bp exists exactly once.
func assertOnce(t *testing.T, td *testDriver, bp *blueprint.Blueprint) {
	t.Helper()
	for _, k := range blueprint.Kinds {
		want := len(bp.OfKind(k))
		got, err := td.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: k})
		require.NoError(t, err)
		assert.Len(t, got, want, "kind %s", k)
	}
}

// TestThrottlingRetried makes the first two attempts of every AWS call
// fail with RequestLimitExceeded: the SDK retryer (standard mode, 4
// attempts, backoff capped at 5ms) retries them and the apply succeeds
// without the engine seeing a single error.
func TestThrottlingRetried(t *testing.T) {
	t.Parallel()
	for _, mode := range []awssdk.RetryMode{awssdk.RetryModeStandard} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			td := newDriver(t, func(o *aws.Options) {
				o.RetryMaxAttempts = 4
				o.RetryMaxBackoff = 5 * time.Millisecond
				o.RetryMode = mode
			})
			td.calls.throttle = 2
			bp := webApp("throttled")
			withCertificate(bp, requestCertificate(t.Context(), t, td, "throttled.example.com"))
			var retried atomic.Int64
			eng := provider.NewEngine(td.Driver, func(o *provider.Options) {
				o.RateLimit = -1
				o.PollMin, o.PollMax = 5*time.Millisecond, 20*time.Millisecond
				o.Retry = driver.RetryPolicy{MaxAttempts: 1}
				o.OnEvent = func(e provider.Event) {
					if e.Type == provider.EventRetried {
						retried.Add(1)
					}
				}
			})
			res, err := eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			writes, reads, _ := td.calls.snapshot()
			attempts := td.calls.attempts.Load()
			t.Logf("%s: %s; %d calls, %d attempts, %d SDK retries", mode, res, writes+reads, attempts, attempts-writes-reads)
			assert.GreaterOrEqual(t, attempts, 3*(writes+reads), "each call: two throttled attempts and one that passes")
			assert.Zero(t, retried.Load())
		})
	}
}

// TestThrottlingAdaptive: the adaptive retryer retries a throttled call
// too. (A whole apply under a throttling storm is not run in adaptive
// mode: its client-side rate limiter then slows the client down to
// minutes per call, which is what it is for.)
func TestThrottlingAdaptive(t *testing.T) {
	t.Parallel()
	td := newDriver(t, func(o *aws.Options) {
		o.RetryMaxAttempts = 4
		o.RetryMaxBackoff = 5 * time.Millisecond
		o.RetryMode = awssdk.RetryModeAdaptive
	})
	td.calls.throttle = 2
	zones, err := td.Zones(t.Context())
	require.NoError(t, err)
	assert.NotEmpty(t, zones)
	assert.Equal(t, int64(3), td.calls.attempts.Load())
}

// TestThrottlingExhausted: with fewer attempts than throttled ones the
// error reaches the caller as a Throttled *driver.Error that is not
// Retryable: the SDK's retryer is the one retry layer.
func TestThrottlingExhausted(t *testing.T) {
	t.Parallel()
	td := newDriver(t, func(o *aws.Options) { o.RetryMaxAttempts = 2; o.RetryMaxBackoff = time.Millisecond })
	td.calls.throttle = 5
	_, err := td.Zones(t.Context())
	require.ErrorIs(t, err, driver.ErrThrottled)
	assert.False(t, driver.IsRetryable(err))
	var pe *driver.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "DescribeAvailabilityZones", pe.Op)
}

// TestDestroyAfterFailedCreate stops an apply between the two halves of
// a resource (the launch template made, its autoscaling group refused;
// the DB subnet group made, its instance refused): Destroy then still
// removes everything, and so does an apply that completes them.
func TestDestroyAfterFailedCreate(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"CreateAutoScalingGroup", "CreateDBInstance", "CreateTargetGroup", "CreateListener"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			td := newDriver(t)
			bp := webApp("halfway")
			withCertificate(bp, requestCertificate(t.Context(), t, td, "halfway.example.com"))
			eng := engine(td.Driver)
			td.calls.failOp = op
			_, err := eng.Apply(t.Context(), bp)
			require.ErrorContains(t, err, op)
			td.calls.failOp = ""

			_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
			require.NoError(t, err)
			w := readWitness(t, td, bp.Deployment)
			assert.Empty(t, w.EC2Tagged)
			assert.Empty(t, w.LBs)
			assert.Empty(t, w.ASGs)
			assert.Empty(t, w.DBs)
			assert.Zero(t, w.LaunchTemplates, "launch templates left")
			assert.Zero(t, w.TargetGroups, "target groups left")
			assert.Zero(t, w.DBSubnetGroups, "DB subnet groups left")
		})
	}
}
