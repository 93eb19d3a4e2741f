package outscale_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/calls"
	"github.com/archkit/archkit/provider/outscale/osctest"
)

// since returns the requests per operation made since before.
func since(srv *osctest.Server, before map[string]int) map[string]int {
	_, now := srv.Requests()
	out := map[string]int{}
	for op, c := range now {
		if d := c - before[op]; d > 0 {
			out[op] = d
		}
	}
	return out
}

// callGaps are the steps where the driver is still above the bound, and
// why: the test fails when one of them comes within it, so that the list
// stays true.
var callGaps = map[string]string{}

// TestCallsAtTheMinimum counts the OUTSCALE requests of an apply, a no-op
// re-apply and a destroy of the three-tier Net (and with a bucket grant:
// its Net access point) and the web app, and holds
// them to the expert minimum of package calls computed from each
// Blueprint: writes at most 1.05 times, reads at most 1.5 times, polls
// apart.
func TestCallsAtTheMinimum(t *testing.T) {
	t.Parallel()
	table, err := calls.For(calls.Outscale)
	require.NoError(t, err)
	for name, bp := range map[string]*blueprint.Blueprint{"seed000-threetier": threeTier(t, true), "seed003-webapp": webApp(t), "threetier-bucket": bucketThreeTier(t, true)} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			min, err := calls.Minimum(calls.Outscale, bp)
			require.NoError(t, err)
			srv := osctest.New(t)
			eng := engineFor(newDriver(t, srv))
			step := func(what string, want calls.Bound, run func() error) {
				_, before := srv.Requests()
				require.NoError(t, run(), what)
				got := table.Count(since(srv, before), isWrite)
				t.Logf("%s: %d writes, %d reads (minimum %d, %d), %d polls: %v", what, got.Writes, got.Reads, want.Writes, want.Reads, got.Polls, got.ByOp)
				assert.Empty(t, calls.Judge(what, want, got, callGaps))
			}
			step("apply", min.Apply, func() error { _, err := eng.Apply(t.Context(), bp); return err })
			step("re-apply", min.Reapply, func() error { _, err := eng.Apply(t.Context(), bp); return err })
			step("destroy", min.Destroy, func() error { _, err := eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp)); return err })
		})
	}
}

// TestVPNLinkCalls counts the requests of each region of two OUTSCALE
// regions linked by a VPN (the hub's VPN gateway, client gateway and
// connection; the spoke's appliance) through an apply, a no-op re-apply
// and a destroy of the Fleet, and holds each region to the expert minimum
// of package calls for its Blueprint, as TestCallsAtTheMinimum does for
// one region. Each end of the link polls the other region until what it
// waits for exists (the hub's client gateway the spoke's public IP, with
// ReadPublicIps on the spoke's server; the appliance the hub's
// connection, with ReadVpnConnections on the hub's), as many times as the
// other region takes: in the apply those requests are counted as polls,
// as the engine's are, and every other read holds to the bound.
func TestVPNLinkCalls(t *testing.T) {
	t.Parallel()
	table, err := calls.For(calls.Outscale)
	require.NoError(t, err)
	v := newVPNRegions(t, nil)
	m := vpnLinkedRegions()
	bps, err := m.Build()
	require.NoError(t, err)
	waitedOn := map[string]string{vpnHub: "ReadVpnConnections", vpnSpoke: "ReadPublicIps"}
	mins := map[string]calls.Steps{}
	for r, bp := range bps {
		mins[r], err = calls.Minimum(calls.Outscale, bp)
		require.NoError(t, err)
	}
	step := func(what string, want func(calls.Steps) calls.Bound, run func() error) {
		before := map[string]map[string]int{}
		for r, srv := range v.srvs {
			_, before[r] = srv.Requests()
		}
		require.NoError(t, run(), what)
		for r, srv := range v.srvs {
			got := table.Count(since(srv, before[r]), isWrite)
			if n := got.ByOp[waitedOn[r]]; what == "apply" && n > 0 {
				got.Reads, got.Polls = got.Reads-n, got.Polls+n
			}
			w := want(mins[r])
			t.Logf("%s %s: %d writes, %d reads (minimum %d, %d), %d polls: %v", what, r, got.Writes, got.Reads, w.Writes, w.Reads, got.Polls, got.ByOp)
			assert.Empty(t, calls.Judge(what+" "+r, w, got, callGaps))
		}
	}
	step("apply", func(s calls.Steps) calls.Bound { return s.Apply }, func() error { _, err := v.fl.Apply(t.Context(), m); return err })
	step("re-apply", func(s calls.Steps) calls.Bound { return s.Reapply }, func() error { _, err := v.fl.Apply(t.Context(), m); return err })
	step("destroy", func(s calls.Steps) calls.Bound { return s.Destroy }, func() error {
		_, err := v.fl.Destroy(t.Context(), "vpnlink", allowStateful(bps[vpnHub]), allowStateful(bps[vpnSpoke]))
		return err
	})
}
