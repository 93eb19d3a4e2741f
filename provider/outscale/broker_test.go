package outscale_test

import (
	"errors"
	"fmt"
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
	"github.com/archkit/archkit/provider/outscale/osctest"
	"github.com/archkit/archkit/tier"
)

// OUTSCALE has no managed message broker: a RabbitMQ broker is refused
// without AllowFallback, before any write, and built with it as its
// fallback RabbitMQ cluster of VMs, whose security group admits AMQPS and
// AMQP from the application tier only and epmd and Erlang distribution
// between the broker's own nodes. The cluster holds messages: a destroy is
// refused without AllowDataLoss.
// oscBrokerArch is an application tier and a RabbitMQ broker tier it
// connects to, over two zones, with the broker's fallback cluster of three
// VMs.
func oscBrokerArch() *pattern.Architecture {
	a := pattern.New("bus", "10.0.0.0/16").WithZones("a", "b")
	a.Profile = netplan.Outscale
	app := tier.App("app")
	app.Exposure = netplan.Isolated
	a.AddTier(app, tier.Tier{Name: "bus", Role: tier.RoleQueue, Exposure: netplan.Isolated}).Connect("app", "bus")
	a.AddCluster(tier.NewCluster("app", suiteImage, "tinav5.c2r4p2"))
	b := tier.NewBroker("bus", tier.BrokerRabbitMQ, "mq.m7g.large")
	b.FallbackToCluster, b.Fallback = true, tier.NewCluster("bus", suiteImage, "tinav5.c2r4p2")
	b.Fallback.Min, b.Fallback.Desired, b.Fallback.Max = 3, 3, 3
	return a.AddBroker(b)
}

func TestBrokerFallbackOnOutscale(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	bp, err := oscBrokerArch().Build()
	require.NoError(t, err)

	strict := provider.NewEngine(d, func(o *provider.Options) { o.RateLimit = -1 })
	_, err = strict.Apply(t.Context(), bp)
	require.Error(t, err)
	assert.True(t, errors.Is(err, driver.ErrUnsupported), "%v", err)
	assert.Contains(t, err.Error(), "broker/bus: broker not supported by outscale")
	assert.Contains(t, err.Error(), "set a fallback cluster and AllowFallback=true")
	_, perOp := srv.Requests()
	assert.Zero(t, writes(perOp), "refused before any write: %v", perOp)

	eng := engineFor(d)
	plan, err := eng.Plan(t.Context(), bp)
	require.NoError(t, err)
	assert.Contains(t, plan.Notices, "broker/bus: outscale has no managed message broker (OUTSCALE has no managed message broker; use a RabbitMQ cluster of VMs (BrokerSpec.Fallback)); built as a 3-node bus cluster instead")
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)

	clusters, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindCluster})
	require.NoError(t, err)
	i := slices.IndexFunc(clusters, func(o driver.Observed) bool { return o.LogicalID == "broker/bus" })
	require.GreaterOrEqual(t, i, 0, "the broker runs as a cluster of VMs")
	assert.Equal(t, 3, clusters[i].Resource.Cluster.Desired)
	assert.False(t, clusters[i].Resource.Cluster.Stateless, "RabbitMQ holds messages")

	sets, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindSecurityGroupRules})
	require.NoError(t, err)
	groups, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindSecurityGroup})
	require.NoError(t, err)
	name := map[string]string{}
	for _, g := range groups {
		name[g.ID] = g.LogicalID
	}
	var inbound []string
	for _, s := range sets {
		if s.LogicalID != "security_group_rules/bus" {
			continue
		}
		for _, r := range s.Resource.SecurityGroupRules.Inbound {
			inbound = append(inbound, fmt.Sprintf("%s %s/%d-%d", name[string(r.Group)], r.Protocol, r.FromPort, r.ToPort))
		}
	}
	slices.Sort(inbound)
	assert.Equal(t, []string{"security_group/app tcp/5671-5672", "security_group/bus tcp/25672-25672", "security_group/bus tcp/4369-4369"}, inbound)

	_, err = eng.Destroy(t.Context(), bp.Deployment)
	require.ErrorIs(t, err, provider.ErrProtected)
	assert.Contains(t, err.Error(), "broker/bus")
}

// A grant of the broker's secret (tier.BrokerSecret) on OUTSCALE, which has
// no roles for VMs, is what a database secret's is: the cluster's role is
// refused before any write, and dropped with a notice under
// AllowFallback, the application's VMs made without it.
func TestBrokerSecretGrantOnOutscale(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	a := oscBrokerArch()
	a.Cluster("app").Grants = []tier.Grant{tier.BrokerSecret("bus")}
	bp, err := a.Build()
	require.NoError(t, err)
	role, ok := bp.Resource("instance_role/app")
	require.True(t, ok)
	assert.Equal(t, blueprint.Ref("broker/bus"), role.InstanceRole.Statements[0].BrokerSecret)

	_, err = provider.NewEngine(d, func(o *provider.Options) { o.RateLimit = -1 }).Plan(t.Context(), bp)
	require.ErrorIs(t, err, driver.ErrUnsupported)
	assert.ErrorContains(t, err, "instance_role/app")
	_, perOp := srv.Requests()
	assert.Zero(t, writes(perOp), "refused before any write: %v", perOp)

	plan, err := engineFor(d).Plan(t.Context(), bp)
	require.NoError(t, err)
	assert.True(t, slices.ContainsFunc(plan.Notices, func(n string) bool { return strings.HasPrefix(n, "instance_role/app:") }), "%v", plan.Notices)
	for _, c := range plan.Changes {
		assert.NotEqual(t, blueprint.KindInstanceRole, c.Kind, "no role is made: %v", c)
	}
	assert.Empty(t, srv.Violations())
}
