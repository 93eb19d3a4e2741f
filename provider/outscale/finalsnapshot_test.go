package outscale_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale"
	"github.com/archkit/archkit/provider/outscale/osctest"
)

// readSnapshots reads every snapshot of srv with the SDK, as an operator
// would after a destroy.
func readSnapshots(t *testing.T, srv *osctest.Server) []osc.Snapshot {
	t.Helper()
	cfg := osc.NewConfiguration()
	cfg.Servers = osc.ServerConfigurations{{URL: srv.URL()}}
	ctx := context.WithValue(t.Context(), osc.ContextAWSv4, osc.AWSv4{AccessKey: "AK", SecretKey: "SK"})
	resp, _, err := osc.NewAPIClient(cfg).SnapshotApi.ReadSnapshots(ctx).ReadSnapshotsRequest(osc.ReadSnapshotsRequest{}).Execute()
	require.NoError(t, err)
	return resp.GetSnapshots()
}

// firstIndex returns the index of the first call to op in calls, -1 if none.
func firstIndex(calls []osctest.Call, op string) int {
	return slices.IndexFunc(calls, func(c osctest.Call) bool { return c.Op == op })
}

// A destroy the caller allowed keeps the database cluster's data, as RDS
// keeps a database's: its VMs are stopped, each VM's volume is snapshotted
// and tagged, and the VMs are deleted only once the snapshots are
// completed. -skip-final-snapshot (DestroyOptions.SkipFinalSnapshot)
// deletes them without.
func TestStatefulClusterFinalSnapshots(t *testing.T) {
	t.Parallel()
	for _, skip := range []bool{false, true} {
		srv := osctest.New(t, func(o *osctest.Options) { o.PendingReads = 2 })
		d := newDriver(t, srv)
		eng := engineFor(d)
		bp := threeTier(t, false)
		_, err := eng.Apply(t.Context(), bp)
		require.NoError(t, err)
		obs, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindCluster})
		require.NoError(t, err)
		var dbVMs []string
		for _, o := range obs {
			if o.Resource.IsStateful() {
				dbVMs = append(dbVMs, o.Parts["vm"]...)
			}
		}
		require.Len(t, dbVMs, 2, "the three-tier's database cluster: one VM per zone")
		volumes := map[string]string{} // volume: VM
		for _, vm := range vmsOf(t, srv, dbVMs) {
			require.Len(t, vm.GetBlockDeviceMappings(), 1)
			bsu := vm.GetBlockDeviceMappings()[0].GetBsu()
			volumes[bsu.GetVolumeId()] = vm.GetVmId()
		}

		start := len(srv.Calls())
		_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp), func(o *provider.DestroyOptions) { o.SkipFinalSnapshot = skip })
		require.NoError(t, err)
		assert.Empty(t, leftovers(t, d))
		assert.Empty(t, srv.Violations())
		calls := srv.Calls()[start:]
		snaps := readSnapshots(t, srv)
		if skip {
			assert.Equal(t, -1, firstIndex(calls, "CreateSnapshot"))
			assert.Equal(t, -1, firstIndex(calls, "StopVms"), "the VMs are deleted as they run")
			assert.Empty(t, snaps)
			continue
		}
		stop, snap := firstIndex(calls, "StopVms"), firstIndex(calls, "CreateSnapshot")
		require.NotEqual(t, -1, stop)
		assert.Less(t, stop, snap, "stopped before the snapshot")
		require.Len(t, snaps, 2, "one final snapshot per volume")
		for _, sn := range snaps {
			vm, ok := volumes[sn.GetVolumeId()]
			require.True(t, ok, "snapshot %s of an unknown volume %s", sn.GetSnapshotId(), sn.GetVolumeId())
			assert.Equal(t, "completed", sn.GetState())
			assert.Contains(t, sn.GetDescription(), vm+"-final-", "named by driver.FinalSnapshotName")
			tags := map[string]string{}
			for _, tg := range sn.GetTags() {
				tags[tg.Key] = tg.Value
			}
			assert.Equal(t, bp.Deployment, tags[driver.TagDeployment])
			assert.Equal(t, "cluster/db", tags[outscale.TagFinalSnapshotOf])
		}
	}
}

// A final snapshot whose answer was lost is asked for again with the same
// ClientToken (the run's): the retry answers the same snapshot, and no
// second one is made. VMs are deleted only after the snapshots of the
// database cluster: the DeleteVms of its VMs comes after its last
// CreateSnapshot.
func TestFinalSnapshotsOnceOnRetry(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	eng := engineFor(d)
	bp := threeTier(t, false)
	_, err := eng.Apply(t.Context(), bp)
	require.NoError(t, err)
	obs, err := d.Read(t.Context(), blueprint.KindCluster, clusterID(t, d, bp, "cluster/db"))
	require.NoError(t, err)
	dbVMs := obs.Parts["vm"]
	var mu sync.Mutex
	var seq []string // CreateSnapshot, and DeleteVms of the database's VMs
	srv.OnRequest(func(op string, body []byte) *osctest.Fault {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case op == "CreateSnapshot":
			seq = append(seq, op)
		case op == "DeleteVms" && slices.ContainsFunc(dbVMs, func(id string) bool { return strings.Contains(string(body), id) }):
			seq = append(seq, op)
		}
		return nil
	})
	srv.LoseNext("CreateSnapshot", 1)
	_, err = eng.Destroy(t.Context(), bp.Deployment, allowStateful(bp))
	require.NoError(t, err)
	assert.Empty(t, leftovers(t, d))
	assert.Len(t, readSnapshots(t, srv), 2, "one per volume, though one was asked for twice")
	assert.Equal(t, []string{"CreateSnapshot", "CreateSnapshot", "CreateSnapshot", "DeleteVms"}, seq, "a lost answer asked again, then the delete")
}

// clusterID returns the cloud id of the cluster logical of bp.
func clusterID(t *testing.T, d driver.Driver, bp *blueprint.Blueprint, logical string) string {
	t.Helper()
	obs, err := d.List(t.Context(), driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindCluster})
	require.NoError(t, err)
	for _, o := range obs {
		if o.LogicalID == logical {
			return o.ID
		}
	}
	t.Fatalf("no %s in %s", logical, bp.Deployment)
	return ""
}
