package outscale

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/inplace"
	"github.com/archkit/archkit/tier"
)

// MaxUserData is the largest user data OUTSCALE accepts, Base64-encoded:
// 500 KiB.
const MaxUserData = 500 * 1024

// VM states.
func isAlive(state string) bool { return state == "pending" || state == "running" }

func isGone(state string) bool { return state == "terminated" || state == "shutting-down" }

func (d *Driver) readVms(ctx context.Context, f osc.FiltersVm, id string) ([]osc.Vm, error) {
	return pages(func(token *string) ([]osc.Vm, string, error) {
		req := osc.ReadVmsRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadVms", string(blueprint.KindCluster), id, func(ctx context.Context) (osc.ReadVmsResponse, *http.Response, error) {
			return d.api.VmApi.ReadVms(ctx).ReadVmsRequest(req).Execute()
		})
		return resp.GetVms(), resp.GetNextPageToken(), err
	})
}

// clusterID is the provider id of a cluster: the request's token, which is
// deterministic per deployment and logical id. Every VM of the cluster
// carries it in a tag.
func clusterID(req driver.Request) string {
	if req.Token != "" {
		return req.Token
	}
	return driver.Token(req.Deployment, req.Resource.ID, "")
}

// node is one VM of a cluster with its slot.
type node struct {
	vm   osc.Vm
	slot int
	tags map[string]string
}

func nodesOf(vms []osc.Vm) []node {
	out := make([]node, 0, len(vms))
	for _, vm := range vms {
		tags := tagMap(vm.GetTags())
		slot, err := strconv.Atoi(tags[tagNode])
		if err != nil {
			slot = -1
		}
		out = append(out, node{vm: vm, slot: slot, tags: tags})
	}
	slices.SortFunc(out, func(a, b node) int {
		if a.slot != b.slot {
			return a.slot - b.slot
		}
		return strings.Compare(a.vm.GetVmId(), b.vm.GetVmId())
	})
	return out
}

// listClusters returns the clusters of q's deployment, or the one whose id
// is ids[0]:
// the VMs tagged with a cluster id, grouped. A cluster none of whose VMs is
// pending or running does not exist any more.
func (d *Driver) listClusters(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	id := first(ids)
	f := osc.FiltersVm{Tags: ownerFilter(q), NetIds: netFilter(q)}
	if id != "" {
		f.Tags = &[]string{tagCluster + "=" + id}
	}
	vms, err := d.readVms(ctx, f, id)
	if err != nil {
		return nil, err
	}
	groups := map[string][]node{}
	for _, n := range nodesOf(vms) {
		cid := n.tags[tagCluster]
		if cid == "" || !owned(q, n.tags) || !isAlive(n.vm.GetState()) {
			continue
		}
		groups[cid] = append(groups[cid], n)
	}
	var out []driver.Observed
	for _, cid := range slices.Sorted(maps.Keys(groups)) {
		nodes, down := groups[cid], []string(nil)
		if q.Health {
			if nodes, down, err = d.withoutUnhealthy(ctx, cid, nodes); err != nil {
				return nil, err
			}
		}
		o, err := d.clusterObserved(ctx, cid, nodes)
		if err != nil {
			return nil, err
		}
		if len(down) > 0 {
			o.Parts[partUnhealthy] = down
		}
		out = append(out, o)
	}
	return out, nil
}

// clusterObserved builds the Observed of a cluster from its live nodes.
// noEmptyCluster is why an OUTSCALE cluster has at least one VM
// (driver.Capabilities.NoEmptyCluster).
const noEmptyCluster = "an OUTSCALE cluster is its VMs, found again by their tags: one of 0 VMs leaves nothing to find"

// Desired is the number of live nodes (so that a lost node shows as a
// change the engine repairs with Update); Min, Max, Tier, Stateless,
// Subnets and TargetPort come from the nodes' tags; LoadBalancers lists the
// balancers that have every live node as a backend.
func (d *Driver) clusterObserved(ctx context.Context, id string, nodes []node) (driver.Observed, error) {
	n0 := nodes[0]
	o := observed(blueprint.KindCluster, id, n0.tags)
	s := &blueprint.ClusterSpec{Tier: n0.tags[tagClusterTier], Image: n0.vm.GetImageId(), InstanceType: n0.vm.GetVmType(),
		Desired: len(nodes), Stateless: n0.tags[tagStateless] == "true", KeyPair: blueprint.Ref(n0.vm.GetKeypairName())}
	s.Min, _ = strconv.Atoi(n0.tags[tagMin])
	s.Max, _ = strconv.Atoi(n0.tags[tagMax])
	if tp, err := strconv.Atoi(n0.tags[tagTargetPort]); err == nil {
		s.TargetPort = uint16(tp)
	}
	for _, sn := range splitList(n0.tags[tagSubnets]) {
		s.Subnets = append(s.Subnets, blueprint.Ref(sn))
	}
	for _, g := range n0.vm.GetSecurityGroups() {
		s.SecurityGroups = append(s.SecurityGroups, blueprint.Ref(g.GetSecurityGroupId()))
	}
	slices.Sort(s.SecurityGroups)
	if ud := n0.vm.GetUserData(); ud != "" {
		if b, err := base64.StdEncoding.DecodeString(ud); err == nil {
			s.UserData = tier.Secret(b)
		}
	}
	ids := make([]string, len(nodes))
	var running []string
	for i, n := range nodes {
		ids[i] = n.vm.GetVmId()
		if n.vm.GetState() == "running" {
			running = append(running, ids[i])
		}
	}
	ready := len(running) == len(nodes)
	if ip := n0.tags[tagPublicIP]; ip != "" {
		on, err := d.floatingIP(ctx, id, ip, running)
		if err != nil {
			return driver.Observed{}, err
		}
		s.PublicIP = blueprint.Ref(on)
	}
	if names := splitList(n0.tags[tagLBs]); len(names) > 0 {
		lbs, err := d.readLoadBalancers(ctx, names)
		if err != nil {
			return driver.Observed{}, err
		}
		for _, lb := range lbs {
			backends := lb.GetBackendVmIds()
			if !slices.ContainsFunc(ids, func(id string) bool { return !slices.Contains(backends, id) }) {
				s.LoadBalancers = append(s.LoadBalancers, blueprint.Ref(lb.GetLoadBalancerName()))
			}
		}
		slices.Sort(s.LoadBalancers)
	}
	if len(s.LoadBalancers) == 0 {
		s.TargetPort = 0
	}
	o.Resource.Cluster = s
	o.Ready = ready
	o.Status = fmt.Sprintf("%d running of %d", countRunning(nodes), len(nodes))
	o.Parts = map[string][]string{"vm": ids}
	return o, nil
}

func countRunning(nodes []node) int {
	n := 0
	for _, x := range nodes {
		if x.vm.GetState() == "running" {
			n++
		}
	}
	return n
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func joinRefs(rs []blueprint.Ref) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ",")
}

// checkCluster validates a cluster spec before any call.
func checkCluster(op, id string, s *blueprint.ClusterSpec) error {
	k := string(blueprint.KindCluster)
	var errs []error
	switch {
	case s.ImageID() == "":
		errs = append(errs, errorf(op, k, id, driver.Invalid, "cluster.image: empty; give an OMI id (ami-...)"))
	case s.InstanceType == "":
		errs = append(errs, errorf(op, k, id, driver.Invalid, "cluster.instance_type: empty; give a VM type"))
	}
	if len(s.Subnets) == 0 {
		errs = append(errs, errorf(op, k, id, driver.Invalid, "cluster.subnets: empty; give the subnets to spread the nodes over"))
	}
	if s.Min < 0 || s.Min > s.Desired || s.Desired > s.Max || s.Max < 1 {
		errs = append(errs, errorf(op, k, id, driver.Invalid, "cluster: min %d, desired %d, max %d: want 0 <= min <= desired <= max and max >= 1", s.Min, s.Desired, s.Max))
	}
	if s.Desired == 0 {
		errs = append(errs, errorf(op, k, id, driver.Invalid, "cluster.desired: 0: %s; give it 1 or more", noEmptyCluster))
	}
	if n := base64.StdEncoding.EncodedLen(len(s.UserData)); n > MaxUserData {
		errs = append(errs, errorf(op, k, id, driver.Invalid,
			"cluster.user_data: %d bytes, %d once Base64-encoded: more than OUTSCALE's 500 KiB; move the payload to an object store and fetch it at boot", len(s.UserData), n))
	}
	if len(s.LoadBalancers) > 0 && s.TargetPort == 0 {
		errs = append(errs, errorf(op, k, id, driver.Invalid, "cluster.target_port: 0; give the port the load balancers send to"))
	}
	if len(errs) == 1 {
		return errs[0]
	}
	if len(errs) > 1 {
		return driver.NewError(op, k, id, driver.Invalid, errors.Join(errs...))
	}
	return nil
}

// createCluster creates the cluster's VMs (see reconcileNodes) and returns
// it; the VMs come back pending (Ready false).
func (d *Driver) createCluster(ctx context.Context, req driver.Request) (driver.Observed, error) {
	if err := checkCluster("CreateVms", req.Resource.ID, req.Resource.Cluster); err != nil {
		return driver.Observed{}, err
	}
	id := clusterID(req)
	if err := d.reconcileNodes(ctx, req, id, nil); err != nil {
		return driver.Observed{}, err
	}
	return d.Read(ctx, blueprint.KindCluster, id)
}

func (d *Driver) updateCluster(ctx context.Context, req driver.Request, cur driver.Observed) error {
	if err := checkCluster("UpdateVms", req.Resource.ID, req.Resource.Cluster); err != nil {
		return err
	}
	return d.reconcileNodes(ctx, req, cur.ID, cur.Parts[partUnhealthy])
}

// reconcileNodes brings the cluster id to req's spec:
//
//   - slots 0..Desired-1 each hold one pending or running VM: a slot whose
//     VM is missing, terminated or failed (stopped, quarantined) gets a new
//     one from CreateVms, in subnet Subnets[slot mod len(Subnets)] (so the
//     nodes spread evenly over the subnets' subregions), with a ClientToken
//     derived from the cluster id, the slot and the number of VMs the slot
//     has had (a retried create finds its VM again; a replacement gets a
//     new token), then tagged (ownership, slot, cluster bookkeeping);
//   - VMs beyond Desired, duplicates and failed VMs are deleted (DeleteVms),
//     and so are, in a stateless cluster, the VMs the List left out for
//     failing their health checks (unhealthy: Observed.Parts["unhealthy_vm"]);
//   - the nodes are linked to the spec's load balancers
//     (LinkLoadBalancerBackendMachines) and unlinked from those it dropped.
func (d *Driver) reconcileNodes(ctx context.Context, req driver.Request, id string, unhealthy []string) error {
	s := req.Resource.Cluster
	all, err := d.readVms(ctx, osc.FiltersVm{Tags: &[]string{tagCluster + "=" + id}}, id)
	if err != nil {
		return err
	}
	base := withMeta(req.Tags, clusterMeta(id, s))
	st := sortNodes(nodesOf(all), s)
	st.dropUnhealthy(unhealthy, s)
	// The floating IP moves first, to a node that runs now: the
	// replacements below take minutes to boot.
	floated, err := d.moveIP(ctx, id, string(s.PublicIP), st.runningNodes())
	if err != nil {
		return err
	}
	if st.orphans, err = d.orphanVms(ctx, s.Subnets, id); err != nil {
		return err
	}
	keep, err := d.fillSlots(ctx, req, id, base, st)
	if err != nil {
		return err
	}
	if !floated {
		if _, err := d.moveIP(ctx, id, string(s.PublicIP), keep); err != nil {
			return err
		}
	}
	if len(st.drop) > 0 {
		if err := d.deleteVms(ctx, id, st.drop); err != nil {
			return err
		}
	}
	return d.linkBackends(ctx, id, s.LoadBalancers, st.oldLBs, keep)
}

// clusterMeta returns the bookkeeping tags every VM of cluster id carries.
func clusterMeta(id string, s *blueprint.ClusterSpec) map[string]string {
	meta := map[string]string{tagCluster: id, tagMin: strconv.Itoa(s.Min), tagMax: strconv.Itoa(s.Max),
		tagStateless: strconv.FormatBool(s.Stateless), tagSubnets: joinRefs(s.Subnets), tagLBs: joinRefs(s.LoadBalancers),
		tagClusterTier: s.Tier, tagPublicIP: string(s.PublicIP)}
	if s.TargetPort != 0 {
		meta[tagTargetPort] = strconv.Itoa(int(s.TargetPort))
	}
	return meta
}

// slots is a cluster's VMs sorted by what reconcileNodes does with them.
type slots struct {
	alive   map[int]node // slot -> its live VM
	history map[int]int  // slot -> how many VMs it has had
	drop    []string     // VMs to delete: beyond desired, duplicates, failed
	oldLBs  []string     // load balancers the VMs were linked to
	orphans []osc.Vm     // untagged live VMs in the cluster's subnets
}

// sortNodes puts each VM of nodes (sorted by slot) in its slot, or among
// the VMs to drop: beyond Desired, failed, duplicates, and, in a stateless
// cluster, VMs in a subnet the spec no longer lists (a VM never changes
// subnet: its slot gets a new VM in the slot's subnet).
func sortNodes(nodes []node, s *blueprint.ClusterSpec) slots {
	st := slots{alive: map[int]node{}, history: map[int]int{}}
	for _, n := range nodes {
		st.history[n.slot]++
		state := n.vm.GetState()
		moved := s.Stateless && n.vm.GetSubnetId() != "" && !slices.Contains(s.Subnets, blueprint.Ref(n.vm.GetSubnetId()))
		switch {
		case isGone(state):
		case !isAlive(state), n.slot < 0 || n.slot >= s.Desired, moved:
			st.drop = append(st.drop, n.vm.GetVmId())
			st.oldLBs = append(st.oldLBs, splitList(n.tags[tagLBs])...)
		case st.alive[n.slot].vm.VmId != nil:
			st.drop = append(st.drop, n.vm.GetVmId())
		default:
			st.alive[n.slot] = n
			st.oldLBs = append(st.oldLBs, splitList(n.tags[tagLBs])...)
		}
	}
	return st
}

// dropUnhealthy moves the live VMs of unhealthy to the VMs to drop, so
// that their slots get new VMs; a stateful cluster keeps them.
func (st *slots) dropUnhealthy(unhealthy []string, s *blueprint.ClusterSpec) {
	if !s.Stateless {
		return
	}
	for slot, n := range st.alive {
		if slices.Contains(unhealthy, n.vm.GetVmId()) {
			delete(st.alive, slot)
			st.drop = append(st.drop, n.vm.GetVmId())
		}
	}
	slices.Sort(st.drop)
}

// fillSlots makes each slot below Desired hold one VM: a live VM keeps
// its slot (and is tagged again when its tags are stale), an empty slot
// gets a new VM. It returns the VMs kept, by slot.
func (d *Driver) fillSlots(ctx context.Context, req driver.Request, id string, base map[string]string, st slots) ([]string, error) {
	var keep []string
	for slot := range req.Resource.Cluster.Desired {
		want := withMeta(base, map[string]string{tagNode: strconv.Itoa(slot)})
		n, ok := st.alive[slot]
		if !ok {
			vmID, err := d.createNode(ctx, req, id, slot, st.history[slot], base, st.orphans)
			if err != nil {
				return nil, err
			}
			keep = append(keep, vmID)
			continue
		}
		keep = append(keep, n.vm.GetVmId())
		if groups := refStrings(req.Resource.Cluster.SecurityGroups); !sameSet(groups, vmGroups(n.vm)) {
			// UpdateVm changes a running VM's security groups in place.
			if err := d.updateVm(ctx, id, osc.UpdateVmRequest{VmId: n.vm.GetVmId(), SecurityGroupIds: &groups}); err != nil {
				return nil, err
			}
		}
		if stale(n.tags, want) {
			// The slot tag differs per VM: tag each one.
			if err := d.createTags(ctx, "Update", blueprint.KindCluster, n.vm.GetVmId(), want); err != nil {
				return nil, err
			}
		}
	}
	return keep, nil
}

// stale reports whether have lacks a tag of want or holds another value.
func stale(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return true
		}
	}
	return false
}

// linkBackends links the VMs keep to the load balancers want and unlinks
// them from the balancers old they were linked to and want drops.
func (d *Driver) linkBackends(ctx context.Context, id string, want []blueprint.Ref, old, keep []string) error {
	wantLBs := make([]string, len(want))
	for i, r := range want {
		wantLBs[i] = string(r)
	}
	names := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(wantLBs), old...))))
	if len(names) == 0 {
		return nil
	}
	lbs, err := d.readLoadBalancers(ctx, names)
	if err != nil {
		return err
	}
	for _, lb := range lbs {
		if err := d.linkBackend(ctx, id, lb, slices.Contains(wantLBs, lb.GetLoadBalancerName()), keep); err != nil {
			return err
		}
	}
	for _, name := range wantLBs {
		if !slices.ContainsFunc(lbs, func(lb osc.LoadBalancer) bool { return lb.GetLoadBalancerName() == name }) {
			return errorf("LinkLoadBalancerBackendMachines", string(blueprint.KindCluster), id, driver.NotFound, "cluster.load_balancers: %q: no such load balancer", name)
		}
	}
	return nil
}

// linkBackend links the VMs keep to lb (link true) or unlinks them from it.
func (d *Driver) linkBackend(ctx context.Context, id string, lb osc.LoadBalancer, link bool, keep []string) error {
	name, k := lb.GetLoadBalancerName(), string(blueprint.KindCluster)
	backends := lb.GetBackendVmIds()
	var change []string
	for _, vmID := range keep {
		if slices.Contains(backends, vmID) != link {
			change = append(change, vmID)
		}
	}
	if len(change) == 0 {
		return nil
	}
	if link {
		in := osc.LinkLoadBalancerBackendMachinesRequest{LoadBalancerName: name, BackendVmIds: &change}
		_, err := call(ctx, d, "LinkLoadBalancerBackendMachines", k, id, func(ctx context.Context) (osc.LinkLoadBalancerBackendMachinesResponse, *http.Response, error) {
			return d.api.LoadBalancerApi.LinkLoadBalancerBackendMachines(ctx).LinkLoadBalancerBackendMachinesRequest(in).Execute()
		})
		return err
	}
	in := osc.UnlinkLoadBalancerBackendMachinesRequest{LoadBalancerName: name, BackendVmIds: &change}
	_, err := call(ctx, d, "UnlinkLoadBalancerBackendMachines", k, id, func(ctx context.Context) (osc.UnlinkLoadBalancerBackendMachinesResponse, *http.Response, error) {
		return d.api.LoadBalancerApi.UnlinkLoadBalancerBackendMachines(ctx).UnlinkLoadBalancerBackendMachinesRequest(in).Execute()
	})
	if isNotFound(err) {
		return nil
	}
	return err
}

// createNode creates the VM of one slot and tags it; it returns its id.
// An untagged VM of orphans whose ClientToken is of this slot and
// generation (a run died between CreateVms and CreateTags) is tagged and
// taken instead.
func (d *Driver) createNode(ctx context.Context, req driver.Request, id string, slot, generation int, base map[string]string, orphans []osc.Vm) (string, error) {
	s := req.Resource.Cluster
	k := string(blueprint.KindCluster)
	prefix := nodePrefix(req, slot, generation)
	nodeTags := withMeta(base, map[string]string{tagNode: strconv.Itoa(slot)})
	for _, vm := range orphans {
		if strings.HasPrefix(vm.GetClientToken(), prefix) {
			d.log.DebugContext(ctx, "adopted", logKind, k, logID, vm.GetVmId())
			return vm.GetVmId(), d.createTags(ctx, "Create", blueprint.KindCluster, vm.GetVmId(), nodeTags)
		}
	}
	token := prefix + fmt.Sprintf("%08x", driver.Hash(prefix+"\x00"+req.Token))
	subnet := string(s.Subnets[slot%len(s.Subnets)])
	// The VMs of a stateful cluster (a database cluster) hold data: they
	// get OUTSCALE's deletion protection, which only a delete the caller
	// allowed lifts (deleteCluster).
	in := osc.CreateVmsRequest{ImageId: s.ImageID(), VmType: osc.PtrString(s.InstanceType), SubnetId: &subnet, ClientToken: &token,
		MinVmsCount: osc.PtrInt32(1), MaxVmsCount: osc.PtrInt32(1), DeletionProtection: osc.PtrBool(!s.Stateless)}
	if len(s.SecurityGroups) > 0 {
		sgs := make([]string, len(s.SecurityGroups))
		for i, g := range s.SecurityGroups {
			sgs[i] = string(g)
		}
		in.SecurityGroupIds = &sgs
	}
	if s.UserData != "" {
		in.UserData = osc.PtrString(base64.StdEncoding.EncodeToString([]byte(s.UserData.Value())))
	}
	if s.KeyPair != "" { // the keypair's provider id is its name
		in.KeypairName = osc.PtrString(string(s.KeyPair))
	}
	resp, err := call(ctx, d, "CreateVms", k, id, func(ctx context.Context) (osc.CreateVmsResponse, *http.Response, error) {
		return d.api.VmApi.CreateVms(ctx).CreateVmsRequest(in).Execute()
	})
	if err != nil {
		return "", err
	}
	vms := resp.GetVms()
	if len(vms) == 0 {
		return "", errorf("CreateVms", k, id, driver.Internal, "CreateVms answered no VM for slot %d", slot)
	}
	vmID := vms[0].GetVmId()
	// No rollback: the client token finds this VM again in this run, its
	// prefix in the next (see orphanVms).
	if err := d.createTags(ctx, "Create", blueprint.KindCluster, vmID, nodeTags); err != nil {
		return "", err
	}
	return vmID, nil
}

// nodePrefix starts the ClientToken of the node in slot with generation
// (the number of VMs the slot has had) of req's cluster:
// "n<hash of deployment and logical id>-<slot>-<generation>-". The token
// ends with a hash of the run's token, so that no run reuses the token of
// a VM an earlier run made (OUTSCALE documents no expiry for client
// tokens), while every run recognises, by this prefix, the untagged VM a
// dead run left.
func nodePrefix(req driver.Request, slot, generation int) string {
	return fmt.Sprintf("n%08x-%d-%d-", driver.Hash(req.Deployment+"\x00"+req.Resource.ID), slot, generation)
}

// orphanVms returns the live VMs of subnets that carry no ownership tag:
// a run that died between CreateVms and CreateTags left them, and
// createNode takes those whose token is of the slot it fills. A VM made
// by hand in archkit's subnets has no such token and is never taken.
func (d *Driver) orphanVms(ctx context.Context, subnets []blueprint.Ref, id string) ([]osc.Vm, error) {
	ids := make([]string, len(subnets))
	for i, sn := range subnets {
		ids[i] = string(sn)
	}
	vms, err := d.readVms(ctx, osc.FiltersVm{SubnetIds: &ids, VmStateNames: &[]string{"pending", "running"}}, id)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(vms, func(vm osc.Vm) bool { return tagMap(vm.GetTags())[driver.TagDeployment] != "" }), nil
}

// deleteVms terminates VMs (DeleteVms is idempotent) and waits until they
// are terminated.
func (d *Driver) deleteVms(ctx context.Context, cluster string, ids []string) error {
	k := string(blueprint.KindCluster)
	if _, err := call(ctx, d, "DeleteVms", k, cluster, func(ctx context.Context) (osc.DeleteVmsResponse, *http.Response, error) {
		return d.api.VmApi.DeleteVms(ctx).DeleteVmsRequest(osc.DeleteVmsRequest{VmIds: ids}).Execute()
	}); err != nil && !isNotFound(err) {
		return err
	}
	return d.waitFor(ctx, "DeleteVms", k, cluster, "terminated", func(ctx context.Context) (bool, error) {
		vms, err := d.readVms(ctx, osc.FiltersVm{VmIds: &ids}, cluster)
		if err != nil {
			return false, err
		}
		for _, vm := range vms {
			if vm.GetState() != "terminated" {
				return false, nil
			}
		}
		return true, nil
	})
}

// deleteCluster terminates every VM of the cluster and waits for it. The
// VMs of a stateful cluster carry deletion protection: it is lifted
// (UpdateVm) only when opts allow the delete; otherwise the delete is
// refused before any write. Their volumes are kept first in final
// snapshots (finalSnapshots) unless opts.SkipFinalSnapshot.
func (d *Driver) deleteCluster(ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error {
	vms, err := d.readVms(ctx, osc.FiltersVm{Tags: &[]string{tagCluster + "=" + cur.ID}}, cur.ID)
	if err != nil {
		return err
	}
	var ids, protected []string
	var live []osc.Vm
	for _, vm := range vms {
		if vm.GetState() != "terminated" {
			ids = append(ids, vm.GetVmId())
			live = append(live, vm)
			if vm.GetDeletionProtection() {
				protected = append(protected, vm.GetVmId())
			}
		}
	}
	if len(protected) > 0 && !opts.LiftProtection {
		return errorf("DeleteVms", string(blueprint.KindCluster), cur.ID, driver.Invalid,
			"the stateful cluster's VMs %v have deletion protection; the engine lifts it only for a delete the caller allowed (AllowDataLoss)", protected)
	}
	if len(protected) > 0 && !opts.SkipFinalSnapshot {
		if err := d.finalSnapshots(ctx, cur, live, opts); err != nil {
			return err
		}
	}
	for _, vmID := range protected {
		if err := d.updateVm(ctx, cur.ID, osc.UpdateVmRequest{VmId: vmID, DeletionProtection: osc.PtrBool(false)}); err != nil {
			return err
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return d.deleteVms(ctx, cur.ID, ids)
}

// updateVm sends one UpdateVm for a VM of cluster.
func (d *Driver) updateVm(ctx context.Context, cluster string, in osc.UpdateVmRequest) error {
	_, err := call(ctx, d, "UpdateVm", string(blueprint.KindCluster), cluster, func(ctx context.Context) (osc.UpdateVmResponse, *http.Response, error) {
		return d.api.VmApi.UpdateVm(ctx).UpdateVmRequest(in).Execute()
	})
	return err
}

// vmGroups returns the ids of vm's security groups.
func vmGroups(vm osc.Vm) []string {
	var out []string
	for _, g := range vm.GetSecurityGroups() {
		out = append(out, g.GetSecurityGroupId())
	}
	return out
}

func refStrings(rs []blueprint.Ref) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// Replaces implements driver.Replacer: a VM never changes subnet, so a
// stateful cluster that leaves a subnet it uses is replaced.
func (d *Driver) Replaces(have, want blueprint.Resource) map[string]string {
	return inplace.VMCluster(have, want)
}

// addBlockers names, on the Dependency error err, what stops the delete
// of cur and is not tagged with cur's deployment: VMs (ReadVms with f),
// NAT services in a subnet, load balancers in a subnet or Net or using a
// security group.
func (d *Driver) addBlockers(ctx context.Context, err error, cur driver.Observed, f osc.FiltersVm) {
	var pe *driver.Error
	if !errors.As(err, &pe) {
		return
	}
	dep := cur.Tags[driver.TagDeployment]
	foreign := func(tags map[string]string) bool { return dep == "" || tags[driver.TagDeployment] != dep }
	if vms, rerr := d.readVms(ctx, f, cur.ID); rerr == nil {
		for _, vm := range vms {
			if vm.GetState() != "terminated" && foreign(tagMap(vm.GetTags())) {
				pe.Blockers = append(pe.Blockers, driver.Blocker{Kind: "vm", ID: vm.GetVmId()})
			}
		}
	}
	if f.SubnetIds != nil {
		if nats, rerr := d.readNats(ctx, osc.FiltersNatService{SubnetIds: f.SubnetIds}, cur.ID); rerr == nil {
			for _, n := range nats {
				if st := n.GetState(); st != "deleted" && st != "deleting" && foreign(tagMap(n.GetTags())) {
					pe.Blockers = append(pe.Blockers, driver.Blocker{Kind: "nat_service", ID: n.GetNatServiceId()})
				}
			}
		}
	}
	lbs, rerr := d.readLoadBalancers(ctx, nil)
	if rerr != nil {
		return
	}
	for _, lb := range lbs {
		uses := f.SubnetIds != nil && slices.Contains(lb.GetSubnets(), cur.ID) ||
			f.SecurityGroupIds != nil && slices.Contains(lb.GetSecurityGroups(), cur.ID) ||
			f.NetIds != nil && lb.GetNetId() == cur.ID
		if uses && foreign(tagMap(lb.GetTags())) {
			pe.Blockers = append(pe.Blockers, driver.Blocker{Kind: "load_balancer", ID: lb.GetLoadBalancerName()})
		}
	}
}
