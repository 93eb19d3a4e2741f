package aws_test

import (
	"context"
	"net/netip"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/aws/internal/mototest"
	"github.com/archkit/archkit/provider/driver"
)

// netBlueprint is the smallest Blueprint: one Net.
func netBlueprint(dep string) *blueprint.Blueprint {
	return &blueprint.Blueprint{Schema: blueprint.SchemaV2, Deployment: dep, Resources: []blueprint.Resource{
		{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.0.0.0/16")}}}}
}

// TestThrottledCreateCallBound: a create that AWS throttles on every
// attempt costs the SDK retryer's attempts, 8 with the driver's default,
// and no more: the engine does not retry an error the SDK already retried
// (the bound the package documentation states; it was 8 x 8 = 64).
func TestThrottledCreateCallBound(t *testing.T) {
	t.Parallel()
	td := newDriver(t, func(o *aws.Options) {
		o.RetryMaxAttempts = 0 // the driver's default: 8
		o.RetryMaxBackoff = time.Millisecond
	})
	td.calls.throttle, td.calls.throttleOp = 1<<30, "CreateVpc"
	eng := provider.NewEngine(td.Driver, func(o *provider.Options) {
		o.RateLimit = -1
		o.Retry = driver.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: time.Millisecond} // 8 attempts
	})
	_, err := eng.Apply(t.Context(), netBlueprint("throttled"))
	require.ErrorIs(t, err, driver.ErrThrottled)
	assert.False(t, driver.IsRetryable(err))
	_, _, ops := td.calls.snapshot()
	assert.Equal(t, 1, ops["CreateVpc"], "one CreateVpc call from the engine")
	td.calls.mu.Lock()
	defer td.calls.mu.Unlock()
	assert.Equal(t, 8, td.calls.opAttempts["CreateVpc"], "8 attempts, all the SDK's")
}

// retryerOf returns the retryer the driver's EC2 client uses.
func retryerOf(t *testing.T, d *aws.Driver) awssdk.Retryer {
	t.Helper()
	c, ok := d.EC2.(*ec2.Client)
	require.True(t, ok)
	return c.Options().Retryer
}

// TestRetrySettingsOfTheConfigAreKept: the driver installs its retryer
// only when the aws.Config sets no retry setting, and Options that set one
// override the Config.
func TestRetrySettingsOfTheConfigAreKept(t *testing.T) {
	t.Parallel()
	fast := func() awssdk.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 2 })
	}
	for _, tc := range []struct {
		name         string
		cfg          func(*awssdk.Config)
		opts         func(*aws.Options)
		wantAttempts int
		wantAdaptive bool
	}{
		{name: "nothing set: the driver's default", wantAttempts: 8},
		{name: "attempts in the config", cfg: func(c *awssdk.Config) { c.RetryMaxAttempts = 3 }, wantAttempts: 3},
		{name: "adaptive mode in the config", cfg: func(c *awssdk.Config) { c.RetryMode = awssdk.RetryModeAdaptive },
			wantAttempts: 3 /* the SDK's default */, wantAdaptive: true},
		{name: "a retryer in the config", cfg: func(c *awssdk.Config) { c.Retryer = fast }, wantAttempts: 2},
		{name: "options override the config", cfg: func(c *awssdk.Config) { c.RetryMaxAttempts = 3 },
			opts: func(o *aws.Options) { o.RetryMaxAttempts = 4 }, wantAttempts: 4},
		{name: "options keep the config's mode", cfg: func(c *awssdk.Config) { c.RetryMode = awssdk.RetryModeAdaptive },
			opts: func(o *aws.Options) { o.RetryMaxBackoff = time.Second }, wantAttempts: 8, wantAdaptive: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := mototest.Config()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			d, err := aws.NewFromConfig(cfg, func(o *aws.Options) {
				if tc.opts != nil {
					tc.opts(o)
				}
			})
			require.NoError(t, err)
			r := retryerOf(t, d)
			assert.Equal(t, tc.wantAttempts, r.MaxAttempts())
			_, adaptive := r.(*retry.AdaptiveMode)
			assert.Equal(t, tc.wantAdaptive, adaptive)
		})
	}
}

// TestRetrySettingsOfTheEnvironmentAreKept: AWS_RETRY_MODE and
// AWS_MAX_ATTEMPTS, read by the SDK's default configuration, are honoured.
func TestRetrySettingsOfTheEnvironmentAreKept(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	newFromEnv := func() *aws.Driver {
		d, err := aws.New(context.Background(), func(o *aws.Options) { o.Region = mototest.Region })
		require.NoError(t, err)
		return d
	}
	t.Setenv("AWS_RETRY_MODE", "adaptive")
	_, adaptive := retryerOf(t, newFromEnv()).(*retry.AdaptiveMode)
	assert.True(t, adaptive, "AWS_RETRY_MODE=adaptive")
	t.Setenv("AWS_RETRY_MODE", "")
	t.Setenv("AWS_MAX_ATTEMPTS", "5")
	assert.Equal(t, 5, retryerOf(t, newFromEnv()).MaxAttempts(), "AWS_MAX_ATTEMPTS=5")
}
