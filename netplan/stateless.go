package netplan

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
)

// ACL numbering. Allow entries are numbered from ACLStep in steps of
// ACLStep (100, 200, ...), so that an operator can insert entries between
// them by hand; when an ACL holds too many entries for that the step falls
// back to 10, then 1. The explicit deny-all entries come last at
// ACLDenyNumber (32766, the highest number a user may set on AWS, just
// before the implicit "*" entry 32767), one per address family: in an IPv6
// Net the IPv4 deny is 32765 and the IPv6 deny 32766.
const (
	ACLStep       = 100
	ACLDenyNumber = 32766
)

// hop is one connection the stateless firewalls carry: a flow, or a load
// balancer's connection to its targets, with a balancer endpoint replaced
// by the tier that holds it, and ret the ports its replies go to (the
// client's ephemeral range, see [Rules.clientPorts]).
type hop struct {
	from, to Endpoint
	proto    Protocol
	ports    PortRange
	ret      PortRange
	direct   bool // no NAT transit: the route goes to an endpoint
}

// hops returns the flows and the balancers' target connections as hops.
func (r *Rules) hops() []hop {
	out := make([]hop, 0, len(r.topo.Flows)+2*len(r.topo.Balancers))
	for _, f := range r.topo.Flows {
		out = append(out, hop{from: r.atHome(f.From), to: r.atHome(f.To), proto: f.Protocol, ports: f.Ports, ret: r.clientPorts(f.From, f.Protocol)})
	}
	for _, b := range r.topo.Balancers {
		for _, sp := range b.targets() {
			out = append(out, hop{from: Tier(b.Group), to: Tier(b.Target), proto: sp.proto, ports: Port(sp.port), ret: BalancerEphemeral})
		}
	}
	return append(out, r.serviceHops()...)
}

// atHome replaces a balancer endpoint by the tier that holds it.
func (r *Rules) atHome(e Endpoint) Endpoint {
	if e.Kind == EndpointTier {
		if b, ok := r.balancer(e.Name); ok {
			return Tier(b.Group)
		}
		if ep, ok := r.endpoint(e.Name); ok {
			return Tier(ep.Group)
		}
	}
	return e
}

// deriveACLs derives one stateless firewall per tier. A hop into a tier
// gives its ACL an inbound entry for the connection and an outbound entry
// for the replies (the client's ephemeral ports, to the source); a hop out
// of a tier gives an outbound entry and an inbound entry for the replies;
// a hop from a tier to itself gives both, between its subnets (none when
// it has a single subnet: traffic inside a subnet crosses no ACL);
// a hop through a NAT gives the ACL of the tier holding the NAT its
// transit entries (see [NAT]). ACLs name CIDRs only: a tier peer is its
// subnets.
func (r *Rules) deriveACLs() ([]ACL, error) {
	hops := r.hops()
	in := make([][]prule, len(r.topo.Groups))
	out := make([][]prule, len(r.topo.Groups))
	// size every list once: two entries per hop side and peer block
	counts := make([]int, len(r.topo.Groups))
	for _, h := range hops {
		if h.to.Kind == EndpointTier {
			counts[r.index[h.to.Name]] += len(r.prefixes(h.from))
		}
		if h.from.Kind == EndpointTier {
			counts[r.index[h.from.Name]] += len(r.prefixes(h.to))
		}
	}
	for i, n := range counts {
		in[i] = make([]prule, 0, n)
		out[i] = make([]prule, 0, n)
	}
	add := func(dst [][]prule, i int, proto Protocol, ports PortRange, ps []netip.Prefix) {
		for _, p := range ps {
			dst[i] = append(dst[i], prule{proto: proto, ports: ports, prefix: p})
		}
	}
	for _, h := range hops {
		if h.from.Kind == EndpointTier && h.to.Kind == EndpointTier && h.from.Name == h.to.Name &&
			len(r.topo.Groups[r.index[h.from.Name]].Subnets) < 2 {
			continue // traffic inside one subnet crosses no network ACL
		}
		if h.to.Kind == EndpointTier {
			ti := r.index[h.to.Name]
			src := r.prefixes(h.from)
			add(in, ti, h.proto, h.ports, src)
			add(out, ti, h.proto, h.ret, src)
		}
		if h.from.Kind == EndpointTier {
			si := r.index[h.from.Name]
			dst := r.prefixes(h.to)
			add(out, si, h.proto, h.ports, dst)
			add(in, si, h.proto, h.ret, dst)
			if !h.direct {
				r.addTransit(in, out, h)
			}
		}
	}
	acls := make([]ACL, len(r.topo.Groups))
	var errs []error
	for i, g := range r.topo.Groups {
		a := ACL{Name: g.Name}
		var err1, err2 error
		a.Inbound, err1 = r.numberEntries(mergePRules(in[i]))
		a.Outbound, err2 = r.numberEntries(mergePRules(out[i]))
		for _, err := range []error{err1, err2} {
			if err != nil {
				errs = append(errs, fmt.Errorf("netplan: network acl %q: %w", g.Name, err))
			}
		}
		acls[i] = a
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return acls, nil
}

// numberEntries numbers the merged allow entries and appends the deny-all.
func (r *Rules) numberEntries(rs []prule) ([]ACLEntry, error) {
	deny := r.anyPs
	firstDeny := ACLDenyNumber - len(deny) + 1
	step := 0
	for _, s := range []int{ACLStep, 10, 1} {
		if len(rs)*s < firstDeny {
			step = s
			break
		}
	}
	if step == 0 {
		return nil, fmt.Errorf("%d entries, more than the %d numbers an ACL has; merge flows", len(rs), firstDeny-1)
	}
	out := make([]ACLEntry, 0, len(rs)+len(deny))
	for i, p := range rs {
		out = append(out, ACLEntry{Number: (i + 1) * step, Action: Allow, Protocol: p.proto, Ports: p.ports, Prefix: p.prefix})
	}
	for i, p := range deny {
		out = append(out, ACLEntry{Number: firstDeny + i, Action: Deny, Protocol: ProtocolAll, Prefix: p})
	}
	return out, nil
}

// matches reports whether e applies to traffic of proto/ports whose remote
// side is p. An allow entry applies when its CIDR covers all of p; a deny
// entry when it overlaps p, so that evaluation never over-approximates.
func (e ACLEntry) matches(proto Protocol, ports PortRange, p netip.Prefix) bool {
	if !e.Protocol.covers(proto) {
		return false
	}
	if e.Protocol.HasPorts() && !e.Ports.Covers(ports) {
		return false
	}
	if e.Action == Deny {
		return e.Prefix.Overlaps(p)
	}
	return coversPrefix(e.Prefix, p)
}

// String returns "#100 allow tcp/443 0.0.0.0/0".
func (e ACLEntry) String() string {
	return "#" + strconv.Itoa(e.Number) + " " + e.Action.String() + " " + protoPorts(e.Protocol, e.Ports) + " " + e.Prefix.String()
}

// Allows evaluates a the way a cloud does: entries of direction d lowest
// number first, the first that matches decides. p is the remote block (the
// source of inbound traffic, the destination of outbound traffic); an
// allow entry matches only when it covers all of p. It returns the
// deciding entry; when none matches it returns the implicit deny-all
// (number 32767) and false.
//
// For the DMZ of seed 002, Allows(Inbound, ProtocolTCP, Port(443),
// 0.0.0.0/0) is "#300 allow tcp/443 0.0.0.0/0", true.
func (a ACL) Allows(d Direction, proto Protocol, ports PortRange, p netip.Prefix) (ACLEntry, bool) {
	entries := a.Inbound
	if d == Outbound {
		entries = a.Outbound
	}
	for _, e := range entries {
		if e.matches(proto, ports, p) {
			return e, e.Action == Allow
		}
	}
	return ACLEntry{Number: 32767, Action: Deny, Protocol: ProtocolAll, Prefix: netip.PrefixFrom(p.Addr(), 0).Masked()}, false
}
