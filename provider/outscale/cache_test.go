package outscale_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale/osctest"
)

// OUTSCALE has no managed cache: the elastic platform's Redis is refused
// without AllowFallback, before any write, and built with it as its
// fallback cluster of VMs, whose security group admits 6379 from the
// application tier and Redis's peer ports (replication, cluster bus,
// Sentinel) between the cache's own nodes. The Redis VMs hold data: a
// destroy is refused without AllowDataLoss.
func TestElasticCacheFallbackOnOutscale(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	bp, err := pattern.Elastic(pattern.ElasticOptions{Name: "elastic", Profile: netplan.Outscale, Zones: []string{"a", "b"}, Nodes: 2,
		WebImage: suiteImage, AppImage: suiteImage, CacheImage: suiteImage, DBImage: suiteImage, InstanceType: "tinav5.c2r4p2"}).Build()
	require.NoError(t, err)

	strict := provider.NewEngine(d, func(o *provider.Options) { o.RateLimit = -1 })
	_, err = strict.Apply(t.Context(), bp)
	require.Error(t, err)
	assert.True(t, errors.Is(err, driver.ErrUnsupported), "%v", err)
	assert.Contains(t, err.Error(), "cache/cache: cache not supported by outscale")
	assert.Contains(t, err.Error(), "set a fallback cluster and AllowFallback=true")
	_, perOp := srv.Requests()
	assert.Zero(t, writes(perOp), "refused before any write: %v", perOp)

	eng := engineFor(d)
	plan, err := eng.Plan(t.Context(), bp)
	require.NoError(t, err)
	assert.True(t, slices.ContainsFunc(plan.Notices, func(n string) bool {
		return n == "cache/cache: outscale has no managed cache (OUTSCALE has no managed cache service; use a cache cluster of VMs (CacheSpec.Fallback)); built as a 2-node cache cluster instead"
	}), "%q", plan.Notices)
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)

	clusters, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindCluster})
	require.NoError(t, err)
	var cache *driver.Observed
	for i := range clusters {
		if clusters[i].LogicalID == "cache/cache" {
			cache = &clusters[i]
		}
	}
	require.NotNil(t, cache, "the cache runs as a cluster of VMs")
	assert.Equal(t, 2, cache.Resource.Cluster.Desired)
	assert.False(t, cache.Resource.Cluster.Stateless, "Redis keeps data")

	sets, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindSecurityGroupRules})
	require.NoError(t, err)
	groups, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindSecurityGroup})
	require.NoError(t, err)
	idOf := map[string]string{}
	for _, g := range groups {
		idOf[g.LogicalID] = g.ID
	}
	var inbound []string
	for _, s := range sets {
		if s.LogicalID != "security_group_rules/cache" {
			continue
		}
		for _, r := range s.Resource.SecurityGroupRules.Inbound {
			from := "?"
			switch string(r.Group) {
			case idOf["security_group/app"]:
				from = "app"
			case idOf["security_group/cache"]:
				from = "cache"
			}
			inbound = append(inbound, fmt.Sprintf("%s %s/%d", from, r.Protocol, r.FromPort))
		}
	}
	slices.Sort(inbound)
	assert.Equal(t, []string{"app tcp/6379", "cache tcp/16379", "cache tcp/26379", "cache tcp/6379"}, inbound)

	_, err = eng.Destroy(t.Context(), bp.Deployment)
	require.ErrorIs(t, err, provider.ErrProtected)
	assert.Contains(t, err.Error(), "cache/cache")
}
