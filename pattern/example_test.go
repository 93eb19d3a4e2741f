package pattern_test

import (
	"fmt"
	"log"
	"net/netip"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// Seed 000's three tiers, two zones: one subnet per tier per zone.
func Example_threeTier() {
	arch := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop"})
	bp, err := arch.Build()
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range bp.OfKind(blueprint.KindSubnet) {
		s := r.Subnet
		fmt.Printf("%-16s %-12s public=%v\n", r.ID, s.CIDR, s.Public)
	}
	// Output:
	// subnet/db/a      10.0.4.0/24  public=false
	// subnet/db/b      10.0.5.0/24  public=false
	// subnet/intel/a   10.0.2.0/24  public=false
	// subnet/intel/b   10.0.3.0/24  public=false
	// subnet/nginx/a   10.0.0.0/24  public=true
	// subnet/nginx/b   10.0.1.0/24  public=true
}

// An architecture written by hand: a public load balancer in front of an
// application cluster, a PostgreSQL database behind it.
func ExampleArchitecture_Build() {
	arch := pattern.New("shop", "10.20.0.0/16").
		AddTier(tier.LoadBalancers("edge", netplan.Public), tier.App("app"), tier.PostgreSQL("db")).
		AddLB(tier.PublicLB("front", "edge", "app", 8080)).
		AddCluster(tier.NewCluster("app", "ami-0abc", "t3.small")).
		AddDatabase(tier.NewDatabase("db", tier.EnginePostgres, "db.t3.micro")).
		Connect("app", "db").
		Flow("app -> internet tcp/443 # partner APIs, through a NAT per zone")
	bp, err := arch.Build()
	if err != nil {
		log.Fatal(err)
	}
	counts := map[blueprint.Kind]int{}
	for _, r := range bp.Resources {
		counts[r.Kind]++
	}
	for _, k := range blueprint.Kinds {
		fmt.Printf("%s: %d\n", k, counts[k])
	}
	lb, _ := bp.Resource("load_balancer/front")
	fmt.Println(lb.LoadBalancer.Name, lb.LoadBalancer.Subnets)
	fmt.Println("findings:", len(bp.Findings))
	rules, _ := bp.Resource("security_group_rules/app")
	for _, r := range rules.SecurityGroupRules.Inbound {
		fmt.Printf("app accepts %s/%d from %s\n", r.Protocol, r.FromPort, r.Group)
	}
	// Output:
	// net: 1
	// subnet: 6
	// internet_gateway: 1
	// public_ip: 2
	// nat_gateway: 2
	// vpn_gateway: 0
	// customer_gateway: 0
	// vpn_connection: 0
	// vpn_appliance: 0
	// net_peering: 0
	// route_table: 6
	// security_group: 4
	// security_group_rules: 4
	// network_acl: 3
	// flow_log: 1
	// net_endpoint: 0
	// instance_role: 0
	// load_balancer: 1
	// key_pair: 0
	// image_copy: 0
	// backup_vault: 0
	// backup_plan: 0
	// cluster: 1
	// database: 1
	// database_replica: 0
	// cache: 0
	// broker: 0
	// shop-front [subnet/edge/a subnet/edge/b]
	// findings: 0
	// app accepts tcp/8080 from security_group/front
}

// Seed 001's availability table, and what two nodes per tier over two
// zones buy.
func ExampleAvailability() {
	for _, a := range []pattern.Availability{0.99, 0.999, 0.9999, 0.99999, 0.999999} {
		fmt.Println(a)
	}
	report, err := pattern.ThreeTier(pattern.ThreeTierOptions{}).Availability(0.99, 0.9999)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(report)
	// Output:
	// 99% (2 nines, 3.65 days down per year)
	// 99.9% (3 nines, 8.76 hours down per year)
	// 99.99% (4 nines, 52.56 minutes down per year)
	// 99.999% (5 nines, 5.26 minutes down per year)
	// 99.9999% (6 nines, 31.5 seconds down per year)
	// nginx      2 nodes in 2 zones: 99.9898% (3.99 nines, 53.61 minutes down per year)
	// intel      2 nodes in 2 zones: 99.9898% (3.99 nines, 53.61 minutes down per year)
	// db         2 nodes in 2 zones: 99.9898% (3.99 nines, 53.61 minutes down per year)
	// path nginx -> intel -> db: 99.9694% (3.51 nines, 2.68 hours down per year)
}

// Lint findings come back with the Blueprint; errors stop Build.
func ExampleChecks() {
	arch := pattern.WebApp(pattern.WebAppOptions{})
	arch.NAT = netplan.NATShared
	arch.Database("db").BackupRetentionDays = 0
	bp, err := arch.Build()
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range bp.Findings {
		fmt.Println(f.Severity, f.ID, f.Subject)
	}
	// Output:
	// warning PT004 nat
	// warning PT007 databases[db]
}

// The ready patterns give their stateless clusters a target-tracking
// scaling policy (60% CPU, 300 s warmup); TargetCPU changes it, a
// negative TargetCPU removes it, and stateful clusters never get one.
func ExampleCloudNative_scaling() {
	for _, target := range []int{0, 75, -1} {
		bp, err := pattern.CloudNative(pattern.CloudNativeOptions{TargetCPU: target}).Build()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("TargetCPU %d:", target)
		for _, r := range bp.OfKind(blueprint.KindCluster) {
			if s := r.Cluster.Scaling; s != nil {
				fmt.Printf(" %s %d..%d at %d%% cpu;", r.Cluster.Tier, r.Cluster.Min, r.Cluster.Max, s.TargetCPUPercent)
			} else {
				fmt.Printf(" %s fixed;", r.Cluster.Tier)
			}
		}
		fmt.Println()
	}
	// Output:
	// TargetCPU 0: app 2..6 at 60% cpu; bus fixed; db fixed; web 2..6 at 60% cpu;
	// TargetCPU 75: app 2..6 at 75% cpu; bus fixed; db fixed; web 2..6 at 75% cpu;
	// TargetCPU -1: app fixed; bus fixed; db fixed; web fixed;
}

// An office reached over a site-to-site VPN: the VPN gateway, the
// customer gateway for the office's device and the connection with a
// static route per office block; the application tier, which the office
// reaches, routes the office's block to the gateway, and reachability
// follows that route.
func ExampleArchitecture_VPN() {
	arch := pattern.New("shop", "10.20.0.0/16").
		AddTier(tier.App("app")).
		Peer("office", netip.MustParsePrefix("192.168.0.0/16")).
		VPN("office", pattern.VPN{PublicIP: netip.MustParseAddr("198.51.100.7")}).
		Flow("peer:office -> app tcp/22")
	arch.NAT = netplan.NATNone
	bp, err := arch.Build()
	if err != nil {
		log.Fatal(err)
	}
	for _, k := range []blueprint.Kind{blueprint.KindVPNGateway, blueprint.KindCustomerGateway, blueprint.KindVPNConnection} {
		for _, r := range bp.OfKind(k) {
			fmt.Println(r.ID, r.DependsOn)
		}
	}
	conn, _ := bp.Resource("vpn_connection/office")
	fmt.Println("static routes:", conn.VPNConnection.StaticRoutes)
	rt, _ := bp.Resource("route_table/app/a")
	for _, r := range rt.RouteTable.Routes {
		fmt.Println("app/a:", r.Destination, "->", r.Target)
	}
	rules, err := arch.Rules()
	if err != nil {
		log.Fatal(err)
	}
	for _, port := range []uint16{22, 23} {
		v := rules.CanReach(netplan.Query{From: netplan.Peer("office"), To: "app", Protocol: netplan.ProtocolTCP, Port: port})
		fmt.Printf("office -> app tcp/%d: %s\n", port, v)
	}
	// Output:
	// vpn_gateway/main [net/main]
	// customer_gateway/office []
	// vpn_connection/office [customer_gateway/office vpn_gateway/main]
	// static routes: [192.168.0.0/16]
	// app/a: 192.168.0.0/16 -> vpn_gateway/main
	// office -> app tcp/22: allowed
	// office -> app tcp/23: blocked at acl-in app: #32766 deny all 0.0.0.0/0 matches tcp/23 from 192.168.0.0/16
}

// A web application whose nodes consume a queue and read the database's
// password: the application cluster gets a role whose policy allows
// exactly that, and the Net its flow log. The placeholders are filled
// by the driver with its region and the role's account; the secret's ARN
// is the one RDS made for the database.
func ExampleArchitecture_grants() {
	a := pattern.WebApp(pattern.WebAppOptions{Name: "shop"})
	for i := range a.Clusters {
		if a.Clusters[i].Tier == "app" {
			a.Clusters[i].Grants = []tier.Grant{tier.ConsumeQueue("orders"), tier.DatabaseSecret("db")}
		}
	}
	bp, err := a.Build()
	if err != nil {
		log.Fatal(err)
	}
	role, _ := bp.Resource("instance_role/app")
	fmt.Println("role:", role.InstanceRole.Name)
	for _, s := range role.InstanceRole.Statements {
		if s.Secret != "" {
			fmt.Println(s.Sid, s.Actions, "the secret of", s.Secret)
			continue
		}
		fmt.Println(s.Sid, s.Actions, s.Resources)
	}
	cluster, _ := bp.Resource("cluster/app")
	fmt.Println("launch template profile:", cluster.Cluster.InstanceRole)
	fl, _ := bp.Resource("flow_log/main")
	fmt.Println("flow logs to", fl.FlowLog.LogGroup, "through role", fl.FlowLog.Role)
	// Output:
	// role: shop-instance_role-app
	// DatabaseSecretDb [secretsmanager:DescribeSecret secretsmanager:GetSecretValue] the secret of database/db
	// QueueReadOrders [sqs:ChangeMessageVisibility sqs:DeleteMessage sqs:GetQueueAttributes sqs:GetQueueUrl sqs:ReceiveMessage] [arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders]
	// launch template profile: instance_role/app
	// flow logs to /archkit/shop/flow-logs through role shop-flow_log-main
}

// An application that connects to its RabbitMQ broker reads the broker's
// administrative user and password from the broker's secret: its cluster
// gets a role allowing exactly that one read, on the secret the driver
// makes with the broker (on AWS its Parts["secret"]), made after it.
func ExampleArchitecture_brokerSecret() {
	a := pattern.New("shop", "10.0.0.0/16").WithZones("a", "b")
	a.Profile = netplan.AWS
	appTier, bus := tier.App("app"), tier.Tier{Name: "bus", Role: tier.RoleQueue, Exposure: netplan.Isolated}
	appTier.Exposure = netplan.Isolated // no NAT: the nodes reach Secrets Manager through its endpoint
	a.AddTier(appTier, bus).Connect("app", "bus")
	app := tier.NewCluster("app", "ami-0123456789abcdef0", "t3.micro")
	app.Grants = []tier.Grant{tier.BrokerSecret("bus")}
	a.AddCluster(app).AddBroker(tier.NewBroker("bus", tier.BrokerRabbitMQ, "mq.m7g.large"))
	bp, err := a.Build()
	if err != nil {
		log.Fatal(err)
	}
	role, _ := bp.Resource("instance_role/app")
	for _, s := range role.InstanceRole.Statements {
		fmt.Println(s.Sid, s.Actions, "the secret of", s.BrokerSecret)
	}
	fmt.Println("made after:", role.DependsOn)
	// Output:
	// BrokerSecretBus [secretsmanager:GetSecretValue] the secret of broker/bus
	// made after: [broker/bus]
}

// ExampleRegions declares the web app in a primary region and a
// warm-standby recovery region, linked so that the primary's application
// reads the recovery region's database; provider.Fleet applies it with one
// driver per region.
func ExampleRegions() {
	m := pattern.Regions("shop", "10.0.0.0/8", func(region string) *pattern.Architecture {
		return pattern.WebApp(pattern.WebAppOptions{Name: "shop", Profile: netplan.AWS})
	}).Primary("eu-west-3").
		Recovery("eu-west-1", pattern.WarmStandby).
		Link("eu-west-3", "eu-west-1").
		Flow("app@eu-west-3 -> db@eu-west-1 tcp/3306")
	bps, err := m.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, region := range m.Regions() {
		bp := bps[region]
		net, _ := bp.Resource("net/" + region)
		app, _ := bp.Resource("cluster/app")
		rt, _ := bp.Resource("route_table/app/a")
		fmt.Printf("%s: Net %s, app nodes %d, routes %v\n", region, net.Net.CIDR, app.Cluster.Desired, rt.RouteTable.Routes)
	}
	// Output:
	// eu-west-3: Net 10.0.0.0/16, app nodes 2, routes [0.0.0.0/0 -> nat_gateway/nat/a 10.1.4.0/24 -> net_peering/eu-west-3-eu-west-1 10.1.5.0/24 -> net_peering/eu-west-3-eu-west-1]
	// eu-west-1: Net 10.1.0.0/16, app nodes 1, routes [0.0.0.0/0 -> nat_gateway/nat/a]
}

// A bastion in each zone with the admin's public key: a key pair named
// after the key, the nodes started with it, SSH from the admin block only.
// The key is the public line of ~/.ssh/id_ed25519.pub; a private key is
// refused by Build.
func ExampleArchitecture_AddBastionHost() {
	arch := pattern.New("shop", "10.0.0.0/16").
		AddTier(tier.App("app")).
		AddCluster(tier.NewCluster("app", "ami-0abc", "t3.small")).
		AddBastionHost("bastion", pattern.Bastion{
			Admins:    netplan.CIDR(netip.MustParsePrefix("203.0.113.0/24")),
			Image:     "ami-0abc",
			PublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs alice@laptop",
			PerZone:   true,
			Targets:   []string{"app"},
		})
	bp, err := arch.Build()
	if err != nil {
		log.Fatal(err)
	}
	kp, _ := bp.Resource("key_pair/bastion")
	c, _ := bp.Resource("cluster/bastion")
	rules, _ := bp.Resource("security_group_rules/bastion")
	fmt.Println(kp.KeyPair.Name)
	fmt.Println(c.Cluster.KeyPair, c.Cluster.Desired, "nodes")
	for _, r := range rules.SecurityGroupRules.Inbound {
		fmt.Println("in:", r.Text(true))
	}
	// Output:
	// shop-bastion-cff7d2bf
	// key_pair/bastion 2 nodes
	// in: tcp 22 from 203.0.113.0/24
}

// ExampleArchitecture_endpoints derives the Net's endpoints from what the
// app cluster is granted: the bucket gives an S3 gateway endpoint on the
// app tier's route tables, the queue an SQS interface endpoint in its
// subnets whose own group admits HTTPS from the app tier only.
func ExampleArchitecture_endpoints() {
	a := pattern.WebApp(pattern.WebAppOptions{Name: "shop", Profile: netplan.AWS})
	for i := range a.Clusters {
		if a.Clusters[i].Tier == "app" {
			a.Clusters[i].Grants = []tier.Grant{tier.ReadBucket("shop-assets"), tier.ConsumeQueue("orders")}
		}
	}
	bp, err := a.Build()
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range bp.OfKind(blueprint.KindNetEndpoint) {
		e := r.NetEndpoint
		fmt.Println(r.ID, e.Type, e.RouteTables, e.Subnets, e.SecurityGroups)
	}
	rules, _ := bp.Resource("security_group_rules/endpoint-sqs")
	for _, in := range rules.SecurityGroupRules.Inbound {
		fmt.Println("endpoint-sqs admits", in.Text(true))
	}
	r, _ := a.Rules()
	for _, from := range []string{"app", "db"} {
		fmt.Println(from, "-> s3:", r.CanReach(netplan.Query{From: netplan.Tier(from), To: "service:s3", Protocol: netplan.ProtocolTCP, Port: 443}))
	}
	// Output:
	// net_endpoint/s3 Gateway [route_table/app/a route_table/app/b] [] []
	// net_endpoint/sqs Interface [] [subnet/app/a subnet/app/b] [security_group/endpoint-sqs]
	// endpoint-sqs admits tcp 443 from security_group/app
	// app -> s3: allowed
	// db -> s3: blocked at security-group-out db: no outbound rule allows tcp/443 to the prefix list of s3
}

// ExampleArchitecture_AddBroker gives the cloud-native document's
// application its AMQP bus as a managed RabbitMQ broker (Amazon MQ): a
// cluster of three nodes over the bus tier's zones, reachable on AMQPS and
// the console from the application tier only. Its administrative user's
// password is nowhere in the Blueprint: the AWS driver makes it and keeps
// it in Secrets Manager. On OUTSCALE the engine builds the fallback
// RabbitMQ cluster instead, with AllowFallback.
func ExampleArchitecture_AddBroker() {
	a := pattern.New("orders", "10.0.0.0/16").WithZones("a", "b", "c")
	a.Profile = netplan.AWS
	app := tier.App("app")
	app.Exposure = netplan.Isolated                                                 // no way out: no NAT
	bus := tier.Tier{Name: "bus", Role: tier.RoleQueue, Exposure: netplan.Isolated} // no ports: the broker's
	a.AddTier(app, bus).Connect("app", "bus")
	a.AddCluster(tier.NewCluster("app", "ami-0abc", "t3.small"))
	b := tier.NewBroker("bus", tier.BrokerRabbitMQ, "mq.m7g.large")
	b.Version, b.MaintenanceWindow = "4.2", "Sun:03:00"
	b.FallbackToCluster, b.Fallback = true, tier.NewCluster("bus", "rabbitmq-image", "t3.medium")
	bp, err := a.AddBroker(b).Build()
	if err != nil {
		log.Fatal(err)
	}
	r, _ := bp.Resource("broker/bus")
	s := r.Broker
	fmt.Println(s.Engine, s.EngineVersion, s.InstanceType, "multi-AZ:", s.MultiAZ, "subnets:", len(s.Subnets), "user:", s.Username)
	fmt.Println("stateful:", r.IsStateful())
	rules, _ := bp.Resource("security_group_rules/bus")
	for _, in := range rules.SecurityGroupRules.Inbound {
		fmt.Println("inbound", in.Text(true))
	}
	// Output:
	// rabbitmq 4.2 mq.m7g.large multi-AZ: true subnets: 3 user: archkit_admin
	// stateful: true
	// inbound tcp 443 from security_group/app
	// inbound tcp 5671 from security_group/app
}

// A snapshot schedule of the web app's application tier, taken in the
// primary region every day at 03:00 UTC, kept 7 days, each snapshot
// copied to the recovery region's vault and kept there 30 days.
func ExampleSnapshotSchedule() {
	m := pattern.WebAppRecovery(pattern.WebAppOptions{Name: "shop", Image: "ami-app"},
		pattern.Recovery{Primary: "eu-west-3", Region: pattern.Region{Name: "eu-west-1", Posture: pattern.PilotLight},
			Snapshots: &pattern.SnapshotSchedule{Cron: "cron(0 3 * * ? *)", KeepDays: 7, CopyKeepDays: 30, Tiers: []string{"app"}}})
	bps, err := m.Build()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, region := range m.Regions() {
		for _, r := range bps[region].Resources {
			switch r.Kind {
			case blueprint.KindBackupVault:
				fmt.Printf("%s: vault %s\n", region, r.BackupVault.Name)
			case blueprint.KindBackupPlan:
				p := r.BackupPlan
				fmt.Printf("%s: %s, kept %d days, copied to %s/%s and kept %d days, volumes tagged %s=%s\n",
					region, p.Schedule, p.KeepDays, p.Copies[0].Region, p.Copies[0].Vault, p.CopyKeepDays(p.Copies[0]), blueprint.TagBackup, p.Select)
			case blueprint.KindCluster:
				fmt.Printf("%s: %s volumes tagged %q\n", region, r.ID, r.Cluster.Backup)
			}
		}
	}
	// Output:
	// eu-west-3: cron(0 3 * * ? *), kept 7 days, copied to eu-west-1/shop-snapshots and kept 30 days, volumes tagged archkit:backup=snapshots
	// eu-west-3: vault shop-snapshots
	// eu-west-3: cluster/app volumes tagged "snapshots"
	// eu-west-1: vault shop-snapshots
	// eu-west-1: cluster/app volumes tagged ""
}
