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

// brokerArch is a web tier, an application tier and a RabbitMQ broker
// tier that only the application connects to.
func brokerArch(p netplan.Profile, b tier.Broker) *pattern.Architecture {
	a := pattern.New("shop", "10.0.0.0/16").WithZones("a", "b", "c")
	a.Profile = p
	web, app := tier.Web("web"), tier.App("app")
	bus := tier.Tier{Name: "bus", Role: tier.RoleQueue, Exposure: netplan.Isolated} // no ports: the broker's
	a.AddTier(web, app, bus).Connect("app", "bus")
	a.AddCluster(tier.NewCluster("web", "ami-1", "t3.micro"), tier.NewCluster("app", "ami-1", "t3.micro"))
	return a.AddBroker(b)
}

// On AWS the broker opens AMQPS (5671) and the console (443) to the
// application tier only, and nothing between its own nodes: Amazon MQ's
// cluster talks on the cloud's network.
func TestBrokerOnAWS(t *testing.T) {
	t.Parallel()
	b := tier.NewBroker("bus", tier.BrokerRabbitMQ, "mq.m7g.large")
	b.Version, b.FallbackToCluster = "3.13", true
	b.Fallback = tier.NewCluster("bus", "rabbitmq-image", "t3.medium")
	a := brokerArch(netplan.AWS, b)
	bp := build(t, a)
	r := res(t, bp, "broker/bus")
	s := r.Broker
	assert.True(t, r.IsStateful(), "a broker holds messages")
	assert.Equal(t, "rabbitmq", s.Engine)
	assert.Equal(t, "3.13", s.EngineVersion)
	assert.True(t, s.MultiAZ)
	assert.Len(t, s.Subnets, 3, "a cluster over the three zones")
	assert.Equal(t, tier.DefaultBrokerUsername, s.Username)
	assert.True(t, s.AutoMinorVersionUpgrade)
	assert.Equal(t, []blueprint.Ref{"security_group/bus"}, s.SecurityGroups)
	require.NotNil(t, s.Fallback)
	assert.False(t, s.Fallback.Stateless)
	assert.Equal(t, []blueprint.RuleSpec{
		{Protocol: "tcp", FromPort: 443, ToPort: 443, Group: "security_group/app"},
		{Protocol: "tcp", FromPort: 5671, ToPort: 5671, Group: "security_group/app"},
	}, stripDesc(sgRules(t, bp, "bus").Inbound), "AMQPS and the console from the application's group only")
	rs := rules(t, a)
	assert.True(t, reach(rs, netplan.Tier("app"), "bus", 5671))
	assert.False(t, reach(rs, netplan.Tier("web"), "bus", 5671))
	assert.False(t, reach(rs, netplan.Internet(), "bus", 5671))
	ids := findingIDs(bp)
	assert.NotContains(t, ids, "PT016 tiers[bus]", "the managed broker is the tier's service")
	assert.NotContains(t, ids, "PT032 brokers[bus]")

	single := tier.NewBroker("bus", tier.BrokerRabbitMQ, "mq.t3.micro")
	single.MultiAZ = false
	sb := build(t, brokerArch(netplan.AWS, single))
	assert.Len(t, res(t, sb, "broker/bus").Broker.Subnets, 1, "a single instance in the tier's first subnet")
	assert.Contains(t, findingIDs(sb), "PT032 brokers[bus]")
}

// On OUTSCALE's profile the broker is its fallback RabbitMQ cluster: AMQPS
// and AMQP from the application, epmd and Erlang distribution between
// its nodes.
func TestBrokerFallbackPorts(t *testing.T) {
	t.Parallel()
	b := tier.NewBroker("bus", tier.BrokerRabbitMQ, "mq.m7g.large")
	b.FallbackToCluster, b.Fallback = true, tier.NewCluster("bus", "rabbitmq-image", "tinav5.c2r4p1")
	bp := build(t, brokerArch(netplan.Outscale, b))
	assert.Equal(t, []blueprint.RuleSpec{
		{Protocol: "tcp", FromPort: 5671, ToPort: 5672, Group: "security_group/app"},
		{Protocol: "tcp", FromPort: 4369, ToPort: 4369, Group: "security_group/bus"},
		{Protocol: "tcp", FromPort: 25672, ToPort: 25672, Group: "security_group/bus"},
	}, stripDesc(sgRules(t, bp, "bus").Inbound), "AMQPS and AMQP (one range) from the application, epmd and Erlang distribution between the nodes")
}

// A broker is declared like a cache: checked at its fields, one service
// per tier, a tier that listens on AMQPS.
func TestBrokerDeclaration(t *testing.T) {
	t.Parallel()
	ok := func() tier.Broker { return tier.NewBroker("bus", tier.BrokerRabbitMQ, "mq.m7g.large") }
	for name, tc := range map[string]struct {
		edit  func(a *pattern.Architecture)
		field string
	}{
		"no such tier": {func(a *pattern.Architecture) {
			a.AddBroker(tier.NewBroker("nope", tier.BrokerRabbitMQ, "mq.m7g.large"))
		}, "brokers[1].tier"},
		"bad type":      {func(a *pattern.Architecture) { a.Brokers[0].InstanceType = "m7g.large" }, "broker[bus].instance_type"},
		"guest":         {func(a *pattern.Architecture) { a.Brokers[0].Username = "guest" }, "broker[bus].username"},
		"window":        {func(a *pattern.Architecture) { a.Brokers[0].MaintenanceWindow = "sunday" }, "broker[bus].maintenance_window"},
		"two in a tier": {func(a *pattern.Architecture) { a.AddBroker(ok()) }, "brokers[1].tier"},
		"beside cluster": {func(a *pattern.Architecture) {
			a.AddBroker(tier.NewBroker("app", tier.BrokerRabbitMQ, "mq.m7g.large"))
		}, "brokers[1].tier"},
		"amqp only": {func(a *pattern.Architecture) { a.Tier("bus").Ports = []tier.Port{tier.TCP(5672)} }, "brokers[0].tier"},
	} {
		a := brokerArch(netplan.AWS, ok())
		tc.edit(a)
		_, err := a.Build()
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), tc.field, name)
	}
	assert.Nil(t, (*pattern.Architecture)(nil).AddBroker(ok()))
	assert.Nil(t, (*pattern.Architecture)(nil).Broker("bus"))
	assert.NotNil(t, brokerArch(netplan.AWS, ok()).Broker("bus"))
}

// A cluster granted its broker's secret (tier.BrokerSecret) gets a role
// whose one statement reads the secret of broker/bus
// (secretsmanager:GetSecretValue, the broker's Ref: its ARN is the
// driver's to fill in), and the broker comes before the role; a grant of
// a tier without a managed broker is refused, naming the field and the
// fix.
func TestBrokerSecretGrant(t *testing.T) {
	t.Parallel()
	a := brokerArch(netplan.AWS, tier.NewBroker("bus", tier.BrokerRabbitMQ, "mq.m7g.large"))
	for i := range a.Clusters {
		if a.Clusters[i].Tier == "app" {
			a.Clusters[i].Grants = []tier.Grant{tier.BrokerSecret("bus")}
		}
	}
	bp := build(t, a)
	role := res(t, bp, "instance_role/app")
	assert.Equal(t, []blueprint.PolicyStatement{{Sid: "BrokerSecretBus", Actions: []string{"secretsmanager:GetSecretValue"},
		BrokerSecret: "broker/bus"}}, role.InstanceRole.Statements)
	assert.Contains(t, role.DependsOn, "broker/bus", "the role waits for the broker")
	_, ok := bp.Resource("net_endpoint/secretsmanager")
	assert.True(t, ok, "the app tier calls Secrets Manager through its endpoint")

	for i := range a.Clusters {
		if a.Clusters[i].Tier == "app" {
			a.Clusters[i].Grants = []tier.Grant{tier.BrokerSecret("app")}
		}
	}
	_, err := a.Build()
	require.ErrorIs(t, err, pattern.ErrInvalid)
	assert.ErrorContains(t, err, "clusters[1].grants[0].name: app: no managed broker in that tier")
	assert.ErrorContains(t, err, "AddBroker")
}
