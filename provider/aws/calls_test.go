package aws_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	callcost "github.com/archkit/archkit/provider/calls"
)

// callGaps are the steps where the driver is still above the bound on
// moto, and why, by blueprint: the test fails when one of them comes
// within it, so that the list stays true. None is left.
var callGaps = map[string]map[string]string{}

// TestCallsAtTheMinimum counts the AWS requests of an apply, a no-op
// re-apply and a destroy of the web app and the three-tier on moto, and
// holds them to the expert minimum of package calls (imported as callcost) computed from each
// Blueprint: writes at most 1.05 times, reads at most 1.5 times, polls
// apart.
func TestCallsAtTheMinimum(t *testing.T) {
	t.Parallel()
	table, err := callcost.For(callcost.AWS)
	require.NoError(t, err)
	tests := map[string]func(cert string) *pattern.Architecture{
		"seed003-webapp": func(cert string) *pattern.Architecture {
			return pattern.WebApp(pattern.WebAppOptions{Name: "tipster", Profile: netplan.AWS, Image: motoImage, Certificate: cert})
		},
		"seed000-threetier": func(string) *pattern.Architecture {
			return pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop", Profile: netplan.AWS,
				WebImage: motoImage, AppImage: motoImage, DBImage: motoImage})
		},
	}
	for name, arch := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			td := newDriver(t)
			bp, err := arch(requestCertificate(t.Context(), t, td, "tipster.example.com")).Build()
			require.NoError(t, err)
			min, err := callcost.Minimum(callcost.AWS, bp)
			require.NoError(t, err)
			eng := engine(td.Driver)
			step := func(what string, want callcost.Bound, run func() error) {
				td.calls.reset()
				require.NoError(t, run(), what)
				_, _, byOp := td.calls.snapshot()
				got := table.Count(byOp, isWrite)
				t.Logf("%s: %d writes, %d reads (minimum %d, %d), %d polls: %v", what, got.Writes, got.Reads, want.Writes, want.Reads, got.Polls, byOp)
				assert.Empty(t, callcost.Judge(what, want, got, callGaps[name]))
			}
			step("apply", min.Apply, func() error { _, err := eng.Apply(t.Context(), bp); return err })
			step("re-apply", min.Reapply, func() error { _, err := eng.Apply(t.Context(), bp); return err })
			step("destroy", min.Destroy, func() error { _, err := eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp)); return err })
		})
	}
}
