package aws_test

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
)

// webApp is the seed 003 web application, built by hand until
// pattern.WebApp exists: a VPC over two zones with public, app and db
// subnets, one NAT gateway per zone, an ALB (HTTP and HTTPS) in front of
// an autoscaled web tier, and a Multi-AZ MySQL database behind a network
// ACL. Zones "a" and "b" are mapped by the engine.
func webApp(deployment string) *pattern.Blueprint {
	p := netip.MustParsePrefix
	anywhere := p("0.0.0.0/0")
	vpc := p("10.20.0.0/16")
	tcp := func(port uint16, cidr netip.Prefix, group pattern.Ref) pattern.RuleSpec {
		return pattern.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: port, ToPort: port, CIDR: cidr, Group: group}
	}
	var rs []pattern.Resource
	add := func(r pattern.Resource) { rs = append(rs, r) }
	add(pattern.Resource{ID: "net/main", Kind: pattern.KindNet, Net: &pattern.NetSpec{CIDR: vpc}})
	add(pattern.Resource{ID: "internet_gateway/main", Kind: pattern.KindInternetGateway, InternetGateway: &pattern.InternetGatewaySpec{Net: "net/main"}})
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
			add(pattern.Resource{ID: sid, Kind: pattern.KindSubnet, Subnet: &pattern.SubnetSpec{Net: "net/main", CIDR: cidr, Zone: z, Tier: tr.name, Public: tr.public}})
			route := pattern.RouteSpec{Destination: anywhere, TargetKind: pattern.TargetNATGateway, Target: pattern.Ref("nat_gateway/" + z)}
			if tr.public {
				route = pattern.RouteSpec{Destination: anywhere, TargetKind: pattern.TargetInternetGateway, Target: "internet_gateway/main"}
			}
			add(pattern.Resource{ID: "route_table/" + tr.name + "/" + z, Kind: pattern.KindRouteTable, RouteTable: &pattern.RouteTableSpec{
				Net: "net/main", Subnet: pattern.Ref(sid), Routes: []pattern.RouteSpec{route}}})
		}
		add(pattern.Resource{ID: "public_ip/nat/" + z, Kind: pattern.KindPublicIP, PublicIP: &pattern.PublicIPSpec{Zone: z}})
		add(pattern.Resource{ID: "nat_gateway/" + z, Kind: pattern.KindNATGateway, NATGateway: &pattern.NATGatewaySpec{
			Subnet: pattern.Ref("subnet/public/" + z), PublicIP: pattern.Ref("public_ip/nat/" + z),
			InternetGateway: "internet_gateway/main", PublicRoute: pattern.Ref("route_table/public/" + z), Zone: z}})
	}
	for _, g := range []string{"lb", "web", "db"} {
		add(pattern.Resource{ID: "security_group/" + g, Kind: pattern.KindSecurityGroup, SecurityGroup: &pattern.SecurityGroupSpec{
			Net: "net/main", Name: deployment + "-" + g, Description: "tipster " + g + " tier"}})
	}
	rules := func(g string, in, out []pattern.RuleSpec) {
		add(pattern.Resource{ID: "security_group_rules/" + g, Kind: pattern.KindSecurityGroupRules, SecurityGroupRules: &pattern.SecurityGroupRulesSpec{
			Group: pattern.Ref("security_group/" + g), Inbound: in, Outbound: out}})
	}
	rules("lb", []pattern.RuleSpec{tcp(80, anywhere, ""), tcp(443, anywhere, "")}, []pattern.RuleSpec{tcp(8080, netip.Prefix{}, "security_group/web")})
	rules("web", []pattern.RuleSpec{tcp(8080, netip.Prefix{}, "security_group/lb")},
		[]pattern.RuleSpec{tcp(3306, netip.Prefix{}, "security_group/db"), tcp(443, anywhere, ""), tcp(80, anywhere, "")})
	rules("db", []pattern.RuleSpec{tcp(3306, netip.Prefix{}, "security_group/web")}, nil)
	add(pattern.Resource{ID: "firewall/db", Kind: pattern.KindFirewall, Firewall: &pattern.FirewallSpec{
		Net: "net/main", Subnets: []pattern.Ref{"subnet/db/a", "subnet/db/b"},
		Inbound: []pattern.ACLEntrySpec{
			{Number: 100, Allow: true, Protocol: netplan.ProtocolTCP, FromPort: 3306, ToPort: 3306, CIDR: p("10.20.10.0/23")},
			{Number: 200, Allow: false, Protocol: netplan.ProtocolAll, CIDR: anywhere},
		},
		Outbound: []pattern.ACLEntrySpec{
			{Number: 100, Allow: true, Protocol: netplan.ProtocolTCP, FromPort: 1024, ToPort: 65535, CIDR: p("10.20.10.0/23")},
			{Number: 200, Allow: false, Protocol: netplan.ProtocolAll, CIDR: anywhere},
		},
	}})
	name := deployment + "-web"
	if len(name) > 32 {
		name = strings.TrimRight(name[:32], "-")
	}
	add(pattern.Resource{ID: "load_balancer/web", Kind: pattern.KindLoadBalancer, LoadBalancer: &pattern.LoadBalancerSpec{
		Name: name, Scheme: pattern.SchemeInternetFacing, Type: pattern.LBApplication,
		Subnets: []pattern.Ref{"subnet/public/a", "subnet/public/b"}, SecurityGroups: []pattern.Ref{"security_group/lb"},
		Listeners: []pattern.ListenerSpec{
			{Protocol: "HTTP", Port: 80, TargetProtocol: "HTTP", TargetPort: 8080},
			{Protocol: "HTTPS", Port: 443, TargetProtocol: "HTTP", TargetPort: 8080, Certificate: "arn:aws:acm:us-east-1:123456789012:certificate/tipster"},
		},
		HealthCheck: pattern.HealthCheckSpec{Protocol: "HTTP", Port: 8080, Path: "/health", IntervalSeconds: 30, TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: 2},
	}})
	add(pattern.Resource{ID: "cluster/web", Kind: pattern.KindCluster, Cluster: &pattern.ClusterSpec{
		Tier: "web", Subnets: []pattern.Ref{"subnet/web/a", "subnet/web/b"}, SecurityGroups: []pattern.Ref{"security_group/web"},
		Image: "ami-12c6146b", InstanceType: "t3.small", UserData: "#!/bin/sh\nexec java -jar /opt/tipster/api.jar\n",
		Min: 2, Desired: 2, Max: 6, Stateless: true, LoadBalancers: []pattern.Ref{"load_balancer/web"}, TargetPort: 8080,
	}})
	add(pattern.Resource{ID: "database/main", Kind: pattern.KindDatabase, Database: &pattern.DatabaseSpec{
		Engine: "mysql", EngineVersion: "8.0.35", InstanceClass: "db.t3.medium", StorageGiB: 50, MultiAZ: true,
		BackupRetentionDays: 7, Encrypted: true, Port: 3306, Username: "tipster",
		Subnets: []pattern.Ref{"subnet/db/a", "subnet/db/b"}, SecurityGroups: []pattern.Ref{"security_group/db"},
	}})
	for i := range rs {
		rs[i].DependsOn = rs[i].Dependencies()
	}
	slices.SortFunc(rs, func(a, b pattern.Resource) int { return strings.Compare(a.ID, b.ID) })
	return &pattern.Blueprint{Schema: pattern.SchemaV1, Deployment: deployment, Resources: rs}
}
