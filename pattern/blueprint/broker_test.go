package blueprint_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
)

func brokerSpec() *blueprint.BrokerSpec {
	return &blueprint.BrokerSpec{Engine: "rabbitmq", EngineVersion: "3.13", InstanceType: "mq.m7g.large", MultiAZ: true, Username: "archkit_admin",
		AutoMinorVersionUpgrade: true, MaintenanceWindow: "Sun:03:00", Logs: true,
		Subnets: []blueprint.Ref{"subnet/bus/a", "subnet/bus/b", "subnet/bus/c"}, SecurityGroups: []blueprint.Ref{"security_group/bus"}}
}

func TestBrokerCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		edit   func(s *blueprint.BrokerSpec)
		fields []string // the fields the problems name; none: valid
	}{
		{"cluster", func(*blueprint.BrokerSpec) {}, nil},
		{"single instance on t3.micro", func(s *blueprint.BrokerSpec) {
			s.MultiAZ, s.Subnets, s.InstanceType = false, s.Subnets[:1], "mq.t3.micro"
		}, nil},
		{"latest by default", func(s *blueprint.BrokerSpec) { s.EngineVersion = "" }, nil},
		{"patch version", func(s *blueprint.BrokerSpec) { s.EngineVersion = "3.13.7" }, nil},
		{"activemq", func(s *blueprint.BrokerSpec) { s.Engine = "activemq" }, []string{"broker.engine"}},
		{"end of support version", func(s *blueprint.BrokerSpec) { s.EngineVersion = "3.12" }, []string{"broker.engine_version"}},
		{"4.2 on m5", func(s *blueprint.BrokerSpec) { s.EngineVersion, s.InstanceType = "4.2", "mq.m5.large" }, []string{"broker.instance_type"}},
		{"latest on t3", func(s *blueprint.BrokerSpec) {
			s.EngineVersion, s.InstanceType, s.MultiAZ, s.Subnets = "", "mq.t3.micro", false, s.Subnets[:1]
		}, []string{"broker.instance_type"}},
		{"unknown type", func(s *blueprint.BrokerSpec) { s.InstanceType = "mq.x9.huge" }, []string{"broker.instance_type"}},
		{"cluster of t3.micro", func(s *blueprint.BrokerSpec) { s.InstanceType = "mq.t3.micro" }, []string{"broker.instance_type"}},
		{"single instance in three subnets", func(s *blueprint.BrokerSpec) { s.MultiAZ = false }, []string{"broker.subnets"}},
		{"cluster without subnets", func(s *blueprint.BrokerSpec) { s.Subnets = nil }, []string{"broker.subnets"}},
		{"no minor upgrades", func(s *blueprint.BrokerSpec) { s.AutoMinorVersionUpgrade = false }, []string{"broker.auto_minor_version_upgrade"}},
		{"guest", func(s *blueprint.BrokerSpec) { s.Username = "guest" }, []string{"broker.username"}},
		{"user with colon", func(s *blueprint.BrokerSpec) { s.Username = "a:b" }, []string{"broker.username"}},
		{"window", func(s *blueprint.BrokerSpec) { s.MaintenanceWindow = "Sunday 3am" }, []string{"broker.maintenance_window"}},
		{"window hour", func(s *blueprint.BrokerSpec) { s.MaintenanceWindow = "Sun:24:00" }, []string{"broker.maintenance_window"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := brokerSpec()
			tc.edit(s)
			r := blueprint.Resource{ID: "broker/bus", Kind: blueprint.KindBroker, Broker: s}
			err := r.Check()
			if len(tc.fields) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, blueprint.ErrInvalid))
			for _, f := range tc.fields {
				assert.Contains(t, err.Error(), f)
			}
		})
	}
}

func TestBrokerFallbackAndClone(t *testing.T) {
	t.Parallel()
	s := brokerSpec()
	s.Fallback = &blueprint.ClusterSpec{Tier: "bus", Subnets: []blueprint.Ref{"subnet/bus/a"}}
	r := blueprint.Resource{ID: "broker/bus", Kind: blueprint.KindBroker, Broker: s}
	c := r.Clone()
	for _, p := range c.Refs() {
		*p = "changed"
	}
	assert.Equal(t, blueprint.Ref("subnet/bus/a"), r.Broker.Fallback.Subnets[0], "the clone is deep")
	assert.Same(t, r.Broker.Fallback, r.FallbackCluster())
	assert.True(t, r.IsStateful(), "a broker holds messages")
	r.DropFallback()
	assert.Nil(t, r.Broker.Fallback)
}
