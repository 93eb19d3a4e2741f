package netplan_test

import (
	"net/netip"
	"testing"

	"github.com/archkit/archkit/netplan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePrefix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    netip.Prefix
		wantMsg string // full error text; empty means success
	}{
		{name: "ipv4", in: "10.0.0.0/16", want: netip.MustParsePrefix("10.0.0.0/16")},
		{name: "ipv4 host", in: "10.0.0.7/32", want: netip.MustParsePrefix("10.0.0.7/32")},
		{name: "ipv4 all", in: "0.0.0.0/0", want: netip.MustParsePrefix("0.0.0.0/0")},
		{name: "ipv6", in: "fd00:1::/56", want: netip.MustParsePrefix("fd00:1::/56")},
		{name: "ipv6 all", in: "::/0", want: netip.MustParsePrefix("::/0")},
		{name: "host bits", in: "10.0.0.1/16", wantMsg: "netplan: 10.0.0.1/16: host bits set; did you mean 10.0.0.0/16?"},
		{name: "ipv6 host bits", in: "fd00::1/64", wantMsg: "netplan: fd00::1/64: host bits set; did you mean fd00::/64?"},
		{name: "empty", in: "", wantMsg: `netplan: empty prefix; write a prefix such as "10.0.0.0/16"`},
		{name: "garbage", in: "hello", wantMsg: `netplan: "hello": not a prefix; write a prefix such as "10.0.0.0/16"`},
		{name: "no length", in: "10.0.0.0", wantMsg: `netplan: "10.0.0.0": missing prefix length; did you mean 10.0.0.0/32?`},
		{name: "bad address", in: "10.0.0.256/24", wantMsg: `netplan: "10.0.0.256/24": not an ip address before the slash; write a prefix such as "10.0.0.0/16" or "fd00::/56"`},
		{name: "length too long", in: "10.0.0.0/33", wantMsg: `netplan: "10.0.0.0/33": bad prefix length /33; use a decimal length from 0 to 32`},
		{name: "length not a number", in: "fd00::/x", wantMsg: `netplan: "fd00::/x": bad prefix length /x; use a decimal length from 0 to 128`},
		{name: "zone", in: "fe80::%eth0/64", wantMsg: `netplan: "fe80::%eth0/64": ipv6 zones are not allowed in a prefix; remove the %zone`},
		{name: "mapped", in: "::ffff:10.0.0.0/104", wantMsg: `netplan: "::ffff:10.0.0.0/104": ipv4-mapped ipv6 prefix; did you mean 10.0.0.0/8?`},
		{name: "mapped short", in: "::ffff:0.0.0.0/80", wantMsg: `netplan: "::ffff:0.0.0.0/80": ipv4-mapped ipv6 prefix; use an ipv4 prefix`},
		{name: "spaces", in: " 10.0.0.0/8", wantMsg: `netplan: " 10.0.0.0/8": leading or trailing space; remove the spaces`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := netplan.ParsePrefix(tc.in)
			if tc.wantMsg != "" {
				require.Error(t, err)
				assert.Equal(t, tc.wantMsg, err.Error())
				require.ErrorIs(t, err, netplan.ErrInvalid)
				var fe *netplan.FieldError
				require.ErrorAs(t, err, &fe)
				assert.NotEmpty(t, fe.Problem)
				assert.False(t, got.IsValid())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.in, got.String())
		})
	}
}

func TestMustParsePrefix(t *testing.T) {
	t.Parallel()
	assert.Equal(t, netip.MustParsePrefix("192.168.0.0/24"), netplan.MustParsePrefix("192.168.0.0/24"))
	assert.Panics(t, func() { netplan.MustParsePrefix("192.168.0.1/24") })
}

func TestFieldError(t *testing.T) {
	t.Parallel()
	e := &netplan.FieldError{Field: "subnets[2].cidr", Input: "10.0.0.1/16", Problem: "host bits set", Fix: "did you mean 10.0.0.0/16?", Err: netplan.ErrInvalid}
	assert.Equal(t, "netplan: subnets[2].cidr: 10.0.0.1/16: host bits set; did you mean 10.0.0.0/16?", e.Error())
	assert.ErrorIs(t, e, netplan.ErrInvalid)
	assert.NotErrorIs(t, e, netplan.ErrNoSpace)
	assert.Equal(t, "netplan: broken", (&netplan.FieldError{Problem: "broken"}).Error())
}
