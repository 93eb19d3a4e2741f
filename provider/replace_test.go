package provider_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// changed returns the three-tier Blueprint with a change of every sort: a
// subnet's CIDR (delete-first replace, cascading to what sits in it), the
// subnets of a cluster (create-before-delete replace), a rule (update) and
// a removed network ACL (delete).
func changed() *blueprint.Blueprint {
	bp := threeTier("shop", "")
	var keep []blueprint.Resource
	for _, r := range bp.Resources {
		switch r.ID {
		case "network_acl/db":
			continue
		case "subnet/db/a":
			r.Subnet.CIDR = netip.MustParsePrefix("10.0.22.0/24")
		case "cluster/app":
			r.Cluster.Subnets = []blueprint.Ref{"subnet/app/b", "subnet/app/a", "subnet/web/b"}[:2]
			r.Cluster.Image = "ami-app-2"
			r.Cluster.Tier = "app2"
		case "security_group_rules/db":
			r.SecurityGroupRules.Inbound = append(r.SecurityGroupRules.Inbound, tcp(5432, "security_group/web"))
		}
		keep = append(keep, r)
	}
	bp.Resources = keep
	return bp
}

func TestReplaceKinds(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	_, err := eng.Apply(t.Context(), threeTier("shop", ""))
	require.NoError(t, err)
	cs, err := eng.Plan(t.Context(), changed())
	require.NoError(t, err)
	c, _ := cs.Change("cluster/app")
	assert.Equal(t, provider.ActionReplace, c.Action)
	assert.False(t, c.DeleteFirst, "a cluster is created before the old one goes")
	assert.Equal(t, "tier changed: forces replacement", c.Reason)
	c, _ = cs.Change("subnet/db/a")
	assert.True(t, c.DeleteFirst)

	_, err = eng.Apply(t.Context(), changed(), allow("database/db"))
	require.NoError(t, err)
	// The new cluster was created before the old one was deleted.
	var createAt, deleteAt int
	for i, call := range d.Calls() {
		if call.Kind == blueprint.KindCluster && call.Op == fake.OpCreate {
			createAt = i
		}
		if call.Kind == blueprint.KindCluster && call.Op == fake.OpDelete {
			deleteAt = i
		}
	}
	assert.Less(t, createAt, deleteAt)
	d.ResetCalls()
	_, err = eng.Apply(t.Context(), changed(), allow("database/db"))
	require.NoError(t, err)
	assert.Zero(t, d.Counts().Writes)
}

// TestReplaceFaultAtEveryWrite interrupts the move from one Blueprint to a
// changed one at every write call: the next apply reaches the same state
// as an uninterrupted move, with no duplicate and no leak.
func TestReplaceFaultAtEveryWrite(t *testing.T) {
	t.Parallel()
	clean := newFake()
	eng := provider.NewEngine(clean, fastOpts)
	_, err := eng.Apply(t.Context(), threeTier("shop", ""))
	require.NoError(t, err)
	clean.ResetCalls()
	_, err = eng.Apply(t.Context(), changed(), allow("database/db"))
	require.NoError(t, err)
	writes := clean.Counts().Writes
	want := clean.Snapshot("shop")
	require.Greater(t, writes, 8)
	for _, after := range []bool{false, true} {
		for k := 1; k <= writes; k++ {
			d := newFake()
			eng := provider.NewEngine(d, fastOpts)
			_, err := eng.Apply(t.Context(), threeTier("shop", ""))
			require.NoError(t, err)
			d.Inject(fake.Fault{WritesOnly: true, Nth: k, Code: driver.Internal, AfterEffect: after})
			_, err = eng.Apply(t.Context(), changed(), allow("database/db"))
			require.Error(t, err, "write %d", k)
			d.ClearFaults()
			_, err = eng.Apply(t.Context(), changed(), allow("database/db"))
			require.NoError(t, err, "write %d, after effect %v", k, after)
			_, dups := snapshot(t, d, "shop")
			require.Empty(t, dups, "write %d", k)
			require.Equal(t, want, d.Snapshot("shop"), "write %d, after effect %v", k, after)
			require.Len(t, d.Resources(), len(changed().Resources), "nothing leaked, write %d", k)
		}
	}
}
