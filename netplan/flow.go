package netplan

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// ErrInvalidFlow is matched (with [errors.Is]) by every error about a flow
// or a topology that cannot be parsed or does not fit together. It wraps
// [ErrInvalid], so errors.Is(err, ErrInvalid) holds too.
var ErrInvalidFlow = fmt.Errorf("netplan: invalid flow: %w", ErrInvalid)

func flowErr(field, input, problem string) error {
	return &FieldError{Field: field, Input: input, Problem: problem, Err: ErrInvalidFlow}
}

// Protocol is an IP protocol of a flow or rule: "tcp", "udp", "icmp" or "all".
type Protocol string

// The protocols a flow can carry.
const (
	ProtocolTCP  Protocol = "tcp"
	ProtocolUDP  Protocol = "udp"
	ProtocolICMP Protocol = "icmp"
	ProtocolAll  Protocol = "all"
)

// IsValid reports whether p is one of the four known protocols.
func (p Protocol) IsValid() bool {
	switch p {
	case ProtocolTCP, ProtocolUDP, ProtocolICMP, ProtocolAll:
		return true
	}
	return false
}

// HasPorts reports whether p is carried on ports (tcp and udp).
func (p Protocol) HasPorts() bool { return p == ProtocolTCP || p == ProtocolUDP }

// covers reports whether a rule for p matches traffic of protocol q.
func (p Protocol) covers(q Protocol) bool { return p == ProtocolAll || p == q }

// EndpointKind says what an [Endpoint] names.
type EndpointKind uint8

// The kinds of endpoint.
const (
	EndpointTier     EndpointKind = iota // a tier (group) of the topology
	EndpointInternet                     // anywhere: 0.0.0.0/0 and ::/0
	EndpointCIDR                         // explicit address blocks
	EndpointPeer                         // a named peer network (VPN, peering) of Topology.Peers
)

var endpointKindNames = [...]string{"tier", "internet", "cidr", "peer"}

// String returns "tier", "internet", "cidr" or "peer".
func (k EndpointKind) String() string {
	if int(k) < len(endpointKindNames) {
		return endpointKindNames[k]
	}
	return fmt.Sprintf("EndpointKind(%d)", uint8(k))
}

// MarshalText implements [encoding.TextMarshaler].
func (k EndpointKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Endpoint is one side of a [Flow]: a tier, the internet, explicit CIDRs or
// a named peer network. Build it with [Tier], [Internet], [CIDR] or [Peer].
type Endpoint struct {
	Kind EndpointKind `json:"kind"`
	// Name is the tier or peer name; empty for internet and cidr.
	Name string `json:"name,omitempty"`
	// Prefixes are the blocks of a cidr endpoint, the blocks of a peer when
	// known at construction (Derive otherwise takes them from
	// Topology.Peers), and 0.0.0.0/0 and ::/0 for the internet.
	Prefixes []netip.Prefix `json:"prefixes,omitempty"`
}

// Tier returns the endpoint naming the tier name.
func Tier(name string) Endpoint { return Endpoint{Kind: EndpointTier, Name: name} }

// Internet returns the endpoint for anywhere: 0.0.0.0/0 and ::/0. Derive
// keeps only the address families of the topology's Net.
func Internet() Endpoint {
	return Endpoint{Kind: EndpointInternet, Prefixes: []netip.Prefix{
		netip.PrefixFrom(netip.IPv4Unspecified(), 0), netip.PrefixFrom(netip.IPv6Unspecified(), 0)}}
}

// CIDR returns the endpoint for the blocks p, e.g. CIDR(netip.MustParsePrefix("10.1.0.0/16")).
func CIDR(p ...netip.Prefix) Endpoint { return Endpoint{Kind: EndpointCIDR, Prefixes: p} }

// Peer returns the endpoint for the peer network name; p may be empty, then
// Derive uses Topology.Peers[name].
func Peer(name string, p ...netip.Prefix) Endpoint {
	return Endpoint{Kind: EndpointPeer, Name: name, Prefixes: p}
}

// String returns the text form used by [ParseFlow]: "web", "internet",
// "10.1.0.0/16,10.2.0.0/16" or "peer:vpn".
func (e Endpoint) String() string {
	switch e.Kind {
	case EndpointTier:
		return e.Name
	case EndpointInternet:
		return "internet"
	case EndpointPeer:
		return "peer:" + e.Name
	case EndpointCIDR:
		s := make([]string, len(e.Prefixes))
		for i, p := range e.Prefixes {
			s[i] = p.String()
		}
		return strings.Join(s, ",")
	}
	return e.Kind.String()
}

// Equal reports whether e and o name the same thing.
func (e Endpoint) Equal(o Endpoint) bool {
	return e.Kind == o.Kind && e.Name == o.Name && slices.Equal(e.Prefixes, o.Prefixes)
}

// Flow is one allowed connection: From opens connections to To on Protocol
// and Ports. At least one side is a tier. "internet -> web tcp/443" is
// ingress to web; "web -> internet tcp/443" is egress from web;
// "web -> app tcp/8080" is both (egress from web, ingress to app).
// A tier endpoint may also name a load balancer of Topology.Balancers, as
// the destination only ("internet -> front tcp/443").
//
// A flow may go from a tier to itself: "db -> db tcp/4567" lets the nodes
// of a cluster talk to each other (Galera replication, a Redis cluster
// bus). Its security-group rules name the tier's own group, and its
// network ACL entries, with the replies, go between the tier's subnets,
// both ways (none when the tier has a single subnet: traffic inside a
// subnet crosses no ACL).
//
// Ports is a range in 1-65535 for tcp and udp and the zero value for icmp
// (every ICMP type: netplan does not filter ICMP types) and all.
type Flow struct {
	From        Endpoint  `json:"from"`
	To          Endpoint  `json:"to"`
	Protocol    Protocol  `json:"protocol"`
	Ports       PortRange `json:"ports"`
	Description string    `json:"description,omitempty"`
}

// String returns the text form: "internet -> web tcp/80-443 # public site".
// [ParseFlow] parses it back to the same Flow.
func (f Flow) String() string {
	var b strings.Builder
	b.WriteString(f.From.String())
	b.WriteString(" -> ")
	b.WriteString(f.To.String())
	b.WriteByte(' ')
	b.WriteString(string(f.Protocol))
	if f.Protocol.HasPorts() {
		b.WriteByte('/')
		b.WriteString(f.Ports.String())
	}
	if f.Description != "" {
		b.WriteString(" # ")
		b.WriteString(f.Description)
	}
	return b.String()
}

// ParseFlow parses the text form of a flow:
//
//	internet -> web tcp/80
//	web -> app tcp/8080
//	10.1.0.0/16 -> db tcp/3306
//	peer:vpn -> bastion tcp/22
//	web -> internet tcp/80-443
//	app -> cache udp/11211
//	web -> app icmp
//	web -> app all # anything
//
// An endpoint is "internet", "peer:<name>", one or more CIDRs joined by
// commas, or a tier name (a letter, then letters, digits, '-', '_' or '.').
// "tcp" or "udp" alone means every port (1-65535). Text after " #" is the
// description. Errors wrap [ErrInvalidFlow] and say what to change. Whether
// tiers and peers exist is checked by [Derive], which knows the topology.
func ParseFlow(s string) (Flow, error) {
	return parseFlow("flow", s)
}

func parseFlow(field, s string) (Flow, error) {
	body, desc, _ := strings.Cut(s, "#")
	var f Flow
	f.Description = strings.TrimSpace(desc)
	from, rest, ok := strings.Cut(body, "->")
	if !ok {
		return Flow{}, flowErr(field, fmt.Sprintf("%q", s), `no "->"; write "<from> -> <to> <protocol>[/<ports>]", e.g. "web -> app tcp/8080"`)
	}
	fields := strings.Fields(rest)
	if len(fields) != 2 {
		return Flow{}, flowErr(field, fmt.Sprintf("%q", s), `want "<to> <protocol>[/<ports>]" after "->", e.g. "app tcp/8080"`)
	}
	var errs []error
	var err error
	if f.From, err = parseEndpoint(field+".from", strings.TrimSpace(from)); err != nil {
		errs = append(errs, err)
	}
	if f.To, err = parseEndpoint(field+".to", fields[0]); err != nil {
		errs = append(errs, err)
	}
	proto, ports, hasPorts := strings.Cut(fields[1], "/")
	f.Protocol = Protocol(strings.ToLower(proto))
	switch {
	case !f.Protocol.IsValid():
		errs = append(errs, flowErr(field+".protocol", proto, "unknown protocol; use tcp, udp, icmp or all"))
	case !f.Protocol.HasPorts() && hasPorts:
		errs = append(errs, flowErr(field+".ports", fields[1], fmt.Sprintf("%s carries no port; write %q", f.Protocol, f.Protocol)))
	case f.Protocol.HasPorts() && !hasPorts:
		f.Ports = AllPorts
	case f.Protocol.HasPorts():
		pr, err := parsePortRange(ports)
		if err != nil {
			errs = append(errs, flowErr(field+".ports", ports, err.Error()))
		}
		f.Ports = pr
	}
	if len(errs) == 0 {
		if err := f.validate(field); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return Flow{}, errors.Join(errs...)
	}
	return f, nil
}

func parseEndpoint(field, s string) (Endpoint, error) {
	switch {
	case s == "":
		return Endpoint{}, flowErr(field, `""`, `empty endpoint; use a tier name, "internet", "peer:<name>" or a CIDR`)
	case strings.EqualFold(s, "internet"):
		return Internet(), nil
	case strings.HasPrefix(s, "peer:"):
		name := strings.TrimPrefix(s, "peer:")
		if !validName(name) {
			return Endpoint{}, flowErr(field, s, "bad peer name; use a letter, then letters, digits, '-', '_' or '.'")
		}
		return Peer(name), nil
	case validName(s):
		return Tier(s), nil
	}
	var ps []netip.Prefix
	for part := range strings.SplitSeq(s, ",") {
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return Endpoint{}, flowErr(field, s, `not a tier name, "internet", "peer:<name>" or a CIDR like 10.1.0.0/16`)
		}
		if p != p.Masked() {
			return Endpoint{}, flowErr(field, part, fmt.Sprintf("host bits set; did you mean %s?", p.Masked()))
		}
		ps = append(ps, p)
	}
	return CIDR(ps...), nil
}

// validName reports whether s is a tier or peer name: a letter, then
// letters, digits, '-', '_' or '.'; "internet" and "all" are reserved.
func validName(s string) bool {
	if s == "" || len(s) > 255 || strings.EqualFold(s, "internet") {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// validate checks what a flow can check alone (no topology).
func (f Flow) validate(field string) error {
	var errs []error
	if f.From.Kind != EndpointTier && f.To.Kind != EndpointTier {
		errs = append(errs, flowErr(field, f.From.String()+" -> "+f.To.String(), "neither side is a tier; one side must be a tier of the topology"))
	}
	for _, se := range [2]struct {
		side string
		e    Endpoint
	}{{"from", f.From}, {"to", f.To}} {
		side, e := se.side, se.e
		switch e.Kind {
		case EndpointTier, EndpointPeer:
			if !validName(e.Name) {
				errs = append(errs, flowErr(field+"."+side, fmt.Sprintf("%q", e.Name), "bad name; use a letter, then letters, digits, '-', '_' or '.'"))
			}
		case EndpointCIDR:
			if len(e.Prefixes) == 0 {
				errs = append(errs, flowErr(field+"."+side, "cidr", "no prefix; give at least one CIDR"))
			}
			for _, p := range e.Prefixes {
				if !p.IsValid() {
					errs = append(errs, flowErr(field+"."+side, p.String(), "invalid prefix; use a CIDR like 10.1.0.0/16"))
				} else if p != p.Masked() {
					errs = append(errs, flowErr(field+"."+side, p.String(), fmt.Sprintf("host bits set; did you mean %s?", p.Masked())))
				}
			}
		case EndpointInternet:
		default:
			errs = append(errs, flowErr(field+"."+side, e.Kind.String(), "unknown endpoint kind; use Tier, Internet, CIDR or Peer"))
		}
	}
	switch {
	case !f.Protocol.IsValid():
		errs = append(errs, flowErr(field+".protocol", fmt.Sprintf("%q", string(f.Protocol)), "unknown protocol; use tcp, udp, icmp or all"))
	case f.Protocol.HasPorts():
		if err := f.Ports.check(); err != nil {
			errs = append(errs, flowErr(field+".ports", f.Ports.String(), err.Error()))
		}
	case !f.Ports.IsZero():
		errs = append(errs, flowErr(field+".ports", f.Ports.String(), fmt.Sprintf("%s carries no port; leave Ports zero", f.Protocol)))
	}
	return errors.Join(errs...)
}
