package fake

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
		if assert.True(t, ok, k) {
			assert.NotNil(t, ops.validate, k)
		}
	}
}
