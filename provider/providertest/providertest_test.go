package providertest

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

func TestResources(t *testing.T) {
	t.Parallel()
	rs := Resources("a-deployment-with-a-rather-long-name", []string{"z-1a", "z-1b"})
	bp := blueprint.Blueprint{Schema: blueprint.SchemaV2, Deployment: "x", Resources: rs}
	require.NoError(t, bp.Validate())
	kinds := map[blueprint.Kind]bool{}
	seen := map[string]bool{}
	for _, r := range rs {
		for _, dep := range r.Dependencies() {
			assert.True(t, seen[dep], "%s refers to %s, which comes later", r.ID, dep)
		}
		seen[r.ID] = true
		kinds[r.Kind] = true
	}
	for _, k := range blueprint.Kinds {
		if k == blueprint.KindNetPeering || k == blueprint.KindVPNAppliance {
			continue // a link between two regions: RunPeering's, RunVPNLink's
		}
		// A cache has a test of its own (testCache): moto can neither
		// modify nor delete one, which the shared resources' Update and
		// Destroy tests need.
		// So has a broker (testBroker), which the shared resources' Update
		// and Destroy tests would have to delete with LiftProtection.
		assert.True(t, kinds[k] || k == blueprint.KindCache || k == blueprint.KindBroker, "no resource of kind %s", k)
	}
	lb, _ := bp.Resource("load_balancer/web")
	assert.LessOrEqual(t, len(lb.LoadBalancer.Name), 32)
	assert.False(t, strings.HasPrefix(lb.LoadBalancer.Name, "-"))
	sub, _ := bp.Resource("subnet/app/b")
	assert.Equal(t, "z-1b", sub.Subnet.Zone)
}

func TestLBName(t *testing.T) {
	t.Parallel()
	tests := []struct{ dep, want string }{
		{"shop", "shop-web"},
		{"pt_crud.1", "ptcrud1-web"},
		{strings.Repeat("abcdefghij", 5), "abcdefghijabcdefghijabcdefgh-web"},
		{"---", "lb-web"},
	}
	for _, tc := range tests {
		got := lbName(tc.dep, "web")
		assert.Equal(t, tc.want, got, tc.dep)
		assert.LessOrEqual(t, len(got), 32)
	}
}

func TestCanonical(t *testing.T) {
	t.Parallel()
	p := netip.MustParsePrefix
	a := blueprint.Resource{Kind: blueprint.KindSecurityGroupRules, SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{
		Group: "sg-1",
		Inbound: []blueprint.RuleSpec{
			{Protocol: netplan.ProtocolTCP, FromPort: 80, ToPort: 80, CIDR: p("0.0.0.0/0")},
			{Protocol: netplan.ProtocolTCP, FromPort: 443, ToPort: 443, Group: "sg-2"},
		},
		Outbound: []blueprint.RuleSpec{},
	}}
	b := a.Clone()
	slices.Reverse(b.SecurityGroupRules.Inbound)
	b.SecurityGroupRules.Outbound = nil
	ca, err := Canonical(a)
	require.NoError(t, err)
	cb, err := Canonical(b)
	require.NoError(t, err)
	assert.Equal(t, ca, cb, "order and empty lists do not matter")

	b.SecurityGroupRules.Inbound[0].ToPort = 444
	cb, _ = Canonical(b)
	assert.NotEqual(t, ca, cb)
	ca, _ = Canonical(a, "inbound")
	cb, _ = Canonical(b, "inbound")
	assert.Equal(t, ca, cb, "skipped fields are not compared")

	assert.Equal(t, `{"desired":3}`, fieldJSON(blueprint.Resource{Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{Desired: 3, Max: 4}}, "desired"))
}

func TestSpecFields(t *testing.T) {
	t.Parallel()
	f, err := specFields(blueprint.KindCluster)
	require.NoError(t, err)
	assert.Contains(t, f, "user_data")
	assert.Contains(t, f, "load_balancers")
	_, err = specFields("nope")
	require.Error(t, err)
}

func TestResolve(t *testing.T) {
	t.Parallel()
	r := blueprint.Resource{ID: "cluster/web", Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{
		Subnets: []blueprint.Ref{"subnet/a"}, SecurityGroups: []blueprint.Ref{"sg/web"},
		LoadBalancers: []blueprint.Ref{"lb/web"}, TargetPort: 8080}}
	got := Resolve(r, map[string]string{"subnet/a": "subnet-1", "sg/web": "sg-1"})
	assert.Equal(t, []blueprint.Ref{"subnet-1"}, got.Cluster.Subnets)
	assert.Equal(t, []blueprint.Ref{"sg-1"}, got.Cluster.SecurityGroups)
	assert.Nil(t, got.Cluster.LoadBalancers, "a load balancer the driver cannot make is dropped")
	assert.Zero(t, got.Cluster.TargetPort)
	assert.Equal(t, []blueprint.Ref{"subnet/a"}, r.Cluster.Subnets, "the input is untouched")

	req := Request("shop", r, nil)
	assert.Equal(t, driver.Token("shop", "cluster/web", ""), req.Token)
	assert.Equal(t, "cluster/web", req.Tags[driver.TagLogicalID])
	assert.Equal(t, "shop-cluster-web", req.Tags[driver.TagName])
}

// recorder records what check reports.
type recorder struct{ logs, errs []string }

func (r *recorder) Helper() {}
func (r *recorder) Logf(format string, args ...any) {
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}
func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestCheck(t *testing.T) {
	t.Parallel()
	s := &suite{gaps: []string{GapTokenAfterDelete}}
	var r recorder
	s.check(&r, GapTokenAfterDelete, fmt.Errorf("two nets"))
	s.check(&r, GapDeleteSGInUse, fmt.Errorf("deleted"))
	s.check(&r, GapTokenAfterDelete, nil)
	s.check(&r, GapDeleteSGInUse, nil)
	require.Len(t, r.errs, 1)
	assert.Contains(t, r.errs[0], `declares the gap "delete-sg-in-use"`)
	require.Len(t, r.logs, 2)
	assert.Contains(t, r.logs[0], "known gap")
	assert.Contains(t, r.logs[1], "remove it from Gaps")
}

// lenient is a driver less strict than the cloud: it ignores client
// tokens, deletes subnets, public IPs and groups in use, and claims
// tighter subnet bounds than it enforces.
type lenient struct{ *fake.Driver }

func (l lenient) Create(ctx context.Context, req driver.Request) (driver.Observed, error) {
	req.Token = ""
	return l.Driver.Create(ctx, req)
}

func (l lenient) Delete(ctx context.Context, o driver.Observed, opts driver.DeleteOptions) error {
	switch o.Resource.Kind {
	case blueprint.KindSubnet, blueprint.KindPublicIP, blueprint.KindSecurityGroup:
		if err := l.DeleteOutside(o.ID); err != nil && driver.CodeOf(err) != driver.NotFound {
			return err
		}
		return nil
	}
	return l.Driver.Delete(ctx, o, opts)
}

func (l lenient) Profile() netplan.Profile {
	p := l.Driver.Profile()
	p.SubnetPrefix.Max = 27
	return p
}

var allGaps = []string{GapTokenAfterDelete, GapDeleteSGInUse, GapDeleteSubnetInUse, GapReleaseIPInUse, GapSubnetPrefixBounds}

func TestRunWithGaps(t *testing.T) {
	Run(t, func(t *testing.T) Harness { return NewHarness(lenient{fake.New()}, allGaps...) })
}

func TestGapsAreDetected(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := lenient{fake.New()}
	s := &suite{d: d}
	obs := Deploy(ctx, t, d, "shop")
	for _, id := range []string{"public_ip/nat/a", "security_group/web", "subnet/web/a"} {
		assert.Error(t, s.wantDependency(ctx, obs[id], "in use"), id)
	}
	strict := &suite{d: fake.New()}
	obs = Deploy(ctx, t, strict.d, "shop")
	for _, id := range []string{"public_ip/nat/a", "security_group/web", "subnet/web/a", "net/main"} {
		assert.NoError(t, strict.wantDependency(ctx, obs[id], "in use"), id)
	}
	Destroy(ctx, t, strict.d, "shop")
	for _, k := range blueprint.Kinds {
		got, err := strict.d.List(ctx, driver.Query{Deployment: "shop", Kind: k})
		require.NoError(t, err)
		assert.Empty(t, got, k)
	}
}

func TestPollRetriesThrottling(t *testing.T) {
	t.Parallel()
	d := fake.New()
	d.Throttle(0.5, 1)
	obs := Deploy(t.Context(), t, retrying{d}, "shop")
	assert.Len(t, obs, 34)
	d.Throttle(0, 0)
	Destroy(t.Context(), t, d, "shop")
	fake.AssertNoLeaks(t, d, "shop")
}

// retrying retries Create and Read while they are throttled, as the engine
// does; Deploy itself only retries its polls.
type retrying struct{ *fake.Driver }

func (r retrying) Create(ctx context.Context, req driver.Request) (driver.Observed, error) {
	for {
		o, err := r.Driver.Create(ctx, req)
		if !driver.IsRetryable(err) {
			return o, err
		}
	}
}

func (r retrying) Zones(ctx context.Context) ([]string, error) {
	for {
		z, err := r.Driver.Zones(ctx)
		if !driver.IsRetryable(err) {
			return z, err
		}
	}
}
