package blueprint_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
)

func TestValidateNamesTheRenamedKind(t *testing.T) {
	t.Parallel()
	// A network ACL as archkit.blueprint/v1 wrote it.
	const v1 = `{"schema":"archkit.blueprint/v1","deployment":"shop","resources":[
		{"id":"net/main","kind":"net","net":{"cidr":"10.0.0.0/16"}},
		{"id":"firewall/db","kind":"firewall","firewall":{"net":"net/main"}}]}`
	var bp blueprint.Blueprint
	require.NoError(t, json.Unmarshal([]byte(v1), &bp))
	err := bp.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `blueprint: resources[1] (firewall/db): kind "firewall": renamed "network_acl" in archkit.blueprint/v2`)
}
