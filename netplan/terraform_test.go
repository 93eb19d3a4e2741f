package netplan_test

import (
	"math"
	"net/netip"
	"testing"

	"github.com/archkit/archkit/netplan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The wanted values are the examples of Terraform's documentation of
// cidrsubnet, cidrhost and cidrsubnets, plus edge cases.

func TestCIDRSubnet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix  string
		newbits int
		netnum  uint64
		want    string
		wantErr error
	}{
		{"172.16.0.0/12", 4, 2, "172.18.0.0/16", nil},
		{"10.1.2.0/24", 4, 15, "10.1.2.240/28", nil},
		// Terraform documents fd00:fd12:3456:7800:a200::/72 (162 = 0xa2 lands in
		// the high byte of the fifth group); "…:7800:a2::/72" would be netnum 162<<8.
		{"fd00:fd12:3456:7890::/56", 16, 162, "fd00:fd12:3456:7800:a200::/72", nil},
		{"2607:f298:6051:516c::/64", 8, 2, "2607:f298:6051:516c:200::/72", nil},
		{"10.3.0.0/16", 8, 5, "10.3.5.0/24", nil},
		{"10.1.2.5/24", 0, 0, "10.1.2.0/24", nil}, // host bits ignored, like Terraform
		{"0.0.0.0/0", 32, math.MaxUint32, "255.255.255.255/32", nil},
		{"::/0", 128, math.MaxUint64, "::ffff:ffff:ffff:ffff/128", nil},
		{"::/0", 64, 1, "0:0:0:1::/64", nil},
		{"10.0.0.0/8", 8, 256, "", netplan.ErrOutOfBounds},
		{"10.0.0.0/30", 3, 0, "", netplan.ErrOutOfBounds},
		{"10.0.0.0/8", -1, 0, "", netplan.ErrInvalid},
		{"fd00::/56", 73, 0, "", netplan.ErrOutOfBounds},
	}
	for _, tc := range tests {
		got, err := netplan.CIDRSubnet(netip.MustParsePrefix(tc.prefix), tc.newbits, tc.netnum)
		if tc.wantErr != nil {
			assert.ErrorIs(t, err, tc.wantErr, "%s %d %d", tc.prefix, tc.newbits, tc.netnum)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got.String(), "cidrsubnet(%q, %d, %d)", tc.prefix, tc.newbits, tc.netnum)
	}
	_, err := netplan.CIDRSubnet(netip.MustParsePrefix("10.0.0.0/8"), 8, 256)
	assert.EqualError(t, err, "netplan: cidrsubnet.netnum: 256: prefix extension of 8 does not accommodate a subnet numbered 256; use a netnum below 256 or more newbits")
	_, err = netplan.CIDRSubnet(netip.Prefix{}, 1, 0)
	assert.ErrorIs(t, err, netplan.ErrInvalid)
	_, err = netplan.CIDRSubnet(netip.MustParsePrefix("::ffff:10.0.0.0/104"), 1, 0)
	assert.ErrorIs(t, err, netplan.ErrInvalid)
}

func TestCIDRHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix  string
		hostnum int64
		want    string
		wantErr error
	}{
		{"10.12.112.0/20", 16, "10.12.112.16", nil},
		{"10.12.112.0/20", 268, "10.12.113.12", nil},
		{"fd00:fd12:3456:7890:00a2::/72", 34, "fd00:fd12:3456:7890::22", nil},
		{"10.0.0.0/24", -1, "10.0.0.255", nil},
		{"10.0.0.0/24", -256, "10.0.0.0", nil},
		{"10.0.0.0/24", -257, "", netplan.ErrOutOfBounds},
		{"10.0.0.0/24", 256, "", netplan.ErrOutOfBounds},
		{"10.0.0.0/24", 255, "10.0.0.255", nil},
		{"10.0.0.7/32", 0, "10.0.0.7", nil},
		{"10.0.0.7/32", -1, "10.0.0.7", nil},
		{"fd00::/64", -1, "fd00::ffff:ffff:ffff:ffff", nil},
		{"fd00::/64", math.MinInt64, "fd00::8000:0:0:0", nil},
		{"fd00::/64", math.MaxInt64, "fd00::7fff:ffff:ffff:ffff", nil},
		{"0.0.0.0/0", math.MinInt64, "", netplan.ErrOutOfBounds},
	}
	for _, tc := range tests {
		got, err := netplan.CIDRHost(netip.MustParsePrefix(tc.prefix), tc.hostnum)
		if tc.wantErr != nil {
			assert.ErrorIs(t, err, tc.wantErr, "%s %d", tc.prefix, tc.hostnum)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got.String(), "cidrhost(%q, %d)", tc.prefix, tc.hostnum)
	}
	_, err := netplan.CIDRHost(netip.MustParsePrefix("10.0.0.0/24"), 256)
	assert.EqualError(t, err, "netplan: cidrhost.hostnum: 256: prefix of 24 does not accommodate a host numbered 256; use a host number inside the prefix")
}

func TestCIDRSubnets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix  string
		newbits []int
		want    []string
		wantErr error
	}{
		{"10.1.0.0/16", []int{4, 4, 8, 4}, []string{"10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"}, nil},
		{"fd00:fd12:3456:7890::/56", []int{16, 16, 16, 32}, []string{"fd00:fd12:3456:7800::/72", "fd00:fd12:3456:7800:100::/72", "fd00:fd12:3456:7800:200::/72", "fd00:fd12:3456:7800:300::/88"}, nil},
		{"10.0.0.0/24", []int{1, 1}, []string{"10.0.0.0/25", "10.0.0.128/25"}, nil},
		{"10.0.0.0/24", []int{1, 1, 1}, nil, netplan.ErrOutOfBounds},
		{"10.0.0.0/24", []int{2, 1, 2}, nil, netplan.ErrOutOfBounds}, // /26, then /25 aligned at .128, no room for a /26
		{"10.0.0.0/24", []int{2, 1}, []string{"10.0.0.0/26", "10.0.0.128/25"}, nil},
		{"10.0.0.0/24", []int{0}, nil, netplan.ErrInvalid},
		{"10.0.0.0/24", []int{9}, nil, netplan.ErrOutOfBounds},
		{"::/0", []int{1, 1}, []string{"::/1", "8000::/1"}, nil},
		{"::/0", []int{1, 1, 128}, nil, netplan.ErrOutOfBounds},
		{"10.0.0.0/24", nil, []string{}, nil},
	}
	for _, tc := range tests {
		got, err := netplan.CIDRSubnets(netip.MustParsePrefix(tc.prefix), tc.newbits...)
		if tc.wantErr != nil {
			assert.ErrorIs(t, err, tc.wantErr, "%s %v", tc.prefix, tc.newbits)
			assert.Nil(t, got)
			continue
		}
		require.NoError(t, err)
		s := make([]string, len(got))
		for i, p := range got {
			s[i] = p.String()
		}
		assert.Equal(t, tc.want, s, "cidrsubnets(%q, %v)", tc.prefix, tc.newbits)
	}
	_, err := netplan.CIDRSubnets(netip.MustParsePrefix("10.0.0.0/24"), 1, 1, 1)
	assert.EqualError(t, err, "netplan: cidrsubnets.newbits[2]: 1: not enough remaining address space for a subnet with a prefix of 25 bits after 10.0.0.128/25; use fewer or smaller subnets, or a larger prefix")
}

// TestCIDRSubnetsMatchesCIDRSubnet checks that every subnet from
// CIDRSubnets is the CIDRSubnet of its own size at some netnum.
func TestCIDRSubnetsMatchesCIDRSubnet(t *testing.T) {
	t.Parallel()
	base := netip.MustParsePrefix("10.20.0.0/16")
	nbs := []int{8, 2, 8, 4, 3, 8}
	got, err := netplan.CIDRSubnets(base, nbs...)
	require.NoError(t, err)
	for i, p := range got {
		netnum := (uint64(p.Addr().As4()[2])<<8 | uint64(p.Addr().As4()[3])) >> (32 - p.Bits())
		want, err := netplan.CIDRSubnet(base, nbs[i], netnum)
		require.NoError(t, err)
		assert.Equal(t, want, p)
	}
}
