package netplan

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"go4.org/netipx"
)

// Severity ranks a [Finding]. The zero value is [SeverityInfo].
type Severity uint8

const (
	SeverityInfo Severity = iota
	SeverityWarning
	SeverityError
)

var severityNames = [...]string{"info", "warning", "error"}

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("Severity(%d)", uint8(s))
}

// MarshalText implements [encoding.TextMarshaler].
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (s *Severity) UnmarshalText(b []byte) error {
	return unmarshalEnum(b, severityNames[:], (*uint8)(s), "severity")
}

// Finding is one least-privilege or consistency problem of a topology.
// Findings do not make [Derive] fail; [Rules.Err] turns the errors among
// them into an error for callers that must refuse an insecure plan.
//
// The IDs:
//
//	NP001 ssh-from-anywhere      tcp/22 (or all) open to every IPv4 or IPv6 address,
//	                             by one flow from a /0 or by several whose blocks add
//	                             up to one (0.0.0.0/1 and 128.0.0.0/1): an error,
//	                             a warning with Options.AllowSSHFromAnywhere
//	NP002 flow-skips-layer       a flow between tiers more than one layer apart
//	                             (Public -> Isolated: web straight to db) while a
//	                             Private tier exists to go through: warning
//	NP003 isolated-from-internet an Isolated tier (a database) takes connections
//	                             from outside the Net: error
//	NP004 private-from-internet  a Private tier takes connections from outside the
//	                             Net, which its routes cannot answer: error
//	NP005 egress-without-route   a tier opens connections outside the Net with no
//	                             default route (Isolated, or Private with NATNone): error
//	NP006 nat-without-public     a NAT zone has no Public subnet to hold the NAT: error
//	NP007 no-stateless-firewall  the profile has no stateless firewall: info
//	NP008 egress-allow-all       security groups allow all egress: info
//	NP009 tier-without-flows     a tier no flow mentions: info
//	NP010 balancer-no-listener   a flow to a load balancer on a protocol or port
//	                             no listener of it takes: warning
//	NP011 ephemeral-kept-wide    Options.Ephemeral is narrowed, and replies to the
//	                             NAT gateways, load balancers or clients outside
//	                             the Net keep the range those clients use: info
//	NP012 ephemeral-uncommon     a narrowed Options.Ephemeral covers neither Linux's
//	                             nor Windows' range: warning
//	NP013 peer-unrouted          a flow joins a tier to a peer that no VPN (or link)
//	                             routes: nothing carries its blocks: error
//
// A flow to a load balancer is judged as a flow to the tier that holds it
// (NP002 to NP004).
type Finding struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	// Subject is what the finding is about: "flows[2] (web -> db tcp/3306)"
	// or a tier name.
	Subject string `json:"subject"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
	// Acknowledged is the reason a caller gave for accepting the finding
	// as it is (package pattern's Architecture.Acknowledge, a Blueprint's
	// acknowledgements); empty when nobody did. An acknowledged finding
	// stops nothing, whatever its severity, and plans show it with its
	// reason.
	Acknowledged string `json:"acknowledged,omitempty"`
}

// String returns "error NP003 flows[4] (internet -> db tcp/3306): message;
// fix", followed by " (acknowledged: <reason>)" when it is.
func (f Finding) String() string {
	s := f.Severity.String() + " " + f.ID + " " + f.Subject + ": " + f.Message + "; " + f.Fix
	if f.Acknowledged != "" {
		s += " (acknowledged: " + f.Acknowledged + ")"
	}
	return s
}

// IsBlocking reports whether f stops a build or an apply: an error that
// nobody acknowledged.
func (f Finding) IsBlocking() bool { return f.Severity == SeverityError && f.Acknowledged == "" }

// external reports whether e lies outside the Net and is not a peer
// (reached through the internet gateway).
func (r *Rules) external(e Endpoint) bool {
	switch e.Kind {
	case EndpointInternet:
		return true
	case EndpointCIDR:
		for _, p := range e.Prefixes {
			if !r.inNet(p) {
				return true
			}
		}
	}
	return false
}

// opensSSH reports whether f lets tcp/22 through.
func opensSSH(f Flow) bool {
	return f.Protocol.covers(ProtocolTCP) && (f.Protocol == ProtocolAll || f.Ports.Contains(22))
}

// sshFromAnywhere returns the tiers (and balancers) that the flows open
// SSH to from every IPv4 or every IPv6 address, by address coverage: a
// /0, or blocks from several flows that add up to one (0.0.0.0/1 and
// 128.0.0.0/1).
func (r *Rules) sshFromAnywhere() map[string]bool {
	sets := map[string]*[2]netipx.IPSetBuilder{}
	for _, f := range r.topo.Flows {
		if f.To.Kind != EndpointTier || f.From.Kind == EndpointTier || !opensSSH(f) {
			continue
		}
		b := sets[f.To.Name]
		if b == nil {
			b = new([2]netipx.IPSetBuilder)
			sets[f.To.Name] = b
		}
		for _, p := range r.prefixes(f.From) {
			if p.Addr().Is4() {
				b[0].AddPrefix(p.Masked())
			} else {
				b[1].AddPrefix(p.Masked())
			}
		}
	}
	out := map[string]bool{}
	for name, b := range sets {
		v4, err4 := b[0].IPSet()
		v6, err6 := b[1].IPSet()
		out[name] = err4 == nil && v4.ContainsPrefix(netip.MustParsePrefix("0.0.0.0/0")) ||
			err6 == nil && v6.ContainsPrefix(netip.MustParsePrefix("::/0"))
	}
	return out
}

func (r *Rules) findings() []Finding {
	var out []Finding
	add := func(id string, sev Severity, subject, msg, fix string) {
		out = append(out, Finding{ID: id, Severity: sev, Subject: subject, Message: msg, Fix: fix})
	}
	addf := func(id string, sev Severity, subject func() string, msg, fix string) {
		add(id, sev, subject(), msg, fix)
	}
	hasPrivate := false
	for _, g := range r.topo.Groups {
		hasPrivate = hasPrivate || g.Exposure == Private
	}
	used := make([]bool, len(r.topo.Groups))
	sshOpen := r.sshFromAnywhere()
	for i, f := range r.topo.Flows {
		subject := func() string { return fmt.Sprintf("flows[%d] (%s)", i, f) }
		var src, dst Group
		if f.From.Kind == EndpointTier {
			src, _ = r.group(f.From.Name)
			used[r.index[src.Name]] = true
		}
		if f.To.Kind == EndpointTier {
			dst, _ = r.group(f.To.Name)
			used[r.index[dst.Name]] = true
			if b, ok := r.balancer(f.To.Name); ok && !b.listens(f.Protocol, f.Ports) {
				addf("NP010", SeverityWarning, subject, fmt.Sprintf("load balancer %q has no listener for %s: the rule opens a port nothing answers on", b.Name, protoPorts(f.Protocol, f.Ports)), "add a listener on that port, or fix the flow's port")
			}
		}
		if f.To.Kind == EndpointTier && sshOpen[f.To.Name] && r.external(f.From) && opensSSH(f) {
			if r.opts.AllowSSHFromAnywhere {
				addf("NP001", SeverityWarning, subject, "SSH is open to the whole internet (allowed by Options.AllowSSHFromAnywhere)", "restrict the source to the admins' CIDRs or a bastion")
			} else {
				addf("NP001", SeverityError, subject, "SSH is open to the whole internet", "allow SSH from a bastion tier, a VPN peer or an admin CIDR, or set Options.AllowSSHFromAnywhere")
			}
		}
		if f.From.Kind == EndpointTier && f.To.Kind == EndpointTier && hasPrivate {
			if d := int(src.Exposure) - int(dst.Exposure); d > 1 || d < -1 {
				addf("NP002", SeverityWarning, subject, fmt.Sprintf("%s tier %q talks straight to %s tier %q, skipping the private layer", src.Exposure, src.Name, dst.Exposure, dst.Name), "route the flow through a private tier (web -> app -> db)")
			}
		}
		if f.To.Kind == EndpointTier && r.external(f.From) {
			switch dst.Exposure {
			case Isolated:
				addf("NP003", SeverityError, subject, fmt.Sprintf("isolated tier %q is reachable from outside the Net", dst.Name), "remove the flow; let a public or private tier talk to it")
			case Private:
				addf("NP004", SeverityError, subject, fmt.Sprintf("private tier %q takes connections from outside the Net, but its default route goes to a NAT", dst.Name), "make the tier Public or put a public load balancer tier in front of it")
			}
		}
		for _, e := range [2]Endpoint{f.From, f.To} {
			if e.Kind == EndpointPeer && !r.isRouted(e.Name) {
				addf("NP013", SeverityError, subject, fmt.Sprintf("no route carries peer %q's blocks: it has neither a VPN nor a link", e.Name), "give the peer a VPN (Topology.VPNs; package pattern: Architecture.VPN) or link its Net (Topology.Peerings; package pattern: MultiRegion.Link)")
			}
		}
		if f.From.Kind == EndpointTier && r.external(f.To) &&
			(src.Exposure == Isolated || src.Exposure == Private && r.opts.NAT == NATNone) {
			addf("NP005", SeverityError, subject, fmt.Sprintf("%s tier %q opens connections outside the Net but has no default route", src.Exposure, src.Name), "make the tier Private with a NAT, or remove the flow")
		}
	}
	for _, b := range r.topo.Balancers {
		used[r.index[b.Group]], used[r.index[b.Target]] = true, true
	}
	public := map[string]bool{}
	for _, g := range r.topo.Groups {
		if g.Exposure == Public {
			for _, s := range g.Subnets {
				public[s.Zone] = true
			}
		}
	}
	for _, z := range r.NATZones {
		if !public[z] {
			add("NP006", SeverityError, fmt.Sprintf("zone %q", z), "a NAT is needed in this zone but no Public subnet is there to hold it", "add a Public subnet in the zone or use NATShared")
		}
	}
	if !r.opts.statelessFirewall() {
		add("NP007", SeverityInfo, "profile "+r.opts.Profile.Name, "the cloud has no stateless firewall; no network ACL is derived", "rely on the security groups, which enforce every flow")
	}
	if r.opts.Egress == EgressAllowAll {
		add("NP008", SeverityInfo, "options.egress", "every security group allows all egress", "use EgressLeastPrivilege to allow only the declared flows")
	}
	out = append(out, r.ephemeralFindings()...)
	for i, g := range r.topo.Groups {
		if !used[i] {
			add("NP009", SeverityInfo, g.Name, "no flow mentions this tier: nothing can reach it and it can reach nothing", "declare its flows or remove it")
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		if c := cmp.Compare(b.Severity, a.Severity); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if out == nil {
		out = []Finding{}
	}
	return out
}
