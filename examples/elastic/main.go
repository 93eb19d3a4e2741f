// Command elastic builds the elastic multi-zone platform: web and application
// clusters over three zones that scale out and in with their load, a managed
// cache (Redis with automatic failover across zones, or Memcached), and a managed relational database with a
// Multi-AZ standby, read replicas and backups. It prints the subnet plan,
// the security groups, the load balancers, the clusters and the database,
// the lint findings, the availability of each tier and of the request path,
// and the downtime per year; then it applies the architecture, by default
// to the in-memory fake.
//
//	go run ./examples/elastic                      # on the fake: no account needed
//	go run ./examples/elastic -cache memcached -zones a,b -nodes 4
//	go run ./examples/elastic -node-availability 0.995 -zone-availability 0.99995
//	go run ./examples/elastic -plan                # the changes an apply would make
//	go run ./examples/elastic -blueprint           # the Blueprint, as JSON
//	go run -tags cloud ./examples/elastic -provider aws -profile prod -region eu-west-3 -image ami-0123abcd -plan
//	go run -tags cloud ./examples/elastic -provider outscale -region eu-west-2 -image ami-0123abcd -plan
//
// With -provider outscale, which has neither a managed database, a managed
// cache nor an autoscaling service, the engine runs with AllowFallback: the
// database and the cache are built as their fallback clusters of VMs and
// the clusters stay at their desired size; the example and the progress
// display say so.
//
// With -provider aws or outscale it uses each SDK's usual credentials:
// AWS_PROFILE, AWS_REGION and ~/.aws for aws; OSC_ACCESS_KEY,
// OSC_SECRET_KEY, OSC_REGION and ~/.osc/config.json for outscale.
package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/deploy"
)

var (
	cache = flag.String("cache", string(pattern.CacheRedis), "the cache engine: redis or memcached")
	zones = flag.String("zones", "", "the zones, comma-separated (the engine maps \"a\" to the region's zone ending in a); default a,b,c, or a,b on OUTSCALE, whose regions have two subregions")
	nodes = flag.Int("nodes", 0, "nodes of the web, application and cache clusters (default 3)")
	cpu   = flag.Int("target-cpu", 60, "the CPU percentage the web and application clusters scale to keep; negative: no scaling")
	node  = flag.Float64("node-availability", 0.99, "the availability of one node, for the arithmetic")
	zone  = flag.Float64("zone-availability", 0.9999, "the availability of one zone, for the arithmetic")
)

func main() {
	deploy.Main(architecture, deploy.Subnets, deploy.SecurityGroups, deploy.LoadBalancers, deploy.Clusters,
		deploy.Findings, availability(deploy.Availability), availability(deploy.Nines), deploy.Billable, onOutscale)
}

// availability returns a section computed with the availability flags,
// read when it runs.
func availability(section func(node, zone pattern.Availability, path ...string) deploy.Section) deploy.Section {
	return deploy.Lazy(func() deploy.Section {
		return section(pattern.Availability(*node), pattern.Availability(*zone))
	})
}

func architecture(t deploy.Target) (*pattern.Architecture, error) {
	if *cache != string(pattern.CacheRedis) && *cache != string(pattern.CacheMemcached) {
		return nil, fmt.Errorf("-cache: %q: unknown cache; use redis or memcached", *cache)
	}
	if *zones == "" {
		*zones = "a,b,c"
		if t.Provider == "outscale" {
			*zones = "a,b"
		}
	}
	return pattern.Elastic(pattern.ElasticOptions{
		Zones:      strings.Split(*zones, ","),
		Cache:      pattern.Cache(*cache),
		Nodes:      *nodes,
		TargetCPU:  *cpu,
		WebImage:   t.Image,
		AppImage:   t.Image,
		CacheImage: t.Image,
		DBImage:    t.Image,
	}), nil
}

// onOutscale says what becomes of the architecture on OUTSCALE, which has
// no managed database and no autoscaling: the run applies it there with
// AllowFallback, the database built as its fallback cluster and the
// scaling policies dropped, each with a notice.
func onOutscale(w io.Writer, arch *pattern.Architecture, _ *blueprint.Blueprint) error {
	if arch.Profile.Name != netplan.Outscale.Name {
		return nil
	}
	fmt.Fprint(w, "## On OUTSCALE\n\n")
	for _, d := range arch.Databases {
		fb := d.Fallback
		fmt.Fprintf(w, "OUTSCALE has no managed database: the %s database becomes a cluster of %d VMs (%s, image %s) instead of %s.\n",
			d.Tier, fb.Desired, fb.InstanceType, fb.Image, d.Class)
	}
	for _, c := range arch.Caches {
		fb := c.Fallback
		fmt.Fprintf(w, "OUTSCALE has no managed cache: the %s cache (%s) becomes a cluster of %d VMs (%s, image %s) instead of %d %s nodes.\n",
			c.Tier, c.Engine, fb.Desired, fb.InstanceType, fb.Image, c.Nodes, c.NodeType)
	}
	fmt.Fprintln(w, "OUTSCALE has no autoscaling: every cluster stays at its desired size, and the availability above is for the managed database.")
	return nil
}
