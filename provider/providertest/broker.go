package providertest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// GapBrokerValidation: Amazon MQ on moto 5.2 takes what Amazon MQ refuses:
// CreateBroker validates neither the engine version (3.12, past its end of
// support), nor the instance type (RabbitMQ 4.2 on mq.m5, a cluster of
// mq.t3.micro), nor the subnets of the deployment mode (a single instance
// in two subnets), nor the subnets and groups themselves. Build and the
// engine's preflight refuse them before any call. (moto also makes every
// broker RUNNING at once, keeps no password for its users and deletes a
// broker at once: nothing the suite can tell from Amazon MQ's answers.)
const GapBrokerValidation = "broker-validation"

// brokerSpec is the suite's broker: a RabbitMQ cluster over the app
// tier's two subnets.
func brokerSpec() *blueprint.BrokerSpec {
	return &blueprint.BrokerSpec{Engine: "rabbitmq", EngineVersion: "3.13", InstanceType: "mq.m7g.large", MultiAZ: true, Username: "archkit_admin",
		AutoMinorVersionUpgrade: true, MaintenanceWindow: "Sun:03:00", Logs: true,
		Subnets: []blueprint.Ref{"subnet/app/a", "subnet/app/b"}, SecurityGroups: []blueprint.Ref{"security_group/db"}}
}

// testBroker checks a managed broker where the driver has one: refused
// values, create and read back with its secret, an idempotent create, a
// role granted its secret (where the driver has roles), an in-place
// change of the instance type, a delete refused without
// LiftProtection (a broker holds messages) and done with it. A driver
// without brokers refuses the Create with ErrUnsupported.
func testBroker(ctx context.Context, t *testing.T, s *suite) {
	dep := fmt.Sprintf("pt-broker-%s%d", runID, seq.Add(1))
	t.Cleanup(func() { Destroy(context.WithoutCancel(t.Context()), t, s.d, dep) })
	r := blueprint.Resource{ID: "broker/main", Kind: blueprint.KindBroker, Broker: brokerSpec()}
	if !s.d.Capabilities().Supports(blueprint.KindBroker) {
		if _, err := s.d.Create(ctx, Request(dep, r, nil)); !errors.Is(err, driver.ErrUnsupported) {
			t.Errorf("Create broker on %s, which has none: err = %v; want ErrUnsupported", s.d.Name(), err)
		}
		return
	}
	obs := deploy(ctx, t, s.d, dep, []blueprint.Kind{blueprint.KindNet, blueprint.KindSubnet, blueprint.KindSecurityGroup})
	ids := idsOf(obs)
	s.brokerRefusals(ctx, t, dep, r, ids)
	o, err := CreateRetry(ctx, s.d, Request(dep, r, ids))
	if err != nil {
		t.Fatalf("Create %s: %v", r.ID, err)
	}
	o = WaitReady(ctx, t, s.d, r.Kind, o.ID)
	checkObserved(t, dep, r, o, Resolve(r, ids), s.d.Capabilities().WriteOnly[r.Kind])
	if !o.Resource.IsStateful() {
		t.Errorf("%s: a broker read back is not stateful", r.ID)
	}
	if len(o.Parts["secret"]) != 1 || o.Parts["secret"][0] == "" {
		t.Errorf("%s: Parts[secret] = %v; want the secret of its administrative user", r.ID, o.Parts["secret"])
	}
	again, err := s.d.Create(ctx, Request(dep, r, ids))
	if err != nil || again.ID != o.ID {
		t.Errorf("Create %s again: %s, %v; want the same broker %s", r.ID, again.ID, err, o.ID)
	}
	s.brokerSecretRole(ctx, t, dep, r, o)
	s.brokerInPlace(ctx, t, dep, r, o, ids)
	if err := s.d.Delete(ctx, o, driver.DeleteOptions{}); err == nil {
		t.Errorf("Delete broker %s without LiftProtection succeeded; want it refused", o.ID)
	}
	if _, err := s.d.Read(ctx, r.Kind, o.ID); err != nil {
		t.Errorf("Read broker %s after a refused Delete: %v; want it kept", o.ID, err)
	}
	if err := DeleteRetry(ctx, s.d, o); err != nil {
		t.Errorf("Delete broker %s: %v", o.ID, err)
	} else if err := WaitGone(ctx, s.d, blueprint.KindBroker, o.ID); err != nil {
		t.Error(err)
	}
}

// brokerSecretRole grants a role the broker's secret (tier.BrokerSecret),
// where the driver has roles: the role reads back naming the broker, and
// is deleted before the broker.
func (s *suite) brokerSecretRole(ctx context.Context, t *testing.T, dep string, broker blueprint.Resource, o driver.Observed) {
	t.Helper()
	if !s.d.Capabilities().Supports(blueprint.KindInstanceRole) {
		return
	}
	tierName := strings.TrimPrefix(broker.ID, string(blueprint.KindBroker)+"/")
	r := blueprint.Resource{ID: "instance_role/bus", Kind: blueprint.KindInstanceRole, InstanceRole: &blueprint.InstanceRoleSpec{
		Name: blueprint.IAMName(dep, "instance_role/bus"), Statements: blueprint.FromTier(tier.Statements([]tier.Grant{tier.BrokerSecret(tierName)}))}}
	ids := map[string]string{broker.ID: o.ID}
	role, err := CreateRetry(ctx, s.d, Request(dep, r, ids))
	if err != nil {
		t.Errorf("Create %s granting the secret of broker %s: %v", r.ID, o.ID, err)
		return
	}
	got, err := s.d.Read(ctx, r.Kind, role.ID)
	if err != nil {
		t.Errorf("Read %s: %v", r.ID, err)
	} else {
		checkObserved(t, dep, r, got, Resolve(r, ids), s.d.Capabilities().WriteOnly[r.Kind])
	}
	if err := DeleteRetry(ctx, s.d, role); err != nil {
		t.Errorf("Delete %s: %v", r.ID, err)
	}
}

// brokerRefusals creates brokers Amazon MQ refuses: each must fail with
// ErrInvalid (GapBrokerValidation where the backend takes them).
func (s *suite) brokerRefusals(ctx context.Context, t *testing.T, dep string, r blueprint.Resource, ids map[string]string) {
	t.Helper()
	for _, bad := range []struct {
		what string
		edit func(b *blueprint.BrokerSpec)
	}{
		{"engine version 3.12", func(b *blueprint.BrokerSpec) { b.EngineVersion = "3.12" }},
		{"RabbitMQ 4.2 on mq.m5.large", func(b *blueprint.BrokerSpec) { b.EngineVersion, b.InstanceType = "4.2", "mq.m5.large" }},
		{"a cluster of mq.t3.micro", func(b *blueprint.BrokerSpec) { b.InstanceType = "mq.t3.micro" }},
		{"a single instance in two subnets", func(b *blueprint.BrokerSpec) { b.MultiAZ = false }},
	} {
		x := r.Clone()
		x.ID = "broker/bad"
		bad.edit(x.Broker)
		o, err := s.d.Create(ctx, Request(dep, x, ids))
		s.check(t, GapBrokerValidation, wantInvalid("Create broker with "+bad.what, err))
		if err == nil {
			if err := DeleteRetry(ctx, s.d, o); err != nil {
				t.Errorf("Delete broker %s: %v", o.ID, err)
			}
		}
	}
}

// brokerInPlace moves the broker to a larger instance type in place: the
// same broker reads back with the new type.
func (s *suite) brokerInPlace(ctx context.Context, t *testing.T, dep string, r blueprint.Resource, o driver.Observed, ids map[string]string) {
	t.Helper()
	if !slices.Contains(s.d.Capabilities().Mutable[blueprint.KindBroker], "instance_type") {
		t.Errorf("%s: instance_type is not in Capabilities().Mutable; Amazon MQ changes it in place (UpdateBroker)", s.d.Name())
		return
	}
	w := r.Clone()
	w.Broker.InstanceType = "mq.m7g.xlarge"
	got, err := s.d.Update(ctx, Request(dep, w, ids), o)
	if err != nil {
		t.Errorf("Update broker instance type: %v", err)
		return
	}
	got = WaitReady(ctx, t, s.d, r.Kind, o.ID)
	if got.ID != o.ID || got.Resource.Broker == nil || got.Resource.Broker.InstanceType != "mq.m7g.xlarge" {
		t.Errorf("update broker instance type: read back %s %+v; want %s with mq.m7g.xlarge", got.ID, got.Resource.Broker, o.ID)
	}
}
