package tier_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/tier"
)

func TestStandardTiers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tier     tier.Tier
		role     tier.Role
		exposure netplan.Exposure
		ports    []string
	}{
		{tier.Web("w"), tier.RoleWeb, netplan.Public, []string{"tcp/80", "tcp/443"}},
		{tier.Nginx("w"), tier.RoleWeb, netplan.Public, []string{"tcp/80", "tcp/443"}},
		{tier.App("a"), tier.RoleApp, netplan.Private, []string{"tcp/8080"}},
		{tier.MySQL("d"), tier.RoleDatabase, netplan.Isolated, []string{"tcp/3306"}},
		{tier.PostgreSQL("d"), tier.RoleDatabase, netplan.Isolated, []string{"tcp/5432"}},
		{tier.Redis("c"), tier.RoleCache, netplan.Isolated, []string{"tcp/6379"}},
		{tier.Memcached("c"), tier.RoleCache, netplan.Isolated, []string{"tcp/11211"}},
		{tier.RabbitMQ("q"), tier.RoleQueue, netplan.Isolated, []string{"tcp/5672"}},
		{tier.Kafka("q"), tier.RoleQueue, netplan.Isolated, []string{"tcp/9092"}},
		{tier.Bastion("b"), tier.RoleBastion, netplan.Public, []string{"tcp/22"}},
		{tier.LoadBalancers("lb", netplan.Public), tier.RoleLoadBalancer, netplan.Public, nil},
	}
	for _, tc := range tests {
		t.Run(tc.tier.Name+"/"+string(tc.role)+fmt.Sprint(tc.ports), func(t *testing.T) {
			t.Parallel()
			require.NoError(t, tc.tier.Validate())
			assert.Equal(t, tc.role, tc.tier.Role)
			assert.Equal(t, tc.exposure, tc.tier.Exposure)
			var got []string
			for _, p := range tc.tier.Ports {
				got = append(got, p.String())
			}
			assert.Equal(t, tc.ports, got)
		})
	}
	// Defaults are overridable plain fields.
	app := tier.App("app")
	app.Ports = []tier.Port{tier.TCP(9000)}
	assert.Equal(t, "tcp/9000", app.Ports[0].String())
	assert.True(t, tier.RoleDatabase.IsStateful())
	assert.False(t, tier.RoleWeb.IsStateful())
}

func TestTierValidate(t *testing.T) {
	t.Parallel()
	bad := tier.Tier{Name: "9web", Exposure: 7, Hosts: -1, Headroom: 2000, SubnetBits: 200,
		Ports: []tier.Port{{Protocol: "sctp"}, {Protocol: netplan.ProtocolTCP}, {Protocol: netplan.ProtocolICMP, Range: netplan.Port(1)}},
		Zones: []string{"a", "a", ""}}
	err := bad.Validate()
	require.Error(t, err)
	assert.ErrorIs(t, err, tier.ErrInvalid)
	for _, want := range []string{
		`tier: tier.name: "9web": must start with a letter`,
		"tier[9web].exposure: 7: unknown exposure",
		`tier[9web].ports[0].protocol: "sctp": unknown protocol`,
		"tier[9web].ports[1].range",
		"tier[9web].ports[2].range: 1: icmp has no ports",
		"tier[9web].hosts: -1",
		"tier[9web].headroom: 2000",
		"tier[9web].subnet_bits: 200",
		"tier[9web].zones[1]: a: duplicate zone",
		`tier[9web].zones[2]: "": empty zone`,
	} {
		assert.Contains(t, err.Error(), want)
	}
	assert.Len(t, unwrapAll(err), 10)
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestCheckName(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"web", "prod-dmz", "A1", "peering"} {
		assert.NoError(t, tier.CheckName(ok), ok)
	}
	for _, bad := range []string{"", "internet", "peer", "1a", "a_b", "a-", "web/a", strings.Repeat("a", 41)} {
		assert.Error(t, tier.CheckName(bad), bad)
	}
}

func TestClusterValidate(t *testing.T) {
	t.Parallel()
	c := tier.NewCluster("web", "ami-1", "t3.small")
	require.NoError(t, c.Validate())
	assert.Equal(t, []int{2, 2, 2}, []int{c.Min, c.Desired, c.Max}, "a fixed size unless asked to grow")
	assert.True(t, c.Stateless)

	err := tier.Cluster{Tier: "web", Min: 3, Desired: 2, Max: 0}.Validate()
	require.Error(t, err)
	for _, want := range []string{"cluster[web].image", "cluster[web].instance_type", "cluster[web].desired: 2: outside min..max 3..0", "cluster[web].max: 0"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestClusterScaling(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		change  func(c *tier.Cluster)
		wantErr []string
	}{
		{"default policy", func(c *tier.Cluster) { c.Scaling = tier.DefaultScaling() }, nil},
		{"no warmup", func(c *tier.Cluster) { c.Scaling = &tier.Scaling{TargetCPUPercent: 100} }, nil},
		{"no policy, fixed size", func(c *tier.Cluster) { c.Max = c.Min }, nil},
		{"target zero", func(c *tier.Cluster) { c.Scaling = &tier.Scaling{} },
			[]string{"tier: cluster[web].scaling.target_cpu_percent: 0: outside 1-100 percent; use 1 to 100, such as 60"}},
		{"target above 100", func(c *tier.Cluster) { c.Scaling = &tier.Scaling{TargetCPUPercent: 101, WarmupSeconds: 300} },
			[]string{"cluster[web].scaling.target_cpu_percent: 101: outside 1-100 percent"}},
		{"warmup out of range", func(c *tier.Cluster) { c.Scaling = &tier.Scaling{TargetCPUPercent: 60, WarmupSeconds: -1} },
			[]string{"cluster[web].scaling.warmup_seconds: -1: outside 0-3600 seconds"}},
		{"warmup too long", func(c *tier.Cluster) { c.Scaling = &tier.Scaling{TargetCPUPercent: 60, WarmupSeconds: 3601} },
			[]string{"cluster[web].scaling.warmup_seconds: 3601"}},
		{"nothing to scale", func(c *tier.Cluster) { c.Scaling = tier.DefaultScaling(); c.Max = c.Min },
			[]string{"tier: cluster[web].scaling: min 2, max 2: nothing to scale; raise max above min"}},
		{"stateful", func(c *tier.Cluster) { c.Scaling = tier.DefaultScaling(); c.Stateless = false },
			[]string{"tier: cluster[web].scaling: stateless false: a stateful cluster is not autoscaled (the cloud-native document: databases and buses keep a fixed size); remove the scaling policy"}},
		{"every problem at once", func(c *tier.Cluster) {
			c.Scaling = &tier.Scaling{TargetCPUPercent: 0, WarmupSeconds: 4000}
			c.Stateless, c.Max = false, c.Min
		}, []string{"target_cpu_percent: 0", "warmup_seconds: 4000", "nothing to scale", "not autoscaled"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := tier.NewCluster("web", "ami-1", "t3.small")
			c.Max = 6 // room to scale; the cases change what they test
			tc.change(&c)
			err := c.Validate()
			if tc.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tier.ErrInvalid)
			for _, want := range tc.wantErr {
				assert.Contains(t, err.Error(), want)
			}
			assert.Len(t, strings.Split(err.Error(), "\n"), len(tc.wantErr))
		})
	}
}

func TestDatabase(t *testing.T) {
	t.Parallel()
	d := tier.NewDatabase("db", tier.EngineMySQL, "db.t3.micro")
	require.NoError(t, d.Validate())
	assert.True(t, d.MultiAZ)
	assert.True(t, d.Encrypted)
	assert.Equal(t, 7, d.BackupRetentionDays)
	assert.Equal(t, uint16(3306), d.ListenPort())
	d.Port = 3307
	assert.Equal(t, uint16(3307), d.ListenPort())
	assert.Equal(t, uint16(5432), tier.EnginePostgres.DefaultPort())

	bad := tier.Database{Tier: "db", Engine: "oracle", StorageGiB: 5, BackupRetentionDays: 40, ReadReplicas: -1, FallbackToCluster: true}
	err := bad.Validate()
	require.Error(t, err)
	for _, want := range []string{`database[db].engine: "oracle"`, "database[db].class", "database[db].storage_gib: 5",
		"database[db].read_replicas: -1", "database[db].backup_retention_days: 40", "database[db].username",
		"database[db].fallback: tier: cluster[db].image"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestLB(t *testing.T) {
	t.Parallel()
	lb := tier.PublicLB("web", "public", "app", 8080)
	lb.Listeners = append(lb.Listeners, tier.HTTPS(443, 8080, "arn:aws:acm:eu-west-3:1:certificate/x"))
	require.NoError(t, lb.Validate())
	hc := lb.EffectiveHealthCheck()
	assert.Equal(t, tier.HealthCheck{Protocol: "HTTP", Port: 8080, Path: "/", IntervalSeconds: 30, TimeoutSeconds: 5, HealthyThreshold: 3, UnhealthyThreshold: 3}, hc)
	assert.Equal(t, []uint16{8080}, lb.TargetPorts())
	lb.HealthCheck.Port = 8081
	assert.Equal(t, []uint16{8080, 8081}, lb.TargetPorts())

	nlb := tier.LB{Name: "tcp", Scheme: tier.Internal, Type: tier.Network, Tier: "inner", Target: "app", Listeners: []tier.Listener{tier.TCPListener(5432, 5432)}}
	require.NoError(t, nlb.Validate())
	assert.Empty(t, nlb.EffectiveHealthCheck().Path)

	bad := tier.LB{Name: "x", Scheme: "outside", Type: tier.Application, Tier: "app", Target: "app",
		Listeners:   []tier.Listener{{Protocol: "HTTPS", Port: 443, TargetProtocol: "HTTP", TargetPort: 0}, {Protocol: "TCP", Port: 443, TargetProtocol: "HTTP", TargetPort: 80, Certificate: "c"}},
		HealthCheck: tier.HealthCheck{IntervalSeconds: 4, TimeoutSeconds: 10, HealthyThreshold: 11, Path: "health"}}
	err := bad.Validate()
	require.Error(t, err)
	for _, want := range []string{
		`lb[x].scheme: "outside": unknown scheme`,
		"lb[x].tier: app: same tier as the target",
		"lb[x].listeners[0].target_port: 0",
		`lb[x].listeners[0].certificate: "": HTTPS listener without a certificate`,
		`lb[x].listeners[1].protocol: "TCP": not a application load balancer protocol`,
		"lb[x].listeners[1].port: 443: two listeners on one port",
		"lb[x].listeners[1].certificate: c: certificate on a TCP listener",
		"lb[x].health_check.interval_seconds: 4",
		"lb[x].health_check.timeout_seconds: 10",
		"lb[x].health_check.healthy_threshold: 11",
		`lb[x].health_check.path: "health"`,
	} {
		assert.Contains(t, err.Error(), want)
	}
	assert.True(t, errors.Is(err, tier.ErrInvalid))
}

func TestSecretRedacts(t *testing.T) {
	t.Parallel()
	s := tier.Secret("#cloud-config\npassword: hunter2")
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %s %q %x %#v %+v", s, s, s, s, s, s), fmt.Sprintf("%v", tier.Cluster{UserData: s})} {
		assert.NotContains(t, out, "hunter2")
	}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("boot", "user_data", s)
	assert.NotContains(t, b.String(), "hunter2")
	assert.Contains(t, b.String(), "REDACTED")
	j, err := json.Marshal(s)
	require.NoError(t, err)
	assert.Contains(t, string(j), "hunter2")
	assert.Equal(t, "#cloud-config\npassword: hunter2", s.Value())
	assert.Empty(t, tier.Secret("").String())
}

// Every validation problem is a *netplan.FieldError naming the package and
// the field, so one errors.As serves netplan, tier and pattern alike.
func TestValidationErrorsAreFieldErrors(t *testing.T) {
	t.Parallel()
	c := tier.NewCluster("web", "", "t3.small")
	err := c.Validate()
	require.Error(t, err)
	var fe *netplan.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "tier", fe.Package)
	assert.NotEmpty(t, fe.Field)
	assert.NotEmpty(t, fe.Fix)
	assert.True(t, strings.HasPrefix(fe.Error(), "tier: "+fe.Field+": "), fe.Error())
	assert.ErrorIs(t, fe, tier.ErrInvalid)
}

func TestStandardTiersPeerPorts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tier tier.Tier
		want []string
	}{
		{tier.MySQL("db"), []string{"tcp/3306", "tcp/4444", "tcp/4567", "udp/4567", "tcp/4568"}},
		{tier.PostgreSQL("db"), []string{"tcp/5432"}},
		{tier.Redis("cache"), []string{"tcp/6379", "tcp/16379", "tcp/26379"}},
		{tier.Memcached("cache"), nil},
		{tier.RabbitMQ("bus"), []string{"tcp/4369", "tcp/25672", "tcp/35672-35682"}},
		{tier.Kafka("bus"), []string{"tcp/9092", "tcp/9093"}},
		{tier.Web("web"), nil},
		{tier.App("app"), nil},
		{tier.Bastion("bastion"), nil},
		{tier.LoadBalancers("lbs", netplan.Public), nil},
	}
	for _, tc := range tests {
		t.Run(tc.tier.Description+"/"+string(tc.tier.Role), func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, p := range tc.tier.PeerPorts {
				got = append(got, p.String())
				assert.NotEmpty(t, p.Name, "%s is named", p)
			}
			assert.Equal(t, tc.want, got)
			flows := tc.tier.PeerFlows()
			require.Len(t, flows, len(tc.want))
			for i, f := range flows {
				assert.Equal(t, tc.tier.Name+" -> "+tc.tier.Name+" "+tc.want[i]+" # "+tc.tier.Name+" peers: "+tc.tier.PeerPorts[i].Name, f.String())
				back, err := netplan.ParseFlow(f.String())
				require.NoError(t, err)
				assert.Equal(t, f, back)
			}
		})
	}
	bad := tier.Redis("cache")
	bad.PeerPorts = append(bad.PeerPorts, tier.Port{Protocol: netplan.ProtocolTCP, Range: netplan.Ports(9, 1)}, tier.Port{Protocol: "sctp"})
	err := bad.Validate()
	require.Error(t, err)
	assert.ErrorIs(t, err, tier.ErrInvalid)
	assert.Contains(t, err.Error(), `tier: tier[cache].peer_ports[3].range: "9-1": not a port range`)
	assert.Contains(t, err.Error(), `tier: tier[cache].peer_ports[4].protocol: "sctp": unknown protocol`)
	unnamed := tier.Tier{Name: "x", PeerPorts: []tier.Port{tier.TCP(7000)}}
	assert.Equal(t, "x -> x tcp/7000 # x peers", unnamed.PeerFlows()[0].String())
}

// TestPeerFlowsDerive derives a three-node Galera cluster spread over
// three zones: every node reaches every other on each peer port, and
// nothing else.
func TestPeerFlowsDerive(t *testing.T) {
	t.Parallel()
	db := tier.MySQL("db")
	topo := netplan.Topology{
		Net:   netip.MustParsePrefix("10.0.0.0/16"),
		Zones: []string{"a", "b", "c"},
		Groups: []netplan.Group{{Name: "db", Exposure: db.Exposure, Subnets: []netplan.Subnet{
			{Zone: "a", Prefix: netip.MustParsePrefix("10.0.0.0/24")},
			{Zone: "b", Prefix: netip.MustParsePrefix("10.0.1.0/24")},
			{Zone: "c", Prefix: netip.MustParsePrefix("10.0.2.0/24")},
		}}},
		Flows: db.PeerFlows(),
	}
	r, err := netplan.Derive(topo, netplan.Options{Profile: netplan.AWS, Ephemeral: netplan.LinuxEphemeral})
	require.NoError(t, err)
	for _, p := range db.PeerPorts {
		v := r.CanReach(netplan.Query{From: netplan.Tier("db"), To: "db", Protocol: p.Protocol, Port: p.Range.From})
		assert.True(t, v.Allowed, "%s: %s", p, v)
	}
	for _, p := range []tier.Port{tier.TCP(22), tier.UDP(4568), tier.TCP(4569)} {
		v := r.CanReach(netplan.Query{From: netplan.Tier("db"), To: "db", Protocol: p.Protocol, Port: p.Range.From})
		assert.False(t, v.Allowed, "%s: %s", p, v)
	}
	assert.LessOrEqual(t, len(r.ACLs[0].Inbound), netplan.AWS.Quotas.RulesPerACL, "fits the AWS quota")
}
