package netplan

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
)

// Exposure says how a tier's subnets reach the internet, and so which
// layer of an n-tier design the tier is in.
//
// The zero value is [Isolated], the safest: no default route at all.
type Exposure uint8

const (
	// Isolated subnets have no default route: only the Net's local route
	// (databases).
	Isolated Exposure = iota
	// Private subnets send 0.0.0.0/0 to a NAT: they can open connections
	// to the internet but cannot be reached from it (application servers).
	Private
	// Public subnets send 0.0.0.0/0 to the internet gateway (web fronts,
	// load balancers, bastions).
	Public
)

var exposureNames = [...]string{"isolated", "private", "public"}

// String returns "isolated", "private" or "public".
func (e Exposure) String() string {
	if int(e) < len(exposureNames) {
		return exposureNames[e]
	}
	return fmt.Sprintf("Exposure(%d)", uint8(e))
}

// MarshalText implements [encoding.TextMarshaler].
func (e Exposure) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (e *Exposure) UnmarshalText(b []byte) error {
	return unmarshalEnum(b, exposureNames[:], (*uint8)(e), "exposure")
}

func unmarshalEnum(b []byte, names []string, dst *uint8, field string) error {
	i := slices.Index(names, string(b))
	if i < 0 {
		return fmt.Errorf("netplan: %s: %q: unknown value; use one of %s", field, b, strings.Join(names, ", "))
	}
	*dst = uint8(i)
	return nil
}

// Subnet is one subnet of a tier: a zone and a block inside the Net.
type Subnet struct {
	Zone   string       `json:"zone"`
	Prefix netip.Prefix `json:"prefix"`
}

// Group is a tier's network view: its name (also the name of its security
// group and network ACL), its exposure and its subnets, one per zone
// usually. In the zones seed a zone is a subnet is a group.
type Group struct {
	Name     string   `json:"name"`
	Exposure Exposure `json:"exposure"`
	Subnets  []Subnet `json:"subnets"`
}

// Topology is what rule derivation reads: the Net, its zones, the tiers
// with their subnets, the load balancers, the flows between them and the
// named peer networks.
type Topology struct {
	Net   netip.Prefix `json:"net"`
	Zones []string     `json:"zones,omitempty"`
	// Groups are the tiers, in the order rules are emitted.
	Groups []Group `json:"groups"`
	// Balancers are the load balancers. Each has a security group of its
	// own, named like it, after the tiers' groups; a flow names one with
	// [Tier](name), and its traffic crosses the network ACL of the tier
	// whose subnets hold it (see [Balancer]).
	Balancers []Balancer `json:"balancers,omitempty"`
	Flows     []Flow     `json:"flows"`
	// Peers maps a peer name (used as "peer:<name>" in flows) to its blocks.
	Peers map[string][]netip.Prefix `json:"peers,omitempty"`
	// VPNs names the peers reached through the Net's VPN gateway (an AWS
	// virtual private gateway, an OUTSCALE virtual gateway) and a
	// site-to-site VPN connection. The route table of every subnet of a
	// tier that a flow joins to such a peer sends the peer's blocks to the
	// gateway ([TargetVPNGateway]); [Rules.CanReach] follows that route.
	// A flow to or from a peer that is not listed has no route: finding
	// NP013, and CanReach blocks it at the route. The blocks of a VPN peer
	// are IPv4 (the gateways carry IPv4 only), outside the Net and
	// disjoint from the other VPN peers' (a route table holds one route
	// per destination).
	VPNs []string `json:"vpns,omitempty"`
	// Peerings maps a peer reached through a Net peering connection (AWS
	// VPC peering, inter-region included; OUTSCALE Net peering, within a
	// region) to the connection's name: the peer is then another Net,
	// and the route table of every subnet of a tier that a flow joins to
	// it sends the peer's blocks to the connection ([TargetNetPeering]);
	// [Rules.CanReach] follows that route. The blocks are IPv4, outside
	// the Net (peered Nets must not overlap) and disjoint from the other
	// routed peers'. A peer is a VPN peer or a peering peer, not both.
	Peerings map[string]string `json:"peerings,omitempty"`
	// VPNLinks names the connections of Peerings that are links over a
	// VPN (an IPsec tunnel between one Net's VPN gateway and an appliance
	// VM in the other Net) rather than Net peerings: they route the same
	// way, and [Rules.CanReach] names them as what they are.
	VPNLinks []string `json:"vpn_links,omitempty"`
	// Services are the Net's endpoints to the cloud's own services, one
	// per service (see [ServiceEndpoint]).
	Services []ServiceEndpoint `json:"services,omitempty"`
}

// SourceMode says how an inbound security-group rule names a tier source.
type SourceMode uint8

const (
	// SourceGroup (the default) names the source tier's security group, as
	// seeds 000 and 003 do: the rule follows the instances, whatever their
	// addresses.
	SourceGroup SourceMode = iota
	// SourceCIDR names the source tier's subnet CIDRs instead.
	SourceCIDR
)

// EgressMode says which outbound security-group rules are derived.
type EgressMode uint8

const (
	// EgressLeastPrivilege (the default) derives one outbound rule per
	// flow leaving a tier, and nothing else: "web -> app tcp/8080" gives
	// web an outbound rule to app's group on 8080. This is the default
	// because archkit is secure by default: a compromised web server
	// cannot open connections the architecture does not declare. It
	// differs from the clouds, whose new security groups allow all egress.
	EgressLeastPrivilege EgressMode = iota
	// EgressAllowAll gives every group the cloud's usual single outbound
	// rule, all protocols to 0.0.0.0/0 (and ::/0 in an IPv6 Net).
	EgressAllowAll
)

// NATMode says where the NAT gateways of Private tiers are.
type NATMode uint8

const (
	// NATPerZone (the default) puts one NAT in every zone that has a
	// Private subnet; each subnet uses the NAT of its own zone, so a zone
	// failure does not cut the others off.
	NATPerZone NATMode = iota
	// NATShared uses a single NAT in the first zone (Topology.Zones[0]):
	// cheaper, but every zone loses egress when that zone fails.
	NATShared
	// NATNone gives Private subnets no default route.
	NATNone
)

// Options tune [Derive]. The zero value is the secure default: group
// sources, least-privilege egress, one NAT per zone, ephemeral ports
// 1024-65535, no SSH from anywhere, no quota check.
type Options struct {
	// Profile supplies the quotas to check and whether the cloud has a
	// stateless firewall. The zero Profile checks no quota and still
	// derives network ACLs (the generic model); a non-zero Profile whose
	// StatelessFirewall is false ([Outscale], [Generic]) derives none,
	// reports finding NP007, and leaves enforcement to the security
	// groups. [AWS] checks its quotas: 60 rules per group and direction,
	// 20 entries per ACL and direction (the deny-all included).
	Profile Profile
	// Sources: SourceGroup (zero) or SourceCIDR.
	Sources SourceMode
	// Egress: EgressLeastPrivilege (zero) or EgressAllowAll.
	Egress EgressMode
	// NAT: NATPerZone (zero), NATShared or NATNone.
	NAT NATMode
	// Ephemeral is the ephemeral (client) port range of the Net's own
	// instances: replies to the connections a tier opens (to another tier,
	// a peer or the internet) come back to it, so the stateless firewalls
	// let it in. Zero means [DefaultEphemeral], 1024-65535, which covers
	// every operating system; narrow it to the system the instances run,
	// such as [LinuxEphemeral] (the ranges, and where they come from, are
	// listed at [DefaultEphemeral]).
	//
	// Replies to clients that are not the Net's instances keep the range
	// those clients use, whatever Ephemeral says, so that narrowing it
	// never breaks a hop: [NATEphemeral] back to a NAT gateway,
	// [BalancerEphemeral] back to a load balancer and [DefaultEphemeral]
	// back to clients outside the Net (their system is unknown, and a NAT
	// in front of them may pick any port). Finding NP011 lists the hops
	// that keep the wide range; NP012 warns about a range that covers no
	// common system's.
	Ephemeral PortRange
	// AllowSSHFromAnywhere turns the SSH-from-anywhere finding from an
	// error into a warning (seed 002 opens SSH to its global admin team).
	AllowSSHFromAnywhere bool
}

func (o Options) ephemeral() PortRange {
	if o.Ephemeral.IsZero() {
		return DefaultEphemeral
	}
	return o.Ephemeral
}

func (o Options) statelessFirewall() bool {
	return o.Profile == (Profile{}) || o.Profile.StatelessFirewall
}

// SGRule is one rule of a security group. Its peer (the source of an
// inbound rule, the destination of an outbound one) is either another
// group, Group (a tier name), or a CIDR, Prefix.
type SGRule struct {
	Protocol Protocol     `json:"protocol"`
	Ports    PortRange    `json:"ports"`
	Group    string       `json:"group,omitempty"`
	Prefix   netip.Prefix `json:"prefix,omitzero"`
	// PrefixList names the cloud service whose managed prefix list is
	// the peer ("s3": AWS com.amazonaws.<region>.s3), for the users of
	// a gateway endpoint ([ServiceEndpoint]); Group and Prefix are then
	// empty.
	PrefixList  string `json:"prefix_list,omitempty"`
	Description string `json:"description,omitempty"`
}

// SecurityGroup is the stateful firewall of one tier or load balancer:
// replies to allowed connections are always allowed, so it lists only the
// connections. Balancer reports whether it guards a load balancer of
// Topology.Balancers rather than a tier.
type SecurityGroup struct {
	Name     string `json:"name"`
	Balancer bool   `json:"balancer,omitempty"`
	// Service is the service of the interface endpoint the group guards
	// ([ServiceEndpoint]); "" for a tier's or a balancer's group.
	Service  string   `json:"service,omitempty"`
	Inbound  []SGRule `json:"inbound"`
	Outbound []SGRule `json:"outbound"`
}

// Action is what an [ACLEntry] does with matching traffic. The zero value
// is [Deny].
type Action uint8

const (
	Deny Action = iota
	Allow
)

var actionNames = [...]string{"deny", "allow"}

// String returns "deny" or "allow".
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return fmt.Sprintf("Action(%d)", uint8(a))
}

// MarshalText implements [encoding.TextMarshaler].
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (a *Action) UnmarshalText(b []byte) error {
	return unmarshalEnum(b, actionNames[:], (*uint8)(a), "action")
}

// Direction is the way traffic crosses a firewall, seen from the subnet.
type Direction uint8

const (
	Inbound Direction = iota
	Outbound
)

// String returns "inbound" or "outbound".
func (d Direction) String() string {
	if d == Outbound {
		return "outbound"
	}
	return "inbound"
}

// ACLEntry is one numbered entry of a stateless firewall. Entries are
// evaluated lowest number first and the first match wins. Prefix is the
// remote side: the source of inbound traffic, the destination of outbound.
type ACLEntry struct {
	Number   int          `json:"number"`
	Action   Action       `json:"action"`
	Protocol Protocol     `json:"protocol"`
	Ports    PortRange    `json:"ports"`
	Prefix   netip.Prefix `json:"prefix"`
}

// ACL is the stateless firewall (network ACL) of one group's subnets. Name
// is the group it guards.
type ACL struct {
	Name     string     `json:"name"`
	Inbound  []ACLEntry `json:"inbound"`
	Outbound []ACLEntry `json:"outbound"`
}

// TargetKind is where a route sends traffic.
type TargetKind uint8

const (
	TargetLocal TargetKind = iota
	TargetInternetGateway
	TargetNATGateway
	// TargetVPNGateway is the Net's VPN gateway, which carries a VPN
	// peer's blocks through the site-to-site VPN connection (see
	// Topology.VPNs).
	TargetVPNGateway
	// TargetNetPeering is a Net peering connection, named by
	// RouteTarget.Peering, which carries the blocks of a peer that is
	// another Net (see Topology.Peerings).
	TargetNetPeering
	// TargetVPNAppliance is the VPN appliance VM of a link between two
	// Nets over a VPN, named by RouteTarget.Peering: the spoke's side of
	// the link, where no VPN gateway ends the tunnel (package pattern:
	// MultiRegion.LinkVPN).
	TargetVPNAppliance
)

var (
	targetNames = [...]string{"local", "internet-gateway", "nat", "vpn-gateway", "net-peering", "vpn-appliance"}
	// targetText is the encoding of a TargetKind: the kind names of the
	// resources a route points to (pattern/blueprint's "internet_gateway"
	// and "nat_gateway"), so that a route reads the same in a netplan
	// Result and in a Blueprint.
	targetText = [...]string{"local", "internet_gateway", "nat_gateway", "vpn_gateway", "net_peering", "vpn_appliance"}
)

// String returns the display form: "local", "internet-gateway", "nat" or
// "vpn-gateway".
func (k TargetKind) String() string {
	if int(k) < len(targetNames) {
		return targetNames[k]
	}
	return fmt.Sprintf("TargetKind(%d)", uint8(k))
}

// MarshalText implements [encoding.TextMarshaler]: "local",
// "internet_gateway", "nat_gateway" or "vpn_gateway".
func (k TargetKind) MarshalText() ([]byte, error) {
	if int(k) < len(targetText) {
		return []byte(targetText[k]), nil
	}
	return nil, fmt.Errorf("netplan: target: %d: unknown value; use one of %s", uint8(k), strings.Join(targetText[:], ", "))
}

// UnmarshalText implements [encoding.TextUnmarshaler]. It takes the text
// of MarshalText, and the display forms of String as written by earlier
// versions ("internet-gateway", "nat").
func (k *TargetKind) UnmarshalText(b []byte) error {
	if i := slices.Index(targetNames[:], string(b)); i >= 0 {
		*k = TargetKind(i)
		return nil
	}
	return unmarshalEnum(b, targetText[:], (*uint8)(k), "target")
}

// RouteTarget is the next hop of a route. Zone is the zone of the NAT for
// TargetNATGateway, empty otherwise.
type RouteTarget struct {
	Kind TargetKind `json:"kind"`
	Zone string     `json:"zone,omitempty"`
	// Peering names the Net peering connection of TargetNetPeering.
	Peering string `json:"peering,omitempty"`
}

// String returns "local", "internet-gateway", "nat(dc1)" or
// "net-peering(eu-west-3-eu-west-1)".
func (t RouteTarget) String() string {
	switch t.Kind {
	case TargetNATGateway:
		return "nat(" + t.Zone + ")"
	case TargetNetPeering:
		return "net-peering(" + t.Peering + ")"
	}
	return t.Kind.String()
}

// Route sends Destination to Target.
type Route struct {
	Destination netip.Prefix `json:"destination"`
	Target      RouteTarget  `json:"target"`
}

// RouteTable is the route table of one subnet: one table per subnet, as
// seed 000 asks ("one route table per Subnet").
type RouteTable struct {
	Group  string  `json:"group"`
	Zone   string  `json:"zone"`
	Routes []Route `json:"routes"`
	// GatewayEndpoints are the services whose gateway endpoint the table
	// routes to: a route from the service's prefix list to the endpoint,
	// which the endpoint adds ([ServiceEndpoint]), sorted.
	GatewayEndpoints []string `json:"gateway_endpoints,omitempty"`
}

// Lookup returns the route that carries traffic to addr: the longest
// prefix that contains it.
func (rt RouteTable) Lookup(addr netip.Addr) (Route, bool) {
	best, found := Route{}, false
	for _, r := range rt.Routes {
		if r.Destination.Contains(addr) && (!found || r.Destination.Bits() > best.Destination.Bits()) {
			best, found = r, true
		}
	}
	return best, found
}

// Rules is everything [Derive] produced: one security group per tier and
// per load balancer, one network ACL per tier, one route table per subnet,
// the NAT gateways and the findings. It is immutable and safe for
// concurrent use; it keeps the topology so that [Rules.CanReach] can
// answer questions.
type Rules struct {
	// Groups are the tiers' security groups in Topology.Groups order, then
	// the load balancers' in Topology.Balancers order, then the interface
	// endpoints' in Topology.Services order.
	Groups      []SecurityGroup `json:"security_groups"`
	ACLs        []ACL           `json:"acls"`
	RouteTables []RouteTable    `json:"route_tables"`
	// NATZones are the zones where a NAT gateway is needed, sorted.
	NATZones []string `json:"nat_zones"`
	// NATs are the NAT gateways of NATZones that have a home, in zone
	// order: each in the subnet of that zone of the first Public tier
	// (Topology.Groups order) with one. A zone without a Public subnet has
	// no NAT here and finding NP006.
	NATs     []NAT     `json:"nats"`
	Findings []Finding `json:"findings"`

	topo    Topology
	opts    Options
	index   map[string]int // group name -> index in topo.Groups, Groups and ACLs
	lbIndex map[string]int // balancer name -> index in topo.Balancers
	epIndex map[string]int // interface endpoint group name -> index in topo.Services
	tables  []int          // group index -> index in RouteTables of its first table
	fams    families
	anyPs   []netip.Prefix // fams.any(), computed once; never modified
}

// families are the address families of the Net.
type families struct{ v4, v6 bool }

func (f families) any() []netip.Prefix {
	var out []netip.Prefix
	if f.v4 {
		out = append(out, netip.PrefixFrom(netip.IPv4Unspecified(), 0))
	}
	if f.v6 {
		out = append(out, netip.PrefixFrom(netip.IPv6Unspecified(), 0))
	}
	return out
}

// cloneTopology copies what a caller could change after Derive, so that
// Rules stays immutable.
func cloneTopology(t Topology) Topology {
	t.Zones = slices.Clone(t.Zones)
	t.Groups = slices.Clone(t.Groups)
	for i := range t.Groups {
		t.Groups[i].Subnets = slices.Clone(t.Groups[i].Subnets)
	}
	t.Balancers = slices.Clone(t.Balancers)
	for i := range t.Balancers {
		t.Balancers[i].Listeners = slices.Clone(t.Balancers[i].Listeners)
	}
	t.VPNs = slices.Clone(t.VPNs)
	t.Peerings = maps.Clone(t.Peerings)
	t.VPNLinks = slices.Clone(t.VPNLinks)
	t.Services = slices.Clone(t.Services)
	for i := range t.Services {
		t.Services[i].Users = slices.Clone(t.Services[i].Users)
	}
	t.Flows = slices.Clone(t.Flows)
	for i := range t.Flows {
		t.Flows[i].From.Prefixes = slices.Clone(t.Flows[i].From.Prefixes)
		t.Flows[i].To.Prefixes = slices.Clone(t.Flows[i].To.Prefixes)
	}
	if t.Peers != nil {
		peers := make(map[string][]netip.Prefix, len(t.Peers))
		for k, v := range t.Peers {
			peers[k] = slices.Clone(v)
		}
		t.Peers = peers
	}
	return t
}

// Topology returns the topology the rules were derived from (a copy taken
// by Derive; the caller must not modify it).
// A nil Rules has the zero Topology.
func (r *Rules) Topology() Topology {
	if r == nil {
		return Topology{}
	}
	return r.topo
}

// Options returns the options the rules were derived with; a nil Rules
// has the zero Options.
func (r *Rules) Options() Options {
	if r == nil {
		return Options{}
	}
	return r.opts
}

// Err returns the findings of severity [SeverityError] joined as errors,
// or nil: a caller that must refuse an insecure plan returns r.Err(). A
// nil Rules is an error: nothing was derived.
func (r *Rules) Err() error {
	if r == nil {
		return fieldErr(ErrInvalid, "rules", "nil", "no rules", "call Derive")
	}
	var errs []error
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			errs = append(errs, errors.New("netplan: "+f.Subject+": "+f.Message+"; "+f.Fix))
		}
	}
	return errors.Join(errs...)
}

// Derive turns a topology into rules. It is pure and deterministic: the
// same input gives the same Rules, in the order of Topology.Groups (then
// Topology.Balancers), with the rules of each group sorted; it does no I/O
// and is safe to call concurrently.
//
// What it derives, per tier:
//   - a security group (stateful): an inbound rule per flow into the tier,
//     naming the source tier's group (SourceGroup) or its subnets
//     (SourceCIDR), and, with EgressLeastPrivilege (the default), an
//     outbound rule per flow out of the tier; with EgressAllowAll a single
//     allow-all outbound rule instead. A flow from a tier to itself ("db
//     -> db tcp/4567", the nodes of a cluster) names the group itself;
//   - a network ACL (stateless): the same flows as numbered allow entries
//     on CIDRs, plus their replies on the client's ephemeral ports (see
//     Options.Ephemeral) in the other direction, then an explicit deny-all
//     (see [ACLStep]); a flow from a tier to itself gives entries between
//     the tier's own subnets, both ways;
//   - transit entries: a NAT gateway and a load balancer sit in a tier's
//     subnets, so their traffic crosses that tier's ACL too. The ACL of
//     the tier that holds a NAT passes exactly the egress of the Private
//     subnets routed to it and the replies (see [NAT]); the ACL of the
//     tier that holds a load balancer passes its listeners' traffic and
//     its traffic to its targets, with the replies (see [Balancer]);
//   - one route table per subnet: the local route for the Net, then for
//     Public subnets 0.0.0.0/0 -> internet gateway, for Private subnets
//     0.0.0.0/0 -> the NAT of their own zone (NATPerZone) or of the first
//     zone (NATShared), for Isolated subnets nothing more;
//   - findings ([Finding]), which never make Derive fail.
//
// Per load balancer of Topology.Balancers, a security group of its own:
// inbound from the sources of the flows that name it, outbound to its
// target tier on the target ports (or allow-all with EgressAllowAll); the
// target tier accepts those ports from the balancer's group, and the
// source tiers may open the listener ports to it.
//
// Rules are cleaned up as a cloud would want them: duplicates removed,
// rules covered by an "all" rule dropped, CIDRs of rules with the same
// protocol and ports merged (10.0.0.0/24 + 10.0.1.0/24 -> 10.0.0.0/23),
// overlapping or adjacent port ranges of rules with the same peer merged
// (80, 81-90 -> 80-90). Options.Profile's quotas are then checked, for
// the balancers' groups as for the tiers'.
//
// Every problem is reported at once (errors joined), each a [*FieldError]
// naming the field and the fix: bad flows wrap [ErrInvalidFlow] (and so
// [ErrInvalid]): "netplan: flows[2].ports: 0-80: port 0 is not allowed;
// use 1-65535"; duplicate tiers and balancers [ErrDuplicate], subnets
// outside the Net [ErrOutOfBounds], overlapping subnets [ErrOverlap],
// other topology problems [ErrInvalid]. Quota overruns name the group and
// by how much: "netplan: security group "front": 61 inbound rules, 1 over
// the aws quota of 60; merge port ranges or use a prefix list".
//
// For "web -> app tcp/8080" in the default options, Derive gives app's
// security group "inbound tcp/8080 from group web", web's "outbound
// tcp/8080 to group app", app's ACL "inbound allow tcp/8080 from web's
// subnets" and "outbound allow tcp/1024-65535 to web's subnets" (the
// replies), and the mirror entries on web's ACL. On error Derive returns a
// nil *Rules.
func Derive(t Topology, opts Options) (*Rules, error) {
	r := &Rules{topo: cloneTopology(t), opts: opts,
		index: make(map[string]int, len(t.Groups)), lbIndex: make(map[string]int, len(t.Balancers)), epIndex: map[string]int{}}
	r.fams = families{v4: t.Net.Addr().Is4(), v6: t.Net.Addr().Is6()}
	r.anyPs = r.fams.any()
	if err := r.validate(); err != nil {
		return nil, err
	}
	r.RouteTables, r.NATZones = r.deriveRoutes()
	r.NATs = r.placeNATs()
	r.Groups = r.deriveSecurityGroups()
	if opts.statelessFirewall() {
		acls, err := r.deriveACLs()
		if err != nil {
			return nil, err
		}
		r.ACLs = acls
	}
	r.Findings = r.findings()
	if err := r.checkQuotas(); err != nil {
		return nil, err
	}
	return r, nil
}

// topoErr is a topology validation error; sentinel is ErrInvalid,
// ErrDuplicate, ErrOverlap or ErrOutOfBounds.
func topoErr(sentinel error, field, input, problem string) error {
	return &FieldError{Field: field, Input: input, Problem: problem, Err: sentinel}
}

func (r *Rules) validate() error {
	t := r.topo
	var errs []error
	if !t.Net.IsValid() {
		errs = append(errs, topoErr(ErrInvalid, "net", t.Net.String(), "invalid prefix; set Net to the Net's CIDR, e.g. 10.0.0.0/16"))
	} else if t.Net != t.Net.Masked() {
		errs = append(errs, topoErr(ErrInvalid, "net", t.Net.String(), fmt.Sprintf("host bits set; did you mean %s?", t.Net.Masked())))
	}
	zones := make(map[string]bool, len(t.Zones))
	for i, z := range t.Zones {
		if z == "" || zones[z] {
			errs = append(errs, topoErr(ErrDuplicate, fmt.Sprintf("zones[%d]", i), fmt.Sprintf("%q", z), "empty or duplicate zone; list each zone once"))
		}
		zones[z] = true
	}
	errs = append(errs, r.validateGroups(zones)...)
	errs = append(errs, r.validateBalancers()...)
	errs = append(errs, r.validateServices()...)
	errs = append(errs, r.validatePeers()...)
	errs = append(errs, r.validateFlows()...)
	errs = append(errs, r.opts.validate()...)
	return errors.Join(errs...)
}

// validateGroups checks the tiers and their subnets and fills r.index.
func (r *Rules) validateGroups(zones map[string]bool) []error {
	t := r.topo
	var errs []error
	var all []netip.Prefix
	owner := map[netip.Prefix]string{}
	for i, g := range t.Groups {
		field := fmt.Sprintf("groups[%d]", i)
		if !validName(g.Name) {
			errs = append(errs, topoErr(ErrInvalid, field+".name", fmt.Sprintf("%q", g.Name), "bad tier name; use a letter, then letters, digits, '-', '_' or '.'"))
		} else if _, dup := r.index[g.Name]; dup {
			errs = append(errs, topoErr(ErrDuplicate, field+".name", fmt.Sprintf("%q", g.Name), "duplicate tier; give each tier its own name"))
		} else {
			r.index[g.Name] = i
		}
		if g.Exposure > Public {
			errs = append(errs, topoErr(ErrInvalid, field+".exposure", g.Exposure.String(), "unknown exposure; use Public, Private or Isolated"))
		}
		if len(g.Subnets) == 0 {
			errs = append(errs, topoErr(ErrInvalid, field+".subnets", g.Name, "no subnet; give the tier at least one subnet"))
		}
		for j, s := range g.Subnets {
			sf := fmt.Sprintf("%s.subnets[%d]", field, j)
			if err := r.checkSubnet(sf, s.Prefix); err != nil {
				errs = append(errs, err)
				continue
			}
			if len(t.Zones) > 0 && !zones[s.Zone] {
				errs = append(errs, topoErr(ErrInvalid, sf+".zone", fmt.Sprintf("%q", s.Zone), "unknown zone; use one of Topology.Zones: "+strings.Join(t.Zones, ", ")))
			}
			all = append(all, s.Prefix)
			owner[s.Prefix] = g.Name
		}
	}
	slices.SortFunc(all, comparePrefix)
	for i := 1; i < len(all); i++ {
		if all[i-1].Overlaps(all[i]) {
			errs = append(errs, topoErr(ErrOverlap, "groups", all[i].String(), fmt.Sprintf("subnet of %q overlaps %s of %q; give every subnet its own block", owner[all[i]], all[i-1], owner[all[i-1]])))
		}
	}
	return errs
}

// checkSubnet checks that subnet p, at field, is a block of the Net.
func (r *Rules) checkSubnet(field string, p netip.Prefix) error {
	net := r.topo.Net
	switch {
	case !p.IsValid():
		return topoErr(ErrInvalid, field+".prefix", p.String(), "invalid prefix; use a CIDR inside the Net")
	case p != p.Masked():
		return topoErr(ErrInvalid, field+".prefix", p.String(), fmt.Sprintf("host bits set; did you mean %s?", p.Masked()))
	case net.IsValid() && (p.Bits() < net.Bits() || !net.Contains(p.Addr())):
		return topoErr(ErrOutOfBounds, field+".prefix", p.String(), fmt.Sprintf("outside the Net %s; pick a block inside it", net))
	}
	return nil
}

func (r *Rules) validatePeers() []error {
	var errs []error
	for _, name := range sortedKeys(r.topo.Peers) {
		field := fmt.Sprintf("peers[%q]", name)
		if !validName(name) {
			errs = append(errs, topoErr(ErrInvalid, field, fmt.Sprintf("%q", name), "bad peer name; use a letter, then letters, digits, '-', '_' or '.'"))
		}
		if len(r.topo.Peers[name]) == 0 {
			errs = append(errs, topoErr(ErrInvalid, field, name, "no prefix; give the peer's CIDRs"))
		}
		for _, p := range r.topo.Peers[name] {
			if !p.IsValid() || p != p.Masked() {
				errs = append(errs, topoErr(ErrInvalid, field, p.String(), fmt.Sprintf("invalid or unmasked prefix; did you mean %s?", p.Masked())))
			}
		}
	}
	return append(errs, r.validateVPNs()...)
}

// validateVPNs checks that each VPN names a declared peer once, whose
// blocks a route table can hold: IPv4, outside the Net, not a default
// route, and disjoint from the other VPN peers' blocks.
func (r *Rules) validateVPNs() []error {
	var errs []error
	owner := map[netip.Prefix]string{}
	var all []netip.Prefix
	routed := slices.Clone(r.topo.VPNs)
	for _, name := range slices.Sorted(maps.Keys(r.topo.Peerings)) {
		if slices.Contains(r.topo.VPNs, name) {
			errs = append(errs, topoErr(ErrInvalid, "peerings["+name+"]", fmt.Sprintf("%q", name), "peer has a VPN and a Net peering; reach it through one"))
			continue
		}
		routed = append(routed, name)
	}
	for i, name := range routed {
		field := fmt.Sprintf("vpns[%d]", i)
		if i >= len(r.topo.VPNs) {
			field = "peerings[" + name + "]"
		}
		ps, ok := r.topo.Peers[name]
		switch {
		case !ok:
			errs = append(errs, topoErr(ErrInvalid, field, fmt.Sprintf("%q", name), "unknown peer; declare it in Topology.Peers or fix the name"))
			continue
		case slices.Index(routed, name) < i:
			errs = append(errs, topoErr(ErrDuplicate, field, fmt.Sprintf("%q", name), "duplicate VPN; list each peer once"))
			continue
		}
		for _, p := range ps {
			switch {
			case !p.IsValid() || p != p.Masked():
				continue // reported by validatePeers
			case !p.Addr().Is4():
				errs = append(errs, topoErr(ErrInvalid, field, p.String(), "IPv6 block behind a VPN; VPN gateways carry IPv4 only, give the peer's IPv4 blocks"))
			case p.Bits() == 0:
				errs = append(errs, topoErr(ErrInvalid, field, p.String(), "a VPN peer of the whole internet would take the default route; give the peer's own blocks"))
			case r.topo.Net.IsValid() && r.topo.Net.Overlaps(p):
				errs = append(errs, topoErr(ErrOverlap, field, p.String(), fmt.Sprintf("overlaps the Net %s; the local route would win: renumber one side", r.topo.Net)))
			default:
				all = append(all, p)
				owner[p] = name
			}
		}
	}
	slices.SortFunc(all, comparePrefix)
	for i := 1; i < len(all); i++ {
		if all[i-1].Overlaps(all[i]) && owner[all[i-1]] != owner[all[i]] {
			errs = append(errs, topoErr(ErrOverlap, "vpns", all[i].String(), fmt.Sprintf("block of peer %q overlaps %s of peer %q; a route table sends a block to one place", owner[all[i]], all[i-1], owner[all[i-1]])))
		}
	}
	return errs
}

// isVPN reports whether peer name is reached through the VPN gateway.
func (r *Rules) isVPN(name string) bool { return slices.Contains(r.topo.VPNs, name) }

// isRouted reports whether a route carries peer name's blocks: a VPN or a
// Net peering connection.
func (r *Rules) isRouted(name string) bool { return r.isVPN(name) || r.topo.Peerings[name] != "" }

// peerTarget is where the route tables send peer name's blocks.
func (r *Rules) peerTarget(name string) RouteTarget {
	if p := r.topo.Peerings[name]; p != "" && !r.isVPN(name) {
		return RouteTarget{Kind: TargetNetPeering, Peering: p}
	}
	return RouteTarget{Kind: TargetVPNGateway}
}

func (r *Rules) validateFlows() []error {
	var errs []error
	for i, f := range r.topo.Flows {
		field := fmt.Sprintf("flows[%d]", i)
		if err := f.validate(field); err != nil {
			errs = append(errs, err)
			continue
		}
		for _, se := range [2]struct {
			side string
			e    Endpoint
		}{{"from", f.From}, {"to", f.To}} {
			switch se.e.Kind {
			case EndpointTier:
				_, tier := r.index[se.e.Name]
				bi, lb := r.lbIndex[se.e.Name]
				switch {
				case !tier && !lb:
					errs = append(errs, flowErr(field+"."+se.side, fmt.Sprintf("%q", se.e.Name), "unknown tier; declare it in Topology.Groups or fix the name"))
				case lb && se.side == "from":
					errs = append(errs, flowErr(field+".from", fmt.Sprintf("%q", se.e.Name),
						fmt.Sprintf("a load balancer opens connections to its targets only; they follow from balancers[%d].target", bi)))
				}
			case EndpointPeer:
				if _, ok := r.topo.Peers[se.e.Name]; !ok {
					errs = append(errs, flowErr(field+"."+se.side, fmt.Sprintf("%q", se.e.Name), "unknown peer; declare it in Topology.Peers or fix the name"))
				}
			}
		}
	}
	return errs
}

func (o Options) validate() []error {
	var errs []error
	if !o.Ephemeral.IsZero() {
		if err := o.Ephemeral.check(); err != nil {
			errs = append(errs, topoErr(ErrInvalid, "options.ephemeral", o.Ephemeral.String(), err.Error()))
		}
	}
	if o.Sources > SourceCIDR {
		errs = append(errs, topoErr(ErrInvalid, "options.sources", fmt.Sprint(o.Sources), "unknown mode; use SourceGroup or SourceCIDR"))
	}
	if o.Egress > EgressAllowAll {
		errs = append(errs, topoErr(ErrInvalid, "options.egress", fmt.Sprint(o.Egress), "unknown mode; use EgressLeastPrivilege or EgressAllowAll"))
	}
	if o.NAT > NATNone {
		errs = append(errs, topoErr(ErrInvalid, "options.nat", fmt.Sprint(o.NAT), "unknown mode; use NATPerZone, NATShared or NATNone"))
	}
	return errs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

// group returns the topology group named name, or for a balancer the
// group whose subnets hold it.
func (r *Rules) group(name string) (Group, bool) {
	i := r.home(name)
	if i < 0 {
		return Group{}, false
	}
	return r.topo.Groups[i], true
}

func subnetPrefixes(g Group) []netip.Prefix {
	out := make([]netip.Prefix, len(g.Subnets))
	for i, s := range g.Subnets {
		out[i] = s.Prefix
	}
	return out
}

// prefixes resolves an endpoint to its blocks, keeping the Net's families
// for the internet; a balancer's blocks are its home tier's subnets.
func (r *Rules) prefixes(e Endpoint) []netip.Prefix {
	switch e.Kind {
	case EndpointTier:
		g, _ := r.group(e.Name)
		return subnetPrefixes(g)
	case EndpointInternet:
		return r.anyPs
	case EndpointPeer:
		if p, ok := r.topo.Peers[e.Name]; ok {
			return p
		}
		return e.Prefixes
	}
	return e.Prefixes
}

// checkQuotas compares rule counts with the profile's quotas.
func (r *Rules) checkQuotas() error {
	q := r.opts.Profile.Quotas
	name := r.opts.Profile.Name
	if name == "" {
		name = "profile"
	}
	var errs []error
	over := func(kind, res string, n int, what string, quota int, fix string) {
		if quota > 0 && n > quota {
			errs = append(errs, fmt.Errorf("netplan: %s %q: %d %s, %d over the %s quota of %d; %s", kind, res, n, what, n-quota, name, quota, fix))
		}
	}
	for _, g := range r.Groups {
		over("security group", g.Name, len(g.Inbound), "inbound rules", q.InboundRulesPerGroup, "merge port ranges or use a prefix list")
		over("security group", g.Name, len(g.Outbound), "outbound rules", q.OutboundRulesPerGroup, "merge port ranges, use a prefix list or EgressAllowAll")
		// each instance of a tier carries exactly its tier's group
		over("security group", g.Name, 1, "groups per interface", q.GroupsPerInterface, "raise the quota")
	}
	// The Net's default group and each direction's implicit deny-all entry
	// count toward the quotas (Quotas.GroupsPerNet, Quotas.RulesPerACL).
	over("net", r.topo.Net.String(), len(r.Groups)+1, "security groups with the default one", q.GroupsPerNet, "merge tiers or raise the quota")
	for _, a := range r.ACLs {
		over("network acl", a.Name, len(a.Inbound)+1, "inbound entries with the implicit deny", q.RulesPerACL, "merge CIDRs or port ranges, or raise the quota (AWS: up to 40)")
		over("network acl", a.Name, len(a.Outbound)+1, "outbound entries with the implicit deny", q.RulesPerACL, "merge CIDRs or port ranges, or raise the quota (AWS: up to 40)")
	}
	return errors.Join(errs...)
}
