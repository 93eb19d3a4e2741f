package pattern_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
)

// linked is the web app in two linked regions, the app tier of the
// primary reading the recovery region's database.
func linked() *pattern.MultiRegion {
	return pattern.Regions("shop", "10.0.0.0/8", webApp).Primary("eu-west-3").
		Recovery("eu-west-1", pattern.PilotLight).
		Link("eu-west-3", "eu-west-1").
		Flow("app@eu-west-3 -> db@eu-west-1 tcp/3306")
}

// TestLinkedRegions: a flow between two linked Nets gives both sides
// their side of the peering, the routes to the other tier's subnets
// through it, the rules by range and the network ACL entries; CanReach
// follows the link.
func TestLinkedRegions(t *testing.T) {
	t.Parallel()
	m := linked()
	bps, err := m.Build()
	require.NoError(t, err)
	appSubnets := []netip.Prefix{netip.MustParsePrefix("10.0.2.0/24"), netip.MustParsePrefix("10.0.3.0/24")}
	dbSubnets := []netip.Prefix{netip.MustParsePrefix("10.1.4.0/24"), netip.MustParsePrefix("10.1.5.0/24")}
	tests := []struct {
		region, local string
		accepter      bool
		peerCIDR      string
		remote        []netip.Prefix
		dir           string // the rule set's side that names the remote
	}{
		{"eu-west-3", "app", false, "10.1.0.0/16", dbSubnets, "outbound"},
		{"eu-west-1", "db", true, "10.0.0.0/16", appSubnets, "inbound"},
	}
	for _, tc := range tests {
		bp := bps[tc.region]
		pcx, ok := bp.Resource("net_peering/eu-west-3-eu-west-1")
		require.True(t, ok, tc.region)
		assert.Equal(t, blueprint.NetPeeringSpec{Net: blueprint.Ref("net/" + tc.region), PeerRegion: otherRegion(tc.region),
			PeerNet: "net/" + otherRegion(tc.region), PeerCIDR: netip.MustParsePrefix(tc.peerCIDR), Accepter: tc.accepter}, *pcx.NetPeering)
		for _, zone := range []string{"a", "b"} {
			rt, ok := bp.Resource("route_table/" + tc.local + "/" + zone)
			require.True(t, ok)
			var via []netip.Prefix
			for _, r := range rt.RouteTable.Routes {
				if r.TargetKind == netplan.TargetNetPeering {
					assert.Equal(t, blueprint.Ref("net_peering/eu-west-3-eu-west-1"), r.Target)
					via = append(via, r.Destination)
				}
			}
			assert.Equal(t, tc.remote, via, "%s %s/%s", tc.region, tc.local, zone)
		}
		rules, ok := bp.Resource("security_group_rules/" + tc.local)
		require.True(t, ok)
		list := rules.SecurityGroupRules.Outbound
		if tc.dir == "inbound" {
			list = rules.SecurityGroupRules.Inbound
		}
		var cidrs []netip.Prefix
		for _, r := range list {
			if r.FromPort == 3306 && r.CIDR.IsValid() {
				cidrs = append(cidrs, r.CIDR)
			}
		}
		require.NotEmpty(t, cidrs, "rules by range on %s (no group of another region)", tc.region)
		for _, p := range tc.remote {
			assert.True(t, covered(cidrs, p), "rule for %s on %s: %v", p, tc.region, cidrs)
		}
		for _, c := range cidrs {
			assert.True(t, c.Overlaps(tc.remote[0]) || c.Overlaps(tc.remote[1]), "no wider than the remote tier: %s", c)
		}
		acl, ok := bp.Resource("network_acl/" + tc.local)
		require.True(t, ok)
		var entries []netip.Prefix
		for _, e := range append(acl.NetworkACL.Inbound, acl.NetworkACL.Outbound...) {
			if e.Allow && e.FromPort <= 3306 && e.ToPort >= 3306 {
				entries = append(entries, e.CIDR)
			}
		}
		for _, p := range tc.remote {
			assert.True(t, covered(entries, p), "network ACL of %s on %s lets %s in or out: %v", tc.local, tc.region, p, entries)
		}
	}

	a, err := m.Architecture("eu-west-3", netip.Prefix{})
	require.NoError(t, err)
	rules, err := a.Rules()
	require.NoError(t, err)
	v := rules.CanReach(netplan.Query{From: netplan.Tier("app"), To: "peer:eu-west-1-db", Protocol: netplan.ProtocolTCP, Port: 3306})
	assert.True(t, v.Allowed, v.String())
	v = rules.CanReach(netplan.Query{From: netplan.Tier("app"), To: "peer:eu-west-1-db", Protocol: netplan.ProtocolTCP, Port: 22})
	assert.False(t, v.Allowed)
}

// covered reports whether one of ps holds the whole of p.
func covered(ps []netip.Prefix, p netip.Prefix) bool {
	for _, c := range ps {
		if c.Bits() <= p.Bits() && c.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

func otherRegion(r string) string {
	if r == "eu-west-3" {
		return "eu-west-1"
	}
	return "eu-west-3"
}

// TestUnlinkedFlow: a flow between Nets without a link names the fix.
func TestUnlinkedFlow(t *testing.T) {
	t.Parallel()
	m := pattern.Regions("shop", "10.0.0.0/8", webApp).Primary("eu-west-3").
		Recovery("eu-west-1", pattern.PilotLight).
		Flow("app@eu-west-3 -> db@eu-west-1 tcp/3306")
	_, err := m.Build()
	require.ErrorIs(t, err, pattern.ErrInvalid)
	assert.ErrorContains(t, err, "no link between the Nets of eu-west-3 and eu-west-1")
	assert.ErrorContains(t, err, `Link("eu-west-3", "eu-west-1")`)

	for spec, want := range map[string]string{
		"app -> db tcp/3306":                       "not <tier>@<region>",
		"app@eu-west-3 -> db@eu-west-3 tcp/3306":   "both tiers are in one region",
		"app@eu-west-3 -> db@us-east-1 tcp/3306":   "does not declare",
		"app@eu-west-3 -> nope@eu-west-1 tcp/3306": "no such tier",
		"app@eu-west-3 -> db@eu-west-1 tcp/99999":  "regions.flows",
	} {
		_, err := linked().Flow(spec).Build()
		assert.ErrorContains(t, err, want, spec)
	}
	_, err = linked().Link("eu-west-1", "eu-west-3").Build()
	assert.ErrorContains(t, err, "linked twice")
}
