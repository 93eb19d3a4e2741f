package blueprint_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
)

func TestNetEndpointCheck(t *testing.T) {
	t.Parallel()
	gw := func(f func(s *blueprint.NetEndpointSpec)) blueprint.Resource {
		s := &blueprint.NetEndpointSpec{Net: "net/main", Service: "s3", Type: blueprint.EndpointGateway, RouteTables: []blueprint.Ref{"route_table/app/a"}}
		f(s)
		return blueprint.Resource{ID: "net_endpoint/" + s.Service, Kind: blueprint.KindNetEndpoint, NetEndpoint: s}
	}
	iface := func(f func(s *blueprint.NetEndpointSpec)) blueprint.Resource {
		s := &blueprint.NetEndpointSpec{Net: "net/main", Service: "sqs", Type: blueprint.EndpointInterface, PrivateDNS: true,
			Subnets: []blueprint.Ref{"subnet/app/a", "subnet/app/b"}, SecurityGroups: []blueprint.Ref{"security_group/endpoint-sqs"}}
		f(s)
		return blueprint.Resource{ID: "net_endpoint/" + s.Service, Kind: blueprint.KindNetEndpoint, NetEndpoint: s}
	}
	tests := []struct {
		name string
		r    blueprint.Resource
		want string // "" when valid
	}{
		{"gateway", gw(func(*blueprint.NetEndpointSpec) {}), ""},
		{"interface", iface(func(*blueprint.NetEndpointSpec) {}), ""},
		{"unknown service", gw(func(s *blueprint.NetEndpointSpec) { s.Service = "s4" }), "net_endpoint.service"},
		{"sqs has no gateway", gw(func(s *blueprint.NetEndpointSpec) { s.Service = "sqs" }), "net_endpoint.type"},
		{"gateway on no table", gw(func(s *blueprint.NetEndpointSpec) { s.RouteTables = nil }), "net_endpoint.route_tables"},
		{"gateway with subnets", gw(func(s *blueprint.NetEndpointSpec) { s.Subnets = []blueprint.Ref{"subnet/app/a"} }), "no subnets"},
		{"interface without subnet", iface(func(s *blueprint.NetEndpointSpec) { s.Subnets = nil }), "net_endpoint.subnets"},
		{"interface without group", iface(func(s *blueprint.NetEndpointSpec) { s.SecurityGroups = nil }), "net_endpoint.security_groups"},
		{"interface on a table", iface(func(s *blueprint.NetEndpointSpec) { s.RouteTables = []blueprint.Ref{"route_table/app/a"} }), "net_endpoint.route_tables"},
		{"duplicate subnet", iface(func(s *blueprint.NetEndpointSpec) { s.Subnets = append(s.Subnets, "subnet/app/a") }), "net_endpoint.subnets[2]"},
		{"unknown type", iface(func(s *blueprint.NetEndpointSpec) { s.Type = "GatewayLoadBalancer" }), "net_endpoint.type"},
		{"no net", iface(func(s *blueprint.NetEndpointSpec) { s.Net = "" }), "net_endpoint.net"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.r.Check()
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, blueprint.ErrInvalid)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestPrefixListRule(t *testing.T) {
	t.Parallel()
	r := blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: 443, ToPort: 443, PrefixList: "s3"}
	assert.Equal(t, "tcp 443 to prefix list s3", r.Text(false))
	rs := blueprint.Resource{ID: "security_group_rules/app", Kind: blueprint.KindSecurityGroupRules,
		SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{Group: "security_group/app", Outbound: []blueprint.RuleSpec{r}}}
	require.NoError(t, rs.Check())
	rs.SecurityGroupRules.Outbound[0].PrefixList = "sqs"
	assert.ErrorContains(t, rs.Check(), "prefix_list")
	rs.SecurityGroupRules.Outbound[0].Group = "security_group/web"
	assert.ErrorContains(t, rs.Check(), "exactly one of cidr, group and prefix_list")
	assert.NotEqual(t, blueprint.RuleSpec{Protocol: "tcp", FromPort: 443, ToPort: 443, PrefixList: "dynamodb"}.Key(), r.Key())
}
