// Package pattern composes tiers into architectures and builds them into
// a [blueprint.Blueprint]: the provider-neutral desired state that
// provider.Engine applies to AWS, OUTSCALE or the in-memory fake.
//
// # Architectures
//
// An [Architecture] is a Net (a name, a CIDR, zones: "a" and "b" unless
// told otherwise) with tiers ([tier.Tier]), flows between them
// ([netplan.Flow], or [Architecture.Connect]), clusters, load balancers
// and managed databases. Its fields are exported and its methods chain:
//
//	arch := pattern.New("shop", "10.0.0.0/16").
//		AddTier(tier.LoadBalancers("edge", netplan.Public), tier.App("app"), tier.PostgreSQL("db")).
//		AddLB(tier.PublicLB("front", "edge", "app", 8080)).
//		AddCluster(tier.NewCluster("app", "ami-0abc", "t3.small")).
//		AddDatabase(tier.NewDatabase("db", tier.EnginePostgres, "db.t3.micro")).
//		Connect("app", "db")
//	bp, err := arch.Build()
//
// The ready patterns return the same builder, one per architecture:
//
//   - [ThreeTier], the three-tier Net on OUTSCALE: NGINX fronts, an
//     application tier and MySQL, each in its own subnets;
//   - [CloudNative], cloud-native clusters: every service a cluster behind
//     its own load balancer, a message bus, a database cluster;
//   - [DMZ], the DMZ zones with a database zone, with the network ACLs of
//     the source document's Table 1;
//   - [WebApp], the web app migrated to AWS: ALB, autoscaling group, RDS
//     Multi-AZ;
//   - [Elastic], the elastic multi-zone platform: multi-zone clusters, a
//     cache, a managed database with backups.
//
// Each follows a source document, named in the docs as "the three-tier
// document", "the cloud-native document", "the DMZ document", "the AWS
// migration document" and "the elastic platform document": a three-tier
// web stack on an OUTSCALE Net; availability rules for cloud-native
// applications (clusters of at least two nodes, downtime per year); DMZ
// and database zones with their firewall table (Table 1); a web
// application's migration to AWS (ALB, Auto Scaling, RDS Multi-AZ); an
// elastic multi-zone platform with a cache and a managed database.
//
// # Build
//
// [Architecture.Build] is pure and deterministic. It validates everything
// and reports every problem at once (errors.Join, each naming the field to
// change: "pattern: lbs[0].target: idle: tier has no cluster to balance;
// add a tier.Cluster for it"), plans one subnet per tier per zone with
// [netplan.Planner] (subnets listed in Pinned never move), derives
// security groups, network ACLs and routes with [netplan.Derive],
// runs the lint [Checks] and returns the Blueprint. Lint findings of
// severity error stop Build; warnings and infos come back in
// Blueprint.Findings. Every problem matches [ErrInvalid] with errors.Is,
// besides its own sentinel (netplan.ErrNoSpace, tier.ErrInvalid ...), so
// one test tells an architecture to fix from a cloud's refusal. A finding
// can be accepted for one subject with a reason
// ([Architecture.Acknowledge]): it then stops nothing, and the Blueprint
// keeps it with the reason, which every plan shows.
//
// The lint catches what people get wrong: a load balancer sending its
// traffic or health checks to a port the target tier does not listen on
// (PT014), a flow to a port the destination does not listen on (PT015),
// a database, cache or queue tier with nothing in it (PT016), a bastion
// without a machine (PT017), a public tier behind a load balancer (PT018),
// and, on the Blueprint itself ([blueprint.Blueprint.Lint], which the
// engine runs too), SSH, RDP or a database port open to every address,
// whole or in pieces (BP001-BP003), and the opt-outs of the secure
// defaults.
//
// [Architecture.BuildAround] is Build around what is deployed: the engine
// (package provider) calls it with the subnets it found by the
// deployment's tags, so that every deployed subnet keeps its range
// whatever tiers or zones are added or removed. An Architecture is thus a
// provider.Source: eng.Apply(ctx, arch).
//
// Load balancers get their own security group. A flow to a load balancer
// reaches that group; the balancer forwards to its target tier on the
// listeners' target ports and the health-check port, and the target tier
// accepts that traffic from the balancer's group only. For network ACLs,
// routes and reachability, a load balancer's traffic is that of the tier
// whose subnets hold it.
//
// # Resource ids
//
// Every resource has a logical id "<kind>/<name>[/<zone>]" that never
// depends on a position in a list:
//
//	net/<net>                      the Net ("net/main")
//	subnet/<tier>/<zone>           one per tier per zone ("subnet/web/a")
//	internet_gateway/<net>         when a tier is public
//	public_ip/nat/<zone>           the NAT's address
//	nat_gateway/nat/<zone>         in the zone's first public tier
//	vpn_gateway/<net>              when a peer has a VPN ([Architecture.VPN])
//	customer_gateway/<peer>        the peer's VPN device
//	vpn_connection/<peer>          its site-to-site VPN connection
//	route_table/<tier>/<zone>      one per subnet
//	security_group/<tier or lb>    one per tier and per load balancer
//	security_group_rules/<tier or lb>
//	network_acl/<tier>             network ACL (none on OUTSCALE)
//	load_balancer/<lb>
//	key_pair/<tier>                when the cluster has an SSH public key
//	cluster/<tier>
//	database/<tier>
//	database_replica/<tier>/<n>    one per read replica, from 1
//
// Cloud names derive from the deployment: security group "<deployment>-<tier>",
// load balancer [LBName], key pair "<deployment>-<tier>-<hash of the key>".
//
// # Names across clouds
//
//	archkit            AWS                                  OUTSCALE
//	Net                VPC                                  Net
//	zone               Availability Zone                    Subregion
//	subnet             Subnet                               Subnet
//	internet gateway   Internet Gateway (attach)            Internet Service (link)
//	NAT                NAT Gateway + Elastic IP             NAT Service + Public IP
//	route table        Route Table (+ association)          Route Table (+ link)
//	VPN gateway        Virtual Private Gateway (attach)     Virtual Gateway (link)
//	customer gateway   Customer Gateway                     Client Gateway
//	VPN connection     Site-to-Site VPN Connection          VPN Connection
//	security group     Security Group (group pairs)         Security Group (SecurityGroupsMembers)
//	network ACL        Network ACL                          none: security groups enforce
//	image              AMI                                  OMI
//	key pair           Key Pair (ImportKeyPair)             Keypair (CreateKeypair)
//	cluster            Launch Template + Auto Scaling Group VMs kept at the desired count
//	load balancer      ALB / NLB + target group + listener  LBU + listeners + health check
//	managed database   RDS (subnet group, Multi-AZ)         VMs (Database.Fallback cluster)
//	managed cache      ElastiCache (subnet group; Redis     VMs (Cache.Fallback cluster)
//	                   replication group, Memcached cluster)
//	managed broker     Amazon MQ for RabbitMQ (admin        VMs (Broker.Fallback cluster)
//	                   password in Secrets Manager)
//
// # Availability and diagrams
//
// [Availability] does the cloud-native document's availability arithmetic: redundant parts in
// [Parallel], the request path in [Series], nodes [Spread] over zones;
// [Architecture.Availability] reports it for each tier and the path.
// [Architecture.Mermaid] and [Architecture.DOT] draw the architecture.
package pattern
