package provider

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
)

// The preflight's sweep finds an overlap wherever the pairwise comparison
// would, in one pass over each Net's ranges in address order.
func TestNetsWithOverlaps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		subnets []string
		want    bool
	}{
		{"disjoint", []string{"10.0.2.0/24", "10.0.0.0/24", "10.0.1.0/24"}, false},
		{"adjacent", []string{"10.0.0.0/25", "10.0.0.128/25"}, false},
		{"nested", []string{"10.0.1.0/24", "10.0.0.0/16"}, true},
		{"inside an earlier wide one, after a gap", []string{"10.0.0.0/20", "10.0.0.0/28", "10.0.15.0/24"}, true},
		{"same range", []string{"10.0.3.0/24", "10.0.3.0/24"}, true},
		{"both families, disjoint", []string{"10.0.0.0/24", "2001:db8::/64", "10.0.1.0/24", "2001:db8:0:1::/64"}, false},
		{"both families, v6 nested", []string{"10.0.0.0/24", "2001:db8::/56", "2001:db8:0:7::/64"}, true},
	}
	for _, tc := range tests {
		bp := &blueprint.Blueprint{}
		for i, s := range tc.subnets {
			bp.Resources = append(bp.Resources, blueprint.Resource{ID: fmt.Sprintf("subnet/%d", i), Kind: blueprint.KindSubnet,
				Subnet: &blueprint.SubnetSpec{Net: "net/main", CIDR: netplan.MustParsePrefix(s)}})
		}
		c := newChecker(bp, netplan.AWS)
		assert.Equal(t, tc.want, c.netsWithOverlaps()["net/main"], tc.name)
	}
	assert.Equal(t, "10.0.0.255", lastAddr(netplan.MustParsePrefix("10.0.0.0/24")).String())
	assert.Equal(t, "2001:db8::ffff:ffff:ffff:ffff", lastAddr(netplan.MustParsePrefix("2001:db8::/64")).String())
}
