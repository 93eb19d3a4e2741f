package netplan

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Query asks whether From can open a connection to To on Protocol and
// Port (Port is ignored for icmp and all).
//
// To is written like a flow's endpoint (see [ParseFlow]): the name of a
// tier or of a balancer of Topology.Balancers, or, from a tier, a
// destination outside the tiers: "internet", CIDRs such as
// "203.0.113.0/24", "peer:<name>", or "service:<name>" for a cloud
// service ("service:s3", "service:sqs"; see [ServiceEndpoint]). A query
// to a balancer follows the connection through it to its targets.
type Query struct {
	From     Endpoint `json:"from"`
	To       string   `json:"to"`
	Protocol Protocol `json:"protocol"`
	Port     uint16   `json:"port,omitempty"`
}

// Step is one check on the path of a connection.
//
// Layers, in the order they are checked:
//
//	security-group-out  the source's security group lets it out
//	acl-out             the source tier's ACL lets it out
//	route               the source's route tables carry it (local route), or,
//	                    from outside the Net, the destination's route tables
//	                    send replies to the internet gateway; to or from a
//	                    peer, the tier's route tables send the peer's blocks
//	                    to the VPN gateway
//	vpn                 the peer's VPN connection carries its blocks
//	acl-in              the destination tier's ACL lets it in
//	security-group-in   the destination's security group lets it in
//	acl-return-out      the destination's ACL lets replies out (the client's
//	                    ephemeral ports)
//	acl-return-in       the source tier's ACL lets replies in
//	listener            a balancer has a listener on the port; the same
//	                    layers then check the balancer's connection to its
//	                    targets on the listener's target port
//
// To a destination outside the Net through a NAT gateway, the source's
// route sends it to the NAT of its zone, and then:
//
//	nat                 a Public subnet of the zone holds the NAT
//	nat-acl-in          the ACL of the NAT's tier lets the request in from
//	                    the source's subnets
//	nat-route           the NAT's route table sends it to the internet gateway
//	nat-acl-out         the NAT's ACL lets it out to the destination
//	nat-acl-return-in   the NAT's ACL lets the replies in on the NAT's ports
//	                    ([NATEphemeral])
//	nat-acl-return-out  the NAT's ACL lets the replies out to the source's
//	                    subnets, on the source's ephemeral ports
//
// before acl-return-in at the source. The ACL layers are skipped when the
// rules have no ACL. A security group or ACL of a balancer's traffic is
// the balancer's group and its home tier's ACL.
type Step struct {
	Layer    string `json:"layer"`
	Resource string `json:"resource"`
	Rule     string `json:"rule"`
	Allowed  bool   `json:"allowed"`
}

// String returns "acl-in db: #100 allow tcp/3306 10.0.2.0/24".
func (s Step) String() string { return s.Layer + " " + s.Resource + ": " + s.Rule }

// Verdict answers a [Query]: Steps is the chain of rules that allows the
// connection (up to the block when it is not allowed) and Blocked the
// first check that refuses it, nil when allowed.
type Verdict struct {
	Allowed bool   `json:"allowed"`
	Steps   []Step `json:"steps"`
	Blocked *Step  `json:"blocked,omitempty"`
}

// String returns "allowed" or "blocked at <step>".
func (v Verdict) String() string {
	if v.Allowed {
		return "allowed"
	}
	if v.Blocked == nil {
		return "blocked"
	}
	return "blocked at " + v.Blocked.String()
}

// CanReach answers q through the security groups, the network ACLs and the
// routes together, like a reachability analyzer: every subnet of the
// source and of the destination must let the connection and its replies
// through. A source outside the Net (the internet or an outside CIDR)
// needs the destination's subnets to route 0.0.0.0/0 to the internet
// gateway (a Public tier); a peer is reached through the VPN gateway when
// it has a VPN (Topology.VPNs), the tier's route tables sending the peer's
// blocks there both for requests and for replies, and is unreachable
// otherwise; tiers and CIDRs inside the Net use the local route. A tier
// reaches the internet through the internet gateway (Public) or through
// the NAT of each subnet's zone (Private), whose tier's ACL must pass the
// request and the replies both ways.
//
// A cloud service ("service:s3") is reached through its endpoint: an
// interface endpoint like a tier (its group, the ACLs of the tier that
// holds it), a gateway endpoint by the source's route tables, which must
// all route to it, its group's rule to the service's prefix list and its
// ACL to 0.0.0.0/0; without an endpoint (or, for a gateway endpoint, a
// route to it), through the internet like "internet".
//
// In the three-tier example, internet -> web tcp/443 and web -> app
// tcp/8080 are allowed; internet -> db tcp/3306 is blocked at the db
// route tables (no route to the internet gateway), web -> db tcp/3306 at
// web's outbound security group.
func (r *Rules) CanReach(q Query) Verdict {
	if r == nil {
		return blocked(nil, Step{Layer: "query", Resource: q.To, Rule: "no rules: call Derive"})
	}
	var ports PortRange
	if q.Protocol.HasPorts() {
		if q.Port == 0 {
			return blocked(nil, Step{Layer: "query", Resource: q.To, Rule: "port 0; give a port in 1-65535"})
		}
		ports = Port(q.Port)
	}
	return r.reach(q.From, q.To, q.Protocol, ports)
}

func blocked(steps []Step, s Step) Verdict {
	return Verdict{Steps: steps, Blocked: &s}
}

// end is one side of a connection as the firewalls see it.
type end struct {
	name string         // tier or balancer name; "" outside the tiers
	sg   int            // index in Groups; -1 outside the tiers
	home int            // index in Topology.Groups (and ACLs) of the tier whose subnets carry it; -1 outside
	ps   []netip.Prefix // its blocks
	ep   Endpoint
	ret  PortRange // its ephemeral ports as a client
}

// endOf resolves e, a source or a named destination, for proto.
func (r *Rules) endOf(e Endpoint, proto Protocol) end {
	x := end{sg: -1, home: -1, ps: r.prefixes(e), ep: e, ret: r.clientPorts(e, proto)}
	if e.Kind == EndpointTier {
		x.name, x.sg, x.home = e.Name, r.sgIndex(e.Name), r.home(e.Name)
	}
	return x
}

func (r *Rules) reach(from Endpoint, to string, proto Protocol, ports PortRange) Verdict {
	query := func(res, rule string) Verdict { return blocked(nil, Step{Layer: "query", Resource: res, Rule: rule}) }
	if !proto.IsValid() {
		return query(to, fmt.Sprintf("unknown protocol %q; use tcp, udp, icmp or all", proto))
	}
	if from.Kind == EndpointTier && r.sgIndex(from.Name) < 0 {
		return query(from.Name, "unknown source tier")
	}
	c := r.endOf(from, proto)
	if len(c.ps) == 0 {
		return query(from.String(), "source has no address")
	}
	w := &walk{r: r, proto: proto, acls: len(r.ACLs) == len(r.topo.Groups)}
	if r.sgIndex(to) >= 0 {
		s := r.endOf(Tier(to), proto)
		if w.hop(c, s, ports) {
			w.throughBalancer(s, ports)
		}
		return w.verdict()
	}
	if name, ok := strings.CutPrefix(to, "service:"); ok {
		if c.sg < 0 || c.sg >= len(r.topo.Groups) {
			return query(from.String(), "only a tier calls a service; ask from a tier")
		}
		w.reachService(c, name, ports)
		return w.verdict()
	}
	dst, err := parseEndpoint("query.to", to)
	switch {
	case err != nil, dst.Kind == EndpointTier:
		return query(to, "unknown tier")
	case c.sg < 0:
		return query(from.String(), "neither side is a tier; ask from a tier")
	case c.sg >= len(r.topo.Groups):
		return query(c.name, "a load balancer opens connections to its targets only; ask about its target tier")
	case dst.Kind == EndpointPeer && len(r.prefixes(dst)) == 0:
		return query(to, "unknown peer")
	case dst.Kind == EndpointCIDR && !r.outside(dst):
		return query(to, "inside the Net; name the destination's tier")
	}
	w.egress(c, dst, ports)
	return w.verdict()
}

// outside reports whether every block of e lies outside the Net.
func (r *Rules) outside(e Endpoint) bool {
	for _, p := range e.Prefixes {
		if r.topo.Net.Overlaps(p) {
			return false
		}
	}
	return true
}

// walk collects the steps of one query.
type walk struct {
	r     *Rules
	proto Protocol
	acls  bool // the rules have network ACLs
	steps []Step
	block *Step
}

func (w *walk) verdict() Verdict {
	if w.block != nil {
		return blocked(w.steps, *w.block)
	}
	return Verdict{Allowed: true, Steps: w.steps}
}

func (w *walk) fail(layer, res, rule string) bool {
	w.block = &Step{Layer: layer, Resource: res, Rule: rule}
	return false
}

func (w *walk) pass(layer, res string, used []string) bool {
	w.steps = append(w.steps, Step{Layer: layer, Resource: res, Rule: strings.Join(used, "; "), Allowed: true})
	return true
}

// sg checks the security group with index gi in direction d against
// every block of peer.
func (w *walk) sg(layer string, gi int, d Direction, ports PortRange, peer end) bool {
	g := w.r.Groups[gi]
	var used []string
	for _, p := range peer.ps {
		rule, ok := g.Allows(d, w.proto, ports, peer.name, p)
		if !ok {
			return w.fail(layer, g.Name, fmt.Sprintf("no %s rule allows %s %s %s", d, protoPorts(w.proto, ports), dirWord(d), p))
		}
		used = appendUnique(used, rule.String())
	}
	return w.pass(layer, g.Name, used)
}

// acl checks the ACL with index ai in direction d against every block of
// ps; it passes when the rules have no ACL.
func (w *walk) acl(layer string, ai int, d Direction, ports PortRange, ps []netip.Prefix) bool {
	if !w.acls || ai < 0 {
		return true
	}
	a := w.r.ACLs[ai]
	var used []string
	for _, p := range ps {
		e, ok := a.Allows(d, w.proto, ports, p)
		if !ok {
			return w.fail(layer, a.Name, fmt.Sprintf("%s matches %s %s %s", e, protoPorts(w.proto, ports), dirWord(d), p))
		}
		used = appendUnique(used, e.String())
	}
	return w.pass(layer, a.Name, used)
}

// route checks that every table sends every block of ps to want.
func (w *walk) route(layer string, tables []RouteTable, ps []netip.Prefix, want TargetKind) bool {
	var used []string
	for _, rt := range tables {
		res := rt.Group + "/" + rt.Zone
		for _, p := range ps {
			route, ok := rt.Lookup(p.Addr())
			if !ok {
				return w.fail(layer, res, fmt.Sprintf("no route to %s", p))
			}
			if route.Target.Kind != want {
				return w.fail(layer, res, fmt.Sprintf("%s goes to %s, not %s", route.Destination, w.targetText(route.Target), want))
			}
			used = appendUnique(used, route.Destination.String()+" -> "+w.targetText(route.Target))
		}
	}
	return w.pass(layer, strings.Join(tableNames(tables), ","), used)
}

// targetText is t as a step names it: a Net peering that is a link over a
// VPN (Topology.VPNLinks) is "vpn-link(<name>)".
func (w *walk) targetText(t RouteTarget) string {
	if t.Kind == TargetNetPeering && slices.Contains(w.r.topo.VPNLinks, t.Peering) {
		return "vpn-link(" + t.Peering + ")"
	}
	return t.String()
}

// hop checks a connection from client c to server s inside the Net or
// from outside it, and its replies.
func (w *walk) hop(c, s end, ports PortRange) bool {
	r := w.r
	if c.home >= 0 && c.home == s.home && len(r.topo.Groups[c.home].Subnets) < 2 {
		// inside one subnet: no network ACL is crossed
		defer func(acls bool) { w.acls = acls }(w.acls)
		w.acls = false
	}
	if c.sg >= 0 && !w.sg("security-group-out", c.sg, Outbound, ports, s) {
		return false
	}
	if !w.acl("acl-out", c.home, Outbound, ports, s.ps) {
		return false
	}
	var ok bool
	switch {
	case c.ep.Kind == EndpointPeer:
		ok = w.peerRoute(r.groupTables(s.home), c.ep.Name, c.ps)
	case r.external(c.ep):
		ok = w.route("route", r.groupTables(s.home), c.ps, TargetInternetGateway)
	case c.home < 0: // a CIDR inside the Net: the server's replies use the local route
		ok = w.route("route", r.groupTables(s.home), c.ps, TargetLocal)
	default:
		ok = w.route("route", r.groupTables(c.home), s.ps, TargetLocal)
	}
	return ok &&
		w.acl("acl-in", s.home, Inbound, ports, c.ps) &&
		w.sg("security-group-in", s.sg, Inbound, ports, c) &&
		w.acl("acl-return-out", s.home, Outbound, c.ret, c.ps) &&
		w.acl("acl-return-in", c.home, Inbound, c.ret, s.ps)
}

// peerRoute checks that peer name is reached through the VPN gateway and
// that every table sends every block ps of the peer there: the request
// from a tier, or the replies to the peer.
func (w *walk) peerRoute(tables []RouteTable, name string, ps []netip.Prefix) bool {
	if !w.r.isRouted(name) {
		return w.fail("route", "peer:"+name, "no VPN or link routes the peer's blocks (finding NP013); give the peer a VPN or link its Net")
	}
	target := w.r.peerTarget(name)
	if !w.route("route", tables, ps, target.Kind) {
		return false
	}
	blocks := make([]string, len(ps))
	for i, p := range ps {
		blocks[i] = p.String()
	}
	if target.Kind == TargetNetPeering && slices.Contains(w.r.topo.VPNLinks, target.Peering) {
		return w.pass("vpn", "peer:"+name, []string{"VPN link " + target.Peering + " carries " + strings.Join(blocks, ", ")})
	}
	if target.Kind == TargetNetPeering {
		return w.pass("peering", "peer:"+name, []string{"Net peering " + target.Peering + " carries " + strings.Join(blocks, ", ")})
	}
	return w.pass("vpn", "peer:"+name, []string{"VPN connection to the peer carries " + strings.Join(blocks, ", ")})
}

// throughBalancer goes on from balancer s, when it is one, to its targets
// on the target port of the listener that took ports.
func (w *walk) throughBalancer(s end, ports PortRange) bool {
	r := w.r
	b, ok := r.balancer(s.name)
	if !ok {
		return true
	}
	if !b.listens(w.proto, ports) {
		var ls []string
		for _, l := range b.Listeners {
			ls = append(ls, l.String())
		}
		return w.fail("listener", b.Name, fmt.Sprintf("no listener takes %s; it listens on %s", protoPorts(w.proto, ports), strings.Join(ls, ", ")))
	}
	var targets []uint16
	for p := int(ports.From); p <= int(ports.To); p++ {
		l, _ := b.listener(w.proto, uint16(p))
		targets = append(targets, l.TargetPort)
	}
	slices.Sort(targets)
	targets = slices.Compact(targets)
	w.pass("listener", b.Name, []string{"listener " + protoPorts(w.proto, ports) + " forwards to " + b.Target})
	lb := r.endOf(Tier(b.Name), w.proto)
	t := r.endOf(Tier(b.Target), w.proto)
	for _, tp := range targets {
		if !w.hop(lb, t, Port(tp)) {
			return false
		}
	}
	return true
}

// egress checks a connection from tier c to dst outside the Net, through
// the internet gateway or the NATs, and its replies.
func (w *walk) egress(c end, dst Endpoint, ports PortRange) bool {
	d := end{sg: -1, home: -1, ps: w.r.prefixes(dst), ep: dst}
	if !w.sg("security-group-out", c.sg, Outbound, ports, d) || !w.acl("acl-out", c.home, Outbound, ports, d.ps) {
		return false
	}
	if dst.Kind == EndpointPeer {
		if !w.peerRoute(w.r.groupTables(c.home), dst.Name, d.ps) {
			return false
		}
	} else if !w.egressRoute(c, d.ps, ports) {
		return false
	}
	return w.acl("acl-return-in", c.home, Inbound, c.ret, d.ps)
}

// egressRoute checks that every route table of c sends every block of ps
// to the internet gateway or to a NAT, then each NAT hop.
func (w *walk) egressRoute(c end, ps []netip.Prefix, ports PortRange) bool {
	r := w.r
	tables := r.groupTables(c.home)
	viaNAT := map[string][]netip.Prefix{} // NAT zone -> source subnets
	var used []string
	for k, rt := range tables {
		res := rt.Group + "/" + rt.Zone
		for _, p := range ps {
			route, ok := rt.Lookup(p.Addr())
			switch {
			case !ok:
				return w.fail("route", res, fmt.Sprintf("no route to %s", p))
			case route.Target.Kind == TargetNATGateway:
				src := r.topo.Groups[c.home].Subnets[k].Prefix
				if !slices.Contains(viaNAT[route.Target.Zone], src) {
					viaNAT[route.Target.Zone] = append(viaNAT[route.Target.Zone], src)
				}
			case route.Target.Kind != TargetInternetGateway:
				return w.fail("route", res, fmt.Sprintf("%s goes to %s, not the internet gateway or a NAT", route.Destination, route.Target))
			}
			used = appendUnique(used, route.Destination.String()+" -> "+route.Target.String())
		}
	}
	w.pass("route", strings.Join(tableNames(tables), ","), used)
	for _, z := range sortedKeys(viaNAT) {
		if !w.natHop(z, viaNAT[z], c.ret, ps, ports) {
			return false
		}
	}
	return true
}

// natHop checks the NAT of zone z: it exists, and its tier's ACL and
// route table carry the request from src to dst and the replies.
func (w *walk) natHop(z string, src []netip.Prefix, ret PortRange, dst []netip.Prefix, ports PortRange) bool {
	r := w.r
	n, ok := r.nat(z)
	if !ok {
		return w.fail("nat", "nat("+z+")", "no Public subnet in zone "+z+" to hold the NAT (finding NP006)")
	}
	w.pass("nat", "nat("+z+")", []string{"in " + n.Group + "/" + z + " " + n.Prefix.String()})
	ni := r.index[n.Group]
	var table []RouteTable
	for _, rt := range r.groupTables(ni) {
		if rt.Zone == z {
			table = append(table, rt)
		}
	}
	natRet := PortRange{}
	if w.proto.HasPorts() {
		natRet = NATEphemeral
	}
	return w.acl("nat-acl-in", ni, Inbound, ports, src) &&
		w.route("nat-route", table, dst, TargetInternetGateway) &&
		w.acl("nat-acl-out", ni, Outbound, ports, dst) &&
		w.acl("nat-acl-return-in", ni, Inbound, natRet, dst) &&
		w.acl("nat-acl-return-out", ni, Outbound, ret, src)
}

func dirWord(d Direction) string {
	if d == Outbound {
		return "to"
	}
	return "from"
}

func appendUnique(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

func tableNames(ts []RouteTable) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Group + "/" + t.Zone
	}
	return out
}

// Reacher is one answer of [Rules.Reachers]: From can open connections on
// Protocol and Ports.
type Reacher struct {
	From     Endpoint  `json:"from"`
	Protocol Protocol  `json:"protocol"`
	Ports    PortRange `json:"ports"`
}

// String returns "internet tcp/443".
func (r Reacher) String() string { return r.From.String() + " " + protoPorts(r.Protocol, r.Ports) }

// Reachers answers "what can reach this tier?" (or balancer): every
// source named by its inbound security-group rules for which
// [Rules.CanReach] holds over the rule's whole port range, sorted by
// source, protocol and ports. A /0 source is reported as the internet, a
// peer's block as the peer and a tier's subnet (SourceCIDR) as the tier.
// It returns nil for an unknown name.
func (r *Rules) Reachers(tier string) []Reacher {
	if r == nil {
		return nil
	}
	gi := r.sgIndex(tier)
	if gi < 0 {
		return nil
	}
	var out []Reacher
	seen := map[string]bool{}
	for _, rule := range r.Groups[gi].Inbound {
		from := r.endpointFor(rule)
		key := from.String() + " " + protoPorts(rule.Protocol, rule.Ports)
		if seen[key] {
			continue
		}
		seen[key] = true
		if r.reach(from, tier, rule.Protocol, rule.Ports).Allowed {
			out = append(out, Reacher{From: from, Protocol: rule.Protocol, Ports: rule.Ports})
		}
	}
	slices.SortFunc(out, func(a, b Reacher) int {
		if c := strings.Compare(a.From.String(), b.From.String()); c != 0 {
			return c
		}
		if c := cmp.Compare(protoRank(a.Protocol), protoRank(b.Protocol)); c != 0 {
			return c
		}
		return ComparePortRange(a.Ports, b.Ports)
	})
	return out
}

// endpointFor names the source of an inbound rule.
func (r *Rules) endpointFor(rule SGRule) Endpoint {
	if rule.Group != "" {
		return Tier(rule.Group)
	}
	if rule.Prefix.Bits() == 0 {
		return Internet()
	}
	for _, name := range sortedKeys(r.topo.Peers) {
		for _, p := range r.topo.Peers[name] {
			if coversPrefix(p, rule.Prefix) {
				return Peer(name)
			}
		}
	}
	for _, g := range r.topo.Groups {
		for _, s := range g.Subnets {
			if s.Prefix == rule.Prefix {
				return Tier(g.Name)
			}
		}
	}
	return CIDR(rule.Prefix)
}
