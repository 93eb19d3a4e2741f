package main

// These tests run the program's deploy and destroy against provider/fake:
// an in-memory driver that validates requests like AWS does, refuses to
// delete what is still in use, records every call and lets a test inject
// failures. No account, no network, a few milliseconds per deploy.

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

const (
	name  = "shop"
	image = "ami-12c6146b"
)

// fast makes the engine as quick as the fake: no client-side rate limit,
// millisecond polls of pending resources and millisecond retry backoffs.
// A real cloud needs the defaults.
func fast(o *provider.Options) {
	o.RateLimit = -1
	o.PollMin, o.PollMax = time.Millisecond, 5*time.Millisecond
	o.Retry = driver.RetryPolicy{MaxAttempts: 10, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
}

// deployed returns a fake on which deploy has run once, successfully.
func deployed(t *testing.T) *fake.Driver {
	t.Helper()
	d := fake.New()
	require.NoError(t, deploy(t.Context(), d, io.Discard, name, image, fast))
	return d
}

// The deploy creates what the architecture declares: count the resources
// of each kind, and look some up by their logical id ("<kind>/<name>").
func TestDeployCreatesTheArchitecture(t *testing.T) {
	t.Parallel()
	d := fake.New()
	var out strings.Builder
	require.NoError(t, deploy(t.Context(), d, &out, name, image, fast))
	assert.Contains(t, out.String(), "deployed shop on fake")

	// AssertCount counts every resource the fake holds, whatever its
	// tags: a duplicate would show here.
	fake.AssertCount(t, d, blueprint.KindNet, 1)
	fake.AssertCount(t, d, blueprint.KindSubnet, 6)     // edge, api, db in two zones
	fake.AssertCount(t, d, blueprint.KindNATGateway, 2) // one per zone, for the api's HTTPS out
	fake.AssertCount(t, d, blueprint.KindLoadBalancer, 1)
	fake.AssertCount(t, d, blueprint.KindCluster, 1)
	fake.AssertCount(t, d, blueprint.KindDatabase, 1)

	// AssertExists returns the resource as the cloud reports it.
	if db, ok := fake.AssertExists(t, d, name, "database/db"); ok {
		assert.True(t, db.Resource.Database.MultiAZ, "the database has a standby in the other zone")
	}
	if api, ok := fake.AssertExists(t, d, name, "cluster/api"); ok {
		assert.Equal(t, 2, api.Resource.Cluster.Desired)
		assert.Len(t, api.Resource.Cluster.Subnets, 2, "the api nodes spread over both zones")
	}
	if sn, ok := fake.AssertExists(t, d, name, "subnet/db/a"); ok {
		assert.False(t, sn.Resource.Subnet.Public, "the database subnets are not public")
	}
}

// The security groups allow exactly the declared flows. AssertAllows and
// AssertDenies evaluate the rules the way the cloud would: the inbound rules
// of the destination and the outbound rules of the source must both agree.
func TestSecurityGroupsAllowOnlyDeclaredFlows(t *testing.T) {
	t.Parallel()
	d := deployed(t)
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
	d := deployed(t)
	before := d.Snapshot(name)

	d.ResetCalls() // count the calls of the second deploy only
	require.NoError(t, deploy(t.Context(), d, io.Discard, name, image, fast))
	assert.Zero(t, d.Counts().Writes, "writes of a deploy with nothing to change")
	assert.Equal(t, before, d.Snapshot(name))
}

// A deploy interrupted at any write returns an error, and running it again
// finishes the job: the result is the same as an uninterrupted deploy,
// nothing duplicated, and a destroy leaves nothing behind. The test fails
// each write in turn, so a new resource kind is covered without a new test.
func TestFailedWriteConverges(t *testing.T) {
	t.Parallel()
	clean := deployed(t)
	want := clean.Snapshot(name) // logical ids, so it compares across drivers
	writes := clean.Counts().Writes
	require.Positive(t, writes)

	for k := 1; k <= writes; k++ {
		t.Run(fmt.Sprintf("write_%d_of_%d", k, writes), func(t *testing.T) {
			t.Parallel()
			d := fake.New()
			d.FailWrite(k, driver.Internal) // not retryable: the deploy stops
			err := deploy(t.Context(), d, io.Discard, name, image, fast)
			require.ErrorIs(t, err, driver.ErrInternal)

			require.NoError(t, deploy(t.Context(), d, io.Discard, name, image, fast), "the second run converges")
			assert.Equal(t, want, d.Snapshot(name))

			require.NoError(t, destroy(t.Context(), d, io.Discard, name, []string{"database/db"}, fast))
			fake.AssertNoLeaks(t, d, name)
			assert.Empty(t, d.Resources(), "resources left, tagged or not")
		})
	}
}

// Clouds throttle busy accounts. The engine retries throttled calls with
// backoff, so a deploy through a throttling storm still succeeds.
func TestThrottlingIsAbsorbed(t *testing.T) {
	t.Parallel()
	want := deployed(t).Snapshot(name)

	d := fake.New()
	d.Throttle(0.3, 1) // 30% of the calls fail with a retryable error
	require.NoError(t, deploy(t.Context(), d, io.Discard, name, image, fast))
	assert.Positive(t, d.Counts().Errors, "calls throttled")
	assert.Equal(t, want, d.Snapshot(name))
}
