package provider

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMapZone(t *testing.T) {
	t.Parallel()
	zones := []string{"eu-west-2a", "eu-west-2b", "eu-west-2c"}
	for _, tc := range []struct {
		in, want, wantErr string
	}{
		{in: "a", want: "eu-west-2a"},
		{in: "eu-west-2b", want: "eu-west-2b"},
		{in: "2c", want: "eu-west-2c"},
		{in: "d", wantErr: `zone "d": not in region (eu-west-2a, eu-west-2b, eu-west-2c); use one of`},
		{in: "", wantErr: `zone "": not in region`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := mapZone(tc.in, zones)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := mapZone("a", []string{"x-1a", "y-1a"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ambiguous")
}

func TestRetryStopsOnPermanentError(t *testing.T) {
	t.Parallel()
	p := driver.RetryPolicy{MaxAttempts: 5, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond}
	calls := 0
	err := retry(t.Context(), p, func() error { calls++; return driver.NewError("Op", "k", "", driver.Invalid, nil) }, nil)
	require.ErrorIs(t, err, driver.ErrInvalid)
	assert.Equal(t, 1, calls)
	calls = 0
	retried := 0
	err = retry(t.Context(), p, func() error { calls++; return driver.NewError("Op", "k", "", driver.Throttled, nil) }, func(int, error) { retried++ })
	require.ErrorIs(t, err, driver.ErrThrottled)
	assert.Equal(t, 5, calls)
	assert.Equal(t, 4, retried)
}

func TestAcyclic(t *testing.T) {
	t.Parallel()
	a := &node{ch: &Change{ID: "subnet/a"}, op: opDelete}
	b := &node{ch: &Change{ID: "cluster/b"}, op: opCreate}
	c := &node{ch: &Change{ID: "net/c"}, op: opCreate}
	b.addDep(c)
	require.NoError(t, acyclic([]*node{a, b, c}))
	a.addDep(b)
	b.addDep(a)
	err := acyclic([]*node{a, b, c})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot be ordered (delete subnet/a, create cluster/b)")
}

// A local driver's pacing defaults apply only to the fields the caller
// left zero; a cloud driver keeps the cloud's.
func TestSetDefaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		local bool
		set   func(*Options)
		want  func(*testing.T, Options)
	}{
		{"cloud", false, nil, func(t *testing.T, o Options) {
			assert.Zero(t, o.RateLimit, "0: the buckets of the driver's cloud")
			assert.Equal(t, time.Second, o.PollMin)
			assert.Equal(t, 15*time.Second, o.PollMax)
			assert.Equal(t, 200*time.Millisecond, o.Retry.BaseDelay)
		}},
		{"local", true, nil, func(t *testing.T, o Options) {
			assert.Negative(t, o.RateLimit, "no limit")
			assert.Equal(t, time.Millisecond, o.PollMin)
			assert.Equal(t, 10*time.Millisecond, o.PollMax)
			assert.Equal(t, time.Millisecond, o.Retry.BaseDelay)
			assert.Equal(t, time.Millisecond, o.Retry.MaxDelay)
			assert.Equal(t, 16, o.Retry.MaxAttempts)
		}},
		{"local, caller's values kept", true, func(o *Options) {
			o.RateLimit, o.PollMin, o.Retry.BaseDelay = 5, 2*time.Second, time.Second
		}, func(t *testing.T, o Options) {
			assert.Equal(t, 5.0, o.RateLimit)
			assert.Equal(t, 2*time.Second, o.PollMin)
			assert.Equal(t, 2*time.Second, o.PollMax, "never below PollMin")
			assert.Equal(t, time.Second, o.Retry.BaseDelay)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var o Options
			if tc.set != nil {
				tc.set(&o)
			}
			o.setDefaults(tc.local)
			tc.want(t, o)
		})
	}
}

// TestPreflightDeploymentName: the preflight run on its own reports a name
// blueprint.CheckDeployment refuses, as one Problem naming the field and
// the fix, and checks no resource's Name tag with it.
func TestPreflightDeploymentName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"s*", "shop?", `a\b`, "two words", "", strings.Repeat("a", blueprint.MaxDeploymentLen+1)} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bp := &blueprint.Blueprint{Deployment: name, Resources: []blueprint.Resource{
				{Kind: blueprint.KindNet, ID: "net/main", Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.0.0.0/16")}}}}
			err := preflight(bp, fake.New())
			require.ErrorIs(t, err, ErrPreflight)
			require.ErrorIs(t, err, blueprint.ErrDeployment)
			var p *Problem
			require.ErrorAs(t, err, &p)
			assert.Equal(t, "deployment", p.Field)
			assert.NotEmpty(t, p.Fix)
			assert.Equal(t, driver.Invalid, p.Code)
		})
	}
	assert.NoError(t, preflight(&blueprint.Blueprint{Deployment: "shop-prod-2"}, fake.New()))
}

// TestDeleteOptionsGroupDeleted: a rule set's delete says its group goes
// too exactly when the run deletes or replaces that group, so drivers
// revoke only the rules that name another group then, and all of them
// otherwise.
func TestDeleteOptionsGroupDeleted(t *testing.T) {
	t.Parallel()
	rules := func(group string) *driver.Observed {
		return &driver.Observed{ID: group + "/rules", Resource: blueprint.Resource{Kind: blueprint.KindSecurityGroupRules,
			SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{Group: blueprint.Ref(group)}}}
	}
	r := &run{cs: &Changeset{Changes: []Change{
		{ID: "security_group/web", Kind: blueprint.KindSecurityGroup, Action: ActionDelete, ProviderID: "sg-web"},
		{ID: "security_group/app", Kind: blueprint.KindSecurityGroup, Action: ActionReplace, ProviderID: "sg-app"},
		{ID: "security_group/db", Kind: blueprint.KindSecurityGroup, Action: ActionUpdate, ProviderID: "sg-db"},
		{ID: "subnet/web-a", Kind: blueprint.KindSubnet, Action: ActionDelete, ProviderID: "sg-kept"},
	}}}
	for group, want := range map[string]bool{"sg-web": true, "sg-app": true, "sg-db": false, "sg-kept": false, "": false} {
		assert.Equal(t, want, r.deleteOptions(rules(group), "security_group_rules/x").GroupDeleted, group)
	}
	other := &driver.Observed{ID: "sg-web", Resource: blueprint.Resource{Kind: blueprint.KindSecurityGroup}}
	assert.False(t, r.deleteOptions(other, "security_group/web").GroupDeleted, "only a rule set's delete says it")
}

// TestReplanReusesAnUnchangedPlan: the plan made again under the lock is
// the first one when what exists has not moved since (a plan is a
// function of the source and what exists: no second build, match and
// sort), and a new one when it has.
func TestReplanReusesAnUnchangedPlan(t *testing.T) {
	t.Parallel()
	d := fake.New()
	e := NewEngine(d)
	net := blueprint.Resource{Kind: blueprint.KindNet, ID: "net/main", Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.0.0.0/16")}}
	bp := &blueprint.Blueprint{Deployment: "shop", Resources: []blueprint.Resource{net}}
	_, err := e.Apply(t.Context(), bp)
	require.NoError(t, err)
	bp2 := &blueprint.Blueprint{Deployment: "shop", Resources: []blueprint.Resource{net,
		{Kind: blueprint.KindInternetGateway, ID: "internet_gateway/main", InternetGateway: &blueprint.InternetGatewaySpec{Net: "net/main"}}}}

	c := e.newClient()
	cs, red, err := e.plan(t.Context(), c, bp2)
	require.NoError(t, err)
	again, _, err := e.replan(t.Context(), c, bp2, cs, red)
	require.NoError(t, err)
	assert.Same(t, cs, again, "nothing moved: the first plan stands")

	require.NoError(t, d.DeleteOutside(cs.ids["net/main"]))
	moved, _, err := e.replan(t.Context(), c, bp2, cs, red)
	require.NoError(t, err)
	require.NotSame(t, cs, moved, "the Net went since the first plan")
	for _, ch := range moved.Changes {
		assert.Equal(t, ActionCreate, ch.Action, ch.ID)
	}
}
