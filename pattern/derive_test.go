package pattern_test

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/tier"
)

// frontArch is issue 14's case: a public load balancer front in tier edge,
// in front of app, reached from the addresses of addrs on tcp/443.
func frontArch(addrs []string) *pattern.Architecture {
	a := pattern.New("shop", "10.0.0.0/16").
		AddTier(tier.LoadBalancers("edge", netplan.Public), tier.App("app")).
		AddCluster(tier.NewCluster("app", "img", "t3.small"))
	a.AddLB(tier.PublicLB("front", "edge", "app", 8080))
	a.Profile = netplan.AWS
	for _, s := range addrs {
		a.Flow(s + " -> front tcp/443")
	}
	return a
}

// The 64 flows 203.0.113.<i>/32 -> front tcp/443 are one rule,
// 203.0.113.0/26, beside the listener's tcp/80 from anywhere, and the
// architecture applies on the fake; before, the balancer's group got 65
// unmerged rules and the apply failed on AWS's quota of 60 after 31
// creates.
func TestBalancerRulesMerge(t *testing.T) {
	t.Parallel()
	var addrs []string
	for i := range 64 {
		addrs = append(addrs, fmt.Sprintf("203.0.113.%d/32", i))
	}
	bp := build(t, frontArch(addrs))
	in := stripDesc(sgRules(t, bp, "front").Inbound)
	assert.Equal(t, []blueprint.RuleSpec{
		{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: pfx("0.0.0.0/0")},
		{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDR: pfx("203.0.113.0/26")},
	}, in)

	d := fake.New()
	_, err := provider.NewEngine(d, func(o *provider.Options) { o.RateLimit = -1 }).Apply(t.Context(), bp)
	require.NoError(t, err)
}

// Rules that cannot merge stop Build with an error that names the
// balancer's group, front, not the tier edge that holds it.
func TestBalancerQuotaNamesGroup(t *testing.T) {
	t.Parallel()
	var addrs []string
	for i := range 61 {
		addrs = append(addrs, fmt.Sprintf("203.0.113.%d/32", 2*i)) // never adjacent
	}
	_, err := frontArch(addrs).Build()
	require.Error(t, err)
	assert.Contains(t, err.Error(), `security group "front": 62 inbound rules, 2 over the aws quota of 60`)
	assert.NotContains(t, err.Error(), `security group "edge"`)
}

// A subnet size the profile refuses names the tier's own field.
func TestSubnetErrorsNameTierFields(t *testing.T) {
	t.Parallel()
	a := pattern.New("shop", "10.0.0.0/16").AddTier(tier.App("app"), tier.PostgreSQL("db"))
	a.Profile = netplan.AWS
	a.Tier("db").SubnetBits = 12
	_, err := a.Build()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "tiers[1].subnet_bits: 12")
	assert.NotContains(t, err.Error(), "requests[")
}

// Architecture.Ephemeral narrows the replies to the Net's own instances
// and keeps 1024-65535 for those to the load balancer and the NAT.
func TestEphemeral(t *testing.T) {
	t.Parallel()
	a := pattern.WebApp(pattern.WebAppOptions{Profile: netplan.AWS, Ephemeral: netplan.LinuxEphemeral})
	require.Equal(t, netplan.LinuxEphemeral, a.Ephemeral)
	bp := build(t, a)
	db := res(t, bp, "network_acl/db").NetworkACL
	app := prefixOf(t, bp, "app")
	assert.Contains(t, entries(db.Outbound), fmt.Sprintf("allow tcp 32768-60999 %s", app), "the database answers the app's ephemeral ports")
	appACL := res(t, bp, "network_acl/app").NetworkACL
	assert.Contains(t, entries(appACL.Outbound), fmt.Sprintf("allow tcp 1024-65535 %s", prefixOf(t, bp, "public")), "replies to the balancer keep its range")
	assert.Contains(t, findingIDs(bp), "NP011 options.ephemeral")

	for _, arch := range []*pattern.Architecture{
		pattern.ThreeTier(pattern.ThreeTierOptions{Ephemeral: netplan.WindowsEphemeral}),
		pattern.DMZ(pattern.DMZOptions{Ephemeral: netplan.WindowsEphemeral}),
		pattern.CloudNative(pattern.CloudNativeOptions{Ephemeral: netplan.WindowsEphemeral}),
		pattern.Elastic(pattern.ElasticOptions{Ephemeral: netplan.WindowsEphemeral}),
	} {
		assert.Equal(t, netplan.WindowsEphemeral, arch.Ephemeral, arch.Name)
		r := rules(t, arch)
		assert.Equal(t, netplan.WindowsEphemeral, r.Options().Ephemeral, arch.Name)
	}
	bad := pattern.WebApp(pattern.WebAppOptions{Ephemeral: netplan.Ports(2000, 1000)})
	_, err := bad.Build()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ephemeral: 2000-1000")
}

// The web app's application tier reaches the internet through the NAT of
// its zone on AWS: the public tier's network ACL passes the request and
// its replies (issue 14: all three hit the deny entry 32766).
func TestWebAppEgressThroughNAT(t *testing.T) {
	t.Parallel()
	a := pattern.WebApp(pattern.WebAppOptions{Profile: netplan.AWS})
	bp := build(t, a)
	pub := entries(res(t, bp, "network_acl/public").NetworkACL.Inbound)
	assert.Contains(t, pub, "allow tcp 443 10.0.2.0/23")
	assert.Contains(t, pub, "allow tcp 1024-65535 0.0.0.0/0")
	assert.Contains(t, entries(res(t, bp, "network_acl/public").NetworkACL.Outbound), "allow tcp 443 0.0.0.0/0")
	r := rules(t, a)
	v := r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "internet", Protocol: netplan.ProtocolTCP, Port: 443})
	assert.True(t, v.Allowed, v.String())
	v = r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "internet", Protocol: netplan.ProtocolTCP, Port: 80})
	assert.False(t, v.Allowed, "only the declared port")
	assert.Len(t, bp.OfKind(blueprint.KindNATGateway), 2)
	assert.Equal(t, blueprint.Ref("subnet/public/a"), res(t, bp, "nat_gateway/nat/a").NATGateway.Subnet)
}

// entries renders ACL entries without their numbers: "allow tcp 443 10.0.2.0/23".
func entries(es []blueprint.ACLEntrySpec) []string {
	var out []string
	for _, e := range es {
		s := e.String()
		out = append(out, s[len(fmt.Sprintf("#%d ", e.Number)):])
	}
	return out
}

// prefixOf returns the block that holds the subnets of tier name in zones
// a and b (they are allocated side by side).
func prefixOf(t *testing.T, bp *blueprint.Blueprint, name string) netip.Prefix {
	t.Helper()
	a := res(t, bp, "subnet/"+name+"/a").Subnet.CIDR
	p, err := a.Addr().Prefix(a.Bits() - 1)
	require.NoError(t, err)
	return p
}
