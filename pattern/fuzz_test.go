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
