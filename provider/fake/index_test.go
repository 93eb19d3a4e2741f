package fake_test

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/providertest"
)

// The index finds every overlap the scan it replaced found: a range that
// holds the new one, one inside it, the same range, in the same Net only,
// naming the first conflicting subnet by id; and forgets a deleted subnet.
func TestSubnetOverlapByIndex(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, cidr string
		conflict   string // logical id of the subnet named; "" when accepted
	}{
		{"disjoint", "10.0.9.0/28", ""},
		{"same range", "10.0.1.0/24", "subnet/a"},
		{"inside an existing one", "10.0.1.64/26", "subnet/a"},
		{"holds an existing one", "10.0.2.0/23", "subnet/b"},
		{"holds two, names the first made", "10.0.0.0/22", "subnet/a"},
		{"next to both", "10.0.4.0/24", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := fake.New()
			ids := map[string]string{}
			create(t, d, netRes("net/main", "10.0.0.0/16"), ids)
			create(t, d, netRes("net/other", "10.0.0.0/16"), ids)
			create(t, d, subnetRes("subnet/a", "10.0.1.0/24", "fake-1a"), ids)
			create(t, d, subnetRes("subnet/b", "10.0.3.0/25", "fake-1b"), ids)
			other := subnetRes("subnet/o", tc.cidr, "fake-1a")
			other.Subnet.Net = "net/other"
			create(t, d, other, ids) // another Net never conflicts
			r := subnetRes("subnet/new", tc.cidr, "fake-1a")
			_, err := d.Create(t.Context(), request(r, ids))
			if tc.conflict == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, driver.ErrInvalid)
			assert.Contains(t, err.Error(), "overlaps subnet "+ids[tc.conflict])
		})
	}
}

func TestIndexForgetsDeleted(t *testing.T) {
	t.Parallel()
	d := fake.New()
	ids := map[string]string{}
	create(t, d, netRes("net/main", "10.0.0.0/16"), ids)
	create(t, d, subnetRes("subnet/a", "10.0.1.0/28", "fake-1a"), ids)
	sg := blueprint.Resource{ID: "security_group/web", Kind: blueprint.KindSecurityGroup,
		SecurityGroup: &blueprint.SecurityGroupSpec{Net: "net/main", Name: "web", Description: "web"}}
	create(t, d, sg, ids)
	rules := blueprint.Resource{ID: "security_group_rules/web", Kind: blueprint.KindSecurityGroupRules,
		SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{Group: "security_group/web"}}
	create(t, d, rules, ids)

	_, err := d.Create(t.Context(), request(subnetRes("subnet/b", "10.0.0.0/23", "fake-1a"), ids))
	require.ErrorIs(t, err, driver.ErrInvalid, "a /23 holds subnet/a")
	twin := sg
	twin.ID = "security_group/twin"
	_, err = d.Create(t.Context(), request(twin, ids))
	require.ErrorIs(t, err, driver.ErrAlreadyExists, "a name is unique in its Net")

	require.NoError(t, d.Delete(t.Context(), observed(ids, "subnet/a", blueprint.KindSubnet), driver.DeleteOptions{}))
	require.NoError(t, d.Delete(t.Context(), observed(ids, "security_group/web", blueprint.KindSecurityGroup), driver.DeleteOptions{}))
	create(t, d, subnetRes("subnet/b", "10.0.0.0/23", "fake-1a"), ids)
	create(t, d, sg, ids)
	create(t, d, rules, ids) // the group's old rule set went with it
}

func request(r blueprint.Resource, ids map[string]string) driver.Request {
	return providertest.Request(dep, r, ids)
}

func observed(ids map[string]string, id string, k blueprint.Kind) driver.Observed {
	return driver.Observed{ID: ids[id], LogicalID: id, Resource: blueprint.Resource{ID: id, Kind: k}}
}

// A range that holds many smaller subnets is checked by looking each of
// its smaller ranges up, and names the first subnet there by id.
func TestSubnetOverlapAmongMany(t *testing.T) {
	t.Parallel()
	d := fake.New()
	ids := map[string]string{}
	create(t, d, netRes("net/main", "10.0.0.0/16"), ids)
	for i := range 8 {
		create(t, d, subnetRes(fmt.Sprintf("subnet/s%d", i), fmt.Sprintf("10.0.5.%d/28", 112-16*i), "fake-1a"), ids)
	}
	_, err := d.Create(t.Context(), request(subnetRes("subnet/wide", "10.0.5.0/26", "fake-1a"), ids))
	require.ErrorIs(t, err, driver.ErrInvalid)
	inside := []string{ids["subnet/s4"], ids["subnet/s5"], ids["subnet/s6"], ids["subnet/s7"]}
	first := slices.MinFunc(inside, func(a, b string) int { return cmp.Or(len(a)-len(b), strings.Compare(a, b)) })
	assert.Contains(t, err.Error(), "overlaps subnet "+first, "s4 to s7 lie in the /26; the error names the first by id")
	create(t, d, subnetRes("subnet/next", "10.0.5.128/26", "fake-1a"), ids)
}
