package pattern

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/tier"
)

// DefaultZones are the zones of an Architecture whose Zones field is
// empty: "a" and "b", which the engine maps to the region's zones ending
// in "a" and "b" (eu-west-3a, eu-west-2b...).
var DefaultZones = []string{"a", "b"}

// DefaultSubnetBits is the prefix length of a tier's subnets when the
// tier gives neither SubnetBits nor Hosts.
const DefaultSubnetBits = 24

// DefaultNetName is the name of the Net when Architecture.NetName is empty.
const DefaultNetName = "main"

// Link is a flow whose ports are those of its destination: the ports a
// tier listens on, or the listener ports of a load balancer. It is what
// [Architecture.Connect] records when called without ports.
type Link struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Architecture is a Net with its tiers, flows, clusters, load balancers
// and databases: the intent that [Architecture.Build] turns into a
// [blueprint.Blueprint].
//
// Every field is exported and may be set directly; the methods are
// shortcuts that return the Architecture so calls can be chained. The
// ready patterns ([ThreeTier], [DMZ], [WebApp], [CloudNative],
// [Elastic]) return an Architecture a user can keep extending.
//
// Flows name tiers, load balancers, "internet", "peer:<name>" or CIDRs.
// A flow to a load balancer reaches its security group; the load balancer
// forwards to its target tier, which accepts that traffic from the load
// balancer's group only.
//
// An Architecture is not safe for concurrent modification; Build only
// reads it.
type Architecture struct {
	// Name is the deployment name: the ownership tag of every resource and
	// the prefix of cloud names. Required.
	Name string
	// NetName names the Net in resource ids ("net/main"); empty means
	// DefaultNetName.
	NetName string
	// CIDR is the Net's address range. Required.
	CIDR netip.Prefix
	// Profile is the cloud's limits (netplan.AWS, netplan.Outscale). The
	// zero Profile plans with netplan.Generic and still derives stateless
	// network ACLs; netplan.Outscale derives none.
	Profile netplan.Profile
	// Zones lists the zones; empty means DefaultZones.
	Zones []string

	Tiers     []tier.Tier
	Clusters  []tier.Cluster
	Databases []tier.Database
	LBs       []tier.LB
	// Flows are the allowed connections (netplan.ParseFlow syntax).
	Flows []netplan.Flow
	// Links are flows on the destination's own ports.
	Links []Link
	// Peers are named networks (VPN, peering) usable as "peer:<name>".
	Peers map[string][]netip.Prefix

	// NAT: netplan.NATPerZone (the zero value: one NAT per zone, a zone
	// failure cuts no other zone off), NATShared (one NAT: cheaper, an
	// explicit cost choice reported by lint) or NATNone.
	NAT netplan.NATMode
	// Egress: least privilege (zero) or allow all.
	Egress netplan.EgressMode
	// Sources: security group sources (zero) or subnet CIDRs.
	Sources netplan.SourceMode
	// AllowSSHFromAnywhere turns SSH open to the internet from an error
	// into a warning (the DMZ document). Prefer a bastion reached from an admin
	// CIDR or a VPN peer.
	AllowSSHFromAnywhere bool
	// Pinned are the subnets already in use, read back from a running
	// Net: they never move, whatever is added (see netplan.Planner).
	Pinned []netplan.Allocation

	errs []error
	// deployed are the subnets found in the cloud, set by BuildAround on
	// the copy it builds.
	deployed []netplan.Allocation
}

// New returns an empty Architecture named name on the Net cidr
// ("10.0.0.0/16"). A cidr that does not parse is reported by Build; an
// empty cidr may be filled in by [CarveNets].
func New(name, cidr string) *Architecture {
	a := &Architecture{Name: name}
	if cidr == "" {
		return a
	}
	p, err := netplan.ParsePrefix(cidr)
	if err != nil {
		a.errs = append(a.errs, &cidrError{err})
	}
	a.CIDR = p
	return a
}

// WithZones sets the zones.
func (a *Architecture) WithZones(zones ...string) *Architecture {
	if a == nil {
		return nil
	}
	a.Zones = zones
	return a
}

// AddTier adds tiers.
func (a *Architecture) AddTier(ts ...tier.Tier) *Architecture {
	if a == nil {
		return nil
	}
	a.Tiers = append(a.Tiers, ts...)
	return a
}

// AddCluster adds clusters.
func (a *Architecture) AddCluster(cs ...tier.Cluster) *Architecture {
	if a == nil {
		return nil
	}
	a.Clusters = append(a.Clusters, cs...)
	return a
}

// AddDatabase adds managed databases.
func (a *Architecture) AddDatabase(ds ...tier.Database) *Architecture {
	if a == nil {
		return nil
	}
	a.Databases = append(a.Databases, ds...)
	return a
}

// AddLB adds load balancers.
func (a *Architecture) AddLB(lbs ...tier.LB) *Architecture {
	if a == nil {
		return nil
	}
	a.LBs = append(a.LBs, lbs...)
	return a
}

// AddFlow adds flows.
func (a *Architecture) AddFlow(fs ...netplan.Flow) *Architecture {
	if a == nil {
		return nil
	}
	a.Flows = append(a.Flows, fs...)
	return a
}

// Flow parses each text flow ("internet -> web tcp/443", see
// netplan.ParseFlow) and adds it; parse errors are reported by Build.
func (a *Architecture) Flow(texts ...string) *Architecture {
	if a == nil {
		return nil
	}
	for _, s := range texts {
		f, err := netplan.ParseFlow(s)
		if err != nil {
			a.errs = append(a.errs, fmt.Errorf("pattern: flow %q: %w", s, err))
			continue
		}
		a.Flows = append(a.Flows, f)
	}
	return a
}

// Connect allows from to open TCP connections to to on ports. Without
// ports it uses the destination's own (a tier's Ports, a load balancer's
// listener ports), resolved at Build. from and to are tier or load
// balancer names, "internet", "peer:<name>" or CIDRs.
//
//	arch.Connect("internet", "web", 80, 443).Connect("web", "app")
func (a *Architecture) Connect(from, to string, ports ...uint16) *Architecture {
	if a == nil {
		return nil
	}
	if len(ports) == 0 {
		a.Links = append(a.Links, Link{From: from, To: to})
		return a
	}
	for _, p := range ports {
		a.Flow(fmt.Sprintf("%s -> %s tcp/%d", from, to, p))
	}
	return a
}

// Peer declares the named network p (a VPN, a peered Net) usable in flows
// as "peer:<name>".
func (a *Architecture) Peer(name string, p ...netip.Prefix) *Architecture {
	if a == nil {
		return nil
	}
	if a.Peers == nil {
		a.Peers = map[string][]netip.Prefix{}
	}
	a.Peers[name] = append(a.Peers[name], p...)
	return a
}

// Pin declares subnets that already exist; they keep their prefix.
func (a *Architecture) Pin(allocs ...netplan.Allocation) *Architecture {
	if a == nil {
		return nil
	}
	a.Pinned = append(a.Pinned, allocs...)
	return a
}

// AddBastion adds a public bastion tier named name reachable on SSH from
// admins only (an admin CIDR, netplan.CIDR, or a VPN, netplan.Peer),
// and lets it open SSH to each of targets. The three-tier document: connect to VMs
// inside a Net through a bastion host or a VPN connection. Build drops
// netplan's "flow skips a layer" warning for the bastion's flows: reaching
// every layer is what a bastion is for.
//
//	arch.AddBastion("bastion", netplan.CIDR(netip.MustParsePrefix("203.0.113.0/24")), "web", "app")
func (a *Architecture) AddBastion(name string, admins netplan.Endpoint, targets ...string) *Architecture {
	if a == nil {
		return nil
	}
	a.AddTier(tier.Bastion(name))
	a.AddFlow(netplan.Flow{From: admins, To: netplan.Tier(name), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(22), Description: "admins"})
	for _, t := range targets {
		a.AddFlow(netplan.Flow{From: netplan.Tier(name), To: netplan.Tier(t), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(22), Description: "ssh from bastion"})
	}
	return a
}

// Tier returns a pointer to the tier named name, to change it, or nil.
func (a *Architecture) Tier(name string) *tier.Tier {
	if a == nil {
		return nil
	}
	for i := range a.Tiers {
		if a.Tiers[i].Name == name {
			return &a.Tiers[i]
		}
	}
	return nil
}

// Cluster returns a pointer to the cluster of tier name, or nil.
func (a *Architecture) Cluster(tierName string) *tier.Cluster {
	if a == nil {
		return nil
	}
	for i := range a.Clusters {
		if a.Clusters[i].Tier == tierName {
			return &a.Clusters[i]
		}
	}
	return nil
}

// Database returns a pointer to the database of tier name, or nil.
func (a *Architecture) Database(tierName string) *tier.Database {
	if a == nil {
		return nil
	}
	for i := range a.Databases {
		if a.Databases[i].Tier == tierName {
			return &a.Databases[i]
		}
	}
	return nil
}

// LB returns a pointer to the load balancer named name, or nil.
func (a *Architecture) LB(name string) *tier.LB {
	if a == nil {
		return nil
	}
	for i := range a.LBs {
		if a.LBs[i].Name == name {
			return &a.LBs[i]
		}
	}
	return nil
}

func (a *Architecture) netName() string {
	if a.NetName != "" {
		return a.NetName
	}
	return DefaultNetName
}

func (a *Architecture) zones() []string {
	if len(a.Zones) > 0 {
		return a.Zones
	}
	return DefaultZones
}

// tierZones returns the zones of t: its own, or the Net's.
func (a *Architecture) tierZones(t *tier.Tier) []string {
	if len(t.Zones) > 0 {
		return t.Zones
	}
	return a.zones()
}

func (a *Architecture) planProfile() netplan.Profile {
	if a.Profile.Name == "" {
		return netplan.Generic
	}
	return a.Profile
}

// errf reports one problem as a [netplan.FieldError] that prints
// "pattern: <field>: <input>: <problem>; <fix>" and matches [ErrInvalid].
func errf(field, input, problem, fix string) error {
	return &netplan.FieldError{Package: "pattern", Field: field, Input: input, Problem: problem, Fix: fix, Err: ErrInvalid}
}

// errNil is what the methods of a nil *Architecture that return an error
// return; the others return nil and do nothing.
var errNil = errf("", "", "nil *Architecture", "make one with pattern.New or a ready pattern such as pattern.ThreeTier")

// ErrInvalid is matched with errors.Is by every problem Build reports
// about the architecture itself (netplan's errors keep their own
// sentinels).
var ErrInvalid = errors.New("pattern: invalid architecture")
