package outscale_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale/osctest"
)

// TestDeploymentNamesRefusedBeforeAnyRequest: a wildcard or an over-long
// deployment name reaches the OUTSCALE test server at no entry point of
// the engine nor of the driver.
func TestDeploymentNamesRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	eng := engineFor(d)
	ctx := t.Context()
	for _, name := range []string{"s*", "sh?p", "s=x", strings.Repeat("a", blueprint.MaxDeploymentLen+1), ""} {
		bp := threeTier(t, false)
		bp.Deployment = name
		before, _ := srv.Requests()
		_, err := eng.Apply(ctx, bp)
		assert.ErrorIs(t, err, blueprint.ErrDeployment, "Apply %q", name)
		_, err = eng.Plan(ctx, bp)
		assert.ErrorIs(t, err, blueprint.ErrDeployment, "Plan %q", name)
		_, err = eng.Drift(ctx, bp)
		assert.ErrorIs(t, err, blueprint.ErrDeployment, "Drift %q", name)
		_, err = eng.Destroy(ctx, name)
		assert.ErrorIs(t, err, blueprint.ErrDeployment, "Destroy %q", name)
		_, err = eng.Lock(ctx, name)
		assert.ErrorIs(t, err, blueprint.ErrDeployment, "Lock %q", name)
		_, err = d.List(ctx, driver.Query{Deployment: name, Kind: blueprint.KindNet})
		assert.ErrorIs(t, err, driver.ErrInvalid, "List %q", name)
		_, err = d.ReadLock(ctx, name)
		assert.ErrorIs(t, err, driver.ErrInvalid, "ReadLock %q", name)
		after, _ := srv.Requests()
		require.Equal(t, before, after, "%q reached the server", name)
	}
}
