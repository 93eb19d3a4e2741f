package fake_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
)

// On OUTSCALE the database is a stateful cluster: a destroy the caller
// allowed leaves its final snapshot, as the OUTSCALE driver takes one of
// each VM's volume, unless the caller skips it.
func TestOutscaleClusterFinalSnapshot(t *testing.T) {
	t.Parallel()
	for _, skip := range []bool{false, true} {
		d := fake.New(fake.Outscale)
		eng := provider.NewEngine(d, func(o *provider.Options) { o.AllowFallback = true })
		bp, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop", Profile: netplan.Outscale}).Build()
		require.NoError(t, err)
		_, err = eng.Apply(t.Context(), bp)
		require.NoError(t, err)
		_, err = eng.Destroy(t.Context(), "shop", func(o *provider.DestroyOptions) {
			o.AllowDataLoss, o.SkipFinalSnapshot = []string{"cluster/db"}, skip
		})
		require.NoError(t, err)
		gone := d.DeletedDatabases()
		require.Len(t, gone, 1, "the database cluster, and no stateless one")
		assert.Equal(t, blueprint.KindCluster, gone[0].Kind)
		assert.Equal(t, "cluster/db", gone[0].LogicalID)
		assert.Equal(t, !skip, gone[0].FinalSnapshot != "", gone[0].FinalSnapshot)
		assert.False(t, gone[0].AutomatedBackupsKept, "OUTSCALE keeps no automated backups")
	}
}
