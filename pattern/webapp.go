package pattern

import (
	"net/netip"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/tier"
)

// WebAppOptions configures [WebApp]. Every zero field takes the default
// written next to it.
type WebAppOptions struct {
	Name    string   // deployment name; "webapp"
	CIDR    string   // "10.0.0.0/16"
	Zones   []string // DefaultZones ("a", "b")
	Profile netplan.Profile
	// Ephemeral is the ephemeral port range of the nodes' operating
	// system, for the network ACLs' replies (Architecture.Ephemeral);
	// zero: 1024-65535, every system.
	Ephemeral netplan.PortRange

	Public, App, DB string // tier names; "public", "app", "db"
	AppPort         uint16 // 8080 (Tomcat)
	SubnetBits      int    // 24
	// Certificate, when set, adds an HTTPS listener on 443 terminating TLS.
	Certificate     string
	HealthCheckPath string // "/health"

	Image        string      // the application image; "app-image"
	InstanceType string      // "t3.small"
	UserData     tier.Secret // cloud-init run at boot
	Min, Max     int         // 2, 6 nodes
	// TargetCPU is the average CPU percentage the application cluster's
	// scaling policy keeps (warmup 300 s) when Max > Min; 60. Negative:
	// no scaling policy, the cluster stays at Min nodes.
	TargetCPU int

	Engine  tier.Engine // tier.EngineMySQL
	DBClass string      // "db.t3.micro"
	// DBImage is the image of the database cluster built instead of the
	// managed database on a cloud without one (OUTSCALE, with the engine's
	// AllowFallback): DBNodes VMs of InstanceType; "<engine>-image", 3.
	DBImage string
	DBNodes int

	// BastionImage is the image of the bastion's node; "bastion-image".
	BastionImage string
	// AdminCIDR, when set, adds a bastion in the public subnets reachable
	// on SSH from it only.
	AdminCIDR netip.Prefix
	// BastionPublicKey is the SSH public key of the bastion's key pair
	// ([Bastion.PublicKey]); "": none.
	BastionPublicKey tier.PublicKey
	// BastionPerZone runs a bastion in each zone ([Bastion.PerZone]).
	BastionPerZone bool
}

func (o *WebAppOptions) defaults() {
	def(&o.BastionImage, "bastion-image")
	def(&o.Name, "webapp")
	def(&o.CIDR, "10.0.0.0/16")
	def(&o.Public, "public")
	def(&o.App, "app")
	def(&o.DB, "db")
	def(&o.AppPort, 8080)
	def(&o.SubnetBits, 24)
	def(&o.HealthCheckPath, "/health")
	def(&o.Image, "app-image")
	def(&o.InstanceType, "t3.small")
	def(&o.Min, 2)
	def(&o.Max, 6)
	def(&o.TargetCPU, 60)
	def(&o.Engine, tier.EngineMySQL)
	def(&o.DBClass, "db.t3.micro")
	def(&o.DBImage, string(o.Engine)+"-image")
	def(&o.DBNodes, 3)
}

// WebApp returns the web app migrated to AWS: two zones, a public and a
// private subnet in each (and isolated database subnets), an internet
// gateway, a NAT per zone, an application load balancer with a target
// group and a health check in front of an autoscaling cluster started
// from an image with user data (scaling out and in between Min and Max to
// keep TargetCPU), and a managed database in the isolated
// subnets with a Multi-AZ standby. Nothing is public but the load
// balancer (and the bastion when AdminCIDR is set).
func WebApp(o WebAppOptions) *Architecture {
	o.defaults()
	a := New(o.Name, o.CIDR)
	a.Zones = o.Zones
	a.Profile = o.Profile
	a.Ephemeral = o.Ephemeral

	pub := tier.LoadBalancers(o.Public, netplan.Public)
	app := tier.App(o.App)
	app.Ports = tcpPorts(o.AppPort)
	db := tier.MySQL(o.DB)
	if o.Engine == tier.EnginePostgres {
		db = tier.PostgreSQL(o.DB)
	}
	for _, t := range []*tier.Tier{&pub, &app, &db} {
		t.SubnetBits = o.SubnetBits
	}
	a.AddTier(pub, app, db)

	lb := tier.PublicLB(o.App+"-lb", o.Public, o.App, o.AppPort)
	if o.Certificate != "" {
		lb.Listeners = append(lb.Listeners, tier.HTTPS(443, o.AppPort, o.Certificate))
	}
	lb.HealthCheck.Path = o.HealthCheckPath
	a.AddLB(lb)

	c := tier.NewCluster(o.App, o.Image, o.InstanceType)
	c.UserData = o.UserData
	c.Min, c.Desired, c.Max = o.Min, o.Min, o.Max
	c.Scaling = scaling(c, o.TargetCPU)
	a.AddCluster(c)
	a.AddDatabase(withFallback(tier.NewDatabase(o.DB, o.Engine, o.DBClass), o.DBImage, o.InstanceType, o.DBNodes))

	a.Connect(o.App, o.DB)
	a.Flow(o.App + " -> internet tcp/443 # updates and packages through the NAT")
	if o.AdminCIDR.IsValid() {
		a.AddBastionHost("bastion", Bastion{Admins: netplan.CIDR(o.AdminCIDR), Image: o.BastionImage, PublicKey: o.BastionPublicKey,
			PerZone: o.BastionPerZone, Targets: []string{o.App}})
	}
	return a
}

// scaling returns the ready patterns' policy for c: the target CPU
// percentage targetCPU with a warmup of 300 seconds, or nil when
// targetCPU is negative or c cannot scale (stateful, or Max <= Min).
func scaling(c tier.Cluster, targetCPU int) *tier.Scaling {
	if targetCPU < 0 || !c.Stateless || c.Max <= c.Min {
		return nil
	}
	s := tier.DefaultScaling()
	s.TargetCPUPercent = targetCPU
	return s
}

// withFallback gives d a fallback: on a cloud without managed databases, a
// fixed cluster of nodes VMs from image (the cloud-native document: a database runs in
// cluster mode, Percona for MySQL), spread over the database's zones.
func withFallback(d tier.Database, image, instanceType string, nodes int) tier.Database {
	d.FallbackToCluster = true
	d.Fallback = tier.NewCluster(d.Tier, image, instanceType)
	d.Fallback.Min, d.Fallback.Desired, d.Fallback.Max = nodes, nodes, nodes
	return d
}
