package pattern_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/tier"
)

// floating returns an architecture whose tier name runs n nodes behind a
// floating public IP.
func floating(t tier.Tier, n int) *pattern.Architecture {
	c := tier.NewCluster(t.Name, "ami-12c6146b", "tinav5.c2r4p2")
	c.Min, c.Desired, c.Max = n, n, n
	c.FloatingIP = true
	a := pattern.New("float", "10.9.0.0/16").AddTier(t).AddCluster(c).Connect("internet", t.Name, 443)
	a.Profile = netplan.Outscale
	return a
}

func TestFloatingIP(t *testing.T) {
	t.Parallel()
	bp, err := floating(tier.Web("front"), 2).Build()
	require.NoError(t, err)
	ip, ok := bp.Resource("public_ip/front")
	require.True(t, ok)
	assert.Empty(t, ip.PublicIP.Zone, "an address of the region, not of a zone")
	c, ok := bp.Resource("cluster/front")
	require.True(t, ok)
	assert.Equal(t, blueprint.Ref("public_ip/front"), c.Cluster.PublicIP)
	assert.Contains(t, c.DependsOn, "public_ip/front", "the address exists before the nodes")

	_, err = floating(tier.App("app"), 2).Build()
	require.Error(t, err)
	assert.ErrorContains(t, err, "cluster[app].floating_ip")
	assert.ErrorContains(t, err, "make the tier public")
	_, err = floating(tier.Web("front"), 1).Build()
	require.Error(t, err)
	assert.ErrorContains(t, err, "cluster[front].floating_ip")
	assert.ErrorContains(t, err, "no standby")
}

// On AWS an autoscaling group keeps no address on one instance: the
// engine refuses the floating IP before any call, naming the field, and
// under AllowFallback drops it with a notice.
func TestFloatingIPOnAWS(t *testing.T) {
	t.Parallel()
	a := floating(tier.Web("front"), 2)
	a.Profile = netplan.AWS
	d := fake.New()
	_, err := provider.NewEngine(d).Apply(t.Context(), a)
	require.Error(t, err)
	assert.ErrorContains(t, err, "public_ip")
	assert.ErrorContains(t, err, "put a load balancer in front")
	assert.Zero(t, d.Counts().Writes)

	res, err := provider.NewEngine(d, func(o *provider.Options) { o.AllowFallback = true }).Apply(t.Context(), a)
	require.NoError(t, err)
	assert.True(t, slices.ContainsFunc(res.Changeset.Notices, func(n string) bool { return strings.Contains(n, "public_ip") }),
		"a notice says the field was dropped: %v", res.Changeset.Notices)
}

// On the fake in OUTSCALE's mode the address floats as on OUTSCALE: the
// apply converges and a second one writes nothing.
func TestFloatingIPOnFakeOutscale(t *testing.T) {
	t.Parallel()
	d := fake.New(fake.Outscale)
	eng := provider.NewEngine(d)
	a := floating(tier.Web("front"), 2)
	_, err := eng.Apply(t.Context(), a)
	require.NoError(t, err)
	d.ResetCalls()
	_, err = eng.Apply(t.Context(), a)
	require.NoError(t, err)
	assert.Zero(t, d.Counts().Writes)
}
