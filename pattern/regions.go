package pattern

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
)

// errNilRegions is the error of a nil *MultiRegion.
var errNilRegions = errf("regions", "nil", "no deployment", "build one with pattern.Regions")

// Posture is how ready a recovery region stands to take the traffic of
// the primary one.
type Posture string

const (
	// PilotLight keeps the network and the data in the region: the Net,
	// subnets, gateways, security groups, network ACLs, routes, load
	// balancers and the stateful tiers; the stateless clusters are kept
	// at 0 nodes (their Max is kept, so that a failover only raises
	// Desired). The cheapest posture; a failover starts every node.
	PilotLight Posture = "pilot-light"
	// WarmStandby runs the stateless clusters at a reduced size
	// ([Region.Nodes], 1 by default, never above what the primary runs),
	// so that the region answers at once and a failover scales out.
	WarmStandby Posture = "warm-standby"
)

// Region is one region of a [MultiRegion] deployment.
type Region struct {
	// Name is the cloud's region ("eu-west-3" on AWS, "eu-west-2" on
	// OUTSCALE). It names the Net too ("net/eu-west-3") unless the
	// architecture names it itself.
	Name string `json:"name"`
	// Posture is the recovery posture; "" for the primary region, which
	// runs the architecture as declared.
	Posture Posture `json:"posture,omitempty"`
	// Nodes is the number of nodes a warm-standby region runs per
	// stateless cluster (Min and Desired); 0: 1. Ignored otherwise.
	Nodes int `json:"nodes,omitempty"`
	// CIDR fixes the region's Net (it must lie in the supernet); the zero
	// Prefix: carved.
	CIDR netip.Prefix `json:"cidr,omitzero"`
	// Promoted makes the region's databases standalone: promoted from
	// read replicas of the primary's ([MultiRegion.Promote]).
	Promoted bool `json:"promoted,omitempty"`
}

// MultiRegion is one deployment over several regions: a primary region
// and one or more recovery regions, each with its own Net carved from one
// supernet so that no two Nets overlap (they can then be peered or joined
// by VPN without renumbering). Every region's resources carry the same
// ownership tags (the deployment name); each region is applied by its own
// driver, through provider.Fleet, which implements the one-call plan,
// apply, drift and destroy over all of them.
//
//	m := pattern.Regions("shop", "10.0.0.0/8", func(region string) *pattern.Architecture {
//		return pattern.WebApp(pattern.WebAppOptions{Name: "shop", Profile: netplan.AWS, Image: ami[region]})
//	}).Primary("eu-west-3").Recovery("eu-west-1", pattern.WarmStandby)
//	res, err := fleet.Apply(ctx, m) // provider.NewFleet(map[string]driver.Driver{...})
//
// The build function is called for each region and returns that region's
// architecture (its images, zones, instance types may differ), a new one
// on each call; its Name is replaced by the deployment's, its CIDR by the
// region's Net (Region.CIDR, or carved: the CIDR a ready pattern sets by
// default is not kept), its NetName, when empty, by the region's name. Nets are
// carved in the order the regions are declared (primary first): declare a
// new region last, and the deployed ones keep their ranges. A region's
// Net that is deployed keeps its range whatever is declared (BuildRegion
// pins it).
type MultiRegion struct {
	// Name is the deployment name, the same in every region.
	Name string
	// Supernet is the range every region's Net is carved from.
	Supernet netip.Prefix
	// Bits is the prefix length of each region's Net; 0: 16.
	Bits int
	// Profile bounds the carved Nets; the zero Profile: netplan.Generic.
	Profile netplan.Profile
	// NoImageCopies keeps the recovery regions' cluster images as their
	// architectures name them. false (the default): every image a
	// recovery region's clusters share with the primary's is copied into
	// the recovery region (kind image_copy: AWS CopyImage, OUTSCALE
	// CreateImage from a source image), and its clusters start from the
	// copy, since an image id is valid in its own region only (the
	// OUTSCALE three-tier document: machine images "copied to the other
	// region").
	NoImageCopies bool
	// NoDatabaseReplicas gives each recovery region managed databases of
	// its own, empty. false (the default): a recovery region's database
	// of a tier the primary also has is a cross-region read replica of the
	// primary's (blueprint.DatabaseSpec.ReplicaOf: AWS
	// CreateDBInstanceReadReplica with SourceRegion), promoted by
	// [MultiRegion.Promote]. On a cloud without managed databases the
	// fallback cluster is built instead, which replicates nothing.
	NoDatabaseReplicas bool
	// Snapshots is the snapshot schedule of the primary region's clusters
	// ([SnapshotSchedule]), each snapshot copied to every recovery
	// region's vault; nil: the primary architecture's own Snapshots, if
	// any, also copied to every recovery region. A recovery region runs
	// no schedule (its architecture's Snapshots is cleared): it receives
	// the copies in its vault. It lives here rather than
	// on a cluster because it spans regions: the schedule and its role run
	// in the primary, the copies land in the recovery regions, and each
	// recovery region needs a vault before a failover restores from it.
	Snapshots *SnapshotSchedule

	build   func(region string) *Architecture
	regions []Region
	links   [][2]string // requester, accepter
	// vpnLinks are the links over a VPN (LinkVPN), by [hub, spoke].
	vpnLinks map[[2]string]VPNLinkOptions
	flows    []regionFlow
	errs     []error
}

// regionFlow is a flow between tiers of two regions' Nets.
type regionFlow struct {
	text                 string
	from, to             string // tiers
	fromRegion, toRegion string
	flow                 netplan.Flow // From and To are placeholders
}

// Regions starts a deployment named name over several regions, with Nets
// carved from supernet, each region's architecture made by build.
func Regions(name, supernet string, build func(region string) *Architecture) *MultiRegion {
	m := &MultiRegion{Name: name, build: build}
	p, err := netip.ParsePrefix(supernet)
	if err != nil {
		m.errs = append(m.errs, errf("supernet", fmt.Sprintf("%q", supernet), err.Error(), `use a CIDR such as "10.0.0.0/8"`))
	}
	m.Supernet = p.Masked()
	if build == nil {
		m.errs = append(m.errs, errf("regions.build", "nil", "no architecture", "pass a function that returns each region's architecture"))
	}
	return m
}

// Primary sets the primary region. It must come before any Recovery.
func (m *MultiRegion) Primary(region string) *MultiRegion {
	if m == nil {
		return nil
	}
	if len(m.regions) > 0 && m.regions[0].Posture == "" {
		m.errs = append(m.errs, errf("regions.primary", fmt.Sprintf("%q", region), "a second primary region", "declare one primary and the others with Recovery"))
		return m
	}
	m.regions = slices.Insert(m.regions, 0, Region{Name: region})
	return m
}

// Recovery adds a recovery region with its posture.
func (m *MultiRegion) Recovery(region string, p Posture) *MultiRegion {
	return m.AddRegion(Region{Name: region, Posture: p})
}

// AddRegion adds a recovery region described in full (a warm standby's
// Nodes).
func (m *MultiRegion) AddRegion(r Region) *MultiRegion {
	if m == nil {
		return nil
	}
	m.regions = append(m.regions, r)
	return m
}

// Link joins the Nets of two regions by a Net peering connection (AWS VPC
// peering, requested in requester's region, accepted in accepter's), so
// that flows between their tiers ([MultiRegion.Flow]) are routed: each
// side's route tables send the other side's tier subnets to the
// connection. On OUTSCALE, whose Net peering joins Nets of one region
// only, the drivers refuse it: link two regions with
// [MultiRegion.LinkVPN] there. The "regions"
// may also be sites of one cloud region, their Nets built into one
// Blueprint by [MultiRegion.BuildOneRegion]: then the requester's side
// requests and accepts the connection, on OUTSCALE and on AWS alike.
//
// AWS security groups cannot name the groups of a peer Net in another
// region (VPC peering documentation: "You cannot reference the security
// group of a peer VPC that's in a different Region"): the rules of a flow
// over a link name the other tier's subnets by their ranges, in one
// region too (where AWS would also take the peer's group), so that the
// rules are the same wherever the sites are.
func (m *MultiRegion) Link(requester, accepter string) *MultiRegion {
	if m == nil {
		return nil
	}
	m.links = append(m.links, [2]string{requester, accepter})
	return m
}

// Flow allows connections between tiers of two regions:
// "app@eu-west-3 -> db@eu-west-1 tcp/5432" (netplan.ParseFlow's grammar,
// each endpoint a tier "@" its region). The two regions must be linked
// ([MultiRegion.Link], or [MultiRegion.LinkVPN]); the flow then gives, on
// both sides, the security group rules and network ACL entries to and from
// the other tier's subnets and the routes to the link.
//
// In each region's [Architecture] the other side's tier is the peer
// "<region>-<tier>" (its subnets as planned there), which is what a
// reachability question names:
//
//	a, err := m.Architecture("eu-west-3", netip.Prefix{})
//	rules, err := a.Rules()
//	v := rules.CanReach(netplan.Query{From: netplan.Tier("app"), To: "peer:eu-west-1-db", Protocol: netplan.ProtocolTCP, Port: 5432})
func (m *MultiRegion) Flow(spec string) *MultiRegion {
	if m == nil {
		return nil
	}
	f, err := parseRegionFlow(spec)
	if err != nil {
		m.errs = append(m.errs, err)
		return m
	}
	m.flows = append(m.flows, f)
	return m
}

// parseRegionFlow parses "<tier>@<region> -> <tier>@<region> <proto>/<ports>".
func parseRegionFlow(spec string) (regionFlow, error) {
	fields := strings.Fields(spec)
	bad := func(problem string) error {
		return errf("regions.flows", fmt.Sprintf("%q", spec), problem, `write "app@eu-west-3 -> db@eu-west-1 tcp/5432"`)
	}
	if len(fields) < 4 || fields[1] != "->" {
		return regionFlow{}, bad("not a flow")
	}
	from, fromRegion, ok1 := strings.Cut(fields[0], "@")
	to, toRegion, ok2 := strings.Cut(fields[2], "@")
	if !ok1 || !ok2 || from == "" || to == "" || fromRegion == "" || toRegion == "" {
		return regionFlow{}, bad("an endpoint is not <tier>@<region>")
	}
	f, err := netplan.ParseFlow(strings.Join(append([]string{from, "->", to}, fields[3:]...), " "))
	if err != nil {
		return regionFlow{}, bad(err.Error())
	}
	return regionFlow{text: spec, from: from, to: to, fromRegion: fromRegion, toRegion: toRegion, flow: f}, nil
}

// link returns the link between regions a and b, as requester and
// accepter.
func (m *MultiRegion) link(a, b string) (requester, accepter string, ok bool) {
	for _, l := range m.links {
		if l == [2]string{a, b} || l == [2]string{b, a} {
			return l[0], l[1], true
		}
	}
	return "", "", false
}

// DeploymentName returns the deployment name, shared by every region.
func (m *MultiRegion) DeploymentName() string {
	if m == nil {
		return ""
	}
	return m.Name
}

// Regions returns the regions' names, the primary first.
func (m *MultiRegion) Regions() []string {
	if m == nil {
		return nil
	}
	out := make([]string, len(m.regions))
	for i, r := range m.regions {
		out[i] = r.Name
	}
	return out
}

// PrimaryRegion returns the primary region's name ("" when none).
func (m *MultiRegion) PrimaryRegion() string {
	if m == nil || len(m.regions) == 0 || m.regions[0].Posture != "" {
		return ""
	}
	return m.regions[0].Name
}

// Validate reports every problem of the regions at once: no primary,
// no recovery region, a region twice, an unknown posture.
func (m *MultiRegion) Validate() error {
	if m == nil {
		return errNilRegions
	}
	errs := slices.Clone(m.errs)
	if m.PrimaryRegion() == "" {
		errs = append(errs, errf("regions.primary", `""`, "no primary region", "call Primary(region)"))
	}
	if len(m.regions) < 2 {
		errs = append(errs, errf("regions", fmt.Sprint(len(m.regions)), "no recovery region", "add one with Recovery(region, pattern.PilotLight)"))
	}
	seen := map[string]bool{}
	for i, r := range m.regions {
		f := fmt.Sprintf("regions[%d]", i)
		switch {
		case r.Name == "":
			errs = append(errs, errf(f+".name", `""`, "empty", `name the cloud's region ("eu-west-3")`))
		case seen[r.Name]:
			errs = append(errs, errf(f+".name", fmt.Sprintf("%q", r.Name), "declared twice", "declare each region once"))
		}
		seen[r.Name] = true
		if i > 0 && r.Posture != PilotLight && r.Posture != WarmStandby {
			errs = append(errs, errf(f+".posture", fmt.Sprintf("%q", r.Posture), "unknown posture", "use pattern.PilotLight or pattern.WarmStandby"))
		}
		if r.Nodes < 0 {
			errs = append(errs, errf(f+".nodes", fmt.Sprint(r.Nodes), "negative", "use 0 (one node) or more"))
		}
	}
	return errors.Join(append(errs, m.validateLinks(seen)...)...)
}

// validateLinks checks that links join two declared regions once, and
// that every flow between regions goes over a link.
func (m *MultiRegion) validateLinks(declared map[string]bool) []error {
	var errs []error
	for i, l := range m.links {
		f := fmt.Sprintf("regions.links[%d]", i)
		switch r, a, _ := m.link(l[0], l[1]); {
		case !declared[l[0]] || !declared[l[1]]:
			errs = append(errs, errf(f, fmt.Sprintf("%q", l), "links a region the deployment does not declare", "declare both regions first"))
		case l[0] == l[1]:
			errs = append(errs, errf(f, fmt.Sprintf("%q", l), "links a region to itself", "link two regions"))
		case [2]string{r, a} != l || slices.Index(m.links, l) < i:
			errs = append(errs, errf(f, fmt.Sprintf("%q", l), "the two Nets are linked twice", "link them once: a connection works both ways"))
		}
		errs = append(errs, m.validateVPNLink(i, l)...)
	}
	for i, fl := range m.flows {
		f := fmt.Sprintf("regions.flows[%d]", i)
		switch _, _, linked := m.link(fl.fromRegion, fl.toRegion); {
		case !declared[fl.fromRegion] || !declared[fl.toRegion]:
			errs = append(errs, errf(f, fmt.Sprintf("%q", fl.text), "names a region the deployment does not declare", "declare it, or fix the name"))
		case fl.fromRegion == fl.toRegion:
			errs = append(errs, errf(f, fmt.Sprintf("%q", fl.text), "both tiers are in one region", "declare the flow in the region's architecture"))
		case !linked:
			errs = append(errs, errf(f, fmt.Sprintf("%q", fl.text), fmt.Sprintf("no link between the Nets of %s and %s: nothing routes the flow", fl.fromRegion, fl.toRegion),
				fmt.Sprintf("link them: Link(%q, %q)", fl.fromRegion, fl.toRegion)))
		}
	}
	return errs
}

// Architecture returns the architecture of one region: made by the build
// function, named after the deployment, its Net carved (or pinned to
// deployed, when valid) and its clusters sized by the region's posture.
func (m *MultiRegion) Architecture(region string, deployed netip.Prefix) (*Architecture, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(m.regions, func(r Region) bool { return r.Name == region })
	if i < 0 {
		return nil, errf("regions", fmt.Sprintf("%q", region), "not a region of the deployment", fmt.Sprintf("use one of %q", m.Regions()))
	}
	archs := make([]*Architecture, len(m.regions))
	for j, r := range m.regions {
		archs[j] = m.build(r.Name)
		if archs[j] == nil {
			return nil, errf(fmt.Sprintf("regions[%d]", j), r.Name, "the build function returned no architecture", "return one for every region")
		}
	}
	if err := m.carve(archs, i, deployed); err != nil {
		return nil, err
	}
	a := archs[i]
	a.Name = m.Name
	if a.NetName == "" {
		a.NetName = region
	}
	m.regions[i].apply(a)
	if i > 0 && !m.NoImageCopies {
		copyImages(a, archs[0], m.regions[0].Name)
	}
	if i > 0 && !m.NoDatabaseReplicas && !m.regions[i].Promoted {
		replicateDatabases(a, archs[0], m.regions[0].Name)
	}
	m.snapshots(a, i, archs[0])
	if err := m.addPeerings(a, region, archs); err != nil {
		return nil, err
	}
	return a, nil
}

// snapshots gives the primary's architecture (i 0) the schedule, copied
// to every recovery region, and each recovery region's the vault that
// receives the copies.
func (m *MultiRegion) snapshots(a *Architecture, i int, primary *Architecture) {
	s := m.Snapshots
	if s == nil {
		s = primary.Snapshots
	}
	if s == nil {
		return
	}
	if i > 0 {
		// The schedule is the primary's, whatever the build function gave
		// this region: a recovery region receives copies and runs no
		// schedule until a failover makes it a primary.
		a.SnapshotCopiesFrom, a.Snapshots = m.regions[0].Name, nil
		return
	}
	c := *s
	c.Tiers = slices.Clone(s.Tiers)
	c.CopyTo = nil
	for _, r := range m.regions[1:] {
		c.CopyTo = append(c.CopyTo, r.Name)
	}
	a.Snapshots = &c
}

// addPeerings gives a, the architecture of region, one peer per tier of
// another region that a flow joins to one of its tiers: the other tier's
// subnets (as planned in its region, with nothing deployed), reached over
// the link, and the flow to or from it.
func (m *MultiRegion) addPeerings(a *Architecture, region string, archs []*Architecture) error {
	var errs []error
	for _, fl := range m.flows {
		local, other, otherRegion := fl.from, fl.to, fl.toRegion
		if fl.toRegion == region {
			local, other, otherRegion = fl.to, fl.from, fl.fromRegion
		} else if fl.fromRegion != region {
			continue
		}
		j := slices.IndexFunc(m.regions, func(r Region) bool { return r.Name == otherRegion })
		oa := archs[j]
		blocks, err := tierSubnets(oa, otherRegion, other)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		requester, accepter, _ := m.link(region, otherRegion)
		peer := otherRegion + "-" + other
		a.Peer(peer, blocks...)
		if a.Peerings == nil {
			a.Peerings = map[string]Peering{}
		}
		vpn := m.vpnOptions(requester, accepter)
		if vpn != nil && region == accepter {
			if err := checkApplianceTier(a, region, vpn, slices.Index(m.links, [2]string{requester, accepter})); err != nil {
				if !slices.ContainsFunc(errs, func(e error) bool { return e.Error() == err.Error() }) {
					errs = append(errs, err) // once per link, however many flows cross it
				}
				continue
			}
		}
		a.Peerings[peer] = Peering{Link: requester + "-" + accepter, Region: otherRegion, Net: "net/" + netNameIn(oa, otherRegion),
			CIDR: oa.CIDR, Accepter: region == accepter, VPN: vpn}
		f := fl.flow
		f.From, f.To = netplan.Tier(local), netplan.Peer(peer)
		if fl.toRegion == region {
			f.From, f.To = netplan.Peer(peer), netplan.Tier(local)
		}
		a.Flows = append(a.Flows, f)
	}
	return errors.Join(errs...)
}

// netNameIn is the Net's name of oa, the architecture of region.
func netNameIn(oa *Architecture, region string) string {
	if oa.NetName != "" {
		return oa.NetName
	}
	return region
}

// tierSubnets returns the ranges of the subnets of tier t in oa, the
// architecture of region, as Build plans them.
func tierSubnets(oa *Architecture, region, t string) ([]netip.Prefix, error) {
	c := *oa
	c.Name = "plan"
	rules, err := c.Rules()
	if err != nil {
		return nil, fmt.Errorf("%w: regions: plan %s to link it: %w", ErrInvalid, region, err)
	}
	var out []netip.Prefix
	for _, g := range rules.Topology().Groups {
		if g.Name != t {
			continue
		}
		for _, s := range g.Subnets {
			out = append(out, s.Prefix)
		}
	}
	if len(out) == 0 {
		return nil, errf("regions.flows", t+"@"+region, "no such tier in the region", "name a tier of the region's architecture")
	}
	return out, nil
}

// carve gives every architecture its region's Net: Region.CIDR, or carved
// from the supernet; the region at index pin keeps deployed when valid.
func (m *MultiRegion) carve(archs []*Architecture, pin int, deployed netip.Prefix) error {
	bits := m.Bits
	if bits == 0 {
		bits = 16
	}
	var reqs []netplan.NetRequest
	var pinned []netplan.Allocation
	for j := range archs {
		name := m.regions[j].Name
		p := m.regions[j].CIDR
		if j == pin && deployed.IsValid() {
			p = deployed
		}
		if p.IsValid() {
			reqs = append(reqs, netplan.NetRequest{Name: name, Bits: p.Bits()})
			pinned = append(pinned, netplan.Allocation{Name: name, Prefix: p})
			continue
		}
		reqs = append(reqs, netplan.NetRequest{Name: name, Bits: bits})
	}
	plan, err := netplan.AllocateNets(m.Supernet, m.Profile, reqs, pinned...)
	if err != nil {
		return fmt.Errorf("%w: regions: carve nets from %s: %w", ErrInvalid, m.Supernet, err)
	}
	for j, a := range archs {
		a.CIDR, _ = plan.Lookup(m.regions[j].Name, "")
		a.errs = dropCIDRErrors(a.errs)
	}
	return nil
}

// apply sizes the stateless clusters of a by the region's posture.
// Stateful clusters (a database cluster, a queue) are data: every
// posture keeps them as declared.
func (r Region) apply(a *Architecture) {
	if r.Posture == "" {
		return
	}
	a.Clusters = slices.Clone(a.Clusters)
	for i := range a.Clusters {
		c := &a.Clusters[i]
		if !c.Stateless {
			continue
		}
		n := 0
		if r.Posture == WarmStandby {
			n = max(r.Nodes, 1)
		}
		c.Min, c.Desired = min(c.Min, n), min(c.Desired, n)
		c.Max = max(c.Max, 1)
		if c.Scaling != nil && c.Max <= c.Min {
			c.Scaling = nil
		}
	}
}

// BuildRegion builds the region's Blueprint around what is deployed there
// (its Net keeps its range, its subnets theirs): what provider.Fleet
// calls for each region.
func (m *MultiRegion) BuildRegion(region string, existing blueprint.Existing) (*blueprint.Blueprint, error) {
	a, err := m.Architecture(region, deployedNet(existing, region))
	if err != nil {
		return nil, err
	}
	return a.BuildAround(existing)
}

// deployedNet returns the range of the deployed Net of region ("net/<region>"),
// or, when the region's Net has another name, of the only deployed Net.
func deployedNet(existing blueprint.Existing, region string) netip.Prefix {
	if p, ok := existing.Nets["net/"+region]; ok {
		return p
	}
	if len(existing.Nets) == 1 {
		for _, p := range existing.Nets {
			return p
		}
	}
	return netip.Prefix{}
}

// Build builds every region's Blueprint as if nothing were deployed, by
// region name; every region's problems are reported at once.
func (m *MultiRegion) Build() (map[string]*blueprint.Blueprint, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	out := map[string]*blueprint.Blueprint{}
	var errs []error
	for _, r := range m.regions {
		bp, err := m.BuildRegion(r.Name, blueprint.Existing{})
		if err != nil {
			errs = append(errs, fmt.Errorf("region %s: %w", r.Name, err))
			continue
		}
		out[r.Name] = bp
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
