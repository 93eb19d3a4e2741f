package blueprint_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// A role's policy filled in for an account and read back gives the
// statements again, the secrets' ARNs turned back into their database and
// broker.
func TestPolicyDocumentRoundTrip(t *testing.T) {
	t.Parallel()
	s := &blueprint.InstanceRoleSpec{Name: "shop-instance_role-app", Statements: blueprint.FromTier(tier.Statements([]tier.Grant{
		tier.ConsumeQueue("orders"), tier.DatabaseSecret("db"), tier.WriteBucket("assets"), tier.ReadParameters("/shop/app"),
		tier.ConsumeQueue("arn:aws:sqs:eu-west-1:999999999999:other"), tier.SessionManager(), tier.BrokerSecret("bus"),
	}))}
	sc := blueprint.ARNScope{Partition: "aws", Region: "us-east-1", Account: "123456789012"}
	secret := "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1234-AbCdEf"
	bus := "arn:aws:secretsmanager:us-east-1:123456789012:secret:archkit/broker/shop-bus-AbCdEf"
	_, err := s.PolicyDocument(sc, map[blueprint.Ref]string{"broker/bus": bus})
	require.Error(t, err, "a database's secret must be known")
	_, err = s.PolicyDocument(sc, map[blueprint.Ref]string{"database/db": secret})
	require.ErrorContains(t, err, "broker broker/bus has no secret", "a broker's secret must be known")
	assert.Equal(t, blueprint.Ref("broker/bus"), s.Statements[0].BrokerSecret, "BrokerSecretBus names the broker")
	assert.Equal(t, []string{"secretsmanager:GetSecretValue"}, s.Statements[0].Actions)
	doc, err := s.PolicyDocument(sc, map[blueprint.Ref]string{"database/db": secret, "broker/bus": bus})
	require.NoError(t, err)
	assert.Contains(t, doc, `"arn:aws:sqs:us-east-1:123456789012:orders"`)
	assert.Contains(t, doc, `"arn:aws:sqs:eu-west-1:999999999999:other"`, "an ARN given whole is kept")
	assert.Contains(t, doc, `"`+secret+`"`)
	assert.Contains(t, doc, `{"Sid":"BrokerSecretBus","Effect":"Allow","Action":["secretsmanager:GetSecretValue"],"Resource":["`+bus+`"]}`)
	assert.NotContains(t, doc, "${")
	back, err := blueprint.ParsePolicyDocument(doc, sc, map[string]blueprint.Ref{secret: "database/db"}, map[string]blueprint.Ref{bus: "broker/bus"})
	require.NoError(t, err)
	assert.Equal(t, s.Statements, back)

	_, err = blueprint.ParsePolicyDocument(`{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`, sc, nil, nil)
	assert.Error(t, err, "archkit never writes a Deny")
	one, err := blueprint.ParsePolicyDocument(`{"Statement":{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`, sc, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []blueprint.PolicyStatement{{Sid: "A", Actions: []string{"s3:GetObject"}, Resources: []string{"arn:${AWS::Partition}:s3:::b/*"}}}, one)
}

func TestInstanceRoleCheck(t *testing.T) {
	t.Parallel()
	ok := blueprint.Resource{ID: "instance_role/app", Kind: blueprint.KindInstanceRole, InstanceRole: &blueprint.InstanceRoleSpec{
		Name: blueprint.IAMName("shop", "instance_role/app"), Statements: blueprint.FromTier(tier.Statements([]tier.Grant{tier.ConsumeQueue("q")}))}}
	require.NoError(t, ok.Check())
	ssm := blueprint.Resource{ID: "instance_role/bastion", Kind: blueprint.KindInstanceRole, InstanceRole: &blueprint.InstanceRoleSpec{
		Name: "ssm", Statements: blueprint.FromTier(tier.Statements([]tier.Grant{tier.SessionManager()}))}}
	require.NoError(t, ssm.Check(), "the SSM Agent's actions name no resource: * is theirs")

	bad := blueprint.Resource{ID: "instance_role/app", Kind: blueprint.KindInstanceRole, InstanceRole: &blueprint.InstanceRoleSpec{
		Name: "has space", Statements: []blueprint.PolicyStatement{
			{Sid: "A-1", Actions: []string{"sqs"}, Resources: []string{"arn:aws:sqs:*"}},
			{Sid: "B"},
			{Sid: "C", Actions: []string{"ssm:UpdateInstanceInformation", "sqs:ReceiveMessage"}, Resources: []string{"*"}},
		}}}
	err := bad.Check()
	require.Error(t, err)
	for _, want := range []string{"instance_role.name", "statements[0].sid", "statements[0].actions", "statements[0].resources", "statements[1].actions", "statements[1].resources", "statements[2].resources: *: every resource"} {
		assert.Contains(t, err.Error(), want)
	}

	var many []tier.Grant
	for i := range 120 {
		many = append(many, tier.WriteBucket("bucket-with-a-rather-long-name-"+strings.Repeat("x", 10)+string(rune('a'+i%26))+strings.Repeat("y", i%7)))
	}
	big := blueprint.Resource{ID: "instance_role/app", Kind: blueprint.KindInstanceRole, InstanceRole: &blueprint.InstanceRoleSpec{
		Name: "big", Statements: blueprint.FromTier(tier.Statements(many))}}
	err = big.Check()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "LimitExceeded")
}

// A hand-written statement names one resource, or a path below one: an
// ARN whose resource starts with a wildcard ("every object of every
// bucket") is no more scoped than "*", which only the SSM Agent's actions
// take; the ARNs grants derive (placeholders included) pass.
func TestInstanceRoleCheckWildcardResource(t *testing.T) {
	t.Parallel()
	role := func(resources ...string) blueprint.Resource {
		return blueprint.Resource{ID: "instance_role/app", Kind: blueprint.KindInstanceRole, InstanceRole: &blueprint.InstanceRoleSpec{
			Name: "app", Statements: []blueprint.PolicyStatement{{Sid: "A", Actions: []string{"s3:GetObject"}, Resources: resources}}}}
	}
	for _, r := range []string{"arn:aws:s3:::*/*", "arn:aws:s3:::*bucket/*", "arn:aws:sqs:us-east-1:123456789012:*orders", "arn:aws:s3", "arn:aws:sqs:us-east-1:123456789012:"} {
		r := role(r)
		err := r.Check()
		require.Error(t, err, "%s", r.InstanceRole.Statements[0].Resources)
		assert.Contains(t, err.Error(), "statements[0].resources")
	}
	for _, r := range []string{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", "arn:aws:ssm:us-east-1:123456789012:parameter/app/*",
		"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-??????"} {
		r := role(r)
		assert.NoError(t, r.Check(), "%s", r.InstanceRole.Statements[0].Resources)
	}
	grants := []tier.Grant{tier.ReadBucket("b"), tier.WriteBucket("w"), tier.ConsumeQueue("q"), tier.ProduceQueue("arn:aws:sqs:us-east-1:123456789012:p"), tier.ReadParameters("/app/")}
	derived := blueprint.Resource{ID: "instance_role/app", Kind: blueprint.KindInstanceRole, InstanceRole: &blueprint.InstanceRoleSpec{
		Name: "app", Statements: blueprint.FromTier(tier.Statements(grants))}}
	assert.NoError(t, derived.Check())
}

func TestIAMName(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "shop-instance_role-app", blueprint.IAMName("shop", "instance_role/app"))
	long := blueprint.IAMName(strings.Repeat("d", 40), "instance_role/"+strings.Repeat("t", 40))
	assert.LessOrEqual(t, len(long), blueprint.MaxIAMNameLen)
	assert.NotEqual(t, long, blueprint.IAMName(strings.Repeat("d", 40), "instance_role/"+strings.Repeat("t", 41)))
}

func TestFlowLogCheck(t *testing.T) {
	t.Parallel()
	fl := func(s blueprint.FlowLogSpec) blueprint.Resource {
		return blueprint.Resource{ID: "flow_log/main", Kind: blueprint.KindFlowLog, FlowLog: &s}
	}
	r := fl(blueprint.FlowLogSpec{Net: "net/main", LogGroup: "/archkit/shop/flow-logs", Role: "shop-flow_log-main"})
	require.NoError(t, r.Check())
	r = fl(blueprint.FlowLogSpec{Net: "net/main", Destination: "kinesis", TrafficType: "SOME"})
	err := r.Check()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "flow_log.destination")
	assert.Contains(t, err.Error(), "flow_log.traffic_type")
	r = fl(blueprint.FlowLogSpec{Net: "net/main", LogGroup: "g", Role: "r", RetentionDays: 42})
	assert.ErrorContains(t, r.Check(), "flow_log.retention_days")
	r = fl(blueprint.FlowLogSpec{Net: "net/main", Destination: blueprint.FlowLogsToS3, Bucket: "logs"})
	assert.ErrorContains(t, r.Check(), "flow_log.bucket")
}
