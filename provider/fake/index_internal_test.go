package fake

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    string
		bits int
		want []string
	}{
		{"10.0.1.0/24", 26, []string{"10.0.1.0/26", "10.0.1.64/26", "10.0.1.128/26", "10.0.1.192/26"}},
		{"10.0.1.7/24", 24, []string{"10.0.1.0/24"}},
		{"10.0.255.0/23", 24, []string{"10.0.254.0/24", "10.0.255.0/24"}},
		{"2001:db8::/63", 64, []string{"2001:db8::/64", "2001:db8:0:1::/64"}},
		{"2001:db8:0:ffff::/63", 65, []string{"2001:db8:0:fffe::/65", "2001:db8:0:fffe:8000::/65", "2001:db8:0:ffff::/65", "2001:db8:0:ffff:8000::/65"}},
		{"0.0.0.0/0", 1, []string{"0.0.0.0/1", "128.0.0.0/1"}},
	}
	for _, tc := range tests {
		var got []string
		for q := range ranges(netip.MustParsePrefix(tc.p), tc.bits) {
			got = append(got, q.String())
		}
		assert.Equal(t, tc.want, got, tc.p)
	}
	n := 0
	for range ranges(netip.MustParsePrefix("10.0.0.0/16"), 28) {
		n++
		if n == 3 {
			break // stops when told
		}
	}
	assert.Equal(t, 3, n)
}
