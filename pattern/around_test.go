package pattern_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// deployedOf returns the subnets of bp as the engine finds them.
func deployedOf(bp *blueprint.Blueprint) blueprint.Existing {
	ex := blueprint.Existing{Subnets: map[string]netip.Prefix{}}
	for _, r := range bp.OfKind(blueprint.KindSubnet) {
		ex.Subnets[r.ID] = r.Subnet.CIDR
	}
	return ex
}

func subnetsOf(bp *blueprint.Blueprint) map[string]netip.Prefix { return deployedOf(bp).Subnets }

// net returns a Net with the tiers names, private and without NAT.
func net(cidr string, names ...string) *pattern.Architecture {
	a := pattern.New("shop", cidr)
	for _, n := range names {
		a.AddTier(tier.App(n))
	}
	a.NAT = netplan.NATNone
	return a
}

// Built around what is deployed, an architecture keeps every deployed
// subnet where it is, whatever tiers and zones come first in its lists,
// and gives new subnets free space.
func TestBuildAroundKeepsDeployedSubnets(t *testing.T) {
	t.Parallel()
	before := build(t, pattern.ThreeTier(pattern.ThreeTierOptions{}))
	grown := pattern.ThreeTier(pattern.ThreeTierOptions{Zones: []string{"a", "b", "c"}})
	admin := tier.Tier{Name: "admin", Role: tier.RoleBastion, Exposure: netplan.Public, SubnetBits: 22, Ports: []tier.Port{tier.TCP(22)}}
	grown.Tiers = append([]tier.Tier{admin}, grown.Tiers...) // first and largest: Build alone would move everything
	grown.Acknowledge("PT017", "tiers[admin]", "only the bastion's subnets matter here, not its machine")
	moved, err := grown.Build()
	require.NoError(t, err)
	assert.NotEqual(t, subnetsOf(before)["subnet/nginx/a"], subnetsOf(moved)["subnet/nginx/a"], "without what is deployed, subnets move")

	after, err := grown.BuildAround(deployedOf(before))
	require.NoError(t, err)
	for id, p := range subnetsOf(before) {
		assert.Equal(t, p, subnetsOf(after)[id], id)
	}
	assert.Len(t, after.OfKind(blueprint.KindSubnet), 4*3)
	assert.Empty(t, grown.Pinned, "BuildAround changes nothing in the architecture")
}

// A removed tier's subnets hold their range for the build that removes
// them (the engine deletes them after it creates the new ones), and free it
// once they are gone.
func TestBuildAroundHoldsRemovedSubnets(t *testing.T) {
	t.Parallel()
	a := net("10.0.0.0/21", "old", "app")
	before := build(t, a)
	old := subnetsOf(before)
	a2 := net("10.0.0.0/21", "app", "new")
	during, err := a2.BuildAround(deployedOf(before))
	require.NoError(t, err)
	got := subnetsOf(during)
	assert.Equal(t, old["subnet/app/a"], got["subnet/app/a"])
	for _, z := range []string{"a", "b"} {
		assert.NotEqual(t, old["subnet/old/"+z], got["subnet/new/"+z], "a subnet being deleted keeps its range this run")
	}
	assert.NotContains(t, got, "subnet/old/a", "the removed tier has no subnet in the Blueprint")

	// Once old's subnets are gone, their space is free again.
	gone := deployedOf(during)
	after, err := a2.BuildAround(gone)
	require.NoError(t, err)
	assert.Equal(t, got, subnetsOf(after), "nothing deployed moves on the next run either")

	// In a Net too small for both, the error says why and what to do.
	_, err = net("10.0.0.0/22", "app", "new").BuildAround(deployedOf(build(t, net("10.0.0.0/22", "old", "app"))))
	require.ErrorIs(t, err, netplan.ErrNoSpace)
	assert.ErrorContains(t, err, "the deployed subnets of removed tiers or zones (old/a 10.0.0.0/24, old/b 10.0.1.0/24) keep their range until the apply deletes them")
}

// The Net's range changed: deployed subnets outside it are not pinned, so
// the Blueprint holds their new ranges (the engine's plan shows the
// replacement, and protects what it would cost).
func TestBuildAroundNewNetRange(t *testing.T) {
	t.Parallel()
	before := build(t, net("10.0.0.0/16", "app"))
	after, err := net("10.1.0.0/16", "app").BuildAround(deployedOf(before))
	require.NoError(t, err)
	assert.Equal(t, netip.MustParsePrefix("10.1.0.0/24"), subnetsOf(after)["subnet/app/a"])
}

// A pin the caller wrote is checked: one that contradicts a deployed
// subnet, or names no tier or zone of the architecture, is an error naming
// it.
func TestPinsChecked(t *testing.T) {
	t.Parallel()
	a := net("10.0.0.0/16", "app")
	before := build(t, a)
	pinned := *a
	pinned.Pinned = []netplan.Allocation{{Name: "app", Zone: "a", Prefix: netip.MustParsePrefix("10.0.9.0/24")}}
	_, err := pinned.BuildAround(deployedOf(before))
	require.ErrorIs(t, err, pattern.ErrInvalid)
	assert.ErrorContains(t, err, "pinned[0]: app/a 10.0.9.0/24: the deployed subnet app/a is 10.0.0.0/24")

	same := *a
	same.Pinned = []netplan.Allocation{{Name: "app", Zone: "a", Prefix: netip.MustParsePrefix("10.0.0.0/24")}}
	_, err = same.BuildAround(deployedOf(before))
	assert.NoError(t, err, "a pin that says what is deployed is fine")

	typo := *a
	typo.Pinned = []netplan.Allocation{{Name: "apq", Zone: "a", Prefix: netip.MustParsePrefix("10.0.9.0/24")},
		{Name: "app", Zone: "z", Prefix: netip.MustParsePrefix("10.0.10.0/24")}}
	_, err = typo.Build()
	require.ErrorIs(t, err, pattern.ErrInvalid)
	assert.ErrorContains(t, err, "pinned[0]: apq/a 10.0.9.0/24: no tier apq")
	assert.ErrorContains(t, err, "pinned[1]: app/z 10.0.10.0/24: tier app has no zone z")
}

func TestSourceOfNil(t *testing.T) {
	t.Parallel()
	var a *pattern.Architecture
	assert.Empty(t, a.DeploymentName())
	_, err := a.BuildAround(blueprint.Existing{})
	assert.ErrorIs(t, err, pattern.ErrInvalid)
}
