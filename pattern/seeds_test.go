package pattern_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// Seed 000: NGINX fronts public on 80/443, the intel application on 8080,
// MySQL on 3306; one service, one security group and one route table per
// subnet; each layer reaches only the one above and the one below; two
// zones.
func TestThreeTierSeed000(t *testing.T) {
	t.Parallel()
	a := pattern.ThreeTier(pattern.ThreeTierOptions{})
	bp := build(t, a)

	assert.Equal(t, []string{"subnet/db/a", "subnet/db/b", "subnet/intel/a", "subnet/intel/b", "subnet/nginx/a", "subnet/nginx/b"}, ids(bp.OfKind(blueprint.KindSubnet)))
	assert.Len(t, bp.OfKind(blueprint.KindRouteTable), 6, "one route table per subnet")
	assert.Equal(t, []string{"security_group/db", "security_group/intel", "security_group/nginx"}, ids(bp.OfKind(blueprint.KindSecurityGroup)), "one security group per tier")
	assert.Len(t, bp.OfKind(blueprint.KindCluster), 3, "one service per tier")
	for _, r := range bp.OfKind(blueprint.KindSubnet) {
		assert.Equal(t, r.Subnet.Tier == "nginx", r.Subnet.Public, r.ID)
	}
	zones := map[string]int{}
	for _, r := range bp.OfKind(blueprint.KindSubnet) {
		zones[r.Subnet.Zone]++
	}
	assert.Equal(t, map[string]int{"a": 3, "b": 3}, zones)

	// Security groups name each other, as in the seed's SecurityGroupsMembers.
	assert.Equal(t, []blueprint.RuleSpec{
		{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: pfx("0.0.0.0/0")},
		{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDR: pfx("0.0.0.0/0")},
	}, stripDesc(sgRules(t, bp, "nginx").Inbound))
	assert.Equal(t, []blueprint.RuleSpec{{Protocol: "tcp", FromPort: 8080, ToPort: 8080, Group: "security_group/nginx"}}, stripDesc(sgRules(t, bp, "intel").Inbound))
	assert.Equal(t, []blueprint.RuleSpec{{Protocol: "tcp", FromPort: 3306, ToPort: 3306, Group: "security_group/intel"}}, stripDesc(fromOthers(t, bp, "db")))

	r := rules(t, a)
	inet := netplan.Internet()
	tests := []struct {
		from netplan.Endpoint
		to   string
		port uint16
		want bool
	}{
		{inet, "nginx", 80, true}, {inet, "nginx", 443, true},
		{netplan.Tier("nginx"), "intel", 8080, true},
		{netplan.Tier("intel"), "db", 3306, true},
		{inet, "intel", 8080, false}, {inet, "db", 3306, false}, {inet, "nginx", 22, false},
		{netplan.Tier("nginx"), "db", 3306, false}, // skipping a layer
		{netplan.Tier("db"), "intel", 8080, false}, // only downwards
		{netplan.Tier("intel"), "nginx", 80, false},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, reach(r, tc.from, tc.to, tc.port), "%s -> %s tcp/%d", tc.from, tc.to, tc.port)
	}
	// The database nodes reach each other on Galera's ports.
	assert.Equal(t, []string{"db tcp/3306", "db tcp/4444", "db tcp/4567-4568", "db udp/4567", "intel tcp/3306"}, reacherStrings(r.Reachers("db")))
}

func reacherStrings(rs []netplan.Reacher) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

// fromOthers returns the inbound rules of group name that admit other
// groups or blocks: the rules between the group's own nodes (its peer
// ports) are left out.
func fromOthers(t *testing.T, bp *blueprint.Blueprint, name string) []blueprint.RuleSpec {
	t.Helper()
	var out []blueprint.RuleSpec
	for _, r := range sgRules(t, bp, name).Inbound {
		if r.Group != blueprint.Ref("security_group/"+name) {
			out = append(out, r)
		}
	}
	return out
}

func stripDesc(rs []blueprint.RuleSpec) []blueprint.RuleSpec {
	out := make([]blueprint.RuleSpec, len(rs))
	for i, r := range rs {
		r.Description = ""
		out[i] = r
	}
	return out
}

func TestThreeTierBastion(t *testing.T) {
	t.Parallel()
	a := pattern.ThreeTier(pattern.ThreeTierOptions{AdminCIDR: pfx("203.0.113.0/24")})
	bp := build(t, a)
	assert.Empty(t, bp.Findings, "a bastion reaching every layer is not a skipped layer")
	r := rules(t, a)
	assert.True(t, reach(r, netplan.CIDR(pfx("203.0.113.0/24")), "bastion", 22))
	assert.False(t, reach(r, netplan.Internet(), "bastion", 22), "SSH never open to the internet")
	assert.False(t, reach(r, netplan.Internet(), "nginx", 22))
	assert.True(t, reach(r, netplan.Tier("bastion"), "db", 22))
}

// Seed 002: Prod DMZ in two data centres, a Dev DMZ and a DB zone in one,
// the network ACL of Table 1, a load balancer in front.
func TestZonesSeed002(t *testing.T) {
	t.Parallel()
	a := pattern.DMZ(pattern.DMZOptions{})
	bp := build(t, a)
	r := rules(t, a)

	assert.Equal(t, []string{"subnet/db/a", "subnet/dev-dmz/a", "subnet/lb/a", "subnet/lb/b", "subnet/prod-dmz/a", "subnet/prod-dmz/b"}, ids(bp.OfKind(blueprint.KindSubnet)))
	plan, err := a.Plan()
	require.NoError(t, err)
	dbNet, _ := plan.Lookup("db", "a")
	acl := map[string]netplan.ACL{}
	for _, x := range r.ACLs {
		acl[x.Name] = x
	}
	anywhere := pfx("0.0.0.0/0")
	eph := netplan.Ports(1024, 65535)
	dmzNets := []netplan.Endpoint{}
	for _, k := range []netplan.Key{{Name: "prod-dmz", Zone: "a"}, {Name: "prod-dmz", Zone: "b"}, {Name: "dev-dmz", Zone: "a"}} {
		p, ok := plan.Lookup(k.Name, k.Zone)
		require.True(t, ok)
		dmzNets = append(dmzNets, netplan.CIDR(p))
	}
	// Table 1, row by row: Prod DMZ, Dev DMZ, DB Zone.
	table1 := []struct {
		row   string
		dir   netplan.Direction
		ports []netplan.PortRange
		peers []netplan.Endpoint
		want  [3]bool
	}{
		{"Global incoming SSH", netplan.Inbound, []netplan.PortRange{netplan.Port(22)}, []netplan.Endpoint{netplan.CIDR(anywhere)}, [3]bool{true, true, false}},
		{"Incoming global HTTPS and HTTP", netplan.Inbound, []netplan.PortRange{netplan.Port(80), netplan.Port(443)}, []netplan.Endpoint{netplan.CIDR(anywhere)}, [3]bool{true, true, false}},
		{"Global incoming Ephemeral Ports", netplan.Inbound, []netplan.PortRange{eph}, []netplan.Endpoint{netplan.CIDR(anywhere)}, [3]bool{true, true, false}},
		{"Global outgoing HTTPS and HTTP", netplan.Outbound, []netplan.PortRange{netplan.Port(80), netplan.Port(443)}, []netplan.Endpoint{netplan.CIDR(anywhere)}, [3]bool{true, true, false}},
		{"Global Outgoing Ephemeral Ports", netplan.Outbound, []netplan.PortRange{eph}, []netplan.Endpoint{netplan.CIDR(anywhere)}, [3]bool{true, true, false}},
		{"Outgoing MySQL to the DB Zone", netplan.Outbound, []netplan.PortRange{netplan.Port(3306)}, []netplan.Endpoint{netplan.CIDR(dbNet)}, [3]bool{true, true, false}},
		{"Incoming MySQL from Prod and Dev DMZ", netplan.Inbound, []netplan.PortRange{netplan.Port(3306)}, dmzNets, [3]bool{false, false, true}},
		{"Outgoing Ephemeral Ports to Prod and DMZ", netplan.Outbound, []netplan.PortRange{eph}, dmzNets, [3]bool{false, false, true}},
	}
	cols := [3]string{"prod-dmz", "dev-dmz", "db"}
	for _, row := range table1 {
		for c, name := range cols {
			got := true
			for _, p := range row.ports {
				for _, peer := range row.peers {
					e, ok := acl[name].Allows(row.dir, netplan.ProtocolTCP, p, peer.Prefixes[0])
					// A "Yes" cell needs an allow entry; a "No" cell must
					// not have an entry dedicated to that traffic (the
					// DMZ's global ephemeral rule covers 3306 by design).
					dedicated := ok && e.Ports.Covers(p) && p.Covers(e.Ports) && e.Prefix.Bits() >= peer.Prefixes[0].Bits()
					if row.want[c] {
						got = got && ok
					} else {
						got = got && dedicated
					}
				}
			}
			assert.Equal(t, row.want[c], got, "%s / %s", row.row, name)
		}
	}
	golden(t, "TestZonesSeed002ACLs", []byte(r.MarkdownACLs()))

	// SSH from anywhere is the seed's explicit choice: an error finding,
	// acknowledged by AllowSSHFromAnywhere, which the plan shows.
	assert.Contains(t, findingIDs(bp), "BP001 security_group_rules/prod-dmz")
	for _, f := range bp.Findings {
		if f.ID == "BP001" {
			assert.Equal(t, "Architecture.AllowSSHFromAnywhere is set", f.Acknowledged)
		}
	}
	assert.Contains(t, bp.Acknowledgements, blueprint.Acknowledgement{ID: "BP001", Subject: "security_group_rules/dev-dmz", Reason: "Architecture.AllowSSHFromAnywhere is set"})
	strict := pattern.DMZ(pattern.DMZOptions{})
	strict.AllowSSHFromAnywhere = false
	_, err = strict.Build()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "security_group_rules/prod-dmz: BP001")
	noSSH := build(t, pattern.DMZ(pattern.DMZOptions{NoSSHFromAnywhere: true}))
	assert.NotContains(t, strings.Join(findingIDs(noSSH), "\n"), "BP001")

	// The load balancer is in front of the Prod DMZ, in both data centres.
	lb := res(t, bp, "load_balancer/prod-dmz-lb").LoadBalancer
	assert.Equal(t, []blueprint.Ref{"subnet/lb/a", "subnet/lb/b"}, lb.Subnets)
	assert.Equal(t, "dmz-prod-dmz-lb", lb.Name)
	assert.Contains(t, stripDesc(sgRules(t, bp, "prod-dmz").Inbound), blueprint.RuleSpec{Protocol: "tcp", FromPort: 80, ToPort: 80, Group: "security_group/prod-dmz-lb"})
	assert.Equal(t, []blueprint.Ref{"load_balancer/prod-dmz-lb"}, res(t, bp, "cluster/prod-dmz").Cluster.LoadBalancers)
	assert.False(t, reach(r, netplan.Internet(), "db", 3306))
}

// Seed 003: two zones with a public and a private subnet each, IGW, NAT,
// ALB with target group and health check, autoscaling cluster from an
// image with user data, RDS with a Multi-AZ standby; nothing public but
// the load balancer.
func TestWebAppSeed003(t *testing.T) {
	t.Parallel()
	a := pattern.WebApp(pattern.WebAppOptions{UserData: "#cloud-config\nruncmd: [systemctl start tomcat]", Certificate: "arn:aws:acm:eu-west-3:1:certificate/tipster"})
	bp := build(t, a)

	assert.Equal(t, []string{"subnet/app/a", "subnet/app/b", "subnet/db/a", "subnet/db/b", "subnet/public/a", "subnet/public/b"}, ids(bp.OfKind(blueprint.KindSubnet)))
	// No subnet gives public IPs (EC2.15): the public subnets hold only
	// the load balancer and the NAT gateways, which have addresses of
	// their own; with a bastion, its subnets do.
	for _, s := range bp.OfKind(blueprint.KindSubnet) {
		assert.False(t, s.Subnet.Public, "no public IPs: %s", s.ID)
	}
	withNodes := build(t, pattern.WebApp(pattern.WebAppOptions{AdminCIDR: pfx("198.51.100.7/32")}))
	for _, s := range withNodes.OfKind(blueprint.KindSubnet) {
		assert.Equal(t, s.Subnet.Tier == "bastion", s.Subnet.Public, "only the bastion's nodes get public IPs: %s", s.ID)
	}
	assert.Equal(t, []string{"internet_gateway/main"}, ids(bp.OfKind(blueprint.KindInternetGateway)))
	assert.Equal(t, []string{"nat_gateway/nat/a", "nat_gateway/nat/b"}, ids(bp.OfKind(blueprint.KindNATGateway)))
	nat := res(t, bp, "nat_gateway/nat/b").NATGateway
	assert.Equal(t, blueprint.NATGatewaySpec{Subnet: "subnet/public/b", PublicIP: "public_ip/nat/b", InternetGateway: "internet_gateway/main", PublicRoute: "route_table/public/b", Zone: "b"}, *nat)
	assert.Equal(t, []blueprint.RouteSpec{{Destination: pfx("0.0.0.0/0"), TargetKind: netplan.TargetNATGateway, Target: "nat_gateway/nat/b"}}, res(t, bp, "route_table/app/b").RouteTable.Routes)
	assert.Equal(t, []blueprint.RouteSpec{{Destination: pfx("0.0.0.0/0"), TargetKind: netplan.TargetInternetGateway, Target: "internet_gateway/main"}}, res(t, bp, "route_table/public/a").RouteTable.Routes)
	assert.Empty(t, res(t, bp, "route_table/db/a").RouteTable.Routes)

	lb := res(t, bp, "load_balancer/app-lb").LoadBalancer
	assert.Equal(t, blueprint.SchemeInternetFacing, lb.Scheme)
	assert.Equal(t, blueprint.LBApplication, lb.Type)
	assert.Equal(t, []blueprint.Ref{"subnet/public/a", "subnet/public/b"}, lb.Subnets)
	assert.Equal(t, []blueprint.ListenerSpec{
		{Protocol: "HTTP", Port: 80, TargetProtocol: "HTTP", TargetPort: 8080},
		{Protocol: "HTTPS", Port: 443, TargetProtocol: "HTTP", TargetPort: 8080, Certificate: "arn:aws:acm:eu-west-3:1:certificate/tipster"},
	}, lb.Listeners)
	assert.Equal(t, blueprint.HealthCheckSpec{Protocol: "HTTP", Port: 8080, Path: "/health", IntervalSeconds: 30, TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: 3}, lb.HealthCheck)

	c := res(t, bp, "cluster/app").Cluster
	assert.Equal(t, "app-image", c.Image)
	assert.Equal(t, []int{2, 2, 6}, []int{c.Min, c.Desired, c.Max})
	assert.True(t, c.Stateless)
	assert.Equal(t, []blueprint.Ref{"load_balancer/app-lb"}, c.LoadBalancers)
	assert.Equal(t, uint16(8080), c.TargetPort)
	assert.Contains(t, c.UserData.Value(), "tomcat")
	assert.NotContains(t, fmt.Sprintf("%v %+v", c, c), "tomcat", "user data is redacted when printed")

	db := res(t, bp, "database/db").Database
	assert.True(t, db.MultiAZ)
	assert.Equal(t, []blueprint.Ref{"subnet/db/a", "subnet/db/b"}, db.Subnets)
	assert.Equal(t, uint16(3306), db.Port)

	// The tier behind the load balancer accepts its traffic from the
	// load balancer's group only.
	assert.Equal(t, []blueprint.RuleSpec{{Protocol: "tcp", FromPort: 8080, ToPort: 8080, Group: "security_group/app-lb"}}, stripDesc(sgRules(t, bp, "app").Inbound))
	assert.Equal(t, []blueprint.RuleSpec{{Protocol: "tcp", FromPort: 3306, ToPort: 3306, Group: "security_group/app"}}, stripDesc(fromOthers(t, bp, "db")))
	assert.ElementsMatch(t, []blueprint.RuleSpec{
		{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: pfx("0.0.0.0/0")},
		{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDR: pfx("0.0.0.0/0")},
	}, stripDesc(sgRules(t, bp, "app-lb").Inbound))
	assert.Equal(t, []blueprint.RuleSpec{{Protocol: "tcp", FromPort: 8080, ToPort: 8080, Group: "security_group/app"}}, stripDesc(sgRules(t, bp, "app-lb").Outbound))

	r := rules(t, a)
	assert.True(t, reach(r, netplan.Internet(), "app-lb", 443), "through the load balancer to app")
	assert.False(t, reach(r, netplan.Internet(), "app", 8080))
	assert.False(t, reach(r, netplan.Internet(), "db", 3306))
	assert.True(t, reach(r, netplan.Tier("app"), "db", 3306))
	assert.Empty(t, bp.Findings, "the secure defaults raise nothing")

	withBastion := pattern.WebApp(pattern.WebAppOptions{AdminCIDR: pfx("198.51.100.7/32")})
	bp2 := build(t, withBastion)
	assert.Contains(t, ids(bp2.OfKind(blueprint.KindSubnet)), "subnet/bastion/a")
	r2 := rules(t, withBastion)
	assert.True(t, reach(r2, netplan.CIDR(pfx("198.51.100.7/32")), "bastion", 22))
	assert.False(t, reach(r2, netplan.Internet(), "bastion", 22))
}

// Seed 001: every service a cluster of at least two nodes, stateless
// services behind their own load balancer, a database cluster, a message
// bus, scale-out settings.
func TestCloudNativeSeed001(t *testing.T) {
	t.Parallel()
	for _, bus := range []struct {
		bus  pattern.Bus
		port uint16
	}{{pattern.BusRabbitMQ, 5672}, {pattern.BusKafka, 9092}} {
		a := pattern.CloudNative(pattern.CloudNativeOptions{Bus: bus.bus})
		bp := build(t, a)
		behind := map[string]bool{}
		for _, r := range bp.OfKind(blueprint.KindCluster) {
			c := r.Cluster
			assert.GreaterOrEqual(t, c.Desired, 2, "%s: a service is many nodes", r.ID)
			assert.Len(t, c.Subnets, 2, "%s: spread over both zones", r.ID)
			if c.Stateless {
				assert.Len(t, c.LoadBalancers, 1, "%s: each stateless cluster has its own load balancer", r.ID)
				assert.Greater(t, c.Max, c.Desired, "%s scales out", r.ID)
			} else {
				assert.Empty(t, c.LoadBalancers, "%s: databases and buses are clustered, not balanced", r.ID)
				assert.Equal(t, c.Desired, c.Max, "%s keeps its size", r.ID)
			}
			behind[c.Tier] = c.Stateless
		}
		assert.Equal(t, map[string]bool{"web": true, "app": true, "bus": false, "db": false}, behind)
		assert.Equal(t, blueprint.SchemeInternal, res(t, bp, "load_balancer/app-lb").LoadBalancer.Scheme)
		r := rules(t, a)
		assert.True(t, reach(r, netplan.Tier("app"), "bus", bus.port))
		assert.True(t, reach(r, netplan.Tier("app"), "db", 3306))
		assert.False(t, reach(r, netplan.Tier("web"), "db", 3306))
		// web reaches app only through the internal load balancer.
		assert.Equal(t, []blueprint.RuleSpec{{Protocol: "tcp", FromPort: 8080, ToPort: 8080, Group: "security_group/app-lb"}}, stripDesc(sgRules(t, bp, "web").Outbound))
		assert.Equal(t, []blueprint.RuleSpec{{Protocol: "tcp", FromPort: 8080, ToPort: 8080, Group: "security_group/web"}}, stripDesc(sgRules(t, bp, "app-lb").Inbound))
		assert.Empty(t, bp.Findings)
	}
}

// Seed 004: multi-zone web and app clusters, a cache tier, a managed
// database with backups.
func TestElasticSeed004(t *testing.T) {
	t.Parallel()
	a := pattern.Elastic(pattern.ElasticOptions{})
	bp := build(t, a)
	for _, tr := range []string{"web", "app"} {
		c := res(t, bp, "cluster/"+tr).Cluster
		assert.Len(t, c.Subnets, 3, "%s over three zones", tr)
	}
	cache := res(t, bp, "cache/cache").Cache
	assert.Len(t, cache.Subnets, 3, "the managed cache over three zones")
	assert.Greater(t, res(t, bp, "cluster/web").Cluster.Max, res(t, bp, "cluster/web").Cluster.Desired)
	db := res(t, bp, "database/db").Database
	assert.Equal(t, "postgres", db.Engine)
	assert.Equal(t, 14, db.BackupRetentionDays)
	assert.True(t, db.MultiAZ)
	assert.True(t, db.Encrypted)
	assert.Zero(t, db.ReadReplicas, "replicas are resources of their own")
	replica := res(t, bp, "database_replica/db/1").DatabaseReplica
	assert.Equal(t, blueprint.Ref("database/db"), replica.Source)
	assert.Equal(t, db.InstanceClass, replica.InstanceClass)
	assert.Equal(t, db.SecurityGroups, replica.SecurityGroups)
	assert.Len(t, db.Subnets, 3)
	r := rules(t, a)
	assert.True(t, reach(r, netplan.Tier("app"), "cache", 6379))
	assert.True(t, reach(r, netplan.Tier("app"), "db", 5432))
	assert.False(t, reach(r, netplan.Tier("web"), "cache", 6379))
	assert.Len(t, bp.OfKind(blueprint.KindNATGateway), 3, "one NAT per zone by default")

	mc := pattern.Elastic(pattern.ElasticOptions{Cache: pattern.CacheMemcached})
	assert.True(t, reach(rules(t, mc), netplan.Tier("app"), "cache", 11211))

	// No backups is a warning.
	noBackup := pattern.Elastic(pattern.ElasticOptions{})
	noBackup.Database("db").BackupRetentionDays = 0
	noBackup.Database("db").ReadReplicas = 0 // RDS refuses replicas of a source without backups
	assert.Contains(t, findingIDs(build(t, noBackup)), "PT007 databases[db]")
}

func TestBuildDeterministicGolden(t *testing.T) {
	t.Parallel()
	first, err := json.MarshalIndent(build(t, pattern.ThreeTier(pattern.ThreeTierOptions{})), "", "  ")
	require.NoError(t, err)
	for range 3 {
		again, err := json.MarshalIndent(build(t, pattern.ThreeTier(pattern.ThreeTierOptions{})), "", "  ")
		require.NoError(t, err)
		require.Equal(t, string(first), string(again))
	}
	golden(t, "threetier.blueprint", append(first, '\n'))
	for _, a := range allPatterns() {
		x, err := json.Marshal(build(t, a()))
		require.NoError(t, err)
		y, err := json.Marshal(build(t, a()))
		require.NoError(t, err)
		assert.Equal(t, x, y)
	}
}

func allPatterns() []func() *pattern.Architecture {
	return []func() *pattern.Architecture{
		func() *pattern.Architecture { return pattern.ThreeTier(pattern.ThreeTierOptions{}) },
		func() *pattern.Architecture { return pattern.DMZ(pattern.DMZOptions{}) },
		func() *pattern.Architecture { return pattern.WebApp(pattern.WebAppOptions{}) },
		func() *pattern.Architecture { return pattern.CloudNative(pattern.CloudNativeOptions{}) },
		func() *pattern.Architecture { return pattern.Elastic(pattern.ElasticOptions{}) },
	}
}

// publicSubnets reports whether the first of subnets is public.
func publicSubnets(bp *blueprint.Blueprint, subnets []blueprint.Ref) bool {
	if len(subnets) == 0 {
		return false
	}
	s, ok := bp.Resource(string(subnets[0]))
	return ok && s.Subnet.Public
}

func TestBlueprintDependencies(t *testing.T) {
	t.Parallel()
	for _, a := range allPatterns() {
		bp := build(t, a())
		for i, r := range bp.Resources {
			want := r.Dependencies()
			if r.Kind == blueprint.KindLoadBalancer && r.LoadBalancer.Scheme == "internet-facing" ||
				r.Kind == blueprint.KindCluster && publicSubnets(bp, r.Cluster.Subnets) {
				// The cloud refuses an internet-facing load balancer in a
				// Net without its internet gateway, and refuses to detach
				// the gateway while public nodes have their public IPs.
				want = append(want, "internet_gateway/main")
				slices.Sort(want)
			}
			assert.Equal(t, want, r.DependsOn, r.ID)
			for _, d := range r.DependsOn {
				_, ok := bp.Resource(d)
				assert.True(t, ok, "%s depends on %s, which is not in the Blueprint", r.ID, d)
			}
			if i > 0 {
				assert.Less(t, bp.Resources[i-1].ID, r.ID)
			}
			assert.True(t, strings.HasPrefix(r.ID, string(r.Kind)+"/"), "id scheme <kind>/<name>[/<zone>]: %s", r.ID)
		}
	}
}

// The pattern is an ordinary builder: extend it.
func TestPatternExtends(t *testing.T) {
	t.Parallel()
	a := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop"})
	a.AddTier(tier.Redis("cache")).Connect("intel", "cache").AddCluster(tier.NewCluster("cache", "redis-image", "t3.small"))
	bp := build(t, a)
	assert.Contains(t, ids(bp.OfKind(blueprint.KindSubnet)), "subnet/cache/b")
	assert.True(t, reach(rules(t, a), netplan.Tier("intel"), "cache", 6379))
	assert.Equal(t, "shop", bp.Deployment)
	assert.Equal(t, "shop-intel", res(t, bp, "security_group/intel").SecurityGroup.Name)
}

// Every pattern takes its names, CIDR, zones, sizes, ports and images
// from its options.
func TestPatternOptions(t *testing.T) {
	t.Parallel()
	tt := build(t, pattern.ThreeTier(pattern.ThreeTierOptions{Name: "x", CIDR: "192.168.0.0/20", Zones: []string{"a", "b", "c"},
		Web: "front", App: "api", DB: "pg", AppPort: 9000, DBPort: 5432, SubnetBits: 26, Nodes: 3, WebImage: "ami-1"}))
	assert.Equal(t, pfx("192.168.0.0/26"), res(t, tt, "subnet/front/a").Subnet.CIDR)
	assert.Len(t, tt.OfKind(blueprint.KindSubnet), 9)
	assert.Equal(t, "ami-1", res(t, tt, "cluster/front").Cluster.Image)
	assert.Equal(t, 3, res(t, tt, "cluster/api").Cluster.Desired)
	assert.Equal(t, []blueprint.RuleSpec{{Protocol: "tcp", FromPort: 5432, ToPort: 5432, Group: "security_group/api"}}, stripDesc(fromOthers(t, tt, "pg")))

	cn := build(t, pattern.CloudNative(pattern.CloudNativeOptions{AppPort: 9000, SubnetBits: 27, Nodes: 3, MaxNodes: 9}))
	assert.Equal(t, uint16(9000), res(t, cn, "load_balancer/app-lb").LoadBalancer.Listeners[0].TargetPort)
	assert.Equal(t, 27, res(t, cn, "subnet/db/b").Subnet.CIDR.Bits())
	assert.Equal(t, []int{3, 3, 9}, []int{res(t, cn, "cluster/web").Cluster.Min, res(t, cn, "cluster/web").Cluster.Desired, res(t, cn, "cluster/web").Cluster.Max})

	el := build(t, pattern.Elastic(pattern.ElasticOptions{Zones: []string{"a", "b"}, SubnetBits: 25, Certificate: "arn:cert"}))
	assert.Len(t, el.OfKind(blueprint.KindNATGateway), 2)
	assert.Len(t, res(t, el, "load_balancer/web-lb").LoadBalancer.Listeners, 2)

	wa := build(t, pattern.WebApp(pattern.WebAppOptions{Engine: tier.EnginePostgres, SubnetBits: 25, Min: 3, Max: 3}))
	assert.Equal(t, uint16(5432), res(t, wa, "database/db").Database.Port)
	assert.Equal(t, "postgres", res(t, wa, "database/db").Database.Engine)

	zn := build(t, pattern.DMZ(pattern.DMZOptions{DataCentres: [2]string{"c", "d"}, DBPort: 3307}))
	assert.Contains(t, ids(zn.OfKind(blueprint.KindSubnet)), "subnet/db/c")
	assert.Equal(t, []blueprint.RuleSpec{
		{Protocol: "tcp", FromPort: 3307, ToPort: 3307, Group: "security_group/dev-dmz"},
		{Protocol: "tcp", FromPort: 3307, ToPort: 3307, Group: "security_group/prod-dmz"},
	}, stripDesc(fromOthers(t, zn, "db")))
}

// WebApp and Elastic run on a cloud without managed databases too: their
// database carries a fixed cluster of VMs to build instead.
func TestManagedDatabasesHaveAFallback(t *testing.T) {
	t.Parallel()
	for name, a := range map[string]*pattern.Architecture{
		"webapp":  pattern.WebApp(pattern.WebAppOptions{DBImage: "mysql-omi", DBNodes: 3}),
		"elastic": pattern.Elastic(pattern.ElasticOptions{DBImage: "pg-omi"}),
	} {
		bp := build(t, a)
		db := res(t, bp, "database/db").Database
		require.NotNil(t, db.Fallback, name)
		fb := db.Fallback
		assert.Equal(t, []int{3, 3, 3}, []int{fb.Min, fb.Desired, fb.Max}, "%s: a quorum, fixed size", name)
		assert.False(t, fb.Stateless, name)
		assert.Nil(t, fb.Scaling, name)
		assert.Equal(t, db.Subnets, fb.Subnets, "%s: in the database's own subnets", name)
		assert.Equal(t, db.SecurityGroups, fb.SecurityGroups, "%s: behind the database's security group", name)
		assert.Contains(t, []string{"mysql-omi", "pg-omi"}, fb.Image)
	}
}
