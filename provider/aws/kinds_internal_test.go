package aws

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/archkit/archkit/pattern/blueprint"
)

// TestRegistryCoversEveryKind: adding a kind to blueprint's registry
// without its entry here fails this test, not a run.
func TestRegistryCoversEveryKind(t *testing.T) {
	t.Parallel()
	assert.Len(t, kinds, len(blueprint.Kinds))
	for _, k := range blueprint.Kinds {
		ops, ok := kinds[k]
		if assert.True(t, ok, k) && ops.unsupported == "" {
			assert.True(t, ops.list != nil && ops.read != nil && ops.create != nil && ops.delete != nil, k)
			// A backup plan changes nothing in place, but its Update
			// completes a plan read back Incomplete (without its selection).
			completes := k == blueprint.KindBackupPlan
			assert.Equal(t, ops.update != nil, len(ops.mutable) > 0 || completes, "%s: a kind with mutable fields has an update, and only then", k)
		}
	}
}
