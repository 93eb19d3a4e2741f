package main

// These tests check the program's architecture twice: as a Blueprint,
// before anything is applied (package pattern/patterntest, as AWS CDK's
// assertions check a template), and applied to provider/fake, an
// in-memory driver that validates requests like AWS does, refuses to
// delete what is still in use, records every call and lets a test inject
// failures. No account, no network, no options: the fake is local, so the
// engine neither rate-limits it nor waits for it.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/pattern/patterntest"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/deploy"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// onFake is where `go run ./examples/testing` deploys by default.
var onFake = deploy.Target{Provider: deploy.Fake, Profile: netplan.AWS, Image: deploy.DefaultImage}

// blueprintOf returns the Blueprint the program applies on the fake.
func blueprintOf(t *testing.T) *blueprint.Blueprint {
	t.Helper()
	bp, err := onFake.Build(architecture)
	require.NoError(t, err)
	return bp
}

// deployed returns a fake on which the program's Blueprint was applied.
func deployed(t *testing.T) (*fake.Driver, *blueprint.Blueprint) {
	t.Helper()
	d, bp := fake.New(), blueprintOf(t)
	_, err := provider.NewEngine(d).Apply(t.Context(), bp)
	require.NoError(t, err)
	return d, bp
}

// The Blueprint holds what the architecture declares, before any cloud is
// involved: matchers select resources by the JSON names of their specs.
func TestBlueprint(t *testing.T) {
	t.Parallel()
	bp := blueprintOf(t)
	patterntest.ResourceCount(t, bp, blueprint.KindSubnet, nil, 6)     // edge, api, db in two zones
	patterntest.ResourceCount(t, bp, blueprint.KindNATGateway, nil, 2) // one per zone, for the api's HTTPS out
	// Only the edge routes to the internet gateway.
	patterntest.ResourceCount(t, bp, blueprint.KindRouteTable, patterntest.Props{
		"routes": patterntest.ArrayWith(patterntest.Props{"target_kind": "internet_gateway"}),
	}, 2)
	patterntest.HasResource(t, bp, blueprint.KindDatabase, patterntest.Props{
		"engine": "postgres", "multi_az": true, "backup_retention_days": 7,
	})
	// The database accepts PostgreSQL from the api's group, and nothing
	// from anywhere else.
	patterntest.HasResource(t, bp, blueprint.KindSecurityGroupRules, patterntest.Props{
		"group":   "security_group/db",
		"inbound": []patterntest.Props{{"protocol": "tcp", "from_port": 5432, "group": "security_group/api"}},
	})
	// HTTPS out to the payment provider, and no other way out.
	patterntest.HasResource(t, bp, blueprint.KindSecurityGroupRules, patterntest.Props{
		"group":    "security_group/api",
		"outbound": patterntest.ArrayWith(patterntest.Props{"from_port": 443, "cidr": "0.0.0.0/0"}),
	})
	patterntest.NoResource(t, bp, blueprint.KindSecurityGroupRules, patterntest.Props{
		"outbound": patterntest.ArrayWith(patterntest.Props{"protocol": "-1"}),
	})
}

// A mistake is caught by Build, before any call, naming the field to fix.
func TestMistakeIsRefused(t *testing.T) {
	t.Parallel()
	noImage := onFake
	noImage.Image = ""
	arch, err := architecture(noImage)
	require.NoError(t, err)
	patterntest.AssertRefused(t, arch, "cluster[api].image")
}

// The plan of a first deploy, pinned as a golden file (the JSON that
// `-plan -json` prints): a change to the architecture shows up in review as
// a diff of testdata/plan.golden. go test -update rewrites it.
func TestPlan(t *testing.T) {
	t.Parallel()
	cs, err := provider.NewEngine(fake.New()).Plan(t.Context(), blueprintOf(t))
	require.NoError(t, err)
	patterntest.GoldenJSON(t, "plan", deploy.NewPlanDocument(cs))
}

// The deploy creates what the architecture declares: count the resources
// of each kind, and look some up by their logical id ("<kind>/<name>").
func TestDeployCreatesTheArchitecture(t *testing.T) {
	t.Parallel()
	d, _ := deployed(t)

	// AssertCount counts every resource the fake holds, whatever its
	// tags: a duplicate would show here.
	fake.AssertCount(t, d, blueprint.KindNet, 1)
	fake.AssertCount(t, d, blueprint.KindSubnet, 6)
	fake.AssertCount(t, d, blueprint.KindLoadBalancer, 1)
	fake.AssertCount(t, d, blueprint.KindCluster, 1)
	fake.AssertCount(t, d, blueprint.KindDatabase, 1)

	// AssertExists returns the resource as the cloud reports it.
	if db, ok := fake.AssertExists(t, d, "shop", "database/db"); ok {
		assert.True(t, db.Resource.Database.MultiAZ, "the database has a standby in the other zone")
	}
	if api, ok := fake.AssertExists(t, d, "shop", "cluster/api"); ok {
		assert.Equal(t, 2, api.Resource.Cluster.Desired)
		assert.Len(t, api.Resource.Cluster.Subnets, 2, "the api nodes spread over both zones")
	}
}

// The security groups allow exactly the declared flows. AssertAllows and
// AssertDenies evaluate the rules the way the cloud would: the inbound rules
// of the destination and the outbound rules of the source must both agree.
func TestSecurityGroupsAllowOnlyDeclaredFlows(t *testing.T) {
	t.Parallel()
	d, _ := deployed(t)
	// Security groups by tier or load balancer name; their logical ids
	// are "security_group/<name>".
	const (
		front = "front" // the load balancer's own group
		api   = "api"
		db    = "db"
	)
	for _, tc := range []struct {
		from, to string
		port     uint16
		allowed  bool
	}{
		{front, api, 8080, true}, // the load balancer forwards to the api
		{api, db, 5432, true},    // the api reaches PostgreSQL
		{front, db, 5432, false}, // nothing skips the api
		{db, api, 8080, false},   // flows are one-way
		{api, db, 22, false},     // only the declared port
		{front, api, 22, false},  // no SSH anywhere
	} {
		t.Run(fmt.Sprintf("%s->%s:%d", tc.from, tc.to, tc.port), func(t *testing.T) {
			from, to := "security_group/"+tc.from, "security_group/"+tc.to
			if tc.allowed {
				fake.AssertAllows(t, d, from, to, "tcp", tc.port)
			} else {
				fake.AssertDenies(t, d, from, to, "tcp", tc.port)
			}
		})
	}
}

// Deploying again what is already there makes no write call: the engine
// finds every resource by its tags and sees nothing to change. This is what
// makes a deploy safe to run from CI on every commit.
func TestSecondDeployWritesNothing(t *testing.T) {
	t.Parallel()
	d, bp := deployed(t)
	before := d.Snapshot("shop")

	d.ResetCalls() // count the calls of the second deploy only
	_, err := provider.NewEngine(d).Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, d.Counts().Writes, "writes of a deploy with nothing to change")
	assert.Equal(t, before, d.Snapshot("shop"))
}

// A deploy interrupted at any write returns an error, and running it again
// finishes the job: the result is the same as an uninterrupted deploy,
// nothing duplicated, and a destroy leaves nothing behind. The test fails
// each write in turn, so a new resource kind is covered without a new test.
func TestFailedWriteConverges(t *testing.T) {
	t.Parallel()
	clean, bp := deployed(t)
	want := clean.Snapshot("shop") // logical ids, so it compares across drivers
	writes := clean.Counts().Writes
	require.Positive(t, writes)

	for k := 1; k <= writes; k++ {
		t.Run(fmt.Sprintf("write_%d_of_%d", k, writes), func(t *testing.T) {
			t.Parallel()
			d := fake.New()
			eng := provider.NewEngine(d)
			d.FailWrite(k, driver.Internal) // not retryable: the deploy stops
			_, err := eng.Apply(t.Context(), bp)
			require.ErrorIs(t, err, driver.ErrInternal)

			_, err = eng.Apply(t.Context(), bp)
			require.NoError(t, err, "the second run converges")
			assert.Equal(t, want, d.Snapshot("shop"))

			_, err = eng.Destroy(t.Context(), "shop", func(o *provider.DestroyOptions) { o.AllowDataLoss = []string{"database/db"} })
			require.NoError(t, err)
			fake.AssertNoLeaks(t, d, "shop")
			assert.Empty(t, d.Resources(), "resources left, tagged or not")
		})
	}
}

// Clouds throttle busy accounts. The engine retries throttled calls with
// backoff, so a deploy through a throttling storm still succeeds.
func TestThrottlingIsAbsorbed(t *testing.T) {
	t.Parallel()
	want, bp := deployed(t)

	d := fake.New()
	// 30% of the calls fail with a retryable error. The draws come from
	// one seeded sequence in call order: seed 36 never throttles more
	// than 4 calls in a row in its first 2,000 draws, so the last call
	// of an apply, alone in flight, is never throttled 8 times running
	// (seed 1 has a run of 6 near the 116th call, where the end of this
	// apply falls: 1 run in 10 failed once the registry had a kind more).
	d.Throttle(0.3, 36)
	_, err := provider.NewEngine(d).Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Positive(t, d.Counts().Errors, "calls throttled")
	assert.Equal(t, want.Snapshot("shop"), d.Snapshot("shop"))
}

// The program itself, as `go run` runs it, on a fake the test keeps: the
// exit status says what CI needs (0 done, 2 changes to make, 1 error).
func TestProgram(t *testing.T) {
	t.Parallel()
	d := fake.New()
	run := func(args ...string) (int, string) {
		var out strings.Builder
		cmd := &deploy.Command{Architecture: architecture, Driver: d, Stdout: &out, Stderr: &out}
		return cmd.Run(t.Context(), args), out.String()
	}
	code, out := run("-plan")
	assert.Equal(t, deploy.ExitChanges, code, out)

	code, out = run("-cleanup=false") // keep the deployment in the fake
	require.Equal(t, deploy.ExitOK, code, out)
	assert.Contains(t, out, "Apply complete:")

	code, out = run("-plan")
	assert.Equal(t, deploy.ExitOK, code, "nothing left to change:\n%s", out)

	// The database holds data: even approved, -destroy leaves the whole
	// deployment alone until -allow-data-loss names it.
	code, out = run("-destroy", "-auto-approve")
	assert.Equal(t, deploy.ExitError, code)
	assert.Contains(t, out, "-allow-data-loss database/db")
	fake.AssertCount(t, d, blueprint.KindDatabase, 1)

	code, out = run("-destroy", "-allow-data-loss", "database/db") // no terminal to confirm on, no -auto-approve
	assert.Equal(t, deploy.ExitError, code)
	assert.Contains(t, out, "-auto-approve")
	fake.AssertCount(t, d, blueprint.KindDatabase, 1)

	code, out = run("-destroy", "-auto-approve", "-allow-data-loss", "database/db")
	require.Equal(t, deploy.ExitOK, code, out)
	assert.Empty(t, d.Resources())
}
