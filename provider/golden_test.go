package provider_test

import (
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func golden(t *testing.T, got string) {
	t.Helper()
	path := filepath.Join("testdata", t.Name()+".golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), got)
}

// TestPlanGolden pins the plan listing of a change of every sort.
func TestPlanGolden(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	_, err := eng.Apply(t.Context(), threeTier("shop", ""))
	require.NoError(t, err)
	cs, err := eng.Plan(t.Context(), changed())
	require.NoError(t, err)
	golden(t, cs.String())
}

// TestPlanJSONGolden pins the JSON of a changeset with a change of every
// class: its field names are an interface (a CI reads them), so they only
// ever gain fields.
func TestPlanJSONGolden(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	_, err := eng.Apply(t.Context(), threeTier("shop", ""))
	require.NoError(t, err)
	next := changed()
	next.Resources = append(next.Resources, blueprint.Resource{ID: "subnet/spare/a", Kind: blueprint.KindSubnet,
		Subnet: &blueprint.SubnetSpec{Net: "net/main", CIDR: netip.MustParsePrefix("10.0.99.0/24"), Zone: "a", Tier: "spare"}})
	cs, err := eng.Plan(t.Context(), next)
	require.NoError(t, err)
	classes := map[provider.Class]bool{}
	for _, c := range cs.Changes {
		classes[c.Class] = true
	}
	for _, c := range []provider.Class{provider.ClassCreate, provider.ClassUpdateInPlace, provider.ClassReplaceCreateFirst,
		provider.ClassReplaceDeleteFirst, provider.ClassDelete, provider.ClassNoop} {
		assert.True(t, classes[c], "the changeset has a change of class %s", c)
	}
	for i := range cs.Changes {
		if cs.Changes[i].ProviderID != "" {
			cs.Changes[i].ProviderID = "(id)" // the parallel apply gives ids in no fixed order
		}
	}
	out, err := json.MarshalIndent(cs, "", "  ")
	require.NoError(t, err)
	golden(t, string(out)+"\n")
}
