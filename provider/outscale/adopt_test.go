package outscale_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/outscale/osctest"
)

// TestLostAnswerLeaksNothing loses, for each create that takes neither a
// client token nor tags, the answer of its first call: OUTSCALE made the
// resource, the driver got a transport error. The apply still succeeds,
// the resource made by the lost call is the one the deployment uses (no
// second one, nothing untagged left behind), and destroy leaves nothing.
func TestLostAnswerLeaksNothing(t *testing.T) {
	t.Parallel()
	bp := threeTier(t, true) // AppEgress: NAT services and their public IPs too
	clean := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
	cd := newDriver(t, clean)
	_, err := engineFor(cd).Apply(t.Context(), bp)
	require.NoError(t, err)
	want, wantCounts := state(t, cd, bp.Deployment), clean.Snapshot()

	for _, op := range []string{"CreateNet", "CreateInternetService", "CreatePublicIp", "CreateRouteTable"} {
		t.Run(op, func(t *testing.T) {
			t.Parallel()
			srv := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
			srv.LoseNext(op, 1)
			d := newDriver(t, srv)
			eng := engineFor(d)
			_, err := eng.Apply(t.Context(), bp)
			require.NoError(t, err, "the lost answer is recovered within the apply")
			lost := 0
			for _, c := range srv.Calls() {
				if c.Op == op && c.Status == 0 {
					lost++
				}
			}
			require.Equal(t, 1, lost, "one answer of %s was lost", op)
			assert.Equal(t, want, state(t, d, bp.Deployment))
			assert.Equal(t, wantCounts, srv.Snapshot(), "no second resource, nothing untagged")
			res, err := eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			assert.Zero(t, res.WriteCalls)
			_, err = eng.Destroy(t.Context(), bp.Deployment)
			require.NoError(t, err)
			assert.Empty(t, leftovers(t, d))
			assert.Empty(t, srv.Violations())
		})
	}
}
