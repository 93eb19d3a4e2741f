package provider_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// noAutoscaling makes a fake that, like OUTSCALE, cannot honour a
// cluster's scaling policy but supports every kind.
func noAutoscaling(o *fake.Options) {
	o.UnsupportedFields = map[blueprint.Kind]map[string]string{
		blueprint.KindCluster: {"scaling": "no autoscaling service"},
	}
}

// webAppScaling is webApp with a CPU target-tracking policy on its cluster.
func webAppScaling(deployment string, target int) *blueprint.Blueprint {
	bp := webApp(deployment)
	for i := range bp.Resources {
		if c := bp.Resources[i].Cluster; c != nil {
			c.Scaling = &blueprint.ScalingSpec{TargetCPUPercent: target, WarmupSeconds: 300}
		}
	}
	return bp
}

func notices(c *collector) []string {
	var out []string
	for _, ev := range c.all() {
		if ev.Type == provider.EventNotice {
			out = append(out, ev.Message)
		}
	}
	return out
}

// A field the driver lists in UnsupportedFields is refused before any call
// without AllowFallback, and dropped with a notice with it.
func TestUnsupportedField(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		fakeOpts      func(*fake.Options)
		bp            *blueprint.Blueprint
		allowFallback bool
		wantErr       []string // substrings of the error; nil: success
		wantNotices   []string
		wantScaling   *blueprint.ScalingSpec // read back from the fake after the apply
	}{
		{name: "refused", fakeOpts: noAutoscaling, bp: webAppScaling("shop", 60),
			wantErr: []string{
				"provider: cluster/web: cluster.scaling not supported by fake (no autoscaling service)",
				"set AllowFallback to keep the nodes at desired (3), or remove the cluster's Scaling",
			}},
		{name: "fallback", fakeOpts: noAutoscaling, bp: webAppScaling("shop", 60), allowFallback: true,
			wantNotices: []string{"cluster/web: scaling dropped: fake cannot autoscale (no autoscaling service); the cluster stays at 3 nodes"}},
		{name: "unused field", fakeOpts: noAutoscaling, bp: webApp("shop")},
		{name: "supported", fakeOpts: func(*fake.Options) {}, bp: webAppScaling("shop", 70),
			wantScaling: &blueprint.ScalingSpec{TargetCPUPercent: 70, WarmupSeconds: 300}},
		{name: "outscale refused", fakeOpts: fake.Outscale, bp: webAppScaling("shop", 60),
			wantErr: []string{"cluster/web: cluster.scaling not supported by fake (OUTSCALE has no autoscaling service"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newFake(tc.fakeOpts)
			var c collector
			eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.AllowFallback = tc.allowFallback; o.OnEvent = c.handle })
			_, err := eng.Plan(t.Context(), tc.bp)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, driver.ErrUnsupported)
				for _, w := range tc.wantErr {
					assert.Contains(t, err.Error(), w)
				}
				_, err = eng.Apply(t.Context(), tc.bp)
				require.ErrorIs(t, err, driver.ErrUnsupported)
				assert.Zero(t, d.Counts().Writes, "refused before any call")
				return
			}
			require.NoError(t, err)
			res, err := eng.Apply(t.Context(), tc.bp)
			require.NoError(t, err)
			assert.Equal(t, len(tc.bp.Resources), res.Created)
			assert.Equal(t, tc.wantNotices, notices(&c))

			obs, err := d.List(t.Context(), driver.Query{Deployment: "shop", Kind: blueprint.KindCluster})
			require.NoError(t, err)
			require.Len(t, obs, 1)
			assert.Equal(t, tc.wantScaling, obs[0].Resource.Cluster.Scaling)
			if tc.allowFallback {
				r, ok := tc.bp.Resource("cluster/web")
				require.True(t, ok)
				assert.NotNil(t, r.Cluster.Scaling, "the caller's Blueprint is untouched")
			}

			d.ResetCalls()
			cs, err := eng.Plan(t.Context(), tc.bp)
			require.NoError(t, err)
			assert.False(t, cs.HasChanges(), "no diff after the apply: %s", cs)
			_, err = eng.Apply(t.Context(), tc.bp)
			require.NoError(t, err)
			assert.Zero(t, d.Counts().Writes)
		})
	}
}

// A scaling policy is changed, added and removed in place.
func TestScalingUpdate(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	_, err := eng.Apply(t.Context(), webApp("shop"))
	require.NoError(t, err)
	for _, step := range []struct {
		name string
		bp   *blueprint.Blueprint
		diff string
	}{
		{"add", webAppScaling("shop", 60), "scaling: (none) -> (set)"},
		{"change", webAppScaling("shop", 75), "scaling.target_cpu_percent: 60 -> 75"},
		{"remove", webApp("shop"), "scaling: (set) -> (none)"},
	} {
		cs, err := eng.Plan(t.Context(), step.bp)
		require.NoError(t, err, step.name)
		assert.Equal(t, 1, cs.Counts()[provider.ActionUpdate], "%s: %s", step.name, cs)
		ch, ok := cs.Change("cluster/web")
		require.True(t, ok, step.name)
		assert.Equal(t, provider.ActionUpdate, ch.Action, step.name)
		require.Len(t, ch.Diffs, 1, step.name)
		assert.Equal(t, step.diff, ch.Diffs[0].String(), step.name)
		res, err := eng.Apply(t.Context(), step.bp)
		require.NoError(t, err, step.name)
		assert.Equal(t, 1, res.Updated, step.name)
		res, err = eng.Apply(t.Context(), step.bp)
		require.NoError(t, err, step.name)
		assert.Zero(t, res.WriteCalls, step.name)
	}
}
