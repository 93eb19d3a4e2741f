package blueprint_test

import (
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
)

func TestValidateNamesTheRenamedKind(t *testing.T) {
	t.Parallel()
	// A network ACL as archkit.blueprint/v1 wrote it.
	const v1 = `{"schema":"archkit.blueprint/v1","deployment":"shop","resources":[
		{"id":"net/main","kind":"net","net":{"cidr":"10.0.0.0/16"}},
		{"id":"firewall/db","kind":"firewall","firewall":{"net":"net/main"}}]}`
	var bp blueprint.Blueprint
	require.NoError(t, json.Unmarshal([]byte(v1), &bp))
	err := bp.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `blueprint: resources[1] (firewall/db): kind "firewall": renamed "network_acl" in archkit.blueprint/v2`)
}

func TestRuleKey(t *testing.T) {
	t.Parallel()
	cidr := netip.MustParsePrefix("10.0.0.0/8")
	for _, tc := range []struct {
		name string
		a, b blueprint.RuleSpec
	}{
		{"description aside", blueprint.RuleSpec{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: cidr, Description: "web"},
			blueprint.RuleSpec{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: cidr}},
		{"no protocol is all", blueprint.RuleSpec{CIDR: cidr}, blueprint.RuleSpec{Protocol: "all", CIDR: cidr}},
		{"all has no ports", blueprint.RuleSpec{Protocol: "all", FromPort: 1, ToPort: 9, CIDR: cidr}, blueprint.RuleSpec{Protocol: "all", CIDR: cidr}},
		{"tcp without ports is every port", blueprint.RuleSpec{Protocol: "tcp", CIDR: cidr}, blueprint.RuleSpec{Protocol: "tcp", ToPort: 65535, CIDR: cidr}},
		{"backwards range", blueprint.RuleSpec{Protocol: "udp", FromPort: 53, CIDR: cidr}, blueprint.RuleSpec{Protocol: "udp", FromPort: 53, ToPort: 53, CIDR: cidr}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.a.Key(), tc.b.Key())
			assert.Zero(t, blueprint.CompareRules(tc.a, tc.b))
		})
	}
	icmp := blueprint.RuleSpec{Protocol: "icmp", FromPort: 8, CIDR: cidr}
	assert.NotEqual(t, icmp.Key(), blueprint.RuleSpec{Protocol: "icmp", CIDR: cidr}.Key(), "ICMP keeps its type")
	group := blueprint.RuleSpec{Protocol: "tcp", FromPort: 80, ToPort: 80, Group: "sg-1"}
	assert.Negative(t, blueprint.CompareRules(group, blueprint.RuleSpec{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: cidr}), "group rules first")
	assert.Equal(t, "tcp 80 from sg-1", group.Text(true))
	assert.Equal(t, "all to 10.0.0.0/8", blueprint.RuleSpec{Protocol: "all", CIDR: cidr}.Text(false))
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	require.Len(t, blueprint.Kinds, 27)
	assert.Equal(t, blueprint.KindNet, blueprint.Kinds[0], "nets are created first")
	for i, k := range blueprint.Kinds {
		info, ok := k.Info()
		require.True(t, ok, k)
		assert.Equal(t, i, info.Order, k)
		// Every kind's spec goes through the registry: a resource with only
		// that spec set is valid, and its clone is deep.
		r := blueprint.Resource{ID: string(k) + "/x", Kind: k}
		require.NoError(t, json.Unmarshal([]byte(`{"id":"x","kind":"`+string(k)+`","`+string(k)+`":{}}`), &r), k)
		assert.NotNil(t, r.Spec(), k)
		bp := blueprint.Blueprint{Deployment: "x", Resources: []blueprint.Resource{r}}
		assert.NoError(t, bp.Validate(), k)
	}
	var stateful, async, deleteFirst []blueprint.Kind
	for _, k := range blueprint.Kinds {
		if k.IsStateful() {
			stateful = append(stateful, k)
		}
		if k.IsAsync() {
			async = append(async, k)
		}
		if k.IsDeleteFirst() {
			deleteFirst = append(deleteFirst, k)
		}
	}
	assert.Equal(t, []blueprint.Kind{blueprint.KindBackupVault, blueprint.KindDatabase, blueprint.KindBroker}, stateful)
	assert.Equal(t, []blueprint.Kind{blueprint.KindNATGateway, blueprint.KindVPNGateway, blueprint.KindVPNConnection, blueprint.KindVPNAppliance, blueprint.KindNetPeering,
		blueprint.KindLoadBalancer, blueprint.KindImageCopy, blueprint.KindDatabase, blueprint.KindDatabaseReplica, blueprint.KindCache, blueprint.KindBroker}, async)
	assert.Equal(t, []blueprint.Kind{blueprint.KindNet, blueprint.KindSubnet, blueprint.KindInternetGateway, blueprint.KindVPNGateway, blueprint.KindVPNConnection, blueprint.KindNetPeering,
		blueprint.KindSecurityGroup, blueprint.KindSecurityGroupRules, blueprint.KindNetEndpoint, blueprint.KindLoadBalancer}, deleteFirst, "a replaced database gets a new identifier: made before the old one goes")
	sg, _ := blueprint.KindSecurityGroup.Info()
	assert.Equal(t, []blueprint.Kind{blueprint.KindSecurityGroupRules}, sg.DeleteAfter)
	unknown, ok := blueprint.Kind("volume").Info()
	assert.False(t, ok)
	assert.Equal(t, len(blueprint.Kinds), unknown.Order, "unknown kinds sort last")
	assert.Positive(t, blueprint.CompareKinds("volume", blueprint.KindDatabase))
}

func TestIsStateful(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		r    blueprint.Resource
		want bool
	}{
		{blueprint.Resource{Kind: blueprint.KindDatabase, Database: &blueprint.DatabaseSpec{}}, true},
		{blueprint.Resource{Kind: blueprint.KindDatabaseReplica, DatabaseReplica: &blueprint.DatabaseReplicaSpec{}}, false},
		{blueprint.Resource{Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{Stateless: true}}, false},
		{blueprint.Resource{Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{}}, true},
		{blueprint.Resource{Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{}}, false},
		{blueprint.Resource{Kind: blueprint.KindCache, Cache: &blueprint.CacheSpec{Engine: "redis"}}, true},
		{blueprint.Resource{Kind: blueprint.KindCache, Cache: &blueprint.CacheSpec{Engine: "memcached"}}, false},
		{blueprint.Resource{Kind: blueprint.KindBroker, Broker: &blueprint.BrokerSpec{}}, true},
		{blueprint.Resource{Kind: "volume"}, false},
	} {
		assert.Equal(t, tc.want, tc.r.IsStateful(), "%s %+v", tc.r.Kind, tc.r.Spec())
	}
}

// TestCloneInto checks that CloneInto makes the deep copy Clone makes,
// copies a resource onto itself unchanged, and allocates only the specs
// and slices it copies when both resources already live on the heap. Not
// parallel: testing.AllocsPerRun.
func TestCloneInto(t *testing.T) {
	rs := []blueprint.Resource{{ID: "route_table/web/a", Kind: blueprint.KindRouteTable, DependsOn: []string{"subnet/web/a"},
		RouteTable: &blueprint.RouteTableSpec{Net: "net/main", Subnet: "subnet/web/a", Routes: []blueprint.RouteSpec{{Target: "internet_gateway/main"}}}}, {}}
	src, dst := &rs[0], &rs[1]
	src.CloneInto(dst)
	assert.Equal(t, src.Clone(), *dst)
	dst.RouteTable.Routes[0].Target, dst.DependsOn[0] = "changed", "changed"
	assert.Equal(t, blueprint.Ref("internet_gateway/main"), src.RouteTable.Routes[0].Target, "the copy is deep")
	assert.Equal(t, "subnet/web/a", src.DependsOn[0])

	want := src.Clone()
	src.CloneInto(src)
	assert.Equal(t, want, *src, "onto itself: unchanged")
	(*blueprint.Resource)(nil).CloneInto(dst) // no panic
	src.CloneInto(nil)

	// The spec, its routes and DependsOn: three allocations, none for
	// the Resources themselves.
	assert.Equal(t, 3.0, testing.AllocsPerRun(100, func() { src.CloneInto(dst) }))
	var sink blueprint.Resource
	assert.Equal(t, 3.0, testing.AllocsPerRun(100, func() { sink = src.Clone() }))
	assert.Equal(t, src.ID, sink.ID)
}

// TestCloneCopiesEverySpec sets each kind's spec (decoded from JSON, so
// that every kind of the registry is covered) and checks that Clone
// copies it to a new spec of equal value.
func TestCloneCopiesEverySpec(t *testing.T) {
	t.Parallel()
	for _, k := range blueprint.Kinds {
		var r blueprint.Resource
		require.NoError(t, json.Unmarshal([]byte(`{"id":"x/y","kind":"`+string(k)+`","`+string(k)+`":{}}`), &r), k)
		require.NotNil(t, r.Spec(), k)
		c := r.Clone()
		assert.Equal(t, r, c, k)
		assert.NotSame(t, r.Spec(), c.Spec(), "%s: the copy shares the spec", k)
	}
}

func TestCloneIsDeepAndRefsReachEveryReference(t *testing.T) {
	t.Parallel()
	r := blueprint.Resource{ID: "database/db", Kind: blueprint.KindDatabase, Database: &blueprint.DatabaseSpec{
		Subnets: []blueprint.Ref{"subnet/db/b", "subnet/db/a"}, SecurityGroups: []blueprint.Ref{"security_group/db"},
		Fallback: &blueprint.ClusterSpec{Subnets: []blueprint.Ref{"subnet/db/a"}, Scaling: &blueprint.ScalingSpec{TargetCPUPercent: 50}}}}
	c := r.Clone()
	for _, p := range c.Refs() {
		*p = "changed"
	}
	c.Database.Fallback.Scaling.TargetCPUPercent = 90
	assert.Equal(t, []blueprint.Ref{"subnet/db/b", "subnet/db/a"}, r.Database.Subnets, "the original keeps its refs")
	assert.Equal(t, blueprint.Ref("subnet/db/a"), r.Database.Fallback.Subnets[0])
	assert.Equal(t, 50, r.Database.Fallback.Scaling.TargetCPUPercent)
	assert.Equal(t, []string{"security_group/db", "subnet/db/a", "subnet/db/b"}, r.Dependencies())
	r.Normalize()
	assert.Equal(t, []blueprint.Ref{"subnet/db/a", "subnet/db/b"}, r.Database.Subnets)

	nat := blueprint.Resource{Kind: blueprint.KindNATGateway, NATGateway: &blueprint.NATGatewaySpec{Zone: "a"}}
	require.Len(t, nat.Zones(), 1)
	*nat.Zones()[0] = "eu-west-2a"
	assert.Equal(t, "eu-west-2a", nat.NATGateway.Zone)
	assert.Empty(t, (&blueprint.Resource{Kind: blueprint.KindPublicIP, PublicIP: &blueprint.PublicIPSpec{}}).Zones(), "no zone: left to the cloud")
}

func TestHoldsPublicIPs(t *testing.T) {
	t.Parallel()
	subnets := map[blueprint.Ref]*blueprint.SubnetSpec{"subnet/web/a": {Public: true}, "subnet/app/a": {}}
	lookup := func(r blueprint.Ref) *blueprint.SubnetSpec { return subnets[r] }
	cluster := func(subnet blueprint.Ref, nodes int) *blueprint.Resource {
		return &blueprint.Resource{Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{Subnets: []blueprint.Ref{subnet}, Desired: nodes}}
	}
	lb := func(scheme string) *blueprint.Resource {
		return &blueprint.Resource{Kind: blueprint.KindLoadBalancer, LoadBalancer: &blueprint.LoadBalancerSpec{Scheme: scheme}}
	}
	for name, tc := range map[string]struct {
		r    *blueprint.Resource
		want bool
	}{
		"nodes in a public subnet":    {cluster("subnet/web/a", 2), true},
		"nodes in a private subnet":   {cluster("subnet/app/a", 2), false},
		"no nodes (a pilot light)":    {cluster("subnet/web/a", 0), false},
		"an unknown subnet":           {cluster("subnet/x/a", 2), false},
		"an internet-facing balancer": {lb(blueprint.SchemeInternetFacing), true},
		"an internal balancer":        {lb("internal"), false},
		"a subnet":                    {&blueprint.Resource{Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{Public: true}}, false},
		"nil":                         {nil, false},
	} {
		assert.Equal(t, tc.want, tc.r.HoldsPublicIPs(lookup), name)
	}
}
