package pattern

import (
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/tier"
)

// Bus is the message bus of [CloudNative].
type Bus string

// The buses the cloud-native document names.
const (
	BusRabbitMQ Bus = "rabbitmq" // AMQP, tcp/5672
	BusKafka    Bus = "kafka"    // tcp/9092
)

// CloudNativeOptions configures [CloudNative]. Every zero field takes the
// default written next to it.
type CloudNativeOptions struct {
	Name    string   // deployment name; "cloudnative"
	CIDR    string   // "10.0.0.0/16"
	Zones   []string // DefaultZones ("a", "b")
	Profile netplan.Profile
	// Ephemeral is the ephemeral port range of the nodes' operating
	// system, for the network ACLs' replies (Architecture.Ephemeral);
	// zero: 1024-65535, every system.
	Ephemeral netplan.PortRange

	Bus Bus // BusRabbitMQ
	// WebPort and AppPort are what the nginx and application nodes
	// listen on; 80 and 8080.
	WebPort, AppPort uint16
	SubnetBits       int // 24
	// Nodes is the size of each stateless cluster; 2 (the cloud-native document: a service
	// is provided by many VMs). MaxNodes bounds scale-out; 6.
	Nodes, MaxNodes int
	// TargetCPU is the average CPU percentage the scaling policy of each
	// stateless cluster keeps (warmup 300 s) when MaxNodes > Nodes; 60
	// (the cloud-native document: add nodes when overloading). Negative: no scaling
	// policy. Stateful clusters never get one.
	TargetCPU int
	// DBNodes is the size of the database and bus clusters; 3 (a quorum).
	DBNodes      int
	InstanceType string // "tinav5.c2r4p2"
	// Images, one per service (the cloud-native document: an OMI per service); "<tier>-image".
	WebImage, AppImage, BusImage, DBImage string
}

func (o *CloudNativeOptions) defaults() {
	def(&o.Name, "cloudnative")
	def(&o.CIDR, "10.0.0.0/16")
	def(&o.Bus, BusRabbitMQ)
	def(&o.WebPort, 80)
	def(&o.AppPort, 8080)
	def(&o.SubnetBits, 24)
	def(&o.Nodes, 2)
	def(&o.MaxNodes, 6)
	def(&o.TargetCPU, 60)
	def(&o.DBNodes, 3)
	def(&o.InstanceType, "tinav5.c2r4p2")
	def(&o.WebImage, "web-image")
	def(&o.AppImage, "app-image")
	def(&o.BusImage, "bus-image")
	def(&o.DBImage, "db-image")
}

// CloudNative returns the cloud-native application: every service
// is a cluster of at least two stateless nodes behind its own load
// balancer (nginx fronts behind a public one, the application behind an
// internal one), the application talks asynchronously through a message
// bus cluster (RabbitMQ over AMQP or Kafka), and the database is a
// cluster of VMs (Percona for MySQL) that is not load balanced. Stateless
// clusters scale out and in between Nodes and MaxNodes with their CPU
// load (TargetCPU); stateful ones keep a fixed size. The tiers are edge (the public load balancer), web, inner
// (the internal load balancer), app, bus and db.
func CloudNative(o CloudNativeOptions) *Architecture {
	o.defaults()
	a := New(o.Name, o.CIDR)
	a.Zones = o.Zones
	a.Profile = o.Profile
	a.Ephemeral = o.Ephemeral

	edge := tier.LoadBalancers("edge", netplan.Public)
	// Nothing but the public load balancer leaves the Net: every other
	// tier is isolated, so no NAT is paid for.
	web := tier.Nginx("web")
	web.Exposure = netplan.Isolated
	web.Ports = tcpPorts(o.WebPort)
	inner := tier.LoadBalancers("inner", netplan.Isolated)
	app := tier.App("app")
	app.Exposure = netplan.Isolated
	app.Ports = tcpPorts(o.AppPort)
	bus := tier.RabbitMQ("bus")
	if o.Bus == BusKafka {
		bus = tier.Kafka("bus")
	}
	db := tier.MySQL("db")
	db.Description = "Percona XtraDB cluster"
	for _, t := range []*tier.Tier{&edge, &web, &inner, &app, &bus, &db} {
		t.SubnetBits = o.SubnetBits
	}
	a.AddTier(edge, web, inner, app, bus, db)

	a.AddLB(tier.PublicLB("web-lb", "edge", "web", o.WebPort), tier.InternalLB("app-lb", "inner", "app", o.AppPort))
	a.Connect("web", "app-lb").Connect("app", "bus").Connect("app", "db")

	for _, c := range []struct {
		tier, image string
		stateless   bool
	}{{"web", o.WebImage, true}, {"app", o.AppImage, true}, {"bus", o.BusImage, false}, {"db", o.DBImage, false}} {
		cl := tier.NewCluster(c.tier, c.image, o.InstanceType)
		cl.Stateless = c.stateless
		if c.stateless {
			cl.Min, cl.Desired, cl.Max = o.Nodes, o.Nodes, o.MaxNodes
		} else {
			cl.Min, cl.Desired, cl.Max = o.DBNodes, o.DBNodes, o.DBNodes
		}
		cl.Scaling = scaling(cl, o.TargetCPU)
		a.AddCluster(cl)
	}
	return a
}
