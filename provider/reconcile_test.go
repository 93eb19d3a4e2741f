package provider_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// reconcile starts eng.Reconcile of src in a goroutine, passes every 5ms;
// it returns the passes as they come and a stop function that cancels the
// loop and returns its error.
func reconcile(t *testing.T, eng *provider.Engine, src provider.Source, optFns ...func(*provider.ReconcileOptions)) (<-chan provider.Pass, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	passes := make(chan provider.Pass, 100)
	done := make(chan error, 1)
	go func() {
		done <- eng.Reconcile(ctx, src, append([]func(*provider.ReconcileOptions){func(o *provider.ReconcileOptions) {
			o.Interval = 5 * time.Millisecond
			o.OnPass = func(p provider.Pass) { passes <- p }
		}}, optFns...)...)
	}()
	return passes, func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("Reconcile did not stop when its context was cancelled")
			return nil
		}
	}
}

// next returns the next pass that satisfies ok.
func next(t *testing.T, passes <-chan provider.Pass, ok func(provider.Pass) bool) provider.Pass {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case p := <-passes:
			if ok(p) {
				return p
			}
		case <-deadline:
			t.Fatal("no such pass in 10 s")
			return provider.Pass{}
		}
	}
}

func converged(p provider.Pass) bool { return p.Err == nil && !p.Healed() }

// The loop heals what was deleted out of band, puts back what was
// changed, never replaces a stateful resource without the opt-in, writes
// only under the lock and only when something moved, and stops when its
// context ends.
func TestReconcileHeals(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	bp := threeTier("shop", "")
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	obs := observe(t, d, "shop")

	d.ResetCalls()
	passes, stop := reconcile(t, eng, bp)
	p := next(t, passes, func(provider.Pass) bool { return true })
	assert.True(t, converged(p), "%v", p)
	assert.Zero(t, d.Counts().Writes, "a pass with nothing to do writes nothing")
	assert.Zero(t, d.Counts().ByOp[fake.OpCreateLock], "and takes no lock")

	require.NoError(t, d.DeleteOutside(obs["security_group/db"].ID))
	p = next(t, passes, provider.Pass.Healed)
	require.NoError(t, p.Err)
	assert.Equal(t, 2, p.Result.Created, "the group and its rules: %v", p)
	assert.Contains(t, p.String(), "healed: 2 created")
	assert.Positive(t, d.Counts().ByOp[fake.OpCreateLock], "written under the lock")
	next(t, passes, converged)

	// A stateful resource changed out of band so that only a replace puts
	// it back: each pass refuses, writes nothing, and says how to opt in.
	require.NoError(t, d.Mutate(obs["database/db"].ID, func(r *blueprint.Resource) { r.Database.Engine = "mysql" }))
	p = next(t, passes, func(p provider.Pass) bool { return p.Err != nil })
	assert.ErrorIs(t, p.Err, provider.ErrProtected)
	d.ResetCalls()
	p = next(t, passes, func(p provider.Pass) bool { return p.Err != nil })
	assert.ErrorIs(t, p.Err, provider.ErrProtected)
	assert.Zero(t, d.Counts().ByOp[fake.OpDelete], "the database is never deleted")
	require.NoError(t, stop())
	_, err = eng.Destroy(t.Context(), "shop", allowStateful(bp))
	require.NoError(t, err)
}

// While another run holds the deployment's lock, a pass that has
// something to heal writes nothing and reports ErrLocked; once the lock
// is released, the next pass heals.
func TestReconcileYieldsToTheLock(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	bp := threeTier("shop", "")
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	obs := observe(t, d, "shop")
	held, err := provider.NewEngine(d, fastOpts).Lock(t.Context(), "shop")
	require.NoError(t, err)
	require.NoError(t, d.DeleteOutside(obs["route_table/web/a"].ID))

	passes, stop := reconcile(t, eng, bp)
	p := next(t, passes, func(p provider.Pass) bool { return p.Err != nil })
	assert.ErrorIs(t, p.Err, provider.ErrLocked)
	_, ok := fake.AssertExists(&recorderT{}, d, "shop", "route_table/web/a")
	assert.False(t, ok, "nothing written beside the holder")
	require.NoError(t, held.Release(t.Context()))
	p = next(t, passes, provider.Pass.Healed)
	assert.Equal(t, 1, p.Result.Created)
	require.NoError(t, stop())
}

// What no pass can fix ends the loop at once with its error.
func TestReconcileStopsOnWhatNoPassFixes(t *testing.T) {
	t.Parallel()
	eng := provider.NewEngine(newFake(), fastOpts)
	err := eng.Reconcile(t.Context(), badSource{}, func(o *provider.ReconcileOptions) { o.Interval = time.Millisecond })
	require.ErrorIs(t, err, provider.ErrBuild)
	assert.ErrorIs(t, err, errBad)

	n := 0
	err = eng.Reconcile(t.Context(), threeTier("shop", ""), func(o *provider.ReconcileOptions) {
		o.Interval, o.MaxPasses = time.Millisecond, 3
		o.OnPass = func(provider.Pass) { n++ }
	})
	require.NoError(t, err)
	assert.Equal(t, 3, n, "MaxPasses")
	var nilEngine *provider.Engine
	assert.ErrorIs(t, nilEngine.Reconcile(t.Context(), threeTier("shop", "")), provider.ErrNoDriver)
}

var errBad = errors.New("bad architecture")

type badSource struct{}

func (badSource) DeploymentName() string { return "shop" }
func (badSource) BuildAround(blueprint.Existing) (*blueprint.Blueprint, error) {
	return nil, errBad
}

// recorderT is a TestingT that keeps nothing: for asserting that a fake
// assertion fails.
type recorderT struct{}

func (recorderT) Helper()               {}
func (recorderT) Errorf(string, ...any) {}

// observe returns the resources of deployment on d by logical id.
func observe(t *testing.T, d *fake.Driver, deployment string) map[string]driver.Observed {
	t.Helper()
	out := map[string]driver.Observed{}
	for _, o := range d.Resources() {
		if o.Tags[driver.TagDeployment] == deployment {
			out[o.LogicalID] = o
		}
	}
	require.NotEmpty(t, out)
	return out
}

// A node failing its load balancer's health check: on the fake as
// OUTSCALE, a pass replaces it and nothing else (one write besides the
// lock), and nothing while every node fails; on the fake as AWS, the
// autoscaling group has replaced it already and a pass has nothing to do.
func TestReconcileReplacesAnUnhealthyNode(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]func(*fake.Options){"outscale": {fake.Outscale}, "aws": nil} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := newFake(opts...)
			eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.AllowFallback = true })
			bp := webApp("shop")
			_, err := eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			web := observe(t, d, "shop")["cluster/web"]
			nodes := web.Parts["instance"]
			require.GreaterOrEqual(t, len(nodes), 2)

			require.NoError(t, d.FailHealthCheck(web.ID, nodes[0]))
			after := observe(t, d, "shop")["cluster/web"].Parts["instance"]
			if name == "aws" {
				assert.NotContains(t, after, nodes[0], "the autoscaling group replaced it")
				assert.Equal(t, nodes[1:], after[1:])
			} else {
				assert.Equal(t, nodes, after, "a VM fails until someone replaces it")
			}
			d.ResetCalls()
			passes, stop := reconcile(t, eng, bp)
			var p provider.Pass
			if name == "aws" {
				p = next(t, passes, func(provider.Pass) bool { return true })
				assert.True(t, converged(p), "%v", p)
			} else {
				p = next(t, passes, provider.Pass.Healed)
				require.NoError(t, p.Err)
				assert.Equal(t, 1, p.Result.Updated, "only the cluster: %v", p)
				healed := observe(t, d, "shop")["cluster/web"].Parts["instance"]
				assert.NotContains(t, healed, nodes[0], "the failing node is replaced")
				assert.Equal(t, nodes[1:], healed[1:], "the passing nodes stay")
				next(t, passes, converged)
			}
			require.NoError(t, stop())

			// Every node failing: the service, not the nodes; nothing is replaced.
			now := observe(t, d, "shop")["cluster/web"]
			for _, n := range now.Parts["instance"] {
				require.NoError(t, d.FailHealthCheck(now.ID, n))
			}
			if name == "outscale" {
				d.ResetCalls()
				passes, stop = reconcile(t, eng, bp)
				assert.True(t, converged(next(t, passes, func(provider.Pass) bool { return true })))
				assert.Zero(t, d.Counts().Writes)
				require.NoError(t, stop())
				assert.Equal(t, now.Parts["instance"], observe(t, d, "shop")["cluster/web"].Parts["instance"])
			}
			assert.ErrorIs(t, d.FailHealthCheck(now.ID, "i-none"), driver.ErrNotFound)
		})
	}
}
