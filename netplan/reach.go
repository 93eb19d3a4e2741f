package netplan

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// Query asks whether From can open a connection to tier To on Protocol and
// Port (Port is ignored for icmp and all).
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
//	security-group-out  the source tier's security group lets it out
//	acl-out             the source tier's ACL lets it out
//	route               the source's route tables carry it (local route), or,
//	                    from outside the Net, the destination's route tables
//	                    send replies to the internet gateway
//	acl-in              the destination tier's ACL lets it in
//	security-group-in   the destination tier's security group lets it in
//	acl-return-out      the destination's ACL lets replies out (ephemeral ports)
//	acl-return-in       the source tier's ACL lets replies in (ephemeral ports)
//
// The ACL layers are skipped when the rules have no ACL.
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
// gateway (a Public tier); peers are assumed routed by their connection;
// tiers and CIDRs inside the Net use the local route.
//
// In the three-tier example, internet -> web tcp/443 and web -> app
// tcp/8080 are allowed; internet -> db tcp/3306 is blocked at the db
// route tables (no route to the internet gateway), web -> db tcp/3306 at
// web's outbound security group.
func (r *Rules) CanReach(q Query) Verdict {
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

func (r *Rules) reach(from Endpoint, to string, proto Protocol, ports PortRange) Verdict {
	if !proto.IsValid() {
		return blocked(nil, Step{Layer: "query", Resource: to, Rule: fmt.Sprintf("unknown protocol %q; use tcp, udp, icmp or all", proto)})
	}
	dst, ok := r.group(to)
	if !ok {
		return blocked(nil, Step{Layer: "query", Resource: to, Rule: "unknown tier"})
	}
	di := r.index[to]
	var src Group
	si := -1
	if from.Kind == EndpointTier {
		if src, ok = r.group(from.Name); !ok {
			return blocked(nil, Step{Layer: "query", Resource: from.Name, Rule: "unknown source tier"})
		}
		si = r.index[from.Name]
	}
	srcPs := r.prefixes(from)
	if len(srcPs) == 0 {
		return blocked(nil, Step{Layer: "query", Resource: from.String(), Rule: "source has no address"})
	}
	dstPs := subnetPrefixes(dst)
	hasACL := len(r.ACLs) == len(r.topo.Groups)
	ret := r.returnPorts(proto)
	what := protoPorts(proto, ports)
	var steps []Step

	// sgCheck checks group g (index gi) against every peer prefix.
	sgCheck := func(layer string, gi int, d Direction, peer string, ps []netip.Prefix) *Step {
		sg := r.Groups[gi]
		var used []string
		for _, p := range ps {
			rule, ok := sg.Allows(d, proto, ports, peer, p)
			if !ok {
				return &Step{Layer: layer, Resource: sg.Name, Rule: fmt.Sprintf("no %s rule allows %s %s %s", d, what, dirWord(d), p)}
			}
			used = appendUnique(used, rule.String())
		}
		steps = append(steps, Step{Layer: layer, Resource: sg.Name, Rule: strings.Join(used, "; "), Allowed: true})
		return nil
	}
	aclCheck := func(layer string, ai int, d Direction, pr PortRange, ps []netip.Prefix) *Step {
		acl := r.ACLs[ai]
		var used []string
		for _, p := range ps {
			e, ok := acl.Allows(d, proto, pr, p)
			if !ok {
				return &Step{Layer: layer, Resource: acl.Name, Rule: fmt.Sprintf("%s matches %s %s %s", e, protoPorts(proto, pr), dirWord(d), p)}
			}
			used = appendUnique(used, e.String())
		}
		steps = append(steps, Step{Layer: layer, Resource: acl.Name, Rule: strings.Join(used, "; "), Allowed: true})
		return nil
	}
	routeCheck := func(tables []RouteTable, ps []netip.Prefix, want TargetKind) *Step {
		var used []string
		for _, rt := range tables {
			res := rt.Group + "/" + rt.Zone
			for _, p := range ps {
				route, ok := rt.Lookup(p.Addr())
				if !ok {
					return &Step{Layer: "route", Resource: res, Rule: fmt.Sprintf("no route to %s", p)}
				}
				if route.Target.Kind != want {
					return &Step{Layer: "route", Resource: res, Rule: fmt.Sprintf("%s goes to %s, not %s", route.Destination, route.Target, want)}
				}
				used = appendUnique(used, route.Destination.String()+" -> "+route.Target.String())
			}
		}
		steps = append(steps, Step{Layer: "route", Resource: strings.Join(tableNames(tables), ","), Rule: strings.Join(used, "; "), Allowed: true})
		return nil
	}

	if si >= 0 {
		if b := sgCheck("security-group-out", si, Outbound, dst.Name, dstPs); b != nil {
			return blocked(steps, *b)
		}
		if hasACL {
			if b := aclCheck("acl-out", si, Outbound, ports, dstPs); b != nil {
				return blocked(steps, *b)
			}
		}
	}
	switch {
	case from.Kind == EndpointPeer:
		steps = append(steps, Step{Layer: "route", Resource: "peer:" + from.Name, Rule: "assumed routed by the peer connection", Allowed: true})
	case r.external(from):
		if b := routeCheck(r.routeTables(dst.Name), srcPs, TargetInternetGateway); b != nil {
			return blocked(steps, *b)
		}
	default:
		tables := r.routeTables(src.Name)
		if si < 0 {
			tables = r.routeTables(dst.Name) // replies to an inside CIDR
		}
		target := dstPs
		if si < 0 {
			target = srcPs
		}
		if b := routeCheck(tables, target, TargetLocal); b != nil {
			return blocked(steps, *b)
		}
	}
	if hasACL {
		if b := aclCheck("acl-in", di, Inbound, ports, srcPs); b != nil {
			return blocked(steps, *b)
		}
	}
	if b := sgCheck("security-group-in", di, Inbound, src.Name, srcPs); b != nil {
		return blocked(steps, *b)
	}
	if hasACL {
		if b := aclCheck("acl-return-out", di, Outbound, ret, srcPs); b != nil {
			return blocked(steps, *b)
		}
		if si >= 0 {
			if b := aclCheck("acl-return-in", si, Inbound, ret, dstPs); b != nil {
				return blocked(steps, *b)
			}
		}
	}
	return Verdict{Allowed: true, Steps: steps}
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

// Reachers answers "what can reach this tier?": every source named by the
// tier's inbound security-group rules for which [Rules.CanReach] holds
// over the rule's whole port range, sorted by source, protocol and ports.
// A /0 source is reported as the internet, a peer's block as the peer and
// a tier's subnet (SourceCIDR) as the tier. It returns nil for an unknown
// tier.
func (r *Rules) Reachers(tier string) []Reacher {
	gi, ok := r.index[tier]
	if !ok {
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
