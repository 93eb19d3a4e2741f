package tier_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/archkit/archkit/tier"
)

func TestServicesOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		grants []tier.Grant
		want   []tier.Service
	}{
		{"none", nil, nil},
		{"queue", []tier.Grant{tier.ConsumeQueue("orders")}, []tier.Service{tier.ServiceSQS}},
		{"bucket", []tier.Grant{tier.WriteBucket("shop-assets")}, []tier.Service{tier.ServiceS3}},
		{"secret", []tier.Grant{tier.DatabaseSecret("db")}, []tier.Service{tier.ServiceSecretsManager}},
		{"broker secret", []tier.Grant{tier.BrokerSecret("bus")}, []tier.Service{tier.ServiceSecretsManager}},
		{"parameters", []tier.Grant{tier.ReadParameters("/shop/app")}, []tier.Service{tier.ServiceSSM}},
		{"each once, sorted", []tier.Grant{tier.ProduceQueue("a"), tier.ReadBucket("b-b"), tier.ConsumeQueue("c"), tier.DatabaseSecret("db")},
			[]tier.Service{tier.ServiceS3, tier.ServiceSecretsManager, tier.ServiceSQS}},
		{"session manager, with parameters", []tier.Grant{tier.SessionManager(), tier.ReadParameters("/a")},
			[]tier.Service{tier.ServiceEC2Messages, tier.ServiceSSM, tier.ServiceSSMMessages}},
		{"unknown kind", []tier.Grant{{Kind: "topic", Name: "x"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, tier.ServicesOf(tc.grants))
		})
	}
}

func TestServiceKinds(t *testing.T) {
	t.Parallel()
	for _, s := range tier.Services {
		assert.True(t, s.IsKnown(), s)
		assert.Equal(t, s == tier.ServiceS3 || s == tier.ServiceDynamoDB, s.Gateway(), s)
	}
	assert.False(t, tier.Service("s4").IsKnown())
	assert.IsIncreasing(t, tier.Services)
	for _, s := range tier.SessionManagerServices {
		assert.False(t, s.Gateway(), s)
	}
}
