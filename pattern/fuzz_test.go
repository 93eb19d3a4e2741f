package pattern_test

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// fuzzArchitecture turns fuzzed text into an architecture: a Net range,
// tiers from a list of "name:kind:bits:zones" entries, and flows.
func fuzzArchitecture(cidr, tiers, flows string, profile uint8) *pattern.Architecture {
	profiles := []netplan.Profile{netplan.AWS, netplan.Outscale, netplan.Generic, {}}
	a := pattern.New("fuzz", cidr)
	a.Profile = profiles[int(profile)%len(profiles)]
	a.AllowSSHFromAnywhere = profile&4 != 0
	for _, spec := range strings.Split(tiers, ";") {
		parts := strings.Split(spec, ":")
		name := parts[0]
		t := tier.App(name)
		if len(parts) > 1 {
			switch parts[1] {
			case "web":
				t = tier.Web(name)
			case "mysql":
				t = tier.MySQL(name)
			case "redis":
				t = tier.Redis(name)
			case "bastion":
				t = tier.Bastion(name)
			case "lb":
				t = tier.LoadBalancers(name, netplan.Public)
			case "private":
				t.Exposure = netplan.Private
			}
		}
		if len(parts) > 2 && len(parts[2]) > 0 {
			t.SubnetBits = int(parts[2][0]) % 130
		}
		if len(parts) > 3 && parts[3] != "" {
			t.Zones = strings.Split(parts[3], ",")
		}
		a.AddTier(t)
	}
	if flows != "" {
		a.Flow(strings.Split(flows, ";")...)
	}
	return a
}

// FuzzBuild feeds Build arbitrary ranges, tiers and flows. Build must never
// panic; when it fails the error names a field and no Blueprint comes
// back; when it succeeds the Blueprint is valid, every subnet lies in the
// Net without overlapping another, and a second Build gives the same bytes.
func FuzzBuild(f *testing.F) {
	f.Add("10.0.0.0/16", "web:web;app;db:mysql", "internet -> web tcp/443;web -> app tcp/8080;app -> db tcp/3306", uint8(0))
	f.Add("10.0.0.0/24", "a::\x19;b:private:\x1a:a", "a -> b all", uint8(1))
	f.Add("fd00::/48", "web:web", "internet -> web tcp/80", uint8(2))
	f.Add("10.0.0.1/16", "x;x", "x -> y tcp/0", uint8(3))
	f.Add("192.168.0.0/16", "bastion:bastion;app", "internet -> bastion tcp/22;bastion -> app tcp/22", uint8(4))
	f.Add("10.0.0.0/28", "lb:lb;app:private", "internet -> lb tcp/80;lb -> app tcp/8080;app -> internet tcp/443", uint8(5))
	f.Fuzz(func(t *testing.T, cidr, tiers, flows string, profile uint8) {
		bp, err := fuzzArchitecture(cidr, tiers, flows, profile).Build()
		if err != nil {
			require.Nil(t, bp, "a failed Build returns no Blueprint")
			require.NotEmpty(t, err.Error())
			return
		}
		require.NoError(t, bp.Validate())
		first, err := json.Marshal(bp)
		require.NoError(t, err)

		var net netip.Prefix
		var subnets []netip.Prefix
		for _, r := range bp.Resources {
			switch r.Kind {
			case blueprint.KindNet:
				net = r.Net.CIDR
			case blueprint.KindSubnet:
				subnets = append(subnets, r.Subnet.CIDR)
			}
		}
		for i, s := range subnets {
			assert.True(t, net.Contains(s.Addr()) && s.Bits() >= net.Bits(), "subnet %s outside net %s", s, net)
			for _, o := range subnets[i+1:] {
				assert.False(t, s.Overlaps(o), "subnets %s and %s overlap", s, o)
			}
		}

		again, err := fuzzArchitecture(cidr, tiers, flows, profile).Build()
		require.NoError(t, err)
		second, err := json.Marshal(again)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(first, second), "Build is not deterministic")
	})
}

// FuzzBlueprintJSON decodes arbitrary JSON as a Blueprint: Validate must
// never panic, and a Blueprint it accepts must survive a JSON round trip.
func FuzzBlueprintJSON(f *testing.F) {
	bp, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop", Profile: netplan.AWS}).Build()
	require.NoError(f, err)
	seed, err := json.Marshal(bp)
	require.NoError(f, err)
	f.Add(seed)
	f.Add([]byte(`{"schema":"archkit.blueprint/v2","deployment":"x","resources":[{"id":"net/main","kind":"net"}]}`))
	f.Add([]byte(`{"schema":"archkit.blueprint/v2","deployment":"x","resources":[{"id":"subnet/a","kind":"subnet","depends_on":["net/main"],"subnet":{"net":"net/main"}}]}`))
	f.Add([]byte(`{"schema":"v0"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var bp blueprint.Blueprint
		if json.Unmarshal(data, &bp) != nil {
			return
		}
		if bp.Validate() != nil {
			return
		}
		out, err := json.Marshal(&bp)
		require.NoError(t, err)
		var back blueprint.Blueprint
		require.NoError(t, json.Unmarshal(out, &back))
		require.NoError(t, back.Validate())
	})
}

// fuzzServices adds to a the services fuzzed bytes choose, one tier after
// another: a cluster with grants, a managed database, a managed cache, a
// bastion host, an added endpoint, odd sizes and names included.
func fuzzServices(a *pattern.Architecture, ops []byte) {
	pick := func(i int, xs ...string) string { return xs[int(ops[i%len(ops)])%len(xs)] }
	grants := []tier.Grant{tier.ConsumeQueue("orders"), tier.WriteBucket("shop-assets"), tier.DatabaseSecret("db"),
		tier.ReadParameters("/shop"), tier.SessionManager(), {Kind: "topic", Name: "x"}, tier.ConsumeQueue("")}
	for i := 0; i+3 < len(ops) && i < 64; i += 4 {
		name, n := pick(i+1, "web", "app", "db", "cache", "bastion", "x", ""), int(ops[i+2])
		switch ops[i] % 6 {
		case 0:
			c := tier.NewCluster(name, pick(i+3, "ami-0abc", "", "ami-1"), pick(i+2, "t3.small", "", "m5.large"))
			c.Min, c.Desired, c.Max = n%4, n%5, n%7
			c.Grants = append(c.Grants, grants[n%len(grants)], grants[int(ops[i+3])%len(grants)])
			c.PerZone = n&8 != 0
			a.AddCluster(c)
		case 1:
			a.AddDatabase(tier.Database{Tier: name, Engine: tier.Engine(pick(i+3, "mysql", "postgres", "oracle", "")),
				Class: pick(i+2, "db.t3.micro", "", "db.bogus"), StorageGiB: n, MultiAZ: n&1 != 0, ReadReplicas: n % 7,
				BackupRetentionDays: n % 40, Encrypted: n&2 != 0, Username: pick(i+3, "admin", "app", "", "rdsadmin"),
				FallbackToCluster: n&4 != 0})
		case 2:
			a.AddCache(tier.Cache{Tier: name, Engine: tier.CacheEngine(pick(i+3, "redis", "memcached", "valkey")),
				NodeType: pick(i+2, "cache.t4g.small", "", "cache.x"), Nodes: n % 70, AutomaticFailover: n&1 != 0,
				MultiAZ: n&2 != 0, Encrypted: n&4 != 0, SnapshotRetentionDays: n % 40, FallbackToCluster: n&8 != 0})
		case 3:
			a.AddBastionHost(name, pattern.Bastion{Image: pick(i+3, "ami-b", ""), SessionManager: n&1 != 0,
				InstanceProfile: pick(i+2, "", "ssm"), PerZone: n&2 != 0, Targets: []string{pick(i+3, "app", "db", "nope")}})
		case 4:
			a.AddEndpoint(tier.Service(pick(i+3, "s3", "sqs", "ssm", "s4", "")), name)
		case 5:
			a.Flow(pick(i+3, "app -> db tcp/3306", "web -> cache tcp/6379", "app -> internet tcp/443", "bastion -> x tcp/22"))
		}
	}
}

// FuzzBuildServices builds architectures with fuzzed services on top of
// fuzzed tiers: Build never panics, a failure returns no Blueprint and
// says why, and a Blueprint it returns is valid.
func FuzzBuildServices(f *testing.F) {
	f.Add("web:web;app:private;db:private;cache:private", []byte{0, 1, 3, 0, 1, 2, 0, 0, 2, 3, 5, 0, 3, 4, 1, 0, 4, 1, 0, 1}, uint8(0))
	f.Add("app:private;bastion:bastion", []byte{3, 4, 1, 0, 0, 1, 4, 4, 4, 1, 3, 2}, uint8(1))
	f.Add("db:private", []byte{1, 2, 255, 1, 2, 3, 70, 2}, uint8(2))
	f.Fuzz(func(t *testing.T, tiers string, ops []byte, profile uint8) {
		a := fuzzArchitecture("10.0.0.0/16", tiers, "", profile)
		if len(ops) > 0 {
			fuzzServices(a, ops)
		}
		bp, err := a.Build()
		if err != nil {
			require.Nil(t, bp, "a failed Build returns no Blueprint")
			require.NotEmpty(t, err.Error())
			return
		}
		require.NoError(t, bp.Validate())
	})
}

// FuzzMultiRegion builds a deployment over fuzzed regions, links, flows
// between regions and supernets: Build never panics, and when it
// succeeds every region's Blueprint is valid and no two regions' Nets
// overlap.
func FuzzMultiRegion(f *testing.F) {
	f.Add("10.0.0.0/8", "eu-west-3;eu-west-1", "app@eu-west-3 -> app@eu-west-1 tcp/8080", uint8(16), uint8(0))
	f.Add("10.0.0.0/15", "a;b;c", "web@a -> db@c tcp/5432;x@b -> y tcp/1", uint8(17), uint8(3))
	f.Add("fd00::/40", "r1;r1", "", uint8(0), uint8(5))
	f.Add("10.0.0.0/8", "eu-west-2;us-east-2", "app@eu-west-2 -> app@us-east-2 tcp/8080;app@us-east-2 -> app@eu-west-2 tcp/22", uint8(16), uint8(16|4))
	f.Add("10.0.0.0/12", "a;b;c", "web@a -> db@c tcp/5432;web@c -> app@a tcp/1-65535", uint8(14), uint8(16|32|4))
	f.Add("10.0.0.0/8", "a;b", "app@a -> app@b udp/500", uint8(16), uint8(16|64|4))
	f.Fuzz(func(t *testing.T, supernet, regions, flows string, bits, opts uint8) {
		names := strings.Split(regions, ";")
		m := pattern.Regions("fuzz", supernet, func(region string) *pattern.Architecture {
			return pattern.WebApp(pattern.WebAppOptions{Name: "fuzz", Profile: netplan.AWS})
		})
		m.Bits = int(bits) % 40
		m.NoImageCopies, m.NoDatabaseReplicas = opts&1 != 0, opts&2 != 0
		m.Primary(names[0])
		for i, r := range names[1:] {
			m.Recovery(r, []pattern.Posture{pattern.PilotLight, pattern.WarmStandby}[(int(opts)+i)%2])
			switch {
			case opts&16 != 0 && opts&4 != 0:
				// A link over a VPN, its options fuzzed too: a tier
				// that is not public, an empty image or VM type.
				vo := pattern.VPNLinkOptions{Image: "ami-0123abcd", VMType: "tinav5.c2r4p2"}
				if opts&32 != 0 {
					vo.Tier = []string{"web", "app", "db", "nope", ""}[i%5]
				}
				if opts&64 != 0 {
					vo.Image, vo.VMType = "", names[0]
				}
				hub, spoke := names[0], r
				if opts&128 != 0 {
					hub, spoke = r, names[0]
				}
				m.LinkVPN(hub, spoke, vo)
			case opts&4 != 0:
				m.Link(names[0], r)
			}
		}
		for _, fl := range strings.Split(flows, ";") {
			if fl != "" {
				m.Flow(fl)
			}
		}
		if opts&8 != 0 && len(names) > 1 {
			m.Promote(names[1])
		}
		bps, err := m.Build()
		if err != nil {
			require.Empty(t, bps, "a failed Build returns no Blueprint")
			require.NotEmpty(t, err.Error())
			return
		}
		var nets []netip.Prefix
		for region, bp := range bps {
			require.NoError(t, bp.Validate(), region)
			for _, r := range bp.Resources {
				if r.Kind == blueprint.KindNet {
					nets = append(nets, r.Net.CIDR)
				}
			}
		}
		for i, a := range nets {
			for _, b := range nets[i+1:] {
				assert.False(t, a.Overlaps(b), "Nets %s and %s overlap", a, b)
			}
		}
	})
}
