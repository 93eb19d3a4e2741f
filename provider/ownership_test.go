package provider_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// badNames are deployment names every entry point refuses: wildcards and
// escapes of AWS tag filters, separators of OUTSCALE's, case, length.
var badNames = []string{"s*", "sh?p", `s\`, "s=x", "s,x", "Shop", "shop ", "-shop", "shop-", "sg-shop", "internal-x",
	strings.Repeat("a", blueprint.MaxDeploymentLen+1), ""}

// shop returns a fake, an engine on it and the three-tier Blueprint of
// the deployment "shop", applied when apply is true.
func shop(t *testing.T, apply bool) (*fake.Driver, *provider.Engine, *blueprint.Blueprint) {
	t.Helper()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	bp := threeTier("shop", "")
	if apply {
		_, err := eng.Apply(t.Context(), bp)
		require.NoError(t, err)
	}
	return d, eng, bp
}

// TestDeploymentNamesRefusedEverywhere: Plan, Apply, Drift, Destroy, Lock
// and the driver's List refuse a bad deployment name before any call: the
// fake's call log stays empty. A Blueprint decoded from JSON is refused
// alike.
func TestDeploymentNamesRefusedEverywhere(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	for _, name := range badNames {
		d := newFake()
		eng := provider.NewEngine(d, fastOpts)
		bp := threeTier("x", "")
		bp.Deployment = name
		raw, err := json.Marshal(bp)
		require.NoError(t, err)
		var decoded blueprint.Blueprint
		require.NoError(t, json.Unmarshal(raw, &decoded))
		_, err = eng.Plan(ctx, bp)
		assert.ErrorIs(t, err, blueprint.ErrDeployment, "Plan %q", name)
		_, err = eng.Apply(ctx, &decoded)
		assert.ErrorIs(t, err, blueprint.ErrDeployment, "Apply of a decoded Blueprint %q", name)
		_, err = eng.Drift(ctx, bp)
		assert.ErrorIs(t, err, blueprint.ErrDeployment, "Drift %q", name)
		_, err = eng.Destroy(ctx, name)
		assert.ErrorIs(t, err, blueprint.ErrDeployment, "Destroy %q", name)
		_, err = eng.Lock(ctx, name)
		assert.ErrorIs(t, err, blueprint.ErrDeployment, "Lock %q", name)
		_, err = d.List(ctx, driver.Query{Deployment: name, Kind: blueprint.KindNet})
		assert.ErrorIs(t, err, driver.ErrInvalid, "List %q", name)
		_, err = d.ReadLock(ctx, name)
		assert.ErrorIs(t, err, driver.ErrInvalid, "ReadLock %q", name)
		assert.Empty(t, d.Calls(), "%q reached the fake", name)
	}
}

// TestDestroyWildcardTouchesNothing: Destroy("s*") next to the deployment
// "shop" is refused before any call, and shop stays whole.
func TestDestroyWildcardTouchesNothing(t *testing.T) {
	t.Parallel()
	d, eng, bp := shop(t, true)
	before := d.Snapshot("shop")
	d.ResetCalls()
	for _, pattern := range []string{"s*", "*", "sho?", "s%"} {
		_, err := eng.Destroy(t.Context(), pattern)
		require.ErrorIs(t, err, blueprint.ErrDeployment, pattern)
	}
	assert.Empty(t, d.Calls())
	assert.Equal(t, before, d.Snapshot("shop"))
	assert.Len(t, d.Resources(), len(bp.Resources))
	for _, near := range []string{"sho", "shop-2"} {
		obs, err := d.List(t.Context(), driver.Query{Deployment: near, Kind: blueprint.KindNet})
		require.NoError(t, err)
		assert.Empty(t, obs, "List(%q) compares the tag exactly", near)
	}
}

// TestConcurrentApplies runs three applies of one deployment at once, 20
// times, on a fake whose calls take 2 ms: each time exactly one
// run applies; the others fail at once with ErrLocked, naming the holder,
// or (every fourth trial) wait for the lock and then find nothing to do
// (zero writes). Nothing is duplicated, nothing leaks, no lock is left.
func TestConcurrentApplies(t *testing.T) {
	t.Parallel()
	for trial := range 20 {
		wait := trial%4 == 3
		t.Run(fmt.Sprintf("trial=%d,wait=%v", trial, wait), func(t *testing.T) {
			t.Parallel()
			d := newFake(func(o *fake.Options) { o.Latency = 2 * time.Millisecond })
			bp := threeTier("shop", "")
			var (
				wg   sync.WaitGroup
				res  [3]*provider.Result
				errs [3]error
			)
			for i := range res {
				wg.Go(func() {
					res[i], errs[i] = provider.NewEngine(d, fastOpts).Apply(t.Context(), bp, func(o *provider.ApplyOptions) {
						if wait {
							o.Lock.Wait, o.Lock.Lease = time.Minute, time.Second
						}
					})
				})
			}
			wg.Wait()
			var applied, locked, idle int
			for i := range res {
				switch {
				case errs[i] == nil && res[i].Created == len(bp.Resources):
					applied++
				case errs[i] == nil && res[i].WriteCalls == 0:
					idle++
				case errors.Is(errs[i], provider.ErrLocked):
					locked++
					var le *provider.LockedError
					require.ErrorAs(t, errs[i], &le)
					assert.NotEmpty(t, le.Lock.Holder.ID)
					assert.Contains(t, errs[i].Error(), fmt.Sprintf("process %d", le.Lock.Holder.PID))
				default:
					t.Errorf("run %d: %v", i, errs[i])
				}
			}
			assert.Equal(t, 1, applied, "exactly one run applies")
			if wait {
				assert.Equal(t, 2, idle, "the waiting runs find the work done")
			} else {
				// A run scheduled after the first one ended finds nothing
				// to do, which is no failure; the race itself is refused.
				assert.Equal(t, 2, locked+idle, "the others are refused at once")
				assert.Positive(t, locked)
			}
			_, dups := snapshot(t, d, "shop")
			assert.Empty(t, dups)
			assert.Len(t, d.Resources(), len(bp.Resources), "nothing leaked")
			assert.Empty(t, d.Locks(), "the lock is released")
		})
	}
}

// TestLostAnswerAfterEveryCreate loses the answer of the first Create of
// every resource (each took effect): the retries find what the lost calls
// made, nothing is duplicated, a second apply writes nothing and Destroy
// leaves nothing. The answer of the lock's create is lost too: the run
// recognises its own lock.
func TestLostAnswerAfterEveryCreate(t *testing.T) {
	t.Parallel()
	for _, opt := range []func(*fake.Options){func(*fake.Options) {}, fake.Outscale} {
		d := newFake(opt)
		d.Inject(fake.Fault{Op: fake.OpCreate, PerResource: true, Nth: 1, AfterEffect: true, Code: driver.Unavailable})
		d.Inject(fake.Fault{Op: fake.OpCreateLock, Nth: 1, AfterEffect: true, Code: driver.Unavailable})
		eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.AllowFallback = true })
		bp := threeTier("shop", "")
		res, err := eng.Apply(t.Context(), bp)
		require.NoError(t, err)
		_, dups := snapshot(t, d, "shop")
		assert.Empty(t, dups)
		n := len(d.Resources())
		assert.Equal(t, res.Created, n)
		d.ResetCalls()
		_, err = eng.Apply(t.Context(), bp)
		require.NoError(t, err)
		assert.Zero(t, d.Counts().Writes)
		_, err = eng.Destroy(t.Context(), "shop", allowStateful(bp))
		require.NoError(t, err)
		assert.Empty(t, d.Resources())
		assert.Empty(t, d.Locks())
	}
}

// TestApplyDestroyApplyMakesFreshResources: with AWS's token rule (a token
// seen before is answered with its resource, even deleted), a second life
// of the deployment gets new tokens, so new resources: none of them is
// answered "deleted".
func TestApplyDestroyApplyMakesFreshResources(t *testing.T) {
	t.Parallel()
	d, eng, bp := shop(t, true)
	first := map[string]bool{}
	for _, o := range d.Resources() {
		first[o.ID] = true
	}
	_, err := eng.Destroy(t.Context(), "shop", allowStateful(bp))
	require.NoError(t, err)
	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Equal(t, len(bp.Resources), res.Created)
	for _, o := range d.Resources() {
		assert.False(t, first[o.ID], "%s %s is the first life's", o.LogicalID, o.ID)
		assert.NotEqual(t, "deleted", o.Status)
	}
	assert.NotEmpty(t, d.Capabilities().ClientTokens, "the rule applies to the kinds that take a token")
}

// TestDuplicatesKeepTheOneWithDependents: two Nets carry net/main (two
// runs without the lock, or an older version, made them): the one that
// holds the deployment stays, the empty one and what sits in it go, and
// the plan says why.
func TestDuplicatesKeepTheOneWithDependents(t *testing.T) {
	t.Parallel()
	d, eng, bp := shop(t, true)
	var full string
	for _, o := range d.Resources() {
		if o.LogicalID == "net/main" {
			full = o.ID
		}
	}
	// A second Net with the same logical id, made by another life, with
	// one subnet of its own.
	stray := func(r blueprint.Resource, refs map[string]string) driver.Observed {
		tok := driver.Token("shop", r.ID, "other-life")
		res := r.Clone()
		for _, ref := range res.Refs() {
			if id, ok := refs[string(*ref)]; ok {
				*ref = blueprint.Ref(id)
			}
		}
		o, err := d.Create(t.Context(), driver.Request{Deployment: "shop", Resource: res, Token: tok,
			Tags: map[string]string{driver.TagDeployment: "shop", driver.TagLogicalID: r.ID, driver.TagToken: tok}})
		require.NoError(t, err)
		return o
	}
	net, _ := bp.Resource("net/main")
	empty := stray(net, nil)
	sub, _ := bp.Resource("subnet/web/a")
	sub = sub.Clone()
	sub.Subnet.Zone = "fake-1a"
	straySub := stray(sub, map[string]string{"net/main": empty.ID})

	cs, err := eng.Plan(t.Context(), bp)
	require.NoError(t, err)
	t.Log(cs)
	assert.Equal(t, 2, cs.Counts()[provider.ActionDelete], "the duplicate Net and its subnet")
	for _, ch := range cs.Changes {
		switch ch.ProviderID {
		case empty.ID:
			assert.Equal(t, provider.ActionDelete, ch.Action)
			assert.Contains(t, ch.Reason, "duplicate of "+full+", which is kept: it holds")
		case straySub.ID:
			assert.Equal(t, provider.ActionDelete, ch.Action, "the subnet of the deleted duplicate goes too")
		case full:
			assert.Equal(t, provider.ActionNoop, ch.Action, "the Net that holds the deployment stays")
		}
	}
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	_, dups := snapshot(t, d, "shop")
	assert.Empty(t, dups)
	assert.Len(t, d.Resources(), len(bp.Resources))
	got, err := d.Read(t.Context(), blueprint.KindNet, full)
	require.NoError(t, err, "the full Net is kept")
	assert.Equal(t, "net/main", got.LogicalID)
}

// TestRunStopsWhenItsLockIsBroken: a run whose lock is broken by another
// (LockOptions.Break) notices at its next renewal and stops at once, with
// an error matching ErrLockLost, rather than write beside the new holder.
func TestRunStopsWhenItsLockIsBroken(t *testing.T) {
	t.Parallel()
	d := newFake(func(o *fake.Options) { o.Latency = 50 * time.Millisecond })
	short := func(o *provider.Options) { o.Lock = provider.LockOptions{Lease: 400 * time.Millisecond} }
	eng := provider.NewEngine(d, fastOpts, short)
	bp := threeTier("shop", "")
	done := make(chan error, 1)
	go func() {
		_, err := eng.Apply(t.Context(), bp)
		done <- err
	}()
	var holder string
	require.Eventually(t, func() bool {
		l, ok := d.Locks()["shop"]
		holder = l.Holder.ID
		return ok
	}, 5*time.Second, time.Millisecond)
	breaker, err := provider.NewEngine(d, fastOpts, short).Lock(t.Context(), "shop", func(o *provider.LockOptions) { o.Break = holder })
	require.NoError(t, err)
	err = <-done
	require.ErrorIs(t, err, provider.ErrLockLost)
	assert.Contains(t, err.Error(), "broken or taken over")
	assert.Equal(t, breaker.Lock().ID, d.Locks()["shop"].ID, "the run's release leaves the breaker's lock alone")
	require.NoError(t, breaker.Release(t.Context()))
}

// TestReleaseFailureExpiresTheLock: when the lock cannot be deleted at
// the end of a run, the run expires it instead and says so; the next run
// takes it over at once, with a notice, and Destroy leaves no lock.
func TestReleaseFailureExpiresTheLock(t *testing.T) {
	t.Parallel()
	d := newFake()
	var c collector
	eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.OnEvent = c.handle })
	d.Inject(fake.Fault{Op: fake.OpDeleteLock, Nth: 1, Code: driver.Internal})
	bp := threeTier("shop", "")
	_, err := eng.Apply(t.Context(), bp)
	require.ErrorIs(t, err, driver.ErrInternal)
	assert.Contains(t, err.Error(), "it was expired instead")
	l, ok := d.Locks()["shop"]
	require.True(t, ok)
	assert.True(t, l.Expired(time.Now()))

	for i := range bp.Resources { // something to change
		if c := bp.Resources[i].Cluster; c != nil {
			c.Max = max(c.Max, c.Desired+1)
			c.Desired++
		}
	}
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Contains(t, notices(&c), "took over the lock held by "+l.Holder.String()+": its lease ended at "+l.Expires.UTC().Format(time.RFC3339))
	_, err = eng.Destroy(t.Context(), "shop", allowStateful(bp))
	require.NoError(t, err)
	assert.Empty(t, d.Locks())
}

// TestNoOpRunsTakeNoLock: an apply with nothing to change, a dry run, a
// plan and a destroy of nothing write nothing, not even the lock.
func TestNoOpRunsTakeNoLock(t *testing.T) {
	t.Parallel()
	d, eng, bp := shop(t, false)
	_, err := eng.Apply(t.Context(), bp, func(o *provider.ApplyOptions) { o.DryRun = true })
	require.NoError(t, err)
	_, err = eng.Destroy(t.Context(), "shop", allowStateful(bp))
	require.NoError(t, err)
	assert.Zero(t, d.Counts().ByOp[fake.OpCreateLock])
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	d.ResetCalls()
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, d.Counts().Writes)
	assert.Zero(t, d.Counts().ByOp[fake.OpCreateLock])
}

// TestLeaseSpansSteps: a program that holds the lock across steps (a plan
// shown, then applied) passes its Lease; the apply runs under it, leaves
// it held, and another run is refused meanwhile.
func TestLeaseSpansSteps(t *testing.T) {
	t.Parallel()
	d, eng, bp := shop(t, false)
	lease, err := eng.Lock(t.Context(), "shop")
	require.NoError(t, err)
	res, err := eng.Apply(t.Context(), bp, func(o *provider.ApplyOptions) { o.Lease = lease })
	require.NoError(t, err)
	assert.Equal(t, len(bp.Resources), res.Created)
	assert.Equal(t, lease.Lock().ID, d.Locks()["shop"].ID, "still held")
	_, err = eng.Destroy(t.Context(), "shop", allowStateful(bp))
	require.ErrorIs(t, err, provider.ErrLocked)
	_, err = eng.Destroy(t.Context(), "shop", allowStateful(bp), func(o *provider.DestroyOptions) { o.Lease = lease })
	require.NoError(t, err)
	require.NoError(t, lease.Release(t.Context()))
	assert.Empty(t, d.Locks())
	_, err = eng.Apply(t.Context(), bp, func(o *provider.ApplyOptions) { o.Lease = lease })
	require.ErrorContains(t, err, "has ended")
}

// TestWaiterSurvivesReleaseRaces: a run that waits for the lock meets, again
// and again, a lock gone between its create (AlreadyExists) and its read
// (NotFound), as when the holder releases at that moment: it keeps trying
// and takes the lock once it is free.
func TestWaiterSurvivesReleaseRaces(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.Lock.Lease = 500 * time.Millisecond })
	held, err := eng.Lock(t.Context(), "shop")
	require.NoError(t, err)
	d.Inject(fake.Fault{Op: fake.OpReadLock, Code: driver.NotFound, Times: 12})
	go func() {
		// Release once the waiter has met more races in a row than one
		// round of tries allows (5), and waited.
		for d.Counts().ByOp[fake.OpReadLock] < 8 {
			time.Sleep(time.Millisecond)
		}
		_ = held.Release(context.WithoutCancel(t.Context()))
	}()
	l, err := eng.Lock(t.Context(), "shop", func(o *provider.LockOptions) { o.Wait = time.Minute })
	require.NoError(t, err)
	require.NoError(t, l.Release(t.Context()))
	assert.GreaterOrEqual(t, d.Counts().ByOp[fake.OpReadLock], 8)
}

// A lock's create that took effect but whose answer was lost, and that
// nobody sends again (the AWS driver does not repeat an ambiguous create,
// and here the engine does not retry either): the run reads the lock,
// finds its own holder and goes on, and leaves no lock behind.
func TestLostLockAnswerNotSentAgain(t *testing.T) {
	t.Parallel()
	d := newFake()
	d.Inject(fake.Fault{Op: fake.OpCreateLock, Nth: 1, AfterEffect: true, Code: driver.Unavailable})
	eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.Retry = driver.RetryPolicy{MaxAttempts: 1} })
	_, err := eng.Apply(t.Context(), threeTier("shop", ""))
	require.NoError(t, err)
	assert.Empty(t, d.Locks(), "the lock taken through the lost answer is released")
}
