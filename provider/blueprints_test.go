package provider_test

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
)

// bpBuilder makes hand-built Blueprints of the shape pattern.Build gives.
type bpBuilder struct{ bp pattern.Blueprint }

func (b *bpBuilder) add(r pattern.Resource) {
	r.DependsOn = r.Dependencies()
	if r.Kind == pattern.KindLoadBalancer && r.LoadBalancer.Scheme == pattern.SchemeInternetFacing {
		r.DependsOn = append(r.DependsOn, "internet_gateway/main") // as Build adds it
		slices.Sort(r.DependsOn)
	}
	b.bp.Resources = append(b.bp.Resources, r)
}

func (b *bpBuilder) done() *pattern.Blueprint {
	slices.SortFunc(b.bp.Resources, func(x, y pattern.Resource) int { return strings.Compare(x.ID, y.ID) })
	bp := b.bp
	return &bp
}

func tcp(port uint16, group string) pattern.RuleSpec {
	return pattern.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: port, ToPort: port, Group: pattern.Ref(group), Description: "from " + group}
}

func tcpCIDR(port uint16, cidr string) pattern.RuleSpec {
	return pattern.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: port, ToPort: port, CIDR: netip.MustParsePrefix(cidr)}
}

// threeTier returns a three-tier deployment: a public load balancer in front
// of a web cluster, an app cluster, a database, NAT for the private tiers,
// one route table and subnet per tier and zone, and a firewall.
func threeTier(deployment, userData string) *pattern.Blueprint {
	b := &bpBuilder{bp: pattern.Blueprint{Schema: pattern.SchemaV1, Deployment: deployment}}
	b.add(pattern.Resource{ID: "net/main", Kind: pattern.KindNet, Net: &pattern.NetSpec{CIDR: netip.MustParsePrefix("10.0.0.0/16")}})
	b.add(pattern.Resource{ID: "internet_gateway/main", Kind: pattern.KindInternetGateway, InternetGateway: &pattern.InternetGatewaySpec{Net: "net/main"}})
	tiers := []string{"web", "app", "db"}
	zones := []string{"a", "b"}
	for ti, t := range tiers {
		for zi, z := range zones {
			b.add(pattern.Resource{ID: "subnet/" + t + "/" + z, Kind: pattern.KindSubnet, Subnet: &pattern.SubnetSpec{
				Net: "net/main", CIDR: netip.MustParsePrefix(fmt.Sprintf("10.0.%d.0/24", ti*10+zi)), Zone: z, Tier: t, Public: t == "web"}})
		}
	}
	b.add(pattern.Resource{ID: "public_ip/nat/a", Kind: pattern.KindPublicIP, PublicIP: &pattern.PublicIPSpec{Zone: "a"}})
	b.add(pattern.Resource{ID: "nat_gateway/a", Kind: pattern.KindNATGateway, NATGateway: &pattern.NATGatewaySpec{
		Subnet: "subnet/web/a", PublicIP: "public_ip/nat/a", InternetGateway: "internet_gateway/main", PublicRoute: "route_table/web/a", Zone: "a"}})
	for _, t := range tiers {
		for _, z := range zones {
			rt := &pattern.RouteTableSpec{Net: "net/main", Subnet: pattern.Ref("subnet/" + t + "/" + z)}
			if t == "web" {
				rt.Routes = []pattern.RouteSpec{{Destination: netip.MustParsePrefix("0.0.0.0/0"), TargetKind: pattern.TargetInternetGateway, Target: "internet_gateway/main"}}
			} else {
				rt.Routes = []pattern.RouteSpec{{Destination: netip.MustParsePrefix("0.0.0.0/0"), TargetKind: pattern.TargetNATGateway, Target: "nat_gateway/a"}}
			}
			b.add(pattern.Resource{ID: "route_table/" + t + "/" + z, Kind: pattern.KindRouteTable, RouteTable: rt})
		}
	}
	for _, g := range []string{"lb", "web", "app", "db"} {
		b.add(pattern.Resource{ID: "security_group/" + g, Kind: pattern.KindSecurityGroup, SecurityGroup: &pattern.SecurityGroupSpec{
			Net: "net/main", Name: deployment + "-" + g, Description: g + " tier"}})
	}
	rules := map[string][]pattern.RuleSpec{
		"lb":  {tcpCIDR(443, "0.0.0.0/0")},
		"web": {tcp(80, "security_group/lb")},
		"app": {tcp(8080, "security_group/web")},
		"db":  {tcp(5432, "security_group/app")},
	}
	out := map[string][]pattern.RuleSpec{
		"lb":  {tcp(80, "security_group/web")},
		"web": {tcp(8080, "security_group/app"), tcpCIDR(443, "0.0.0.0/0")},
		"app": {tcp(5432, "security_group/db"), tcpCIDR(443, "0.0.0.0/0")},
	}
	for _, g := range []string{"lb", "web", "app", "db"} {
		b.add(pattern.Resource{ID: "security_group_rules/" + g, Kind: pattern.KindSecurityGroupRules, SecurityGroupRules: &pattern.SecurityGroupRulesSpec{
			Group: pattern.Ref("security_group/" + g), Inbound: rules[g], Outbound: out[g]}})
	}
	b.add(pattern.Resource{ID: "firewall/db", Kind: pattern.KindFirewall, Firewall: &pattern.FirewallSpec{
		Net: "net/main", Subnets: []pattern.Ref{"subnet/db/a", "subnet/db/b"},
		Inbound:  []pattern.ACLEntrySpec{{Number: 100, Allow: true, Protocol: netplan.ProtocolTCP, FromPort: 5432, ToPort: 5432, CIDR: netip.MustParsePrefix("10.0.10.0/23")}},
		Outbound: []pattern.ACLEntrySpec{{Number: 100, Allow: true, Protocol: netplan.ProtocolTCP, FromPort: 1024, ToPort: 65535, CIDR: netip.MustParsePrefix("10.0.10.0/23")}},
	}})
	b.add(pattern.Resource{ID: "load_balancer/web", Kind: pattern.KindLoadBalancer, LoadBalancer: &pattern.LoadBalancerSpec{
		Name: deployment + "-web", Scheme: pattern.SchemeInternetFacing, Type: pattern.LBApplication,
		Subnets: []pattern.Ref{"subnet/web/a", "subnet/web/b"}, SecurityGroups: []pattern.Ref{"security_group/lb"},
		Listeners:   []pattern.ListenerSpec{{Protocol: "HTTP", Port: 80, TargetProtocol: "HTTP", TargetPort: 80}},
		HealthCheck: pattern.HealthCheckSpec{Protocol: "HTTP", Port: 80, Path: "/", IntervalSeconds: 10, TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: 3},
	}})
	b.add(pattern.Resource{ID: "cluster/web", Kind: pattern.KindCluster, Cluster: &pattern.ClusterSpec{
		Tier: "web", Subnets: []pattern.Ref{"subnet/web/a", "subnet/web/b"}, SecurityGroups: []pattern.Ref{"security_group/web"},
		Image: "ami-web", InstanceType: "t3.small", UserData: pattern.Secret(userData), Min: 2, Desired: 2, Max: 4, Stateless: true,
		LoadBalancers: []pattern.Ref{"load_balancer/web"}, TargetPort: 80}})
	b.add(pattern.Resource{ID: "cluster/app", Kind: pattern.KindCluster, Cluster: &pattern.ClusterSpec{
		Tier: "app", Subnets: []pattern.Ref{"subnet/app/a", "subnet/app/b"}, SecurityGroups: []pattern.Ref{"security_group/app"},
		Image: "ami-app", InstanceType: "t3.small", UserData: pattern.Secret(userData), Min: 2, Desired: 2, Max: 4, Stateless: true}})
	b.add(pattern.Resource{ID: "database/db", Kind: pattern.KindDatabase, Database: &pattern.DatabaseSpec{
		Engine: "postgres", InstanceClass: "db.t3.small", StorageGiB: 20, MultiAZ: true, BackupRetentionDays: 7, Encrypted: true,
		Port: 5432, Username: "app", Subnets: []pattern.Ref{"subnet/db/a", "subnet/db/b"}, SecurityGroups: []pattern.Ref{"security_group/db"},
		Fallback: &pattern.ClusterSpec{Tier: "db", Subnets: []pattern.Ref{"subnet/db/a", "subnet/db/b"}, SecurityGroups: []pattern.Ref{"security_group/db"},
			Image: "ami-postgres", InstanceType: "t3.medium", Min: 2, Desired: 2, Max: 2}}})
	return b.done()
}

// webApp returns a smaller shape: a load balancer and one autoscaled web
// cluster in public subnets, no NAT, no database.
func webApp(deployment string) *pattern.Blueprint {
	b := &bpBuilder{bp: pattern.Blueprint{Schema: pattern.SchemaV1, Deployment: deployment}}
	b.add(pattern.Resource{ID: "net/main", Kind: pattern.KindNet, Net: &pattern.NetSpec{CIDR: netip.MustParsePrefix("10.1.0.0/16")}})
	b.add(pattern.Resource{ID: "internet_gateway/main", Kind: pattern.KindInternetGateway, InternetGateway: &pattern.InternetGatewaySpec{Net: "net/main"}})
	for i, z := range []string{"a", "b"} {
		b.add(pattern.Resource{ID: "subnet/web/" + z, Kind: pattern.KindSubnet, Subnet: &pattern.SubnetSpec{
			Net: "net/main", CIDR: netip.MustParsePrefix(fmt.Sprintf("10.1.%d.0/24", i)), Zone: z, Tier: "web", Public: true}})
		b.add(pattern.Resource{ID: "route_table/web/" + z, Kind: pattern.KindRouteTable, RouteTable: &pattern.RouteTableSpec{
			Net: "net/main", Subnet: pattern.Ref("subnet/web/" + z),
			Routes: []pattern.RouteSpec{{Destination: netip.MustParsePrefix("0.0.0.0/0"), TargetKind: pattern.TargetInternetGateway, Target: "internet_gateway/main"}}}})
	}
	for _, g := range []string{"lb", "web"} {
		b.add(pattern.Resource{ID: "security_group/" + g, Kind: pattern.KindSecurityGroup, SecurityGroup: &pattern.SecurityGroupSpec{
			Net: "net/main", Name: deployment + "-" + g, Description: g}})
	}
	b.add(pattern.Resource{ID: "security_group_rules/lb", Kind: pattern.KindSecurityGroupRules, SecurityGroupRules: &pattern.SecurityGroupRulesSpec{
		Group: "security_group/lb", Inbound: []pattern.RuleSpec{tcpCIDR(443, "0.0.0.0/0")}, Outbound: []pattern.RuleSpec{tcp(8080, "security_group/web")}}})
	b.add(pattern.Resource{ID: "security_group_rules/web", Kind: pattern.KindSecurityGroupRules, SecurityGroupRules: &pattern.SecurityGroupRulesSpec{
		Group: "security_group/web", Inbound: []pattern.RuleSpec{tcp(8080, "security_group/lb")}, Outbound: []pattern.RuleSpec{tcpCIDR(443, "0.0.0.0/0")}}})
	b.add(pattern.Resource{ID: "load_balancer/web", Kind: pattern.KindLoadBalancer, LoadBalancer: &pattern.LoadBalancerSpec{
		Name: deployment + "-web", Scheme: pattern.SchemeInternetFacing, Type: pattern.LBApplication,
		Subnets: []pattern.Ref{"subnet/web/a", "subnet/web/b"}, SecurityGroups: []pattern.Ref{"security_group/lb"},
		Listeners:   []pattern.ListenerSpec{{Protocol: "HTTP", Port: 80, TargetProtocol: "HTTP", TargetPort: 8080}},
		HealthCheck: pattern.HealthCheckSpec{Protocol: "HTTP", Port: 8080, Path: "/health", IntervalSeconds: 10, TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: 3},
	}})
	b.add(pattern.Resource{ID: "cluster/web", Kind: pattern.KindCluster, Cluster: &pattern.ClusterSpec{
		Tier: "web", Subnets: []pattern.Ref{"subnet/web/a", "subnet/web/b"}, SecurityGroups: []pattern.Ref{"security_group/web"},
		Image: "ami-web", InstanceType: "t3.small", Min: 2, Desired: 3, Max: 10, Stateless: true,
		LoadBalancers: []pattern.Ref{"load_balancer/web"}, TargetPort: 8080}})
	return b.done()
}

// nTier returns a synthetic deployment of n tiers in a chain: each tier has
// two subnets with their route tables, a group whose rules admit the
// previous tier, and a cluster.
func nTier(deployment string, n int) *pattern.Blueprint {
	b := &bpBuilder{bp: pattern.Blueprint{Schema: pattern.SchemaV1, Deployment: deployment}}
	b.add(pattern.Resource{ID: "net/main", Kind: pattern.KindNet, Net: &pattern.NetSpec{CIDR: netip.MustParsePrefix("10.0.0.0/16")}})
	for i := range n {
		t := fmt.Sprintf("t%03d", i)
		var subnets []pattern.Ref
		for zi, z := range []string{"a", "b"} {
			sid := "subnet/" + t + "/" + z
			subnets = append(subnets, pattern.Ref(sid))
			b.add(pattern.Resource{ID: sid, Kind: pattern.KindSubnet, Subnet: &pattern.SubnetSpec{
				Net: "net/main", CIDR: netip.MustParsePrefix(fmt.Sprintf("10.0.%d.%d/25", i, zi*128)), Zone: z, Tier: t}})
			b.add(pattern.Resource{ID: "route_table/" + t + "/" + z, Kind: pattern.KindRouteTable, RouteTable: &pattern.RouteTableSpec{
				Net: "net/main", Subnet: pattern.Ref(sid)}})
		}
		b.add(pattern.Resource{ID: "security_group/" + t, Kind: pattern.KindSecurityGroup, SecurityGroup: &pattern.SecurityGroupSpec{
			Net: "net/main", Name: deployment + "-" + t, Description: t}})
		in := []pattern.RuleSpec{tcpCIDR(22, "10.0.0.0/16")}
		if i > 0 {
			in = append(in, tcp(8000, fmt.Sprintf("security_group/t%03d", i-1)))
		}
		b.add(pattern.Resource{ID: "security_group_rules/" + t, Kind: pattern.KindSecurityGroupRules, SecurityGroupRules: &pattern.SecurityGroupRulesSpec{
			Group: pattern.Ref("security_group/" + t), Inbound: in}})
		b.add(pattern.Resource{ID: "cluster/" + t, Kind: pattern.KindCluster, Cluster: &pattern.ClusterSpec{
			Tier: t, Subnets: subnets, SecurityGroups: []pattern.Ref{pattern.Ref("security_group/" + t)},
			Image: "ami-x", InstanceType: "t3.micro", Min: 1, Desired: 1, Max: 2, Stateless: true}})
	}
	return b.done()
}
