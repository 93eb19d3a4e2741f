package pattern

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/archkit/archkit/pattern/blueprint"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/tier"
)

// design is a validated, planned architecture: everything Build, the
// diagrams and the availability report need.
type design struct {
	arch     *Architecture
	net      string
	zones    []string
	tiers    map[string]*tier.Tier
	lbs      map[string]*tier.LB
	clusters map[string]*tier.Cluster
	dbs      map[string]*tier.Database
	caches   map[string]*tier.Cache
	brokers  map[string]*tier.Broker
	plan     *netplan.Plan
	// rules are derived from every flow and load balancer: security
	// groups, network ACLs, routes, NAT gateways, findings, reachability.
	rules *netplan.Rules
	// flows are the flows with their original endpoints (load balancers
	// by name), user flows first, then implied ones.
	flows    []netplan.Flow
	findings []netplan.Finding
	bp       *blueprint.Blueprint
}

// Build validates the architecture, plans its subnets, derives its rules
// and routes, runs the lint checks and returns the Blueprint. It is pure
// and deterministic: the same Architecture gives the same Blueprint, byte
// for byte as JSON.
//
// Every problem is reported at once (errors.Join), each naming the field
// to change; lint findings of severity error are problems too, unless
// acknowledged ([Architecture.Acknowledge]). On error the Blueprint is
// nil. Warnings, infos and acknowledged errors come back in
// Blueprint.Findings, the acknowledgements in Blueprint.Acknowledgements.
func (a *Architecture) Build() (*blueprint.Blueprint, error) {
	d, err := a.compile()
	if err != nil {
		return nil, err
	}
	if err := d.bp.Validate(); err != nil {
		return nil, fmt.Errorf("pattern: internal error, blueprint does not validate: %w", err)
	}
	return d.bp, nil
}

// Rules returns the rules derived for the architecture (security groups,
// network ACLs, routes, findings) for reachability questions.
func (a *Architecture) Rules() (*netplan.Rules, error) {
	d, err := a.compile()
	if err != nil {
		return nil, err
	}
	return d.rules, nil
}

// Plan returns the subnet plan of the architecture.
func (a *Architecture) Plan() (*netplan.Plan, error) {
	d, err := a.compile()
	if err != nil {
		return nil, err
	}
	return d.plan, nil
}

func (a *Architecture) compile() (*design, error) {
	if a == nil {
		return nil, errNil
	}
	d := newDesign(a)
	errs := slices.Clone(a.errs)
	errs = append(errs, d.validate()...)
	errs = append(errs, d.quotaErrors()...)
	early := lintArch(d)
	blueprint.Acknowledge(early, a.Acknowledgements)
	errs = append(errs, findingErrors(early)...)
	if tierErrs := d.allocate(); tierErrs != nil {
		errs = append(errs, tierErrs)
	}
	if len(errs) > 0 {
		return nil, errors.Join(invalid(errs)...)
	}
	if err := d.derive(); err != nil {
		return nil, errors.Join(invalid([]error{err})...)
	}
	if errs := d.derivedQuotaErrors(); len(errs) > 0 {
		return nil, errors.Join(invalid(errs)...)
	}
	d.bp = d.blueprint()
	d.findings = d.lint()
	if errs := findingErrors(d.findings); len(errs) > 0 {
		return nil, errors.Join(invalid(errs)...)
	}
	d.bp.Findings = d.findings
	return d, nil
}

// lint returns every finding of the design and of its Blueprint, the
// acknowledgements applied, sorted: netplan's, the architecture's, the
// rules', the Blueprint's, and one PT019 per acknowledgement that names no
// finding. AllowSSHFromAnywhere acknowledges the Blueprint's BP001
// findings, and the Blueprint keeps every acknowledgement for the engine.
func (d *design) lint() []netplan.Finding {
	fs := slices.Concat(d.netFindings(), lintArch(d), lintRules(d))
	bpFindings := d.bp.Lint()
	acks := slices.Clone(d.arch.Acknowledgements)
	if d.arch.AllowSSHFromAnywhere {
		for _, f := range bpFindings {
			if f.ID == "BP001" {
				acks = append(acks, blueprint.Acknowledgement{ID: f.ID, Subject: f.Subject, Reason: "Architecture.AllowSSHFromAnywhere is set"})
			}
		}
	}
	fs = append(fs, bpFindings...)
	for _, u := range blueprint.Acknowledge(fs, acks) {
		fs = append(fs, finding("PT019", "acknowledgements", fmt.Sprintf("%s for %q names no finding", u.ID, u.Subject),
			"remove the acknowledgement, or copy the id and subject from the finding"))
	}
	d.bp.Acknowledgements = acks
	blueprint.SortFindings(fs)
	return fs
}

func newDesign(a *Architecture) *design {
	return &design{arch: a, net: a.netName(), zones: a.zones(),
		tiers: map[string]*tier.Tier{}, lbs: map[string]*tier.LB{},
		clusters: map[string]*tier.Cluster{}, dbs: map[string]*tier.Database{}, caches: map[string]*tier.Cache{},
		brokers: map[string]*tier.Broker{}}
}

// netFindings returns netplan's findings, without NP002 (flow skips a
// layer) for flows that leave a bastion, since admin access to every
// layer is what a bastion is for, and without NP001 (SSH from anywhere),
// which the Blueprint's BP001 judges on the rules themselves, by address
// coverage.
func (d *design) netFindings() []netplan.Finding {
	var out []netplan.Finding
	for _, f := range d.rules.Findings {
		if f.ID == "NP001" {
			continue
		}
		var i int
		if f.ID == "NP002" {
			if _, err := fmt.Sscanf(f.Subject, "flows[%d]", &i); err == nil && i >= 0 && i < len(d.flows) {
				if from := d.flows[i].From; from.Kind == netplan.EndpointTier {
					if t, ok := d.tiers[from.Name]; ok && t.Role == tier.RoleBastion {
						continue
					}
				}
			}
		}
		out = append(out, f)
	}
	return out
}

// findingErrors returns the blocking findings of fs as errors: "pattern:
// <subject>: <id>: <message>; <fix>, or acknowledge it".
func findingErrors(fs []netplan.Finding) []error {
	var errs []error
	for _, f := range fs {
		if f.IsBlocking() {
			errs = append(errs, fmt.Errorf("pattern: %s: %s: %s; %s (or acknowledge it: Acknowledge(%q, %q, reason))", f.Subject, f.ID, f.Message, f.Fix, f.ID, f.Subject))
		}
	}
	return errs
}

func (d *design) validate() []error {
	return slices.Concat(d.validateNet(), d.validateTiers(), d.validateLBs(), d.validateClusters(),
		d.validateDatabases(), d.validateCaches(), d.validateBrokers(), d.validateGrants(), d.validateEndpoints(), d.validateTargets(), d.validateFlows(), d.validateVPNs(), d.validateSnapshots(), d.validateAcknowledgements())
}

// validateAcknowledgements checks that each acknowledgement names a check
// (a PT or BP check of [Checks], or one of netplan's NP findings), a
// subject and a reason.
func (d *design) validateAcknowledgements() []error {
	var errs []error
	for i, a := range d.arch.Acknowledgements {
		f := fmt.Sprintf("acknowledgements[%d]", i)
		if c := checkByID(a.ID); c.Name == "" && !isNetplanID(a.ID) {
			errs = append(errs, errf(f+".id", fmt.Sprintf("%q", a.ID), "no such check", "copy the id from the finding (PT014, BP001, NP003...)"))
		}
		if a.Subject == "" {
			errs = append(errs, errf(f+".subject", `""`, "empty", "copy the subject from the finding: one resource, tier or flow"))
		}
		if strings.TrimSpace(a.Reason) == "" {
			errs = append(errs, errf(f+".reason", fmt.Sprintf("%q", a.Reason), "empty", "say why the finding is accepted: the plan shows it"))
		}
	}
	return errs
}

// isNetplanID reports whether s is the id of one of netplan's findings,
// NP001 to NP013.
func isNetplanID(s string) bool {
	var n int
	_, err := fmt.Sscanf(s, "NP%03d", &n)
	return err == nil && len(s) == 5 && n >= 1 && n <= 13
}

// validateNet checks the deployment and Net names, the CIDR and the zones.
func (d *design) validateNet() []error {
	a := d.arch
	var errs []error
	var de *blueprint.DeploymentError
	if errors.As(blueprint.CheckDeployment(a.Name), &de) {
		// The name tags every resource and names the lock: the rules
		// of blueprint.CheckDeployment, which the engine and every
		// driver apply too.
		errs = append(errs, errf("name", fmt.Sprintf("%q", a.Name), de.Problem, de.Fix))
	}
	if a.NetName != "" {
		if err := tier.CheckName(a.NetName); err != nil {
			errs = append(errs, errf("net_name", fmt.Sprintf("%q", a.NetName), err.Error(), "use letters, digits and '-'"))
		}
	}
	if !a.CIDR.IsValid() {
		if len(a.errs) == 0 {
			errs = append(errs, errf("cidr", `""`, "no address range", "set CIDR, e.g. 10.0.0.0/16"))
		}
	} else if err := a.planProfile().CheckNet(a.CIDR); err != nil {
		errs = append(errs, fmt.Errorf("pattern: cidr: %w", err))
	}
	seen := map[string]bool{}
	for i, z := range d.zones {
		if err := checkZone(z); err != nil {
			errs = append(errs, errf(fmt.Sprintf("zones[%d]", i), fmt.Sprintf("%q", z), err.Error(), `use a zone letter such as "a" or a full zone name`))
		}
		if seen[z] {
			errs = append(errs, errf(fmt.Sprintf("zones[%d]", i), z, "duplicate zone", "list each zone once"))
		}
		seen[z] = true
	}
	return errs
}

// validateTiers checks each tier, its name and its zones, and indexes the
// tiers by name.
func (d *design) validateTiers() []error {
	var errs []error
	for i := range d.arch.Tiers {
		t := &d.arch.Tiers[i]
		if err := t.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("pattern: tiers[%d]: %w", i, err))
		}
		if _, dup := d.tiers[t.Name]; dup {
			errs = append(errs, errf(fmt.Sprintf("tiers[%d].name", i), t.Name, "duplicate tier name", "give every tier its own name"))
		}
		d.tiers[t.Name] = t
		for j, z := range t.Zones {
			if !slices.Contains(d.zones, z) {
				errs = append(errs, errf(fmt.Sprintf("tiers[%d].zones[%d]", i, j), z, "not a zone of the net", fmt.Sprintf("use one of %v or add it to Zones", d.zones)))
			}
		}
	}
	return errs
}

// validateLBs checks each load balancer, its name and its home tier, and
// indexes them by name.
func (d *design) validateLBs() []error {
	var errs []error
	for i := range d.arch.LBs {
		lb := &d.arch.LBs[i]
		f := fmt.Sprintf("lbs[%d]", i)
		if err := lb.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("pattern: %s: %w", f, err))
		}
		if _, dup := d.lbs[lb.Name]; dup {
			errs = append(errs, errf(f+".name", lb.Name, "duplicate load balancer name", "give every load balancer its own name"))
		}
		if _, clash := d.tiers[lb.Name]; clash {
			errs = append(errs, errf(f+".name", lb.Name, "a tier has the same name", "flows name tiers and load balancers alike: rename one"))
		}
		d.lbs[lb.Name] = lb
		if lb.Tier == "" {
			continue
		}
		if home, ok := d.tiers[lb.Tier]; !ok {
			errs = append(errs, errf(f+".tier", lb.Tier, "no such tier", "add the tier that holds the load balancer's subnets"))
		} else if lb.Scheme == tier.InternetFacing && home.Exposure != netplan.Public {
			errs = append(errs, errf(f+".tier", lb.Tier, "an internet-facing load balancer in "+home.Exposure.String()+" tier "+lb.Tier, "put it in a public tier or make it internal"))
		}
	}
	return errs
}

// validateClusters checks each cluster and its tier, one per tier.
func (d *design) validateClusters() []error {
	var errs []error
	for i := range d.arch.Clusters {
		c := &d.arch.Clusters[i]
		errs = append(errs, d.validateService(fmt.Sprintf("clusters[%d]", i), c.Validate(), c.Tier, "cluster", d.clusters[c.Tier] != nil)...)
		d.clusters[c.Tier] = c
		if t := d.tiers[c.Tier]; c.FloatingIP && t != nil && t.Exposure != netplan.Public {
			errs = append(errs, errf("cluster["+c.Tier+"].floating_ip", "true", "a public IP for nodes of "+t.Exposure.String()+" tier "+c.Tier+", which has no route from the internet",
				"make the tier public (netplan.Public), or put a load balancer in front"))
		}
	}
	return errs
}

// validateDatabases checks each managed database and its tier, one per
// tier.
func (d *design) validateDatabases() []error {
	var errs []error
	for i := range d.arch.Databases {
		db := &d.arch.Databases[i]
		errs = append(errs, d.validateService(fmt.Sprintf("databases[%d]", i), db.Validate(), db.Tier, "database", d.dbs[db.Tier] != nil)...)
		d.dbs[db.Tier] = db
	}
	return errs
}

// validateService reports what is wrong with a service (a cluster or a
// database) at field f: its own error, a tier that does not exist, a
// second service of its kind in one tier.
func (d *design) validateService(f string, err error, tierName, what string, dup bool) []error {
	var errs []error
	if err != nil {
		errs = append(errs, fmt.Errorf("pattern: %s: %w", f, err))
	}
	if _, ok := d.tiers[tierName]; !ok && tierName != "" {
		errs = append(errs, errf(f+".tier", tierName, "no such tier", "add the tier or fix the name"))
	}
	if dup {
		errs = append(errs, errf(f+".tier", tierName, "second "+what+" in one tier", "one service per subnet: give it a tier of its own"))
	}
	return errs
}

// validateTargets checks that each load balancer's target tier exists and
// has a cluster.
func (d *design) validateTargets() []error {
	var errs []error
	for i := range d.arch.LBs {
		lb := &d.arch.LBs[i]
		if lb.Target == "" {
			continue
		}
		if _, ok := d.tiers[lb.Target]; !ok {
			errs = append(errs, errf(fmt.Sprintf("lbs[%d].target", i), lb.Target, "no such tier", "name the tier whose cluster receives the traffic"))
		} else if _, ok := d.clusters[lb.Target]; !ok {
			errs = append(errs, errf(fmt.Sprintf("lbs[%d].target", i), lb.Target, "tier has no cluster to balance", "add a tier.Cluster for it (databases and buses are clustered, not balanced)"))
		}
	}
	return errs
}

// validateFlows checks the peer names and the endpoints of the flows and
// of the links.
func (d *design) validateFlows() []error {
	a := d.arch
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(a.Peers)) {
		if strings.ContainsAny(name, " :/,") || name == "" {
			errs = append(errs, errf("peers", fmt.Sprintf("%q", name), "bad peer name", "use letters, digits and '-'"))
		}
	}
	for i, f := range a.Flows {
		errs = append(errs, d.checkEndpoint(fmt.Sprintf("flows[%d].from", i), f.From, true)...)
		errs = append(errs, d.checkEndpoint(fmt.Sprintf("flows[%d].to", i), f.To, false)...)
	}
	for i, l := range a.Links {
		errs = append(errs, d.checkLink(i, l)...)
	}
	return errs
}

// checkLink checks both ends of links[i] and that its target has ports.
func (d *design) checkLink(i int, l Link) []error {
	var errs []error
	for _, side := range []struct {
		field, s string
		from     bool
	}{{"from", l.From, true}, {"to", l.To, false}} {
		e, err := parseEndpoint(side.s)
		if err != nil {
			errs = append(errs, errf(fmt.Sprintf("links[%d].%s", i, side.field), fmt.Sprintf("%q", side.s), err.Error(), `use a tier or load balancer name, "internet", "peer:<name>" or a CIDR`))
			continue
		}
		errs = append(errs, d.checkEndpoint(fmt.Sprintf("links[%d].%s", i, side.field), e, side.from)...)
	}
	if t, ok := d.tiers[l.To]; ok && len(d.listenPorts(t)) == 0 {
		errs = append(errs, errf(fmt.Sprintf("links[%d].to", i), l.To, "tier has no ports to connect to", "give Connect the ports or set the tier's Ports"))
	}
	return errs
}

func checkZone(z string) error {
	if z == "" {
		return errors.New("empty zone")
	}
	for _, r := range z {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("character %q not allowed", r)
		}
	}
	return nil
}

// parseEndpoint parses the endpoint syntax of netplan.ParseFlow.
func parseEndpoint(s string) (netplan.Endpoint, error) {
	f, err := netplan.ParseFlow(s + " -> x tcp/1")
	if err != nil {
		return netplan.Endpoint{}, errors.New("not an endpoint")
	}
	return f.From, nil
}

func (d *design) checkEndpoint(field string, e netplan.Endpoint, from bool) []error {
	switch e.Kind {
	case netplan.EndpointTier:
		_, isTier := d.tiers[e.Name]
		_, isLB := d.lbs[e.Name]
		switch {
		case !isTier && !isLB:
			return []error{errf(field, e.Name, "no such tier or load balancer", "add it or fix the name")}
		case isLB && from:
			return []error{errf(field, e.Name, "a load balancer only forwards to its target", "make the flow start at a tier, or set the load balancer's Target")}
		}
	case netplan.EndpointPeer:
		declared, ok := d.arch.Peers[e.Name]
		switch {
		case len(e.Prefixes) > 0:
		case ok && len(declared) == 0:
			return []error{errf(field, "peer:"+e.Name, "peer declared without prefixes", "give Peer(name, prefixes...) the peer's address blocks")}
		case !ok:
			return []error{errf(field, "peer:"+e.Name, "unknown peer", "declare it with Peer(name, prefixes...)")}
		default:
			return d.unroutedPeer(field, e.Name)
		}
	}
	return nil
}

func (d *design) allocate() error {
	a := d.arch
	if !a.CIDR.IsValid() || len(a.Tiers) == 0 {
		if len(a.Tiers) == 0 {
			return errf("tiers", "[]", "no tier", "add at least one tier")
		}
		return nil
	}
	reqs := make([]netplan.Request, 0, len(a.Tiers))
	for i := range a.Tiers {
		t := &a.Tiers[i]
		f := fmt.Sprintf("tiers[%d]", i)
		r := netplan.Request{Name: t.Name, Bits: t.SubnetBits, Hosts: t.Hosts, Headroom: t.Headroom, Zones: a.tierZones(t),
			Fields: netplan.RequestFields{Request: f, Bits: f + ".subnet_bits", Hosts: f + ".hosts", Headroom: f + ".headroom"}}
		if r.Bits == 0 && r.Hosts == 0 {
			r.Bits = DefaultSubnetBits
		}
		reqs = append(reqs, r)
	}
	pinned, holds, errs := d.pins(reqs)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	plan, err := netplan.NewPlanner(a.CIDR, a.planProfile(), pinned...).Allocate(append(reqs, holds...))
	if err != nil && len(holds) > 0 && errors.Is(err, netplan.ErrNoSpace) {
		return fmt.Errorf("pattern: subnets: %w; the deployed subnets of removed tiers or zones (%s) keep their range until the apply deletes them: apply the removal first, then the addition", err, heldRanges(holds, pinned))
	}
	if err != nil {
		return fmt.Errorf("pattern: subnets: %w", err)
	}
	if errs := d.checkReleased(plan); len(errs) > 0 {
		return errors.Join(errs...)
	}
	d.plan = plan
	return nil
}

func (d *design) derive() error {
	a := d.arch
	d.flows = dedupFlows(d.declaredFlows())
	topo := netplan.Topology{Net: a.CIDR, Zones: d.zones, Peers: a.Peers, VPNs: a.vpnNames(), Peerings: a.peeringLinks(), VPNLinks: a.vpnLinkNames(), Flows: d.flows,
		Services: DeriveEndpoints(a.Tiers, d.serviceUses(), a.Endpoints)}
	for i := range a.Tiers {
		t := &a.Tiers[i]
		g := netplan.Group{Name: t.Name, Exposure: t.Exposure}
		for _, z := range a.tierZones(t) {
			p, _ := d.plan.Lookup(t.Name, z)
			g.Subnets = append(g.Subnets, netplan.Subnet{Zone: z, Prefix: p})
		}
		topo.Groups = append(topo.Groups, g)
	}
	for i := range a.LBs {
		lb := &a.LBs[i]
		b := netplan.Balancer{Name: lb.Name, Group: lb.Tier, Target: lb.Target, HealthCheckPort: lb.EffectiveHealthCheck().Port}
		for _, li := range lb.Listeners {
			b.Listeners = append(b.Listeners, netplan.Listener{Protocol: listenerProtocol(li.Protocol), Port: li.Port, TargetPort: li.TargetPort})
		}
		topo.Balancers = append(topo.Balancers, b)
	}
	opts := netplan.Options{Profile: a.Profile, Sources: a.Sources, Egress: a.Egress, NAT: a.NAT,
		Ephemeral: a.Ephemeral, AllowSSHFromAnywhere: a.AllowSSHFromAnywhere}
	rules, err := netplan.Derive(topo, opts)
	if err != nil {
		return fmt.Errorf("pattern: rules: %w", err)
	}
	d.rules = rules
	return nil
}

// declaredFlows returns the flows of the architecture with their original
// endpoints (load balancers by name): the user's flows, the links on the
// destination's own ports, the internet's traffic to the listeners of
// internet-facing load balancers, and the peer flows of the tiers whose
// nodes archkit runs (a cluster, or a database's fallback cluster), so
// that those nodes can form a cluster. netplan derives each load
// balancer's traffic to its targets.
func (d *design) declaredFlows() []netplan.Flow {
	a := d.arch
	flows := slices.Clone(a.Flows)
	for _, l := range a.Links {
		from, _ := parseEndpoint(l.From)
		to, _ := parseEndpoint(l.To)
		if t, ok := d.tiers[l.To]; ok {
			for _, p := range d.listenPorts(t) {
				flows = append(flows, netplan.Flow{From: from, To: to, Protocol: p.Protocol, Ports: p.Range, Description: p.Name})
			}
		} else if lb, ok := d.lbs[l.To]; ok {
			for _, li := range lb.Listeners {
				flows = append(flows, netplan.Flow{From: from, To: to, Protocol: listenerProtocol(li.Protocol), Ports: netplan.Port(li.Port)})
			}
		}
	}
	for i := range a.LBs {
		lb := &a.LBs[i]
		if lb.Scheme == tier.InternetFacing {
			for _, li := range lb.Listeners {
				flows = append(flows, netplan.Flow{From: netplan.Internet(), To: netplan.Tier(lb.Name), Protocol: listenerProtocol(li.Protocol), Ports: netplan.Port(li.Port), Description: "listener of " + lb.Name})
			}
		}
	}
	for i := range a.Tiers {
		t := &a.Tiers[i]
		switch {
		case d.brokers[t.Name] != nil && d.runsNodes(t.Name):
			flows = append(flows, brokerPeerFlows(t)...)
		case d.runsNodes(t.Name):
			flows = append(flows, t.PeerFlows()...)
		}
	}
	return flows
}

// runsNodes reports whether archkit runs the nodes of tier name: it has a
// cluster, or a managed database or cache that falls back to a cluster.
func (d *design) runsNodes(name string) bool {
	if _, ok := d.clusters[name]; ok {
		return true
	}
	// On AWS the managed cache and database always exist: their
	// fallbacks' peer ports (Galera's, Redis's) would open the tier's
	// group to itself for nothing, as RDS and ElastiCache replicate on
	// the cloud's own network.
	if d.arch.Profile.Name == netplan.AWS.Name {
		return false
	}
	if c, ok := d.caches[name]; ok && c.FallbackToCluster {
		return true
	}
	if b, ok := d.brokers[name]; ok && b.FallbackToCluster {
		return true
	}
	db, ok := d.dbs[name]
	return ok && db.FallbackToCluster
}

func listenerProtocol(p string) netplan.Protocol {
	if p == "UDP" {
		return netplan.ProtocolUDP
	}
	return netplan.ProtocolTCP
}

func dedupFlows(fs []netplan.Flow) []netplan.Flow {
	seen := make(map[string]bool, len(fs))
	out := fs[:0]
	for _, f := range fs {
		k := flowKey(f.From, f.To) + "|" + string(f.Protocol) + "|" + f.Ports.String()
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

// flowKey identifies the two endpoints of a flow.
func flowKey(from, to netplan.Endpoint) string {
	return from.Kind.String() + ":" + from.String() + ">" + to.Kind.String() + ":" + to.String()
}

// Resource ids: "<kind>/<name>[/<zone>]".
func id(k blueprint.Kind, parts ...string) string {
	return string(k) + "/" + strings.Join(parts, "/")
}

func (d *design) blueprint() *blueprint.Blueprint {
	a := d.arch
	b := &bpBuilder{d: d, netID: id(blueprint.KindNet, d.net), igwID: id(blueprint.KindInternetGateway, d.net),
		subnets: map[string][]blueprint.Ref{}, lbsOf: map[string][]blueprint.Ref{}}
	b.bp = &blueprint.Blueprint{Schema: blueprint.SchemaV2, Deployment: a.Name,
		Resources: make([]blueprint.Resource, 0, 4+8*len(a.Tiers)*len(d.zones)+4*len(a.LBs))}
	b.add(blueprint.Resource{ID: b.netID, Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: a.CIDR, KeepDefaultSecurityGroupRules: a.KeepDefaultSecurityGroupRules}})
	b.flowLogs()
	b.subnetsAndGateways()
	b.vpns()
	b.netPeerings()
	b.vpnLinks()
	b.routeTables()
	d.securityGroups(b.add, b.netID)
	b.netEndpoints()
	b.networkACLs()
	b.loadBalancers()
	b.clusters()
	b.databases()
	b.caches()
	b.brokers()
	b.snapshots()
	b.dependencies()
	cleanDescriptions(b.bp)
	return b.bp
}

// bpBuilder adds the resources of a design to a Blueprint, one kind of
// network piece or service at a time.
type bpBuilder struct {
	d            *design
	bp           *blueprint.Blueprint
	netID, igwID string
	hasPublic    bool
	subnets      map[string][]blueprint.Ref // tier -> subnet ids in zone order
	lbsOf        map[string][]blueprint.Ref // target tier -> load balancer ids
}

func (b *bpBuilder) add(r blueprint.Resource) { b.bp.Resources = append(b.bp.Resources, r) }

// subnetsAndGateways adds one subnet per tier and zone, the internet
// gateway when a tier is public, and the NAT gateways with their public
// IPs.
func (b *bpBuilder) subnetsAndGateways() {
	a, d := b.d.arch, b.d
	for i := range a.Tiers {
		t := &a.Tiers[i]
		b.hasPublic = b.hasPublic || t.Exposure == netplan.Public
		for _, z := range a.tierZones(t) {
			p, _ := d.plan.Lookup(t.Name, z)
			sid := id(blueprint.KindSubnet, t.Name, z)
			b.subnets[t.Name] = append(b.subnets[t.Name], blueprint.Ref(sid))
			b.add(blueprint.Resource{ID: sid, Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{Net: blueprint.Ref(b.netID), CIDR: p, Zone: z, Tier: t.Name,
				Public: t.Exposure == netplan.Public && d.runsNodes(t.Name)}})
		}
	}
	if b.hasPublic {
		b.add(blueprint.Resource{ID: b.igwID, Kind: blueprint.KindInternetGateway, InternetGateway: &blueprint.InternetGatewaySpec{Net: blueprint.Ref(b.netID)}})
	}
	for _, n := range d.rules.NATs {
		ipID, natID := id(blueprint.KindPublicIP, "nat", n.Zone), id(blueprint.KindNATGateway, "nat", n.Zone)
		b.add(blueprint.Resource{ID: ipID, Kind: blueprint.KindPublicIP, PublicIP: &blueprint.PublicIPSpec{Zone: n.Zone}})
		b.add(blueprint.Resource{ID: natID, Kind: blueprint.KindNATGateway, NATGateway: &blueprint.NATGatewaySpec{
			Subnet: blueprint.Ref(id(blueprint.KindSubnet, n.Group, n.Zone)), PublicIP: blueprint.Ref(ipID), InternetGateway: blueprint.Ref(b.igwID),
			PublicRoute: blueprint.Ref(id(blueprint.KindRouteTable, n.Group, n.Zone)), Zone: n.Zone}})
	}
}

// routeTables adds one route table per subnet with its routes to the
// internet gateway or the zone's NAT gateway (the local route is
// implicit).
func (b *bpBuilder) routeTables() {
	for _, rt := range b.d.rules.RouteTables {
		spec := &blueprint.RouteTableSpec{Net: blueprint.Ref(b.netID), Subnet: blueprint.Ref(id(blueprint.KindSubnet, rt.Group, rt.Zone))}
		for _, r := range rt.Routes {
			if r.Target.Kind == netplan.TargetLocal {
				continue
			}
			kind, target := b.routeTarget(r.Target)
			spec.Routes = append(spec.Routes, blueprint.RouteSpec{Destination: r.Destination, TargetKind: kind, Target: target})
		}
		b.add(blueprint.Resource{ID: id(blueprint.KindRouteTable, rt.Group, rt.Zone), Kind: blueprint.KindRouteTable, RouteTable: spec})
	}
}

// networkACLs adds one network ACL per tier the profile derives one for.
func (b *bpBuilder) networkACLs() {
	for _, acl := range b.d.rules.ACLs {
		b.add(blueprint.Resource{ID: id(blueprint.KindNetworkACL, acl.Name), Kind: blueprint.KindNetworkACL, NetworkACL: &blueprint.NetworkACLSpec{
			Net: blueprint.Ref(b.netID), Subnets: slices.Clone(b.subnets[acl.Name]),
			Inbound: aclEntries(acl.Inbound), Outbound: aclEntries(acl.Outbound)}})
	}
}

// loadBalancers adds the load balancers, in the subnets of their home
// tier, each with its own security group.
func (b *bpBuilder) loadBalancers() {
	a := b.d.arch
	for i := range a.LBs {
		lb := &a.LBs[i]
		lbID := id(blueprint.KindLoadBalancer, lb.Name)
		b.lbsOf[lb.Target] = append(b.lbsOf[lb.Target], blueprint.Ref(lbID))
		spec := &blueprint.LoadBalancerSpec{Name: LBName(a.Name, lb.Name), Scheme: string(lb.Scheme), Type: string(lb.Type),
			Subnets: slices.Clone(b.subnets[lb.Tier]), SecurityGroups: []blueprint.Ref{blueprint.Ref(id(blueprint.KindSecurityGroup, lb.Name))}}
		for _, l := range lb.Listeners {
			spec.Listeners = append(spec.Listeners, blueprint.ListenerSpec(l))
		}
		spec.HealthCheck = blueprint.HealthCheckSpec(lb.EffectiveHealthCheck())
		spec.PlainHTTP, spec.TLSPolicy, spec.KeepInvalidHeaders, spec.AllowDeletion = lb.PlainHTTP, lb.TLSPolicy, lb.KeepInvalidHeaders, lb.AllowDeletion
		b.add(blueprint.Resource{ID: lbID, Kind: blueprint.KindLoadBalancer, LoadBalancer: spec})
	}
}

// clusters adds the clusters, registered with the load balancers that
// target their tier.
func (b *bpBuilder) clusters() {
	for i := range b.d.arch.Clusters {
		c := &b.d.arch.Clusters[i]
		spec := b.d.clusterSpec(c, b.subnets[c.Tier])
		spec.ImageCopy = b.imageCopy(c)
		spec.Backup = b.d.snapshotTag(c.Tier)
		if c.PerZone { // one node per zone: a subnet per zone
			n := len(spec.Subnets)
			spec.Min, spec.Desired, spec.Max = n, n, n
		}
		if c.SSHPublicKey != "" {
			kp := id(blueprint.KindKeyPair, c.Tier)
			b.add(blueprint.Resource{ID: kp, Kind: blueprint.KindKeyPair, KeyPair: &blueprint.KeyPairSpec{
				Name: b.d.arch.Name + "-" + c.Tier + "-" + c.SSHPublicKey.ShortHash(), PublicKey: c.SSHPublicKey.Canonical()}})
			spec.KeyPair = blueprint.Ref(kp)
		}
		spec.LoadBalancers = b.lbsOf[c.Tier]
		spec.InstanceRole = b.instanceRole(c)
		slices.Sort(spec.LoadBalancers)
		if c.FloatingIP {
			ipID := id(blueprint.KindPublicIP, c.Tier)
			b.add(blueprint.Resource{ID: ipID, Kind: blueprint.KindPublicIP, PublicIP: &blueprint.PublicIPSpec{}})
			spec.PublicIP = blueprint.Ref(ipID)
		}
		for _, r := range spec.LoadBalancers {
			lb := b.d.lbs[strings.TrimPrefix(string(r), string(blueprint.KindLoadBalancer)+"/")]
			if len(lb.Listeners) > 0 && spec.TargetPort == 0 {
				spec.TargetPort = lb.Listeners[0].TargetPort
			}
		}
		b.add(blueprint.Resource{ID: id(blueprint.KindCluster, c.Tier), Kind: blueprint.KindCluster, Cluster: spec})
	}
}

// databases adds the managed databases with their fallback clusters.
func (b *bpBuilder) databases() {
	for i := range b.d.arch.Databases {
		db := &b.d.arch.Databases[i]
		groups := []blueprint.Ref{blueprint.Ref(id(blueprint.KindSecurityGroup, db.Tier))}
		spec := &blueprint.DatabaseSpec{Engine: string(db.Engine), EngineVersion: db.Version, InstanceClass: db.Class,
			StorageGiB: db.StorageGiB, MultiAZ: db.MultiAZ,
			BackupRetentionDays: db.BackupRetentionDays, Encrypted: db.Encrypted, Port: db.ListenPort(),
			Username: db.Username, Subnets: slices.Clone(b.subnets[db.Tier]), SecurityGroups: groups}
		if db.FallbackToCluster {
			fb := db.Fallback
			fb.Tier = db.Tier
			fb.Stateless = false
			fb.Scaling = nil // a database cluster keeps its size
			spec.Fallback = b.d.clusterSpec(&fb, b.subnets[db.Tier])
			spec.Fallback.ImageCopy = b.imageCopy(&fb)
			spec.Fallback.Backup = b.d.snapshotTag(db.Tier) // refused by PT033
		}
		dbID := id(blueprint.KindDatabase, db.Tier)
		if region, ok := b.d.arch.ReplicaSources[db.Tier]; ok {
			spec.ReplicaOf = &blueprint.DatabaseSource{Region: region, Database: dbID}
		}
		b.add(blueprint.Resource{ID: dbID, Kind: blueprint.KindDatabase, Database: spec})
		// Each read replica is a resource of its own, so that adding or
		// removing one never touches the database.
		for n := 1; n <= db.ReadReplicas; n++ {
			b.add(blueprint.Resource{ID: id(blueprint.KindDatabaseReplica, db.Tier, strconv.Itoa(n)), Kind: blueprint.KindDatabaseReplica,
				DatabaseReplica: &blueprint.DatabaseReplicaSpec{Source: blueprint.Ref(dbID), InstanceClass: db.Class, SecurityGroups: slices.Clone(groups)}})
		}
	}
}

// dependencies sorts the resources by id and derives each one's
// DependsOn from its refs.
func (b *bpBuilder) dependencies() {
	slices.SortFunc(b.bp.Resources, func(x, y blueprint.Resource) int { return strings.Compare(x.ID, y.ID) })
	for i := range b.bp.Resources {
		r := &b.bp.Resources[i]
		r.DependsOn = r.Dependencies()
		// An internet-facing load balancer needs the Net's internet
		// gateway before it is created (AWS and OUTSCALE refuse it
		// otherwise), though its spec does not name the gateway; deleted,
		// it goes before the gateway.
		// So does a cluster of a public tier: its nodes get public IPs
		// (the subnet maps them at launch, or a floating IP), and the
		// clouds refuse to detach the gateway while a node of the Net has
		// one (AWS DependencyViolation "has some mapped public
		// address(es)"; OUTSCALE refuses to unlink it).
		if b.needsGateway(r) {
			r.DependsOn = append(r.DependsOn, b.igwID)
			slices.Sort(r.DependsOn)
			r.DependsOn = slices.Compact(r.DependsOn)
		}
	}
}

// needsGateway reports whether r needs the Net's internet gateway though
// its spec does not name it ([blueprint.Resource.HoldsPublicIPs]).
func (b *bpBuilder) needsGateway(r *blueprint.Resource) bool {
	return b.hasPublic && r.HoldsPublicIPs(func(ref blueprint.Ref) *blueprint.SubnetSpec {
		if s, ok := b.bp.Resource(string(ref)); ok {
			return s.Subnet
		}
		return nil
	})
}

func (d *design) clusterSpec(c *tier.Cluster, subnets []blueprint.Ref) *blueprint.ClusterSpec {
	s := &blueprint.ClusterSpec{Tier: c.Tier, Subnets: slices.Clone(subnets), SecurityGroups: []blueprint.Ref{blueprint.Ref(id(blueprint.KindSecurityGroup, c.Tier))},
		Image: c.Image, InstanceType: c.InstanceType, UserData: c.UserData,
		Min: c.Min, Desired: c.Desired, Max: c.Max, Stateless: c.Stateless,
		AllowIMDSv1: c.AllowIMDSv1, MetadataHopLimit: c.MetadataHopLimit, UnencryptedVolumes: c.UnencryptedVolumes, VolumeKMSKey: c.VolumeKMSKey,
		InstanceProfile: c.InstanceProfile}
	if c.Scaling != nil {
		s.Scaling = &blueprint.ScalingSpec{TargetCPUPercent: c.Scaling.TargetCPUPercent, WarmupSeconds: c.Scaling.WarmupSeconds}
	}
	return s
}

func aclEntries(es []netplan.ACLEntry) []blueprint.ACLEntrySpec {
	out := make([]blueprint.ACLEntrySpec, 0, len(es))
	for _, e := range es {
		out = append(out, blueprint.ACLEntrySpec{Number: e.Number, Allow: e.Action == netplan.Allow, Protocol: e.Protocol,
			FromPort: e.Ports.From, ToPort: e.Ports.To, CIDR: e.Prefix})
	}
	return out
}

func ruleSpec(r netplan.SGRule) blueprint.RuleSpec {
	s := blueprint.RuleSpec{Protocol: r.Protocol, FromPort: r.Ports.From, ToPort: r.Ports.To, CIDR: r.Prefix, PrefixList: r.PrefixList, Description: r.Description}
	if r.Group != "" {
		s.Group = blueprint.Ref(id(blueprint.KindSecurityGroup, r.Group))
	}
	return s
}

// securityGroups adds one security group and one rule set per tier and per
// load balancer, as netplan derived them: a tier behind a load balancer
// accepts its target ports from the balancer's group only.
func (d *design) securityGroups(add func(blueprint.Resource), netID string) {
	a := d.arch
	for _, g := range d.rules.Groups {
		sgID := id(blueprint.KindSecurityGroup, g.Name)
		desc := "archkit " + a.Name + " tier " + g.Name
		if g.Balancer {
			desc = "archkit " + a.Name + " load balancer " + g.Name
		} else if g.Service != "" {
			desc = "archkit " + a.Name + " endpoint to " + g.Service
		} else if t := d.tiers[g.Name]; t != nil && t.Description != "" {
			desc += ": " + t.Description
		}
		add(blueprint.Resource{ID: sgID, Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
			Net: blueprint.Ref(netID), Name: a.Name + "-" + g.Name, Description: desc}})
		rs := &blueprint.SecurityGroupRulesSpec{Group: blueprint.Ref(sgID), Inbound: ruleSpecs(g.Inbound), Outbound: ruleSpecs(g.Outbound)}
		add(blueprint.Resource{ID: id(blueprint.KindSecurityGroupRules, g.Name), Kind: blueprint.KindSecurityGroupRules, SecurityGroupRules: rs})
	}
}

// ruleSpecs returns the rules rs as rule specs, in netplan's order.
func ruleSpecs(rs []netplan.SGRule) []blueprint.RuleSpec {
	out := make([]blueprint.RuleSpec, 0, len(rs))
	for _, r := range rs {
		out = append(out, ruleSpec(r))
	}
	return out
}

// LBName returns the cloud name of load balancer lb of deployment:
// "<deployment>-<lb>" with every character outside [a-zA-Z0-9-] replaced
// by '-', at most 32 characters (the AWS and OUTSCALE limit). A longer
// name keeps its first 23 characters and ends with '-' and 8 hex digits of
// a SHA-256 of the full name, so distinct names stay distinct.
//
// LBName("shop", "web") is "shop-web".
func LBName(deployment, lb string) string {
	full := deployment + "-" + lb
	b := []byte(full)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			b[i] = '-'
		}
	}
	name := strings.Trim(string(b), "-")
	if name == full && len(name) <= 32 {
		return name
	}
	sum := sha256.Sum256([]byte(full))
	head := strings.TrimRight(name[:min(len(name), 23)], "-")
	return head + "-" + hex.EncodeToString(sum[:4])
}
