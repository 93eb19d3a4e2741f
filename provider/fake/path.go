package fake

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
)

// Allows reports whether members of security group from may open a
// connection to to on proto and port, and if not, why, as AWS decides it:
// through the security groups, and through the network ACLs of every
// subnet the connection and its replies cross.
//
// from is a security group (provider id or logical id); its members are
// the clusters, load balancers and databases that use it, in their
// subnets. to is a security group as well, or a destination outside the
// groups: "internet" (0.0.0.0/0) or a CIDR block ("203.0.113.0/24").
//
// Between two groups, the inbound rules of to must admit from by group
// and the outbound rules of from must let the traffic out, by group or by
// a block that holds to's Net; a group without a rule set keeps the
// default of a new group (all outbound, no inbound). Then, for every pair of a source
// and a destination subnet in different subnets, the source subnet's ACL
// must let the request out and the replies in, the destination's the
// request in and the replies out.
//
// To the internet or a block, the outbound rules of from must let the
// traffic out, and each source subnet must route the destination: to the
// internet gateway (its instances need public IPs: SubnetSpec.Public), or
// to a NAT gateway, whose subnet's ACL must pass the request in from the
// source subnet and out to the destination, and the replies in on the
// NAT's ports (1024-65535) and out to the source subnet; the NAT's subnet
// must route the destination to the internet gateway.
//
// Replies go back to the client's ephemeral ports: Options.Ephemeral for
// instances, 1024-65535 for load balancers; an ACL must pass the whole
// range. An ACL entry applies to a peer when its block holds the whole
// peer (a subnet, 0.0.0.0/0 for the internet); AWS evaluates entries by
// increasing number, the first that matches decides, and none means deny.
// A subnet without a network ACL has the Net's default one, which allows
// everything. from and to without members skip the ACLs: there is no
// subnet to judge.
func (d *Driver) Allows(from, to string, proto netplan.Protocol, port uint16) (ok bool, why string, err error) {
	if !d.usable() {
		return false, "", errNilDriver
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	f, err := d.resolve(blueprint.KindSecurityGroup, from)
	if err != nil {
		return false, "", err
	}
	names := strings.NewReplacer(f, from)
	if dest, outside := destination(to); outside {
		ok, why = d.egress(f, dest, proto, port)
		return ok, names.Replace(why), nil
	}
	t, err := d.resolve(blueprint.KindSecurityGroup, to)
	if err != nil {
		return false, "", err
	}
	names = strings.NewReplacer(f, from, t, to)
	ok, why, err = d.allows(f, t, proto, port)
	if err != nil || !ok {
		return ok, names.Replace(why), err
	}
	ok, why = d.betweenSubnets(f, t, proto, port)
	return ok, names.Replace(why), nil
}

// destination parses a destination outside the groups: "internet" or a
// CIDR block.
func destination(to string) (netip.Prefix, bool) {
	if to == "internet" {
		return netip.MustParsePrefix("0.0.0.0/0"), true
	}
	p, err := netip.ParsePrefix(to)
	return p.Masked(), err == nil
}

// members returns the subnets of the resources that use group, sorted,
// and the ephemeral range they open connections from: BalancerEphemeral
// when a load balancer uses the group, Options.Ephemeral otherwise.
func (d *Driver) members(group string) ([]*entry, netplan.PortRange) {
	eph := cmp.Or(d.opts.Ephemeral, netplan.DefaultEphemeral)
	seen := map[string]bool{}
	var subnets []*entry
	for _, e := range d.res {
		ops := kinds[e.kind]
		if ops.groups == nil || !slices.Contains(ops.groups(&e.res), blueprint.Ref(group)) {
			continue
		}
		if e.kind == blueprint.KindLoadBalancer {
			eph = netplan.BalancerEphemeral
		}
		for _, s := range refs(ops.subnets, &e.res) {
			if sub, ok := d.res[string(s)]; ok && !seen[sub.id] {
				seen[sub.id] = true
				subnets = append(subnets, sub)
			}
		}
	}
	slices.SortFunc(subnets, func(a, b *entry) int { return compareIDs(a.id, b.id) })
	return subnets, eph
}

// aclOf returns the network ACL that guards subnet, or nil: the Net's
// default ACL, which allows everything.
func (d *Driver) aclOf(subnet string) *entry {
	for _, e := range d.keyed(blueprint.KindNetworkACL, subnetKey(blueprint.Ref(subnet)), nil) {
		return e
	}
	return nil
}

// hop is one crossing of a network ACL: the subnet, the direction, the
// traffic and the peer on the other side.
type hop struct {
	subnet *entry
	egress bool
	proto  netplan.Protocol
	ports  netplan.PortRange
	peer   netip.Prefix
	what   string
}

// passes reports whether the ACL of h's subnet lets h's traffic through,
// and if not, why.
func (d *Driver) passes(h hop) (bool, string) {
	acl := d.aclOf(h.subnet.id)
	if acl == nil {
		return true, ""
	}
	es, dir := acl.res.NetworkACL.Inbound, "inbound"
	if h.egress {
		es, dir = acl.res.NetworkACL.Outbound, "outbound"
	}
	ok, blocked := aclDecides(es, h.proto, h.ports, h.peer)
	if ok {
		return true, ""
	}
	return false, fmt.Sprintf("network ACL %s of subnet %s drops %s %s %s %s (%s): %s",
		acl.id, h.subnet.id, dir, protoPorts(h.proto, h.ports), map[bool]string{false: "from", true: "to"}[h.egress], h.peer, h.what, blocked)
}

func protoPorts(p netplan.Protocol, r netplan.PortRange) string {
	if r.IsZero() {
		return string(p)
	}
	return string(p) + "/" + r.String()
}

// aclDecides evaluates the entries of one direction for proto on every
// port of ports and peer: for each port, the matching entry of lowest
// number decides; an entry matches when its protocol covers proto, its
// ports hold the port and its block holds the whole peer. It returns
// false and the deciding entry (or the implicit deny) when one port is
// dropped.
func aclDecides(entries []blueprint.ACLEntrySpec, proto netplan.Protocol, ports netplan.PortRange, peer netip.Prefix) (bool, string) {
	es := slices.Clone(entries)
	slices.SortFunc(es, blueprint.CompareEntries)
	cuts := []int{int(ports.From), int(ports.To) + 1}
	for _, e := range es {
		for _, c := range []int{int(e.FromPort), int(e.ToPort) + 1} {
			if c > int(ports.From) && c <= int(ports.To) {
				cuts = append(cuts, c)
			}
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	for i := 0; i+1 < len(cuts); i++ {
		port := uint16(cuts[i])
		decided := false
		for _, e := range es {
			if !entryMatches(e, proto, port, peer) {
				continue
			}
			if !e.Allow {
				return false, e.String()
			}
			decided = true
			break
		}
		if !decided {
			return false, "no entry matches (the final deny *)"
		}
	}
	return true, ""
}

func entryMatches(e blueprint.ACLEntrySpec, proto netplan.Protocol, port uint16, peer netip.Prefix) bool {
	if !e.CIDR.IsValid() || e.CIDR.Addr().Is4() != peer.Addr().Is4() || e.CIDR.Bits() > peer.Bits() || !e.CIDR.Contains(peer.Addr()) {
		return false
	}
	switch e.Protocol {
	case netplan.ProtocolAll:
		return true
	case proto:
		return !proto.HasPorts() || e.FromPort <= port && port <= e.ToPort
	}
	return false
}

// betweenSubnets checks the ACLs of every pair of a subnet of from's
// members and a subnet of to's, both ways.
func (d *Driver) betweenSubnets(from, to string, proto netplan.Protocol, port uint16) (bool, string) {
	src, eph := d.members(from)
	dst, _ := d.members(to)
	ports := netplan.Port(port)
	if !proto.HasPorts() {
		ports, eph = netplan.PortRange{}, netplan.PortRange{}
	}
	for _, s := range src {
		for _, t := range dst {
			if s == t {
				continue // inside one subnet: no ACL on the way
			}
			sp, tp := s.res.Subnet.CIDR, t.res.Subnet.CIDR
			for _, h := range []hop{
				{s, true, proto, ports, tp, "the request leaves the source subnet"},
				{t, false, proto, ports, sp, "the request enters the destination subnet"},
				{t, true, proto, eph, sp, "the replies leave, to the client's ephemeral ports"},
				{s, false, proto, eph, tp, "the replies come back"},
			} {
				if ok, why := d.passes(h); !ok {
					return false, why
				}
			}
		}
	}
	return true, ""
}

// egress checks a connection from the members of group from to dest,
// outside the groups, through the routes, the NAT gateways and the ACLs.
func (d *Driver) egress(from string, dest netip.Prefix, proto netplan.Protocol, port uint16) (bool, string) {
	if ok, why := d.sgEgress(from, dest, proto, port); !ok {
		return false, why
	}
	src, eph := d.members(from)
	ports := netplan.Port(port)
	if !proto.HasPorts() {
		ports, eph = netplan.PortRange{}, netplan.PortRange{}
	}
	for _, s := range src {
		hops := []hop{
			{s, true, proto, ports, dest, "the request leaves the source subnet"},
			{s, false, proto, eph, dest, "the replies come back to the client's ephemeral ports"},
		}
		via, why := d.route(s, dest)
		switch {
		case why != "":
			return false, why
		case via != nil:
			nat := netplan.NATEphemeral
			if !proto.HasPorts() {
				nat = netplan.PortRange{}
			}
			sp := s.res.Subnet.CIDR
			hops = append(hops,
				hop{via, false, proto, ports, sp, "the request enters the NAT gateway's subnet"},
				hop{via, true, proto, ports, dest, "the NAT gateway sends the request out"},
				hop{via, false, proto, nat, dest, "the replies come back to the NAT gateway's ports"},
				hop{via, true, proto, eph, sp, "the NAT gateway sends the replies to the client's ephemeral ports"})
		}
		for _, h := range hops {
			if ok, why := d.passes(h); !ok {
				return false, why
			}
		}
	}
	return true, ""
}

// sgEgress checks that the outbound rules of group let proto/port out to
// the whole of dest.
func (d *Driver) sgEgress(group string, dest netip.Prefix, proto netplan.Protocol, port uint16) (bool, string) {
	rs := d.rulesOf(group)
	if rs == nil {
		return true, "" // a new group's default: all egress
	}
	for _, r := range rs.Outbound {
		if ruleMatches(r, proto, port) && r.CIDR.IsValid() && r.CIDR.Addr().Is4() == dest.Addr().Is4() &&
			r.CIDR.Bits() <= dest.Bits() && r.CIDR.Contains(dest.Addr()) {
			return true, ""
		}
	}
	return false, fmt.Sprintf("no outbound rule of %s lets %s/%d out to %s", group, proto, port, dest)
}

// route finds how subnet s reaches dest: directly through the internet
// gateway (nil via; s must give its instances public IPs) or through a
// VPN gateway (nil via; a VPN connection on it must carry dest) or a VPN
// appliance (nil via; its tunnel must carry dest, its check be off), or
// through a NAT gateway, whose subnet it returns (and which must itself
// route dest to the internet gateway). A destination inside the Net takes
// the local route (nil via).
func (d *Driver) route(s *entry, dest netip.Prefix) (via *entry, why string) {
	if n, ok := d.res[string(s.res.Subnet.Net)]; ok && n.res.Net.CIDR.Overlaps(dest) && n.res.Net.CIDR.Bits() <= dest.Bits() {
		return nil, ""
	}
	r, ok := d.routeOf(s.id, dest)
	switch {
	case !ok:
		return nil, fmt.Sprintf("the route table of subnet %s has no route to %s", s.id, dest)
	case r.TargetKind == netplan.TargetInternetGateway:
		if !s.res.Subnet.Public {
			return nil, fmt.Sprintf("subnet %s routes %s to the internet gateway but gives its instances no public IP", s.id, dest)
		}
		return nil, ""
	case r.TargetKind == netplan.TargetVPNGateway:
		return nil, d.vpnCarries(s.id, r.Target, dest)
	case r.TargetKind == netplan.TargetVPNAppliance:
		return nil, d.applianceCarries(s.id, r.Target, dest)
	}
	nat, ok := d.res[string(r.Target)]
	if !ok || nat.kind != blueprint.KindNATGateway {
		return nil, fmt.Sprintf("subnet %s routes %s to %s, which is not a NAT gateway", s.id, dest, r.Target)
	}
	ns, ok := d.res[string(nat.res.NATGateway.Subnet)]
	if !ok {
		return nil, fmt.Sprintf("NAT gateway %s has no subnet", nat.id)
	}
	if nr, ok := d.routeOf(ns.id, dest); !ok || nr.TargetKind != netplan.TargetInternetGateway {
		return nil, fmt.Sprintf("the NAT gateway's subnet %s does not route %s to the internet gateway", ns.id, dest)
	}
	return ns, ""
}

// routeOf returns the route of subnet's route table that carries dest:
// the longest destination that holds it.
func (d *Driver) routeOf(subnet string, dest netip.Prefix) (blueprint.RouteSpec, bool) {
	var best blueprint.RouteSpec
	found := false
	for _, e := range d.keyed(blueprint.KindRouteTable, subnetKey(blueprint.Ref(subnet)), nil) {
		for _, r := range e.res.RouteTable.Routes {
			if r.Destination.Bits() <= dest.Bits() && r.Destination.Contains(dest.Addr()) && (!found || r.Destination.Bits() > best.Destination.Bits()) {
				best, found = r, true
			}
		}
	}
	return best, found
}
