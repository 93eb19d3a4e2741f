package pattern_test

import (
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name.golden, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), string(got))
}

func build(t *testing.T, a *pattern.Architecture) *blueprint.Blueprint {
	t.Helper()
	bp, err := a.Build()
	require.NoError(t, err)
	require.NotNil(t, bp)
	require.NoError(t, bp.Validate())
	return bp
}

func rules(t *testing.T, a *pattern.Architecture) *netplan.Rules {
	t.Helper()
	r, err := a.Rules()
	require.NoError(t, err)
	return r
}

func reach(r *netplan.Rules, from netplan.Endpoint, to string, port uint16) bool {
	return r.CanReach(netplan.Query{From: from, To: to, Protocol: netplan.ProtocolTCP, Port: port}).Allowed
}

func ids(rs []blueprint.Resource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func res(t *testing.T, bp *blueprint.Blueprint, id string) blueprint.Resource {
	t.Helper()
	r, ok := bp.Resource(id)
	require.True(t, ok, "no resource %s", id)
	return r
}

func sgRules(t *testing.T, bp *blueprint.Blueprint, name string) *blueprint.SecurityGroupRulesSpec {
	t.Helper()
	return res(t, bp, "security_group_rules/"+name).SecurityGroupRules
}

func findingIDs(bp *blueprint.Blueprint) []string {
	var out []string
	for _, f := range bp.Findings {
		out = append(out, f.ID+" "+f.Subject)
	}
	return out
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
