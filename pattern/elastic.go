package pattern

import (
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/tier"
)

// Cache is the cache engine of [Elastic].
type Cache string

// The caches the elastic platform document names.
const (
	CacheRedis     Cache = "redis"     // tcp/6379
	CacheMemcached Cache = "memcached" // tcp/11211
)

// ElasticOptions configures [Elastic]. Every zero field takes the default
// written next to it.
type ElasticOptions struct {
	Name    string   // deployment name; "elastic"
	CIDR    string   // "10.0.0.0/16"
	Zones   []string // "a", "b", "c"
	Profile netplan.Profile
	// Ephemeral is the ephemeral port range of the nodes' operating
	// system, for the network ACLs' replies (Architecture.Ephemeral);
	// zero: 1024-65535, every system.
	Ephemeral netplan.PortRange

	Cache Cache // CacheRedis
	// CacheNodeType is the node type of the managed cache (AWS
	// ElastiCache); "cache.t4g.medium".
	CacheNodeType string
	AppPort       uint16 // 8080
	SubnetBits    int    // 24
	Nodes         int    // 3: one per zone
	MaxNodes      int    // 12
	TargetCPU     int    // 60: the CPU % the web and app scaling policies keep (300 s warmup); negative: no policy
	InstanceType  string // "t3.medium"
	// Images; "web-image", "app-image", "cache-image" (the image of the
	// cache cluster built instead of the managed cache on a cloud without
	// one: OUTSCALE, with the engine's AllowFallback).
	WebImage, AppImage, CacheImage string
	Certificate                    string // when set, HTTPS on 443

	DBClass             string // "db.r6g.large"
	BackupRetentionDays int    // 14
	ReadReplicas        int    // 1
	// DBImage is the image of the database cluster built instead of the
	// managed database on a cloud without one (OUTSCALE, with the engine's
	// AllowFallback): DBNodes VMs of InstanceType; "postgres-image", 3.
	DBImage string
	DBNodes int
}

func (o *ElasticOptions) defaults() {
	def(&o.Name, "elastic")
	def(&o.CIDR, "10.0.0.0/16")
	if len(o.Zones) == 0 {
		o.Zones = []string{"a", "b", "c"}
	}
	def(&o.Cache, CacheRedis)
	def(&o.AppPort, 8080)
	def(&o.SubnetBits, 24)
	def(&o.Nodes, 3)
	def(&o.MaxNodes, 12)
	def(&o.TargetCPU, 60)
	def(&o.InstanceType, "t3.medium")
	def(&o.WebImage, "web-image")
	def(&o.AppImage, "app-image")
	def(&o.CacheImage, "cache-image")
	def(&o.CacheNodeType, "cache.t4g.medium")
	def(&o.DBClass, "db.r6g.large")
	def(&o.BackupRetentionDays, 14)
	def(&o.ReadReplicas, 1)
	def(&o.DBImage, "postgres-image")
	def(&o.DBNodes, 3)
}

// Elastic returns the elastic multi-zone platform: web and application
// clusters over several zones that scale with the load (a target-tracking
// policy on CPU, TargetCPU; the cache keeps its size), the web cluster
// behind a public load balancer, the application sending mail and calling
// cloud APIs through one NAT per zone, a managed cache (Redis as a
// replication group of one node per zone, up to 6, with automatic failover
// across zones, encrypted, snapshots kept 7 days; or Memcached, one node per
// zone) reachable from the application only, and a managed PostgreSQL
// database with automated backups, a Multi-AZ standby for automatic
// failover and a read replica. On a cloud without managed caches or
// databases (OUTSCALE), the engine's AllowFallback builds each as a fixed
// cluster of Nodes (DBNodes) VMs.
func Elastic(o ElasticOptions) *Architecture {
	o.defaults()
	a := New(o.Name, o.CIDR).WithZones(o.Zones...)
	a.Profile = o.Profile
	a.Ephemeral = o.Ephemeral

	edge := tier.LoadBalancers("edge", netplan.Public)
	// The web nodes sit in private subnets between the public load
	// balancer and the application: public, private, isolated, each layer
	// talking to the next only (their security groups still allow no
	// egress but the declared flows).
	web := tier.Web("web")
	web.Exposure = netplan.Private
	web.Ports = tcpPorts(80)
	app := tier.App("app")
	cache := tier.Redis("cache")
	if o.Cache == CacheMemcached {
		cache = tier.Memcached("cache")
	}
	db := tier.PostgreSQL("db")
	app.Ports = tcpPorts(o.AppPort)
	for _, t := range []*tier.Tier{&edge, &web, &app, &cache, &db} {
		t.SubnetBits = o.SubnetBits
	}
	a.AddTier(edge, web, app, cache, db)

	lb := tier.PublicLB("web-lb", "edge", "web", 80)
	if o.Certificate != "" {
		lb.Listeners = append(lb.Listeners, tier.HTTPS(443, 80, o.Certificate))
	}
	a.AddLB(lb)
	a.Connect("web", "app").Connect("app", "cache").Connect("app", "db")
	// The document's "capacité d'envoi de courrier" and managed secrets: the
	// application reaches out through one NAT per zone.
	a.Flow("app -> internet tcp/587 # mail submission", "app -> internet tcp/443 # secrets and cloud APIs")

	for _, c := range []struct{ tier, image string }{{"web", o.WebImage}, {"app", o.AppImage}} {
		cl := tier.NewCluster(c.tier, c.image, o.InstanceType)
		cl.Min, cl.Desired, cl.Max = o.Nodes, o.Nodes, o.MaxNodes
		cl.Scaling = scaling(cl, o.TargetCPU)
		a.AddCluster(cl)
	}
	a.AddCache(elasticCache(o))

	d := tier.NewDatabase("db", tier.EnginePostgres, o.DBClass)
	d.BackupRetentionDays = o.BackupRetentionDays
	d.ReadReplicas = o.ReadReplicas
	d.StorageGiB = 100
	a.AddDatabase(withFallback(d, o.DBImage, o.InstanceType, o.DBNodes))
	return a
}

// elasticCache is the platform's managed cache: one node per zone (up to
// Redis's 6: a primary and 5 replicas), with a fixed cluster of o.Nodes
// VMs as its fallback.
func elasticCache(o ElasticOptions) tier.Cache {
	engine := tier.CacheRedis
	if o.Cache == CacheMemcached {
		engine = tier.CacheMemcached
	}
	c := tier.NewCache("cache", engine, o.CacheNodeType)
	c.Nodes = max(len(o.Zones), 2)
	if engine == tier.CacheRedis {
		c.Nodes = min(c.Nodes, 6)
	}
	c.FallbackToCluster = true
	c.Fallback = tier.NewCluster("cache", o.CacheImage, o.InstanceType)
	c.Fallback.Min, c.Fallback.Desired, c.Fallback.Max = o.Nodes, o.Nodes, o.Nodes
	return c
}
