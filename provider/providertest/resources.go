package providertest

import (
	"net/netip"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// Resources returns the hand-made deployment the suite applies: one
// resource of every kind but net_peering (a link between two regions,
// which [RunPeering] checks), in an order that creates each resource after the
// ones it names, with Refs holding logical ids. zones are the provider's
// zone names; the first two are used (one is used twice when only one is
// given).
//
//	net/main 10.0.0.0/16
//	subnet/web/a 10.0.0.0/24, subnet/web/b 10.0.1.0/24 (public)
//	subnet/app/a 10.0.10.0/24, subnet/app/b 10.0.11.0/24
//	internet_gateway/main, public_ip/nat/a
//	route_table/web/a, route_table/web/b: 0.0.0.0/0 -> internet gateway
//	nat_gateway/a in subnet/web/a
//	route_table/app/a, route_table/app/b: 0.0.0.0/0 -> NAT gateway
//	vpn_gateway/main on net/main, customer_gateway/office (OfficeIP, ASN
//	  65010), vpn_connection/office between them with BGP
//	security_group/lb, /web, /db and their rules:
//	  lb: in tcp 443 from 0.0.0.0/0, out tcp 8080 to web
//	  web: in tcp 8080 from lb, out tcp 5432 to db, out tcp 443 to 0.0.0.0/0
//	  db: in tcp 5432 from web
//	network_acl/web on subnet/web/a and /b
//	net_endpoint/s3: gateway on route_table/app/a and /b
//	net_endpoint/sqs: interface in subnet/app/a and /b (one when the
//	  zones are one) with security_group/db, private DNS
//	load_balancer/web over subnet/web/a and /b, HTTP 80 -> 8080
//	flow_log/main of net/main to CloudWatch Logs
//	key_pair/web with PublicKey
//	database/main in subnet/app/a and /b
//	database_replica/main/1 of database/main
//	instance_role/web: consume the queue "orders", read database/main's secret
//	image_copy/web: a copy of Image from the region of zones (both clouds
//	  copy an image within its region too)
//	backup_vault/snapshots, and backup_plan/snapshots into it: daily at
//	  03:00 UTC, kept 7 days, copied to the vault of the same name in
//	  "us-west-2", the volumes tagged archkit:backup=snapshots selected
//	  with a role archkit makes
//	cluster/web in subnet/app/a and /b behind load_balancer/web, with
//	  instance_role/web and key_pair/web, its nodes started from image_copy/web
//
// A managed cache is not among them: the suite's Cache test makes its own
// (cacheSpec), since moto can neither modify nor delete one.
func Resources(deployment string, zones []string) []blueprint.Resource {
	za, zb := "a", "b"
	if len(zones) > 0 {
		za, zb = zones[0], zones[0]
	}
	if len(zones) > 1 {
		zb = zones[1]
	}
	p := netip.MustParsePrefix
	anywhere := p("0.0.0.0/0")
	tcp := func(port uint16, cidr netip.Prefix, group blueprint.Ref) blueprint.RuleSpec {
		return blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: port, ToPort: port, CIDR: cidr, Group: group}
	}
	subnet := func(tier, letter, zone, cidr string, public bool) blueprint.Resource {
		return blueprint.Resource{ID: "subnet/" + tier + "/" + letter, Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{
			Net: "net/main", CIDR: p(cidr), Zone: zone, Tier: tier, Public: public}}
	}
	routeTable := func(id, subnet string, kind netplan.TargetKind, target blueprint.Ref) blueprint.Resource {
		return blueprint.Resource{ID: id, Kind: blueprint.KindRouteTable, RouteTable: &blueprint.RouteTableSpec{
			Net: "net/main", Subnet: blueprint.Ref(subnet),
			Routes: []blueprint.RouteSpec{{Destination: anywhere, TargetKind: kind, Target: target}}}}
	}
	group := func(name string) blueprint.Resource {
		return blueprint.Resource{ID: "security_group/" + name, Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
			Net: "net/main", Name: deployment + "-" + name, Description: "archkit conformance: " + name + " tier"}}
	}
	rules := func(name string, in, out []blueprint.RuleSpec) blueprint.Resource {
		return blueprint.Resource{ID: "security_group_rules/" + name, Kind: blueprint.KindSecurityGroupRules, SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{
			Group: blueprint.Ref("security_group/" + name), Inbound: in, Outbound: out}}
	}
	web := []blueprint.Ref{"subnet/web/a", "subnet/web/b"}
	app := []blueprint.Ref{"subnet/app/a", "subnet/app/b"}
	return []blueprint.Resource{
		{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: p("10.0.0.0/16")}},
		subnet("web", "a", za, "10.0.0.0/24", true),
		subnet("web", "b", zb, "10.0.1.0/24", true),
		subnet("app", "a", za, "10.0.10.0/24", false),
		subnet("app", "b", zb, "10.0.11.0/24", false),
		{ID: "internet_gateway/main", Kind: blueprint.KindInternetGateway, InternetGateway: &blueprint.InternetGatewaySpec{Net: "net/main"}},
		{ID: "public_ip/nat/a", Kind: blueprint.KindPublicIP, PublicIP: &blueprint.PublicIPSpec{}},
		routeTable("route_table/web/a", "subnet/web/a", netplan.TargetInternetGateway, "internet_gateway/main"),
		routeTable("route_table/web/b", "subnet/web/b", netplan.TargetInternetGateway, "internet_gateway/main"),
		{ID: "nat_gateway/a", Kind: blueprint.KindNATGateway, NATGateway: &blueprint.NATGatewaySpec{
			Subnet: "subnet/web/a", PublicIP: "public_ip/nat/a", InternetGateway: "internet_gateway/main",
			PublicRoute: "route_table/web/a", Zone: za}},
		routeTable("route_table/app/a", "subnet/app/a", netplan.TargetNATGateway, "nat_gateway/a"),
		routeTable("route_table/app/b", "subnet/app/b", netplan.TargetNATGateway, "nat_gateway/a"),
		{ID: "vpn_gateway/main", Kind: blueprint.KindVPNGateway, VPNGateway: &blueprint.VPNGatewaySpec{Net: "net/main"}},
		{ID: "customer_gateway/office", Kind: blueprint.KindCustomerGateway, CustomerGateway: &blueprint.CustomerGatewaySpec{
			PublicIP: OfficeIP, ASN: 65010}},
		{ID: "vpn_connection/office", Kind: blueprint.KindVPNConnection, VPNConnection: &blueprint.VPNConnectionSpec{
			VPNGateway: "vpn_gateway/main", CustomerGateway: "customer_gateway/office", BGP: true}},
		group("lb"), group("web"), group("db"),
		rules("lb", []blueprint.RuleSpec{tcp(443, anywhere, "")}, []blueprint.RuleSpec{tcp(8080, netip.Prefix{}, "security_group/web")}),
		rules("web", []blueprint.RuleSpec{tcp(8080, netip.Prefix{}, "security_group/lb")},
			[]blueprint.RuleSpec{tcp(5432, netip.Prefix{}, "security_group/db"), tcp(443, anywhere, "")}),
		rules("db", []blueprint.RuleSpec{tcp(5432, netip.Prefix{}, "security_group/web")}, nil),
		{ID: "net_endpoint/s3", Kind: blueprint.KindNetEndpoint, NetEndpoint: &blueprint.NetEndpointSpec{
			Net: "net/main", Service: "s3", Type: blueprint.EndpointGateway, RouteTables: []blueprint.Ref{"route_table/app/a", "route_table/app/b"}}},
		{ID: "net_endpoint/sqs", Kind: blueprint.KindNetEndpoint, NetEndpoint: &blueprint.NetEndpointSpec{
			Net: "net/main", Service: "sqs", Type: blueprint.EndpointInterface, Subnets: oneAZone(za, zb, app),
			SecurityGroups: []blueprint.Ref{"security_group/db"}, PrivateDNS: true}},
		{ID: "flow_log/main", Kind: blueprint.KindFlowLog, FlowLog: &blueprint.FlowLogSpec{
			Net: "net/main", LogGroup: "/archkit/" + deployment + "/flow-logs", Role: blueprint.IAMName(deployment, "flow_log/main")}},
		{ID: "network_acl/web", Kind: blueprint.KindNetworkACL, NetworkACL: &blueprint.NetworkACLSpec{
			Net: "net/main", Subnets: web,
			Inbound: []blueprint.ACLEntrySpec{
				{Number: 100, Allow: true, Protocol: netplan.ProtocolTCP, FromPort: 443, ToPort: 443, CIDR: anywhere},
				{Number: 110, Allow: true, Protocol: netplan.ProtocolTCP, FromPort: 1024, ToPort: 65535, CIDR: anywhere},
			},
			Outbound: []blueprint.ACLEntrySpec{{Number: 100, Allow: true, Protocol: netplan.ProtocolAll, CIDR: anywhere}},
		}},
		{ID: "load_balancer/web", Kind: blueprint.KindLoadBalancer, LoadBalancer: &blueprint.LoadBalancerSpec{
			Name: lbName(deployment, "web"), Scheme: blueprint.SchemeInternetFacing, Type: blueprint.LBApplication,
			Subnets: web, SecurityGroups: []blueprint.Ref{"security_group/lb"},
			Listeners: []blueprint.ListenerSpec{{Protocol: "HTTP", Port: 80, TargetProtocol: "HTTP", TargetPort: 8080}},
			HealthCheck: blueprint.HealthCheckSpec{Protocol: "HTTP", Port: 8080, Path: "/health",
				IntervalSeconds: 30, TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: 3},
		}},
		{ID: "key_pair/web", Kind: blueprint.KindKeyPair, KeyPair: &blueprint.KeyPairSpec{
			Name: deployment + "-web-" + PublicKey.ShortHash(), PublicKey: PublicKey}},
		{ID: "database/main", Kind: blueprint.KindDatabase, Database: &blueprint.DatabaseSpec{
			Engine: "postgres", InstanceClass: "db.t3.micro", StorageGiB: 20, BackupRetentionDays: 7,
			Encrypted: true, Port: 5432, Username: "archkit", Subnets: app,
			SecurityGroups: []blueprint.Ref{"security_group/db"},
		}},
		{ID: "database_replica/main/1", Kind: blueprint.KindDatabaseReplica, DatabaseReplica: &blueprint.DatabaseReplicaSpec{
			Source: "database/main", InstanceClass: "db.t3.micro", SecurityGroups: []blueprint.Ref{"security_group/db"},
		}},
		{ID: "instance_role/web", Kind: blueprint.KindInstanceRole, InstanceRole: &blueprint.InstanceRoleSpec{
			Name:       blueprint.IAMName(deployment, "instance_role/web"),
			Statements: blueprint.FromTier(tier.Statements([]tier.Grant{tier.ConsumeQueue("orders"), tier.DatabaseSecret("main")})),
		}},
		{ID: "image_copy/web", Kind: blueprint.KindImageCopy, ImageCopy: &blueprint.ImageCopySpec{
			SourceImage: Image, SourceRegion: regionOf(za), Name: blueprint.ImageCopyName(deployment, Image, regionOf(za))}},
		{ID: "backup_vault/snapshots", Kind: blueprint.KindBackupVault, BackupVault: &blueprint.BackupVaultSpec{Name: blueprint.BackupVaultName(deployment)}},
		backupPlan(deployment),
		{ID: "cluster/web", Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{
			Tier: "web", Subnets: app, SecurityGroups: []blueprint.Ref{"security_group/web"},
			Image: Image, ImageCopy: "image_copy/web", InstanceType: "t3.micro", UserData: "#!/bin/sh\necho archkit\n",
			Min: 1, Desired: 2, Max: 4, Stateless: true,
			LoadBalancers: []blueprint.Ref{"load_balancer/web"}, TargetPort: 8080, InstanceRole: "instance_role/web", KeyPair: "key_pair/web",
		}},
	}
}

// oneAZone returns the subnets of each zone, a's and b's: the first alone
// when both zones are one (an interface endpoint takes one subnet per
// zone).
func oneAZone(za, zb string, subnets []blueprint.Ref) []blueprint.Ref {
	if za == zb {
		return subnets[:1]
	}
	return subnets
}

// PublicKey is the SSH public key of the suite's key pair: an ed25519
// key whose private half nobody kept.
const PublicKey tier.PublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs"

// OfficeIP is the public address of the suite's customer gateway (a
// documentation address, RFC 5737).
var OfficeIP = netip.MustParseAddr("198.51.100.7")

// Image is the machine image of the suite's cluster: an id that moto's
// us-east-1 knows and that has the shape of an OUTSCALE OMI id.
const Image = "ami-12c6146b"

// ImageNext is the image the suite moves a cluster to: another id of
// the same shape that moto knows (an Ubuntu image of its built-in list;
// the AWS driver reads an image's root device with DescribeImages to
// encrypt it). A harness whose cloud does not know it declares it (the
// OUTSCALE test server's Options.Images).
const ImageNext = "ami-1e749f67"

// lbName derives a load balancer name of at most 32 letters, digits and
// hyphens from the deployment.
func lbName(deployment, name string) string {
	var b strings.Builder
	for _, c := range deployment {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' {
			b.WriteRune(c)
		}
	}
	base := strings.Trim(b.String(), "-")
	if len(base) > 31-len(name) {
		base = strings.Trim(base[:31-len(name)], "-")
	}
	if base == "" {
		base = "lb"
	}
	return base + "-" + name
}

// Tags returns the tags the engine puts on a resource: the ownership tags
// and a Name.
func Tags(deployment, logicalID string) map[string]string {
	return map[string]string{
		driver.TagDeployment: deployment,
		driver.TagLogicalID:  logicalID,
		driver.TagName:       deployment + "-" + strings.ReplaceAll(logicalID, "/", "-"),
	}
}

// Resolve returns a copy of r whose Refs hold the provider ids that ids
// maps logical ids to. A Ref to a resource ids lacks (one of a kind the
// driver does not support) is dropped from lists and emptied otherwise.
func Resolve(r blueprint.Resource, ids map[string]string) blueprint.Resource {
	c := r.Clone()
	for _, ref := range c.Refs() {
		if *ref != "" {
			*ref = blueprint.Ref(ids[string(*ref)])
		}
	}
	compact := func(rs []blueprint.Ref) []blueprint.Ref {
		out := rs[:0]
		for _, x := range rs {
			if x != "" {
				out = append(out, x)
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	}
	if s := c.Cluster; s != nil && len(s.LoadBalancers) > 0 {
		s.LoadBalancers = compact(s.LoadBalancers)
		if len(s.LoadBalancers) == 0 {
			s.TargetPort = 0
		}
	}
	return c
}

// Request returns the Request the engine would send to create r: Refs
// resolved with ids, a token (of one life per deployment: the suite's
// deployments are new in every run) and the ownership tags with the
// token's tag.
func Request(deployment string, r blueprint.Resource, ids map[string]string) driver.Request {
	token := driver.Token(deployment, r.ID, "")
	tags := Tags(deployment, r.ID)
	tags[driver.TagToken] = token
	return driver.Request{Deployment: deployment, Resource: Resolve(r, ids), Token: token, Tags: tags}
}

// regionOf returns the region of zone, its name without the zone's letter
// ("eu-west-2a": "eu-west-2"); "region-1" for a bare letter.
func regionOf(zone string) string {
	if len(zone) < 2 {
		return "region-1"
	}
	return zone[:len(zone)-1]
}

// backupPlan is the suite's snapshot schedule (see [Resources]).
func backupPlan(deployment string) blueprint.Resource {
	s := blueprint.BackupPlanSpec{Vault: "backup_vault/snapshots", Schedule: "cron(0 3 * * ? *)", KeepDays: 7, Select: "snapshots",
		Copies: []blueprint.BackupCopy{{Region: "us-west-2", Vault: blueprint.BackupVaultName(deployment), KeepDays: 14}}}
	s.Name = blueprint.BackupPlanName(deployment, s)
	return blueprint.Resource{ID: "backup_plan/snapshots", Kind: blueprint.KindBackupPlan, BackupPlan: &s}
}
