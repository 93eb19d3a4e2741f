package fake

import (
	"slices"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateLoadBalancer checks a load balancer (its name, scheme, type,
// listeners and health check: blueprint.Resource.Check and Driver.Check):
// a name unique in the region; subnets of one Net in at least two zones
// (one for a network load balancer), each no smaller than
// Profile.BalancerSubnetMax, and an internet gateway attached to that Net
// when the balancer is internet-facing (AWS: InvalidSubnet; OUTSCALE: a
// conflict); security groups of that Net; Quotas.ListenersPerBalancer and
// Quotas.LoadBalancersPerRegion.
func (d *Driver) validateLoadBalancer(op string, e, old *entry) error {
	s := e.res.LoadBalancer
	k := blueprint.KindLoadBalancer
	minZones := 2
	if s.Type == blueprint.LBNetwork {
		minZones = 1
	}
	net, err := d.checkSubnets(op, e, "load_balancer.subnets", s.Subnets, minZones)
	if err != nil {
		return err
	}
	// An OUTSCALE load balancer lives in the first subnet it was made in;
	// UpdateLoadBalancer takes no subnets.
	if home := old.homeSubnet(); d.opts.Cloud == CloudOutscale && home != "" && !slices.Contains(s.Subnets, home) {
		return d.errf(op, k, e.res.ID, driver.Invalid, "load_balancer.subnets: the load balancer lives in subnet %s, which cannot change; keep it", home)
	}
	if err := d.checkGroups(op, e, "load_balancer.security_groups", s.SecurityGroups, net); err != nil {
		return err
	}
	if s.Scheme == blueprint.SchemeInternetFacing && d.netGateway(net) == nil {
		return d.errf(op, k, e.res.ID, driver.Invalid, "load_balancer.scheme: %s: net %s has no internet gateway (InvalidSubnet); create and attach one first", s.Scheme, net)
	}
	q := d.opts.Profile.Quotas
	if q.ListenersPerBalancer > 0 && len(s.Listeners) > q.ListenersPerBalancer {
		return d.errf(op, k, e.res.ID, driver.Quota, "load_balancer.listeners: %d listeners; at most %d", len(s.Listeners), q.ListenersPerBalancer)
	}
	others := d.others(k, old)
	for _, o := range others {
		if o.res.LoadBalancer.Name == s.Name {
			return d.errf(op, k, e.res.ID, driver.AlreadyExists, "load_balancer.name: %q: used by %s (DuplicateLoadBalancerName)", s.Name, o.id)
		}
	}
	if q.LoadBalancersPerRegion > 0 && len(others) >= q.LoadBalancersPerRegion {
		return d.errf(op, k, e.res.ID, driver.Quota, "the region already has %d load balancers, the most allowed", len(others))
	}
	return nil
}

// homeSubnet returns the first subnet of a stored load balancer, or "" for
// none (a create).
func (e *entry) homeSubnet() blueprint.Ref {
	if e == nil || e.res.LoadBalancer == nil {
		return ""
	}
	return first(e.res.LoadBalancer.Subnets)
}
