package outscale_test

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale"
	"github.com/archkit/archkit/provider/outscale/osctest"
)

// tokenless are the creates that take neither a client token nor tags.
var tokenless = []string{"CreateNet", "CreateInternetService", "CreatePublicIp", "CreateRouteTable"}

// TestLostAnswerLeaksNothing loses, for each create that takes neither a
// client token nor tags, its first request: on the way out (OUTSCALE made
// the resource, the driver got a transport error: the driver adopts it) or
// on the way in (nothing was made: the create is sent again). Either way
// the apply succeeds, the deployment is the one a clean apply makes (no
// second resource, nothing untagged left behind), and destroy leaves
// nothing.
func TestLostAnswerLeaksNothing(t *testing.T) {
	t.Parallel()
	bp := threeTier(t, true) // AppEgress: NAT services and their public IPs too
	clean := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
	cd := newDriver(t, clean)
	_, err := engineFor(cd).Apply(t.Context(), bp)
	require.NoError(t, err)
	want, wantCounts := state(t, cd, bp.Deployment), clean.Snapshot()
	_, cleanOps := clean.Requests()

	for _, op := range tokenless {
		for _, tc := range []struct {
			name  string
			fault osctest.Fault
			calls int // of op, compared with a clean apply
		}{
			{"after the effect", osctest.Fault{Drop: true, AfterEffect: true}, 0},
			{"before the effect", osctest.Fault{Drop: true}, 1},
		} {
			t.Run(op+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				srv := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
				var once sync.Once
				srv.OnRequest(func(got string, _ []byte) *osctest.Fault {
					var f *osctest.Fault
					if got == op {
						once.Do(func() { f = &tc.fault })
					}
					return f
				})
				d := newDriver(t, srv)
				eng := engineFor(d)
				_, err := eng.Apply(t.Context(), bp)
				require.NoError(t, err, "the lost answer is recovered within the apply")
				lost := 0
				for _, c := range srv.Calls() {
					if c.Op == op && c.Status == 0 {
						lost++
					}
				}
				require.Equal(t, 1, lost, "one answer of %s was lost", op)
				_, perOp := srv.Requests()
				assert.Equal(t, cleanOps[op]+tc.calls, perOp[op], "a create that took effect is not sent again")
				assert.Equal(t, want, state(t, d, bp.Deployment))
				assert.Equal(t, wantCounts, srv.Snapshot(), "no second resource, nothing untagged")
				res, err := eng.Apply(t.Context(), bp)
				require.NoError(t, err)
				assert.Zero(t, res.WriteCalls)
				_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
				require.NoError(t, err)
				assert.Empty(t, leftovers(t, d))
				assert.Empty(t, srv.Violations())
			})
		}
	}
}

// TestLostAnswerWithRival loses the answer of the first CreateNet while
// another client creates an untagged Net of the same range: two candidates
// appeared, the driver cannot tell which is its own and adopts neither.
// The error names both; once they are deleted, as it says, the next apply
// succeeds.
func TestLostAnswerWithRival(t *testing.T) {
	t.Parallel()
	bp := threeTier(t, false)
	srv := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
	rival := newDriver(t, srv)
	var rivalNet string
	var mu sync.Mutex
	creates := 0
	srv.OnRequest(func(op string, _ []byte) *osctest.Fault {
		if op != "CreateNet" {
			return nil
		}
		mu.Lock()
		creates++
		n := creates
		mu.Unlock()
		if n != 1 {
			return nil
		}
		// Between the driver's snapshot and its re-read: the rival's
		// untagged Net of the same range (this request is the second
		// CreateNet; the hook lets it through).
		o, err := rival.Create(t.Context(), driver.Request{Resource: bp.OfKind(blueprint.KindNet)[0]})
		if err != nil {
			t.Error(err)
			return nil
		}
		mu.Lock()
		rivalNet = o.ID
		mu.Unlock()
		return &osctest.Fault{Drop: true, AfterEffect: true}
	})
	d := newDriver(t, srv)
	eng := engineFor(d)
	_, applyErr := eng.Apply(t.Context(), bp)
	require.Error(t, applyErr)
	mu.Lock()
	theirs := rivalNet
	mu.Unlock()
	require.NotEmpty(t, theirs)
	nets, err := outscale.ListAll(t.Context(), d, blueprint.KindNet)
	require.NoError(t, err)
	var untagged []string
	for _, n := range nets {
		if n.Tags[driver.TagDeployment] == "" {
			untagged = append(untagged, n.ID)
		}
	}
	require.Len(t, untagged, 2, "the driver's Net and the rival's, neither adopted")
	assert.Contains(t, untagged, theirs)
	for _, id := range untagged {
		assert.ErrorContains(t, applyErr, id)
	}
	assert.ErrorContains(t, applyErr, "delete the untagged ones")
	assert.ErrorIs(t, applyErr, driver.ErrAlreadyExists)
	assert.False(t, driver.IsRetryable(applyErr), "another apply would meet the same two")

	for _, id := range untagged {
		require.NoError(t, rival.Delete(t.Context(), driver.Observed{ID: id, Resource: blueprint.Resource{Kind: blueprint.KindNet}}, driver.DeleteOptions{}))
	}
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	nets, err = outscale.ListAll(t.Context(), d, blueprint.KindNet)
	require.NoError(t, err)
	require.Len(t, nets, 1)
	assert.False(t, slices.Contains(untagged, nets[0].ID))
	_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, d))
	assert.Empty(t, srv.Violations())
}

// TestUntaggedAdoptedByNextRun: a run dies between CreateNatService (or
// CreateVms) and the CreateTags that follows, leaving a NAT service and
// VMs without tags. The next run has other tokens (one life per run), yet
// it takes them, recognised by their place (the deployment's subnets) and
// the prefix of their token, instead of making second ones and leaking
// the first.
func TestUntaggedAdoptedByNextRun(t *testing.T) {
	t.Parallel()
	bp := threeTier(t, true)
	clean := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
	_, err := engineFor(newDriver(t, clean)).Apply(t.Context(), bp)
	require.NoError(t, err)
	want := clean.Snapshot()

	srv := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
	d := newDriver(t, srv)
	eng := engineFor(d)
	var failed sync.Map
	srv.OnRequest(func(op string, body []byte) *osctest.Fault {
		var in struct{ ResourceIds []string }
		if op != "CreateTags" || json.Unmarshal(body, &in) != nil || len(in.ResourceIds) != 1 {
			return nil
		}
		id := in.ResourceIds[0]
		if !strings.HasPrefix(id, "nat-") && !strings.HasPrefix(id, "i-") {
			return nil
		}
		if _, seen := failed.LoadOrStore(id, true); seen {
			return nil
		}
		return &osctest.Fault{Status: 500}
	})
	_, err = eng.Apply(t.Context(), bp)
	require.Error(t, err, "the tags of the NAT services and VMs failed")
	srv.OnRequest(nil)
	untagged := 0
	failed.Range(func(any, any) bool { untagged++; return true })
	require.Positive(t, untagged)

	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Equal(t, want, srv.Snapshot(), "%d untagged NAT services and VMs taken, none made twice", untagged)
	_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, d))
}

// TestLongestDeploymentName applies the three-tier Net under a deployment
// name of blueprint.MaxDeploymentLen characters: the lock's keypair name,
// the group names and the load balancer names are accepted, and Destroy
// leaves nothing.
func TestLongestDeploymentName(t *testing.T) {
	t.Parallel()
	name := "o" + strings.Repeat("x", blueprint.MaxDeploymentLen-1)
	bp, err := pattern.ThreeTier(pattern.ThreeTierOptions{Name: name, Profile: netplan.Outscale,
		WebImage: suiteImage, AppImage: suiteImage, DBImage: suiteImage, InstanceType: "tinav5.c2r4p2"}).Build()
	require.NoError(t, err)
	srv := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
	d := newDriver(t, srv)
	eng := engineFor(d)
	_, err = eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	res, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	assert.Zero(t, res.WriteCalls)
	_, err = eng.Destroy(t.Context(), name, allowStateful(bp))
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, d))
}
