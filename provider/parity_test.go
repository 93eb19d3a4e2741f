package provider_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/tier"
)

// parityN is the number of random cases of each property test; make test
// runs the default, a longer run raises it: go test ./provider -run Parity -parity.n 5000.
var parityN = flag.Int("parity.n", 150, "random cases per property test and profile")

// parityProfiles are the profiles the properties hold for, each with the
// fake options that enforce it.
var parityProfiles = []struct {
	prof netplan.Profile
	opts []func(*fake.Options)
}{
	{netplan.AWS, nil},
	{netplan.Outscale, []func(*fake.Options){fake.Outscale}},
	{netplan.Generic, []func(*fake.Options){func(o *fake.Options) { o.Profile = netplan.Generic }}},
}

// randomArchitecture draws an architecture: 1 to 8 tiers of every kind over
// 1 to 3 zones, subnets of random sizes, flows between them, load
// balancers, clusters, databases with user names a cloud may refuse, NAT
// and egress modes.
func randomArchitecture(r *rand.Rand, prof netplan.Profile) *pattern.Architecture {
	zones := []string{"a", "b", "c"}[:1+r.IntN(3)]
	cidr := []string{"10.0.0.0/16", "10.20.0.0/20", "192.168.0.0/22", "100.64.0.0/16"}[r.IntN(4)]
	a := pattern.New(fmt.Sprintf("p%d", r.IntN(1000)), cidr).WithZones(zones...)
	a.Profile = prof
	a.NAT = []netplan.NATMode{netplan.NATPerZone, netplan.NATShared, netplan.NATNone}[r.IntN(3)]
	a.Egress = []netplan.EgressMode{netplan.EgressLeastPrivilege, netplan.EgressAllowAll}[r.IntN(2)]
	n := 1 + r.IntN(8)
	var names []string
	for i := range n {
		name := fmt.Sprintf("t%d", i)
		t := randomTier(r, name)
		t.SubnetBits = []int{0, 22, 24, 26, 27, 28, 29}[r.IntN(7)]
		if r.IntN(4) == 0 {
			t.Zones = zones[:1+r.IntN(len(zones))]
		}
		a.AddTier(t)
		names = append(names, name)
		addService(r, a, t)
	}
	for range r.IntN(2 * n) {
		from, to := names[r.IntN(n)], names[r.IntN(n)]
		if from == to {
			continue
		}
		if r.IntN(3) == 0 {
			a.Connect(from, to, uint16(1+r.IntN(9000)))
		} else if len(a.Tier(to).Ports) > 0 {
			a.Connect(from, to)
		}
	}
	if r.IntN(2) == 0 {
		a.Flow(names[r.IntN(n)] + " -> internet tcp/443")
	}
	if r.IntN(3) == 0 {
		a.Peer("office", netip.MustParsePrefix("192.0.2.0/24")).Flow("peer:office -> " + names[r.IntN(n)] + " tcp/22")
		a.VPN("office", pattern.VPN{PublicIP: netip.MustParseAddr("198.51.100.7")})
	}
	addBalancer(r, a, names)
	return a
}

func randomTier(r *rand.Rand, name string) tier.Tier {
	switch r.IntN(8) {
	case 0:
		return tier.Web(name)
	case 1:
		return tier.MySQL(name)
	case 2:
		return tier.PostgreSQL(name)
	case 3:
		return tier.Redis(name)
	case 4:
		return tier.Bastion(name)
	case 5:
		return tier.LoadBalancers(name, netplan.Public)
	}
	return tier.App(name)
}

// addService gives tier t a cluster, or a database on a database tier.
func addService(r *rand.Rand, a *pattern.Architecture, t tier.Tier) {
	switch {
	case t.Role == tier.RoleDatabase && r.IntN(2) == 0:
		engine := tier.EngineMySQL
		if t.Ports[0].Range.From == 5432 {
			engine = tier.EnginePostgres
		}
		db := tier.NewDatabase(t.Name, engine, []string{"db.t3.micro", "db.r6g.large"}[r.IntN(2)])
		db.Username = []string{tier.DefaultUsername, "admin", "postgres", "app_user", "rdsadmin", "user", "select"}[r.IntN(7)]
		db.ReadReplicas = r.IntN(3)
		db.MultiAZ = r.IntN(2) == 0
		db.FallbackToCluster = true
		db.Fallback = tier.NewCluster(t.Name, "ami-0abc", "t3.small")
		a.AddDatabase(db)
	case t.Role != tier.RoleBastion && r.IntN(2) == 0:
		c := tier.NewCluster(t.Name, "ami-0abc", "t3.small")
		if r.IntN(2) == 0 {
			c.Max, c.Scaling = 3+r.IntN(5), tier.DefaultScaling()
		}
		a.AddCluster(c)
	}
}

// addBalancer adds, sometimes, a load balancer from a public tier to a
// tier with a cluster.
func addBalancer(r *rand.Rand, a *pattern.Architecture, names []string) {
	if r.IntN(2) == 0 {
		return
	}
	var home, target string
	for _, n := range names {
		t := a.Tier(n)
		if t.Exposure == netplan.Public && home == "" {
			home = n
		}
		if a.Cluster(n) != nil && t.Exposure != netplan.Public && target == "" {
			target = n
		}
	}
	if home == "" || target == "" {
		return
	}
	a.AddLB(tier.PublicLB("front", home, target, 8080))
}

// TestParityBuildApplies is the first property: any Blueprint Build
// returns for a profile applies on the fake configured with that profile
// without an error. It draws parityN architectures per profile.
func TestParityBuildApplies(t *testing.T) {
	t.Parallel()
	for _, pp := range parityProfiles {
		t.Run(pp.prof.Name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(1, uint64(len(pp.prof.Name))))
			built := 0
			for i := range *parityN {
				a := randomArchitecture(r, pp.prof)
				bp, err := a.Build()
				if err != nil {
					continue
				}
				built++
				d := fake.New(append([]func(*fake.Options){func(o *fake.Options) { o.PendingReads = -1 }}, pp.opts...)...)
				eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.AllowFallback = true })
				_, err = eng.Apply(t.Context(), bp)
				require.NoError(t, err, "case %d: %s", i, archJSON(a))
			}
			t.Logf("%s: %d random architectures, %d built, each applied on the fake without an error", pp.prof.Name, *parityN, built)
			require.Positive(t, built)
		})
	}
}

func archJSON(a *pattern.Architecture) string {
	b, _ := json.Marshal(a)
	return string(b)
}

// TestParityPreflightApplies is the second property: any Blueprint that
// passes the preflight applies on the fake without an error, whatever its
// origin. Built Blueprints are changed at random (values just inside and
// just outside every limit the fake knows, quotas of the fake's profile
// lowered), sent through JSON, and planned: when the plan passes, the
// apply must succeed.
func TestParityPreflightApplies(t *testing.T) {
	t.Parallel()
	for _, pp := range parityProfiles {
		t.Run(pp.prof.Name, func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(2, uint64(len(pp.prof.Name))))
			passed, refused := 0, 0
			for i := 0; passed+refused < *parityN && i < 20**parityN; i++ {
				bp, opts, ok := changedCase(t, r, pp.prof, pp.opts)
				if !ok {
					continue
				}
				if applyIfPassed(t, bp, opts) {
					passed++
				} else {
					refused++
				}
			}
			t.Logf("%s: %d changed Blueprints, %d passed the preflight and applied, %d refused before any write", pp.prof.Name, passed+refused, passed, refused)
		})
	}
}

// applyIfPassed plans bp on a fake; when the plan passes (the preflight
// included) it applies bp on a fresh fake and requires no error. It
// reports whether the plan passed.
func applyIfPassed(t *testing.T, bp *blueprint.Blueprint, opts []func(*fake.Options)) bool {
	t.Helper()
	eng := provider.NewEngine(fake.New(opts...), fastOpts, func(o *provider.Options) { o.AllowFallback = true })
	if _, err := eng.Plan(t.Context(), bp); err != nil {
		return false
	}
	d := fake.New(opts...)
	_, err := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.AllowFallback = true }).Apply(t.Context(), bp)
	raw, _ := json.Marshal(bp)
	require.NoError(t, err, "passed the preflight, refused by the fake: %s", raw)
	return true
}

func viaJSON(t *testing.T, bp *blueprint.Blueprint) *blueprint.Blueprint {
	t.Helper()
	raw, err := json.Marshal(bp)
	require.NoError(t, err)
	var out blueprint.Blueprint
	require.NoError(t, json.Unmarshal(raw, &out))
	return &out
}

// pick returns a random resource of kind k, or nil.
func pick(r *rand.Rand, bp *blueprint.Blueprint, k blueprint.Kind) *blueprint.Resource {
	var rs []*blueprint.Resource
	for i := range bp.Resources {
		if bp.Resources[i].Kind == k {
			rs = append(rs, &bp.Resources[i])
		}
	}
	if len(rs) == 0 {
		return nil
	}
	return rs[r.IntN(len(rs))]
}

// randomName draws a name around the limits: empty, long, with characters
// the clouds refuse, reserved prefixes.
func randomName(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return []string{"", "default", "sg-web", "internal-x", "-a", "a-", "DEFAULT"}[r.IntN(7)]
	case 1:
		return strings.Repeat("n", []int{31, 32, 33, 255, 256}[r.IntN(5)])
	}
	const alphabet = "abcXYZ019-_ .:/()#,@[]+=&;{}!$*<>é\"'"
	b := make([]rune, 1+r.IntN(12))
	chars := []rune(alphabet)
	for i := range b {
		b[i] = chars[r.IntN(len(chars))]
	}
	return string(b)
}

// mutators change a Blueprint (and the profile the fake enforces) at
// random, around the limits.
var mutators = []func(r *rand.Rand, bp *blueprint.Blueprint, prof *netplan.Profile){
	func(r *rand.Rand, bp *blueprint.Blueprint, _ *netplan.Profile) { // a subnet's size or place
		if s := pick(r, bp, blueprint.KindSubnet); s != nil {
			bits := []int{15, 16, 24, 27, 28, 29, 30, 31}[r.IntN(8)]
			addr := s.Subnet.CIDR.Addr().As4()
			addr[2] += byte(r.IntN(3))
			s.Subnet.CIDR = netip.PrefixFrom(netip.AddrFrom4(addr), bits).Masked()
		}
	},
	func(r *rand.Rand, bp *blueprint.Blueprint, _ *netplan.Profile) { // the Net's size
		if n := pick(r, bp, blueprint.KindNet); n != nil {
			n.Net.CIDR = netip.PrefixFrom(n.Net.CIDR.Addr(), []int{8, 12, 16, 20, 28}[r.IntN(5)]).Masked()
		}
	},
	func(r *rand.Rand, bp *blueprint.Blueprint, _ *netplan.Profile) { // a subnet's zone
		if s := pick(r, bp, blueprint.KindSubnet); s != nil {
			s.Subnet.Zone = []string{"a", "b", "c"}[r.IntN(3)]
		}
	},
	func(r *rand.Rand, bp *blueprint.Blueprint, _ *netplan.Profile) { // a group's name or description
		if g := pick(r, bp, blueprint.KindSecurityGroup); g != nil {
			if r.IntN(2) == 0 {
				g.SecurityGroup.Name = randomName(r)
			} else {
				g.SecurityGroup.Description = randomName(r)
			}
		}
	},
	mutateRules,
	mutateACL,
	mutateBalancer,
	mutateService,
	func(r *rand.Rand, bp *blueprint.Blueprint, _ *netplan.Profile) { // routes
		if rt := pick(r, bp, blueprint.KindRouteTable); rt != nil && len(rt.RouteTable.Routes) > 0 {
			s := rt.RouteTable
			switch r.IntN(3) {
			case 0:
				s.Routes = append(s.Routes, s.Routes[0])
			case 1:
				x := s.Routes[0]
				x.Destination = netip.MustParsePrefix([]string{"192.0.2.0/24", "198.51.100.0/24", "0.0.0.0/1"}[r.IntN(3)])
				s.Routes = append(s.Routes, x)
			default:
				s.Routes[0].TargetKind = netplan.TargetKind(r.IntN(3))
			}
		}
	},
	func(r *rand.Rand, bp *blueprint.Blueprint, _ *netplan.Profile) { // NAT gateways
		if n := pick(r, bp, blueprint.KindNATGateway); n != nil {
			if r.IntN(2) == 0 {
				n.NATGateway.Zone = []string{"", "a", "b", "c"}[r.IntN(4)]
			} else if o := pick(r, bp, blueprint.KindPublicIP); o != nil {
				n.NATGateway.PublicIP = blueprint.Ref(o.ID)
			}
		}
	},
	func(r *rand.Rand, bp *blueprint.Blueprint, _ *netplan.Profile) { // the deployment name
		bp.Deployment = []string{"shop", strings.Repeat("d", 200), strings.Repeat("d", 255), strings.Repeat("d", 256), "a*b", "x?"}[r.IntN(6)]
	},
	mutateQuota,
}

func mutateRules(r *rand.Rand, bp *blueprint.Blueprint, _ *netplan.Profile) {
	rs := pick(r, bp, blueprint.KindSecurityGroupRules)
	if rs == nil {
		return
	}
	s := rs.SecurityGroupRules
	if len(s.Inbound) == 0 {
		s.Inbound = append(s.Inbound, blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: 22, ToPort: 22, CIDR: netip.MustParsePrefix("192.0.2.0/24")})
	}
	x := &s.Inbound[r.IntN(len(s.Inbound))]
	switch r.IntN(5) {
	case 0:
		x.Description = randomName(r)
	case 1:
		x.Protocol = []netplan.Protocol{"tcp", "udp", "icmp", "all", "gre", ""}[r.IntN(6)]
	case 2:
		x.FromPort, x.ToPort = uint16(r.IntN(3)*80), uint16(r.IntN(3)*443)
	case 3:
		s.Inbound = append(s.Inbound, *x)
	default:
		for k := range r.IntN(70) {
			s.Inbound = append(s.Inbound, blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: uint16(10000 + k), ToPort: uint16(10000 + k),
				CIDR: netip.MustParsePrefix("198.51.100.0/24")})
		}
	}
}

func mutateACL(r *rand.Rand, bp *blueprint.Blueprint, _ *netplan.Profile) {
	a := pick(r, bp, blueprint.KindNetworkACL)
	if a == nil || len(a.NetworkACL.Inbound) == 0 {
		return
	}
	s := a.NetworkACL
	switch r.IntN(3) {
	case 0:
		s.Inbound[r.IntN(len(s.Inbound))].Number = []int{0, 1, 100, 32766, 32767}[r.IntN(5)]
	case 1:
		for k := range r.IntN(20) {
			s.Inbound = append(s.Inbound, blueprint.ACLEntrySpec{Number: 5000 + k, Allow: true, Protocol: netplan.ProtocolTCP, FromPort: 22, ToPort: 22,
				CIDR: netip.MustParsePrefix("192.0.2.0/24")})
		}
	default:
		if o := pick(r, bp, blueprint.KindSubnet); o != nil {
			s.Subnets = append(s.Subnets, blueprint.Ref(o.ID))
			a.DependsOn = append(a.DependsOn, o.ID)
		}
	}
}

func mutateBalancer(r *rand.Rand, bp *blueprint.Blueprint, _ *netplan.Profile) {
	lb := pick(r, bp, blueprint.KindLoadBalancer)
	if lb == nil {
		return
	}
	s := lb.LoadBalancer
	switch r.IntN(6) {
	case 0:
		s.Name = randomName(r)
	case 1:
		s.Listeners[0].Protocol = []string{"HTTP", "HTTPS", "TCP", "TLS", "UDP"}[r.IntN(5)]
	case 2:
		l := s.Listeners[0]
		l.Port = []uint16{80, 443, 8443}[r.IntN(3)]
		s.Listeners = append(s.Listeners, l)
	case 3:
		h := &s.HealthCheck
		h.IntervalSeconds, h.TimeoutSeconds = []int{0, 4, 5, 30, 300, 301}[r.IntN(6)], []int{0, 1, 2, 5, 120, 121}[r.IntN(6)]
		h.HealthyThreshold = []int{0, 1, 2, 10, 11}[r.IntN(5)]
	case 4:
		s.Type = []string{blueprint.LBApplication, blueprint.LBNetwork}[r.IntN(2)]
	default:
		if len(s.Subnets) > 1 {
			s.Subnets = s.Subnets[:1+r.IntN(len(s.Subnets)-1)]
		}
	}
}

func mutateService(r *rand.Rand, bp *blueprint.Blueprint, _ *netplan.Profile) {
	if db := pick(r, bp, blueprint.KindDatabase); db != nil && r.IntN(2) == 0 {
		s := db.Database
		switch r.IntN(5) {
		case 0:
			s.Username = []string{"admin", "rdsadmin", "pg_x", "app", "1x", strings.Repeat("u", 16), strings.Repeat("u", 17), "select"}[r.IntN(8)]
		case 1:
			s.InstanceClass = []string{"db.t3.micro", "t3.micro", "db.t3", ""}[r.IntN(4)]
		case 2:
			s.StorageGiB, s.Port = []int{19, 20, 65536, 65537}[r.IntN(4)], []uint16{0, 1149, 1150, 5432}[r.IntN(4)]
		case 3:
			s.BackupRetentionDays, s.ReadReplicas = []int{0, 1, 35, 36}[r.IntN(4)], []int{0, 1, 15, 16}[r.IntN(4)]
		default:
			if len(s.Subnets) > 1 {
				s.Subnets = s.Subnets[:1]
			}
		}
		return
	}
	if c := pick(r, bp, blueprint.KindCluster); c != nil {
		s := c.Cluster
		s.Min, s.Desired, s.Max = r.IntN(4)-1, r.IntN(4), r.IntN(5)
		if r.IntN(2) == 0 {
			s.Scaling = &blueprint.ScalingSpec{TargetCPUPercent: []int{0, 1, 100, 101}[r.IntN(4)], WarmupSeconds: []int{-1, 0, 3600, 3601}[r.IntN(4)]}
		}
	}
}

// mutateQuota lowers a quota of the fake's profile to a small number, so
// that a Blueprint that fitted may not any more.
func mutateQuota(r *rand.Rand, _ *blueprint.Blueprint, prof *netplan.Profile) {
	q := &prof.Quotas
	fields := []*int{&q.SubnetsPerNet, &q.RouteTablesPerNet, &q.RoutesPerTable, &q.ACLsPerNet, &q.RulesPerACL, &q.GroupsPerNet,
		&q.InboundRulesPerGroup, &q.OutboundRulesPerGroup, &q.GroupsPerInterface, &q.NATsPerZone, &q.PublicIPsPerRegion,
		&q.NetsPerRegion, &q.LoadBalancersPerRegion, &q.ListenersPerBalancer, &q.DatabasesPerRegion}
	*fields[r.IntN(len(fields))] = 1 + r.IntN(8)
	if r.IntN(4) == 0 {
		prof.BalancerSubnetMax = []int{24, 26, 27, 28}[r.IntN(4)]
	}
}

// FuzzPreflightParity is the second property under the fuzzer: the seed
// drives the architecture and the changes.
func FuzzPreflightParity(f *testing.F) {
	for _, s := range []uint64{1, 2, 3, 42, 1000} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, seed uint64, profile uint8) {
		pp := parityProfiles[int(profile)%len(parityProfiles)]
		if bp, opts, ok := changedCase(t, rand.New(rand.NewPCG(seed, seed>>7)), pp.prof, pp.opts); ok {
			applyIfPassed(t, bp, opts)
		}
	})
}

// changedCase draws an architecture for prof, builds it, changes the
// Blueprint and the fake's profile with one to three mutators, and sends
// the Blueprint through JSON. It returns the Blueprint and the options of
// a fake that enforces the changed profile; ok is false when Build fails.
func changedCase(t *testing.T, r *rand.Rand, prof netplan.Profile, base []func(*fake.Options)) (*blueprint.Blueprint, []func(*fake.Options), bool) {
	t.Helper()
	bp, err := randomArchitecture(r, prof).Build()
	if err != nil {
		return nil, nil, false
	}
	for range 1 + r.IntN(3) {
		mutators[r.IntN(len(mutators))](r, bp, &prof)
	}
	opts := append(slices.Clone(base), func(o *fake.Options) { o.Profile, o.PendingReads = prof, -1 })
	return viaJSON(t, bp), opts, true
}
