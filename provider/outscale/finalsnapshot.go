package outscale

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// TagFinalSnapshotOf names, on a final snapshot, the logical id of the
// stateful cluster whose volume it holds ("cluster/db").
const TagFinalSnapshotOf = "archkit:final-snapshot-of"

// finalSnapshots keeps the data of a stateful cluster about to be deleted,
// as RDS keeps a database's: it stops the VMs (a database's files are
// consistent on disk only once it has shut down, and OUTSCALE's
// snapshots are crash-consistent at best: the database document's rule
// "never snapshot the volume of a running database"), snapshots every BSU
// volume of each VM (CreateSnapshot, with a ClientToken from the run's
// time, so that a delete retried in the run makes no second snapshot),
// tags them in one CreateTags (the deployment, the cluster, the Name
// driver.FinalSnapshotName gives the VM) and waits until they are
// completed. The VMs are deleted only then, with their volumes
// (DeleteOnVmDeletion).
func (d *Driver) finalSnapshots(ctx context.Context, cur driver.Observed, vms []osc.Vm, opts driver.DeleteOptions) error {
	cluster := cur.ID
	// A VM already shutting down is losing its volume: nothing to keep.
	vms = slices.DeleteFunc(slices.Clone(vms), func(vm osc.Vm) bool { return isGone(vm.GetState()) })
	if len(vms) == 0 {
		return nil
	}
	if err := d.stopVms(ctx, cluster, vms); err != nil {
		return err
	}
	var ids []string
	for _, vm := range vms {
		name := driver.FinalSnapshotName(vm.GetVmId(), opts.At)
		for _, bdm := range vm.GetBlockDeviceMappings() {
			vol := bdm.GetBsu().VolumeId
			if vol == nil {
				continue
			}
			id, err := d.createSnapshot(ctx, cluster, *vol, name, bdm.GetDeviceName())
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	vmTags := tagMap(vms[0].GetTags())
	tags := map[string]string{driver.TagDeployment: vmTags[driver.TagDeployment], TagFinalSnapshotOf: vmTags[driver.TagLogicalID]}
	if err := d.createTagsOn(ctx, "CreateSnapshot", blueprint.KindCluster, ids, tags); err != nil {
		return err
	}
	return d.waitFor(ctx, "CreateSnapshot", string(blueprint.KindCluster), cluster, "completed", func(ctx context.Context) (bool, error) {
		return d.snapshotsCompleted(ctx, cluster, ids)
	})
}

// stopVms stops the VMs that are not stopped yet and waits until all are.
func (d *Driver) stopVms(ctx context.Context, cluster string, vms []osc.Vm) error {
	var ids, running []string
	for _, vm := range vms {
		ids = append(ids, vm.GetVmId())
		if vm.GetState() != "stopped" && vm.GetState() != "stopping" {
			running = append(running, vm.GetVmId())
		}
	}
	k := string(blueprint.KindCluster)
	if len(running) > 0 {
		if _, err := call(ctx, d, "StopVms", k, cluster, func(ctx context.Context) (osc.StopVmsResponse, *http.Response, error) {
			return d.api.VmApi.StopVms(ctx).StopVmsRequest(osc.StopVmsRequest{VmIds: running}).Execute()
		}); err != nil {
			return err
		}
	}
	return d.waitFor(ctx, "StopVms", k, cluster, "stopped", func(ctx context.Context) (bool, error) {
		vms, err := d.readVms(ctx, osc.FiltersVm{VmIds: &ids}, cluster)
		if err != nil {
			return false, err
		}
		return !slices.ContainsFunc(vms, func(vm osc.Vm) bool { return vm.GetState() != "stopped" }), nil
	})
}

// createSnapshot snapshots one volume; its ClientToken is made of the
// snapshot's name and the volume, so that a retry answers the same
// snapshot.
func (d *Driver) createSnapshot(ctx context.Context, cluster, volume, name, device string) (string, error) {
	token := fmt.Sprintf("s%08x-%s", driver.Hash(name+"\x00"+volume), volume)
	in := osc.CreateSnapshotRequest{VolumeId: &volume, ClientToken: &token,
		Description: osc.PtrString(fmt.Sprintf("%s: final snapshot of %s (%s) of stateful cluster %s", name, volume, device, cluster))}
	resp, err := call(ctx, d, "CreateSnapshot", string(blueprint.KindCluster), cluster, func(ctx context.Context) (osc.CreateSnapshotResponse, *http.Response, error) {
		return d.api.SnapshotApi.CreateSnapshot(ctx).CreateSnapshotRequest(in).Execute()
	})
	if err != nil {
		return "", err
	}
	sn := resp.GetSnapshot()
	if sn.GetSnapshotId() == "" {
		return "", errorf("CreateSnapshot", string(blueprint.KindCluster), cluster, driver.Internal, "CreateSnapshot answered no snapshot for volume %s", volume)
	}
	return sn.GetSnapshotId(), nil
}

// snapshotsCompleted reports whether every snapshot of ids is completed;
// one in error fails the delete, which then keeps the VMs.
func (d *Driver) snapshotsCompleted(ctx context.Context, cluster string, ids []string) (bool, error) {
	k := string(blueprint.KindCluster)
	resp, err := call(ctx, d, "ReadSnapshots", k, cluster, func(ctx context.Context) (osc.ReadSnapshotsResponse, *http.Response, error) {
		return d.api.SnapshotApi.ReadSnapshots(ctx).ReadSnapshotsRequest(osc.ReadSnapshotsRequest{Filters: &osc.FiltersSnapshot{SnapshotIds: &ids}}).Execute()
	})
	if err != nil {
		return false, err
	}
	done := 0
	for _, sn := range resp.GetSnapshots() {
		switch sn.GetState() {
		case "completed":
			done++
		case "error":
			return false, errorf("CreateSnapshot", k, cluster, driver.Internal, "final snapshot %s of volume %s failed; the VMs are kept", sn.GetSnapshotId(), sn.GetVolumeId())
		}
	}
	return done == len(ids), nil
}
