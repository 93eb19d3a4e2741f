package netplan

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// deriveSecurityGroups gives every tier and every balancer one security
// group.
func (r *Rules) deriveSecurityGroups() []SecurityGroup {
	ng := len(r.topo.Groups)
	ifaces := r.interfaceEndpoints()
	n := ng + len(r.topo.Balancers) + len(ifaces)
	in := make([][]SGRule, n)
	out := make([][]SGRule, n)
	least := r.opts.Egress == EgressLeastPrivilege
	for _, f := range r.topo.Flows {
		desc := f.Description
		if desc == "" {
			desc = f.String()
		}
		if f.To.Kind == EndpointTier {
			ti := r.sgIndex(f.To.Name)
			in[ti] = append(in[ti], r.sgPeerRules(f.From, f.Protocol, f.Ports, desc)...)
		}
		if f.From.Kind == EndpointTier && least {
			si := r.sgIndex(f.From.Name)
			out[si] = append(out[si], r.sgPeerRules(f.To, f.Protocol, f.Ports, desc)...)
		}
	}
	for i, b := range r.topo.Balancers {
		ti := r.index[b.Target]
		for _, sp := range b.targets() {
			in[ti] = append(in[ti], r.sgPeerRules(Tier(b.Name), sp.proto, Port(sp.port), sp.desc)...)
			if least {
				out[ng+i] = append(out[ng+i], r.sgPeerRules(Tier(b.Target), sp.proto, Port(sp.port), sp.desc)...)
			}
		}
	}
	r.serviceRules(in, out, least)
	groups := make([]SecurityGroup, n)
	for i := range groups {
		sg := SecurityGroup{Inbound: mergeSGRules(in[i]), Outbound: mergeSGRules(out[i])}
		switch nb := len(r.topo.Balancers); {
		case i < ng:
			sg.Name = r.topo.Groups[i].Name
		case i < ng+nb:
			sg.Name, sg.Balancer = r.topo.Balancers[i-ng].Name, true
		default:
			e := r.topo.Services[ifaces[i-ng-nb]]
			sg.Name, sg.Service = e.GroupName(), e.Service
		}
		if !least {
			for _, p := range r.anyPs {
				sg.Outbound = append(sg.Outbound, SGRule{Protocol: ProtocolAll, Prefix: p, Description: "allow all egress"})
			}
		}
		if sg.Inbound == nil {
			sg.Inbound = []SGRule{}
		}
		if sg.Outbound == nil {
			sg.Outbound = []SGRule{}
		}
		groups[i] = sg
	}
	return groups
}

// sgPeerRules returns the rules for proto/ports whose peer is e: its
// group (a tier or balancer, with SourceGroup) or its blocks.
func (r *Rules) sgPeerRules(e Endpoint, proto Protocol, ports PortRange, desc string) []SGRule {
	if e.Kind == EndpointTier && r.opts.Sources == SourceGroup {
		return []SGRule{{Protocol: proto, Ports: ports, Group: e.Name, Description: desc}}
	}
	ps := r.prefixes(e)
	rules := make([]SGRule, 0, len(ps))
	for _, p := range ps {
		rules = append(rules, SGRule{Protocol: proto, Ports: ports, Prefix: p, Description: desc})
	}
	return rules
}

// prule is the common shape of a CIDR rule (SG rule or ACL entry) while
// merging.
type prule struct {
	proto  Protocol
	ports  PortRange
	prefix netip.Prefix
	group  string
	descs  []string
}

func protoRank(p Protocol) int {
	switch p {
	case ProtocolTCP:
		return 0
	case ProtocolUDP:
		return 1
	case ProtocolICMP:
		return 2
	}
	return 3
}

func comparePRule(a, b prule) int {
	if c := cmp.Compare(a.group, b.group); c != 0 {
		return c
	}
	if c := ComparePortRange(a.ports, b.ports); c != 0 {
		return c
	}
	if c := cmp.Compare(protoRank(a.proto), protoRank(b.proto)); c != 0 {
		return c
	}
	return comparePrefix(a.prefix, b.prefix)
}

// mergePRules removes duplicates, drops rules covered by an "all" rule for
// the same peer, merges CIDRs of rules with the same protocol and ports
// (with netipx.IPSet: 10.0.0.0/24 + 10.0.1.0/24 -> 10.0.0.0/23) and merges
// overlapping or adjacent port ranges of rules with the same protocol and
// peer, until nothing changes. The result is sorted: peer group, ports,
// protocol, prefix.
func mergePRules(rs []prule) []prule {
	if len(rs) == 0 {
		return nil
	}
	for {
		rs = dropCoveredByAll(rs)
		rs = mergeSamePorts(rs)
		n := len(rs)
		rs = mergeSamePeer(rs)
		if len(rs) == n {
			break // no port range changed: merging prefixes again would change nothing
		}
	}
	slices.SortFunc(rs, comparePRule)
	return rs
}

func dropCoveredByAll(rs []prule) []prule {
	var alls []prule
	for _, r := range rs {
		if r.proto == ProtocolAll {
			alls = append(alls, r)
		}
	}
	if len(alls) == 0 {
		return rs
	}
	out := rs[:0]
	for _, r := range rs {
		covered := false
		if r.proto != ProtocolAll {
			for _, a := range alls {
				if a.group != "" && a.group == r.group || a.group == "" && r.group == "" && coversPrefix(a.prefix, r.prefix) {
					covered = true
					break
				}
			}
		}
		if !covered {
			out = append(out, r)
		}
	}
	return out
}

// coversPrefix reports whether every address of p is in outer.
func coversPrefix(outer, p netip.Prefix) bool {
	return outer.Addr().Is4() == p.Addr().Is4() && outer.Bits() <= p.Bits() && outer.Contains(p.Addr())
}

// mergeSamePorts unions the prefixes of rules that share protocol and
// ports (group rules pass through). It works in place.
func mergeSamePorts(rs []prule) []prule {
	slices.SortFunc(rs, func(a, b prule) int {
		if c := cmp.Compare(a.group, b.group); c != 0 {
			return c
		}
		if c := cmp.Compare(a.proto, b.proto); c != 0 {
			return c
		}
		if c := ComparePortRange(a.ports, b.ports); c != 0 {
			return c
		}
		return comparePrefix(a.prefix, b.prefix)
	})
	out := rs[:0]
	runStart := 0 // index in out of the current run's first rule
	for i, r := range rs {
		// out shares rs's array: compare with out's top, never rs[i-1]
		if i == 0 || r.group != "" || out[len(out)-1].group != "" || r.proto != out[len(out)-1].proto || r.ports != out[len(out)-1].ports {
			runStart = len(out)
			out = append(out, r)
			continue
		}
		out = pushPrefix(out, runStart, r)
	}
	return out
}

// pushPrefix adds r to the sorted stack out[base:] of rules sharing
// protocol and ports: a prefix covered by the top is absorbed, and sibling
// prefixes merge into their parent (10.0.0.0/24 + 10.0.1.0/24 ->
// 10.0.0.0/23), repeatedly. Fed prefixes in address order, it yields the
// smallest set of prefixes covering their union, as netipx.IPSet does.
func pushPrefix(out []prule, base int, r prule) []prule {
	top := &out[len(out)-1]
	if coversPrefix(top.prefix, r.prefix) {
		if len(r.descs) > 0 {
			top.descs = uniqueSorted(append(slices.Clip(top.descs), r.descs...))
		}
		return out
	}
	out = append(out, r)
	for len(out)-base >= 2 {
		a, b := out[len(out)-2], out[len(out)-1]
		parent, ok := siblings(a.prefix, b.prefix)
		if !ok {
			break
		}
		a.prefix = parent
		if len(b.descs) > 0 {
			a.descs = uniqueSorted(append(slices.Clip(a.descs), b.descs...))
		}
		out = out[:len(out)-1]
		out[len(out)-1] = a
	}
	return out
}

// siblings reports whether a and b are the two halves of one prefix, and
// returns it.
func siblings(a, b netip.Prefix) (netip.Prefix, bool) {
	if a.Bits() != b.Bits() || a.Bits() == 0 || a.Addr().Is4() != b.Addr().Is4() || a == b {
		return netip.Prefix{}, false
	}
	pa, _ := a.Addr().Prefix(a.Bits() - 1)
	pb, _ := b.Addr().Prefix(b.Bits() - 1)
	return pa, pa == pb
}

// mergeSamePeer merges the port ranges of rules that share protocol and
// peer.
func mergeSamePeer(rs []prule) []prule {
	slices.SortFunc(rs, func(a, b prule) int {
		if c := cmp.Compare(a.group, b.group); c != 0 {
			return c
		}
		if c := cmp.Compare(a.proto, b.proto); c != 0 {
			return c
		}
		if c := comparePrefix(a.prefix, b.prefix); c != 0 {
			return c
		}
		return ComparePortRange(a.ports, b.ports)
	})
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.group == r.group && last.proto == r.proto && last.prefix == r.prefix &&
				(!r.proto.HasPorts() || uint32(r.ports.From) <= uint32(last.ports.To)+1) {
				last.ports.To = max(last.ports.To, r.ports.To)
				if len(r.descs) > 0 {
					last.descs = uniqueSorted(append(slices.Clip(last.descs), r.descs...))
				}
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

func uniqueSorted(s []string) []string {
	if len(s) < 2 {
		return s
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func mergeSGRules(rs []SGRule) []SGRule {
	ps := make([]prule, len(rs))
	for i, r := range rs {
		group := r.Group
		if r.PrefixList != "" {
			group = prefixListKey + r.PrefixList // a peer of its own, never merged with a CIDR
		}
		ps[i] = prule{proto: r.Protocol, ports: r.Ports, prefix: r.Prefix, group: group, descs: []string{r.Description}}
	}
	ps = mergePRules(ps)
	out := make([]SGRule, len(ps))
	for i, p := range ps {
		out[i] = SGRule{Protocol: p.proto, Ports: p.ports, Group: p.group, Prefix: p.prefix, Description: joinDescriptions(p.descs)}
		if list, ok := strings.CutPrefix(p.group, prefixListKey); ok {
			out[i].Group, out[i].PrefixList = "", list
		}
	}
	return out
}

// prefixListKey marks a prefix-list peer among group peers while rules
// merge: no tier name starts with a space.
const prefixListKey = " prefix-list "

// MaxDescription is the longest description, in bytes, that Derive gives
// a security-group rule: the AWS limit for a rule description ("Up to 255
// characters in length", EC2 API reference, IpRange and UserIdGroupPair).
const MaxDescription = 255

// joinDescriptions joins the descriptions of the flows merged into one
// rule with "; ". When that is longer than [MaxDescription] it keeps as
// many whole descriptions as fit and says how many more there were: 64
// merged flows give "203.0.113.0/32 -> front tcp/443; ...; (+57 more)".
func joinDescriptions(descs []string) string {
	s := strings.Join(descs, "; ")
	if len(s) <= MaxDescription {
		return s
	}
	var b strings.Builder
	for i, d := range descs {
		sep, suffix := "", ""
		if i > 0 {
			sep = "; "
		}
		if rest := len(descs) - i - 1; rest > 0 {
			suffix = " (+" + strconv.Itoa(rest) + " more)"
		}
		if b.Len()+len(sep)+len(d)+len(suffix) <= MaxDescription {
			b.WriteString(sep + d)
			continue
		}
		if i == 0 { // the first description alone does not fit: cut it
			return truncateUTF8(d, MaxDescription-len(suffix)) + suffix
		}
		// d does not fit; what is written fit with d's " (+N more)"
		return b.String() + " (+" + strconv.Itoa(len(descs)-i) + " more)"
	}
	return b.String()
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// matches reports whether rule lets proto/ports through to or from the
// peer (group name, or a prefix fully covered by the rule's CIDR).
func (rule SGRule) matches(proto Protocol, ports PortRange, group string, p netip.Prefix) bool {
	if !rule.Protocol.covers(proto) {
		return false
	}
	if rule.Protocol.HasPorts() && !rule.Ports.Covers(ports) {
		return false
	}
	if rule.Group != "" {
		return rule.Group == group
	}
	if rule.PrefixList != "" {
		return false // a prefix list is a service's: Rules.CanReach checks it (sgService)
	}
	return coversPrefix(rule.Prefix, p)
}

// String returns "tcp/8080 group web" or "tcp/443 0.0.0.0/0".
func (rule SGRule) String() string {
	peer := rule.Prefix.String()
	switch {
	case rule.Group != "":
		peer = "group " + rule.Group
	case rule.PrefixList != "":
		peer = "prefix list " + rule.PrefixList
	}
	return protoPorts(rule.Protocol, rule.Ports) + " " + peer
}

func protoPorts(p Protocol, r PortRange) string {
	if p.HasPorts() {
		return string(p) + "/" + r.String()
	}
	return string(p)
}

// Allows reports whether g lets proto/ports through in direction d, with
// peer the group name of the other side ("" for none) and p its block, and
// returns the rule that does.
func (g SecurityGroup) Allows(d Direction, proto Protocol, ports PortRange, peer string, p netip.Prefix) (SGRule, bool) {
	rules := g.Inbound
	if d == Outbound {
		rules = g.Outbound
	}
	for _, rule := range rules {
		if rule.matches(proto, ports, peer, p) {
			return rule, true
		}
	}
	return SGRule{}, false
}
