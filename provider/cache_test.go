package provider_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// The elastic platform's managed Redis on the fake as AWS: applied, a
// re-apply writes nothing, a node type change is one in-place update, a
// destroy is refused without AllowDataLoss and with it leaves a final
// snapshot; on the fake as OUTSCALE it is refused without AllowFallback and
// built as its cluster of VMs with it.
func TestManagedCacheOnFake(t *testing.T) {
	t.Parallel()
	arch := pattern.Elastic(pattern.ElasticOptions{Profile: netplan.AWS, Zones: []string{"a", "b"}, ReadReplicas: 0})
	bp, err := arch.Build()
	require.NoError(t, err)
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	caches, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindCache})
	require.NoError(t, err)
	require.Len(t, caches, 1)
	assert.Equal(t, []string{"fake-1a", "fake-1b"}, d.CacheZones(caches[0].ID), "a primary and a replica in two zones")

	d.ResetCalls()
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, d.Counts().Writes, "re-apply")

	arch.Cache("cache").NodeType = "cache.r7g.large"
	bp2, err := arch.Build()
	require.NoError(t, err)
	d.ResetCalls()
	res, err := eng.Apply(t.Context(), bp2)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Updated)
	assert.Equal(t, map[blueprint.Kind]int{blueprint.KindCache: 1}, d.Counts().WritesByKind, "one write: the cache's update")

	_, err = eng.Destroy(t.Context(), bp.Deployment)
	require.ErrorIs(t, err, provider.ErrProtected)
	_, err = eng.Destroy(t.Context(), bp.Deployment, func(o *provider.DestroyOptions) { o.AllowDataLoss = []string{"cache/cache", "database/db"} })
	require.NoError(t, err)
	var snaps []string
	for _, del := range d.DeletedDatabases() {
		if del.Kind == blueprint.KindCache {
			snaps = append(snaps, del.FinalSnapshot)
		}
	}
	require.Len(t, snaps, 1)
	assert.Contains(t, snaps[0], "-final-")

	osc := fake.New(fake.Outscale)
	obp, err := pattern.Elastic(pattern.ElasticOptions{Profile: netplan.Outscale, Zones: []string{"a", "b"}}).Build()
	require.NoError(t, err)
	_, err = provider.NewEngine(osc, fastOpts).Apply(t.Context(), obp)
	require.Error(t, err)
	assert.True(t, errors.Is(err, driver.ErrUnsupported))
	assert.Zero(t, osc.Counts().Writes, "refused before any write")
	_, err = provider.NewEngine(osc, fastOpts, func(o *provider.Options) { o.AllowFallback = true }).Apply(t.Context(), obp)
	require.NoError(t, err)
	cl, err := osc.Read(t.Context(), blueprint.KindCluster, idOf(t, osc, obp.Deployment, "cache/cache"))
	require.NoError(t, err)
	assert.False(t, cl.Resource.Cluster.Stateless)
}

// The preflight finds a Multi-AZ cache whose subnets lie in one zone, and
// a cache whose security group is in another Net, before any call.
func TestPreflightCache(t *testing.T) {
	t.Parallel()
	bp, err := pattern.Elastic(pattern.ElasticOptions{Profile: netplan.AWS, Zones: []string{"a", "b"}, ReadReplicas: 0}).Build()
	require.NoError(t, err)
	for i := range bp.Resources {
		if r := &bp.Resources[i]; r.Kind == blueprint.KindCache {
			r.Cache.Subnets = []blueprint.Ref{"subnet/cache/a", "subnet/app/a"}
		}
	}
	d := fake.New()
	_, err = provider.NewEngine(d, fastOpts).Apply(t.Context(), bp)
	require.Error(t, err)
	var fields []string
	for _, p := range problems(err) {
		fields = append(fields, p.Resource+" "+p.Field)
	}
	assert.Contains(t, fields, "cache/cache cache.subnets[1]", "%v", err)
	assert.Zero(t, d.Counts().Writes)
}

func idOf(t *testing.T, d driver.Driver, dep, lid string) string {
	t.Helper()
	obs, err := d.List(t.Context(), driver.Query{Deployment: dep, Kind: blueprint.KindCluster})
	require.NoError(t, err)
	for _, o := range obs {
		if o.LogicalID == lid {
			return o.ID
		}
	}
	t.Fatalf("no %s", lid)
	return ""
}
