package fake_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/providertest"
)

const dep = "shop"

// create creates r (logical Refs resolved with ids) and returns its id.
func create(t *testing.T, d *fake.Driver, r blueprint.Resource, ids map[string]string) string {
	t.Helper()
	o, err := d.Create(t.Context(), providertest.Request(dep, r, ids))
	require.NoError(t, err, "create %s", r.ID)
	ids[r.ID] = o.ID
	return o.ID
}

func netRes(id, cidr string) blueprint.Resource {
	return blueprint.Resource{ID: id, Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix(cidr)}}
}

func subnetRes(id, cidr, zone string) blueprint.Resource {
	return blueprint.Resource{ID: id, Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{
		Net: "net/main", CIDR: netip.MustParsePrefix(cidr), Zone: zone, Tier: "web"}}
}

// stack deploys the conformance resources into a new fake and returns it
// with the ids by logical id.
func stack(t *testing.T, optFns ...func(*fake.Options)) (*fake.Driver, map[string]driver.Observed) {
	t.Helper()
	d := fake.New(optFns...)
	return d, providertest.Deploy(t.Context(), t, d, dep)
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	p := netip.MustParsePrefix
	tests := []struct {
		name string
		r    blueprint.Resource
		want driver.Code
	}{
		{"net host bits", netRes("net/x", "10.0.0.1/16"), driver.Invalid},
		{"net too large", netRes("net/x", "10.0.0.0/8"), driver.Invalid},
		{"net too small", netRes("net/x", "10.0.0.0/29"), driver.Invalid},
		{"subnet outside net", subnetRes("subnet/x", "10.1.0.0/24", "fake-1a"), driver.Invalid},
		{"subnet larger than net", subnetRes("subnet/x", "10.0.0.0/15", "fake-1a"), driver.Invalid},
		{"subnet overlap", subnetRes("subnet/x", "10.0.0.128/25", "fake-1a"), driver.Invalid},
		{"subnet bad zone", subnetRes("subnet/x", "10.0.5.0/24", "mars-1a"), driver.Invalid},
		{"subnet /29", subnetRes("subnet/x", "10.0.5.0/29", "fake-1a"), driver.Invalid},
		{"subnet of a missing net", blueprint.Resource{ID: "subnet/x", Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{
			Net: "net/missing", CIDR: p("10.0.5.0/24"), Zone: "fake-1a"}}, driver.NotFound},
		{"second internet gateway", blueprint.Resource{ID: "igw/x", Kind: blueprint.KindInternetGateway,
			InternetGateway: &blueprint.InternetGatewaySpec{Net: "net/main"}}, driver.AlreadyExists},
		{"group name sg-", blueprint.Resource{ID: "sg/x", Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
			Net: "net/main", Name: "sg-web", Description: "x"}}, driver.Invalid},
		{"group without description", blueprint.Resource{ID: "sg/x", Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
			Net: "net/main", Name: "other"}}, driver.Invalid},
		{"duplicate group name", blueprint.Resource{ID: "sg/x", Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
			Net: "net/main", Name: "web", Description: "again"}}, driver.AlreadyExists},
		{"rule set for a missing group", rulesRes("sg/missing", blueprint.RuleSpec{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: p("0.0.0.0/0")}), driver.NotFound},
		{"rule from a missing group", rulesRes("sg/web", blueprint.RuleSpec{Protocol: "tcp", FromPort: 80, ToPort: 80, Group: "sg/missing"}), driver.NotFound},
		{"duplicate rules", rulesRes("sg/web",
			blueprint.RuleSpec{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: p("0.0.0.0/0"), Description: "a"},
			blueprint.RuleSpec{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: p("0.0.0.0/0"), Description: "b"}), driver.Invalid},
		{"rule with cidr and group", rulesRes("sg/web", blueprint.RuleSpec{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: p("0.0.0.0/0"), Group: "sg/web"}), driver.Invalid},
		{"rule with bad ports", rulesRes("sg/web", blueprint.RuleSpec{Protocol: "tcp", FromPort: 90, ToPort: 80, CIDR: p("0.0.0.0/0")}), driver.Invalid},
		{"rule with unknown protocol", rulesRes("sg/web", blueprint.RuleSpec{Protocol: "sctp", CIDR: p("0.0.0.0/0")}), driver.Invalid},
		{"too many rules", rulesRes("sg/web", manyRules(61)...), driver.Quota},
		{"rule description with '>'", rulesRes("sg/web", blueprint.RuleSpec{Protocol: "tcp", FromPort: 3306, ToPort: 3306, CIDR: p("10.0.0.0/24"),
			Description: "intel -> db tcp/3306"}), driver.Invalid},
		{"group description with an accent", blueprint.Resource{ID: "sg/x", Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
			Net: "net/main", Name: "other", Description: "base de données"}}, driver.Invalid},
		{"group name with a quote", blueprint.Resource{ID: "sg/x", Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
			Net: "net/main", Name: "bob's", Description: "x"}}, driver.Invalid},
		{"route to a missing gateway", blueprint.Resource{ID: "rt/x", Kind: blueprint.KindRouteTable, RouteTable: &blueprint.RouteTableSpec{
			Net: "net/main", Subnet: "subnet/a", Routes: []blueprint.RouteSpec{{Destination: p("0.0.0.0/0"),
				TargetKind: netplan.TargetInternetGateway, Target: "igw/missing"}}}}, driver.NotFound},
		{"route to a gateway of the wrong kind", blueprint.Resource{ID: "rt/x", Kind: blueprint.KindRouteTable, RouteTable: &blueprint.RouteTableSpec{
			Net: "net/main", Subnet: "subnet/a", Routes: []blueprint.RouteSpec{{Destination: p("0.0.0.0/0"),
				TargetKind: netplan.TargetNATGateway, Target: "igw/main"}}}}, driver.Invalid},
		{"load balancer in one zone", blueprint.Resource{ID: "lb/x", Kind: blueprint.KindLoadBalancer, LoadBalancer: &blueprint.LoadBalancerSpec{
			Name: "x", Scheme: blueprint.SchemeInternal, Type: blueprint.LBApplication, Subnets: []blueprint.Ref{"subnet/a"}}}, driver.Invalid},
		{"load balancer name", blueprint.Resource{ID: "lb/x", Kind: blueprint.KindLoadBalancer, LoadBalancer: &blueprint.LoadBalancerSpec{
			Name: "-bad_name-", Scheme: blueprint.SchemeInternal, Type: blueprint.LBApplication, Subnets: []blueprint.Ref{"subnet/a", "subnet/b"}}}, driver.Invalid},
		{"cluster metadata hop limit", blueprint.Resource{ID: "cluster/x", Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{
			Subnets: []blueprint.Ref{"subnet/a"}, Image: "ami-1", InstanceType: "t3.micro", Max: 1, MetadataHopLimit: 65}}, driver.Invalid},
		{"cluster key for unencrypted volumes", blueprint.Resource{ID: "cluster/x", Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{
			Subnets: []blueprint.Ref{"subnet/a"}, Image: "ami-1", InstanceType: "t3.micro", Max: 1, UnencryptedVolumes: true, VolumeKMSKey: "alias/k"}}, driver.Invalid},
		{"unknown TLS policy", blueprint.Resource{ID: "lb/x", Kind: blueprint.KindLoadBalancer, LoadBalancer: &blueprint.LoadBalancerSpec{
			Name: "x", Scheme: blueprint.SchemeInternal, Type: blueprint.LBApplication, Subnets: []blueprint.Ref{"subnet/a", "subnet/b"}, TLSPolicy: "ELBSecurityPolicy-2099",
			Listeners: []blueprint.ListenerSpec{{Protocol: "HTTPS", Port: 443, TargetProtocol: "HTTP", TargetPort: 80, Certificate: "arn:cert"}}}}, driver.Invalid},
		{"cluster min above max", blueprint.Resource{ID: "cluster/x", Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{
			Subnets: []blueprint.Ref{"subnet/a"}, Image: "ami-1", InstanceType: "t3.micro", Min: 3, Desired: 3, Max: 2}}, driver.Invalid},
		{"database in one zone", blueprint.Resource{ID: "db/x", Kind: blueprint.KindDatabase, Database: &blueprint.DatabaseSpec{
			Engine: "postgres", InstanceClass: "db.t3.micro", StorageGiB: 20, Port: 5432, Username: "u",
			Subnets: []blueprint.Ref{"subnet/a"}}}, driver.Invalid},
		{"nat without public ip", blueprint.Resource{ID: "nat/x", Kind: blueprint.KindNATGateway, NATGateway: &blueprint.NATGatewaySpec{
			Subnet: "subnet/a", PublicIP: "pip/missing"}}, driver.NotFound},
		{"spec missing", blueprint.Resource{ID: "net/x", Kind: blueprint.KindNet}, driver.Invalid},
		{"network ACL entry numbers", networkACLRes(
			blueprint.ACLEntrySpec{Number: 100, Allow: true, Protocol: "all", CIDR: p("0.0.0.0/0")},
			blueprint.ACLEntrySpec{Number: 100, Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: p("0.0.0.0/0")}), driver.Invalid},
		{"network ACL entry number range", networkACLRes(blueprint.ACLEntrySpec{Number: 32767, Protocol: "all", CIDR: p("0.0.0.0/0")}), driver.Invalid},
		{"network ACL quota", networkACLRes(manyEntries(20)...), driver.Quota},
		{"https without certificate", blueprint.Resource{ID: "lb/x", Kind: blueprint.KindLoadBalancer, LoadBalancer: &blueprint.LoadBalancerSpec{
			Name: "x", Scheme: blueprint.SchemeInternal, Type: blueprint.LBApplication, Subnets: []blueprint.Ref{"subnet/a", "subnet/b"},
			Listeners: []blueprint.ListenerSpec{{Protocol: "HTTPS", Port: 443, TargetProtocol: "HTTP", TargetPort: 80}}}}, driver.Invalid},
		{"tcp listener on an application balancer", blueprint.Resource{ID: "lb/x", Kind: blueprint.KindLoadBalancer, LoadBalancer: &blueprint.LoadBalancerSpec{
			Name: "x", Scheme: blueprint.SchemeInternal, Type: blueprint.LBApplication, Subnets: []blueprint.Ref{"subnet/a", "subnet/b"},
			Listeners: []blueprint.ListenerSpec{{Protocol: "TCP", Port: 443, TargetProtocol: "TCP", TargetPort: 80}}}}, driver.Invalid},
		{"cluster in a missing group", blueprint.Resource{ID: "cluster/x", Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{
			Subnets: []blueprint.Ref{"subnet/a"}, SecurityGroups: []blueprint.Ref{"sg/nope"}, Image: "ami-1", InstanceType: "t3.micro", Max: 1}}, driver.NotFound},
		{"database storage", blueprint.Resource{ID: "db/x", Kind: blueprint.KindDatabase, Database: &blueprint.DatabaseSpec{
			Engine: "postgres", InstanceClass: "db.t3.micro", StorageGiB: 5, Port: 5432, Username: "u",
			Subnets: []blueprint.Ref{"subnet/a", "subnet/b"}}}, driver.Invalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := fake.New()
			ids := map[string]string{}
			create(t, d, netRes("net/main", "10.0.0.0/16"), ids)
			create(t, d, subnetRes("subnet/a", "10.0.0.0/24", "fake-1a"), ids)
			create(t, d, subnetRes("subnet/b", "10.0.1.0/24", "fake-1b"), ids)
			create(t, d, blueprint.Resource{ID: "igw/main", Kind: blueprint.KindInternetGateway, InternetGateway: &blueprint.InternetGatewaySpec{Net: "net/main"}}, ids)
			create(t, d, blueprint.Resource{ID: "sg/web", Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
				Net: "net/main", Name: "web", Description: "web"}}, ids)
			for _, ref := range tc.r.Refs() {
				if id, ok := ids[string(*ref)]; ok {
					*ref = blueprint.Ref(id)
				}
			}
			_, err := d.Create(t.Context(), driver.Request{Deployment: dep, Resource: tc.r})
			require.Error(t, err)
			var pe *driver.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.want, pe.Code, "%v", err)
			assert.ErrorIs(t, err, tc.want.Sentinel())
			assert.Equal(t, string(tc.r.Kind), pe.Kind)
		})
	}
}

func rulesRes(group string, in ...blueprint.RuleSpec) blueprint.Resource {
	return blueprint.Resource{ID: "rules/x", Kind: blueprint.KindSecurityGroupRules, SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{
		Group: blueprint.Ref(group), Inbound: in}}
}

func networkACLRes(in ...blueprint.ACLEntrySpec) blueprint.Resource {
	return blueprint.Resource{ID: "network_acl/x", Kind: blueprint.KindNetworkACL, NetworkACL: &blueprint.NetworkACLSpec{
		Net: "net/main", Subnets: []blueprint.Ref{"subnet/a"}, Inbound: in}}
}

func manyEntries(n int) []blueprint.ACLEntrySpec {
	out := make([]blueprint.ACLEntrySpec, n)
	for i := range out {
		out[i] = blueprint.ACLEntrySpec{Number: 100 + i, Allow: true, Protocol: netplan.ProtocolAll, CIDR: netip.MustParsePrefix("0.0.0.0/0")}
	}
	return out
}

func manyRules(n int) []blueprint.RuleSpec {
	out := make([]blueprint.RuleSpec, n)
	for i := range out {
		out[i] = blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: uint16(1000 + i), ToPort: uint16(1000 + i),
			CIDR: netip.MustParsePrefix("0.0.0.0/0")}
	}
	return out
}

// A load balancer keeps its deletion protection against deletes made
// outside archkit and deletes that do not lift it; the engine's delete
// lifts it (DeleteOptions.LiftProtection), as the AWS driver does.
func TestLoadBalancerDeletionProtection(t *testing.T) {
	t.Parallel()
	d, obs := stack(t)
	lb := obs["load_balancer/web"]
	require.False(t, lb.Resource.LoadBalancer.AllowDeletion, "protected by default")
	err := d.DeleteOutside(lb.ID)
	require.ErrorIs(t, err, driver.ErrInvalid)
	assert.Contains(t, err.Error(), "deletion protection")
	require.NoError(t, providertest.DeleteRetry(t.Context(), d, obs["cluster/web"]))
	require.ErrorIs(t, d.Delete(t.Context(), lb, driver.DeleteOptions{}), driver.ErrInvalid, "a delete that does not lift the protection is refused")
	require.NoError(t, d.Delete(t.Context(), lb, driver.DeleteOptions{LiftProtection: true}), "the engine's delete lifts the protection")
}

func TestOutscaleBounds(t *testing.T) {
	t.Parallel()
	d := fake.New(fake.Outscale, func(o *fake.Options) { o.Zones = []string{"eu-west-2b", "eu-west-2a"} })
	zones, err := d.Zones(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"eu-west-2a", "eu-west-2b"}, zones)
	_, err = d.Create(t.Context(), driver.Request{Resource: netRes("net/pub", "8.8.0.0/16")})
	require.ErrorIs(t, err, driver.ErrInvalid, "OUTSCALE Nets are private")
	ids := map[string]string{}
	create(t, d, netRes("net/main", "10.0.0.0/16"), ids)
	create(t, d, subnetRes("subnet/small", "10.0.0.0/29", "eu-west-2a"), ids)
	assert.Equal(t, "outscale", d.Profile().Name)
	assert.False(t, d.Profile().StatelessFirewall)
}

func TestUnsupportedKind(t *testing.T) {
	t.Parallel()
	d := fake.New(fake.Outscale)
	_, err := d.Create(t.Context(), driver.Request{Resource: blueprint.Resource{ID: "network_acl/x", Kind: blueprint.KindNetworkACL,
		NetworkACL: &blueprint.NetworkACLSpec{}}})
	require.ErrorIs(t, err, driver.ErrUnsupported)
	assert.Contains(t, d.Capabilities().Unsupported, blueprint.KindDatabase)
}

func TestDeleteDependencies(t *testing.T) {
	t.Parallel()
	d, obs := stack(t)
	ctx := t.Context()
	tests := []struct {
		id   string
		want []driver.Blocker
	}{
		{"subnet/web/a", []driver.Blocker{
			{Kind: "network_acl", ID: obs["network_acl/web"].ID},
			{Kind: "load_balancer", ID: obs["load_balancer/web"].ID},
			{Kind: "nat_gateway", ID: obs["nat_gateway/a"].ID},
			{Kind: "route_table", ID: obs["route_table/web/a"].ID},
		}},
		{"public_ip/nat/a", []driver.Blocker{{Kind: "nat_gateway", ID: obs["nat_gateway/a"].ID}}},
		{"internet_gateway/main", []driver.Blocker{{Kind: "nat_gateway", ID: obs["nat_gateway/a"].ID}}},
		{"security_group/db", []driver.Blocker{
			{Kind: "database", ID: obs["database/main"].ID},
			{Kind: "database_replica", ID: obs["database_replica/main/1"].ID},
			{Kind: "security_group_rules", ID: obs["security_group_rules/web"].ID},
			{Kind: "net_endpoint", ID: obs["net_endpoint/sqs"].ID},
		}},
		{"subnet/app/b", []driver.Blocker{
			{Kind: "database", ID: obs["database/main"].ID},
			{Kind: "cluster", ID: obs["cluster/web"].ID},
			{Kind: "route_table", ID: obs["route_table/app/b"].ID},
			{Kind: "net_endpoint", ID: obs["net_endpoint/sqs"].ID},
		}},
		{"load_balancer/web", []driver.Blocker{{Kind: "cluster", ID: obs["cluster/web"].ID}}},
	}
	for _, tc := range tests {
		// Protection lifted (a load balancer has some): the blockers are
		// what this test is about.
		err := d.Delete(ctx, obs[tc.id], driver.DeleteOptions{LiftProtection: true})
		require.ErrorIs(t, err, driver.ErrDependency, tc.id)
		var pe *driver.Error
		require.ErrorAs(t, err, &pe)
		assert.ElementsMatch(t, tc.want, pe.Blockers, tc.id)
	}
	err := d.Delete(ctx, obs["net/main"], driver.DeleteOptions{})
	require.ErrorIs(t, err, driver.ErrDependency)
	assert.Len(t, err.(*driver.Error).Blockers, 23, "everything but the public IP, the customer gateway, the rule sets and the instance role")
	assert.Contains(t, err.Error(), "blocked by")
}

func TestForeignBlocksDelete(t *testing.T) {
	t.Parallel()
	d := fake.New()
	ctx := t.Context()
	ids := map[string]string{}
	create(t, d, netRes("net/main", "10.0.0.0/16"), ids)
	sub := create(t, d, subnetRes("subnet/a", "10.0.0.0/24", "fake-1a"), ids)
	eni, err := d.AddForeign("network_interface", sub)
	require.NoError(t, err)
	assert.Regexp(t, `^eni-0[0-9a-f]{16}$`, eni)

	err = d.Delete(ctx, driver.Observed{ID: sub, Resource: blueprint.Resource{Kind: blueprint.KindSubnet}}, driver.DeleteOptions{})
	var pe *driver.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, []driver.Blocker{{Kind: "network_interface", ID: eni}}, pe.Blockers)

	got, err := d.List(ctx, driver.Query{Deployment: dep, Kind: blueprint.KindSubnet})
	require.NoError(t, err)
	assert.Len(t, got, 1, "the foreign interface is not listed")

	require.NoError(t, d.RemoveForeign(eni))
	require.NoError(t, d.Delete(ctx, driver.Observed{ID: sub, Resource: blueprint.Resource{Kind: blueprint.KindSubnet}}, driver.DeleteOptions{}))
	require.ErrorIs(t, d.RemoveForeign(eni), driver.ErrNotFound)
	_, err = d.AddForeign("instance", sub)
	require.ErrorIs(t, err, driver.ErrNotFound)
}

func TestPendingReads(t *testing.T) {
	t.Parallel()
	for _, n := range []int{-1, 0, 1, 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			d := fake.New(func(o *fake.Options) { o.PendingReads = n })
			ctx := t.Context()
			ids := map[string]string{}
			var nat driver.Observed
			for _, r := range providertest.Resources(dep, []string{"fake-1a", "fake-1b"}) {
				o, err := d.Create(ctx, providertest.Request(dep, r, ids))
				require.NoError(t, err)
				ids[r.ID] = o.ID
				if r.Kind == blueprint.KindNATGateway {
					nat = o
					break
				}
			}
			want := max(n, 0)
			if n == 0 {
				want = 1
			}
			assert.Equal(t, want == 0, nat.Ready)
			for i := range want {
				o, err := d.Read(ctx, blueprint.KindNATGateway, nat.ID)
				require.NoError(t, err)
				assert.Equal(t, i == want-1, o.Ready, "read %d", i+1)
				if !o.Ready {
					assert.Equal(t, "pending", o.Status)
				}
			}
			o, err := d.Read(ctx, blueprint.KindNATGateway, nat.ID)
			require.NoError(t, err)
			assert.True(t, o.Ready)
			assert.Equal(t, "available", o.Status)
		})
	}
}

// TestClientToken checks the fake's token rules: a repeated Create finds
// what the first one made (by its tags, as a driver's describe does); the
// kinds whose AWS call takes a client token remember it, even after the
// resource is deleted, and answer it with the deleted resource; the other
// kinds, and the OUTSCALE mode's route tables, ignore it.
func TestClientToken(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d, obs := stack(t)
	zones, err := d.Zones(ctx)
	require.NoError(t, err)
	ids := map[string]string{}
	for lid, o := range obs {
		ids[lid] = o.ID
	}
	var rt blueprint.Resource
	for _, r := range providertest.Resources(dep, zones) {
		if r.ID == "route_table/app/a" {
			rt = r
		}
	}
	req := providertest.Request(dep, rt, ids)
	again, err := d.Create(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, obs[rt.ID].ID, again.ID, "a repeat finds the first")

	require.NoError(t, d.Delete(ctx, again, providertest.Teardown))
	gone, err := d.Create(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, again.ID, gone.ID, "the token answers with the deleted route table")
	assert.Equal(t, "deleted", gone.Status)
	assert.False(t, gone.Ready)
	_, err = d.Read(ctx, blueprint.KindRouteTable, gone.ID)
	require.ErrorIs(t, err, driver.ErrNotFound)

	other := req
	other.Resource = req.Resource.Clone()
	other.Resource.RouteTable.Routes = nil
	_, err = d.Create(ctx, other)
	require.ErrorIs(t, err, driver.ErrInvalid, "same token, other parameters: IdempotentParameterMismatch")

	fresh := providertest.Request(dep+"-2", rt, ids)
	fresh.Deployment, fresh.Tags[driver.TagDeployment] = dep, dep
	made, err := d.Create(ctx, fresh)
	require.NoError(t, err, "a new token: a new route table")
	assert.NotEqual(t, gone.ID, made.ID)
	assert.True(t, made.Ready)

	t.Run("kinds without token", func(t *testing.T) {
		for _, opt := range []func(*fake.Options){func(*fake.Options) {}, fake.Outscale} {
			d := fake.New(opt)
			ctx := t.Context()
			ids := map[string]string{}
			zones, err := d.Zones(ctx)
			require.NoError(t, err)
			create(t, d, netRes("net/main", "10.0.0.0/16"), ids)
			create(t, d, subnetRes("subnet/a", "10.0.0.0/24", zones[0]), ids)
			route := blueprint.Resource{ID: "route_table/x", Kind: blueprint.KindRouteTable,
				RouteTable: &blueprint.RouteTableSpec{Net: "net/main", Subnet: "subnet/a"}}
			req := providertest.Request(dep, route, ids)
			first, err := d.Create(ctx, req)
			require.NoError(t, err)
			require.NoError(t, d.Delete(ctx, first, providertest.Teardown))
			second, err := d.Create(ctx, req)
			require.NoError(t, err)
			if slices.Contains(d.Capabilities().ClientTokens, blueprint.KindRouteTable) {
				assert.Equal(t, first.ID, second.ID, "AWS: CreateRouteTable takes the token")
				continue
			}
			assert.NotEqual(t, first.ID, second.ID, "OUTSCALE: CreateRouteTable takes no token")
			assert.True(t, second.Ready)
		}
		d := fake.New()
		net, err := d.Create(t.Context(), providertest.Request(dep, netRes("net/main", "10.0.0.0/16"), nil))
		require.NoError(t, err)
		require.NoError(t, d.Delete(t.Context(), net, providertest.Teardown))
		again, err := d.Create(t.Context(), providertest.Request(dep, netRes("net/main", "10.0.0.0/16"), nil))
		require.NoError(t, err)
		assert.NotEqual(t, net.ID, again.ID, "CreateVpc takes no token: a new VPC")
	})
}

func TestLostResponseRetriedWithToken(t *testing.T) {
	t.Parallel()
	d := fake.New()
	ctx := t.Context()
	d.Inject(fake.Fault{Op: fake.OpCreate, Nth: 1, AfterEffect: true, Code: driver.Unavailable})
	req := providertest.Request(dep, netRes("net/main", "10.0.0.0/16"), nil)
	_, err := d.Create(ctx, req)
	require.ErrorIs(t, err, driver.ErrUnavailable)
	assert.True(t, driver.IsRetryable(err))
	fake.AssertCount(t, d, blueprint.KindNet, 1)
	o, err := d.Create(ctx, req)
	require.NoError(t, err)
	fake.AssertCount(t, d, blueprint.KindNet, 1)
	assert.Equal(t, "net/main", o.LogicalID)
}

func TestFaults(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	net := netRes("net/main", "10.0.0.0/16")
	t.Run("FailWrite", func(t *testing.T) {
		d := fake.New()
		d.FailWrite(2, driver.Internal)
		_, err := d.Zones(ctx)
		require.NoError(t, err, "reads do not count")
		_, err = d.Create(ctx, providertest.Request(dep, net, nil))
		require.NoError(t, err)
		_, err = d.Create(ctx, providertest.Request("other", net, nil))
		require.ErrorIs(t, err, driver.ErrInternal)
		assert.False(t, driver.IsRetryable(err))
		fake.AssertCount(t, d, blueprint.KindNet, 1)
		_, err = d.Create(ctx, providertest.Request("other", net, nil))
		require.NoError(t, err, "fires once")
	})
	t.Run("FailCall", func(t *testing.T) {
		d := fake.New()
		d.FailCall(2, driver.Auth)
		_, err := d.Zones(ctx)
		require.NoError(t, err)
		_, err = d.List(ctx, driver.Query{Deployment: dep, Kind: blueprint.KindNet})
		require.ErrorIs(t, err, driver.ErrAuth)
	})
	t.Run("FailOn", func(t *testing.T) {
		d := fake.New()
		d.FailOn(fake.OpCreate, blueprint.KindSubnet, driver.Quota)
		ids := map[string]string{}
		create(t, d, net, ids)
		for range 2 {
			_, err := d.Create(ctx, providertest.Request(dep, subnetRes("subnet/a", "10.0.0.0/24", "fake-1a"), ids))
			require.ErrorIs(t, err, driver.ErrQuota)
		}
		d.ClearFaults()
		create(t, d, subnetRes("subnet/a", "10.0.0.0/24", "fake-1a"), ids)
	})
	t.Run("Times and remove", func(t *testing.T) {
		d := fake.New()
		remove := d.Inject(fake.Fault{Op: fake.OpZones, Times: 2, Err: errors.New("boom")})
		for i := range 3 {
			_, err := d.Zones(ctx)
			if i < 2 {
				require.ErrorContains(t, err, "boom")
				require.ErrorIs(t, err, driver.ErrUnavailable)
			} else {
				require.NoError(t, err)
			}
		}
		remove()
		remove()
	})
}

func TestThrottle(t *testing.T) {
	t.Parallel()
	run := func(seed uint64) []bool {
		d := fake.New()
		d.Throttle(0.3, seed)
		out := make([]bool, 1000)
		for i := range out {
			_, err := d.Zones(t.Context())
			if err != nil {
				require.ErrorIs(t, err, driver.ErrThrottled)
				require.True(t, driver.IsRetryable(err))
			}
			out[i] = err != nil
		}
		return out
	}
	a, b := run(7), run(7)
	assert.Equal(t, a, b, "same seed, same throttled calls")
	n := 0
	for _, x := range a {
		if x {
			n++
		}
	}
	assert.InDelta(t, 300, n, 60)
	assert.NotEqual(t, a, run(8))
}

func TestLatencyHonoursContext(t *testing.T) {
	t.Parallel()
	d := fake.New(func(o *fake.Options) { o.Latency = time.Hour })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	_, err := d.Zones(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	d.SetLatency(time.Millisecond)
	start := time.Now()
	_, err = d.Zones(t.Context())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), time.Millisecond)
}

func TestCallLog(t *testing.T) {
	t.Parallel()
	d, obs := stack(t)
	n := d.Counts()
	assert.Equal(t, 34, n.Writes, "one Create per resource")
	assert.Equal(t, 34, n.ByOp[fake.OpCreate])
	assert.Equal(t, 4, n.WritesByKind[blueprint.KindSubnet])
	assert.Equal(t, n.Calls, n.Reads+n.Writes)
	assert.Equal(t, 1, n.ByKind[blueprint.KindNet])
	for _, k := range []blueprint.Kind{blueprint.KindNATGateway, blueprint.KindLoadBalancer, blueprint.KindDatabase} {
		assert.Equal(t, 2, n.ByKind[k], "%s: a Create, then one Read while pending", k)
	}
	d.ResetCalls()
	require.NoError(t, d.Delete(t.Context(), obs["database/main"], driver.DeleteOptions{LiftProtection: true}))
	calls := d.Calls()
	require.Len(t, calls, 1)
	c := calls[0]
	assert.Equal(t, fake.OpDelete, c.Op)
	assert.Equal(t, blueprint.KindDatabase, c.Kind)
	assert.Equal(t, obs["database/main"].ID, c.ID)
	assert.Equal(t, "database/main", c.LogicalID)
	assert.True(t, c.IsWrite())
	assert.NoError(t, c.Err)
	assert.False(t, c.Time.IsZero())
}

func TestUpdate(t *testing.T) {
	t.Parallel()
	d, obs := stack(t)
	ctx := t.Context()
	cur := obs["cluster/web"]
	want := cur.Resource.Clone()
	want.Cluster.Desired = 4
	tags := map[string]string{driver.TagDeployment: dep, driver.TagLogicalID: "cluster/web", "team": "blue"}
	got, err := d.Update(ctx, driver.Request{Deployment: dep, Resource: want, Tags: tags}, cur)
	require.NoError(t, err)
	assert.Equal(t, 4, got.Resource.Cluster.Desired)
	assert.Len(t, got.Parts["instance"], 4)
	assert.Equal(t, "blue", got.Tags["team"])
	bp := blueprint.Blueprint{Resources: providertest.Resources(dep, []string{"fake-1a", "fake-1b"})}
	cluster, _ := bp.Resource("cluster/web")
	again, err := d.Create(ctx, providertest.Request(dep, cluster, idsOf(obs)))
	require.NoError(t, err, "a Create retried after an Update is compared with the first Create")
	assert.Equal(t, cur.ID, again.ID)

	want.Cluster.Tier = "other"
	_, err = d.Update(ctx, driver.Request{Resource: want}, cur)
	require.ErrorIs(t, err, driver.ErrInvalid)
	assert.ErrorContains(t, err, "tier")

	want = obs["security_group_rules/web"].Resource.Clone()
	want.SecurityGroupRules.Inbound = append(want.SecurityGroupRules.Inbound, want.SecurityGroupRules.Inbound[0])
	_, err = d.Update(ctx, driver.Request{Resource: want}, obs["security_group_rules/web"])
	require.ErrorIs(t, err, driver.ErrInvalid, "duplicate rule")

	_, err = d.Update(ctx, driver.Request{Resource: want}, driver.Observed{ID: "sgr-missing"})
	require.ErrorIs(t, err, driver.ErrNotFound)
}

func TestListScopesByNet(t *testing.T) {
	t.Parallel()
	d, obs := stack(t)
	ctx := t.Context()
	got, err := d.List(ctx, driver.Query{Deployment: dep, Kind: blueprint.KindSubnet, NetIDs: []string{"vpc-other"}})
	require.NoError(t, err)
	assert.Empty(t, got)
	got, err = d.List(ctx, driver.Query{Deployment: dep, Kind: blueprint.KindCluster, NetIDs: []string{obs["net/main"].ID}})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, obs["cluster/web"].ID, got[0].ID)

	require.NoError(t, d.MutateTags(obs["net/main"].ID, func(tags map[string]string) { delete(tags, driver.TagDeployment) }))
	got, err = d.List(ctx, driver.Query{Deployment: dep, Kind: blueprint.KindNet})
	require.NoError(t, err)
	assert.Empty(t, got, "untagged resources are not found")
}

func TestIDStyles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		opt          func(*fake.Options)
		net, lb, nat string
	}{
		{func(*fake.Options) {}, `^vpc-0[0-9a-f]{16}$`, `^arn:aws:elasticloadbalancing:fake-1:\d{12}:loadbalancer/app/shop-web/[0-9a-f]{16}$`, `^nat-0[0-9a-f]{16}$`},
		{fake.Outscale, `^vpc-[0-9a-f]{8}$`, `^shop-web$`, `^nat-[0-9a-f]{8}$`},
	}
	for _, tc := range tests {
		_, obs := stack(t, tc.opt)
		assert.Regexp(t, regexp.MustCompile(tc.net), obs["net/main"].ID)
		assert.Regexp(t, regexp.MustCompile(tc.nat), obs["nat_gateway/a"].ID)
		if lb, ok := obs["load_balancer/web"]; ok {
			assert.Regexp(t, regexp.MustCompile(tc.lb), lb.ID)
		}
	}
	_, a := stack(t)
	_, b := stack(t)
	assert.Equal(t, a["cluster/web"].ID, b["cluster/web"].ID, "ids are deterministic")
}

func TestSnapshotAndOutsideChanges(t *testing.T) {
	t.Parallel()
	d, obs := stack(t)
	snap := d.Snapshot(dep)
	assert.Equal(t, 4, snap.Count(blueprint.KindSubnet))
	assert.Equal(t, []string{"route_table/app/a", "route_table/app/b", "route_table/web/a", "route_table/web/b"}, snap.IDs(blueprint.KindRouteTable))
	nat := snap[blueprint.KindNATGateway]["nat_gateway/a"]
	assert.Equal(t, blueprint.Ref("subnet/web/a"), nat.NATGateway.Subnet, "refs hold logical ids")

	d2, _ := stack(t)
	assert.Equal(t, snap, d2.Snapshot(dep), "same deployment, same snapshot")
	assert.Empty(t, d.Snapshot("nobody"))

	require.NoError(t, d.Mutate(obs["cluster/web"].ID, func(r *blueprint.Resource) { r.Cluster.Desired = 7 }))
	assert.NotEqual(t, snap, d.Snapshot(dep))
	o, err := d.Read(t.Context(), blueprint.KindCluster, obs["cluster/web"].ID)
	require.NoError(t, err)
	assert.Equal(t, 7, o.Resource.Cluster.Desired)
	require.ErrorIs(t, d.Mutate(obs["cluster/web"].ID, func(r *blueprint.Resource) { r.Kind = blueprint.KindNet }), driver.ErrInvalid)

	require.NoError(t, d.DeleteOutside(obs["security_group/db"].ID))
	_, err = d.Read(t.Context(), blueprint.KindSecurityGroup, obs["security_group/db"].ID)
	require.ErrorIs(t, err, driver.ErrNotFound)
	_, err = d.Read(t.Context(), blueprint.KindSecurityGroupRules, obs["security_group_rules/db"].ID)
	require.ErrorIs(t, err, driver.ErrNotFound, "a group's rules go with it")
	require.ErrorIs(t, d.DeleteOutside("vpc-missing"), driver.ErrNotFound)
}

// recorder is a TestingT that records failures.
type recorder struct{ msgs []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

func TestAssertions(t *testing.T) {
	t.Parallel()
	d, obs := stack(t)
	fake.AssertAllows(t, d, "security_group/lb", "security_group/web", "tcp", 8080)
	fake.AssertAllows(t, d, "security_group/web", "security_group/db", "tcp", 5432)
	fake.AssertDenies(t, d, "security_group/lb", "security_group/db", "tcp", 5432)
	fake.AssertDenies(t, d, "security_group/lb", "security_group/web", "tcp", 22)
	fake.AssertCount(t, d, blueprint.KindSubnet, 4)
	fake.AssertExists(t, d, dep, "cluster/web")

	var r recorder
	assert.False(t, fake.AssertAllows(&r, d, "security_group/web", "security_group/lb", "tcp", 443))
	assert.False(t, fake.AssertAllows(&r, d, "security_group/nope", "security_group/lb", "tcp", 443))
	assert.False(t, fake.AssertDenies(&r, d, obs["security_group/lb"].ID, obs["security_group/web"].ID, "tcp", 8080))
	assert.False(t, fake.AssertCount(&r, d, blueprint.KindNet, 2))
	assert.False(t, fake.AssertNoLeaks(&r, d, dep))
	_, ok := fake.AssertExists(&r, d, dep, "cluster/nope")
	assert.False(t, ok)
	require.Len(t, r.msgs, 6)
	assert.Contains(t, r.msgs[0], "no inbound rule")
	assert.Contains(t, r.msgs[4], "leaked 34 resource(s)")

	providertest.Destroy(t.Context(), t, d, dep)
	fake.AssertNoLeaks(t, d, dep)
	fake.AssertCount(t, d, blueprint.KindNet, 0)
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	d := fake.New()
	ctx := t.Context()
	ids := map[string]string{}
	create(t, d, netRes("net/main", "10.0.0.0/16"), ids)
	var wg sync.WaitGroup
	errs := make([]error, 64)
	for i := range errs {
		wg.Go(func() {
			r := subnetRes(fmt.Sprintf("subnet/%d", i), fmt.Sprintf("10.0.%d.0/24", i), "fake-1a")
			o, err := d.Create(ctx, providertest.Request(dep, r, ids))
			if err == nil {
				_, err = d.Read(ctx, blueprint.KindSubnet, o.ID)
			}
			if err == nil {
				_, err = d.List(ctx, driver.Query{Deployment: dep, Kind: blueprint.KindSubnet})
			}
			errs[i] = err
		})
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	fake.AssertCount(t, d, blueprint.KindSubnet, 64)
	assert.Equal(t, 1+3*64, d.Counts().Calls)
}

func TestNATGatewayRules(t *testing.T) {
	t.Parallel()
	// Six NAT gateways in one zone need six public IPs: more than the 5 of
	// a new AWS account, so this account has more.
	d, obs := stack(t, func(o *fake.Options) {
		o.Profile = netplan.AWS
		o.Profile.Quotas.PublicIPsPerRegion = 10
	})
	ctx := t.Context()
	nat := obs["nat_gateway/a"].Resource.Clone()
	nat.ID = "nat_gateway/b"
	_, err := d.Create(ctx, driver.Request{Resource: nat})
	require.ErrorIs(t, err, driver.ErrAlreadyExists, "the public IP is taken")

	for i := range 5 {
		pip, err := d.Create(ctx, driver.Request{Resource: blueprint.Resource{ID: "public_ip/x", Kind: blueprint.KindPublicIP,
			PublicIP: &blueprint.PublicIPSpec{Zone: "fake-1a"}}})
		require.NoError(t, err)
		nat.NATGateway.PublicIP = blueprint.Ref(pip.ID)
		_, err = d.Create(ctx, driver.Request{Resource: nat})
		if i < 4 {
			require.NoError(t, err, "NAT %d", i+2)
		} else {
			require.ErrorIs(t, err, driver.ErrQuota, "the sixth NAT of zone fake-1a")
		}
	}
	_, err = d.Create(ctx, driver.Request{Resource: blueprint.Resource{ID: "public_ip/x", Kind: blueprint.KindPublicIP,
		PublicIP: &blueprint.PublicIPSpec{Zone: "mars"}}})
	require.ErrorIs(t, err, driver.ErrInvalid)

	net, err := d.Create(ctx, driver.Request{Resource: netRes("net/other", "10.1.0.0/16")})
	require.NoError(t, err)
	ids := map[string]string{"net/main": net.ID}
	sub := create(t, d, subnetRes("subnet/a", "10.1.0.0/24", "fake-1b"), ids)
	pip := create(t, d, blueprint.Resource{ID: "public_ip/y", Kind: blueprint.KindPublicIP, PublicIP: &blueprint.PublicIPSpec{}}, ids)
	_, err = d.Create(ctx, driver.Request{Resource: blueprint.Resource{ID: "nat/y", Kind: blueprint.KindNATGateway,
		NATGateway: &blueprint.NATGatewaySpec{Subnet: blueprint.Ref(sub), PublicIP: blueprint.Ref(pip)}}})
	require.ErrorIs(t, err, driver.ErrInvalid, "no internet gateway in the net")
	assert.ErrorContains(t, err, "no internet gateway")
}

func idsOf(obs map[string]driver.Observed) map[string]string {
	ids := map[string]string{}
	for k, o := range obs {
		ids[k] = o.ID
	}
	return ids
}

// The fake refuses in Update what the clouds refuse in place: a database
// that would shrink, downgrade or leave its primary's subnet (AWS), a load
// balancer that would leave its home subnet (OUTSCALE).
func TestUpdateRefusesWhatTheCloudRefuses(t *testing.T) {
	t.Parallel()
	d, obs := stack(t)
	update := func(d *fake.Driver, id string, change func(r *blueprint.Resource)) error {
		cur, err := d.Read(t.Context(), obs[id].Resource.Kind, obs[id].ID)
		require.NoError(t, err)
		want := cur.Resource.Clone()
		change(&want)
		_, err = d.Update(t.Context(), driver.Request{Deployment: dep, Resource: want, Tags: cur.Tags}, cur)
		return err
	}
	db := "database/main"
	assert.ErrorIs(t, update(d, db, func(r *blueprint.Resource) { r.Database.StorageGiB = 10 }), driver.ErrInvalid, "RDS cannot shrink storage")
	assert.ErrorIs(t, update(d, db, func(r *blueprint.Resource) { r.Database.StorageGiB = 21 }), driver.ErrInvalid, "grows by 10% at least")
	require.NoError(t, update(d, db, func(r *blueprint.Resource) { r.Database.EngineVersion = "16.2" }))
	assert.ErrorIs(t, update(d, db, func(r *blueprint.Resource) { r.Database.EngineVersion = "15.4" }), driver.ErrInvalid, "no downgrade")
	assert.ErrorIs(t, update(d, db, func(r *blueprint.Resource) { r.Database.BackupRetentionDays = 0 }), driver.ErrInvalid, "a replica needs backups")
	err := update(d, db, func(r *blueprint.Resource) {
		r.Database.Subnets = []blueprint.Ref{blueprint.Ref(obs["subnet/web/a"].ID), blueprint.Ref(obs["subnet/web/b"].ID)}
	})
	assert.ErrorIs(t, err, driver.ErrDependency, "the primary's subnet stays (SubnetAlreadyInUse)")
	require.NoError(t, d.Delete(t.Context(), obs["database_replica/main/1"], driver.DeleteOptions{}))
	assert.Error(t, d.Delete(t.Context(), obs[db], driver.DeleteOptions{}), "deletion protection")
	require.NoError(t, d.Delete(t.Context(), obs[db], driver.DeleteOptions{LiftProtection: true}))

	o, oobs := stack(t, fake.Outscale)
	obs = oobs
	err = update(o, "load_balancer/web", func(r *blueprint.Resource) {
		r.LoadBalancer.Subnets = []blueprint.Ref{r.LoadBalancer.Subnets[1], blueprint.Ref(obs["subnet/app/a"].ID)}
	})
	assert.ErrorIs(t, err, driver.ErrInvalid, "an OUTSCALE load balancer keeps its first subnet")
	require.NoError(t, update(o, "load_balancer/web", func(r *blueprint.Resource) {
		r.LoadBalancer.Subnets = []blueprint.Ref{r.LoadBalancer.Subnets[0], blueprint.Ref(obs["subnet/app/b"].ID)}
	}))
}

func TestPublicIPQuota(t *testing.T) {
	t.Parallel()
	d := fake.New()
	for i := range 6 {
		_, err := d.Create(t.Context(), driver.Request{Resource: blueprint.Resource{ID: fmt.Sprintf("public_ip/%d", i), Kind: blueprint.KindPublicIP,
			PublicIP: &blueprint.PublicIPSpec{}}})
		if i < 5 {
			require.NoError(t, err)
		} else {
			require.ErrorIs(t, err, driver.ErrQuota, "AWS: 5 Elastic IPs per region")
		}
	}
}
