package provider_test

import (
	"encoding/json"
	"errors"
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

// problems returns the preflight problems joined in err.
func problems(err error) []*provider.Problem {
	var out []*provider.Problem
	var walk func(error)
	walk = func(e error) {
		if p, ok := e.(*provider.Problem); ok {
			out = append(out, p)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
		} else if u := errors.Unwrap(e); u != nil {
			walk(u)
		}
	}
	walk(err)
	return out
}

// TestPreflightGenericProfile is the case: a Blueprint built with
// the generic profile made resources on the fake before the fake refused
// it. The preflight refuses it with no write in the call log.
func TestPreflightGenericProfile(t *testing.T) {
	t.Parallel()
	web := tier.Web("web")
	web.SubnetBits = 29
	app := tier.App("app")
	app.SubnetBits = 30
	a := pattern.New("gen", "10.0.0.0/16").AddTier(web, app).Connect("internet", "web").Connect("web", "app")
	a.Profile, a.NAT = netplan.Generic, netplan.NATNone
	bp, err := a.Build()
	require.NoError(t, err, "the generic profile allows /29 and /30 subnets")

	d := fake.New() // AWS: subnets /16 to /28
	for _, run := range []func() error{
		func() error { _, err := provider.NewEngine(d, fastOpts).Plan(t.Context(), bp); return err },
		func() error { _, err := provider.NewEngine(d, fastOpts).Apply(t.Context(), bp); return err },
	} {
		err := run()
		require.ErrorIs(t, err, provider.ErrPreflight)
		require.ErrorIs(t, err, driver.ErrInvalid)
		assert.Contains(t, err.Error(), "provider: preflight: subnet/web/a: subnet.cidr: 10.0.0.0/29: prefix length /29 outside aws subnet bounds /16-/28 (profile aws, SubnetPrefix); use a /28 or shorter")
		assert.Len(t, problems(err), 4, "every subnet at once: %v", err)
	}
	assert.Zero(t, d.Counts().Writes, "no write in the call log")
}

// TestPreflightJSONBlueprint is the other case: a Blueprint decoded
// from JSON, with values the clouds refuse, is refused as a whole, every
// problem at once, with no write.
func TestPreflightJSONBlueprint(t *testing.T) {
	t.Parallel()
	raw, err := json.Marshal(baseWebApp(t))
	require.NoError(t, err)
	text := strings.Replace(string(raw), `"cidr":"10.0.2.0/24"`, `"cidr":"10.0.2.0/30"`, 1)
	text = strings.Replace(text, `"name":"shop-app"`, `"name":"sg-app"`, 1)
	text = strings.Replace(text, `"username":"archkit_admin"`, `"username":"rdsadmin"`, 1)
	var bp blueprint.Blueprint
	require.NoError(t, json.Unmarshal([]byte(text), &bp))

	d := fake.New()
	_, err = provider.NewEngine(d, fastOpts).Apply(t.Context(), &bp)
	require.ErrorIs(t, err, provider.ErrPreflight)
	assert.Zero(t, d.Counts().Writes)
	msgs := err.Error()
	assert.Contains(t, msgs, "subnet.cidr: 10.0.2.0/30: prefix length /30 outside aws subnet bounds")
	assert.Contains(t, msgs, `security_group/app: security_group.name: "sg-app": starts with sg-, which the clouds reserve for ids; rename it`)
	assert.Contains(t, msgs, `database/db: database.username: "rdsadmin": reserved by RDS`)
	ps := problems(err)
	require.Len(t, ps, 3)
	for _, p := range ps {
		assert.NotEmpty(t, p.Resource)
		assert.NotEmpty(t, p.Field)
		assert.NotEmpty(t, p.Fix)
		assert.Equal(t, driver.Invalid, p.Code)
	}
}

// TestPreflightLongDeploymentName is the case: a 300-character
// deployment name was accepted (AWS tag values hold at most 256).
func TestPreflightLongDeploymentName(t *testing.T) {
	t.Parallel()
	bp := baseWebApp(t)
	bp.Deployment = strings.Repeat("a", 300)
	d := fake.New()
	_, err := provider.NewEngine(d, fastOpts).Apply(t.Context(), bp)
	require.ErrorIs(t, err, provider.ErrPreflight)
	require.ErrorIs(t, err, blueprint.ErrDeployment)
	assert.Contains(t, err.Error(), "300 characters, over 115 (the lock's AWS launch template name")
	assert.Empty(t, d.Calls(), "refused before any call")

	bp.Deployment = "shop*"
	_, err = provider.NewEngine(d, fastOpts).Plan(t.Context(), bp)
	require.ErrorIs(t, err, provider.ErrPreflight)
	assert.Contains(t, err.Error(), `provider: preflight: deployment: "shop*": character '*' not allowed (a wildcard in AWS tag filters`)
}

// TestPreflightQuotaCode: a quota problem matches driver.ErrQuota and says
// where the figure comes from.
func TestPreflightQuotaCode(t *testing.T) {
	t.Parallel()
	bp := baseWebApp(t)
	d := fake.New(func(o *fake.Options) {
		o.Profile = netplan.AWS
		o.Profile.Quotas.SubnetsPerNet = 4
	})
	_, err := provider.NewEngine(d, fastOpts).Plan(t.Context(), bp)
	require.ErrorIs(t, err, driver.ErrQuota)
	assert.Contains(t, err.Error(), "provider: preflight: net/main: 6 subnets, over the aws quota of 4 (profile aws, Quotas.SubnetsPerNet); use fewer subnets or raise the quota in the profile")
	assert.Zero(t, d.Counts().Writes)
}

// TestPreflightPassesReadyPatterns: every ready pattern, built for a
// profile, passes the preflight of a fake with that profile.
func TestPreflightPassesReadyPatterns(t *testing.T) {
	t.Parallel()
	for _, p := range []netplan.Profile{netplan.AWS, netplan.Outscale} {
		for _, a := range allPatterns(p) {
			bp, err := a.Build()
			require.NoError(t, err)
			opts := []func(*fake.Options){func(o *fake.Options) { o.Profile = p }}
			if p.Name == "outscale" {
				opts = []func(*fake.Options){fake.Outscale}
			}
			_, err = provider.NewEngine(fake.New(opts...), fastOpts, func(o *provider.Options) { o.AllowFallback = true }).Plan(t.Context(), bp)
			assert.NoError(t, err, "%s on %s", a.Name, p.Name)
		}
	}
}

func allPatterns(p netplan.Profile) []*pattern.Architecture {
	return []*pattern.Architecture{
		pattern.ThreeTier(pattern.ThreeTierOptions{Profile: p}),
		pattern.DMZ(pattern.DMZOptions{Profile: p}),
		pattern.WebApp(pattern.WebAppOptions{Profile: p}),
		pattern.CloudNative(pattern.CloudNativeOptions{Profile: p}),
		pattern.Elastic(pattern.ElasticOptions{Profile: p}),
	}
}
