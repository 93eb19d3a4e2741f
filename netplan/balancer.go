package netplan

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// Balancer is a load balancer of a [Topology]: an AWS Application or
// Network Load Balancer, an OUTSCALE LBU. It has a security group of its
// own, named Name, derived like a tier's: inbound from the sources of the
// flows that name it ("internet -> front tcp/443", "203.0.113.7/32 ->
// front tcp/443"), outbound to its Target tier on the target ports (the
// listeners' target ports and the health-check port); the Target tier
// accepts those ports from the balancer's group only. Its rules are
// merged, deduplicated and checked against Options.Profile's quotas like
// any group's, and errors name the balancer's group.
//
// The balancer's network interfaces live in the subnets of the tier Group
// (its home): network ACLs, routes and [Rules.CanReach] see its traffic
// as traffic of those subnets. A balancer connects to its targets from
// ports 1024-65535 ([BalancerEphemeral]), so the target tier's ACL sends
// the replies there whatever Options.Ephemeral says.
//
// With listener tcp/80 -> 8080, health-check port 8081, home "edge" and
// target "app", Derive gives group "front" "outbound tcp/8080-8081 to
// group app" (the target and health-check ports, merged), app's group
// "inbound tcp/8080-8081 from group front", edge's ACL "outbound
// tcp/8080-8081 to app's subnets" and "inbound tcp/1024-65535 from app's
// subnets", and app's ACL the mirror entries.
type Balancer struct {
	// Name names the balancer and its security group; flows name it with
	// [Tier](Name). It must differ from every tier's and balancer's name.
	Name string `json:"name"`
	// Group is the tier whose subnets hold the balancer.
	Group string `json:"group"`
	// Target is the tier whose instances receive the traffic.
	Target string `json:"target"`
	// Listeners are the ports the balancer accepts, at least one.
	Listeners []Listener `json:"listeners"`
	// HealthCheckPort is the TCP port the balancer probes its targets on;
	// 0 when the health checks use a listener's target port.
	HealthCheckPort uint16 `json:"health_check_port,omitempty"`
}

// Listener is one port a [Balancer] accepts: Protocol (tcp or udp) on
// Port, forwarded to the targets on TargetPort with the same protocol.
// An HTTP or HTTPS listener is a tcp one.
type Listener struct {
	Protocol   Protocol `json:"protocol"`
	Port       uint16   `json:"port"`
	TargetPort uint16   `json:"target_port"`
}

// String returns "tcp/443 -> 8080".
func (l Listener) String() string {
	return string(l.Protocol) + "/" + strconv.Itoa(int(l.Port)) + " -> " + strconv.Itoa(int(l.TargetPort))
}

// servicePort is one protocol and port a balancer reaches its targets on.
type servicePort struct {
	proto Protocol
	port  uint16
	desc  string
}

// targets returns the distinct protocols and ports b reaches its targets
// on (the listeners' target ports, then the health-check port over tcp),
// sorted by port then protocol.
func (b Balancer) targets() []servicePort {
	var out []servicePort
	for _, l := range b.Listeners {
		out = append(out, servicePort{proto: l.Protocol, port: l.TargetPort, desc: "targets of " + b.Name})
	}
	if b.HealthCheckPort != 0 {
		out = append(out, servicePort{proto: ProtocolTCP, port: b.HealthCheckPort, desc: "health checks of " + b.Name})
	}
	slices.SortStableFunc(out, func(x, y servicePort) int {
		return cmp.Or(cmp.Compare(x.port, y.port), cmp.Compare(protoRank(x.proto), protoRank(y.proto)))
	})
	return slices.CompactFunc(out, func(x, y servicePort) bool { return x.proto == y.proto && x.port == y.port })
}

// listener returns the listener of b that takes proto on port.
func (b Balancer) listener(proto Protocol, port uint16) (Listener, bool) {
	for _, l := range b.Listeners {
		if l.Protocol == proto && l.Port == port {
			return l, true
		}
	}
	return Listener{}, false
}

// listens reports whether some listener of b takes all of proto/ports.
func (b Balancer) listens(proto Protocol, ports PortRange) bool {
	if !proto.HasPorts() {
		return false
	}
	for p := int(ports.From); p <= int(ports.To); p++ {
		if _, ok := b.listener(proto, uint16(p)); !ok {
			return false
		}
	}
	return true
}

// validateBalancers checks Topology.Balancers and fills r.lbIndex. It
// runs after validateGroups, which fills r.index.
func (r *Rules) validateBalancers() []error {
	var errs []error
	for i, b := range r.topo.Balancers {
		field := fmt.Sprintf("balancers[%d]", i)
		_, tier := r.index[b.Name]
		_, dup := r.lbIndex[b.Name]
		switch {
		case !validName(b.Name):
			errs = append(errs, topoErr(ErrInvalid, field+".name", fmt.Sprintf("%q", b.Name), "bad balancer name; use a letter, then letters, digits, '-', '_' or '.'"))
		case tier || dup:
			errs = append(errs, topoErr(ErrDuplicate, field+".name", fmt.Sprintf("%q", b.Name), "already the name of a tier or balancer; give each its own name, it names a security group"))
		default:
			r.lbIndex[b.Name] = i
		}
		for _, ref := range [2]struct{ field, name, what string }{
			{".group", b.Group, "the tier whose subnets hold the balancer"},
			{".target", b.Target, "the tier that receives its traffic"},
		} {
			if _, ok := r.index[ref.name]; !ok {
				errs = append(errs, topoErr(ErrInvalid, field+ref.field, fmt.Sprintf("%q", ref.name), "unknown tier; name "+ref.what+", declared in Topology.Groups"))
			}
		}
		errs = append(errs, validateListeners(field, b.Listeners)...)
	}
	return errs
}

func validateListeners(field string, ls []Listener) []error {
	var errs []error
	if len(ls) == 0 {
		errs = append(errs, topoErr(ErrInvalid, field+".listeners", "[]", "no listener; add one, e.g. {tcp 443 8080}"))
	}
	seen := map[Listener]int{}
	for j, l := range ls {
		lf := fmt.Sprintf("%s.listeners[%d]", field, j)
		if l.Protocol != ProtocolTCP && l.Protocol != ProtocolUDP {
			errs = append(errs, topoErr(ErrInvalid, lf+".protocol", fmt.Sprintf("%q", string(l.Protocol)), "a listener carries tcp or udp; use tcp for HTTP, HTTPS and TLS"))
		}
		if l.Port == 0 {
			errs = append(errs, topoErr(ErrInvalid, lf+".port", "0", "port 0 is not allowed; use 1-65535"))
		}
		if l.TargetPort == 0 {
			errs = append(errs, topoErr(ErrInvalid, lf+".target_port", "0", "port 0 is not allowed; use the port the targets listen on"))
		}
		key := Listener{Protocol: l.Protocol, Port: l.Port}
		if prev, dup := seen[key]; dup && l.Port != 0 {
			errs = append(errs, topoErr(ErrDuplicate, lf+".port", protoPorts(l.Protocol, Port(l.Port)), fmt.Sprintf("already taken by listeners[%d]; give each listener its own port", prev)))
		}
		seen[key] = j
	}
	return errs
}

// balancer returns the balancer named name.
func (r *Rules) balancer(name string) (Balancer, bool) {
	i, ok := r.lbIndex[name]
	if !ok {
		return Balancer{}, false
	}
	return r.topo.Balancers[i], true
}

// sgIndex returns the index in Groups of the security group of tier or
// balancer name, or -1.
func (r *Rules) sgIndex(name string) int {
	if i, ok := r.index[name]; ok {
		return i
	}
	if i, ok := r.lbIndex[name]; ok {
		return len(r.topo.Groups) + i
	}
	if i, ok := r.epIndex[name]; ok {
		n := 0
		for _, e := range r.topo.Services[:i] {
			if !e.Gateway {
				n++
			}
		}
		return len(r.topo.Groups) + len(r.topo.Balancers) + n
	}
	return -1
}

// home returns the index in Topology.Groups (and ACLs) of the tier whose
// subnets carry the traffic of name: the tier itself, or a balancer's
// home tier; -1 for an unknown name.
func (r *Rules) home(name string) int {
	if i, ok := r.index[name]; ok {
		return i
	}
	if b, ok := r.balancer(name); ok {
		return r.index[b.Group]
	}
	if e, ok := r.endpoint(name); ok {
		return r.index[e.Group]
	}
	return -1
}
