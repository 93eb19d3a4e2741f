package pattern_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
)

func webApp(string) *pattern.Architecture {
	return pattern.WebApp(pattern.WebAppOptions{Name: "ignored"})
}

func TestMultiRegionBuild(t *testing.T) {
	t.Parallel()
	m := pattern.Regions("shop", "10.0.0.0/8", webApp).Primary("eu-west-3").
		Recovery("eu-west-1", pattern.PilotLight).
		AddRegion(pattern.Region{Name: "eu-central-1", Posture: pattern.WarmStandby, Nodes: 3})
	bps, err := m.Build()
	require.NoError(t, err)
	assert.Equal(t, []string{"eu-west-3", "eu-west-1", "eu-central-1"}, m.Regions())
	assert.Equal(t, "eu-west-3", m.PrimaryRegion())
	tests := []struct {
		region           string
		net              string
		min, desired, mx int
		scaling          bool
	}{
		{"eu-west-3", "10.0.0.0/16", 2, 2, 6, true},
		{"eu-west-1", "10.1.0.0/16", 0, 0, 6, true},
		{"eu-central-1", "10.2.0.0/16", 2, 2, 6, true},
	}
	for _, tc := range tests {
		bp := bps[tc.region]
		require.NotNil(t, bp, tc.region)
		assert.Equal(t, "shop", bp.Deployment)
		n, ok := bp.Resource("net/" + tc.region)
		require.True(t, ok, tc.region)
		assert.Equal(t, netip.MustParsePrefix(tc.net), n.Net.CIDR, tc.region)
		c, ok := bp.Resource("cluster/app")
		require.True(t, ok)
		assert.Equal(t, [3]int{tc.min, tc.desired, tc.mx}, [3]int{c.Cluster.Min, c.Cluster.Desired, c.Cluster.Max}, tc.region)
		assert.Equal(t, tc.scaling, c.Cluster.Scaling != nil, tc.region)
		_, ok = bp.Resource("database/db")
		assert.True(t, ok, "every posture keeps the data: %s", tc.region)
	}
}

// TestMultiRegionPinned: a deployed Net keeps its range, and a region's
// fixed CIDR is kept; the others are carved around them.
func TestMultiRegionPinned(t *testing.T) {
	t.Parallel()
	m := pattern.Regions("shop", "10.0.0.0/8", webApp).Primary("eu-west-3").
		AddRegion(pattern.Region{Name: "eu-west-1", Posture: pattern.PilotLight, CIDR: netip.MustParsePrefix("10.0.0.0/16")})
	bp, err := m.BuildRegion("eu-west-3", blueprint.Existing{})
	require.NoError(t, err)
	n, _ := bp.Resource("net/eu-west-3")
	assert.Equal(t, netip.MustParsePrefix("10.1.0.0/16"), n.Net.CIDR)
	a, err := m.Architecture("eu-west-3", netip.MustParsePrefix("10.7.0.0/16"))
	require.NoError(t, err)
	assert.Equal(t, netip.MustParsePrefix("10.7.0.0/16"), a.CIDR)
}

func TestMultiRegionInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    *pattern.MultiRegion
		want []string
	}{
		{"no recovery", pattern.Regions("shop", "10.0.0.0/8", webApp).Primary("eu-west-3"), []string{"no recovery region"}},
		{"no primary", pattern.Regions("shop", "10.0.0.0/8", webApp).Recovery("eu-west-1", pattern.PilotLight), []string{"no primary region"}},
		{"twice", pattern.Regions("shop", "10.0.0.0/8", webApp).Primary("eu-west-3").Recovery("eu-west-3", pattern.PilotLight), []string{"declared twice"}},
		{"posture", pattern.Regions("shop", "10.0.0.0/8", webApp).Primary("eu-west-3").Recovery("eu-west-1", "hot"), []string{"unknown posture"}},
		{"supernet", pattern.Regions("shop", "10.0.0/8", nil).Primary("a").Recovery("b", pattern.PilotLight), []string{"supernet", "regions.build"}},
		{"two primaries", pattern.Regions("shop", "10.0.0.0/8", webApp).Primary("a").Primary("b").Recovery("c", pattern.PilotLight), []string{"a second primary"}},
		{"no room", pattern.Regions("shop", "10.0.0.0/16", webApp).Primary("a").Recovery("b", pattern.PilotLight), []string{"carve nets"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.m.Build()
			require.ErrorIs(t, err, pattern.ErrInvalid)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
	var nilM *pattern.MultiRegion
	require.Error(t, nilM.Validate())
	assert.Empty(t, nilM.Regions())
	assert.Empty(t, nilM.DeploymentName())
	_, err := pattern.Regions("shop", "10.0.0.0/8", webApp).Primary("a").Recovery("b", pattern.PilotLight).Architecture("c", netip.Prefix{})
	require.ErrorContains(t, err, "not a region")
	_ = netplan.AWS
}
