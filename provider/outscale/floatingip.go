package outscale

import (
	"context"
	"maps"
	"net/http"
	"slices"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
)

// tagPublicIP keeps, on each VM of a cluster, the public IP that floats
// over the cluster (ClusterSpec.PublicIP), so that a read back finds it.
const tagPublicIP = metaPrefix + "public_ip"

// floatingIP returns the public IP of ipID when it is on one of the
// running VMs of vms, and "" otherwise: a cluster whose address is on no
// running node reads back without it, and its Update moves it.
func (d *Driver) floatingIP(ctx context.Context, cluster, ipID string, running []string) (string, error) {
	on, err := d.publicIPVm(ctx, cluster, ipID)
	if err != nil || !slices.Contains(running, on) {
		return "", err
	}
	return ipID, nil
}

// publicIPVm returns the VM the public IP ipID is linked to, "" when none
// (or when the IP is gone: the plan creates it again).
func (d *Driver) publicIPVm(ctx context.Context, cluster, ipID string) (string, error) {
	ips, err := d.readPublicIPs(ctx, osc.FiltersPublicIp{PublicIpIds: &[]string{ipID}}, cluster)
	if err != nil || len(ips) == 0 {
		return "", err
	}
	return ips[0].GetVmId(), nil
}

// moveIP keeps the cluster's public IP on a running VM: on the one it is
// on when that one runs and is among candidates, else on the first of
// candidates (LinkPublicIp with AllowRelink, which takes it off the failed
// VM in the same call). It reports whether the IP is on a candidate.
func (d *Driver) moveIP(ctx context.Context, cluster, ipID string, candidates []string) (bool, error) {
	if ipID == "" || len(candidates) == 0 {
		return false, nil
	}
	on, err := d.publicIPVm(ctx, cluster, ipID)
	if err != nil {
		return false, err
	}
	if slices.Contains(candidates, on) {
		return true, nil
	}
	in := osc.LinkPublicIpRequest{PublicIpId: &ipID, VmId: &candidates[0], AllowRelink: osc.PtrBool(true)}
	_, err = call(ctx, d, "LinkPublicIp", string(blueprint.KindCluster), cluster, func(ctx context.Context) (osc.LinkPublicIpResponse, *http.Response, error) {
		return d.api.PublicIpApi.LinkPublicIp(ctx).LinkPublicIpRequest(in).Execute()
	})
	if err != nil {
		return false, err
	}
	d.log.DebugContext(ctx, "public IP moved", logKind, string(blueprint.KindCluster), logID, cluster, "public_ip", ipID, "vm", candidates[0])
	return true, nil
}

// runningNodes returns the VMs of st's live slots that are running, in
// slot order: those that can hold the public IP at once.
func (st *slots) runningNodes() []string {
	var out []string
	for _, slot := range slices.Sorted(maps.Keys(st.alive)) {
		if n := st.alive[slot]; n.vm.GetState() == "running" {
			out = append(out, n.vm.GetVmId())
		}
	}
	return out
}

// unlinkPublicIP takes the public IP off the VM it is on, if any, so that
// it can be deleted (OUTSCALE refuses to delete a linked public IP).
func (d *Driver) unlinkPublicIP(ctx context.Context, id string) error {
	ips, err := d.readPublicIPs(ctx, osc.FiltersPublicIp{PublicIpIds: &[]string{id}}, id)
	if err != nil || len(ips) == 0 || ips[0].GetLinkPublicIpId() == "" {
		return err
	}
	in := osc.UnlinkPublicIpRequest{LinkPublicIpId: osc.PtrString(ips[0].GetLinkPublicIpId())}
	_, err = call(ctx, d, "UnlinkPublicIp", string(blueprint.KindPublicIP), id, func(ctx context.Context) (osc.UnlinkPublicIpResponse, *http.Response, error) {
		return d.api.PublicIpApi.UnlinkPublicIp(ctx).UnlinkPublicIpRequest(in).Execute()
	})
	return err
}
