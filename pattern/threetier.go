package pattern

import (
	"net/netip"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/tier"
)

// ThreeTierOptions configures [ThreeTier]. Every zero field takes the
// default written next to it.
type ThreeTierOptions struct {
	Name    string          // deployment name; "threetier"
	CIDR    string          // "10.0.0.0/16"
	Zones   []string        // DefaultZones ("a", "b")
	Profile netplan.Profile // zero: generic, with network ACLs
	// Ephemeral is the ephemeral port range of the nodes' operating
	// system, for the network ACLs' replies (Architecture.Ephemeral);
	// zero: 1024-65535, every system.
	Ephemeral netplan.PortRange

	Web, App, DB string   // tier names; "nginx", "intel", "db" as in the three-tier document
	WebPorts     []uint16 // 80, 443 (TLS terminated on nginx)
	AppPort      uint16   // 8080
	DBPort       uint16   // 3306 (MySQL)

	// SubnetBits sizes every subnet; 24.
	SubnetBits int
	// Nodes is the number of nodes of each cluster, spread over the
	// zones; 2 (one per zone).
	Nodes        int
	InstanceType string // "t3.small"
	// Images of the nodes; "nginx-image", "intel-image", "mysql-image":
	// set real AMI or OMI ids before applying to a cloud.
	WebImage, AppImage, DBImage string

	// AppEgress lets the application open HTTPS connections to the
	// internet (packages, partner APIs) through one NAT per zone. Without
	// it the application tier is isolated: reachable from the fronts only,
	// with no route out of the Net and no NAT to pay for.
	AppEgress bool

	// BastionImage is the image of the bastion's node; "bastion-image".
	BastionImage string
	// AdminCIDR, when set, adds a bastion tier reachable on SSH from it
	// only, which may reach every node on SSH (the three-tier document: connect to VMs
	// through a bastion host).
	AdminCIDR netip.Prefix
	// BastionPublicKey is the SSH public key of the bastion's key pair
	// ([Bastion.PublicKey]); "": none.
	BastionPublicKey tier.PublicKey
	// BastionPerZone runs a bastion in each zone ([Bastion.PerZone]).
	BastionPerZone bool
}

func (o *ThreeTierOptions) defaults() {
	def(&o.BastionImage, "bastion-image")
	def(&o.Name, "threetier")
	def(&o.CIDR, "10.0.0.0/16")
	def(&o.Web, "nginx")
	def(&o.App, "intel")
	def(&o.DB, "db")
	if len(o.WebPorts) == 0 {
		o.WebPorts = []uint16{80, 443}
	}
	def(&o.AppPort, 8080)
	def(&o.DBPort, 3306)
	def(&o.SubnetBits, 24)
	def(&o.Nodes, 2)
	def(&o.InstanceType, "t3.small")
	def(&o.WebImage, "nginx-image")
	def(&o.AppImage, "intel-image")
	def(&o.DBImage, "mysql-image")
}

func def[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// ThreeTier returns the three-tier Net on OUTSCALE in a Net: NGINX fronts in
// public subnets on tcp/80 and tcp/443, the "intel" application in private
// subnets on tcp/8080 (isolated unless AppEgress is set: the document's
// private services are reachable from inside the Net only), MySQL database VMs in isolated subnets on tcp/3306;
// one service per subnet, one security group and one route table per
// subnet, each layer reaching only the one above and the one below, every
// tier in two zones.
//
// The result is an ordinary Architecture: add tiers, flows or load
// balancers before calling Build.
func ThreeTier(o ThreeTierOptions) *Architecture {
	o.defaults()
	a := New(o.Name, o.CIDR)
	a.Zones = o.Zones
	a.Profile = o.Profile
	a.Ephemeral = o.Ephemeral

	web := tier.Nginx(o.Web)
	web.Ports = tcpPorts(o.WebPorts...)
	app := tier.App(o.App)
	app.Ports = tcpPorts(o.AppPort)
	app.Description = "intel application"
	if !o.AppEgress {
		app.Exposure = netplan.Isolated
	}
	db := tier.MySQL(o.DB)
	listenOn(&db, o.DBPort)
	for _, t := range []*tier.Tier{&web, &app, &db} {
		t.SubnetBits = o.SubnetBits
	}
	a.AddTier(web, app, db)
	a.Connect("internet", o.Web).Connect(o.Web, o.App).Connect(o.App, o.DB)
	if o.AppEgress {
		a.Flow(o.App + " -> internet tcp/443 # packages and partner APIs through the NAT")
	}

	wc := tier.NewCluster(o.Web, o.WebImage, o.InstanceType)
	ac := tier.NewCluster(o.App, o.AppImage, o.InstanceType)
	dc := tier.NewCluster(o.DB, o.DBImage, o.InstanceType)
	dc.Stateless = false
	// The three-tier Net runs on OUTSCALE, which has no autoscaling: the clusters
	// keep their size (add a tier.Scaling and raise Max to let them grow
	// on a cloud that scales).
	for _, c := range []*tier.Cluster{&wc, &ac, &dc} {
		c.Min, c.Desired, c.Max = o.Nodes, o.Nodes, o.Nodes
	}
	a.AddCluster(wc, ac, dc)
	if o.AdminCIDR.IsValid() {
		a.AddBastionHost("bastion", Bastion{Admins: netplan.CIDR(o.AdminCIDR), Image: o.BastionImage, PublicKey: o.BastionPublicKey,
			PerZone: o.BastionPerZone, Targets: []string{o.Web, o.App, o.DB}})
	}
	return a
}

func tcpPorts(ps ...uint16) []tier.Port {
	out := make([]tier.Port, 0, len(ps))
	for _, p := range ps {
		out = append(out, tier.TCP(p))
	}
	return out
}

// listenOn moves the service of t to TCP port p: its Ports become p
// alone, and a peer port on the service's old port (a Galera node's state
// transfer by mysqldump on 3306) moves with it.
func listenOn(t *tier.Tier, p uint16) {
	for i, pp := range t.PeerPorts {
		for _, old := range t.Ports {
			if pp.Protocol == old.Protocol && pp.Range == old.Range {
				t.PeerPorts[i].Range = netplan.Port(p)
			}
		}
	}
	t.Ports = tcpPorts(p)
}
