package fake_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// The fake validates a scaling policy as the clouds do, stores it, reads
// it back and changes it in place; with OUTSCALE's options it refuses it.
func TestClusterScaling(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     func(*fake.Options)
		scaling  *blueprint.ScalingSpec
		wantErr  error
		wantText string
	}{
		{"stored", func(*fake.Options) {}, &blueprint.ScalingSpec{TargetCPUPercent: 60, WarmupSeconds: 300}, nil, ""},
		{"no warmup", func(*fake.Options) {}, &blueprint.ScalingSpec{TargetCPUPercent: 100}, nil, ""},
		{"removed", func(*fake.Options) {}, nil, nil, ""},
		{"target zero", func(*fake.Options) {}, &blueprint.ScalingSpec{}, driver.ErrInvalid, "cluster.scaling.target_cpu_percent: 0: outside 1-100"},
		{"target 101", func(*fake.Options) {}, &blueprint.ScalingSpec{TargetCPUPercent: 101}, driver.ErrInvalid, "target_cpu_percent: 101"},
		{"warmup negative", func(*fake.Options) {}, &blueprint.ScalingSpec{TargetCPUPercent: 50, WarmupSeconds: -1}, driver.ErrInvalid, "cluster.scaling.warmup_seconds: -1: outside 0-3600"},
		{"warmup 3601", func(*fake.Options) {}, &blueprint.ScalingSpec{TargetCPUPercent: 50, WarmupSeconds: 3601}, driver.ErrInvalid, "warmup_seconds: 3601"},
		{"outscale", fake.Outscale, &blueprint.ScalingSpec{TargetCPUPercent: 60}, driver.ErrUnsupported, "cluster.scaling: OUTSCALE has no autoscaling service"},
		{"outscale without policy", fake.Outscale, nil, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, obs := stack(t, tc.opts)
			cur := obs["cluster/web"]
			want := cur.Resource.Clone()
			want.Cluster.Scaling = tc.scaling
			got, err := d.Update(t.Context(), driver.Request{Deployment: dep, Resource: want}, cur)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.ErrorContains(t, err, tc.wantText)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, cur.ID, got.ID, "changed in place")
			assert.Equal(t, tc.scaling, got.Resource.Cluster.Scaling)
			back, err := d.Read(t.Context(), blueprint.KindCluster, cur.ID)
			require.NoError(t, err)
			assert.Equal(t, tc.scaling, back.Resource.Cluster.Scaling)
		})
	}
}

// A Create with an unsupported field fails like an unsupported kind.
func TestCreateUnsupportedField(t *testing.T) {
	t.Parallel()
	d, obs := stack(t, fake.Outscale)
	r := obs["cluster/web"].Resource.Clone()
	r.ID = "cluster/other"
	r.Cluster.Scaling = &blueprint.ScalingSpec{TargetCPUPercent: 60}
	_, err := d.Create(t.Context(), driver.Request{Deployment: dep, Resource: r, Token: "other"})
	require.ErrorIs(t, err, driver.ErrUnsupported)
	var pe *driver.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "cluster", pe.Kind)
}

func TestScalingCapabilities(t *testing.T) {
	t.Parallel()
	aws := fake.New().Capabilities()
	assert.True(t, aws.CanUpdate(blueprint.KindCluster, "scaling"))
	assert.True(t, aws.SupportsField(blueprint.KindCluster, "scaling"))
	assert.Equal(t, []string{"public_ip"}, slices.Collect(maps.Keys(aws.UnsupportedFields[blueprint.KindCluster])), "AWS keeps no floating IP on a cluster")
	assert.False(t, aws.SupportsField(blueprint.KindCluster, "public_ip"))
	assert.True(t, fake.New(fake.Outscale).Capabilities().CanUpdate(blueprint.KindCluster, "public_ip"), "OUTSCALE moves it in place")
	own := fake.New(func(o *fake.Options) {
		o.UnsupportedFields = map[blueprint.Kind]map[string]string{blueprint.KindCluster: {"scaling": "not here"}}
	}).Capabilities()
	assert.False(t, own.SupportsField(blueprint.KindCluster, "public_ip"), "a caller's own unsupported fields keep AWS's")
	assert.False(t, own.SupportsField(blueprint.KindCluster, "scaling"))

	osc := fake.New(fake.Outscale).Capabilities()
	assert.False(t, osc.CanUpdate(blueprint.KindCluster, "scaling"), "not mutable where unsupported")
	assert.False(t, osc.SupportsField(blueprint.KindCluster, "scaling"))
	assert.Contains(t, osc.UnsupportedFields[blueprint.KindCluster]["scaling"], "no autoscaling service")
	osc.UnsupportedFields[blueprint.KindCluster]["scaling"] = "changed"
	assert.NotEqual(t, "changed", fake.New(fake.Outscale).Capabilities().UnsupportedFields[blueprint.KindCluster]["scaling"], "a copy")
}
