package outscale

import (
	"context"
	"net/http"
	"slices"
	"time"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
)

// partUnhealthy is the key of Observed.Parts that lists a cluster's VMs
// left out for failing their load balancers' health checks.
const partUnhealthy = "unhealthy_vm"

// withoutUnhealthy leaves out of a stateless cluster's nodes those that
// fail the health check of one of the cluster's load balancers
// (ReadVmsHealth answers DOWN) and are older than Options.HealthGrace,
// as an autoscaling group with ELB health checks does: the cluster then
// shows fewer nodes than desired, and its Update replaces them. It
// returns the nodes kept and the VMs left out. A stateful cluster's nodes
// are never left out (their data stays where it is), and nodes are left
// out only while another node past its grace passes the check: when none
// does, the fault is more likely the service or the check than the VMs,
// and replacing them all would take the service down (load balancers fail
// open for the same reason).
func (d *Driver) withoutUnhealthy(ctx context.Context, cid string, nodes []node) ([]node, []string, error) {
	tags := nodes[0].tags
	lbs := splitList(tags[tagLBs])
	if tags[tagStateless] != "true" || len(lbs) == 0 {
		return nodes, nil, nil
	}
	ids := make([]string, 0, len(nodes))
	for _, n := range nodes {
		if n.vm.GetState() == "running" && d.pastGrace(n.vm) {
			ids = append(ids, n.vm.GetVmId())
		}
	}
	if len(ids) == 0 {
		return nodes, nil, nil
	}
	var down []string
	for _, lb := range lbs {
		in := osc.ReadVmsHealthRequest{LoadBalancerName: lb, BackendVmIds: &ids}
		resp, err := call(ctx, d, "ReadVmsHealth", string(blueprint.KindCluster), cid, func(ctx context.Context) (osc.ReadVmsHealthResponse, *http.Response, error) {
			return d.api.LoadBalancerApi.ReadVmsHealth(ctx).ReadVmsHealthRequest(in).Execute()
		})
		if isNotFound(err) {
			continue // the balancer is gone: the plan re-creates it
		}
		if err != nil {
			return nil, nil, err
		}
		for _, h := range resp.GetBackendVmHealth() {
			if h.GetState() == "DOWN" && !slices.Contains(down, h.GetVmId()) {
				down = append(down, h.GetVmId())
			}
		}
	}
	if len(down) == 0 || len(down) >= len(ids) {
		return nodes, nil, nil
	}
	slices.Sort(down)
	kept := slices.DeleteFunc(slices.Clone(nodes), func(n node) bool { return slices.Contains(down, n.vm.GetVmId()) })
	return kept, down, nil
}

// pastGrace reports whether vm was created longer than Options.HealthGrace
// ago: a VM still booting fails its health checks for a while.
func (d *Driver) pastGrace(vm osc.Vm) bool {
	created, err := time.Parse(time.RFC3339, vm.GetCreationDate())
	return err != nil || time.Since(created) >= d.opts.HealthGrace
}
