package inplace

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/archkit/archkit/pattern/blueprint"
)

func TestRDS(t *testing.T) {
	t.Parallel()
	db := func(storage int, version string) blueprint.Resource {
		return blueprint.Resource{Kind: blueprint.KindDatabase, Database: &blueprint.DatabaseSpec{StorageGiB: storage, EngineVersion: version}}
	}
	tests := []struct {
		name       string
		have, want blueprint.Resource
		fields     []string
	}{
		{"grow 10%", db(20, "16.1"), db(22, "16.1"), nil},
		{"grow less", db(20, "16.1"), db(21, "16.1"), []string{"storage_gib"}},
		{"shrink", db(100, "16.1"), db(50, "16.1"), []string{"storage_gib"}},
		{"upgrade", db(20, "15.4"), db(20, "16.1"), nil},
		{"minor upgrade", db(20, "8.0.35"), db(20, "8.0.40"), nil},
		{"downgrade", db(20, "16.1"), db(20, "15.4"), []string{"engine_version"}},
		{"version pinned", db(20, ""), db(20, "15.4"), nil},
		{"both", db(100, "16.1"), db(20, "9.6"), []string{"engine_version", "storage_gib"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := RDS(tc.have, tc.want)
			var fields []string
			for _, f := range []string{"engine_version", "storage_gib"} {
				if got[f] != "" {
					fields = append(fields, f)
				}
			}
			assert.Equal(t, tc.fields, fields, got)
		})
	}
	assert.Equal(t, map[string]string{"storage_gib": "RDS grows storage by 10% at least (20 -> 21 GiB); ask for 22 GiB or more"}, RDS(db(20, ""), db(21, "")))
}

func TestVersions(t *testing.T) {
	t.Parallel()
	assert.Negative(t, CompareVersions("9.6", "10.1"))
	assert.Negative(t, CompareVersions("8.0", "8.0.35"))
	assert.Zero(t, CompareVersions("16.2", "16.2"))
	assert.Positive(t, CompareVersions("8.0.40", "8.0.35"))
	assert.Equal(t, "16", Major("postgres", "16.2"))
	assert.Equal(t, "9.6", Major("postgres", "9.6.24"))
	assert.Equal(t, "8.0", Major("mysql", "8.0.35"))
	assert.Equal(t, 110, MinStorageGrowth(100))
	assert.Equal(t, 22, MinStorageGrowth(20))
}

func TestVMCluster(t *testing.T) {
	t.Parallel()
	c := func(stateless bool, subnets ...blueprint.Ref) blueprint.Resource {
		return blueprint.Resource{Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{Stateless: stateless, Subnets: subnets}}
	}
	assert.Nil(t, VMCluster(c(false, "a", "b"), c(false, "a", "b", "c")), "a subnet added: in place")
	assert.Contains(t, VMCluster(c(false, "a", "b"), c(false, "a", "c"))["subnets"], "b would be deleted")
	assert.Nil(t, VMCluster(c(true, "a", "b"), c(true, "a", "c")), "a stateless cluster replaces its VMs in place")
}
