package netplan

// Bounds is an inclusive range of prefix lengths. Min is the shortest prefix
// (the largest block) that is allowed and Max the longest (the smallest
// block): AWS allows VPCs from /16 (Min) to /28 (Max).
// The zero value allows no prefix at all; use [Bounds.Contains] to check.
type Bounds struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// Contains reports whether bits lies within b.
func (b Bounds) Contains(bits int) bool { return bits >= b.Min && bits <= b.Max }

// Reserved says how many addresses a cloud keeps for itself in every subnet:
// Head at its start and Tail at its end. AWS keeps the network address, the
// VPC router, the DNS server and one for future use (Head 4) and the
// broadcast address (Tail 1).
type Reserved struct {
	Head int `json:"head"`
	Tail int `json:"tail"`
}

// Total returns Head + Tail.
func (r Reserved) Total() int { return r.Head + r.Tail }

// Quotas are the per-resource limits that planning checks before any cloud
// call. A zero field means "no limit known".
type Quotas struct {
	// InboundRulesPerGroup and OutboundRulesPerGroup limit the rules of one
	// security group per direction, counted the way the cloud counts them
	// (one per source CIDR or source group).
	InboundRulesPerGroup  int `json:"inbound_rules_per_group,omitempty"`
	OutboundRulesPerGroup int `json:"outbound_rules_per_group,omitempty"`
	// GroupsPerInterface limits the security groups on one network interface.
	GroupsPerInterface int `json:"groups_per_interface,omitempty"`
	// GroupsPerNet limits the security groups of one Net, the Net's
	// default group included.
	GroupsPerNet int `json:"groups_per_net,omitempty"`
	// RulesPerACL limits the entries of a stateless firewall per direction,
	// the implicit final deny-all (AWS's entry 32767) included: with 20, a
	// direction holds 19 numbered entries.
	RulesPerACL int `json:"rules_per_acl,omitempty"`
	// SubnetsPerNet limits the subnets of one Net.
	SubnetsPerNet int `json:"subnets_per_net,omitempty"`
	// NATsPerZone limits the NAT gateways in one zone.
	NATsPerZone int `json:"nats_per_zone,omitempty"`
	// RouteTablesPerNet limits the route tables of one Net, the Net's main
	// table included: with 200, a Net holds 199 tables of its own.
	RouteTablesPerNet int `json:"route_tables_per_net,omitempty"`
	// RoutesPerTable limits the routes of one route table (the local route
	// aside).
	RoutesPerTable int `json:"routes_per_table,omitempty"`
	// ACLsPerNet limits the stateless firewalls of one Net, the Net's
	// default one included.
	ACLsPerNet int `json:"acls_per_net,omitempty"`
	// NetsPerRegion limits the Nets of an account in one region.
	NetsPerRegion int `json:"nets_per_region,omitempty"`
	// PublicIPsPerRegion limits the public IPs (AWS Elastic IPs) of an
	// account in one region: one per NAT gateway.
	PublicIPsPerRegion int `json:"public_ips_per_region,omitempty"`
	// LoadBalancersPerRegion limits the load balancers of an account in one
	// region, and ListenersPerBalancer the listeners of one of them.
	LoadBalancersPerRegion int `json:"load_balancers_per_region,omitempty"`
	ListenersPerBalancer   int `json:"listeners_per_balancer,omitempty"`
	// DatabasesPerRegion limits the managed database instances of an
	// account in one region, read replicas included.
	DatabasesPerRegion int `json:"databases_per_region,omitempty"`
}

// Profile describes what a cloud allows, as data: prefix bounds, reserved
// addresses and quotas. Planning and rule derivation take a Profile instead
// of branching on the provider's name.
type Profile struct {
	// Name identifies the profile: "aws", "outscale" or "generic".
	Name string `json:"name"`
	// NetPrefix and SubnetPrefix bound the IPv4 prefix lengths of a Net and
	// of a subnet; NetPrefix6 and SubnetPrefix6 do the same for IPv6.
	NetPrefix     Bounds `json:"net_prefix"`
	SubnetPrefix  Bounds `json:"subnet_prefix"`
	NetPrefix6    Bounds `json:"net_prefix6"`
	SubnetPrefix6 Bounds `json:"subnet_prefix6"`
	// Reserved is the count of addresses the cloud keeps in each subnet.
	Reserved Reserved `json:"reserved"`
	// StatelessFirewall reports whether the cloud has a stateless,
	// subnet-level firewall (AWS network ACLs). OUTSCALE has none.
	StatelessFirewall bool `json:"stateless_firewall"`
	// BalancerSubnetMax is the longest prefix a load balancer's subnet may
	// have (the smallest block); 0: no limit. AWS: /27, with at least 8
	// free addresses.
	BalancerSubnetMax int `json:"balancer_subnet_max,omitempty"`
	// PrivateNets reports whether a Net's range must lie in the private
	// (RFC 1918) ranges 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, as on
	// OUTSCALE.
	PrivateNets bool `json:"private_nets,omitempty"`
	// Quotas are the default limits of a new account.
	Quotas Quotas `json:"quotas"`
}
