package fake_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/calls"
	"github.com/archkit/archkit/provider/fake"
)

// TestCallsAtTheMinimum counts the driver calls of an apply, a no-op
// re-apply and a destroy of the web app and the three-tier on the fake,
// and holds them to the contract's minimum of package calls computed from
// each Blueprint (one Create or Delete per resource, one List per kind;
// the lock's calls and the polls apart).
func TestCallsAtTheMinimum(t *testing.T) {
	t.Parallel()
	three, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop", Profile: netplan.AWS}).Build()
	require.NoError(t, err)
	table, err := calls.For(calls.Fake)
	require.NoError(t, err)
	for name, bp := range map[string]*blueprint.Blueprint{"webapp": webApp(t, pattern.WebAppOptions{}), "threetier": three} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			min, err := calls.Minimum(calls.Fake, bp)
			require.NoError(t, err)
			d := fake.New()
			eng := provider.NewEngine(d, func(o *provider.Options) {
				o.RateLimit = -1
				o.PollMin, o.PollMax = time.Millisecond, time.Millisecond
			})
			step := func(what string, want calls.Bound, run func() error) {
				d.ResetCalls()
				require.NoError(t, run(), what)
				byOp := map[string]int{}
				for _, c := range d.Calls() {
					if !fake.IsLock(c.Op) {
						byOp[c.Op]++
					}
				}
				got := table.Count(byOp, fake.IsWrite)
				t.Logf("%s: %d writes, %d reads (minimum %d, %d), %d polls: %v", what, got.Writes, got.Reads, want.Writes, want.Reads, got.Polls, byOp)
				assert.Empty(t, calls.Judge(what, want, got, nil))
			}
			step("apply", min.Apply, func() error { _, err := eng.Apply(t.Context(), bp); return err })
			step("re-apply", min.Reapply, func() error { _, err := eng.Apply(t.Context(), bp); return err })
			step("destroy", min.Destroy, func() error {
				_, err := eng.Destroy(t.Context(), bp.Deployment, func(o *provider.DestroyOptions) {
					for _, r := range bp.Resources {
						if r.IsStateful() {
							o.AllowDataLoss = append(o.AllowDataLoss, r.ID)
						}
					}
					o.SkipFinalSnapshot = true
				})
				return err
			})
		})
	}
}
