package aws_test

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
)

// webApp is the seed 003 web application, built by hand until
// pattern.WebApp exists: a VPC over two zones with public, app and db
// subnets, one NAT gateway per zone, an ALB (HTTP and HTTPS) in front of
// an autoscaled web tier, and a Multi-AZ MySQL database behind a network
// ACL. Zones "a" and "b" are mapped by the engine.
func webApp(deployment string) *blueprint.Blueprint {
	p := netip.MustParsePrefix
	anywhere := p("0.0.0.0/0")
	vpc := p("10.20.0.0/16")
	tcp := func(port uint16, cidr netip.Prefix, group blueprint.Ref) blueprint.RuleSpec {
		return blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: port, ToPort: port, CIDR: cidr, Group: group}
	}
	var rs []blueprint.Resource
	add := func(r blueprint.Resource) { rs = append(rs, r) }
	add(blueprint.Resource{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: vpc}})
	add(blueprint.Resource{ID: "internet_gateway/main", Kind: blueprint.KindInternetGateway, InternetGateway: &blueprint.InternetGatewaySpec{Net: "net/main"}})
	tiers := []struct {
		name   string
		base   int
		public bool
	}{{"public", 0, true}, {"web", 10, false}, {"db", 20, false}}
	for _, z := range []string{"a", "b"} {
		off := 0
		if z == "b" {
			off = 1
		}
		for _, tr := range tiers {
			cidr := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 20, byte(tr.base + off), 0}), 24)
			sid := "subnet/" + tr.name + "/" + z
			add(blueprint.Resource{ID: sid, Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{Net: "net/main", CIDR: cidr, Zone: z, Tier: tr.name, Public: tr.public}})
			route := blueprint.RouteSpec{Destination: anywhere, TargetKind: netplan.TargetNATGateway, Target: blueprint.Ref("nat_gateway/" + z)}
			if tr.public {
				route = blueprint.RouteSpec{Destination: anywhere, TargetKind: netplan.TargetInternetGateway, Target: "internet_gateway/main"}
			}
			add(blueprint.Resource{ID: "route_table/" + tr.name + "/" + z, Kind: blueprint.KindRouteTable, RouteTable: &blueprint.RouteTableSpec{
				Net: "net/main", Subnet: blueprint.Ref(sid), Routes: []blueprint.RouteSpec{route}}})
		}
		add(blueprint.Resource{ID: "public_ip/nat/" + z, Kind: blueprint.KindPublicIP, PublicIP: &blueprint.PublicIPSpec{Zone: z}})
		add(blueprint.Resource{ID: "nat_gateway/" + z, Kind: blueprint.KindNATGateway, NATGateway: &blueprint.NATGatewaySpec{
			Subnet: blueprint.Ref("subnet/public/" + z), PublicIP: blueprint.Ref("public_ip/nat/" + z),
			InternetGateway: "internet_gateway/main", PublicRoute: blueprint.Ref("route_table/public/" + z), Zone: z}})
	}
	for _, g := range []string{"lb", "web", "db"} {
		add(blueprint.Resource{ID: "security_group/" + g, Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
			Net: "net/main", Name: deployment + "-" + g, Description: "tipster " + g + " tier"}})
	}
	rules := func(g string, in, out []blueprint.RuleSpec) {
		add(blueprint.Resource{ID: "security_group_rules/" + g, Kind: blueprint.KindSecurityGroupRules, SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{
			Group: blueprint.Ref("security_group/" + g), Inbound: in, Outbound: out}})
	}
	rules("lb", []blueprint.RuleSpec{tcp(80, anywhere, ""), tcp(443, anywhere, "")}, []blueprint.RuleSpec{tcp(8080, netip.Prefix{}, "security_group/web")})
	rules("web", []blueprint.RuleSpec{tcp(8080, netip.Prefix{}, "security_group/lb")},
		[]blueprint.RuleSpec{tcp(3306, netip.Prefix{}, "security_group/db"), tcp(443, anywhere, ""), tcp(80, anywhere, "")})
	rules("db", []blueprint.RuleSpec{tcp(3306, netip.Prefix{}, "security_group/web")}, nil)
	add(blueprint.Resource{ID: "network_acl/db", Kind: blueprint.KindNetworkACL, NetworkACL: &blueprint.NetworkACLSpec{
		Net: "net/main", Subnets: []blueprint.Ref{"subnet/db/a", "subnet/db/b"},
		Inbound: []blueprint.ACLEntrySpec{
			{Number: 100, Allow: true, Protocol: netplan.ProtocolTCP, FromPort: 3306, ToPort: 3306, CIDR: p("10.20.10.0/23")},
			{Number: 200, Allow: false, Protocol: netplan.ProtocolAll, CIDR: anywhere},
		},
		Outbound: []blueprint.ACLEntrySpec{
			{Number: 100, Allow: true, Protocol: netplan.ProtocolTCP, FromPort: 1024, ToPort: 65535, CIDR: p("10.20.10.0/23")},
			{Number: 200, Allow: false, Protocol: netplan.ProtocolAll, CIDR: anywhere},
		},
	}})
	name := deployment + "-web"
	if len(name) > 32 {
		name = strings.TrimRight(name[:32], "-")
	}
	add(blueprint.Resource{ID: "load_balancer/web", Kind: blueprint.KindLoadBalancer, LoadBalancer: &blueprint.LoadBalancerSpec{
		Name: name, Scheme: blueprint.SchemeInternetFacing, Type: blueprint.LBApplication,
		Subnets: []blueprint.Ref{"subnet/public/a", "subnet/public/b"}, SecurityGroups: []blueprint.Ref{"security_group/lb"},
		Listeners: []blueprint.ListenerSpec{
			{Protocol: "HTTP", Port: 80, TargetProtocol: "HTTP", TargetPort: 8080},
			{Protocol: "HTTPS", Port: 443, TargetProtocol: "HTTP", TargetPort: 8080, Certificate: "arn:aws:acm:us-east-1:123456789012:certificate/tipster"},
		},
		HealthCheck: blueprint.HealthCheckSpec{Protocol: "HTTP", Port: 8080, Path: "/health", IntervalSeconds: 30, TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: 2},
	}})
	add(blueprint.Resource{ID: "cluster/web", Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{
		Tier: "web", Subnets: []blueprint.Ref{"subnet/web/a", "subnet/web/b"}, SecurityGroups: []blueprint.Ref{"security_group/web"},
		Image: "ami-12c6146b", InstanceType: "t3.small", UserData: "#!/bin/sh\nexec java -jar /opt/tipster/api.jar\n",
		Min: 2, Desired: 2, Max: 6, Stateless: true, LoadBalancers: []blueprint.Ref{"load_balancer/web"}, TargetPort: 8080,
	}})
	add(blueprint.Resource{ID: "database/main", Kind: blueprint.KindDatabase, Database: &blueprint.DatabaseSpec{
		Engine: "mysql", EngineVersion: "8.0.35", InstanceClass: "db.t3.medium", StorageGiB: 50, MultiAZ: true,
		BackupRetentionDays: 7, Encrypted: true, Port: 3306, Username: "tipster",
		Subnets: []blueprint.Ref{"subnet/db/a", "subnet/db/b"}, SecurityGroups: []blueprint.Ref{"security_group/db"},
	}})
	for i := range rs {
		rs[i].DependsOn = rs[i].Dependencies()
	}
	slices.SortFunc(rs, func(a, b blueprint.Resource) int { return strings.Compare(a.ID, b.ID) })
	return &blueprint.Blueprint{Schema: blueprint.SchemaV2, Deployment: deployment, Resources: rs}
}
