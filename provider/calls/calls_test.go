package calls_test

import (
	"flag"
	"net/netip"
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/calls"
)

var update = flag.Bool("update", false, "rewrite docs/calls.md's tables from the Go table")

const docPath = "../../docs/calls.md"

// TestDocAgrees checks that docs/calls.md holds the tables rendered from
// the Go table, and rewrites them with -update.
func TestDocAgrees(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	require.NoError(t, err)
	text := string(doc)
	for _, c := range []calls.Cloud{calls.AWS, calls.Outscale, calls.Fake} {
		md, err := calls.Markdown(c)
		require.NoError(t, err)
		re := regexp.MustCompile(`(?s)(<!-- calls:` + string(c) + ` -->\n)(.*?)(<!-- end -->)`)
		m := re.FindStringSubmatch(text)
		require.NotNil(t, m, "docs/calls.md has no section for %s", c)
		if *update {
			text = re.ReplaceAllLiteralString(text, m[1]+md+m[3])
			continue
		}
		assert.Equal(t, md, m[2], "docs/calls.md's %s table differs from package calls (go test ./provider/calls -update)", c)
	}
	if *update {
		require.NoError(t, os.WriteFile(docPath, []byte(text), 0o644))
	}
}

func TestEveryKindHasARow(t *testing.T) {
	t.Parallel()
	for _, c := range []calls.Cloud{calls.AWS, calls.Outscale, calls.Fake} {
		tb, err := calls.For(c)
		require.NoError(t, err)
		seen := map[blueprint.Kind]bool{}
		for _, r := range tb.Rows {
			assert.False(t, seen[r.Kind], "%s: two rows for %s", c, r.Kind)
			seen[r.Kind] = true
			assert.NotEmpty(t, r.Create, "%s %s", c, r.Kind)
			assert.NotEmpty(t, r.Delete, "%s %s", c, r.Kind)
		}
		if c != calls.Outscale { // OUTSCALE has no database kinds, flow logs nor instance roles
			for _, k := range blueprint.Kinds {
				assert.True(t, seen[k], "%s has no row for %s", c, k)
			}
		}
	}
	_, err := calls.For("gcp")
	assert.Error(t, err)
}

// TestMinimum works a small Blueprint out by hand: a Net, a public
// subnet, a route table with 2 routes, a network ACL of 3 entries on the
// subnet.
func TestMinimum(t *testing.T) {
	t.Parallel()
	bp := &blueprint.Blueprint{Deployment: "d", Resources: []blueprint.Resource{
		{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.0.0.0/16")}},
		{ID: "subnet/web/a", Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{Public: true}},
		{ID: "route_table/web/a", Kind: blueprint.KindRouteTable, RouteTable: &blueprint.RouteTableSpec{Routes: make([]blueprint.RouteSpec, 2)}},
		{ID: "network_acl/web", Kind: blueprint.KindNetworkACL, NetworkACL: &blueprint.NetworkACLSpec{
			Subnets: []blueprint.Ref{"subnet/web/a"}, Inbound: make([]blueprint.ACLEntrySpec, 2), Outbound: make([]blueprint.ACLEntrySpec, 1)}},
	}}
	got, err := calls.Minimum(calls.AWS, bp)
	require.NoError(t, err)
	// The plan's lists of an empty deployment: the kinds' fixed reads.
	tb, _ := calls.For(calls.AWS)
	lists := 0
	for _, r := range tb.Rows {
		lists += r.List
	}
	// Writes: Net 1+1+2, subnet 1+1, route table 1+2+1, ACL 1+3+1, lock 2.
	assert.Equal(t, 4+2+4+5+2, got.Apply.Writes)
	// Reads: lists twice, zones, the default group, the ACL's associations.
	assert.Equal(t, 2*lists+1+1+1, got.Apply.Reads)
	assert.Equal(t, calls.Bound{Reads: lists}, got.Reapply)
	// Deletes: 1+1+2+(1+1), lock 2; reads: lists three times, the default ACL.
	assert.Equal(t, calls.Bound{Writes: 6 + 2, Reads: 3*lists + 1}, got.Destroy)

	_, err = calls.Minimum(calls.Outscale, &blueprint.Blueprint{Resources: []blueprint.Resource{{ID: "database/x", Kind: blueprint.KindDatabase, Database: &blueprint.DatabaseSpec{}}}})
	assert.ErrorContains(t, err, "has no kind database")
	_, err = calls.Minimum(calls.AWS, nil)
	assert.Error(t, err, "a nil Blueprint is an error, not a panic")
	var none *calls.Table
	_, ok := none.Row(blueprint.KindNet)
	assert.False(t, ok)
	assert.Zero(t, none.Count(map[string]int{"CreateVpc": 1}, nil).Writes)
}

func TestWithin(t *testing.T) {
	t.Parallel()
	min := calls.Bound{Writes: 80, Reads: 20}
	ok, limit := min.Within(calls.Bound{Writes: 84, Reads: 30})
	assert.True(t, ok)
	assert.Equal(t, calls.Bound{Writes: 84, Reads: 30}, limit)
	ok, _ = min.Within(calls.Bound{Writes: 85, Reads: 30})
	assert.False(t, ok, "one write above 1.05 times")
	ok, _ = min.Within(calls.Bound{Writes: 80, Reads: 31})
	assert.False(t, ok, "one read above 1.5 times")
}

func TestCount(t *testing.T) {
	t.Parallel()
	tb, err := calls.For(calls.AWS)
	require.NoError(t, err)
	got := tb.Count(map[string]int{"CreateVpc": 1, "DescribeVpcs": 2, "DescribeNatGateways": 3},
		func(op string) bool { return op == "CreateVpc" })
	assert.Equal(t, calls.Bound{Writes: 1, Reads: 2}, got.Bound())
	assert.Equal(t, 3, got.Polls)
}
