package netplan_test

import (
	"math"
	"net/netip"
	"testing"

	"github.com/archkit/archkit/netplan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProfileByName(t *testing.T) {
	t.Parallel()
	for _, want := range []netplan.Profile{netplan.AWS, netplan.Outscale, netplan.Generic} {
		got, err := netplan.ProfileByName(want.Name)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	got, err := netplan.ProfileByName("AWS")
	require.NoError(t, err)
	assert.Equal(t, netplan.AWS, got)

	_, err = netplan.ProfileByName("gcp")
	require.ErrorIs(t, err, netplan.ErrInvalid)
	assert.Equal(t, `netplan: profile: "gcp": unknown profile; use "aws", "outscale" or "generic"`, err.Error())
}

func TestProfileValues(t *testing.T) {
	t.Parallel()
	aws := netplan.AWS
	assert.Equal(t, netplan.Bounds{Min: 16, Max: 28}, aws.NetPrefix)
	assert.Equal(t, netplan.Bounds{Min: 16, Max: 28}, aws.SubnetPrefix)
	assert.Equal(t, netplan.Reserved{Head: 4, Tail: 1}, aws.Reserved)
	assert.True(t, aws.StatelessFirewall)
	assert.Equal(t, netplan.Quotas{InboundRulesPerGroup: 60, OutboundRulesPerGroup: 60, GroupsPerInterface: 5,
		GroupsPerNet: 2500, RulesPerACL: 20, SubnetsPerNet: 200, NATsPerZone: 5, RouteTablesPerNet: 200,
		RoutesPerTable: 50, ACLsPerNet: 200, NetsPerRegion: 5, PublicIPsPerRegion: 5, LoadBalancersPerRegion: 50,
		ListenersPerBalancer: 50, DatabasesPerRegion: 40}, aws.Quotas)

	osc := netplan.Outscale
	assert.Equal(t, netplan.Bounds{Min: 16, Max: 28}, osc.NetPrefix)
	assert.Equal(t, netplan.Bounds{Min: 16, Max: 29}, osc.SubnetPrefix)
	assert.True(t, osc.NetPrefix6.IsZero())
	assert.Equal(t, netplan.Reserved{Head: 4, Tail: 1}, osc.Reserved)
	assert.False(t, osc.StatelessFirewall)
	assert.True(t, osc.PrivateNets)
	assert.Equal(t, 500, osc.Quotas.GroupsPerNet)
	assert.Zero(t, osc.Quotas.InboundRulesPerGroup, "unknown quotas stay zero")

	assert.Equal(t, netplan.Reserved{Head: 1, Tail: 1}, netplan.Generic.Reserved)
	assert.Equal(t, netplan.Quotas{}, netplan.Generic.Quotas)
	assert.Equal(t, []netplan.Profile{netplan.AWS, netplan.Outscale, netplan.Generic}, netplan.Profiles())
}

func TestProfileUsable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		profile netplan.Profile
		prefix  string
		want    uint64
	}{
		{netplan.AWS, "10.0.0.0/24", 251},
		{netplan.AWS, "10.0.0.0/28", 11},
		{netplan.AWS, "10.0.0.0/16", 65531},
		{netplan.AWS, "10.0.0.0/30", 0},
		{netplan.AWS, "10.0.0.0/32", 0},
		{netplan.Outscale, "10.0.0.0/29", 3},
		{netplan.Generic, "10.0.0.0/30", 2},
		{netplan.Generic, "10.0.0.0/31", 0},
		{netplan.AWS, "fd00::/64", math.MaxUint64 - 4},
		{netplan.AWS, "fd00::/56", math.MaxUint64},
		{netplan.Generic, "::/0", math.MaxUint64},
		{netplan.Generic, "0.0.0.0/0", 1<<32 - 2},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.profile.Usable(netip.MustParsePrefix(tc.prefix)), "%s %s", tc.profile.Name, tc.prefix)
	}
	assert.Zero(t, netplan.AWS.Usable(netip.Prefix{}))
}

func TestProfileCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		check   func(netip.Prefix) error
		prefix  netip.Prefix
		wantErr error
		wantMsg string
	}{
		{"aws net ok", netplan.AWS.CheckNet, netip.MustParsePrefix("10.0.0.0/16"), nil, ""},
		{"aws net too big", netplan.AWS.CheckNet, netip.MustParsePrefix("10.0.0.0/12"), netplan.ErrOutOfBounds,
			"netplan: 10.0.0.0/12: prefix length /12 outside aws net bounds /16-/28; use a /16 or longer"},
		{"aws net too small", netplan.AWS.CheckNet, netip.MustParsePrefix("10.0.0.0/29"), netplan.ErrOutOfBounds,
			"netplan: 10.0.0.0/29: prefix length /29 outside aws net bounds /16-/28; use a /28 or shorter"},
		{"aws net6", netplan.AWS.CheckNet, netip.MustParsePrefix("2600:1f18::/56"), nil, ""},
		{"aws net6 wrong", netplan.AWS.CheckNet, netip.MustParsePrefix("2600:1f18::/48"), netplan.ErrOutOfBounds,
			"netplan: 2600:1f18::/48: prefix length /48 outside aws net bounds /56; use a /56 or longer"},
		{"aws subnet6", netplan.AWS.CheckSubnet, netip.MustParsePrefix("2600:1f18::/64"), nil, ""},
		{"outscale subnet /29", netplan.Outscale.CheckSubnet, netip.MustParsePrefix("10.0.0.0/29"), nil, ""},
		{"outscale subnet /30", netplan.Outscale.CheckSubnet, netip.MustParsePrefix("10.0.0.0/30"), netplan.ErrOutOfBounds,
			"netplan: 10.0.0.0/30: prefix length /30 outside outscale subnet bounds /16-/29; use a /29 or shorter"},
		{"outscale no ipv6", netplan.Outscale.CheckNet, netip.MustParsePrefix("fd00::/56"), netplan.ErrOutOfBounds,
			"netplan: fd00::/56: outscale has no ipv6 net; use an ipv4 prefix or another profile"},
		{"host bits", netplan.AWS.CheckNet, netip.MustParsePrefix("10.0.0.1/16"), netplan.ErrInvalid,
			"netplan: 10.0.0.1/16: host bits set; did you mean 10.0.0.0/16?"},
		{"invalid", netplan.AWS.CheckSubnet, netip.Prefix{}, netplan.ErrInvalid,
			`netplan: missing or invalid prefix; set a prefix such as "10.0.0.0/16"`},
		{"mapped", netplan.Generic.CheckSubnet, netip.MustParsePrefix("::ffff:10.0.0.0/104"), netplan.ErrInvalid,
			"netplan: ::ffff:10.0.0.0/104: ipv4-mapped ipv6 prefix; use an ipv4 prefix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.check(tc.prefix)
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.wantErr)
			assert.Equal(t, tc.wantMsg, err.Error())
		})
	}
}

func TestBounds(t *testing.T) {
	t.Parallel()
	b := netplan.Bounds{Min: 16, Max: 28}
	assert.Equal(t, "/16-/28", b.String())
	assert.Equal(t, "/64", netplan.Bounds{Min: 64, Max: 64}.String())
	assert.True(t, netplan.Bounds{}.IsZero())
	assert.False(t, b.IsZero())
}
