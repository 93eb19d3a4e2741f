package outscale_test

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale"
	"github.com/archkit/archkit/provider/outscale/osctest"
	"github.com/archkit/archkit/tier"
)

// threeTier is seed 000's architecture built for OUTSCALE, with an OMI the
// test server knows; egress gives the application tier its NAT services
// (and their public IPs) to reach the internet.
func threeTier(t testing.TB, egress bool) *blueprint.Blueprint {
	t.Helper()
	bp, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop", Profile: netplan.Outscale, AppEgress: egress,
		WebImage: suiteImage, AppImage: suiteImage, DBImage: suiteImage, InstanceType: "tinav5.c2r4p2"}).Build()
	require.NoError(t, err)
	return bp
}

func engineFor(d driver.Driver) *provider.Engine {
	return provider.NewEngine(d, func(o *provider.Options) {
		o.AllowFallback = true
		o.RateLimit = -1
		o.PollMin, o.PollMax = time.Millisecond, 5*time.Millisecond
		o.Retry.BaseDelay, o.Retry.MaxDelay = time.Millisecond, 5*time.Millisecond
		o.DependencyRetries = 20
	})
}

// isWrite reports whether an OUTSCALE operation changes state.
func isWrite(op string) bool { return !strings.HasPrefix(op, "Read") }

func writes(perOp map[string]int) int {
	n := 0
	for op, c := range perOp {
		if isWrite(op) {
			n += c
		}
	}
	return n
}

// leftovers lists what the deployment-independent reads still find:
// every Net, subnet, internet service, public IP, NAT service, route
// table, security group, Net access point and live VM, every load
// balancer, and every keypair (a deployment lock left behind).
func leftovers(t *testing.T, d *outscale.Driver) []string {
	t.Helper()
	var out []string
	for _, k := range []blueprint.Kind{blueprint.KindNet, blueprint.KindSubnet, blueprint.KindInternetGateway, blueprint.KindPublicIP,
		blueprint.KindNATGateway, blueprint.KindRouteTable, blueprint.KindSecurityGroup, blueprint.KindLoadBalancer, blueprint.KindCluster,
		blueprint.KindNetEndpoint} {
		obs, err := outscale.ListAll(t.Context(), d, k)
		require.NoError(t, err)
		for _, o := range obs {
			out = append(out, string(k)+" "+o.ID)
		}
	}
	keys, err := outscale.Keypairs(t.Context(), d)
	require.NoError(t, err)
	for _, id := range keys {
		out = append(out, "keypair "+id)
	}
	return out
}

// state is the deployment as the driver lists it: logical id -> spec, in
// logical-id space (provider ids replaced by logical ids).
func state(t *testing.T, d driver.Driver, dep string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for lid, r := range readBackLogical(t, d, dep) {
		if r.Cluster != nil {
			slices.Sort(r.Cluster.SecurityGroups)
		}
		if e := r.NetEndpoint; e != nil {
			slices.Sort(e.RouteTables) // by logical id, not by the provider's
		}
		out[lid] = fmt.Sprintf("%+v", r.Spec())
	}
	return out
}

func TestThreeTierEndToEnd(t *testing.T) {
	t.Parallel()
	for _, egress := range []bool{false, true} {
		t.Run(fmt.Sprintf("egress=%v", egress), func(t *testing.T) {
			t.Parallel()
			testThreeTier(t, threeTier(t, egress))
		})
	}
}

// testThreeTier applies bp, applies it again (no write), terminates a node
// behind the driver's back and applies again (the node is replaced), then
// destroys it (nothing left).
func testThreeTier(t *testing.T, bp *blueprint.Blueprint) {
	srv := osctest.New(t)
	d := newDriver(t, srv)
	eng := engineFor(d)

	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	total, perOp := srv.Requests()
	w := writes(perOp)
	t.Logf("seed 000 apply: %s; %d resources, %d OUTSCALE requests (%d writes, %d reads), driver calls %d writes / %d reads, makespan %s",
		res, len(bp.Resources), total, w, total-w, res.WriteCalls, res.ReadCalls, res.Makespan)
	ops := slices.Sorted(func(yield func(string) bool) {
		for op := range perOp {
			if !yield(op) {
				return
			}
		}
	})
	t.Logf("operations used by the apply: %s", strings.Join(ops, " "))
	want := state(t, d, bp.Deployment)
	assert.Equal(t, len(bp.Resources)-len(bp.OfKind(blueprint.KindNetworkACL))-len(bp.OfKind(blueprint.KindFlowLog)), len(want),
		"every resource but the network ACLs and the flow log, which OUTSCALE lacks")

	again, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, again.WriteCalls, "re-apply makes no driver write")
	_, perOp2 := srv.Requests()
	assert.Equal(t, w, writes(perOp2), "re-apply sends no OUTSCALE write")

	// Self-healing: a node of a stateless cluster terminated behind
	// archkit's back is replaced. The database cluster's VMs hold data:
	// they have deletion protection, and OUTSCALE refuses to delete them.
	obs, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindCluster})
	require.NoError(t, err)
	var victim string
	var stateful []string
	for _, o := range obs {
		if o.Resource.IsStateful() {
			stateful = append(stateful, o.LogicalID)
			for _, vm := range vmsOf(t, srv, o.Parts["vm"]) {
				assert.True(t, vm.GetDeletionProtection(), "%s: VM %s of a stateful cluster", o.LogicalID, vm.GetVmId())
			}
		} else if victim == "" {
			victim = o.Parts["vm"][0]
		}
	}
	require.NotEmpty(t, victim)
	require.NotEmpty(t, stateful, "the three-tier Net has a database cluster")
	terminate(t, srv, victim)
	healed, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Equal(t, 1, healed.Updated, "the cluster is updated back to its desired count")
	assert.Equal(t, want, state(t, d, bp.Deployment))

	_, err = eng.Destroy(t.Context(), bp.Deployment)
	require.ErrorIs(t, err, provider.ErrProtected, "the database cluster goes only when named")
	_, err = eng.Destroy(t.Context(), bp.Deployment, func(o *provider.DestroyOptions) { o.AllowDataLoss = stateful })
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, d))
	assert.Empty(t, srv.Violations())
	t.Logf("requests validated against the OpenAPI description: %d", srv.Validated())
}

// terminate deletes a VM with the SDK directly, as an operator would.
func terminate(t *testing.T, srv *osctest.Server, vmID string) {
	t.Helper()
	cfg := osc.NewConfiguration()
	cfg.Servers = osc.ServerConfigurations{{URL: srv.URL()}}
	api := osc.NewAPIClient(cfg)
	ctx := context.WithValue(t.Context(), osc.ContextAWSv4, osc.AWSv4{AccessKey: "AK", SecretKey: "SK"})
	_, _, err := api.VmApi.DeleteVms(ctx).DeleteVmsRequest(osc.DeleteVmsRequest{VmIds: []string{vmID}}).Execute()
	require.NoError(t, err)
}

var allFaults = flag.Bool("outscale.allfaults", false, "TestThreeTierFaultAtEveryWrite: fail every write of the apply, not the first of each operation")

// TestThreeTierFaultAtEveryWrite fails one OUTSCALE write of the seed 000
// apply (with NAT services), answering HTTP 500 before any change, then
// applies again: the result converges to the clean apply's state, nothing
// is duplicated or leaked, a third apply writes nothing and a destroy
// leaves nothing. The write to fail is named by operation and rank (the
// m-th CreateTags), since parallel creates reorder the calls from run to
// run. By default the first call of each write operation fails;
// "go test -run Fault ./provider/outscale/ -args -outscale.allfaults"
// fails every write of the clean apply in turn (78
// runs, about 5s, 25s with -race).
func TestThreeTierFaultAtEveryWrite(t *testing.T) {
	t.Parallel()
	faultSweep(t, threeTier(t, true), nil)
}

// faultSweep applies bp once cleanly, then, for each write operation of
// that apply (of ops, every rank; nil: every write operation, its first
// call, or every call with -outscale.allfaults), applies bp on a new
// server whose one call of the operation fails with HTTP 500, applies
// again and checks the state is the clean one, a third apply writes
// nothing and a destroy leaves nothing.
func faultSweep(t *testing.T, bp *blueprint.Blueprint, ops []string) {
	t.Helper()
	clean := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
	cd := newDriver(t, clean)
	_, err := engineFor(cd).Apply(t.Context(), bp)
	require.NoError(t, err)
	want := state(t, cd, bp.Deployment)
	_, perOp := clean.Requests()
	type fault struct {
		op   string
		rank int
	}
	var faults []fault
	for _, op := range slices.Sorted(maps.Keys(perOp)) {
		if !isWrite(op) || ops != nil && !slices.Contains(ops, op) {
			continue
		}
		for m := 1; m <= perOp[op] && (m == 1 || *allFaults || ops != nil); m++ {
			faults = append(faults, fault{op, m})
		}
	}
	require.NotEmpty(t, faults)
	for _, f := range faults {
		t.Run(fmt.Sprintf("%s#%d", f.op, f.rank), func(t *testing.T) {
			t.Parallel()
			// No transient states here (TestThreeTierEndToEnd has them):
			// fewer polls, a shorter test.
			srv := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
			d := newDriver(t, srv)
			eng := engineFor(d)
			var seen int
			var mu sync.Mutex
			srv.OnRequest(func(op string, _ []byte) *osctest.Fault {
				if op != f.op {
					return nil
				}
				mu.Lock()
				defer mu.Unlock()
				seen++
				if seen == f.rank {
					return &osctest.Fault{Status: 500}
				}
				return nil
			})
			_, err := eng.Apply(t.Context(), bp)
			srv.OnRequest(nil)
			if f.op == "CreateKeypair" || f.op == "CreateTags" && f.rank == 1 {
				// The lock's create and its record: the run reads the
				// lock, finds none of its own and takes it again.
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, driver.ErrInternal)
			}
			_, err = eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			assert.Equal(t, want, state(t, d, bp.Deployment))
			res, err := eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			assert.Zero(t, res.WriteCalls)
			_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
			require.NoError(t, err)
			assert.Empty(t, leftovers(t, d))
		})
	}
	t.Logf("%d faults, one per run: %v", len(faults), faults)
}

// webApp returns seed 003's web application on OUTSCALE, its database a
// cluster of two VMs.
func webApp(t *testing.T) *blueprint.Blueprint {
	t.Helper()
	a := pattern.WebApp(pattern.WebAppOptions{Name: "web", Profile: netplan.Outscale, Image: suiteImage, InstanceType: "tinav5.c2r4p2"})
	db := a.Database("db")
	require.NotNil(t, db)
	db.FallbackToCluster = true
	db.Fallback = tier.NewCluster("db", suiteImage, "tinav5.c2r4p2")
	db.Fallback.Min, db.Fallback.Desired, db.Fallback.Max = 2, 2, 2
	bp, err := a.Build()
	require.NoError(t, err)
	require.NotEmpty(t, bp.OfKind(blueprint.KindLoadBalancer))
	return bp
}

// TestWebAppEndToEnd applies seed 003's web application: a public load
// balancer (LBU) in front of an autoscaled cluster, and a database that
// OUTSCALE builds as its fallback cluster.
func TestWebAppEndToEnd(t *testing.T) {
	t.Parallel()
	bp := webApp(t)
	srv := osctest.New(t)
	d := newDriver(t, srv)
	eng := engineFor(d)
	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	total, perOp := srv.Requests()
	t.Logf("seed 003 apply: %s; %d OUTSCALE requests (%d writes)", res, total, writes(perOp))
	lbs, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindLoadBalancer})
	require.NoError(t, err)
	require.Len(t, lbs, 1)
	assert.True(t, lbs[0].Ready)
	clusters, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindCluster})
	require.NoError(t, err)
	linked := 0
	for _, c := range clusters {
		if len(c.Resource.Cluster.LoadBalancers) > 0 {
			linked++
			assert.Equal(t, []blueprint.Ref{blueprint.Ref(lbs[0].ID)}, c.Resource.Cluster.LoadBalancers)
		}
	}
	assert.Equal(t, 1, linked, "the web cluster's nodes are backends of the load balancer")

	again, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, again.WriteCalls)
	_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, d))
}

// TestThreeTierThrottlingStorm applies seed 000 while OUTSCALE throttles
// one request in three (429 code 24, 503 code 6 in turn): the driver's
// retries absorb it and the result is the clean one.
func TestThreeTierThrottlingStorm(t *testing.T) {
	t.Parallel()
	bp := threeTier(t, true)
	srv := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
	d := newDriver(t, srv, func(o *outscale.Options) { o.MaxAttempts = 10 })
	var mu sync.Mutex
	n := 0
	srv.OnRequest(func(string, []byte) *osctest.Fault {
		mu.Lock()
		defer mu.Unlock()
		n++
		switch n % 6 {
		case 0:
			return &osctest.Fault{Status: 429}
		case 3:
			return &osctest.Fault{Status: 503}
		}
		return nil
	})
	eng := engineFor(d)
	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, res.Failed)
	srv.OnRequest(nil)
	var throttled int
	for _, c := range srv.Calls() {
		if c.Status == 429 || c.Status == 503 {
			throttled++
		}
	}
	assert.Positive(t, throttled)
	got := state(t, d, bp.Deployment)
	assert.Len(t, got, len(bp.Resources)-len(bp.OfKind(blueprint.KindFlowLog)), "every resource but the flow log, which OUTSCALE lacks")
	again, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, again.WriteCalls)
	_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, d))
	t.Logf("%d throttled answers absorbed", throttled)
}
