package tier_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/tier"
)

const arnQueue = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:"

func TestStatements(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		grants []tier.Grant
		want   []tier.Statement
	}{
		{"none", nil, nil},
		{"consume a queue and read the database secret", []tier.Grant{tier.ConsumeQueue("orders"), tier.DatabaseSecret("db")}, []tier.Statement{
			{Sid: "DatabaseSecretDb", Actions: []string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"}, DatabaseTier: "db"},
			{Sid: "QueueReadOrders", Actions: []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"},
				Resources: []string{arnQueue + "orders"}},
		}},
		{"the broker's secret: its value only, and the database's", []tier.Grant{tier.BrokerSecret("bus"), tier.DatabaseSecret("db")}, []tier.Statement{
			{Sid: "BrokerSecretBus", Actions: []string{"secretsmanager:GetSecretValue"}, BrokerTier: "bus"},
			{Sid: "DatabaseSecretDb", Actions: []string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"}, DatabaseTier: "db"},
		}},
		{"a queue by ARN, produced, and the same consumed: the wider access stays", []tier.Grant{
			tier.ConsumeQueue("arn:aws:sqs:eu-west-1:123456789012:jobs.fifo"), tier.ProduceQueue("arn:aws:sqs:eu-west-1:123456789012:jobs.fifo")},
			[]tier.Statement{{Sid: "QueueWriteJobsFifo",
				Actions:   []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:SendMessage"},
				Resources: []string{"arn:aws:sqs:eu-west-1:123456789012:jobs.fifo"}}}},
		{"a bucket read and another written", []tier.Grant{tier.ReadBucket("assets"), tier.WriteBucket("up-loads")}, []tier.Statement{
			{Sid: "BucketListAssets", Actions: []string{"s3:ListBucket"}, Resources: []string{"arn:${AWS::Partition}:s3:::assets"}},
			{Sid: "BucketListUpLoads", Actions: []string{"s3:ListBucket"}, Resources: []string{"arn:${AWS::Partition}:s3:::up-loads"}},
			{Sid: "ObjectsReadAssets", Actions: []string{"s3:GetObject"}, Resources: []string{"arn:${AWS::Partition}:s3:::assets/*"}},
			{Sid: "ObjectsWriteUpLoads", Actions: []string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}, Resources: []string{"arn:${AWS::Partition}:s3:::up-loads/*"}},
		}},
		{"a parameter path, with or without its last slash", []tier.Grant{tier.ReadParameters("/shop/app/"), tier.ReadParameters("/shop/app")}, []tier.Statement{
			{Sid: "ParametersShopApp", Actions: []string{"ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"},
				Resources: []string{"arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/shop/app",
					"arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/shop/app/*"}},
		}},
		{"Session Manager, given twice, is one statement on every resource", []tier.Grant{tier.SessionManager(), tier.SessionManager()}, []tier.Statement{
			{Sid: "SessionManager", Actions: []string{"ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
				"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"}, Resources: []string{"*"}},
		}},
		{"names that differ only by separators get distinct Sids", []tier.Grant{tier.ConsumeQueue("a-b"), tier.ConsumeQueue("a_b")}, []tier.Statement{
			{Sid: "QueueReadAB", Actions: []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"}, Resources: []string{arnQueue + "a-b"}},
			{Sid: "QueueReadAB2", Actions: []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"}, Resources: []string{arnQueue + "a_b"}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, tier.Statements(tc.grants))
		})
	}
}

func TestValidateGrants(t *testing.T) {
	t.Parallel()
	require.NoError(t, tier.ValidateGrants("g", []tier.Grant{tier.ConsumeQueue("orders.fifo"), tier.ReadBucket("my.assets-1"),
		tier.DatabaseSecret("db"), tier.ReadParameters("/shop/app"), tier.ProduceQueue("arn:aws:sqs:us-east-1:123456789012:q"), tier.SessionManager(),
		tier.BrokerSecret("bus")}))
	err := tier.ValidateGrants("cluster[app].grants", []tier.Grant{
		{Kind: tier.GrantQueue, Name: "orders!"},
		{Kind: tier.GrantBucket, Name: "Assets"},
		{Kind: tier.GrantDatabaseSecret, Name: "db", Access: tier.ReadWrite},
		{Kind: tier.GrantParameters, Name: "shop/app"},
		{Kind: "topic", Name: "x"},
		{Kind: tier.GrantQueue, Name: "q", Access: "all"},
		{Kind: tier.GrantSessionManager, Name: "bastion", Access: tier.ReadWrite},
		{Kind: tier.GrantBrokerSecret, Access: tier.ReadWrite},
	})
	require.Error(t, err)
	for _, want := range []string{"grants[0].name", "grants[1].name", "grants[2].access", "grants[3].name", "grants[4].kind", "grants[5].access", "grants[6].name", "grants[6].access",
		"grants[7].name", "grants[7].access: read_write: a broker secret is only read"} {
		assert.Contains(t, err.Error(), "cluster[app]."+want)
	}
	assert.ErrorIs(t, err, tier.ErrInvalid)
}
