package pattern_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// Bad input: every problem at once, each naming the field, and no Blueprint.
func TestBuildReportsEveryProblem(t *testing.T) {
	t.Parallel()
	a := pattern.New("shop", "10.0.0.0/24")
	web := tier.Web("web")
	web.SubnetBits = 25 // two /25 fill the /24: no room left for the others
	app := tier.App("app")
	app.SubnetBits = 26
	pub := tier.LoadBalancers("edge", netplan.Public)
	pub.Zones = []string{"a"}
	pub.SubnetBits = 28
	db := tier.MySQL("db")
	db.Exposure = netplan.Public
	db.SubnetBits = 28
	a.AddTier(web, app, tier.App("web"), pub, db)
	a.Connect("web", "nope", 80)
	a.AddCluster(tier.NewCluster("app", "ami-1", "t3.small"))
	a.AddLB(tier.PublicLB("front", "edge", "app", 8080))
	a.AddDatabase(tier.NewDatabase("db", tier.EngineMySQL, "db.t3.micro"))

	bp, err := a.Build()
	require.Error(t, err)
	assert.Nil(t, bp)
	msg := err.Error()
	for _, want := range []string{
		"pattern: tiers[2].name: web: duplicate tier name",
		"pattern: flows[0].to: nope: no such tier or load balancer",
		"pattern: lbs[front]: PT005: lb-one-zone: tier edge has subnets in 1 zone",
		"pattern: databases[db]: PT002: database-public: database in public tier db",
		"pattern: subnets:",
	} {
		assert.Contains(t, msg, want)
	}
	assert.ErrorIs(t, err, pattern.ErrInvalid)
	assert.ErrorIs(t, err, netplan.ErrDuplicate, "the planner's own errors come through")
	// One line per problem.
	assert.GreaterOrEqual(t, strings.Count(msg, "\n"), 4)
}

func TestBuildNoSpace(t *testing.T) {
	t.Parallel()
	a := pattern.New("shop", "10.0.0.0/24")
	big := tier.App("big")
	big.SubnetBits = 25
	a.AddTier(big, tier.MySQL("db"))
	_, err := a.Build()
	require.Error(t, err)
	assert.ErrorIs(t, err, netplan.ErrNoSpace)
	var nse *netplan.NoSpaceError
	require.ErrorAs(t, err, &nse)
	assert.Contains(t, err.Error(), "pattern: subnets:")
}

func TestBuildValidation(t *testing.T) {
	t.Parallel()
	base := func() *pattern.Architecture {
		return pattern.ThreeTier(pattern.ThreeTierOptions{})
	}
	tests := []struct {
		name   string
		change func(a *pattern.Architecture)
		want   string
	}{
		{"bad cidr", func(a *pattern.Architecture) { *a = *pattern.New("x", "10.0.0.1/16").AddTier(tier.Web("web")) }, "pattern: cidr: netplan: 10.0.0.1/16: host bits set"},
		{"no cidr", func(a *pattern.Architecture) { a.CIDR = netipZero }, "pattern: cidr: \"\": no address range"},
		{"net too big for aws", func(a *pattern.Architecture) { a.Profile = netplan.AWS; a.CIDR = pfx("10.0.0.0/8") }, "outside aws net bounds"},
		{"bad name", func(a *pattern.Architecture) { a.Name = "my_shop" }, `pattern: name: "my_shop": character '_' not allowed`},
		{"sg- name", func(a *pattern.Architecture) { a.Name = "sg-shop" }, `starts with "sg-"`},
		{"wildcard name", func(a *pattern.Architecture) { a.Name = "s*" }, `pattern: name: "s*": character '*' not allowed (a wildcard in AWS tag filters`},
		{"uppercase name", func(a *pattern.Architecture) { a.Name = "Shop" }, `uppercase 'S' not allowed`},
		{"long name", func(a *pattern.Architecture) { a.Name = strings.Repeat("a", 116) }, "116 characters, over 115"},
		{"duplicate zone", func(a *pattern.Architecture) { a.Zones = []string{"a", "a"} }, "pattern: zones[1]: a: duplicate zone"},
		{"tier zone unknown", func(a *pattern.Architecture) { a.Tier("db").Zones = []string{"c"} }, "pattern: tiers[2].zones[0]: c: not a zone of the net"},
		{"cluster unknown tier", func(a *pattern.Architecture) { a.AddCluster(tier.NewCluster("ghost", "i", "t")) }, "pattern: clusters[3].tier: ghost: no such tier"},
		{"two clusters", func(a *pattern.Architecture) { a.AddCluster(tier.NewCluster("db", "i", "t")) }, "second cluster in one tier"},
		{"cluster and database", func(a *pattern.Architecture) {
			a.AddDatabase(tier.NewDatabase("db", tier.EngineMySQL, "db.t3.micro"))
		}, "PT009: shared-subnet"},
		{"lb name clash", func(a *pattern.Architecture) { a.AddLB(tier.PublicLB("db", "nginx", "intel", 8080)) }, "pattern: lbs[0].name: db: a tier has the same name"},
		{"lb without cluster", func(a *pattern.Architecture) {
			a.AddTier(tier.App("idle"))
			a.AddLB(tier.InternalLB("x", "intel", "idle", 8080))
		}, "pattern: lbs[0].target: idle: tier has no cluster to balance"},
		{"public lb in private tier", func(a *pattern.Architecture) { a.AddLB(tier.PublicLB("x", "intel", "nginx", 80)) }, "an internet-facing load balancer in isolated tier intel"},
		{"lb as source", func(a *pattern.Architecture) {
			a.AddLB(tier.InternalLB("x", "nginx", "intel", 8080))
			a.Connect("x", "db", 3306)
		}, "a load balancer only forwards to its target"},
		{"unknown peer", func(a *pattern.Architecture) { a.Flow("peer:vpn -> nginx tcp/22") }, "unknown peer"},
		{"bad flow text", func(a *pattern.Architecture) { a.Flow("web => app") }, `pattern: flow "web => app"`},
		{"link to portless tier", func(a *pattern.Architecture) {
			a.AddTier(tier.Tier{Name: "raw", Exposure: netplan.Private})
			a.Connect("nginx", "raw")
		}, "tier has no ports to connect to"},
		{"ssh from anywhere", func(a *pattern.Architecture) { a.Connect("internet", "nginx", 22) }, "security_group_rules/nginx: BP001"},
		{"database from internet", func(a *pattern.Architecture) { a.Connect("internet", "db", 3306) }, "NP003"},
		{"invalid cluster", func(a *pattern.Architecture) { a.Cluster("db").Image = "" }, "tier: cluster[db].image"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := base()
			tc.change(a)
			bp, err := a.Build()
			require.Error(t, err)
			assert.Nil(t, bp)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

var netipZero netip.Prefix

func TestLintWarnings(t *testing.T) {
	t.Parallel()
	a := pattern.WebApp(pattern.WebAppOptions{})
	a.NAT = netplan.NATShared
	db := a.Database("db")
	db.BackupRetentionDays = 0
	db.Encrypted = false
	db.MultiAZ = false
	c := a.Cluster("app")
	c.Stateless = false
	c.Scaling = nil // a stateful cluster has no scaling policy
	c.Desired, c.Min = 1, 1
	a.Tier("app").Zones = []string{"a"}
	bp := build(t, a)
	assert.Equal(t, []string{
		"PT001 clusters[app]", "PT004 nat", "PT006 clusters[app]", "PT007 databases[db]",
		"PT008 databases[db]", "PT010 clusters[app]", "PT011 databases[db]",
	}, findingIDs(bp))
	assert.Len(t, bp.OfKind(blueprint.KindNATGateway), 1, "shared NAT: one for all zones")
	for _, f := range bp.Findings {
		assert.Equal(t, netplan.SeverityWarning, f.Severity)
		assert.NotEmpty(t, f.Fix)
	}
	ids := map[string]bool{}
	for _, c := range pattern.Checks {
		assert.False(t, ids[c.ID], c.ID)
		ids[c.ID] = true
	}
}

// Pinned subnets never move: adding a tier and a zone to a running Net
// leaves every existing subnet where it was.
func TestPinnedSubnetsStayPut(t *testing.T) {
	t.Parallel()
	before := build(t, pattern.ThreeTier(pattern.ThreeTierOptions{}))
	var pinned []netplan.Allocation
	for _, r := range before.OfKind(blueprint.KindSubnet) {
		pinned = append(pinned, netplan.Allocation{Name: r.Subnet.Tier, Zone: r.Subnet.Zone, Prefix: r.Subnet.CIDR})
	}
	grown := pattern.ThreeTier(pattern.ThreeTierOptions{Zones: []string{"a", "b", "c"}})
	grown.AddTier(tier.Tier{Name: "admin", Role: tier.RoleGeneric, Exposure: netplan.Public, SubnetBits: 22, Ports: []tier.Port{tier.TCP(22)}})
	grown.Tiers = append([]tier.Tier{grown.Tiers[3]}, grown.Tiers[:3]...) // first in the list, largest
	grown.Pin(pinned...)
	after := build(t, grown)
	for _, p := range pinned {
		r := res(t, after, "subnet/"+p.Name+"/"+p.Zone)
		assert.Equal(t, p.Prefix, r.Subnet.CIDR, p.Key().String())
	}
	assert.Len(t, after.OfKind(blueprint.KindSubnet), 4*3)
}

func TestLBName(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "shop-web", pattern.LBName("shop", "web"))
	long := pattern.LBName("a-very-long-deployment-name", "frontend-balancer")
	assert.LessOrEqual(t, len(long), 32)
	assert.Regexp(t, `^[a-zA-Z0-9-]+-[0-9a-f]{8}$`, long)
	assert.NotEqual(t, long, pattern.LBName("a-very-long-deployment-name", "frontend-balancer2"))
	assert.Equal(t, long, pattern.LBName("a-very-long-deployment-name", "frontend-balancer"))
	assert.Regexp(t, `^[a-zA-Z0-9-]{1,32}$`, pattern.LBName("x_y", "z"))
}

func TestAllowAllEgress(t *testing.T) {
	t.Parallel()
	a := pattern.WebApp(pattern.WebAppOptions{})
	a.Egress = netplan.EgressAllowAll
	bp := build(t, a)
	out := sgRules(t, bp, "app-lb").Outbound
	require.Len(t, out, 1)
	assert.Equal(t, netplan.ProtocolAll, out[0].Protocol)
	assert.Equal(t, pfx("0.0.0.0/0"), out[0].CIDR)
}

func TestOutscaleProfileHasNoNetworkACL(t *testing.T) {
	t.Parallel()
	bp := build(t, pattern.ThreeTier(pattern.ThreeTierOptions{Profile: netplan.Outscale}))
	assert.Empty(t, bp.OfKind(blueprint.KindNetworkACL))
	assert.Contains(t, strings.Join(findingIDs(bp), ","), "NP007")
	aws := build(t, pattern.ThreeTier(pattern.ThreeTierOptions{Profile: netplan.AWS}))
	assert.Len(t, aws.OfKind(blueprint.KindNetworkACL), 3)
}

func TestDatabaseFallback(t *testing.T) {
	t.Parallel()
	a := pattern.WebApp(pattern.WebAppOptions{})
	db := a.Database("db")
	db.FallbackToCluster = true
	db.Fallback = tier.Cluster{Image: "percona-image", InstanceType: "tinav5.c2r4p2", Min: 3, Desired: 3, Max: 3}
	bp := build(t, a)
	fb := res(t, bp, "database/db").Database.Fallback
	require.NotNil(t, fb)
	assert.Equal(t, "db", fb.Tier)
	assert.False(t, fb.Stateless)
	assert.Equal(t, []blueprint.Ref{"subnet/db/a", "subnet/db/b"}, fb.Subnets)
}

func TestErrorsAreJoined(t *testing.T) {
	t.Parallel()
	_, err := pattern.New("", "nonsense").Build()
	require.Error(t, err)
	var j interface{ Unwrap() []error }
	require.True(t, errors.As(err, &j))
	assert.GreaterOrEqual(t, len(j.Unwrap()), 3) // cidr, name, tiers
}

// Admin access through a VPN peer, an internal load balancer reached from
// the peer and from a tier, and CIDR sources.
func TestPeersInternalLBAndCIDRSources(t *testing.T) {
	t.Parallel()
	a := pattern.New("corp", "10.1.0.0/16").
		Peer("vpn", pfx("172.16.0.0/12")).
		VPN("vpn", pattern.VPN{PublicIP: netip.MustParseAddr("198.51.100.7")}).
		AddTier(tier.Bastion("bastion"), tier.LoadBalancers("inner", netplan.Private), tier.App("app"), tier.App("batch")).
		AddCluster(tier.NewCluster("app", "img", "t3.small"), tier.NewCluster("batch", "img", "t3.small"), tier.NewCluster("bastion", "img", "t3.micro")).
		AddLB(tier.InternalLB("api", "inner", "app", 8080)).
		Flow("peer:vpn -> bastion tcp/22").
		Connect("bastion", "app", 22).
		Connect("peer:vpn", "api").
		Connect("batch", "api")
	a.Tier("bastion").Exposure = netplan.Private // reached over the VPN only
	a.NAT = netplan.NATNone                      // no public subnet: no NAT
	bp := build(t, a)
	assert.Equal(t, []blueprint.RuleSpec{
		{Protocol: "tcp", FromPort: 8080, ToPort: 8080, CIDR: pfx("172.16.0.0/12")},
		{Protocol: "tcp", FromPort: 8080, ToPort: 8080, Group: "security_group/batch"},
	}, stripDesc(sgRules(t, bp, "api").Inbound))
	assert.Equal(t, []blueprint.RuleSpec{{Protocol: "tcp", FromPort: 8080, ToPort: 8080, Group: "security_group/api"}}, stripDesc(sgRules(t, bp, "batch").Outbound))
	assert.Equal(t, blueprint.SchemeInternal, res(t, bp, "load_balancer/api").LoadBalancer.Scheme)
	r := rules(t, a)
	assert.True(t, reach(r, netplan.Peer("vpn"), "bastion", 22))
	assert.False(t, reach(r, netplan.Internet(), "bastion", 22))
	assert.Empty(t, bp.OfKind(blueprint.KindInternetGateway), "nothing public, no internet gateway")

	a.Sources = netplan.SourceCIDR
	bp2 := build(t, a)
	in := sgRules(t, bp2, "app").Inbound
	var cidrs []string
	for _, r := range in {
		if r.CIDR.IsValid() {
			cidrs = append(cidrs, r.CIDR.String())
		}
	}
	assert.NotEmpty(t, cidrs, "CIDR sources name the bastion's subnets")
	// A load balancer source is the balancer's subnets too: those of its
	// home tier "inner", 10.1.0.0/24 and 10.1.1.0/24, merged.
	require.Equal(t, pfx("10.1.0.0/24"), res(t, bp2, "subnet/inner/a").Subnet.CIDR)
	assert.Contains(t, cidrs, "10.1.0.0/23", "the load balancer's subnets reach the app tier")
}

func TestCarveNets(t *testing.T) {
	t.Parallel()
	prod := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "prod", CIDR: "10.0.0.0/16"})
	staging := pattern.New("staging", "").AddTier(tier.Web("web"))
	dr := pattern.New("dr", "").AddTier(tier.Web("web"))
	require.NoError(t, pattern.CarveNets(pfx("10.0.0.0/8"), netplan.AWS, 16, prod, staging, dr))
	assert.Equal(t, pfx("10.0.0.0/16"), prod.CIDR, "existing Nets never move")
	assert.Equal(t, pfx("10.1.0.0/16"), staging.CIDR)
	assert.Equal(t, pfx("10.2.0.0/16"), dr.CIDR)
	build(t, staging)

	full := pattern.New("full", "")
	err := pattern.CarveNets(pfx("10.0.0.0/16"), netplan.AWS, 16, prod, full)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pattern: carve nets from 10.0.0.0/16")
	assert.False(t, full.CIDR.IsValid(), "unchanged on error")
}

func TestNATUnused(t *testing.T) {
	t.Parallel()
	a := pattern.ThreeTier(pattern.ThreeTierOptions{})
	a.Tier("intel").Exposure = netplan.Private
	bp := build(t, a)
	assert.Equal(t, []string{"PT012 nat"}, findingIDs(bp))
	assert.Len(t, bp.OfKind(blueprint.KindNATGateway), 2)

	egress := build(t, pattern.ThreeTier(pattern.ThreeTierOptions{AppEgress: true}))
	assert.Empty(t, egress.Findings)
	assert.Len(t, egress.OfKind(blueprint.KindNATGateway), 2, "one NAT per zone")
	assert.Empty(t, build(t, pattern.ThreeTier(pattern.ThreeTierOptions{})).OfKind(blueprint.KindNATGateway), "isolated application: no NAT to pay for")
}

// Build's problems are *netplan.FieldError values naming package pattern.
func TestBuildErrorsAreFieldErrors(t *testing.T) {
	t.Parallel()
	_, err := pattern.New("shop", "10.0.0.0/16").AddTier(tier.Web("web")).Flow("internet -> nope tcp/80").Build()
	require.Error(t, err)
	var fe *netplan.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "pattern", fe.Package)
	assert.Equal(t, "flows[0].to", fe.Field)
	assert.ErrorIs(t, fe, pattern.ErrInvalid)
}

// Every problem Build reports matches pattern.ErrInvalid, whichever
// package found it, and keeps its own sentinel and field.
func TestBuildErrorFamily(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		arch  func() *pattern.Architecture
		own   error
		field string
	}{
		{"bad cidr", func() *pattern.Architecture {
			return pattern.New("shop", "10.0.0.1/16").AddTier(tier.App("app"))
		}, netplan.ErrInvalid, "cidr"},
		{"missing image", func() *pattern.Architecture {
			return pattern.New("shop", "10.0.0.0/16").AddTier(tier.App("app")).AddCluster(tier.NewCluster("app", "", "t3.small"))
		}, tier.ErrInvalid, "cluster[app].image"},
		{"bad flow", func() *pattern.Architecture {
			return pattern.New("shop", "10.0.0.0/16").AddTier(tier.App("app")).Flow("app -> ??? tcp/99999")
		}, netplan.ErrInvalidFlow, "flow.ports"},
		{"no space", func() *pattern.Architecture {
			big := tier.App("big")
			big.SubnetBits = 25
			return pattern.New("shop", "10.0.0.0/24").AddTier(big, tier.MySQL("db"))
		}, netplan.ErrNoSpace, "subnets"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.arch().Build()
			require.Error(t, err)
			assert.ErrorIs(t, err, pattern.ErrInvalid)
			assert.ErrorIs(t, err, tc.own)
			// Each problem on its own matches too.
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				assert.ErrorIs(t, e, pattern.ErrInvalid, "%v", e)
			}
			assert.Contains(t, err.Error(), tc.field+":", "the problem names the field")
		})
	}
}
