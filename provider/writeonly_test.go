package provider_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// blindDriver is a fake that cannot read user data back, like a cloud
// that keeps it write-only, and says so in its capabilities.
type blindDriver struct {
	*fake.Driver
	declare bool
}

func (b blindDriver) Capabilities() driver.Capabilities {
	c := b.Driver.Capabilities()
	if b.declare {
		c.WriteOnly = map[blueprint.Kind][]string{blueprint.KindCluster: {"user_data"}}
	}
	return c
}

func (b blindDriver) List(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	obs, err := b.Driver.List(ctx, q)
	for i := range obs {
		if c := obs[i].Resource.Cluster; c != nil {
			c.UserData = ""
		}
	}
	return obs, err
}

func TestWriteOnlyFieldsAreNotCompared(t *testing.T) {
	t.Parallel()
	for _, declare := range []bool{true, false} {
		d := blindDriver{Driver: newFake(), declare: declare}
		eng := provider.NewEngine(d, fastOpts)
		bp := threeTier("shop", "#!/bin/sh\necho hello")
		_, err := eng.Apply(t.Context(), bp)
		require.NoError(t, err)
		cs, err := eng.Plan(t.Context(), bp)
		require.NoError(t, err)
		if declare {
			assert.False(t, cs.HasChanges(), cs.String())
			continue
		}
		// Undeclared, the missing user data looks like a change.
		c, _ := cs.Change("cluster/web")
		assert.Equal(t, provider.ActionUpdate, c.Action)
		assert.Equal(t, "user_data: (sensitive) -> (sensitive)", c.Diffs[0].String())
	}
}
