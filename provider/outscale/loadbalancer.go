package outscale

import (
	"context"
	"net/http"
	"slices"
	"strings"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// partHomeSubnet names, in Observed.Parts, the one subnet a load balancer
// in a Net lives in. The spec's other subnets are kept in a tag: the
// balancer serves the whole Net, so adding or removing them is a tag
// change; the home subnet itself cannot change (UpdateLoadBalancer takes
// no subnets).
const partHomeSubnet = "subnet"

// readLoadBalancers reads load balancers by name (all of the account when
// names is empty: ReadLoadBalancers has no tag filter).
func (d *Driver) readLoadBalancers(ctx context.Context, names []string) ([]osc.LoadBalancer, error) {
	req := osc.ReadLoadBalancersRequest{Filters: &osc.FiltersLoadBalancer{LoadBalancerNames: idFilter(names)}}
	resp, err := call(ctx, d, "ReadLoadBalancers", string(blueprint.KindLoadBalancer), first(names), func(ctx context.Context) (osc.ReadLoadBalancersResponse, *http.Response, error) {
		return d.api.LoadBalancerApi.ReadLoadBalancers(ctx).ReadLoadBalancersRequest(req).Execute()
	})
	if isNotFound(err) {
		return nil, nil
	}
	return resp.GetLoadBalancers(), err
}

// listLoadBalancers finds the load balancers of q's deployment: OUTSCALE
// identifies them by name and cannot filter them by tag, so every load
// balancer of the region is read and kept when its tags name the
// deployment.
func (d *Driver) listLoadBalancers(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	lbs, err := d.readLoadBalancers(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []driver.Observed
	for _, lb := range lbs {
		tags := tagMap(lb.GetTags())
		if !owned(q, tags) || len(q.NetIDs) > 0 && !slices.Contains(q.NetIDs, lb.GetNetId()) {
			continue
		}
		out = append(out, lbObserved(lb, tags))
	}
	return out, nil
}

func lbObserved(lb osc.LoadBalancer, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindLoadBalancer, lb.GetLoadBalancerName(), tags)
	s := &blueprint.LoadBalancerSpec{Name: lb.GetLoadBalancerName(), Scheme: lb.GetLoadBalancerType(), Type: tags[tagLBType]}
	if s.Scheme == "" {
		s.Scheme = blueprint.SchemeInternetFacing
	}
	subnets := lb.GetSubnets()
	if t := tags[tagLBSubnets]; t != "" {
		// A load balancer in a Net has one subnet and serves all the
		// Net's subnets; the subnets the spec named are kept in a tag.
		subnets = strings.Split(t, ",")
	}
	for _, sn := range subnets {
		s.Subnets = append(s.Subnets, blueprint.Ref(sn))
	}
	for _, g := range lb.GetSecurityGroups() {
		s.SecurityGroups = append(s.SecurityGroups, blueprint.Ref(g))
	}
	for _, l := range lb.GetListeners() {
		s.Listeners = append(s.Listeners, blueprint.ListenerSpec{Protocol: l.GetLoadBalancerProtocol(), Port: uint16(l.GetLoadBalancerPort()),
			TargetProtocol: l.GetBackendProtocol(), TargetPort: uint16(l.GetBackendPort()), Certificate: l.GetServerCertificateId()})
	}
	if hc, ok := lb.GetHealthCheckOk(); ok {
		s.HealthCheck = blueprint.HealthCheckSpec{Protocol: hc.Protocol, Port: uint16(hc.Port), Path: hc.GetPath(),
			IntervalSeconds: int(hc.CheckInterval), TimeoutSeconds: int(hc.Timeout), HealthyThreshold: int(hc.HealthyThreshold),
			UnhealthyThreshold: int(hc.UnhealthyThreshold)}
	}
	o.Resource.LoadBalancer = s
	if home := lb.GetSubnets(); len(home) > 0 {
		o.Parts = map[string][]string{partHomeSubnet: home}
	}
	o.Status = lb.GetState()
	o.Ready = o.Status == "active"
	return o
}

// checkLBName reports whether name is a valid OUTSCALE load balancer name:
// 1 to 32 letters, digits or hyphens, not starting or ending with one.
func checkLBName(name string) bool {
	if name == "" || len(name) > 32 || name[0] == '-' || name[len(name)-1] == '-' {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func oscListener(l blueprint.ListenerSpec) osc.ListenerForCreation {
	out := osc.ListenerForCreation{LoadBalancerProtocol: l.Protocol, LoadBalancerPort: int32(l.Port), BackendPort: int32(l.TargetPort)}
	if l.TargetProtocol != "" {
		out.BackendProtocol = osc.PtrString(l.TargetProtocol)
	}
	if l.Certificate != "" {
		out.ServerCertificateId = osc.PtrString(l.Certificate)
	}
	return out
}

func lbMeta(s *blueprint.LoadBalancerSpec) map[string]string {
	subnets := make([]string, len(s.Subnets))
	for i, sn := range s.Subnets {
		subnets[i] = string(sn)
	}
	return map[string]string{tagLBType: s.Type, tagLBSubnets: strings.Join(subnets, ",")}
}

// createLoadBalancer creates the LBU with its listeners, its first subnet
// (a load balancer in a Net lives in one subnet and serves all of them),
// its security groups and its tags (the one create call that takes tags),
// then sets its health check (UpdateLoadBalancer). The name is the
// identifier: a balancer of that name tagged with the deployment is
// returned as it is; one of another owner is Code AlreadyExists.
func (d *Driver) createLoadBalancer(ctx context.Context, req driver.Request) (driver.Observed, error) {
	k := string(blueprint.KindLoadBalancer)
	s := req.Resource.LoadBalancer
	switch {
	case !checkLBName(s.Name):
		return driver.Observed{}, errorf("CreateLoadBalancer", k, req.Resource.ID, driver.Invalid,
			"load_balancer.name: %q: want 1 to 32 letters, digits or hyphens, not starting or ending with a hyphen", s.Name)
	case len(s.Listeners) == 0:
		return driver.Observed{}, errorf("CreateLoadBalancer", k, req.Resource.ID, driver.Invalid, "load_balancer.listeners: empty; give at least one listener")
	case len(s.Subnets) == 0:
		return driver.Observed{}, errorf("CreateLoadBalancer", k, req.Resource.ID, driver.Invalid, "load_balancer.subnets: empty; give the subnets of the balancer")
	}
	tags := withMeta(req.Tags, lbMeta(s))
	existing, err := d.readLoadBalancers(ctx, []string{s.Name})
	if err != nil {
		return driver.Observed{}, err
	}
	if len(existing) > 0 {
		have := tagMap(existing[0].GetTags())
		if have[driver.TagDeployment] != req.Deployment || have[driver.TagLogicalID] != req.Resource.ID {
			return driver.Observed{}, errorf("CreateLoadBalancer", k, s.Name, driver.AlreadyExists,
				"load balancer %q exists and is not %s of deployment %q; choose another name", s.Name, req.Resource.ID, req.Deployment)
		}
		o := lbObserved(existing[0], have)
		if err := d.setHealthCheck(ctx, s, o.Resource.LoadBalancer.HealthCheck); err != nil {
			return driver.Observed{}, err
		}
		o.Resource.LoadBalancer.HealthCheck = s.HealthCheck
		return o, nil
	}
	in := osc.CreateLoadBalancerRequest{LoadBalancerName: s.Name, Subnets: &[]string{string(s.Subnets[0])}}
	for _, l := range s.Listeners {
		in.Listeners = append(in.Listeners, oscListener(l))
	}
	if s.Scheme != "" {
		in.LoadBalancerType = osc.PtrString(s.Scheme)
	}
	if len(s.SecurityGroups) > 0 {
		sgs := make([]string, len(s.SecurityGroups))
		for i, g := range s.SecurityGroups {
			sgs[i] = string(g)
		}
		in.SecurityGroups = &sgs
	}
	rt := resourceTags(tags)
	in.Tags = &rt
	resp, err := call(ctx, d, "CreateLoadBalancer", k, s.Name, func(ctx context.Context) (osc.CreateLoadBalancerResponse, *http.Response, error) {
		return d.api.LoadBalancerApi.CreateLoadBalancer(ctx).CreateLoadBalancerRequest(in).Execute()
	})
	if err != nil {
		return driver.Observed{}, err
	}
	lb := resp.GetLoadBalancer()
	o := lbObserved(lb, tags)
	if err := d.setHealthCheck(ctx, s, o.Resource.LoadBalancer.HealthCheck); err != nil {
		return driver.Observed{}, err
	}
	o.Resource.LoadBalancer.HealthCheck = s.HealthCheck
	return o, nil
}

// setHealthCheck sets the spec's health check unless have is the same (or
// the spec has none).
func (d *Driver) setHealthCheck(ctx context.Context, s *blueprint.LoadBalancerSpec, have blueprint.HealthCheckSpec) error {
	hc := s.HealthCheck
	if hc == have || hc == (blueprint.HealthCheckSpec{}) {
		return nil
	}
	in := osc.UpdateLoadBalancerRequest{LoadBalancerName: s.Name, HealthCheck: &osc.HealthCheck{
		Protocol: hc.Protocol, Port: int32(hc.Port), CheckInterval: int32(hc.IntervalSeconds), Timeout: int32(hc.TimeoutSeconds),
		HealthyThreshold: int32(hc.HealthyThreshold), UnhealthyThreshold: int32(hc.UnhealthyThreshold)}}
	if hc.Path != "" && (hc.Protocol == "HTTP" || hc.Protocol == "HTTPS") {
		in.HealthCheck.Path = osc.PtrString(hc.Path)
	}
	_, err := call(ctx, d, "UpdateLoadBalancer", string(blueprint.KindLoadBalancer), s.Name, func(ctx context.Context) (osc.UpdateLoadBalancerResponse, *http.Response, error) {
		return d.api.LoadBalancerApi.UpdateLoadBalancer(ctx).UpdateLoadBalancerRequest(in).Execute()
	})
	return err
}

// updateLoadBalancer reconciles the listeners (DeleteLoadBalancerListeners
// for the ports that go or change, CreateLoadBalancerListeners for the
// new), the health check and the security groups (UpdateLoadBalancer, one
// attribute per call), then the tags (CreateLoadBalancerTags).
func (d *Driver) updateLoadBalancer(ctx context.Context, req driver.Request, cur driver.Observed) error {
	k := string(blueprint.KindLoadBalancer)
	s := req.Resource.LoadBalancer
	name := cur.ID
	s.Name = name
	have := cur.Resource.LoadBalancer
	if have == nil {
		have = &blueprint.LoadBalancerSpec{}
	}
	for _, home := range cur.Parts[partHomeSubnet] {
		if !slices.Contains(s.Subnets, blueprint.Ref(home)) {
			return errorf("UpdateLoadBalancer", k, name, driver.Invalid,
				"load_balancer.subnets: the load balancer lives in subnet %s, which UpdateLoadBalancer cannot change; keep that subnet, or give the balancer a new name to make a new one", home)
		}
	}
	byPort := map[uint16]blueprint.ListenerSpec{}
	for _, l := range have.Listeners {
		byPort[l.Port] = l
	}
	var del []int32
	var add []osc.ListenerForCreation
	wanted := map[uint16]bool{}
	for _, l := range s.Listeners {
		wanted[l.Port] = true
		h, ok := byPort[l.Port]
		if ok && h == l {
			continue
		}
		if ok {
			del = append(del, int32(l.Port))
		}
		add = append(add, oscListener(l))
	}
	for p := range byPort {
		if !wanted[p] {
			del = append(del, int32(p))
		}
	}
	if len(del) > 0 {
		slices.Sort(del)
		in := osc.DeleteLoadBalancerListenersRequest{LoadBalancerName: name, LoadBalancerPorts: del}
		if _, err := call(ctx, d, "DeleteLoadBalancerListeners", k, name, func(ctx context.Context) (osc.DeleteLoadBalancerListenersResponse, *http.Response, error) {
			return d.api.ListenerApi.DeleteLoadBalancerListeners(ctx).DeleteLoadBalancerListenersRequest(in).Execute()
		}); err != nil {
			return err
		}
	}
	if len(add) > 0 {
		in := osc.CreateLoadBalancerListenersRequest{LoadBalancerName: name, Listeners: add}
		if _, err := call(ctx, d, "CreateLoadBalancerListeners", k, name, func(ctx context.Context) (osc.CreateLoadBalancerListenersResponse, *http.Response, error) {
			return d.api.ListenerApi.CreateLoadBalancerListeners(ctx).CreateLoadBalancerListenersRequest(in).Execute()
		}); err != nil {
			return err
		}
	}
	if err := d.setHealthCheck(ctx, s, have.HealthCheck); err != nil {
		return err
	}
	if !sameRefs(have.SecurityGroups, s.SecurityGroups) {
		sgs := make([]string, len(s.SecurityGroups))
		for i, g := range s.SecurityGroups {
			sgs[i] = string(g)
		}
		in := osc.UpdateLoadBalancerRequest{LoadBalancerName: name, SecurityGroups: &sgs}
		if _, err := call(ctx, d, "UpdateLoadBalancer", k, name, func(ctx context.Context) (osc.UpdateLoadBalancerResponse, *http.Response, error) {
			return d.api.LoadBalancerApi.UpdateLoadBalancer(ctx).UpdateLoadBalancerRequest(in).Execute()
		}); err != nil {
			return err
		}
	}
	tags := withMeta(req.Tags, lbMeta(s))
	in := osc.CreateLoadBalancerTagsRequest{LoadBalancerNames: []string{name}, Tags: resourceTags(tags)}
	_, err := call(ctx, d, "CreateLoadBalancerTags", k, name, func(ctx context.Context) (osc.CreateLoadBalancerTagsResponse, *http.Response, error) {
		return d.api.LoadBalancerApi.CreateLoadBalancerTags(ctx).CreateLoadBalancerTagsRequest(in).Execute()
	})
	return err
}

func sameRefs(a, b []blueprint.Ref) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// deleteLoadBalancer deletes the balancer and waits until it is gone.
func (d *Driver) deleteLoadBalancer(ctx context.Context, cur driver.Observed) error {
	k := string(blueprint.KindLoadBalancer)
	_, err := call(ctx, d, "DeleteLoadBalancer", k, cur.ID, func(ctx context.Context) (osc.DeleteLoadBalancerResponse, *http.Response, error) {
		return d.api.LoadBalancerApi.DeleteLoadBalancer(ctx).DeleteLoadBalancerRequest(osc.DeleteLoadBalancerRequest{LoadBalancerName: cur.ID}).Execute()
	})
	if err != nil {
		return err
	}
	return d.waitFor(ctx, "DeleteLoadBalancer", k, cur.ID, "deleted", func(ctx context.Context) (bool, error) {
		lbs, err := d.readLoadBalancers(ctx, []string{cur.ID})
		if err != nil {
			return false, err
		}
		return len(lbs) == 0 || lbs[0].GetState() == "deleted", nil
	})
}
