package provider_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/tier"
)

// brokerArch is an application tier and a RabbitMQ broker tier it
// connects to, over two zones, with the broker's fallback cluster.
func brokerArch(p netplan.Profile) *pattern.Architecture {
	a := pattern.New("bus", "10.0.0.0/16").WithZones("a", "b")
	a.Profile = p
	app := tier.App("app")
	app.Exposure = netplan.Isolated
	a.AddTier(app, tier.Tier{Name: "bus", Role: tier.RoleQueue, Exposure: netplan.Isolated}).Connect("app", "bus")
	a.AddCluster(tier.NewCluster("app", "ami-1", "t3.micro"))
	b := tier.NewBroker("bus", tier.BrokerRabbitMQ, "mq.m7g.large")
	b.FallbackToCluster, b.Fallback = true, tier.NewCluster("bus", "rabbitmq-image", "t3.medium")
	return a.AddBroker(b)
}

// A broker on the fake as AWS: applied with its secret, a re-apply writes
// nothing, a larger instance type is one in-place update, a move to
// mq.t3.micro (which Amazon MQ cannot make) is a replace the engine
// refuses without AllowDataLoss, a destroy is refused without it and done
// with it; on the fake as OUTSCALE it is refused without AllowFallback and
// built as its stateful RabbitMQ cluster with it.
func TestBrokerOnFake(t *testing.T) {
	t.Parallel()
	arch := brokerArch(netplan.AWS)
	bp, err := arch.Build()
	require.NoError(t, err)
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	brokers, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindBroker})
	require.NoError(t, err)
	require.Len(t, brokers, 1)
	assert.Equal(t, []string{fake.BrokerSecretARN(brokers[0].ID)}, brokers[0].Parts[fake.PartSecret])

	d.ResetCalls()
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, d.Counts().Writes, "re-apply")

	arch.Broker("bus").InstanceType = "mq.m7g.xlarge"
	bp2, err := arch.Build()
	require.NoError(t, err)
	d.ResetCalls()
	res, err := eng.Apply(t.Context(), bp2)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Updated)
	assert.Equal(t, map[blueprint.Kind]int{blueprint.KindBroker: 1}, d.Counts().WritesByKind, "one write: the broker's update")

	arch.Broker("bus").InstanceType, arch.Broker("bus").Version = "mq.t3.micro", "3.13"
	arch.Broker("bus").MultiAZ = false
	bp3, err := arch.Build()
	require.NoError(t, err)
	d.ResetCalls()
	_, err = eng.Apply(t.Context(), bp3)
	require.ErrorIs(t, err, provider.ErrProtected, "a single mq.t3.micro broker replaces the cluster")
	assert.Zero(t, d.Counts().Writes, "refused before any write")

	_, err = eng.Destroy(t.Context(), bp.Deployment)
	require.ErrorIs(t, err, provider.ErrProtected)
	_, err = eng.Destroy(t.Context(), bp.Deployment, func(o *provider.DestroyOptions) { o.AllowDataLoss = []string{"broker/bus"} })
	require.NoError(t, err)

	osc := fake.New(fake.Outscale)
	obp, err := brokerArch(netplan.Outscale).Build()
	require.NoError(t, err)
	_, err = provider.NewEngine(osc, fastOpts).Apply(t.Context(), obp)
	require.Error(t, err)
	assert.True(t, errors.Is(err, driver.ErrUnsupported))
	assert.Zero(t, osc.Counts().Writes, "refused before any write")
	_, err = provider.NewEngine(osc, fastOpts, func(o *provider.Options) { o.AllowFallback = true }).Apply(t.Context(), obp)
	require.NoError(t, err)
	cl, err := osc.Read(t.Context(), blueprint.KindCluster, idOf(t, osc, obp.Deployment, "broker/bus"))
	require.NoError(t, err)
	assert.False(t, cl.Resource.Cluster.Stateless, "RabbitMQ holds messages")
}

// The preflight finds, all at once and before any call, a broker whose
// subnets lie in one zone and a version Amazon MQ does not create.
func TestPreflightBroker(t *testing.T) {
	t.Parallel()
	bp, err := brokerArch(netplan.AWS).Build()
	require.NoError(t, err)
	for i := range bp.Resources {
		if r := &bp.Resources[i]; r.Kind == blueprint.KindBroker {
			r.Broker.Subnets = []blueprint.Ref{"subnet/bus/a", "subnet/app/a"}
			r.Broker.EngineVersion = "3.12"
		}
	}
	d := fake.New()
	_, err = provider.NewEngine(d, fastOpts).Apply(t.Context(), bp)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "broker.engine_version")
	var fields []string
	for _, p := range problems(err) {
		fields = append(fields, p.Resource+" "+p.Field)
	}
	assert.Contains(t, fields, "broker/bus broker.subnets[1]", "%v", err)
	assert.Zero(t, d.Counts().Writes)
}

// A cluster granted its broker's secret (tier.BrokerSecret): on the fake
// as AWS the role is made after the broker, its policy naming the
// broker's secret (fake.BrokerSecretARN), and a role naming as a broker
// something that is not one is refused, naming the field; a re-apply
// writes nothing. On the fake as OUTSCALE, which has no roles for VMs, the
// grant is refused before any write as a database secret's is, and
// dropped with the role under AllowFallback.
func TestBrokerSecretGrantOnFake(t *testing.T) {
	t.Parallel()
	arch := brokerArch(netplan.AWS)
	arch.Cluster("app").Grants = []tier.Grant{tier.BrokerSecret("bus")}
	bp, err := arch.Build()
	require.NoError(t, err)
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	role, err := d.Read(t.Context(), blueprint.KindInstanceRole, kindID(t, d, bp.Deployment, blueprint.KindInstanceRole, "instance_role/app"))
	require.NoError(t, err)
	broker := kindID(t, d, bp.Deployment, blueprint.KindBroker, "broker/bus")
	assert.Equal(t, []blueprint.PolicyStatement{{Sid: "BrokerSecretBus", Actions: []string{"secretsmanager:GetSecretValue"},
		BrokerSecret: blueprint.Ref(broker)}}, role.Resource.InstanceRole.Statements)
	doc, err := role.Resource.InstanceRole.PolicyDocument(blueprint.ARNScope{}, map[blueprint.Ref]string{blueprint.Ref(broker): fake.BrokerSecretARN(broker)})
	require.NoError(t, err)
	assert.Contains(t, doc, `"Resource":["`+fake.BrokerSecretARN(broker)+`"]`)
	d.ResetCalls()
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, d.Counts().Writes, "re-apply")

	wrong, _ := bp.Resource("instance_role/app")
	wrong = wrong.Clone()
	wrong.ID, wrong.InstanceRole.Name = "instance_role/wrong", "bus-instance_role-wrong"
	wrong.InstanceRole.Statements[0].BrokerSecret = blueprint.Ref(kindID(t, d, bp.Deployment, blueprint.KindSecurityGroup, "security_group/app"))
	_, err = d.Create(t.Context(), driver.Request{Deployment: bp.Deployment, Resource: wrong})
	require.ErrorIs(t, err, driver.ErrInvalid)
	assert.ErrorContains(t, err, "instance_role.statements[0].broker_secret")
	_, err = eng.Destroy(t.Context(), bp.Deployment, func(o *provider.DestroyOptions) { o.AllowDataLoss = []string{"broker/bus"} })
	require.NoError(t, err)

	oarch := brokerArch(netplan.Outscale)
	oarch.Cluster("app").Grants = []tier.Grant{tier.BrokerSecret("bus")}
	obp, err := oarch.Build()
	require.NoError(t, err)
	osc := fake.New(fake.Outscale)
	_, err = provider.NewEngine(osc, fastOpts).Apply(t.Context(), obp)
	require.ErrorIs(t, err, driver.ErrUnsupported)
	assert.ErrorContains(t, err, "instance_role/app")
	assert.Zero(t, osc.Counts().Writes, "refused before any write")
	lenient := provider.NewEngine(osc, fastOpts, func(o *provider.Options) { o.AllowFallback = true })
	plan, err := lenient.Plan(t.Context(), obp)
	require.NoError(t, err)
	assert.True(t, slices.ContainsFunc(plan.Notices, func(n string) bool { return strings.HasPrefix(n, "instance_role/app:") }), "%v", plan.Notices)
	_, err = lenient.Apply(t.Context(), obp)
	require.NoError(t, err)
	roles, err := osc.List(t.Context(), driver.Query{Deployment: obp.Deployment, Kind: blueprint.KindInstanceRole})
	require.NoError(t, err)
	assert.Empty(t, roles, "no role on OUTSCALE")
}

// kindID returns the provider id of the resource of kind k and logical id
// lid of deployment dep on d.
func kindID(t *testing.T, d driver.Driver, dep string, k blueprint.Kind, lid string) string {
	t.Helper()
	obs, err := d.List(t.Context(), driver.Query{Deployment: dep, Kind: k})
	require.NoError(t, err)
	i := slices.IndexFunc(obs, func(o driver.Observed) bool { return o.LogicalID == lid })
	require.GreaterOrEqual(t, i, 0, "no %s %s", k, lid)
	return obs[i].ID
}
