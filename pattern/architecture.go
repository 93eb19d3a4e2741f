package pattern

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
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
	// Caches are managed caches (AddCache), one per tier.
	Caches []tier.Cache
	// Brokers are managed message brokers (AddBroker), one per tier.
	Brokers []tier.Broker
	LBs     []tier.LB
	// Flows are the allowed connections (netplan.ParseFlow syntax).
	Flows []netplan.Flow
	// Links are flows on the destination's own ports.
	Links []Link
	// Peers are named networks (VPN, peering) usable as "peer:<name>".
	// A flow may name a peer only once it is routed: by a VPN (VPNs).
	Peers map[string][]netip.Prefix
	// VPNs are the site-to-site VPNs to peers, by peer name (see [VPN]).
	VPNs map[string]VPN
	// Peerings are the peers reached through a Net peering connection to
	// another Net of the deployment, by peer name: what
	// [MultiRegion.Link] and a flow between regions make (see [Peering]).
	Peerings map[string]Peering
	// ImageCopies maps an image the clusters name, an id of another
	// region, to that region: Build copies it into the Net's region
	// (kind image_copy, AWS CopyImage, OUTSCALE CreateImage from a source
	// image) and the clusters start from the copy. [MultiRegion] fills it
	// in for a recovery region with the primary's images.
	ImageCopies map[string]string
	// Snapshots takes snapshots of some clusters' volumes on a schedule
	// and copies them to other regions ([SnapshotSchedule]); nil: none.
	// [MultiRegion.Snapshots] sets it in the primary region.
	Snapshots *SnapshotSchedule
	// SnapshotCopiesFrom is the region whose schedule copies its
	// snapshots here: Build makes the vault that receives them (kind
	// backup_vault, named [blueprint.BackupVaultName]). [MultiRegion]
	// sets it in each recovery region.
	SnapshotCopiesFrom string
	// ReplicaSources maps a managed database's tier to the region of the
	// database it is a cross-region read replica of (the same tier's
	// database there): Build sets its ReplicaOf. [MultiRegion] fills it in
	// for a recovery region with the primary's databases.
	ReplicaSources map[string]string

	// NAT: netplan.NATPerZone (the zero value: one NAT per zone, a zone
	// failure cuts no other zone off), NATShared (one NAT: cheaper, an
	// explicit cost choice reported by lint) or NATNone.
	NAT netplan.NATMode
	// Egress: least privilege (zero) or allow all.
	Egress netplan.EgressMode
	// Sources: security group sources (zero) or subnet CIDRs.
	Sources netplan.SourceMode
	// KeepDefaultSecurityGroupRules leaves the rules of the Net's default
	// security group as the cloud made them. false: they are removed (AWS
	// EC2.2; see blueprint.NetSpec).
	KeepDefaultSecurityGroupRules bool
	// Ephemeral is the ephemeral (client) port range of the Net's own
	// instances: the network ACLs let the replies to the connections they
	// open come back on it. The zero value means netplan.DefaultEphemeral,
	// 1024-65535, which covers every operating system; narrow it to the
	// system the nodes run (the zones document suggests it), as listed at
	// netplan.DefaultEphemeral:
	//
	//	Linux (kernel default)             netplan.LinuxEphemeral    32768-60999
	//	Amazon Linux, older Linux kernels  netplan.Ports(32768, 61000)
	//	Windows Server 2008 and later      netplan.WindowsEphemeral  49152-65535
	//	Windows Server 2003 and earlier    netplan.Ports(1025, 5000)
	//
	// Replies to NAT gateways, load balancers and clients outside the Net
	// keep 1024-65535 whatever Ephemeral says, since those clients pick
	// their ports in it (finding NP011 lists them); a range that covers
	// neither Linux's nor Windows' gets finding NP012. Only a cloud with
	// network ACLs (AWS) uses it: security groups are stateful.
	//
	// In [WebApp] with netplan.LinuxEphemeral, the database tier's network
	// ACL sends its replies to the application's subnets on
	// tcp/32768-60999 instead of tcp/1024-65535, while the application's
	// ACL keeps tcp/1024-65535 for the replies to the load balancer.
	Ephemeral netplan.PortRange
	// AllowSSHFromAnywhere turns SSH open to the internet from an error
	// into a warning (the DMZ document). Prefer a bastion reached from an admin
	// CIDR or a VPN peer.
	AllowSSHFromAnywhere bool
	// FlowLogs says where the Net's flow logs go; the zero value records
	// all its traffic to CloudWatch Logs (AWS EC2.6). FlowLogs.Off opts
	// out.
	FlowLogs FlowLogs
	// Endpoints says which endpoints to the cloud's own services the Net
	// has; the zero value derives them from the clusters' grants and the
	// Session Manager bastions (see [Endpoints], [DeriveEndpoints]).
	Endpoints Endpoints
	// Pinned are the subnets already in use, read back from a running
	// Net: they never move, whatever is added (see netplan.Planner).
	Pinned []netplan.Allocation
	// Acknowledgements accept lint findings as they are, each for one
	// subject with a reason (see [Architecture.Acknowledge]).
	Acknowledgements []blueprint.Acknowledgement

	errs []error
	// sessionManager are the tiers of Session Manager bastions, whose
	// nodes call ssm, ssmmessages and ec2messages.
	sessionManager []string
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
// as "peer:<name>" once it is routed: give it a VPN ([Architecture.VPN]).
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

// AddBastion adds a public bastion tier named name, reachable on SSH from
// admins only (an admin CIDR, netplan.CIDR, or a peer with a VPN,
// netplan.Peer and [Architecture.VPN]), with
// its machine: a cluster of one node of type DefaultBastionType started
// from image, which the cloud replaces in another zone of the tier when
// its zone fails (change it with Cluster(name), e.g. one node per zone).
// The bastion may open SSH to each of targets. The three-tier document:
// connect to VMs inside a Net through a bastion host or a VPN connection.
// [Architecture.AddBastionHost] takes a public key, one bastion per zone
// or Session Manager. Build drops netplan's "flow skips a layer" warning
// for the bastion's flows (reaching every layer is what a bastion is for)
// and does not ask a bastion for a second node.
//
//	arch.AddBastion("bastion", netplan.CIDR(netip.MustParsePrefix("203.0.113.0/24")), "ami-0abc", "web", "app")
func (a *Architecture) AddBastion(name string, admins netplan.Endpoint, image string, targets ...string) *Architecture {
	return a.AddBastionHost(name, Bastion{Admins: admins, Image: image, Targets: targets})
}

// DefaultBastionType is the instance type of the node AddBastion adds:
// a bastion only relays SSH.
const DefaultBastionType = "t3.micro"

// Acknowledge accepts the lint finding findingID about subject as it is,
// for the reason given: the finding no longer stops Build, whatever its
// severity, and stays in Blueprint.Findings with the reason, which every
// plan of the engine shows ("error BP001 security_group_rules/bastion:
// ... (acknowledged: <reason>)"). subject is the finding's subject, as
// Build's error or the plan prints it: one resource, one tier, one load
// balancer, never a pattern of them. An acknowledgement that names no
// finding gets finding PT019, so that it does not outlive its reason
// unseen; one without a reason is an error.
//
//	arch.Acknowledge("PT015", "flows[3] (app -> db tcp/5433)", "pgbouncer listens on 5433 beside PostgreSQL")
func (a *Architecture) Acknowledge(findingID, subject, reason string) *Architecture {
	if a == nil {
		return nil
	}
	a.Acknowledgements = append(a.Acknowledgements, blueprint.Acknowledgement{ID: findingID, Subject: subject, Reason: reason})
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

// ErrInvalid is matched with errors.Is by every problem Build, Plan and
// Rules report, whichever package found it: besides its own sentinel, a
// bad CIDR matches netplan.ErrInvalid, a cluster without an image
// tier.ErrInvalid, and both match ErrInvalid. The field and the fix are
// in the *netplan.FieldError that errors.As finds.
//
//	if errors.Is(err, pattern.ErrInvalid) { /* the architecture, not the cloud */ }
var ErrInvalid = errors.New("pattern: invalid architecture")

// invalid returns errs, each problem made to match ErrInvalid too; the
// problems of a joined error are taken one by one.
func invalid(errs []error) []error {
	out := make([]error, 0, len(errs))
	for _, err := range errs {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			if _, ours := err.(*invalidError); !ours {
				out = append(out, invalid(j.Unwrap())...)
				continue
			}
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			err = &invalidError{err: err}
		}
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// invalidError is a problem found by another package (netplan, tier),
// matching its own sentinel and ErrInvalid, with its message unchanged.
type invalidError struct{ err error }

func (e *invalidError) Error() string   { return e.err.Error() }
func (e *invalidError) Unwrap() []error { return []error{e.err, ErrInvalid} }
