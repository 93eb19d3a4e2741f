package fake_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// TestThrottledCreateCallBound: the fake has no retry layer, so the
// engine's is the only one: a create throttled on every call costs
// Options.Retry.MaxAttempts calls (16 by default with a local driver), the bound the engine's
// documentation states.
func TestThrottledCreateCallBound(t *testing.T) {
	t.Parallel()
	d := fake.New()
	d.FailOn(fake.OpCreate, blueprint.KindNet, driver.Throttled)
	eng := provider.NewEngine(d, func(o *provider.Options) {
		o.RateLimit = -1
		o.Retry = driver.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: time.Millisecond} // MaxAttempts 0: 16, a local driver's
	})
	bp := &blueprint.Blueprint{Schema: blueprint.SchemaV2, Deployment: "throttled", Resources: []blueprint.Resource{
		{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.0.0.0/16")}}}}
	_, err := eng.Apply(t.Context(), bp)
	require.ErrorIs(t, err, driver.ErrThrottled)
	assert.True(t, driver.IsRetryable(err), "the fake's throttle is retryable: nothing retried it yet")
	creates := 0
	for _, c := range d.Calls() {
		if c.Op == fake.OpCreate {
			creates++
		}
	}
	assert.Equal(t, 16, creates)
}
