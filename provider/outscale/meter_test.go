package outscale_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/outscale/osctest"
	"github.com/archkit/archkit/provider/ratelimit"
)

// Every request the driver sends, each retry included, takes one token
// from the engine's limiter, in OUTSCALE's bucket of the account.
func TestRequestsMeteredOnce(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	fast := func(c ratelimit.Call) []ratelimit.Meter { // OUTSCALE's meters, refilled fast enough for a test
		ms := ratelimit.Outscale(c)
		for i := range ms {
			ms[i].Refill = 1e6
		}
		return ms
	}
	lim := ratelimit.New(fast)
	eng := provider.NewEngine(d, func(o *provider.Options) {
		o.Limiter, o.AllowFallback = lim, true
		o.PollMin, o.PollMax = time.Millisecond, 5*time.Millisecond
	})
	srv.Throttle(3, 429) // three requests answered 429, then retried by the driver
	_, err := eng.Apply(t.Context(), threeTier(t, false))
	require.NoError(t, err)
	total, _ := srv.Requests()
	assert.Equal(t, map[string]int{"OUTSCALE account": int(d.Calls())}, lim.Taken(), "one token per request sent")
	assert.Equal(t, total, int(d.Calls()), "the server saw each request, the three it throttled too")
}
