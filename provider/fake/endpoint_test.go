package fake_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/providertest"
)

// The fake refuses the endpoints EC2 refuses, on top of the conformance
// suite's deployment (an S3 gateway endpoint on the app tables, an SQS
// interface endpoint with private DNS in the app subnets).
func TestNetEndpointRefusals(t *testing.T) {
	t.Parallel()
	d, obs := stack(t)
	ids := map[string]string{}
	for id, o := range obs {
		ids[id] = o.ID
	}
	create(t, d, blueprint.Resource{ID: "security_group/extra", Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
		Net: "net/main", Name: dep + "-extra", Description: "extra"}}, ids)
	ep := func(id string, s blueprint.NetEndpointSpec) blueprint.Resource {
		s.Net = "net/main"
		return blueprint.Resource{ID: id, Kind: blueprint.KindNetEndpoint, NetEndpoint: &s}
	}
	groups := []blueprint.Ref{"security_group/web"}
	tests := []struct {
		name string
		r    blueprint.Resource
		want driver.Code
		text string
	}{
		{"two subnets in one zone", ep("net_endpoint/sts", blueprint.NetEndpointSpec{Service: "sts", Type: blueprint.EndpointInterface,
			Subnets: []blueprint.Ref{"subnet/app/a", "subnet/web/a"}, SecurityGroups: groups}), driver.Invalid, "DuplicateSubnetsInSameZone"},
		{"a gateway to sqs", ep("net_endpoint/sqs2", blueprint.NetEndpointSpec{Service: "sqs", Type: blueprint.EndpointGateway,
			RouteTables: []blueprint.Ref{"route_table/web/a"}}), driver.Invalid, "only s3 and dynamodb"},
		{"an unknown service", ep("net_endpoint/s4", blueprint.NetEndpointSpec{Service: "s4", Type: blueprint.EndpointGateway,
			RouteTables: []blueprint.Ref{"route_table/web/a"}}), driver.Invalid, "net_endpoint.service"},
		{"a second route to the S3 prefix list", ep("net_endpoint/s3b", blueprint.NetEndpointSpec{Service: "s3", Type: blueprint.EndpointGateway,
			RouteTables: []blueprint.Ref{"route_table/app/a"}}), driver.AlreadyExists, "RouteAlreadyExists"},
		{"a second private DNS name for sqs", ep("net_endpoint/sqsb", blueprint.NetEndpointSpec{Service: "sqs", Type: blueprint.EndpointInterface,
			Subnets: []blueprint.Ref{"subnet/web/a"}, SecurityGroups: groups, PrivateDNS: true}), driver.Invalid, "conflicting DNS domain"},
		{"a group that is not a group", ep("net_endpoint/logs", blueprint.NetEndpointSpec{Service: "logs", Type: blueprint.EndpointInterface,
			Subnets: []blueprint.Ref{"subnet/web/a"}, SecurityGroups: []blueprint.Ref{"subnet/web/b"}}), driver.Invalid, "not a security_group"},
		{"a rule to the prefix list of sqs", blueprint.Resource{ID: "security_group_rules/extra", Kind: blueprint.KindSecurityGroupRules,
			SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{Group: "security_group/extra", Outbound: []blueprint.RuleSpec{
				{Protocol: netplan.ProtocolTCP, FromPort: 443, ToPort: 443, PrefixList: "sqs"}}}}, driver.Invalid, "prefix_list"},
	}
	for _, tc := range tests {
		_, err := d.Create(t.Context(), providertest.Request(dep, tc.r, ids))
		require.Error(t, err, tc.name)
		assert.Equal(t, tc.want, driver.CodeOf(err), "%s: %v", tc.name, err)
		assert.Contains(t, err.Error(), tc.text, tc.name)
	}
	// another two gateway endpoints of s3 may not share a table, but an
	// endpoint of dynamodb may
	_, err := d.Create(t.Context(), providertest.Request(dep, ep("net_endpoint/dynamodb", blueprint.NetEndpointSpec{Service: "dynamodb",
		Type: blueprint.EndpointGateway, RouteTables: []blueprint.Ref{"route_table/app/a"}}), ids))
	assert.NoError(t, err)
}

// The fake as OUTSCALE makes the Net access point to OOS (the suite's s3
// gateway endpoint) and refuses what OUTSCALE refuses: an interface
// endpoint, a gateway to another service, an unknown service, another
// Net's route table, a second route of the s3 prefix list in one table,
// and a rule to a prefix list other than OOS's.
func TestNetEndpointRefusalsOutscale(t *testing.T) {
	t.Parallel()
	d, obs := stack(t, fake.Outscale)
	ids := map[string]string{}
	for id, o := range obs {
		ids[id] = o.ID
	}
	require.Contains(t, ids, "net_endpoint/s3", "the access point to OOS is made")
	require.NotContains(t, ids, "net_endpoint/sqs", "OUTSCALE has no interface endpoint")
	create(t, d, blueprint.Resource{ID: "net/other", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.9.0.0/16")}}, ids)
	create(t, d, blueprint.Resource{ID: "security_group/extra", Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
		Net: "net/main", Name: dep + "-extra", Description: "extra"}}, ids)
	zones, err := d.Zones(t.Context())
	require.NoError(t, err)
	create(t, d, blueprint.Resource{ID: "subnet/other", Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{
		Net: "net/other", CIDR: netip.MustParsePrefix("10.9.0.0/24"), Zone: zones[0], Tier: "other"}}, ids)
	create(t, d, blueprint.Resource{ID: "route_table/other", Kind: blueprint.KindRouteTable, RouteTable: &blueprint.RouteTableSpec{
		Net: "net/other", Subnet: "subnet/other"}}, ids)
	ep := func(id string, s blueprint.NetEndpointSpec) blueprint.Resource {
		s.Net = "net/main"
		return blueprint.Resource{ID: id, Kind: blueprint.KindNetEndpoint, NetEndpoint: &s}
	}
	tests := []struct {
		name string
		r    blueprint.Resource
		want driver.Code
		text string
	}{
		{"an interface endpoint", ep("net_endpoint/sqs", blueprint.NetEndpointSpec{Service: "sqs", Type: blueprint.EndpointInterface,
			Subnets: []blueprint.Ref{"subnet/app/a"}, SecurityGroups: []blueprint.Ref{"security_group/web"}}), driver.Unsupported, "no interface endpoints"},
		{"a gateway to dynamodb", ep("net_endpoint/dynamodb", blueprint.NetEndpointSpec{Service: "dynamodb", Type: blueprint.EndpointGateway,
			RouteTables: []blueprint.Ref{"route_table/web/a"}}), driver.Unsupported, "OOS"},
		{"an unknown service", ep("net_endpoint/s4", blueprint.NetEndpointSpec{Service: "s4", Type: blueprint.EndpointGateway,
			RouteTables: []blueprint.Ref{"route_table/web/a"}}), driver.Invalid, "net_endpoint.service"},
		{"another Net's route table", ep("net_endpoint/s3b", blueprint.NetEndpointSpec{Service: "s3", Type: blueprint.EndpointGateway,
			RouteTables: []blueprint.Ref{"route_table/other"}}), driver.Invalid, "is in net"},
		{"a second route to the OOS prefix list", ep("net_endpoint/s3c", blueprint.NetEndpointSpec{Service: "s3", Type: blueprint.EndpointGateway,
			RouteTables: []blueprint.Ref{"route_table/app/a"}}), driver.AlreadyExists, "RouteAlreadyExists"},
		{"a rule to the prefix list of dynamodb", blueprint.Resource{ID: "security_group_rules/extra", Kind: blueprint.KindSecurityGroupRules,
			SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{Group: "security_group/extra", Outbound: []blueprint.RuleSpec{
				{Protocol: netplan.ProtocolTCP, FromPort: 443, ToPort: 443, PrefixList: "dynamodb"}}}}, driver.NotFound, "prefix_list"},
	}
	for _, tc := range tests {
		_, err := d.Create(t.Context(), providertest.Request(dep, tc.r, ids))
		require.Error(t, err, tc.name)
		assert.Equal(t, tc.want, driver.CodeOf(err), "%s: %v", tc.name, err)
		assert.Contains(t, err.Error(), tc.text, tc.name)
	}
}
