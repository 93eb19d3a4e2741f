package provider

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// This file holds the preflight checks of the network pieces: Nets,
// subnets, gateways, route tables, security groups and network ACLs.

// nets checks each Net's range against the profile (Profile.CheckNet):
// prefix bounds and, on a cloud that has the rule, a private range.
func (c *checker) nets() {
	for _, r := range c.ofKind(blueprint.KindNet) {
		p := r.Net.CIDR
		if !p.IsValid() || p.Masked() != p {
			continue // Resource.Check said so
		}
		if err := c.prof.CheckNet(p); err != nil {
			c.add(r.ID, driver.Invalid, "net.cidr", p.String()+": "+problemOf(err)+" (profile "+c.prof.Name+", NetPrefix and PrivateNets)", fixOf(err))
		}
	}
}

// problemOf and fixOf split a netplan.FieldError's message.
func problemOf(err error) string {
	if fe, ok := err.(*netplan.FieldError); ok {
		return fe.Problem
	}
	return err.Error()
}

func fixOf(err error) string {
	if fe, ok := err.(*netplan.FieldError); ok {
		return fe.Fix
	}
	return ""
}

// subnets checks each subnet: in its Net's range, within the profile's
// bounds, overlapping no other subnet of the Net, with usable addresses
// once the reserved ones are taken out.
func (c *checker) subnets() {
	seen := map[string][]*blueprint.Resource{} // net -> subnets so far
	overlaps := c.netsWithOverlaps()
	for _, r := range c.ofKind(blueprint.KindSubnet) {
		s := r.Subnet
		n := c.ref(r, "subnet.net", s.Net, blueprint.KindNet)
		if !s.CIDR.IsValid() || s.CIDR.Masked() != s.CIDR {
			continue
		}
		if err := c.prof.CheckSubnet(s.CIDR); err != nil {
			c.add(r.ID, driver.Invalid, "subnet.cidr", s.CIDR.String()+": "+problemOf(err)+" (profile "+c.prof.Name+", SubnetPrefix)", fixOf(err))
		} else if c.prof.Usable(s.CIDR) == 0 {
			c.add(r.ID, driver.Invalid, "subnet.cidr", fmt.Sprintf("%s: no usable address once the %d reserved ones are out (profile %s, Reserved)", s.CIDR, c.prof.Reserved.Total(), c.prof.Name),
				"use a larger block")
		}
		if n == nil {
			continue
		}
		np := n.Net.CIDR
		if np.IsValid() && (!np.Contains(s.CIDR.Addr()) || s.CIDR.Bits() < np.Bits()) {
			c.add(r.ID, driver.Invalid, "subnet.cidr", fmt.Sprintf("%s: not inside net %s (%s)", s.CIDR, n.ID, np), "pick a range inside the net")
		}
		for _, o := range seen[n.ID] {
			if overlaps[n.ID] && o.Subnet.CIDR.Overlaps(s.CIDR) { // pairs are compared only where one overlaps
				c.add(r.ID, driver.Invalid, "subnet.cidr", fmt.Sprintf("%s: overlaps %s (%s)", s.CIDR, o.ID, o.Subnet.CIDR), "pick a free range")
			}
		}
		seen[n.ID] = append(seen[n.ID], r)
	}
	for net, subnets := range seen {
		c.quota(net, "", len(subnets), c.prof.Quotas.SubnetsPerNet, "subnets", "SubnetsPerNet", "use fewer subnets or raise the quota in the profile")
	}
}

// netsWithOverlaps returns the ids of the Nets in which two subnets
// overlap, found in one sweep of each Net's ranges in address order (a
// range overlaps an earlier one if it starts before the furthest end seen),
// so that the pairs are compared only in those Nets: the check is
// O(n log n) in the subnets, not quadratic.
func (c *checker) netsWithOverlaps() map[string]bool {
	byNet := map[blueprint.Ref][]netip.Prefix{}
	for _, r := range c.ofKind(blueprint.KindSubnet) {
		if p := r.Subnet.CIDR; p.IsValid() && p.Masked() == p {
			byNet[r.Subnet.Net] = append(byNet[r.Subnet.Net], p)
		}
	}
	out := map[string]bool{}
	for net, ps := range byNet {
		slices.SortFunc(ps, func(a, b netip.Prefix) int { return cmp.Or(a.Addr().Compare(b.Addr()), a.Bits()-b.Bits()) })
		var far netip.Addr // the furthest last address of the ranges so far, of one family
		for _, p := range ps {
			if far.IsValid() && far.Is4() == p.Addr().Is4() && far.Compare(p.Addr()) >= 0 {
				out[string(net)] = true
				break
			}
			if last := lastAddr(p); !far.IsValid() || far.Is4() != last.Is4() || last.Compare(far) > 0 {
				far = last
			}
		}
	}
	return out
}

// lastAddr returns the last address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As16()
	from := p.Bits()
	if p.Addr().Is4() {
		from += 96
	}
	for i := from; i < 128; i++ {
		a[i/8] |= 1 << (7 - i%8)
	}
	last := netip.AddrFrom16(a)
	if p.Addr().Is4() {
		last = last.Unmap()
	}
	return last
}

// gateways checks internet gateways (one per Net), public IPs (one NAT
// gateway each) and NAT gateways (a public subnet's zone, a Net with an
// internet gateway).
func (c *checker) gateways() {
	igw := map[string]string{} // net -> gateway
	for _, r := range c.ofKind(blueprint.KindInternetGateway) {
		n := c.ref(r, "internet_gateway.net", r.InternetGateway.Net, blueprint.KindNet)
		if n == nil {
			continue
		}
		if other, dup := igw[n.ID]; dup {
			c.add(r.ID, driver.Invalid, "internet_gateway.net", fmt.Sprintf("net %s already has internet gateway %s (Resource.AlreadyAssociated)", n.ID, other), "keep one gateway per net")
		}
		igw[n.ID] = r.ID
	}
	ipUser := map[blueprint.Ref]string{}
	for _, r := range c.ofKind(blueprint.KindNATGateway) {
		s := r.NATGateway
		sub := c.ref(r, "nat_gateway.subnet", s.Subnet, blueprint.KindSubnet)
		c.ref(r, "nat_gateway.public_ip", s.PublicIP, blueprint.KindPublicIP)
		if other, dup := ipUser[s.PublicIP]; dup && s.PublicIP != "" {
			c.add(r.ID, driver.Invalid, "nat_gateway.public_ip", fmt.Sprintf("%s already serves %s", s.PublicIP, other), "give each NAT gateway its own public IP")
		}
		ipUser[s.PublicIP] = r.ID
		if sub == nil {
			continue
		}
		net := c.netOf(sub)
		c.sameNet(r, "nat_gateway.internet_gateway", c.ref(r, "nat_gateway.internet_gateway", s.InternetGateway, blueprint.KindInternetGateway), net)
		c.sameNet(r, "nat_gateway.public_route", c.ref(r, "nat_gateway.public_route", s.PublicRoute, blueprint.KindRouteTable), net)
		if _, ok := igw[net]; !ok && net != "" {
			c.add(r.ID, driver.Invalid, "nat_gateway.subnet", fmt.Sprintf("net %s has no internet gateway", net), "add one: a NAT gateway reaches the internet through it")
		}
		if s.Zone != "" && s.Zone != sub.Subnet.Zone {
			c.add(r.ID, driver.Invalid, "nat_gateway.zone", fmt.Sprintf("%q: subnet %s is in zone %s", s.Zone, sub.ID, sub.Subnet.Zone), "use the subnet's zone")
		}
	}
}

// peerings checks each side of a Net peering: its Net exists, the peer
// Net's range does not overlap it (AWS fails such a connection,
// "Overlapping CIDR range"; OUTSCALE's Net peering goes to the state
// failed), and a Net is peered to another once.
func (c *checker) peerings() {
	seen := map[[3]string]string{}
	for _, r := range c.ofKind(blueprint.KindNetPeering) {
		s := r.NetPeering
		n := c.ref(r, "net_peering.net", s.Net, blueprint.KindNet)
		if n != nil && s.PeerCIDR.IsValid() && n.Net.CIDR.IsValid() && n.Net.CIDR.Overlaps(s.PeerCIDR) {
			c.add(r.ID, driver.Invalid, "net_peering.peer_cidr", fmt.Sprintf("%s overlaps net %s (%s): the clouds fail a peering of overlapping Nets", s.PeerCIDR, n.ID, n.Net.CIDR),
				"give the Nets disjoint ranges (pattern.MultiRegion carves them from one supernet)")
		}
		k := [3]string{string(s.Net), s.PeerRegion, s.PeerNet}
		if other, dup := seen[k]; dup {
			c.add(r.ID, driver.Invalid, "net_peering", fmt.Sprintf("net %s is already peered to %s in %s by %s", s.Net, s.PeerNet, s.PeerRegion, other), "link two Nets once: a connection works both ways")
		}
		seen[k] = r.ID
	}
}

// routeTables checks that each table's subnet is in its Net and has no
// other table, that its targets are gateways of that Net, and the quotas
// of tables per Net (the main one included) and routes per table.
func (c *checker) routeTables() {
	owner := map[blueprint.Ref]string{}
	perNet := map[string]int{}
	for _, r := range c.ofKind(blueprint.KindRouteTable) {
		s := r.RouteTable
		n := c.ref(r, "route_table.net", s.Net, blueprint.KindNet)
		c.sameNet(r, "route_table.subnet", c.ref(r, "route_table.subnet", s.Subnet, blueprint.KindSubnet), string(s.Net))
		if other, dup := owner[s.Subnet]; dup && s.Subnet != "" {
			c.add(r.ID, driver.Invalid, "route_table.subnet", fmt.Sprintf("%s is already associated with %s", s.Subnet, other), "give each subnet one route table")
		}
		owner[s.Subnet] = r.ID
		for i, rt := range s.Routes {
			want, _ := blueprint.RouteTargetKind(rt.TargetKind)
			f := fmt.Sprintf("route_table.routes[%d].target", i)
			c.sameNet(r, f, c.ref(r, f, rt.Target, want), string(s.Net))
		}
		c.quota(r.ID, "route_table.routes", len(s.Routes), c.prof.Quotas.RoutesPerTable, "routes", "RoutesPerTable", "merge destinations into larger blocks")
		if n != nil {
			perNet[n.ID]++
		}
	}
	for net, n := range perNet {
		c.quota(net, "", n+1, c.prof.Quotas.RouteTablesPerNet, "route tables with the main one", "RouteTablesPerNet", "use fewer subnets or raise the quota in the profile")
	}
}

// groups checks security groups (a unique name in their Net, the quota of
// groups per Net with the default one) and rule sets (one per group,
// groups of the same Net, the quota of rules per direction).
func (c *checker) groups() {
	names := map[string]string{} // net + name -> group
	perNet := map[string]int{}
	for _, r := range c.ofKind(blueprint.KindSecurityGroup) {
		s := r.SecurityGroup
		if c.ref(r, "security_group.net", s.Net, blueprint.KindNet) == nil {
			continue
		}
		key := string(s.Net) + "\x00" + s.Name
		if other, dup := names[key]; dup {
			c.add(r.ID, driver.Invalid, "security_group.name", fmt.Sprintf("%q: %s has that name in net %s (InvalidGroup.Duplicate)", s.Name, other, s.Net), "give each group its own name")
		}
		names[key] = r.ID
		perNet[string(s.Net)]++
	}
	for net, n := range perNet {
		c.quota(net, "", n+1, c.prof.Quotas.GroupsPerNet, "security groups with the default one", "GroupsPerNet", "merge tiers or raise the quota in the profile")
	}
	sets := map[blueprint.Ref]string{}
	q := c.prof.Quotas
	for _, r := range c.ofKind(blueprint.KindSecurityGroupRules) {
		s := r.SecurityGroupRules
		g := c.ref(r, "security_group_rules.group", s.Group, blueprint.KindSecurityGroup)
		if other, dup := sets[s.Group]; dup && s.Group != "" {
			c.add(r.ID, driver.Invalid, "security_group_rules.group", fmt.Sprintf("%s already has rule set %s", s.Group, other), "keep one rule set per group")
		}
		sets[s.Group] = r.ID
		c.quota(r.ID, "security_group_rules.inbound", len(s.Inbound), q.InboundRulesPerGroup, "inbound rules", "InboundRulesPerGroup", "merge port ranges or CIDR blocks")
		c.quota(r.ID, "security_group_rules.outbound", len(s.Outbound), q.OutboundRulesPerGroup, "outbound rules", "OutboundRulesPerGroup", "merge port ranges or CIDR blocks")
		if g == nil {
			continue
		}
		for dir, rules := range map[string][]blueprint.RuleSpec{"inbound": s.Inbound, "outbound": s.Outbound} {
			for i, rule := range rules {
				f := fmt.Sprintf("security_group_rules.%s[%d].group", dir, i)
				c.sameNet(r, f, c.ref(r, f, rule.Group, blueprint.KindSecurityGroup), string(g.SecurityGroup.Net))
			}
		}
	}
}

// networkACLs checks that each network ACL guards subnets of its Net that
// no other ACL guards, the quota of entries per direction (the implicit
// deny included) and of ACLs per Net (the default one included).
func (c *checker) networkACLs() {
	guard := map[blueprint.Ref]string{}
	perNet := map[string]int{}
	for _, r := range c.ofKind(blueprint.KindNetworkACL) {
		s := r.NetworkACL
		if c.ref(r, "network_acl.net", s.Net, blueprint.KindNet) != nil {
			perNet[string(s.Net)]++
		}
		for i, ref := range s.Subnets {
			f := fmt.Sprintf("network_acl.subnets[%d]", i)
			c.sameNet(r, f, c.ref(r, f, ref, blueprint.KindSubnet), string(s.Net))
			if other, dup := guard[ref]; dup {
				c.add(r.ID, driver.Invalid, f, fmt.Sprintf("%s is already guarded by %s", ref, other), "give each subnet one network ACL")
			}
			guard[ref] = r.ID
		}
		q := c.prof.Quotas.RulesPerACL
		c.quota(r.ID, "network_acl.inbound", len(s.Inbound)+1, q, "inbound entries with the implicit deny", "RulesPerACL", "merge CIDR blocks or port ranges")
		c.quota(r.ID, "network_acl.outbound", len(s.Outbound)+1, q, "outbound entries with the implicit deny", "RulesPerACL", "merge CIDR blocks or port ranges")
	}
	for net, n := range perNet {
		c.quota(net, "", n+1, c.prof.Quotas.ACLsPerNet, "network ACLs with the default one", "ACLsPerNet", "use fewer tiers or raise the quota in the profile")
	}
}

// subnetGroup checks the subnets of a service: of one Net, one per zone
// when zones must be distinct, over at least minZones zones. It returns
// the Net.
func (c *checker) subnetGroup(r *blueprint.Resource, field string, refs []blueprint.Ref, minZones int) string {
	net := ""
	zones := map[string]bool{}
	for i, ref := range refs {
		f := fmt.Sprintf("%s[%d]", field, i)
		s := c.ref(r, f, ref, blueprint.KindSubnet)
		if s == nil {
			continue
		}
		if n := c.netOf(s); net == "" {
			net = n
		} else if n != net {
			c.add(r.ID, driver.Invalid, f, fmt.Sprintf("%s is in net %s, not %s", ref, n, net), "use subnets of one net")
		}
		if zones[s.Subnet.Zone] && minZones > 1 {
			c.add(r.ID, driver.Invalid, f, fmt.Sprintf("two subnets in zone %s", s.Subnet.Zone), "give one subnet per zone")
		}
		zones[s.Subnet.Zone] = true
		if b := c.prof.BalancerSubnetMax; r.Kind == blueprint.KindLoadBalancer && b > 0 && s.Subnet.CIDR.Addr().Is4() && s.Subnet.CIDR.Bits() > b {
			c.add(r.ID, driver.Invalid, f, fmt.Sprintf("%s (%s) is smaller than /%d, the smallest subnet a load balancer takes (profile %s, BalancerSubnetMax)", ref, s.Subnet.CIDR, b, c.prof.Name),
				fmt.Sprintf("give the balancer's tier /%d subnets or larger", b))
		}
	}
	if len(refs) > 0 && len(zones) < minZones {
		c.add(r.ID, driver.Invalid, field, fmt.Sprintf("%d zone(s); the subnets must cover at least %d zones", len(zones), minZones), "add a subnet in another zone")
	}
	return net
}

// groupsOf checks the security groups of a service: of its Net, and no
// more than the quota per network interface.
func (c *checker) groupsOf(r *blueprint.Resource, field string, refs []blueprint.Ref, net string) {
	c.quota(r.ID, field, len(refs), c.prof.Quotas.GroupsPerInterface, "security groups", "GroupsPerInterface", "use fewer groups")
	for i, ref := range refs {
		f := fmt.Sprintf("%s[%d]", field, i)
		c.sameNet(r, f, c.ref(r, f, ref, blueprint.KindSecurityGroup), net)
	}
}
