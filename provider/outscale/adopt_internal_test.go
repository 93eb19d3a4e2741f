package outscale

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// The outcomes of createAdopting, with a snapshot that shows what the
// account holds before and after the call.
func TestCreateAdopting(t *testing.T) {
	t.Parallel()
	// As call returns them: a token-less create with no answer is not
	// retryable.
	noAnswer := func(err error) error {
		pe := wrap("CreateNet", "net", "net/main", &APIError{Op: "CreateNet", Err: err})
		pe.Retryable = false
		return pe
	}
	lost := noAnswer(errors.New("connection reset by peer"))
	cancelled := noAnswer(context.Canceled)
	cut, cutEarly := noAnswer(context.Canceled), noAnswer(context.Canceled) // createAdopting may mark them retryable
	refused := wrap("CreateNet", "net", "net/main", &APIError{Op: "CreateNet", Status: 400, Code: "4045"})
	tests := []struct {
		name        string
		before      []string
		after       []string
		createErr   error
		wantID      string
		wantAdopted bool
		wantErr     []string
		retryable   bool
		wantReads   int
		cancelRun   bool // the run's context is cancelled with the call in flight
	}{
		{name: "answered", wantID: "vpc-new", wantReads: 1},
		{name: "refused, not lost", createErr: refused, wantErr: []string{"4045"}, wantReads: 1},
		{name: "cancelled, not lost", createErr: cancelled, wantErr: []string{"canceled"}, wantReads: 1},
		{name: "run cancelled in flight, one new candidate: adopted (read under a live context)", cancelRun: true,
			before: []string{"vpc-theirs"}, after: []string{"vpc-theirs", "vpc-cut"},
			createErr: cut, wantID: "vpc-cut", wantAdopted: true, wantReads: 2},
		{name: "run cancelled before the call arrived: the cancellation", cancelRun: true,
			before: []string{"vpc-theirs"}, after: []string{"vpc-theirs"},
			createErr: cutEarly, wantErr: []string{"canceled"}, retryable: true, wantReads: 2},
		{name: "lost, one new candidate: adopted",
			before: []string{"vpc-theirs"}, after: []string{"vpc-theirs", "vpc-lost"},
			createErr: lost, wantID: "vpc-lost", wantAdopted: true, wantReads: 2},
		{name: "lost, a candidate gone meanwhile, one new: adopted",
			before: []string{"vpc-theirs"}, after: []string{"vpc-lost"},
			createErr: lost, wantID: "vpc-lost", wantAdopted: true, wantReads: 2},
		{name: "lost, nothing new: the call never arrived, try again",
			before: []string{"vpc-theirs"}, after: []string{"vpc-theirs"},
			createErr: lost, wantErr: []string{"connection reset"}, retryable: true, wantReads: 2},
		{name: "lost, two new: someone else creates too",
			before: []string{"vpc-theirs"}, after: []string{"vpc-b", "vpc-theirs", "vpc-a"},
			createErr: lost, wantErr: []string{"2 untagged net resources appeared meanwhile (vpc-a, vpc-b)", "delete the untagged ones"}, wantReads: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reads := 0
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			snapshot := func(ctx context.Context) (map[string]osc.Net, error) {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				reads++
				ids := tc.before
				if reads > 1 {
					ids = tc.after
				}
				m := map[string]osc.Net{}
				for _, id := range ids {
					m[id] = osc.Net{NetId: &id}
				}
				return m, nil
			}
			create := func(context.Context) (osc.Net, error) {
				if tc.cancelRun {
					cancel()
				}
				if tc.createErr != nil {
					return osc.Net{}, tc.createErr
				}
				id := "vpc-new"
				return osc.Net{NetId: &id}, nil
			}
			var d Driver
			d.log = slog.New(slog.DiscardHandler)
			n, adopted, err := createAdopting(ctx, &d, blueprint.KindNet, "net/main", snapshot, create)
			assert.Equal(t, tc.wantReads, reads)
			if tc.wantErr != nil {
				require.Error(t, err)
				for _, w := range tc.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				assert.Equal(t, tc.retryable, driver.IsRetryable(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantID, n.GetNetId())
			assert.Equal(t, tc.wantAdopted, adopted)
		})
	}
}

// TestUnowned keeps what carries no ownership tag and what free accepts.
func TestUnowned(t *testing.T) {
	t.Parallel()
	id := func(s string) *string { return &s }
	mine := []osc.ResourceTag{{Key: driver.TagDeployment, Value: "shop"}}
	other := []osc.ResourceTag{{Key: "Name", Value: "theirs"}}
	ips := []osc.PublicIp{
		{PublicIpId: id("eipalloc-1")},                                          // free, untagged: a candidate
		{PublicIpId: id("eipalloc-2"), Tags: &mine},                             // owned
		{PublicIpId: id("eipalloc-3"), Tags: &other},                            // free, foreign tags only: a candidate
		{PublicIpId: id("eipalloc-4"), VmId: *osc.NewNullableString(id("i-1"))}, // in use
	}
	got := unowned(ips, (*osc.PublicIp).GetPublicIpId, (*osc.PublicIp).GetTags, func(p *osc.PublicIp) bool { return p.GetVmId() == "" })
	assert.ElementsMatch(t, []string{"eipalloc-1", "eipalloc-3"}, keys(got))
}

func keys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
