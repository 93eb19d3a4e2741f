package pattern_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// TestDerivedNamesAtTheBound builds the ready patterns with a deployment
// name of blueprint.MaxDeploymentLen characters and tier names of 40 (the
// longest tier.CheckName allows), and checks every cloud name archkit
// derives from them against the clouds' limits: the lock's launch
// template name is the one that binds (128, exactly).
func TestDerivedNamesAtTheBound(t *testing.T) {
	t.Parallel()
	name := "n" + strings.Repeat("x", blueprint.MaxDeploymentLen-1)
	tierName := "t" + strings.Repeat("y", 39)
	require.Len(t, name, blueprint.MaxDeploymentLen)
	assert.Len(t, driver.LockName(name), 128, "AWS launch template names hold 128")
	for _, tc := range []struct {
		what string
		arch *pattern.Architecture
	}{
		// The app tier's load balancer is "<app>-lb": 37 characters leave it 40.
		{"web app, long tiers", pattern.WebApp(pattern.WebAppOptions{Name: name, Profile: netplan.AWS, Public: "p" + tierName[1:], App: tierName[:37], DB: "d" + tierName[1:]})},
		{"three-tier", pattern.ThreeTier(pattern.ThreeTierOptions{Name: name, Profile: netplan.Outscale})},
	} {
		bp, err := tc.arch.Build()
		require.NoError(t, err, tc.what)
		for _, r := range bp.Resources {
			tag := name + "-" + strings.ReplaceAll(r.ID, "/", "-") // the Name tag the engine sets
			assert.LessOrEqual(t, len(tag), 255, "%s: Name tag of %s (AWS 256, OUTSCALE 255)", tc.what, r.ID)
			assert.LessOrEqual(t, len(driver.Token(name, r.ID, "lt-0123456789abcdef0/1")), 64, "%s: token of %s", tc.what, r.ID)
			switch {
			case r.SecurityGroup != nil:
				assert.LessOrEqual(t, len(r.SecurityGroup.Name), 255, "%s: group name %s", tc.what, r.SecurityGroup.Name)
				assert.LessOrEqual(t, len(r.SecurityGroup.Description), 255, "%s: group description of %s", tc.what, r.ID)
				assert.False(t, strings.HasPrefix(r.SecurityGroup.Name, "sg-"))
			case r.LoadBalancer != nil:
				assert.LessOrEqual(t, len(r.LoadBalancer.Name), 32, "%s: load balancer name %s", tc.what, r.LoadBalancer.Name)
				assert.False(t, strings.HasPrefix(r.LoadBalancer.Name, "internal-"))
			}
		}
	}
	_, err := pattern.WebApp(pattern.WebAppOptions{Name: name + "x", Profile: netplan.AWS}).Build()
	require.ErrorContains(t, err, "116 characters, over 115")
}
