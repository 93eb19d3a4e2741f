package provider_test

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// bpBuilder makes hand-built Blueprints of the shape pattern.Build gives.
type bpBuilder struct{ bp blueprint.Blueprint }

func (b *bpBuilder) add(r blueprint.Resource) {
	r.DependsOn = r.Dependencies()
	if r.Kind == blueprint.KindLoadBalancer && r.LoadBalancer.Scheme == blueprint.SchemeInternetFacing {
		r.DependsOn = append(r.DependsOn, "internet_gateway/main") // as Build adds it
		slices.Sort(r.DependsOn)
	}
	b.bp.Resources = append(b.bp.Resources, r)
}

func (b *bpBuilder) done() *blueprint.Blueprint {
	slices.SortFunc(b.bp.Resources, func(x, y blueprint.Resource) int { return strings.Compare(x.ID, y.ID) })
	bp := b.bp
	return &bp
}

func tcp(port uint16, group string) blueprint.RuleSpec {
	return blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: port, ToPort: port, Group: blueprint.Ref(group), Description: "from " + group}
}

func tcpCIDR(port uint16, cidr string) blueprint.RuleSpec {
	return blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: port, ToPort: port, CIDR: netip.MustParsePrefix(cidr)}
}

// threeTier returns a three-tier deployment: a public load balancer in front
// of a web cluster, an app cluster, a database, NAT for the private tiers,
// one route table and subnet per tier and zone, and a network ACL.
func threeTier(deployment, userData string) *blueprint.Blueprint {
	b := &bpBuilder{bp: blueprint.Blueprint{Schema: blueprint.SchemaV2, Deployment: deployment}}
	b.add(blueprint.Resource{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.0.0.0/16")}})
	b.add(blueprint.Resource{ID: "internet_gateway/main", Kind: blueprint.KindInternetGateway, InternetGateway: &blueprint.InternetGatewaySpec{Net: "net/main"}})
	tiers := []string{"web", "app", "db"}
	zones := []string{"a", "b"}
	for ti, t := range tiers {
		for zi, z := range zones {
			b.add(blueprint.Resource{ID: "subnet/" + t + "/" + z, Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{
				Net: "net/main", CIDR: netip.MustParsePrefix(fmt.Sprintf("10.0.%d.0/24", ti*10+zi)), Zone: z, Tier: t, Public: t == "web"}})
		}
	}
	b.add(blueprint.Resource{ID: "public_ip/nat/a", Kind: blueprint.KindPublicIP, PublicIP: &blueprint.PublicIPSpec{Zone: "a"}})
	b.add(blueprint.Resource{ID: "nat_gateway/a", Kind: blueprint.KindNATGateway, NATGateway: &blueprint.NATGatewaySpec{
		Subnet: "subnet/web/a", PublicIP: "public_ip/nat/a", InternetGateway: "internet_gateway/main", PublicRoute: "route_table/web/a", Zone: "a"}})
	for _, t := range tiers {
		for _, z := range zones {
			rt := &blueprint.RouteTableSpec{Net: "net/main", Subnet: blueprint.Ref("subnet/" + t + "/" + z)}
			if t == "web" {
				rt.Routes = []blueprint.RouteSpec{{Destination: netip.MustParsePrefix("0.0.0.0/0"), TargetKind: netplan.TargetInternetGateway, Target: "internet_gateway/main"}}
			} else {
				rt.Routes = []blueprint.RouteSpec{{Destination: netip.MustParsePrefix("0.0.0.0/0"), TargetKind: netplan.TargetNATGateway, Target: "nat_gateway/a"}}
			}
			b.add(blueprint.Resource{ID: "route_table/" + t + "/" + z, Kind: blueprint.KindRouteTable, RouteTable: rt})
		}
	}
	for _, g := range []string{"lb", "web", "app", "db"} {
		b.add(blueprint.Resource{ID: "security_group/" + g, Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
			Net: "net/main", Name: deployment + "-" + g, Description: g + " tier"}})
	}
	rules := map[string][]blueprint.RuleSpec{
		"lb":  {tcpCIDR(443, "0.0.0.0/0")},
		"web": {tcp(80, "security_group/lb")},
		"app": {tcp(8080, "security_group/web")},
		"db":  {tcp(5432, "security_group/app")},
	}
	out := map[string][]blueprint.RuleSpec{
		"lb":  {tcp(80, "security_group/web")},
		"web": {tcp(8080, "security_group/app"), tcpCIDR(443, "0.0.0.0/0")},
		"app": {tcp(5432, "security_group/db"), tcpCIDR(443, "0.0.0.0/0")},
	}
	for _, g := range []string{"lb", "web", "app", "db"} {
		b.add(blueprint.Resource{ID: "security_group_rules/" + g, Kind: blueprint.KindSecurityGroupRules, SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{
			Group: blueprint.Ref("security_group/" + g), Inbound: rules[g], Outbound: out[g]}})
	}
	b.add(blueprint.Resource{ID: "network_acl/db", Kind: blueprint.KindNetworkACL, NetworkACL: &blueprint.NetworkACLSpec{
		Net: "net/main", Subnets: []blueprint.Ref{"subnet/db/a", "subnet/db/b"},
		Inbound:  []blueprint.ACLEntrySpec{{Number: 100, Allow: true, Protocol: netplan.ProtocolTCP, FromPort: 5432, ToPort: 5432, CIDR: netip.MustParsePrefix("10.0.10.0/23")}},
		Outbound: []blueprint.ACLEntrySpec{{Number: 100, Allow: true, Protocol: netplan.ProtocolTCP, FromPort: 1024, ToPort: 65535, CIDR: netip.MustParsePrefix("10.0.10.0/23")}},
	}})
	b.add(blueprint.Resource{ID: "load_balancer/web", Kind: blueprint.KindLoadBalancer, LoadBalancer: &blueprint.LoadBalancerSpec{
		Name: deployment + "-web", Scheme: blueprint.SchemeInternetFacing, Type: blueprint.LBApplication,
		Subnets: []blueprint.Ref{"subnet/web/a", "subnet/web/b"}, SecurityGroups: []blueprint.Ref{"security_group/lb"},
		Listeners:   []blueprint.ListenerSpec{{Protocol: "HTTP", Port: 80, TargetProtocol: "HTTP", TargetPort: 80}},
		HealthCheck: blueprint.HealthCheckSpec{Protocol: "HTTP", Port: 80, Path: "/", IntervalSeconds: 10, TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: 3},
	}})
	b.add(blueprint.Resource{ID: "cluster/web", Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{
		Tier: "web", Subnets: []blueprint.Ref{"subnet/web/a", "subnet/web/b"}, SecurityGroups: []blueprint.Ref{"security_group/web"},
		Image: "ami-web", InstanceType: "t3.small", UserData: tier.Secret(userData), Min: 2, Desired: 2, Max: 4, Stateless: true,
		LoadBalancers: []blueprint.Ref{"load_balancer/web"}, TargetPort: 80}})
	b.add(blueprint.Resource{ID: "cluster/app", Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{
		Tier: "app", Subnets: []blueprint.Ref{"subnet/app/a", "subnet/app/b"}, SecurityGroups: []blueprint.Ref{"security_group/app"},
		Image: "ami-app", InstanceType: "t3.small", UserData: tier.Secret(userData), Min: 2, Desired: 2, Max: 4, Stateless: true}})
	b.add(blueprint.Resource{ID: "database/db", Kind: blueprint.KindDatabase, Database: &blueprint.DatabaseSpec{
		Engine: "postgres", InstanceClass: "db.t3.small", StorageGiB: 20, MultiAZ: true, BackupRetentionDays: 7, Encrypted: true,
		Port: 5432, Username: "app", Subnets: []blueprint.Ref{"subnet/db/a", "subnet/db/b"}, SecurityGroups: []blueprint.Ref{"security_group/db"},
		Fallback: &blueprint.ClusterSpec{Tier: "db", Subnets: []blueprint.Ref{"subnet/db/a", "subnet/db/b"}, SecurityGroups: []blueprint.Ref{"security_group/db"},
			Image: "ami-postgres", InstanceType: "t3.medium", Min: 2, Desired: 2, Max: 2}}})
	return b.done()
}

// webApp returns a smaller shape: a load balancer and one autoscaled web
// cluster in public subnets, no NAT, no database.
func webApp(deployment string) *blueprint.Blueprint {
	b := &bpBuilder{bp: blueprint.Blueprint{Schema: blueprint.SchemaV2, Deployment: deployment}}
	b.add(blueprint.Resource{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.1.0.0/16")}})
	b.add(blueprint.Resource{ID: "internet_gateway/main", Kind: blueprint.KindInternetGateway, InternetGateway: &blueprint.InternetGatewaySpec{Net: "net/main"}})
	for i, z := range []string{"a", "b"} {
		b.add(blueprint.Resource{ID: "subnet/web/" + z, Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{
			Net: "net/main", CIDR: netip.MustParsePrefix(fmt.Sprintf("10.1.%d.0/24", i)), Zone: z, Tier: "web", Public: true}})
		b.add(blueprint.Resource{ID: "route_table/web/" + z, Kind: blueprint.KindRouteTable, RouteTable: &blueprint.RouteTableSpec{
			Net: "net/main", Subnet: blueprint.Ref("subnet/web/" + z),
			Routes: []blueprint.RouteSpec{{Destination: netip.MustParsePrefix("0.0.0.0/0"), TargetKind: netplan.TargetInternetGateway, Target: "internet_gateway/main"}}}})
	}
	for _, g := range []string{"lb", "web"} {
		b.add(blueprint.Resource{ID: "security_group/" + g, Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
			Net: "net/main", Name: deployment + "-" + g, Description: g}})
	}
	b.add(blueprint.Resource{ID: "security_group_rules/lb", Kind: blueprint.KindSecurityGroupRules, SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{
		Group: "security_group/lb", Inbound: []blueprint.RuleSpec{tcpCIDR(443, "0.0.0.0/0")}, Outbound: []blueprint.RuleSpec{tcp(8080, "security_group/web")}}})
	b.add(blueprint.Resource{ID: "security_group_rules/web", Kind: blueprint.KindSecurityGroupRules, SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{
		Group: "security_group/web", Inbound: []blueprint.RuleSpec{tcp(8080, "security_group/lb")}, Outbound: []blueprint.RuleSpec{tcpCIDR(443, "0.0.0.0/0")}}})
	b.add(blueprint.Resource{ID: "load_balancer/web", Kind: blueprint.KindLoadBalancer, LoadBalancer: &blueprint.LoadBalancerSpec{
		Name: deployment + "-web", Scheme: blueprint.SchemeInternetFacing, Type: blueprint.LBApplication,
		Subnets: []blueprint.Ref{"subnet/web/a", "subnet/web/b"}, SecurityGroups: []blueprint.Ref{"security_group/lb"},
		Listeners:   []blueprint.ListenerSpec{{Protocol: "HTTP", Port: 80, TargetProtocol: "HTTP", TargetPort: 8080}},
		HealthCheck: blueprint.HealthCheckSpec{Protocol: "HTTP", Port: 8080, Path: "/health", IntervalSeconds: 10, TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: 3},
	}})
	b.add(blueprint.Resource{ID: "cluster/web", Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{
		Tier: "web", Subnets: []blueprint.Ref{"subnet/web/a", "subnet/web/b"}, SecurityGroups: []blueprint.Ref{"security_group/web"},
		Image: "ami-web", InstanceType: "t3.small", Min: 2, Desired: 3, Max: 10, Stateless: true,
		LoadBalancers: []blueprint.Ref{"load_balancer/web"}, TargetPort: 8080}})
	return b.done()
}

// nTier returns a synthetic deployment of n tiers in a chain: each tier has
// two subnets with their route tables, a group whose rules admit the
// previous tier, and a cluster. Up to 256 tiers share one /16 Net with
// /25 subnets; beyond, each Net of /16 holds 2,048 tiers of /28 subnets
// (AWS's smallest), and the chain starts again in each Net.
func nTier(deployment string, n int) *blueprint.Blueprint {
	const perNet = 2048
	b := &bpBuilder{bp: blueprint.Blueprint{Schema: blueprint.SchemaV2, Deployment: deployment}}
	for i := range n {
		t := fmt.Sprintf("t%03d", i)
		net, j := "net/main", i%perNet
		if n > 256 {
			net = fmt.Sprintf("net/n%d", i/perNet)
		}
		if j == 0 {
			b.add(blueprint.Resource{ID: net, Kind: blueprint.KindNet, Net: &blueprint.NetSpec{
				CIDR: netip.MustParsePrefix(fmt.Sprintf("10.%d.0.0/16", i/perNet))}})
		}
		var subnets []blueprint.Ref
		for zi, z := range []string{"a", "b"} {
			sid := "subnet/" + t + "/" + z
			cidr := fmt.Sprintf("10.0.%d.%d/25", i, zi*128)
			if n > 256 {
				off := (2*j + zi) * 16
				cidr = fmt.Sprintf("10.%d.%d.%d/28", i/perNet, off>>8, off&255)
			}
			subnets = append(subnets, blueprint.Ref(sid))
			b.add(blueprint.Resource{ID: sid, Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{
				Net: blueprint.Ref(net), CIDR: netip.MustParsePrefix(cidr), Zone: z, Tier: t}})
			b.add(blueprint.Resource{ID: "route_table/" + t + "/" + z, Kind: blueprint.KindRouteTable, RouteTable: &blueprint.RouteTableSpec{
				Net: blueprint.Ref(net), Subnet: blueprint.Ref(sid)}})
		}
		b.add(blueprint.Resource{ID: "security_group/" + t, Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
			Net: blueprint.Ref(net), Name: deployment + "-" + t, Description: t}})
		in := []blueprint.RuleSpec{tcpCIDR(22, "10.0.0.0/16")}
		if j > 0 {
			in = append(in, tcp(8000, fmt.Sprintf("security_group/t%03d", i-1)))
		}
		b.add(blueprint.Resource{ID: "security_group_rules/" + t, Kind: blueprint.KindSecurityGroupRules, SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{
			Group: blueprint.Ref("security_group/" + t), Inbound: in}})
		b.add(blueprint.Resource{ID: "cluster/" + t, Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{
			Tier: t, Subnets: subnets, SecurityGroups: []blueprint.Ref{blueprint.Ref("security_group/" + t)},
			Image: "ami-x", InstanceType: "t3.micro", Min: 1, Desired: 1, Max: 2, Stateless: true}})
	}
	return b.done()
}
