package pattern_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// scalingOf returns the scaling policy of every cluster of bp by tier, nil
// for the clusters without one.
func scalingOf(bp *blueprint.Blueprint) map[string]*blueprint.ScalingSpec {
	out := map[string]*blueprint.ScalingSpec{}
	for _, r := range bp.OfKind(blueprint.KindCluster) {
		out[r.Cluster.Tier] = r.Cluster.Scaling
	}
	return out
}

// The ready patterns give their stateless clusters a CPU target-tracking
// policy (seeds 001, 003, 004); stateful clusters and ThreeTier keep a
// fixed size; TargetCPU changes or disables the policy.
func TestPatternScaling(t *testing.T) {
	t.Parallel()
	def := &blueprint.ScalingSpec{TargetCPUPercent: 60, WarmupSeconds: 300}
	at75 := &blueprint.ScalingSpec{TargetCPUPercent: 75, WarmupSeconds: 300}
	tests := []struct {
		name string
		arch *pattern.Architecture
		want map[string]*blueprint.ScalingSpec
	}{
		{"webapp", pattern.WebApp(pattern.WebAppOptions{}), map[string]*blueprint.ScalingSpec{"app": def}},
		{"webapp target 75", pattern.WebApp(pattern.WebAppOptions{TargetCPU: 75}), map[string]*blueprint.ScalingSpec{"app": at75}},
		{"webapp no policy", pattern.WebApp(pattern.WebAppOptions{TargetCPU: -1}), map[string]*blueprint.ScalingSpec{"app": nil}},
		{"webapp fixed size", pattern.WebApp(pattern.WebAppOptions{Min: 3, Max: 3}), map[string]*blueprint.ScalingSpec{"app": nil}},
		{"cloudnative", pattern.CloudNative(pattern.CloudNativeOptions{}),
			map[string]*blueprint.ScalingSpec{"web": def, "app": def, "bus": nil, "db": nil}},
		{"cloudnative kafka 75", pattern.CloudNative(pattern.CloudNativeOptions{Bus: pattern.BusKafka, TargetCPU: 75}),
			map[string]*blueprint.ScalingSpec{"web": at75, "app": at75, "bus": nil, "db": nil}},
		{"cloudnative no policy", pattern.CloudNative(pattern.CloudNativeOptions{TargetCPU: -5}),
			map[string]*blueprint.ScalingSpec{"web": nil, "app": nil, "bus": nil, "db": nil}},
		{"elastic", pattern.Elastic(pattern.ElasticOptions{}),
			map[string]*blueprint.ScalingSpec{"web": def, "app": def}},
		{"elastic no policy", pattern.Elastic(pattern.ElasticOptions{TargetCPU: -1}),
			map[string]*blueprint.ScalingSpec{"web": nil, "app": nil}},
		{"threetier unchanged", pattern.ThreeTier(pattern.ThreeTierOptions{}),
			map[string]*blueprint.ScalingSpec{"nginx": nil, "intel": nil, "db": nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			bp := build(t, tc.arch)
			assert.Equal(t, tc.want, scalingOf(bp))
			for _, r := range bp.OfKind(blueprint.KindCluster) {
				if r.Cluster.Scaling != nil {
					assert.True(t, r.Cluster.Stateless, r.ID)
					assert.Greater(t, r.Cluster.Max, r.Cluster.Min, r.ID)
				}
			}
		})
	}
}

// Build refuses an invalid policy with the field to change, and never
// gives a database's fallback cluster one.
func TestBuildScalingErrors(t *testing.T) {
	t.Parallel()
	a := pattern.CloudNative(pattern.CloudNativeOptions{})
	a.Cluster("db").Scaling = tier.DefaultScaling()
	a.Cluster("web").Scaling.TargetCPUPercent = 0
	_, err := a.Build()
	require.ErrorIs(t, err, tier.ErrInvalid)
	assert.Contains(t, err.Error(), "cluster[db].scaling: min 3, max 3: nothing to scale")
	assert.Contains(t, err.Error(), "cluster[db].scaling: stateless false: a stateful cluster is not autoscaled")
	assert.Contains(t, err.Error(), "cluster[web].scaling.target_cpu_percent: 0: outside 1-100 percent")

	w := pattern.WebApp(pattern.WebAppOptions{})
	db := w.Database("db")
	db.FallbackToCluster = true
	db.Fallback = tier.NewCluster("", "db-image", "t3.small")
	db.Fallback.Max, db.Fallback.Scaling = 4, tier.DefaultScaling()
	bp := build(t, w)
	fb := res(t, bp, "database/db").Database.Fallback
	require.NotNil(t, fb)
	assert.False(t, fb.Stateless)
	assert.Nil(t, fb.Scaling, "a database cluster keeps its size")
}

// The policy survives a JSON round trip and Clone copies it deeply.
func TestScalingSpecCloneAndJSON(t *testing.T) {
	t.Parallel()
	bp := build(t, pattern.WebApp(pattern.WebAppOptions{}))
	r := res(t, bp, "cluster/app")
	raw, err := json.Marshal(r.Cluster)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"scaling":{"target_cpu_percent":60,"warmup_seconds":300}`)
	var back blueprint.ClusterSpec
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, *r.Cluster, back)

	c := r.Clone()
	c.Cluster.Scaling.TargetCPUPercent = 80
	assert.Equal(t, 60, r.Cluster.Scaling.TargetCPUPercent, "the clone shares no policy")
	noPolicy := blueprint.Resource{ID: "cluster/x", Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{}}
	assert.Nil(t, noPolicy.Clone().Cluster.Scaling)
}

// A stateless cluster with room to grow but no policy never grows: lint
// says so (PT013, info); a policy or a fixed size silences it.
func TestLintNeverScales(t *testing.T) {
	t.Parallel()
	arch := func(change func(c *tier.Cluster)) *pattern.Architecture {
		c := tier.NewCluster("app", "ami-1", "t3.small")
		change(&c)
		app := tier.App("app")
		app.Exposure = netplan.Isolated // no NAT needed
		return pattern.New("shop", "10.0.0.0/16").AddTier(app).AddCluster(c)
	}
	bp := build(t, arch(func(c *tier.Cluster) { c.Max = 6 }))
	assert.Contains(t, findingIDs(bp), "PT013 clusters[app]")
	for _, f := range bp.Findings {
		if f.ID == "PT013" {
			assert.Equal(t, netplan.SeverityInfo, f.Severity)
			assert.Contains(t, f.Message, "2 to 6 nodes and no scaling policy")
		}
	}
	assert.NotContains(t, findingIDs(build(t, arch(func(c *tier.Cluster) { c.Max, c.Scaling = 6, tier.DefaultScaling() }))), "PT013 clusters[app]")
	assert.NotContains(t, findingIDs(build(t, arch(func(*tier.Cluster) {}))), "PT013 clusters[app]", "NewCluster keeps a fixed size")
}
