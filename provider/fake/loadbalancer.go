package fake

import (
	"fmt"
	"slices"
	"strings"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateLoadBalancer checks a load balancer: a name of 1 to 32 letters,
// digits and hyphens, not starting or ending with a hyphen, unique in the
// region; a known scheme and type; subnets of one Net in at least two zones
// (one for a network load balancer), and an internet gateway attached to
// that Net when the balancer is internet-facing (AWS: InvalidSubnet; OUTSCALE:
// a conflict); security groups of that Net;
// listeners on distinct ports with protocols that fit the type, a
// certificate for HTTPS and TLS; a health check timeout shorter than its
// interval.
func (d *Driver) validateLoadBalancer(op string, e, old *entry) error {
	s := e.res.LoadBalancer
	k := blueprint.KindLoadBalancer
	if err := checkLBName(s.Name); err != nil {
		return d.errf(op, k, e.res.ID, driver.Invalid, "load_balancer.name: %q: %v", s.Name, err)
	}
	if s.Scheme != blueprint.SchemeInternetFacing && s.Scheme != blueprint.SchemeInternal {
		return d.errf(op, k, e.res.ID, driver.Invalid, "load_balancer.scheme: %q: use %q or %q", s.Scheme, blueprint.SchemeInternetFacing, blueprint.SchemeInternal)
	}
	protocols := map[string]bool{"HTTP": true, "HTTPS": true}
	minZones := 2
	switch s.Type {
	case blueprint.LBApplication:
	case blueprint.LBNetwork:
		protocols = map[string]bool{"TCP": true, "TLS": true, "UDP": true, "TCP_UDP": true}
		minZones = 1
	default:
		return d.errf(op, k, e.res.ID, driver.Invalid, "load_balancer.type: %q: use %q or %q", s.Type, blueprint.LBApplication, blueprint.LBNetwork)
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
	ports := map[uint16]bool{}
	for i, l := range s.Listeners {
		field := fmt.Sprintf("load_balancer.listeners[%d]", i)
		switch {
		case !protocols[l.Protocol]:
			return d.errf(op, k, e.res.ID, driver.Invalid, "%s.protocol: %q: not for a %s load balancer", field, l.Protocol, s.Type)
		case l.Port == 0 || l.TargetPort == 0:
			return d.errf(op, k, e.res.ID, driver.Invalid, "%s: port %d to %d: give both ports", field, l.Port, l.TargetPort)
		case ports[l.Port]:
			return d.errf(op, k, e.res.ID, driver.Invalid, "%s.port: %d: two listeners (DuplicateListener); keep one", field, l.Port)
		case (l.Protocol == "HTTPS" || l.Protocol == "TLS") && l.Certificate == "":
			return d.errf(op, k, e.res.ID, driver.Invalid, "%s.certificate: empty; %s listeners need a certificate", field, l.Protocol)
		}
		ports[l.Port] = true
	}
	if h := s.HealthCheck; h.IntervalSeconds > 0 && h.TimeoutSeconds >= h.IntervalSeconds {
		return d.errf(op, k, e.res.ID, driver.Invalid, "load_balancer.health_check: timeout %ds is not shorter than the interval %ds", h.TimeoutSeconds, h.IntervalSeconds)
	}
	for _, o := range d.others(k, old) {
		if o.res.LoadBalancer.Name == s.Name {
			return d.errf(op, k, e.res.ID, driver.AlreadyExists, "load_balancer.name: %q: used by %s (DuplicateLoadBalancerName)", s.Name, o.id)
		}
	}
	return nil
}

func checkLBName(n string) error {
	if n == "" || len(n) > 32 {
		return fmt.Errorf("give 1 to 32 characters")
	}
	if strings.HasPrefix(n, "-") || strings.HasSuffix(n, "-") {
		return fmt.Errorf("starts or ends with a hyphen")
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("%q is not allowed; use letters, digits and hyphens", c)
		}
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
