package blueprint_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
)

func TestCheckDeployment(t *testing.T) {
	t.Parallel()
	longest := "a" + strings.Repeat("b1-", (blueprint.MaxDeploymentLen-2)/3) + "z"
	longest += strings.Repeat("z", blueprint.MaxDeploymentLen-len(longest))
	require.Len(t, longest, 115)
	for _, ok := range []string{"shop", "a", "web-2", "prod-eu-west-3", "a--b", longest} {
		assert.NoError(t, blueprint.CheckDeployment(ok), ok)
	}
	tests := []struct{ name, want string }{
		{"", "empty"},
		{longest + "z", "116 characters, over 115"},
		{"s*", `character '*' not allowed (a wildcard in AWS tag filters`},
		{"sh?p", `character '?' not allowed (a wildcard in AWS tag filters`},
		{`s\`, "the escape character of AWS tag filters"},
		{"s=x", "a separator in OUTSCALE's Tags filter"},
		{"s,x", "not allowed in load balancer"},
		{"s x", "spaces are not allowed"},
		{"s_x", "character '_' not allowed"},
		{"s.x", "character '.' not allowed"},
		{"shöp", "not printable ASCII"},
		{"Shop", `uppercase 'S' not allowed`},
		{"1shop", "must start with a lowercase letter"},
		{"-shop", "must start with a lowercase letter"},
		{"shop-", "ends with '-'"},
		{"sg-shop", `starts with "sg-"`},
		{"internal-shop", `starts with "internal-"`},
	}
	for _, tc := range tests {
		err := blueprint.CheckDeployment(tc.name)
		require.Error(t, err, tc.name)
		assert.ErrorIs(t, err, blueprint.ErrDeployment)
		assert.Contains(t, err.Error(), tc.want, tc.name)
		var de *blueprint.DeploymentError
		require.True(t, errors.As(err, &de))
		assert.Equal(t, tc.name, de.Name)
		assert.NotEmpty(t, de.Fix, "%q: the error says what to do", tc.name)
	}
	bp := blueprint.Blueprint{Deployment: "s*"}
	assert.ErrorIs(t, bp.Validate(), blueprint.ErrDeployment, "a decoded Blueprint is checked too")
}
