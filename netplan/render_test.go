package netplan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
)

func TestRenderThreeTierMarkdown(t *testing.T) {
	t.Parallel()
	r := rderive(t, threeTier(t), netplan.Options{})
	var b strings.Builder
	require.NoError(t, r.WriteMarkdown(&b))
	rgolden(t, "TestRenderThreeTierMarkdown", b.String())
	assert.Contains(t, r.MarkdownSecurityGroups(), "| app | inbound | tcp | 8080 | group web | web -> app tcp/8080 |")
	assert.Contains(t, r.MarkdownACLs(), "| Inbound tcp/3306 (MySQL) from app | No | No | Yes |")
	assert.Contains(t, r.MarkdownRoutes(), "| app/eu-west-2b | 0.0.0.0/0 | nat(eu-west-2b) |")
}

func TestEnumText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v    interface{ MarshalText() ([]byte, error) }
		want string
	}{
		{netplan.Public, "public"},
		{netplan.Private, "private"},
		{netplan.Isolated, "isolated"},
		{netplan.Allow, "allow"},
		{netplan.Deny, "deny"},
		{netplan.TargetNATGateway, "nat_gateway"},
		{netplan.TargetInternetGateway, "internet_gateway"},
		{netplan.SeverityError, "error"},
		{netplan.Outbound, "outbound"},
		{netplan.EndpointPeer, "peer"},
		{netplan.Ports(80, 443), "80-443"},
	}
	for _, tc := range tests {
		b, err := tc.v.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, tc.want, string(b))
	}
	var e netplan.Exposure
	require.NoError(t, e.UnmarshalText([]byte("private")))
	assert.Equal(t, netplan.Private, e)
	assert.EqualError(t, e.UnmarshalText([]byte("dmz")), `netplan: exposure: "dmz": unknown value; use one of isolated, private, public`)
	var a netplan.Action
	require.NoError(t, a.UnmarshalText([]byte("allow")))
	assert.Equal(t, netplan.Allow, a)
	var s netplan.Severity
	require.NoError(t, s.UnmarshalText([]byte("warning")))
	assert.Equal(t, netplan.SeverityWarning, s)
	var k netplan.TargetKind
	require.NoError(t, k.UnmarshalText([]byte("local")))
	assert.Equal(t, netplan.TargetLocal, k)
	for text, want := range map[string]netplan.TargetKind{
		"nat_gateway": netplan.TargetNATGateway, "internet_gateway": netplan.TargetInternetGateway,
		"nat": netplan.TargetNATGateway, "internet-gateway": netplan.TargetInternetGateway, // earlier spellings
	} {
		require.NoError(t, k.UnmarshalText([]byte(text)), text)
		assert.Equal(t, want, k, text)
	}
	assert.Equal(t, "nat", netplan.TargetNATGateway.String(), "String is the display form")
}

func TestRulesJSONRoundTrip(t *testing.T) {
	t.Parallel()
	r := rderive(t, zonesSeed(t), netplan.Options{AllowSSHFromAnywhere: true})
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var back struct {
		Groups      []netplan.SecurityGroup `json:"security_groups"`
		ACLs        []netplan.ACL           `json:"acls"`
		RouteTables []netplan.RouteTable    `json:"route_tables"`
		NATZones    []string                `json:"nat_zones"`
		Findings    []netplan.Finding       `json:"findings"`
	}
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, r.Groups, back.Groups)
	assert.Equal(t, r.ACLs, back.ACLs)
	assert.Equal(t, r.RouteTables, back.RouteTables)
	assert.Equal(t, r.Findings, back.Findings)
}
