package netplan_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
)

// withEndpoints is the three-tier topology whose app tier uses S3 through
// a gateway endpoint and SQS through an interface endpoint in its own
// subnets.
func withEndpoints(t testing.TB) netplan.Topology {
	topo := threeTier(t)
	topo.Services = []netplan.ServiceEndpoint{
		{Service: "s3", Gateway: true, Users: []string{"app"}},
		{Service: "sqs", Group: "app", Users: []string{"app"}},
	}
	return topo
}

func TestServiceEndpointsDerive(t *testing.T) {
	t.Parallel()
	r := rderive(t, withEndpoints(t), netplan.Options{Profile: netplan.AWS})
	for _, rt := range r.RouteTables {
		if rt.Group == "app" {
			assert.Equal(t, []string{"s3"}, rt.GatewayEndpoints, rt.Group+"/"+rt.Zone)
		} else {
			assert.Empty(t, rt.GatewayEndpoints, rt.Group+"/"+rt.Zone)
		}
	}
	require.Len(t, r.Groups, 4)
	ep := r.Groups[3]
	assert.Equal(t, "endpoint-sqs", ep.Name)
	assert.Equal(t, "sqs", ep.Service)
	assert.Equal(t, []string{"tcp/443 group app"}, ruleStrings(ep.Inbound))
	assert.Empty(t, ep.Outbound)
	app := r.Groups[1]
	assert.Contains(t, ruleStrings(app.Outbound), "tcp/443 prefix list s3")
	assert.Contains(t, ruleStrings(app.Outbound), "tcp/443 group endpoint-sqs")
	// the app tier's ACL passes 443 out to anywhere (S3's public
	// addresses) and its own subnets (the SQS interfaces), and the replies
	appACL := r.ACLs[1]
	assert.True(t, aclAllows(appACL, netplan.Outbound, 443, "0.0.0.0/0"))
	assert.True(t, aclAllows(appACL, netplan.Inbound, 40000, "0.0.0.0/0"))
	// no transit through the web tier's NAT ACL for the endpoints' traffic
	webACL := r.ACLs[0]
	assert.False(t, aclAllows(webACL, netplan.Outbound, 443, "0.0.0.0/0"), "web's ACL")
}

func aclAllows(a netplan.ACL, d netplan.Direction, port uint16, cidr string) bool {
	_, ok := a.Allows(d, netplan.ProtocolTCP, netplan.Port(port), rpfx(cidr))
	return ok
}

func ruleStrings(rs []netplan.SGRule) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

func TestCanReachService(t *testing.T) {
	t.Parallel()
	for _, opts := range []netplan.Options{{Profile: netplan.AWS}, {Profile: netplan.Outscale}, {Sources: netplan.SourceCIDR}} {
		r := rderive(t, withEndpoints(t), opts)
		tests := []struct {
			name  string
			from  string
			to    string
			want  bool
			layer string
		}{
			{"app to s3 through the gateway endpoint", "app", "service:s3", true, ""},
			{"app to sqs through the interface endpoint", "app", "service:sqs", true, ""},
			{"db has no endpoint and no route out", "db", "service:s3", false, "security-group-out"},
			{"db is refused by the sqs endpoint's DNS answer", "db", "service:sqs", false, "security-group-out"},
			{"web has no rule to the endpoint", "web", "service:sqs", false, "security-group-out"},
			{"app without an endpoint goes to the internet", "app", "service:sts", false, "security-group-out"},
		}
		for _, tc := range tests {
			v := r.CanReach(netplan.Query{From: netplan.Tier(tc.from), To: tc.to, Protocol: netplan.ProtocolTCP, Port: 443})
			assert.Equal(t, tc.want, v.Allowed, "%+v %s: %s", opts, tc.name, v)
			if !tc.want {
				require.NotNil(t, v.Blocked, tc.name)
				assert.Equal(t, tc.layer, v.Blocked.Layer, "%s: %s", tc.name, v)
			}
		}
		v := r.CanReach(netplan.Query{From: netplan.Tier("app"), To: "service:s3", Protocol: netplan.ProtocolTCP, Port: 443})
		assert.Contains(t, stepStrings(v.Steps), "route app/eu-west-2a,app/eu-west-2b: prefix list s3 -> gateway endpoint")
	}
}

func TestCanReachServiceIsolatedUser(t *testing.T) {
	t.Parallel()
	topo := withEndpoints(t)
	topo.Services[0].Users = []string{"app", "db"}
	r := rderive(t, topo, netplan.Options{Profile: netplan.AWS})
	v := r.CanReach(netplan.Query{From: netplan.Tier("db"), To: "service:s3", Protocol: netplan.ProtocolTCP, Port: 443})
	assert.True(t, v.Allowed, v.String())
	// the port is the service's: 80 is not allowed
	v = r.CanReach(netplan.Query{From: netplan.Tier("db"), To: "service:s3", Protocol: netplan.ProtocolTCP, Port: 80})
	assert.False(t, v.Allowed, v.String())
	// a Public user keeps the internet gateway
	topo.Services[0].Users = []string{"web"}
	r = rderive(t, topo, netplan.Options{Profile: netplan.AWS})
	for _, rt := range r.RouteTables {
		assert.Empty(t, rt.GatewayEndpoints)
	}
	v = r.CanReach(netplan.Query{From: netplan.Tier("web"), To: "service:s3", Protocol: netplan.ProtocolTCP, Port: 443})
	assert.True(t, v.Allowed, "to the prefix list, through the internet gateway: %s", v)
	assert.Contains(t, stepStrings(v.Steps), "route web/eu-west-2a,web/eu-west-2b: 0.0.0.0/0 -> internet-gateway")
}

func stepStrings(ss []netplan.Step) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.String()
	}
	return out
}

func TestServiceEndpointsInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		svc  netplan.ServiceEndpoint
		want string
	}{
		{"bad name", netplan.ServiceEndpoint{Service: "S3!", Gateway: true, Users: []string{"app"}}, "services[2].service"},
		{"no user", netplan.ServiceEndpoint{Service: "sts", Group: "app"}, "services[2].users"},
		{"unknown user", netplan.ServiceEndpoint{Service: "sts", Group: "app", Users: []string{"nope"}}, "services[2].users[0]"},
		{"gateway with group", netplan.ServiceEndpoint{Service: "dynamodb", Gateway: true, Group: "app", Users: []string{"app"}}, "services[2].group"},
		{"interface without group", netplan.ServiceEndpoint{Service: "sts", Users: []string{"app"}}, "services[2].group"},
		{"duplicate", netplan.ServiceEndpoint{Service: "sqs", Group: "app", Users: []string{"app"}}, "services[2].service"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			topo := withEndpoints(t)
			topo.Services = append(topo.Services, tc.svc)
			_, err := netplan.Derive(topo, netplan.Options{})
			require.Error(t, err)
			assert.True(t, errors.Is(err, netplan.ErrInvalid) || errors.Is(err, netplan.ErrDuplicate), err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
