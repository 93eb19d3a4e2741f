package pattern

import (
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/tier"
)

// DMZOptions configures [DMZ]. Every zero field takes the default
// written next to it.
type DMZOptions struct {
	Name string // deployment name; "dmz"
	CIDR string // "10.0.0.0/16"
	// DataCentres are the two zones (the document's Data Centre 1 and 2); "a"
	// and "b", which the engine maps to the region's zones ending in a and b.
	DataCentres [2]string
	Profile     netplan.Profile
	// Ephemeral is the ephemeral port range of the nodes' operating
	// system, for the network ACLs' replies (Architecture.Ephemeral);
	// zero: 1024-65535, every system.
	Ephemeral netplan.PortRange

	ProdDMZ, DevDMZ, DB, LB string // tier names; "prod-dmz", "dev-dmz", "db", "lb"
	DBPort                  uint16 // 3306 (MySQL)
	SubnetBits              int    // 24
	InstanceType            string // "t3.small"
	// Images; "web-image" and "mysql-image": set real ids before applying.
	WebImage, DBImage string
	// NoSSHFromAnywhere drops the document's global SSH rule: admins then have
	// no way in until a bastion or a VPN peer is added.
	NoSSHFromAnywhere bool
}

func (o *DMZOptions) defaults() {
	def(&o.Name, "dmz")
	def(&o.CIDR, "10.0.0.0/16")
	def(&o.DataCentres[0], "a")
	def(&o.DataCentres[1], "b")
	def(&o.ProdDMZ, "prod-dmz")
	def(&o.DevDMZ, "dev-dmz")
	def(&o.DB, "db")
	def(&o.LB, "lb")
	def(&o.DBPort, 3306)
	def(&o.SubnetBits, 24)
	def(&o.InstanceType, "t3.small")
	def(&o.WebImage, "web-image")
	def(&o.DBImage, "mysql-image")
}

// DMZ returns the DMZ zones with a database zone: a Prod DMZ in both data centres,
// a Dev DMZ and a DB zone in the first, each zone its own subnet behind its
// own network ACL, with the network ACL of the document's Table 1 (global SSH, HTTP
// and HTTPS in; HTTP and HTTPS out; MySQL from the DMZs to the DB zone
// only, ephemeral ports for the replies), and a load balancer in front of
// the Prod DMZ servers, in its own subnets in both data centres.
//
// The document opens SSH to the whole internet for a global admin team: the
// pattern keeps it, explicitly allowed, and Build reports it as a warning
// finding (NP001). Set NoSSHFromAnywhere to drop it.
func DMZ(o DMZOptions) *Architecture {
	o.defaults()
	dc1, dc2 := o.DataCentres[0], o.DataCentres[1]
	a := New(o.Name, o.CIDR).WithZones(dc1, dc2)
	a.Profile = o.Profile
	a.Ephemeral = o.Ephemeral
	a.AllowSSHFromAnywhere = !o.NoSSHFromAnywhere

	prod := tier.Web(o.ProdDMZ)
	prod.Description = "production DMZ"
	dev := tier.Web(o.DevDMZ)
	dev.Description = "development DMZ"
	dev.Zones = []string{dc1}
	db := tier.MySQL(o.DB)
	listenOn(&db, o.DBPort)
	db.Zones = []string{dc1}
	lbt := tier.LoadBalancers(o.LB, netplan.Public)
	for _, t := range []*tier.Tier{&prod, &dev, &db, &lbt} {
		t.SubnetBits = o.SubnetBits
	}
	a.AddTier(lbt, prod, dev, db)

	for _, dmz := range []string{o.ProdDMZ, o.DevDMZ} {
		if !o.NoSSHFromAnywhere {
			a.Flow("internet -> " + dmz + " tcp/22 # admins anywhere in the world")
		}
		a.Flow("internet -> "+dmz+" tcp/80 # web visitors", "internet -> "+dmz+" tcp/443 # web visitors",
			dmz+" -> internet tcp/80 # payment and partner sites", dmz+" -> internet tcp/443 # payment and partner sites")
		a.Connect(dmz, o.DB, o.DBPort)
	}

	web := tier.NewCluster(o.ProdDMZ, o.WebImage, o.InstanceType)
	dev1 := tier.NewCluster(o.DevDMZ, o.WebImage, o.InstanceType)
	dev1.Min, dev1.Desired, dev1.Max = 1, 1, 1
	dbc := tier.NewCluster(o.DB, o.DBImage, o.InstanceType)
	dbc.Stateless, dbc.Max = false, dbc.Desired
	a.AddCluster(web, dev1, dbc)

	lb := tier.PublicLB(o.ProdDMZ+"-lb", o.LB, o.ProdDMZ, 80)
	a.AddLB(lb)
	return a
}
