package outscale

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider"
)

// The three outcomes of a lost answer, with a list that shows what the
// account holds before and after the call.
func TestCreateAdopting(t *testing.T) {
	t.Parallel()
	lost := wrap("CreateNet", "net", "net/main", &APIError{Op: "CreateNet", Err: errors.New("connection reset by peer")})
	refused := wrap("CreateNet", "net", "net/main", &APIError{Op: "CreateNet", Status: 400, Code: "4045"})
	mine := map[string]string{provider.TagDeployment: "shop"}
	tests := []struct {
		name        string
		before      []provider.Observed
		after       []provider.Observed
		createErr   error
		wantID      string
		wantAdopted bool
		wantErr     string
		retryable   bool
	}{
		{name: "answered", createErr: nil, wantID: "vpc-new"},
		{name: "refused, not lost", createErr: refused, wantErr: "4045"},
		{name: "lost, one new untagged: adopted",
			before:    []provider.Observed{{ID: "vpc-theirs"}, {ID: "vpc-owned", Tags: mine}},
			after:     []provider.Observed{{ID: "vpc-theirs"}, {ID: "vpc-owned", Tags: mine}, {ID: "vpc-lost"}},
			createErr: lost, wantID: "vpc-lost", wantAdopted: true},
		{name: "lost, nothing new: the call never arrived, try again",
			before: []provider.Observed{{ID: "vpc-theirs"}}, after: []provider.Observed{{ID: "vpc-theirs"}},
			createErr: lost, wantErr: "connection reset", retryable: true},
		{name: "lost, two new: someone else creates too",
			after:     []provider.Observed{{ID: "vpc-b"}, {ID: "vpc-a"}},
			createErr: lost, wantErr: "2 untagged net resources appeared meanwhile (vpc-a, vpc-b)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reads := 0
			list := func(context.Context, provider.Query, []string) ([]provider.Observed, error) {
				reads++
				if reads == 1 {
					return tc.before, nil
				}
				return tc.after, nil
			}
			create := func(context.Context) (string, error) {
				if tc.createErr != nil {
					return "", tc.createErr
				}
				return "vpc-new", nil
			}
			var d Driver
			id, adopted, err := d.createAdopting(t.Context(), pattern.KindNet, "net/main", list, provider.Query{}, create)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Equal(t, tc.retryable, provider.IsRetryable(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantID, id)
			assert.Equal(t, tc.wantAdopted, adopted)
		})
	}
}
