package provider_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/providertest"
)

// readyPatterns builds the ready patterns the engine must apply: seed 000's
// three tiers, seed 003's web application, and the three tiers with an
// office reached over a VPN.
func readyPatterns(t testing.TB) map[string]*blueprint.Blueprint {
	t.Helper()
	three, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "three"}).Build()
	require.NoError(t, err)
	web, err := pattern.WebApp(pattern.WebAppOptions{Name: "webapp"}).Build()
	require.NoError(t, err)
	vpn, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "vpn"}).
		Peer("office", netip.MustParsePrefix("192.168.0.0/16")).
		VPN("office", pattern.VPN{PublicIP: netip.MustParseAddr("198.51.100.7")}).
		Flow("peer:office -> intel tcp/22").Build()
	require.NoError(t, err)
	bastion, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "bastion", AdminCIDR: netip.MustParsePrefix("203.0.113.0/24"),
		BastionPublicKey: providertest.PublicKey, BastionPerZone: true}).Build()
	require.NoError(t, err)
	return map[string]*blueprint.Blueprint{"three-tier": three, "web-app": web, "three-tier-vpn": vpn, "three-tier-bastion": bastion}
}

// TestPatternsFaultAtEveryWrite is TestFaultAtEveryWrite on the ready
// patterns as Build makes them.
func TestPatternsFaultAtEveryWrite(t *testing.T) {
	t.Parallel()
	for name, bp := range readyPatterns(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clean := newFake()
			eng := provider.NewEngine(clean, fastOpts)
			res, err := eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			assert.Equal(t, len(bp.Resources), res.Created)
			writes := clean.Counts().Writes
			assert.Equal(t, len(bp.Resources), writes)
			clean.ResetCalls()
			_, err = eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			assert.Zero(t, clean.Counts().Writes)
			want := clean.Snapshot(bp.Deployment)
			for k := 1; k <= writes; k++ {
				d := newFake()
				eng := provider.NewEngine(d, fastOpts)
				d.Inject(fake.Fault{WritesOnly: true, Nth: k, Code: driver.Internal, AfterEffect: k%2 == 0})
				_, err := eng.Apply(t.Context(), bp)
				require.Error(t, err, "write %d", k)
				d.ClearFaults()
				_, err = eng.Apply(t.Context(), bp)
				require.NoError(t, err, "write %d", k)
				_, dups := snapshot(t, d, bp.Deployment)
				require.Empty(t, dups, "write %d", k)
				require.Equal(t, want, d.Snapshot(bp.Deployment), "write %d", k)
				require.Len(t, d.Resources(), len(bp.Resources), "nothing leaked, write %d", k)
				_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
				require.NoError(t, err)
				require.Empty(t, d.Resources(), "write %d", k)
			}
		})
	}
}

func TestPatternsThrottled(t *testing.T) {
	t.Parallel()
	for name, bp := range readyPatterns(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := newFake()
			d.Throttle(0.3, 7)
			eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.Retry.MaxAttempts = 20 })
			_, err := eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
			require.NoError(t, err)
			d.ClearFaults()
			assert.Empty(t, d.Resources())
		})
	}
}

// TestPatternsOnOutscale applies the ready patterns to a fake with
// OUTSCALE's capabilities: refused without fallback, adapted with it.
func TestPatternsOnOutscale(t *testing.T) {
	t.Parallel()
	pats := readyPatterns(t)
	for name, bp := range pats {
		d := newFake(fake.Outscale)
		_, err := provider.NewEngine(d, fastOpts).Plan(t.Context(), bp)
		require.ErrorIs(t, err, driver.ErrUnsupported, name)
		assert.Contains(t, err.Error(), "network_acl not supported by fake", name)
	}
	d := newFake(fake.Outscale)
	var c collector
	eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.AllowFallback = true; o.OnEvent = c.handle })
	three := pats["three-tier"]
	_, err := eng.Apply(t.Context(), three)
	require.NoError(t, err)
	assert.Zero(t, d.Snapshot(three.Deployment).Count(blueprint.KindNetworkACL))
	notices := 0
	for _, ev := range c.all() {
		if ev.Type == provider.EventNotice {
			notices++
		}
	}
	assert.Equal(t, len(three.OfKind(blueprint.KindNetworkACL))+len(three.OfKind(blueprint.KindFlowLog)), notices,
		"a notice for each network ACL and the flow log dropped")

	web := pats["web-app"]
	if db := web.OfKind(blueprint.KindDatabase); len(db) > 0 && db[0].Database.Fallback == nil {
		res, err := eng.Apply(t.Context(), web)
		require.ErrorIs(t, err, driver.ErrUnsupported)
		assert.Contains(t, err.Error(), db[0].ID+": fake has no managed database")
		assert.Contains(t, err.Error(), "set a fallback cluster or use AllowFallback=false")
		assert.Contains(t, res.String(), "Apply failed")
	}
}
