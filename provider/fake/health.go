package fake

import (
	"slices"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// partUnhealthy is the key of Observed.Parts that lists, as the OUTSCALE
// driver does, a cluster's nodes left out for failing their load
// balancers' health check.
const partUnhealthy = "unhealthy_vm"

// FailHealthCheck makes node, one of cluster's nodes (Observed.Parts
// "instance"), fail its load balancers' health check from now on, as a
// node whose service crashed does. The cluster must be stateless and
// behind a load balancer.
//
// As AWS (the default), the node is replaced at once by a new one: an
// Auto Scaling group with ELB health checks does that itself. As
// OUTSCALE, where a VM fails until someone replaces it, the node stays;
// a List with driver.Query.Health (the lists of Engine.Reconcile's
// passes) leaves it out of the cluster's nodes, with Desired counting
// the others and Parts "unhealthy_vm" naming it, while another node
// passes, so that the pass updates the cluster and its Update replaces
// the node. The fake has no boot time: every node is past the OUTSCALE
// driver's grace (outscale.Options.HealthGrace).
func (d *Driver) FailHealthCheck(cluster, node string) error {
	if !d.usable() {
		return errNilDriver
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	e, err := d.lookup("FailHealthCheck", blueprint.KindCluster, cluster)
	if err != nil {
		return err
	}
	c := e.res.Cluster
	switch {
	case !slices.Contains(e.parts["instance"], node):
		return d.errf("FailHealthCheck", e.kind, cluster, driver.NotFound, "node %s is not one of the cluster's", node)
	case !c.Stateless || len(c.LoadBalancers) == 0:
		return d.errf("FailHealthCheck", e.kind, cluster, driver.Invalid, "only the nodes of a stateless cluster behind a load balancer are health-checked")
	case d.opts.Cloud != CloudOutscale:
		d.seq++
		e.parts = replaced(e.parts, node, d.idWith("i", mix(d.seq)))
	case !slices.Contains(e.down, node):
		e.down = append(e.down, node)
	}
	return nil
}

// withoutUnhealthy leaves the nodes down out of o, a cluster's Observed,
// as the OUTSCALE driver's List with Query.Health does: only while
// another node passes (when every node fails, the fault is more likely
// the service than the nodes).
func withoutUnhealthy(o *driver.Observed, down []string) {
	if len(down) == 0 || o.Resource.Cluster == nil {
		return
	}
	kept := slices.DeleteFunc(slices.Clone(o.Parts["instance"]), func(n string) bool { return slices.Contains(down, n) })
	if len(kept) == 0 {
		return
	}
	o.Parts["instance"] = kept
	o.Parts[partUnhealthy] = slices.Sorted(slices.Values(down))
	o.Resource.Cluster.Desired = len(kept)
}

// replaceUnhealthy returns e's nodes with those of unhealthy (what the
// List left out) replaced by new ones, and the nodes still down.
func (d *Driver) replaceUnhealthy(e *entry, unhealthy []string) (map[string][]string, []string) {
	parts, down := e.parts, slices.Clone(e.down)
	for _, n := range unhealthy {
		if !slices.Contains(down, n) {
			continue
		}
		d.seq++
		parts = replaced(parts, n, d.idWith("i", mix(d.seq)))
		down = slices.DeleteFunc(down, func(x string) bool { return x == n })
	}
	if len(down) == 0 {
		down = nil
	}
	return parts, down
}

// replaced returns a copy of parts whose node old is now new.
func replaced(parts map[string][]string, old, new string) map[string][]string {
	out := make(map[string][]string, len(parts))
	for k, v := range parts {
		out[k] = slices.Clone(v)
	}
	if i := slices.Index(out["instance"], old); i >= 0 {
		out["instance"][i] = new
	}
	return out
}
