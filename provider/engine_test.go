package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

func TestPlanMakesNoWriteCall(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	bp := threeTier("shop", "#!/bin/sh")
	cs, err := eng.Plan(t.Context(), bp)
	require.NoError(t, err)
	n := d.Counts()
	assert.Zero(t, n.Writes)
	assert.LessOrEqual(t, n.ByOp[fake.OpList], len(blueprint.Kinds))
	assert.Equal(t, len(bp.Resources), cs.Counts()[provider.ActionCreate])
	out := cs.String()
	assert.Contains(t, out, "+ create subnet/web/a")
	assert.Contains(t, out, "+ create net/main")
	assert.True(t, strings.HasPrefix(out, "Plan for shop on fake: 29 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged.\n+ create net/main\n"), out)

	a, err := json.Marshal(cs)
	require.NoError(t, err)
	cs2, err := eng.Plan(t.Context(), bp)
	require.NoError(t, err)
	b, err := json.Marshal(cs2)
	require.NoError(t, err)
	assert.JSONEq(t, string(a), string(b))
	assert.Contains(t, string(a), `"action":"create"`)

	res, err := eng.Apply(t.Context(), bp, func(o *provider.ApplyOptions) { o.DryRun = true })
	require.NoError(t, err)
	assert.Zero(t, res.WriteCalls)
	assert.Zero(t, d.Counts().Writes)
}

func TestApplyThenReapplyMakesNoWrite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		bp   *blueprint.Blueprint
	}{
		{"three-tier", threeTier("shop", "#!/bin/sh")},
		{"web-app", webApp("site")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newFake()
			eng := provider.NewEngine(d, fastOpts)
			res, err := eng.Apply(t.Context(), tc.bp)
			require.NoError(t, err)
			assert.Equal(t, len(tc.bp.Resources), res.Created)
			assert.Equal(t, len(tc.bp.Resources), d.Counts().Writes, "one write per resource")
			assert.Equal(t, res.WriteCalls, d.Counts().Writes)
			assert.Contains(t, res.String(), fmt.Sprintf("Apply complete: %d created, 0 updated", len(tc.bp.Resources)))

			d.ResetCalls()
			res, err = eng.Apply(t.Context(), tc.bp)
			require.NoError(t, err)
			n := d.Counts()
			assert.Zero(t, n.Writes)
			assert.Zero(t, res.WriteCalls)
			assert.Equal(t, len(tc.bp.Resources), res.Unchanged)
			for k, c := range n.ByKind {
				assert.LessOrEqual(t, c, 1, "calls on %s", k)
			}
			_, dups := snapshot(t, d, tc.bp.Deployment)
			assert.Empty(t, dups)
		})
	}
}

func TestPlanDiffsAndConverge(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	bp := threeTier("shop", "")
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)

	next := threeTier("shop", "")
	var keep []blueprint.Resource
	for _, r := range next.Resources {
		switch r.ID {
		case "security_group_rules/app":
			r.SecurityGroupRules.Inbound = append(r.SecurityGroupRules.Inbound, tcp(9090, "security_group/web"))
		case "subnet/db/a":
			r.Subnet.CIDR = netip.MustParsePrefix("10.0.22.0/24")
		case "cluster/app":
			r.Cluster.Desired = 3
		}
		if r.ID == "network_acl/db" {
			continue
		}
		keep = append(keep, r)
	}
	next.Resources = keep
	cs, err := eng.Plan(t.Context(), next)
	require.NoError(t, err)
	out := cs.String()
	t.Log(out)
	assert.Contains(t, out, "~ update security_group_rules/app: inbound: + tcp 9090 from security_group/web")
	assert.Contains(t, out, "-/+ replace subnet/db/a (cidr changed: forces replacement)")
	assert.Contains(t, out, "cidr: 10.0.20.0/24 -> 10.0.22.0/24 (forces replacement)")
	assert.Contains(t, out, "~ update cluster/app: desired: 2 -> 3")
	assert.Contains(t, out, "- delete network_acl/db (not in the blueprint)")
	ch, ok := cs.Change("subnet/db/a")
	require.True(t, ok)
	assert.True(t, ch.DeleteFirst)
	// What sits in the replaced subnet is replaced with it.
	for _, id := range []string{"route_table/db/a", "database/db"} {
		c, ok := cs.Change(id)
		require.True(t, ok, id)
		assert.Equal(t, provider.ActionReplace, c.Action, id)
	}
	c, _ := cs.Change("net/main")
	assert.Equal(t, provider.ActionNoop, c.Action)
	db, _ := cs.Change("database/db")
	assert.True(t, db.Stateful && db.Destructive, "the database's replace loses its data")
	assert.Equal(t, provider.ClassReplaceDeleteFirst, db.Class)
	assert.Equal(t, []string{"database/db"}, cs.LosesData())

	// Refused before any write unless the database is named.
	d.ResetCalls()
	_, err = eng.Apply(t.Context(), next)
	require.ErrorIs(t, err, provider.ErrProtected)
	assert.Contains(t, err.Error(), "database/db: replace, forced by subnet/db/a (replaced first)")
	assert.Zero(t, d.Counts().Writes)

	d.ResetCalls()
	res, err := eng.Apply(t.Context(), next, func(o *provider.ApplyOptions) { o.AllowDataLoss = []string{"database/db"} })
	require.NoError(t, err, "%v", err)
	require.Len(t, d.DeletedDatabases(), 1, "the replaced database leaves a final snapshot")
	assert.NotEmpty(t, d.DeletedDatabases()[0].FinalSnapshot)
	assert.Equal(t, 1, res.Deleted)
	assert.Positive(t, res.Replaced)
	assert.Equal(t, 2, res.Updated)

	cs, err = eng.Plan(t.Context(), next)
	require.NoError(t, err)
	assert.False(t, cs.HasChanges(), cs.String())
	_, dups := snapshot(t, d, "shop")
	assert.Empty(t, dups)
}

func TestDrift(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	bp := threeTier("shop", "")
	spare := blueprint.Resource{ID: "subnet/spare/a", Kind: blueprint.KindSubnet, DependsOn: []string{"net/main"}, Subnet: &blueprint.SubnetSpec{
		Net: "net/main", CIDR: netip.MustParsePrefix("10.0.99.0/24"), Zone: "a", Tier: "spare"}}
	bp.Resources = append(bp.Resources, spare)
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)

	rep, err := eng.Drift(t.Context(), bp)
	require.NoError(t, err)
	assert.False(t, rep.HasDrift(), rep.String())

	// By hand: a rule added to the web group, the spare subnet deleted.
	ctx := t.Context()
	rules, err := d.List(ctx, driver.Query{Deployment: "shop", Kind: blueprint.KindSecurityGroupRules})
	require.NoError(t, err)
	subnets, err := d.List(ctx, driver.Query{Deployment: "shop", Kind: blueprint.KindSubnet})
	require.NoError(t, err)
	for _, o := range rules {
		if o.LogicalID == "security_group_rules/web" {
			require.NoError(t, d.Mutate(o.ID, func(r *blueprint.Resource) {
				r.SecurityGroupRules.Inbound = append(r.SecurityGroupRules.Inbound, tcpCIDR(22, "0.0.0.0/0"))
			}))
		}
	}
	for _, o := range subnets {
		if o.LogicalID == "subnet/spare/a" {
			require.NoError(t, d.DeleteOutside(o.ID))
		}
	}
	d.ResetCalls()
	rep, err = eng.Drift(ctx, bp)
	require.NoError(t, err)
	assert.Zero(t, d.Counts().Writes)
	require.True(t, rep.HasDrift())
	assert.Equal(t, []string{"subnet/spare/a"}, rep.Missing)
	require.Len(t, rep.Changed, 1)
	assert.Equal(t, "security_group_rules/web", rep.Changed[0].ID)
	assert.Equal(t, "inbound: - tcp 22 from 0.0.0.0/0", rep.Changed[0].Diffs[0].String())

	// The subnet of a tier deleted outside: missing, and what used it drifts.
	for _, o := range subnets {
		if o.LogicalID == "subnet/db/b" {
			require.NoError(t, d.DeleteOutside(o.ID))
		}
	}
	rep, err = eng.Drift(ctx, bp)
	require.NoError(t, err)
	assert.Equal(t, []string{"subnet/db/b", "subnet/spare/a"}, rep.Missing)
	var changed []string
	for _, c := range rep.Changed {
		changed = append(changed, c.ID)
	}
	assert.Contains(t, changed, "route_table/db/b")
	assert.Contains(t, rep.String(), "- missing subnet/spare/a")

	// An extra tagged resource is reported too, and an apply repairs all.
	bp2 := *bp
	bp2.Resources = bp.Resources[:len(bp.Resources)-1]
	_, err = eng.Apply(ctx, bp)
	require.NoError(t, err)
	rep, err = eng.Drift(ctx, &bp2)
	require.NoError(t, err)
	require.Len(t, rep.Extra, 1)
	assert.Equal(t, "subnet/spare/a", rep.Extra[0].ID)
}

func TestDestroyLeavesNothing(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	bp := threeTier("shop", "")
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	other := webApp("other")
	_, err = eng.Apply(t.Context(), other)
	require.NoError(t, err)

	res, err := eng.Destroy(t.Context(), "shop", allowStateful(bp))
	require.NoError(t, err)
	assert.Equal(t, len(bp.Resources), res.Deleted)
	assert.Contains(t, res.String(), "Destroy complete")
	state, _ := snapshot(t, d, "shop")
	assert.Empty(t, state)
	state, _ = snapshot(t, d, "other")
	assert.Len(t, state, len(other.Resources), "another deployment is untouched")

	// Rules go before any group.
	calls := d.Calls()
	lastRules, firstGroup := -1, len(calls)
	for i, c := range calls {
		if c.Op != fake.OpDelete {
			continue
		}
		if c.Kind == blueprint.KindSecurityGroupRules {
			lastRules = i
		}
		if c.Kind == blueprint.KindSecurityGroup && i < firstGroup {
			firstGroup = i
		}
	}
	assert.Less(t, lastRules, firstGroup)

	res, err = eng.Destroy(t.Context(), "shop")
	require.NoError(t, err)
	assert.Zero(t, res.WriteCalls)
}

func TestCapabilities(t *testing.T) {
	t.Parallel()
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		d := newFake(fake.Outscale)
		eng := provider.NewEngine(d, fastOpts)
		_, err := eng.Apply(t.Context(), threeTier("shop", ""))
		require.ErrorIs(t, err, driver.ErrUnsupported)
		assert.Contains(t, err.Error(), "network_acl/db: network_acl not supported by fake")
		assert.Contains(t, err.Error(), "set AllowFallback")
		assert.Contains(t, err.Error(), "database/db: database not supported by fake")
		assert.Zero(t, d.Counts().Writes)
	})
	t.Run("fallback", func(t *testing.T) {
		t.Parallel()
		d := newFake(fake.Outscale)
		var c collector
		eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.AllowFallback = true; o.OnEvent = c.handle })
		bp := threeTier("shop", "")
		res, err := eng.Apply(t.Context(), bp)
		require.NoError(t, err)
		assert.Equal(t, len(bp.Resources)-1, res.Created)
		var notices []string
		for _, ev := range c.all() {
			if ev.Type == provider.EventNotice {
				notices = append(notices, ev.Message)
			}
		}
		require.Len(t, notices, 2)
		assert.Contains(t, notices[0]+notices[1], "security groups already enforce the same flows")
		assert.Contains(t, notices[0]+notices[1], "database/db: fake has no managed database")
		state, _ := snapshot(t, d, "shop")
		assert.Contains(t, state, "database/db")
		assert.Contains(t, state["database/db"], `"image":"ami-postgres"`)
		assert.NotContains(t, state, "network_acl/db")

		d.ResetCalls()
		_, err = eng.Apply(t.Context(), bp)
		require.NoError(t, err)
		assert.Zero(t, d.Counts().Writes)
	})
	t.Run("no fallback cluster", func(t *testing.T) {
		t.Parallel()
		d := newFake(fake.Outscale)
		eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.AllowFallback = true })
		bp := threeTier("shop", "")
		for i := range bp.Resources {
			if bp.Resources[i].Database != nil {
				bp.Resources[i].Database.Fallback = nil
			}
		}
		_, err := eng.Plan(t.Context(), bp)
		require.ErrorIs(t, err, driver.ErrUnsupported)
		assert.Contains(t, err.Error(), "database/db: fake has no managed database")
		assert.Contains(t, err.Error(), "set a fallback cluster or use AllowFallback=false")
	})
}

func TestZones(t *testing.T) {
	t.Parallel()
	d := newFake(func(o *fake.Options) { o.Zones = []string{"fake-1a", "fake-1b"} })
	eng := provider.NewEngine(d, fastOpts)
	bp := webApp("site")
	for i := range bp.Resources {
		if s := bp.Resources[i].Subnet; s != nil && s.Zone == "b" {
			s.Zone = "c"
		}
	}
	_, err := eng.Apply(t.Context(), bp)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `zone "c": not in region (fake-1a, fake-1b); use one of`)
	assert.Zero(t, d.Counts().Writes)

	bp = webApp("site")
	for i := range bp.Resources {
		if s := bp.Resources[i].Subnet; s != nil && s.Zone == "b" {
			s.Zone = "fake-1b"
		}
	}
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	state, _ := snapshot(t, d, "site")
	assert.Contains(t, state["subnet/web/a"], `"zone":"fake-1a"`)
	assert.Contains(t, state["subnet/web/b"], `"zone":"fake-1b"`)
	d.ResetCalls()
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, d.Counts().Writes)
}

func TestFailureSkipsDependents(t *testing.T) {
	t.Parallel()
	d := newFake()
	var c collector
	eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) { o.OnEvent = c.handle })
	d.Inject(fake.Fault{Op: fake.OpCreate, Kind: blueprint.KindLoadBalancer, Code: driver.Invalid})
	bp := threeTier("shop", "")
	res, err := eng.Apply(t.Context(), bp)
	require.Error(t, err)
	require.ErrorIs(t, err, driver.ErrInvalid)
	assert.Contains(t, err.Error(), "provider: create load_balancer/web:")
	assert.Equal(t, 1, res.Failed)
	assert.Equal(t, 1, res.Skipped)
	assert.Equal(t, len(bp.Resources)-2, res.Created, "independent branches go on")
	var skipped []string
	for _, ev := range c.all() {
		if ev.Type == provider.EventSkipped {
			skipped = append(skipped, ev.ID+": "+ev.Message)
		}
	}
	assert.Equal(t, []string{"cluster/web: depends on load_balancer/web, which failed"}, skipped)

	d.ClearFaults()
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
}

// TestFaultAtEveryWrite fails write k of a clean apply, for every k, then
// applies again: the state equals a clean apply's, nothing duplicated or
// leaked, and destroy leaves nothing.
func TestFaultAtEveryWrite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		bp   func() *blueprint.Blueprint
	}{
		{"three-tier", func() *blueprint.Blueprint { return threeTier("shop", "") }},
		{"web-app", func() *blueprint.Blueprint { return webApp("site") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clean := newFake()
			_, err := provider.NewEngine(clean, fastOpts).Apply(t.Context(), tc.bp())
			require.NoError(t, err)
			want, _ := snapshot(t, clean, tc.bp().Deployment)
			writes := clean.Counts().Writes
			for _, after := range []bool{false, true} {
				for k := 1; k <= writes; k++ {
					d := newFake()
					eng := provider.NewEngine(d, fastOpts)
					d.Inject(fake.Fault{WritesOnly: true, Nth: k, Code: driver.Internal, AfterEffect: after})
					_, err := eng.Apply(t.Context(), tc.bp())
					require.Error(t, err, "write %d", k)
					require.ErrorIs(t, err, driver.ErrInternal)
					d.ClearFaults()
					_, err = eng.Apply(t.Context(), tc.bp())
					require.NoError(t, err, "write %d, after effect %v", k, after)
					got, dups := snapshot(t, d, tc.bp().Deployment)
					require.Empty(t, dups, "write %d", k)
					require.Equal(t, want, got, "write %d, after effect %v", k, after)
					require.Equal(t, clean.Snapshot(tc.bp().Deployment), d.Snapshot(tc.bp().Deployment))
					require.Len(t, d.Resources(), len(tc.bp().Resources), "nothing leaked, write %d", k)
					d.ResetCalls()
					_, err = eng.Apply(t.Context(), tc.bp())
					require.NoError(t, err)
					require.Zero(t, d.Counts().Writes, "write %d", k)
					_, err = eng.Destroy(t.Context(), tc.bp().Deployment, allowStateful(tc.bp()))
					require.NoError(t, err)
					require.Empty(t, d.Resources(), "write %d", k)
				}
			}
		})
	}
}

func TestThrottlingConverges(t *testing.T) {
	t.Parallel()
	for seed := range uint64(5) {
		d := newFake()
		var c collector
		eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) {
			o.Retry.MaxAttempts = 20
			o.OnEvent = c.handle
		})
		d.Throttle(0.3, seed)
		bp := threeTier("shop", "")
		_, err := eng.Apply(t.Context(), bp)
		require.NoError(t, err, "seed %d", seed)
		d.ClearFaults()
		got, dups := snapshot(t, d, "shop")
		assert.Empty(t, dups)
		assert.Len(t, got, len(bp.Resources))
		retried := 0
		for _, ev := range c.all() {
			if ev.Type == provider.EventRetried {
				retried++
				assert.ErrorIs(t, ev.Err, driver.ErrThrottled)
			}
		}
		assert.Positive(t, retried)
		_, err = eng.Destroy(t.Context(), "shop", allowStateful(bp))
		require.NoError(t, err)
	}
}

func TestCancelThenReapply(t *testing.T) {
	t.Parallel()
	clean := newFake()
	_, err := provider.NewEngine(clean, fastOpts).Apply(t.Context(), threeTier("shop", ""))
	require.NoError(t, err)
	want := clean.Snapshot("shop")
	for _, stopAfter := range []int32{1, 5, 12, 20} {
		d := newFake(func(o *fake.Options) { o.Latency = time.Millisecond })
		ctx, cancel := context.WithCancel(t.Context())
		var done atomic.Int32
		eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) {
			o.OnEvent = func(ev provider.Event) {
				if ev.Type == provider.EventDone && done.Add(1) >= stopAfter {
					cancel()
				}
			}
		})
		_, err := eng.Apply(ctx, threeTier("shop", ""))
		cancel()
		require.Error(t, err)
		require.ErrorIs(t, err, context.Canceled)
		_, err = provider.NewEngine(d, fastOpts).Apply(t.Context(), threeTier("shop", ""))
		require.NoError(t, err, "stop after %d", stopAfter)
		_, dups := snapshot(t, d, "shop")
		assert.Empty(t, dups)
		assert.Equal(t, want, d.Snapshot("shop"), "stop after %d", stopAfter)
		assert.Len(t, d.Resources(), len(threeTier("shop", "").Resources), "nothing leaked")
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	const sentinel = "SENTINEL-5f3a9-PASSWORD"
	d := newFake()
	var logs bytes.Buffer
	var c collector
	var rendered bytes.Buffer
	r := provider.NewRenderer(&rendered)
	eng := provider.NewEngine(d, fastOpts, func(o *provider.Options) {
		o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		o.OnEvent = func(ev provider.Event) { c.handle(ev); r.Handle(ev) }
	})
	d.Inject(fake.Fault{Op: fake.OpCreate, Kind: blueprint.KindCluster, Code: driver.Invalid,
		Err: fmt.Errorf("user data %q is not valid cloud-init", "#!/bin/sh\necho "+sentinel)})
	bp := threeTier("shop", "#!/bin/sh\necho "+sentinel)
	cs, err := eng.Plan(t.Context(), bp)
	require.NoError(t, err)
	_, applyErr := eng.Apply(t.Context(), bp)
	require.Error(t, applyErr)
	require.ErrorIs(t, applyErr, driver.ErrInvalid)
	var pe *driver.Error
	require.ErrorAs(t, applyErr, &pe, "the chain is kept")

	// Change the user data: the plan shows that it changed, not its value.
	d.ClearFaults()
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	bp2 := threeTier("shop", "#!/bin/sh\necho "+sentinel+"-v2")
	cs2, err := eng.Plan(t.Context(), bp2)
	require.NoError(t, err)
	assert.Contains(t, cs2.String(), "user_data: (sensitive) -> (sensitive)")
	js, err := json.Marshal(cs2)
	require.NoError(t, err)

	for name, s := range map[string]string{
		"error": applyErr.Error(), "logs": logs.String(), "events": c.dump(), "renderer": rendered.String(),
		"plan": cs.String() + cs2.String(), "plan json": string(js),
	} {
		assert.NotContains(t, s, sentinel, name)
	}
	assert.Contains(t, logs.String(), "event=failed deployment=shop kind=cluster id=cluster/web action=create")
	assert.Contains(t, logs.String(), "code=invalid")
	assert.NotContains(t, logs.String(), "cloud-init", "a failure is returned, not logged")
	assert.Contains(t, c.dump(), "REDACTED")
}

func TestBlockerNamed(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	bp := webApp("site")
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	subnets, err := d.List(t.Context(), driver.Query{Deployment: "site", Kind: blueprint.KindSubnet})
	require.NoError(t, err)
	foreignID, err := d.AddForeign("instance", subnets[0].ID)
	require.NoError(t, err)

	_, err = eng.Destroy(t.Context(), "site")
	require.Error(t, err)
	require.ErrorIs(t, err, driver.ErrDependency)
	assert.Contains(t, err.Error(), "delete "+subnets[0].LogicalID)
	assert.Contains(t, err.Error(), "blocked by instance "+foreignID)
	var pe *driver.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, []driver.Blocker{{Kind: "instance", ID: foreignID}}, pe.Blockers)
}

func TestInvalidBlueprint(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	bp := webApp("site")
	bp.Resources = append(bp.Resources, blueprint.Resource{ID: "subnet/x", Kind: blueprint.KindSubnet,
		Subnet: &blueprint.SubnetSpec{Net: "net/nope", CIDR: netip.MustParsePrefix("10.1.9.0/24"), Zone: "a"}})
	_, err := eng.Apply(t.Context(), bp)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `reference "net/nope": no such resource`)
	assert.Zero(t, d.Counts().Calls)
	_ = errors.New
	_ = netplan.ProtocolTCP
}

func TestDependencyWithoutBlockersNamesUsers(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	_, err := eng.Apply(t.Context(), webApp("site"))
	require.NoError(t, err)
	// The cloud refuses every delete of the web group, naming nothing.
	d.Inject(fake.Fault{Op: fake.OpDelete, Kind: blueprint.KindSecurityGroup, Code: driver.Dependency})
	_, err = eng.Destroy(t.Context(), "site")
	require.ErrorIs(t, err, driver.ErrDependency)
	assert.Contains(t, err.Error(), "provider: delete security_group/web: ")
	assert.Contains(t, err.Error(), "the cloud did not say what uses it")
	assert.NotContains(t, err.Error(), "still used by", "what used the groups is gone")
	// The net is skipped, not tried: a group failed first.
	state, _ := snapshot(t, d, "site")
	assert.Contains(t, state, "net/main")
	assert.Contains(t, state, "security_group/web")
	assert.NotContains(t, state, "cluster/web")
}
