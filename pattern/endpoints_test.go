package pattern_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

func TestDeriveEndpoints(t *testing.T) {
	t.Parallel()
	web := tier.Tier{Name: "web", Exposure: netplan.Public}
	app := tier.Tier{Name: "app", Exposure: netplan.Private}
	worker := tier.Tier{Name: "worker", Exposure: netplan.Private}
	db := tier.Tier{Name: "db", Exposure: netplan.Isolated}
	threeTier := []tier.Tier{web, app, worker, db}
	gw := func(s string, users ...string) netplan.ServiceEndpoint {
		return netplan.ServiceEndpoint{Service: s, Gateway: true, Users: users}
	}
	iface := func(s, home string, users ...string) netplan.ServiceEndpoint {
		return netplan.ServiceEndpoint{Service: s, Group: home, Users: users}
	}
	tests := []struct {
		name  string
		tiers []tier.Tier
		uses  map[string][]tier.Service
		opts  pattern.Endpoints
		want  []netplan.ServiceEndpoint
	}{
		{"nothing used", threeTier, nil, pattern.Endpoints{}, nil},
		{"bucket and queue of app", threeTier, map[string][]tier.Service{"app": {tier.ServiceS3, tier.ServiceSQS}}, pattern.Endpoints{},
			[]netplan.ServiceEndpoint{gw("s3", "app"), iface("sqs", "app", "app")}},
		{"users in tiers' order, home the first Private user", threeTier,
			map[string][]tier.Service{"worker": {tier.ServiceSQS}, "app": {tier.ServiceSQS}, "db": {tier.ServiceSQS}}, pattern.Endpoints{},
			[]netplan.ServiceEndpoint{iface("sqs", "app", "app", "worker", "db")}},
		{"an Isolated user alone lives in the first Private tier", threeTier, map[string][]tier.Service{"db": {tier.ServiceSecretsManager}}, pattern.Endpoints{},
			[]netplan.ServiceEndpoint{iface("secretsmanager", "app", "db")}},
		{"a Public user of a gateway gets no endpoint", threeTier, map[string][]tier.Service{"web": {tier.ServiceS3}}, pattern.Endpoints{}, nil},
		{"a Public user of an interface endpoint is a user", threeTier, map[string][]tier.Service{"web": tier.SessionManagerServices}, pattern.Endpoints{},
			[]netplan.ServiceEndpoint{iface("ec2messages", "app", "web"), iface("ssm", "app", "web"), iface("ssmmessages", "app", "web")}},
		{"Public tiers only", []tier.Tier{web}, map[string][]tier.Service{"web": {tier.ServiceSQS, tier.ServiceS3}}, pattern.Endpoints{}, nil},
		{"Isolated home when no Private tier", []tier.Tier{web, db}, map[string][]tier.Service{"web": {tier.ServiceSQS}}, pattern.Endpoints{},
			[]netplan.ServiceEndpoint{iface("sqs", "db", "web")}},
		{"off", threeTier, map[string][]tier.Service{"app": {tier.ServiceS3}}, pattern.Endpoints{Off: true}, nil},
		{"drop", threeTier, map[string][]tier.Service{"app": {tier.ServiceS3, tier.ServiceSQS}}, pattern.Endpoints{Drop: []tier.Service{tier.ServiceS3}},
			[]netplan.ServiceEndpoint{iface("sqs", "app", "app")}},
		{"add for named tiers", threeTier, nil, pattern.Endpoints{Add: []pattern.EndpointUse{{Service: tier.ServiceECRAPI, Tiers: []string{"worker"}}}},
			[]netplan.ServiceEndpoint{iface("ecr.api", "worker", "worker")}},
		{"add for every Private and Isolated tier", threeTier, map[string][]tier.Service{"app": {tier.ServiceDynamoDB}},
			pattern.Endpoints{Add: []pattern.EndpointUse{{Service: tier.ServiceDynamoDB}}},
			[]netplan.ServiceEndpoint{gw("dynamodb", "app", "worker", "db")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, pattern.DeriveEndpoints(tc.tiers, tc.uses, tc.opts))
		})
	}
}

// webAppWithGrants is the web app whose app cluster reads a bucket and
// consumes a queue.
func webAppWithGrants(profile netplan.Profile) *pattern.Architecture {
	a := pattern.WebApp(pattern.WebAppOptions{Name: "shop", Profile: profile})
	for i := range a.Clusters {
		if a.Clusters[i].Tier == "app" {
			a.Clusters[i].Grants = []tier.Grant{tier.ReadBucket("shop-assets"), tier.ConsumeQueue("orders")}
		}
	}
	return a
}

func TestBuildEndpoints(t *testing.T) {
	t.Parallel()
	a := webAppWithGrants(netplan.AWS)
	bp, err := a.Build()
	require.NoError(t, err)
	s3, ok := bp.Resource("net_endpoint/s3")
	require.True(t, ok)
	assert.Equal(t, &blueprint.NetEndpointSpec{Net: "net/main", Service: "s3", Type: blueprint.EndpointGateway,
		RouteTables: []blueprint.Ref{"route_table/app/a", "route_table/app/b"}}, s3.NetEndpoint, "the private tier's tables only")
	sqs, ok := bp.Resource("net_endpoint/sqs")
	require.True(t, ok)
	assert.Equal(t, &blueprint.NetEndpointSpec{Net: "net/main", Service: "sqs", Type: blueprint.EndpointInterface, PrivateDNS: true,
		Subnets: []blueprint.Ref{"subnet/app/a", "subnet/app/b"}, SecurityGroups: []blueprint.Ref{"security_group/endpoint-sqs"}}, sqs.NetEndpoint)
	assert.Equal(t, []string{"net/main", "route_table/app/a", "route_table/app/b"}, s3.DependsOn)

	group, ok := bp.Resource("security_group/endpoint-sqs")
	require.True(t, ok)
	assert.Equal(t, "shop-endpoint-sqs", group.SecurityGroup.Name)
	rules, _ := bp.Resource("security_group_rules/endpoint-sqs")
	assert.Equal(t, []string{"tcp 443 from security_group/app"}, ruleTexts(rules.SecurityGroupRules.Inbound, true), "443 from the app tier only")
	assert.Empty(t, rules.SecurityGroupRules.Outbound)
	app, _ := bp.Resource("security_group_rules/app")
	assert.Subset(t, ruleTexts(app.SecurityGroupRules.Outbound, false), []string{"tcp 443 to prefix list s3", "tcp 443 to security_group/endpoint-sqs"})
	db, _ := bp.Resource("security_group_rules/db")
	assert.NotContains(t, ruleTexts(db.SecurityGroupRules.Outbound, false), "tcp 443 to prefix list s3")

	r, err := a.Rules()
	require.NoError(t, err)
	for _, tc := range []struct {
		from, to string
		want     bool
	}{{"app", "service:s3", true}, {"app", "service:sqs", true}, {"db", "service:s3", false}, {"db", "service:sqs", false}, {"public", "service:sqs", false}} {
		v := r.CanReach(netplan.Query{From: netplan.Tier(tc.from), To: tc.to, Protocol: netplan.ProtocolTCP, Port: 443})
		assert.Equal(t, tc.want, v.Allowed, "%s -> %s: %s", tc.from, tc.to, v)
	}
}

func ruleTexts(rs []blueprint.RuleSpec, inbound bool) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Text(inbound)
	}
	return out
}

func TestBuildEndpointsOptions(t *testing.T) {
	t.Parallel()
	a := webAppWithGrants(netplan.AWS)
	a.Endpoints.Off = true
	bp, err := a.Build()
	require.NoError(t, err)
	assert.Empty(t, bp.OfKind(blueprint.KindNetEndpoint))
	_, ok := bp.Resource("security_group/endpoint-sqs")
	assert.False(t, ok)

	a = webAppWithGrants(netplan.AWS).AddEndpoint(tier.ServiceECRAPI, "app").AddEndpoint(tier.ServiceDynamoDB)
	a.Endpoints.Drop = []tier.Service{tier.ServiceSQS}
	bp, err = a.Build()
	require.NoError(t, err)
	var ids []string
	for _, r := range bp.OfKind(blueprint.KindNetEndpoint) {
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{"net_endpoint/dynamodb", "net_endpoint/ecr.api", "net_endpoint/s3"}, ids)
	ddb, _ := bp.Resource("net_endpoint/dynamodb")
	assert.Equal(t, []blueprint.Ref{"route_table/app/a", "route_table/app/b", "route_table/db/a", "route_table/db/b"}, ddb.NetEndpoint.RouteTables)

	a = webAppWithGrants(netplan.AWS).AddEndpoint("s4", "nope")
	a.Endpoints.Drop = []tier.Service{"s5"}
	_, err = a.Build()
	require.ErrorIs(t, err, pattern.ErrInvalid)
	for _, f := range []string{"endpoints.add[0].service", "endpoints.add[0].tiers[0]", "endpoints.drop[0]"} {
		assert.ErrorContains(t, err, f)
	}
}

// Endpoints.Off builds no endpoint: an endpoint added with it (or a
// drop, which has nothing to drop) is a contradiction that Build names
// rather than ignores; before, the added endpoints were dropped silently
// and the tiers meant to use them had no rule to the service.
func TestBuildEndpointsOffContradiction(t *testing.T) {
	t.Parallel()
	a := webAppWithGrants(netplan.AWS).AddEndpoint(tier.ServiceS3, "db")
	a.Endpoints.Off = true
	a.Endpoints.Drop = []tier.Service{tier.ServiceSQS}
	_, err := a.Build()
	require.ErrorIs(t, err, pattern.ErrInvalid)
	assert.ErrorContains(t, err, "endpoints.add[0]")
	assert.ErrorContains(t, err, "endpoints.drop[0]")
}

// A Session Manager bastion, with its own profile or with the role made
// from its grant: the same three endpoints, the bastion once among their
// users.
func TestBuildEndpointsSessionManager(t *testing.T) {
	t.Parallel()
	for _, profile := range []string{"ssm-core", ""} {
		a := pattern.WebApp(pattern.WebAppOptions{Name: "shop", Profile: netplan.AWS})
		a.AddBastionHost("bastion", pattern.Bastion{Image: "ami-0abc", SessionManager: true, InstanceProfile: profile})
		bp, err := a.Build()
		require.NoError(t, err)
		for _, s := range []string{"ssm", "ssmmessages", "ec2messages"} {
			r, ok := bp.Resource("net_endpoint/" + s)
			require.True(t, ok, s)
			assert.Equal(t, []blueprint.Ref{"subnet/app/a", "subnet/app/b"}, r.NetEndpoint.Subnets)
			rules, _ := bp.Resource("security_group_rules/endpoint-" + s)
			assert.Equal(t, []string{"tcp 443 from security_group/bastion"}, ruleTexts(rules.SecurityGroupRules.Inbound, true), "profile %q", profile)
		}
	}
}
