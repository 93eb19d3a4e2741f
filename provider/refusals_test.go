package provider_test

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// Where a refusal of the fake is caught before the first write.
const (
	byCheck     = "preflight: blueprint.Resource.Check"
	byDriver    = "preflight: driver.Checker"
	byPreflight = "preflight: profile, quotas and references"
	byValidate  = "engine: Blueprint.Validate"
	byZones     = "engine: zone mapping"
	byAdapt     = "engine: capabilities"
)

// refusal is one refusal of the fake at create or update: the Blueprint
// that triggers it (a change to the AWS web app), the fake's code when
// the engine sends it without its checks, and where the engine catches
// it first.
type refusal struct {
	name   string
	caught string
	code   driver.Code // the fake's, when the engine can reach it without its checks
	fake   []func(*fake.Options)
	mutate func(t *testing.T, bp *blueprint.Blueprint)
}

// webApp is the base Blueprint: every kind the AWS driver creates.
func baseWebApp(t *testing.T) *blueprint.Blueprint {
	t.Helper()
	bp, err := pattern.WebApp(pattern.WebAppOptions{Name: "shop", Profile: netplan.AWS}).Build()
	require.NoError(t, err)
	return bp
}

func get(t *testing.T, bp *blueprint.Blueprint, id string) *blueprint.Resource {
	t.Helper()
	for i := range bp.Resources {
		if bp.Resources[i].ID == id {
			return &bp.Resources[i]
		}
	}
	t.Fatalf("no %s in the blueprint", id)
	return nil
}

func add(bp *blueprint.Blueprint, rs ...blueprint.Resource) {
	for _, r := range rs {
		r.DependsOn = r.Dependencies()
		bp.Resources = append(bp.Resources, r)
	}
}

// addNet adds net/other (10.1.0.0/16) with subnets in zones a and b and,
// when igw, an internet gateway.
func addNet(bp *blueprint.Blueprint, igw bool) {
	add(bp, blueprint.Resource{ID: "net/other", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.1.0.0/16")}})
	for i, z := range []string{"a", "b"} {
		add(bp, blueprint.Resource{ID: "subnet/other/" + z, Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{
			Net: "net/other", CIDR: netip.MustParsePrefix(fmt.Sprintf("10.1.%d.0/24", i)), Zone: z, Tier: "other"}})
	}
	if igw {
		add(bp, blueprint.Resource{ID: "internet_gateway/other", Kind: blueprint.KindInternetGateway, InternetGateway: &blueprint.InternetGatewaySpec{Net: "net/other"}})
	}
}

func quota(f func(q *netplan.Quotas)) func(*fake.Options) {
	return func(o *fake.Options) {
		o.Profile = netplan.AWS
		f(&o.Profile.Quotas)
	}
}

func withProfile(p netplan.Profile) func(*fake.Options) {
	return func(o *fake.Options) { o.Profile = p }
}

// refusals lists every refusal of the fake at create and update, and what
// catches it first.
func refusals() []refusal {
	rs := slicesConcat(netRefusals(), groupRefusals(), serviceRefusals(), engineRefusals())
	return rs
}

func slicesConcat(parts ...[]refusal) []refusal {
	var out []refusal
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func netRefusals() []refusal {
	p := netip.MustParsePrefix
	return []refusal{
		{name: "net: CIDR with host bits", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "net/main").Net.CIDR = p("10.0.0.1/16")
		}},
		{name: "net: not a CIDR block", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "net/main").Net.CIDR = netip.Prefix{}
		}},
		{name: "net: prefix length outside Profile.NetPrefix", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "net/main").Net.CIDR = p("10.0.0.0/12")
		}},
		{name: "net: not a private range (Profile.PrivateNets)", caught: byPreflight, code: driver.Invalid,
			fake: []func(*fake.Options){withProfile(netplan.Outscale)}, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
				renet(bp, "10.0.", "100.64.")
			}},
		{name: "net: Quotas.NetsPerRegion", caught: byPreflight, code: driver.Quota, fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.NetsPerRegion = 1 })},
			mutate: func(_ *testing.T, bp *blueprint.Blueprint) { addNet(bp, false) }},
		{name: "subnet: CIDR with host bits", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "subnet/app/a").Subnet.CIDR = p("10.0.2.1/24")
		}},
		{name: "subnet: net names a resource of another kind", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			s := get(t, bp, "subnet/app/a")
			s.Subnet.Net = "security_group/app"
			s.DependsOn = s.Dependencies()
		}},
		{name: "subnet: prefix length outside Profile.SubnetPrefix", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "subnet/app/a").Subnet.CIDR = p("10.0.2.0/29")
		}},
		{name: "subnet: outside its net", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "subnet/app/a").Subnet.CIDR = p("10.9.2.0/24")
		}},
		{name: "subnet: overlaps another subnet of the net", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "subnet/app/b").Subnet.CIDR = get(t, bp, "subnet/app/a").Subnet.CIDR
		}},
		{name: "subnet: unknown zone", caught: byZones, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "subnet/app/a").Subnet.Zone = "z"
		}},
		{name: "subnet: Quotas.SubnetsPerNet", caught: byPreflight, code: driver.Quota, fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.SubnetsPerNet = 5 })}},
		{name: "internet gateway: net names a resource of another kind", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			g := get(t, bp, "internet_gateway/main")
			g.InternetGateway.Net = "subnet/app/a"
			g.DependsOn = g.Dependencies()
		}},
		{name: "internet gateway: a second one in the net", caught: byPreflight, code: driver.AlreadyExists, mutate: func(_ *testing.T, bp *blueprint.Blueprint) {
			add(bp, blueprint.Resource{ID: "internet_gateway/second", Kind: blueprint.KindInternetGateway, InternetGateway: &blueprint.InternetGatewaySpec{Net: "net/main"}})
		}},
		{name: "public IP: unknown zone", caught: byZones, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "public_ip/nat/a").PublicIP.Zone = "z"
		}},
		{name: "public IP: Quotas.PublicIPsPerRegion", caught: byPreflight, code: driver.Quota, fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.PublicIPsPerRegion = 1 })}},
		{name: "NAT gateway: public IP used by another NAT gateway", caught: byPreflight, code: driver.AlreadyExists, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			n := get(t, bp, "nat_gateway/nat/b")
			n.NATGateway.PublicIP = "public_ip/nat/a"
			n.DependsOn = n.Dependencies()
		}},
		{name: "NAT gateway: zone is not its subnet's", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "nat_gateway/nat/a").NATGateway.Zone = "b"
		}},
		{name: "NAT gateway: net without internet gateway", caught: byPreflight, code: driver.Invalid, mutate: func(_ *testing.T, bp *blueprint.Blueprint) {
			addNet(bp, false)
			add(bp, blueprint.Resource{ID: "public_ip/other", Kind: blueprint.KindPublicIP, PublicIP: &blueprint.PublicIPSpec{}},
				blueprint.Resource{ID: "nat_gateway/other", Kind: blueprint.KindNATGateway, NATGateway: &blueprint.NATGatewaySpec{Subnet: "subnet/other/a", PublicIP: "public_ip/other"}})
		}},
		{name: "NAT gateway: public route of another net", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			addNet(bp, true)
			add(bp, blueprint.Resource{ID: "route_table/other/a", Kind: blueprint.KindRouteTable, RouteTable: &blueprint.RouteTableSpec{Net: "net/other", Subnet: "subnet/other/a"}})
			n := get(t, bp, "nat_gateway/nat/a")
			n.NATGateway.PublicRoute = "route_table/other/a"
			n.DependsOn = n.Dependencies()
		}},
		{name: "NAT gateway: internet gateway of another net", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			addNet(bp, true)
			n := get(t, bp, "nat_gateway/nat/a")
			n.NATGateway.InternetGateway = "internet_gateway/other"
			n.DependsOn = n.Dependencies()
		}},
		{name: "NAT gateway: Quotas.NATsPerZone", caught: byPreflight, code: driver.Quota, fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.NATsPerZone = 1 })},
			mutate: func(t *testing.T, bp *blueprint.Blueprint) {
				n := get(t, bp, "nat_gateway/nat/a").Clone()
				n.ID, n.NATGateway.PublicIP = "nat_gateway/extra", "public_ip/extra"
				add(bp, blueprint.Resource{ID: "public_ip/extra", Kind: blueprint.KindPublicIP, PublicIP: &blueprint.PublicIPSpec{}}, n)
			}},
		{name: "route table: duplicate destination", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			rt := get(t, bp, "route_table/public/a").RouteTable
			rt.Routes = append(rt.Routes, rt.Routes[0])
		}},
		{name: "route table: unknown target kind", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "route_table/public/a").RouteTable.Routes[0].TargetKind = netplan.TargetLocal
		}},
		{name: "route table: destination with host bits", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "route_table/public/a").RouteTable.Routes[0].Destination = p("10.9.9.9/8")
		}},
		{name: "route table: target of another kind than its target_kind", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "route_table/public/a").RouteTable.Routes[0].TargetKind = netplan.TargetNATGateway
		}},
		{name: "route table: subnet already associated with another table", caught: byPreflight, code: driver.AlreadyExists, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "route_table/app/b").RouteTable.Subnet = "subnet/app/a"
		}},
		{name: "route table: subnet of another net", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			addNet(bp, false)
			rt := get(t, bp, "route_table/app/a")
			rt.RouteTable.Subnet = "subnet/other/a"
			rt.DependsOn = rt.Dependencies()
		}},
		{name: "route table: Quotas.RoutesPerTable", caught: byPreflight, code: driver.Quota, fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.RoutesPerTable = 1 })},
			mutate: func(t *testing.T, bp *blueprint.Blueprint) {
				rt := get(t, bp, "route_table/public/a").RouteTable
				rt.Routes = append(rt.Routes, blueprint.RouteSpec{Destination: p("192.0.2.0/24"), TargetKind: netplan.TargetInternetGateway, Target: rt.Routes[0].Target})
			}},
		{name: "route table: Quotas.RouteTablesPerNet (the main table counts)", caught: byPreflight, code: driver.Quota,
			fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.RouteTablesPerNet = 6 })}},
	}
}

// renet moves the Net and every block inside it from prefix old to new.
func renet(bp *blueprint.Blueprint, old, new string) {
	move := func(p *netip.Prefix) {
		if s := p.String(); strings.HasPrefix(s, old) {
			*p = netip.MustParsePrefix(new + strings.TrimPrefix(s, old))
		}
	}
	for i := range bp.Resources {
		r := &bp.Resources[i]
		switch {
		case r.Net != nil:
			move(&r.Net.CIDR)
		case r.Subnet != nil:
			move(&r.Subnet.CIDR)
		}
	}
}

func groupRefusals() []refusal {
	p := netip.MustParsePrefix
	rule := func(t *testing.T, bp *blueprint.Blueprint, f func(r *blueprint.RuleSpec)) {
		s := get(t, bp, "security_group_rules/app").SecurityGroupRules
		f(&s.Inbound[0])
	}
	entry := func(t *testing.T, bp *blueprint.Blueprint, f func(e *blueprint.ACLEntrySpec)) {
		f(&get(t, bp, "network_acl/app").NetworkACL.Inbound[0])
	}
	return []refusal{
		{name: "security group: name starts with sg-", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "security_group/app").SecurityGroup.Name = "sg-app"
		}},
		{name: "security group: name default", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "security_group/app").SecurityGroup.Name = "default"
		}},
		{name: "security group: name with a character AWS refuses", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "security_group/app").SecurityGroup.Name = "shop>app"
		}},
		{name: "security group: name over 255 characters", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "security_group/app").SecurityGroup.Name = strings.Repeat("a", 256)
		}},
		{name: "security group: empty description (MissingParameter)", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "security_group/app").SecurityGroup.Description = ""
		}},
		{name: "security group: description with a character AWS refuses", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "security_group/app").SecurityGroup.Description = "app <tier>"
		}},
		{name: "security group: name used by another group of the net", caught: byPreflight, code: driver.AlreadyExists, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "security_group/db").SecurityGroup.Name = get(t, bp, "security_group/app").SecurityGroup.Name
		}},
		{name: "security group: Quotas.GroupsPerNet (the default group counts)", caught: byPreflight, code: driver.Quota,
			fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.GroupsPerNet = 4 })}},
		{name: "rules: unknown protocol", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			rule(t, bp, func(r *blueprint.RuleSpec) { r.Protocol = "gre" })
		}},
		{name: "rules: port range backwards", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			rule(t, bp, func(r *blueprint.RuleSpec) { r.Protocol, r.FromPort, r.ToPort = netplan.ProtocolTCP, 90, 80 })
		}},
		{name: "rules: both a CIDR block and a group", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			rule(t, bp, func(r *blueprint.RuleSpec) { r.CIDR, r.Group = p("10.0.0.0/16"), "security_group/db" })
		}},
		{name: "rules: CIDR with host bits", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			rule(t, bp, func(r *blueprint.RuleSpec) { r.CIDR, r.Group = p("10.0.0.1/16"), "" })
		}},
		{name: "rules: duplicate rule (InvalidPermission.Duplicate)", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			s := get(t, bp, "security_group_rules/app").SecurityGroupRules
			d := s.Inbound[0]
			d.Description = "again"
			s.Inbound = append(s.Inbound, d)
		}},
		{name: "rules: description with a character AWS refuses", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			rule(t, bp, func(r *blueprint.RuleSpec) { r.Description = "web -> app" })
		}},
		{name: "rules: description over 255 characters", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			rule(t, bp, func(r *blueprint.RuleSpec) { r.Description = strings.Repeat("x", 256) })
		}},
		{name: "rules: group names a resource of another kind", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			rule(t, bp, func(r *blueprint.RuleSpec) { r.CIDR, r.Group = netip.Prefix{}, "subnet/app/a" })
			g := get(t, bp, "security_group_rules/app")
			g.DependsOn = g.Dependencies()
		}},
		{name: "rules: group of another net", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			addNet(bp, false)
			add(bp, blueprint.Resource{ID: "security_group/other", Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{Net: "net/other", Name: "other", Description: "other"}})
			rule(t, bp, func(r *blueprint.RuleSpec) { r.CIDR, r.Group = netip.Prefix{}, "security_group/other" })
			g := get(t, bp, "security_group_rules/app")
			g.DependsOn = g.Dependencies()
		}},
		{name: "rules: a second rule set for a group", caught: byPreflight, code: driver.AlreadyExists, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			r := get(t, bp, "security_group_rules/app").Clone()
			r.ID = "security_group_rules/again"
			add(bp, r)
		}},
		{name: "rules: Quotas.InboundRulesPerGroup", caught: byPreflight, code: driver.Quota, fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.InboundRulesPerGroup = 1 })},
			mutate: func(t *testing.T, bp *blueprint.Blueprint) {
				s := get(t, bp, "security_group_rules/app").SecurityGroupRules
				s.Inbound = append(s.Inbound, blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: 9999, ToPort: 9999, CIDR: p("192.0.2.0/24")})
			}},
		{name: "rules: Quotas.OutboundRulesPerGroup", caught: byPreflight, code: driver.Quota, fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.OutboundRulesPerGroup = 1 })}},
		{name: "network ACL: entry number 0", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			entry(t, bp, func(e *blueprint.ACLEntrySpec) { e.Number = 0 })
		}},
		{name: "network ACL: entry number 32767 (the implicit deny's)", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			entry(t, bp, func(e *blueprint.ACLEntrySpec) { e.Number = 32767 })
		}},
		{name: "network ACL: number used twice", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			a := get(t, bp, "network_acl/app").NetworkACL
			a.Inbound[1].Number = a.Inbound[0].Number
		}},
		{name: "network ACL: unknown protocol", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			entry(t, bp, func(e *blueprint.ACLEntrySpec) { e.Protocol = "gre" })
		}},
		{name: "network ACL: port range backwards", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			entry(t, bp, func(e *blueprint.ACLEntrySpec) { e.Protocol, e.FromPort, e.ToPort = netplan.ProtocolTCP, 90, 80 })
		}},
		{name: "network ACL: not a CIDR block", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			entry(t, bp, func(e *blueprint.ACLEntrySpec) { e.CIDR = netip.Prefix{} })
		}},
		{name: "network ACL: subnet names a resource of another kind", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "network_acl/db").NetworkACL.Subnets[0] = "route_table/db/a"
		}},
		{name: "network ACL: subnet guarded by another ACL", caught: byPreflight, code: driver.AlreadyExists, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			a := get(t, bp, "network_acl/db")
			a.NetworkACL.Subnets = append(a.NetworkACL.Subnets, "subnet/app/a")
			a.DependsOn = a.Dependencies()
		}},
		{name: "network ACL: subnet of another net", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			addNet(bp, false)
			a := get(t, bp, "network_acl/db")
			a.NetworkACL.Subnets = append(a.NetworkACL.Subnets, "subnet/other/a")
			a.DependsOn = a.Dependencies()
		}},
		{name: "network ACL: Quotas.RulesPerACL (the implicit deny counts)", caught: byPreflight, code: driver.Quota, fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.RulesPerACL = 3 })}},
		{name: "network ACL: Quotas.ACLsPerNet (the default ACL counts)", caught: byPreflight, code: driver.Quota, fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.ACLsPerNet = 3 })}},
	}
}

func serviceRefusals() []refusal {
	lb := func(t *testing.T, bp *blueprint.Blueprint) *blueprint.LoadBalancerSpec {
		return get(t, bp, "load_balancer/app-lb").LoadBalancer
	}
	cl := func(t *testing.T, bp *blueprint.Blueprint) *blueprint.ClusterSpec {
		return get(t, bp, "cluster/app").Cluster
	}
	db := func(t *testing.T, bp *blueprint.Blueprint) *blueprint.DatabaseSpec {
		return get(t, bp, "database/db").Database
	}
	redeps := func(t *testing.T, bp *blueprint.Blueprint, id string) {
		r := get(t, bp, id)
		r.DependsOn = append(r.Dependencies(), r.DependsOn...)
	}
	return []refusal{
		{name: "load balancer: name with a character AWS refuses", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { lb(t, bp).Name = "shop_lb" }},
		{name: "load balancer: name over 32 characters", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { lb(t, bp).Name = strings.Repeat("a", 33) }},
		{name: "load balancer: name ending with a hyphen", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { lb(t, bp).Name = "shop-" }},
		{name: "load balancer: name beginning with internal- (AWS)", caught: byDriver, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { lb(t, bp).Name = "internal-web" }},
		{name: "load balancer: unknown scheme", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { lb(t, bp).Scheme = "public" }},
		{name: "load balancer: unknown type", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { lb(t, bp).Type = "classic" }},
		{name: "load balancer: listener protocol not of its type", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { lb(t, bp).Listeners[0].Protocol = "TCP" }},
		{name: "load balancer: listener port 0", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { lb(t, bp).Listeners[0].Port = 0 }},
		{name: "load balancer: HTTPS listener without certificate", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			l := &lb(t, bp).Listeners[0]
			l.Protocol, l.Certificate = "HTTPS", ""
		}},
		{name: "load balancer: two listeners on one port (DuplicateListener)", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			s := lb(t, bp)
			s.Listeners = append(s.Listeners, s.Listeners[0])
		}},
		{name: "load balancer: health check timeout not shorter than the interval", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			h := &lb(t, bp).HealthCheck
			h.IntervalSeconds, h.TimeoutSeconds = 10, 10
		}},
		{name: "load balancer: health check interval outside 5-300", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			h := &lb(t, bp).HealthCheck
			h.IntervalSeconds, h.TimeoutSeconds = 400, 5
		}},
		{name: "load balancer: healthy threshold outside 2-10", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			lb(t, bp).HealthCheck.HealthyThreshold = 11
		}},
		{name: "load balancer: no listener (OUTSCALE)", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { lb(t, bp).Listeners = nil }},
		{name: "load balancer: no subnet", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { lb(t, bp).Subnets = nil }},
		{name: "load balancer: subnets in one zone", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			lb(t, bp).Subnets = []blueprint.Ref{"subnet/public/a"}
		}},
		{name: "load balancer: two subnets in one zone", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			lb(t, bp).Subnets = []blueprint.Ref{"subnet/public/a", "subnet/app/a"}
			redeps(t, bp, "load_balancer/app-lb")
		}},
		{name: "load balancer: subnets of two nets", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			addNet(bp, true)
			lb(t, bp).Subnets = []blueprint.Ref{"subnet/public/a", "subnet/other/b"}
			redeps(t, bp, "load_balancer/app-lb")
		}},
		{name: "load balancer: subnet smaller than Profile.BalancerSubnetMax", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "subnet/public/a").Subnet.CIDR = netip.MustParsePrefix("10.0.0.0/28")
		}},
		{name: "load balancer: internet-facing in a net without internet gateway", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			addNet(bp, false)
			s := lb(t, bp)
			s.Subnets, s.SecurityGroups = []blueprint.Ref{"subnet/other/a", "subnet/other/b"}, nil
			redeps(t, bp, "load_balancer/app-lb")
		}},
		{name: "load balancer: Quotas.GroupsPerInterface", caught: byPreflight, code: driver.Quota, fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.GroupsPerInterface = 1 })},
			mutate: func(t *testing.T, bp *blueprint.Blueprint) {
				s := lb(t, bp)
				s.SecurityGroups = append(s.SecurityGroups, "security_group/public")
				redeps(t, bp, "load_balancer/app-lb")
			}},
		{name: "load balancer: security group of another net", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			addNet(bp, false)
			add(bp, blueprint.Resource{ID: "security_group/other", Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{Net: "net/other", Name: "other", Description: "other"}})
			lb(t, bp).SecurityGroups = []blueprint.Ref{"security_group/other"}
			redeps(t, bp, "load_balancer/app-lb")
		}},
		{name: "load balancer: name used by another (DuplicateLoadBalancerName)", caught: byPreflight, code: driver.AlreadyExists, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			r := get(t, bp, "load_balancer/app-lb").Clone()
			r.ID = "load_balancer/again"
			bp.Resources = append(bp.Resources, r) // keeps app-lb's wait for the internet gateway, whose absence the fake would report first
		}},
		{name: "load balancer: Quotas.ListenersPerBalancer", caught: byPreflight, code: driver.Quota, fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.ListenersPerBalancer = 1 })},
			mutate: func(t *testing.T, bp *blueprint.Blueprint) {
				s := lb(t, bp)
				l := s.Listeners[0]
				l.Port = 8081
				s.Listeners = append(s.Listeners, l)
			}},
		{name: "load balancer: Quotas.LoadBalancersPerRegion", caught: byPreflight, code: driver.Quota, fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.LoadBalancersPerRegion = 1 })},
			mutate: func(t *testing.T, bp *blueprint.Blueprint) {
				r := get(t, bp, "load_balancer/app-lb").Clone()
				r.ID, r.LoadBalancer.Name = "load_balancer/again", "shop-again"
				bp.Resources = append(bp.Resources, r) // keeps app-lb's wait for the internet gateway
			}},
		{name: "cluster: no image", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { cl(t, bp).Image = "" }},
		{name: "cluster: no instance type", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { cl(t, bp).InstanceType = "" }},
		{name: "cluster: min > desired", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { cl(t, bp).Min = cl(t, bp).Desired + 1 }},
		{name: "cluster: behind load balancers without target port", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { cl(t, bp).TargetPort = 0 }},
		{name: "cluster: scaling CPU target outside 1-100", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			cl(t, bp).Scaling = &blueprint.ScalingSpec{TargetCPUPercent: 101}
		}},
		{name: "cluster: scaling warmup outside 0-3600", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			cl(t, bp).Scaling = &blueprint.ScalingSpec{TargetCPUPercent: 60, WarmupSeconds: 3601}
		}},
		{name: "cluster: no subnet", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { cl(t, bp).Subnets = nil }},
		{name: "cluster: subnets of two nets", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			addNet(bp, false)
			cl(t, bp).Subnets = []blueprint.Ref{"subnet/app/a", "subnet/other/b"}
			redeps(t, bp, "cluster/app")
		}},
		{name: "cluster: load balancer names a resource of another kind", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			cl(t, bp).LoadBalancers = []blueprint.Ref{"subnet/app/a"}
		}},
		{name: "database: unknown engine", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { db(t, bp).Engine = "oracle" }},
		{name: "database: no instance class", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { db(t, bp).InstanceClass = "" }},
		{name: "database: storage outside 20-65536 GiB", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { db(t, bp).StorageGiB = 10 }},
		{name: "database: port 0", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { db(t, bp).Port = 0 }},
		{name: "database: empty master user name", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { db(t, bp).Username = "" }},
		{name: "database: backups outside 0-35 days", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { db(t, bp).BackupRetentionDays = 36 }},
		{name: "database: 16 read replicas (ReadReplicaQuotaExceeded)", caught: byPreflight, code: driver.Quota, mutate: func(t *testing.T, bp *blueprint.Blueprint) { db(t, bp).ReadReplicas = 16 }},
		{name: "database replica: a source without backups", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			db(t, bp).BackupRetentionDays = 0
			bp.Resources = append(bp.Resources, blueprint.Resource{ID: "database_replica/db/1", Kind: blueprint.KindDatabaseReplica,
				DatabaseReplica: &blueprint.DatabaseReplicaSpec{Source: "database/db", InstanceClass: "db.t3.micro", SecurityGroups: []blueprint.Ref{"security_group/db"}}})
			redeps(t, bp, "database_replica/db/1")
		}},
		{name: "database: subnet group in one zone (DBSubnetGroupDoesNotCoverEnoughAZs)", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			db(t, bp).Subnets = []blueprint.Ref{"subnet/db/a"}
		}},
		{name: "database: two subnets in one zone", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			db(t, bp).Subnets = []blueprint.Ref{"subnet/db/a", "subnet/app/a"}
			redeps(t, bp, "database/db")
		}},
		{name: "database: security group of another net", caught: byPreflight, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			addNet(bp, false)
			add(bp, blueprint.Resource{ID: "security_group/other", Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{Net: "net/other", Name: "other", Description: "other"}})
			db(t, bp).SecurityGroups = []blueprint.Ref{"security_group/other"}
			redeps(t, bp, "database/db")
		}},
		{name: "database: master user name reserved by the engine (admin on PostgreSQL)", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			db(t, bp).Engine, db(t, bp).Username = "postgres", "admin"
		}},
		{name: "database: master user name over 16 characters", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			db(t, bp).Username = strings.Repeat("u", 17)
		}},
		{name: "database: instance class not db.<family>.<size>", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { db(t, bp).InstanceClass = "t3.micro" }},
		{name: "database: port below 1150", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) { db(t, bp).Port = 1000 }},
		{name: "database: read replicas of a source without backups", caught: byCheck, code: driver.Invalid, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			db(t, bp).ReadReplicas, db(t, bp).BackupRetentionDays = 1, 0
		}},
		{name: "database: Quotas.DatabasesPerRegion (read replicas count)", caught: byPreflight, code: driver.Quota, fake: []func(*fake.Options){quota(func(q *netplan.Quotas) { q.DatabasesPerRegion = 1 })},
			mutate: func(t *testing.T, bp *blueprint.Blueprint) { db(t, bp).ReadReplicas = 1 }},
	}
}

func engineRefusals() []refusal {
	return []refusal{
		{name: "any kind: a reference to no resource (NotFound)", caught: byValidate, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "subnet/app/a").Subnet.Net = "net/none"
		}},
		{name: "any kind: no spec of its kind", caught: byValidate, mutate: func(t *testing.T, bp *blueprint.Blueprint) {
			get(t, bp, "public_ip/nat/a").PublicIP = nil
		}},
		{name: "any kind: unknown kind", caught: byValidate, mutate: func(_ *testing.T, bp *blueprint.Blueprint) {
			add(bp, blueprint.Resource{ID: "volume/data", Kind: "volume"})
		}},
		{name: "unsupported kind (Options.Unsupported)", caught: byAdapt, fake: []func(*fake.Options){fake.Outscale}},
		{name: "unsupported field (Options.UnsupportedFields)", caught: byAdapt, fake: []func(*fake.Options){func(o *fake.Options) {
			fake.Outscale(o)
			o.Unsupported = nil
		}}},
	}
}

// TestRefusalsCaughtFirst is the table of every refusal the fake makes at
// create and update. For each: sent without the engine's checks, the fake
// refuses it with its code (proof that the refusal exists); through the
// engine, Apply fails before any write, naming the problem. It logs the
// counts by where each refusal is caught.
func TestRefusalsCaughtFirst(t *testing.T) {
	t.Parallel()
	counts := map[string]int{}
	for _, rf := range refusals() {
		counts[rf.caught]++
		t.Run(rf.name, func(t *testing.T) {
			t.Parallel()
			bp := baseWebApp(t)
			if rf.mutate != nil {
				rf.mutate(t, bp)
			}
			if rf.code != driver.Unknown {
				raw := fake.New(append([]func(*fake.Options){func(o *fake.Options) { o.PendingReads = -1 }}, rf.fake...)...)
				eng := provider.NewEngine(raw, fastOpts, func(o *provider.Options) { o.Retry.MaxAttempts = 1 })
				provider.SkipPreflight(eng)
				_, err := eng.Apply(t.Context(), bp)
				require.Error(t, err, "the fake refuses it")
				assert.Equal(t, rf.code, codeOf(err), "the fake's code: %v", err)
			}
			d := fake.New(rf.fake...)
			_, err := provider.NewEngine(d, fastOpts).Apply(t.Context(), bp)
			require.Error(t, err)
			assert.Zero(t, d.Counts().Writes, "refused before the first write: %v", err)
			if strings.HasPrefix(rf.caught, "preflight") {
				assert.ErrorIs(t, err, provider.ErrPreflight)
				var p *provider.Problem
				require.ErrorAs(t, err, &p)
				assert.NotEmpty(t, p.Fix, "%v", err)
			}
		})
	}
	keys := make([]string, 0, len(counts))
	total := 0
	for k, n := range counts {
		keys = append(keys, k)
		total += n
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%3d refusals caught by %s", counts[k], k)
	}
	t.Logf("%3d refusals of the fake in the table; each subtest fails unless it is refused before the first write", total)
}

// codeOf returns the first code other than Unknown in err's tree.
func codeOf(err error) driver.Code {
	var de *driver.Error
	if errors.As(err, &de) {
		return de.Code
	}
	return driver.Unknown
}
