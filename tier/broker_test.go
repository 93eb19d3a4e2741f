package tier_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/tier"
)

func TestBrokerValidate(t *testing.T) {
	t.Parallel()
	ok := tier.NewBroker("bus", tier.BrokerRabbitMQ, "mq.m7g.large")
	require.NoError(t, ok.Validate())
	assert.True(t, ok.MultiAZ, "a cluster by default")
	assert.Equal(t, tier.DefaultBrokerUsername, ok.User())
	for _, tc := range []struct {
		name  string
		edit  func(b *tier.Broker)
		field string
	}{
		{"no tier", func(b *tier.Broker) { b.Tier = "" }, "broker.tier"},
		{"activemq", func(b *tier.Broker) { b.Engine = "activemq" }, "broker[bus].engine"},
		{"instance type", func(b *tier.Broker) { b.InstanceType = "t3.micro" }, "broker[bus].instance_type"},
		{"version", func(b *tier.Broker) { b.Version = "v3" }, "broker[bus].version"},
		{"guest", func(b *tier.Broker) { b.Username = "guest" }, "broker[bus].username"},
		{"short user", func(b *tier.Broker) { b.Username = "a" }, "broker[bus].username"},
		{"space in user", func(b *tier.Broker) { b.Username = "a b" }, "broker[bus].username"},
		{"window day", func(b *tier.Broker) { b.MaintenanceWindow = "Dim:03:00" }, "broker[bus].maintenance_window"},
		{"window minute", func(b *tier.Broker) { b.MaintenanceWindow = "Sun:03:60" }, "broker[bus].maintenance_window"},
		{"fallback", func(b *tier.Broker) { b.FallbackToCluster = true }, "broker[bus].fallback"},
	} {
		b := ok
		tc.edit(&b)
		err := b.Validate()
		require.Error(t, err, tc.name)
		assert.True(t, errors.Is(err, tier.ErrInvalid), tc.name)
		assert.Contains(t, err.Error(), tc.field, tc.name)
	}
	w := ok
	w.MaintenanceWindow, w.Username = "Sat:23:59", "app.user-1~x"
	assert.NoError(t, w.Validate())
}
