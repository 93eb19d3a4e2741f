package provider_test

import (
	"errors"
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
