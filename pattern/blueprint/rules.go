package blueprint

import (
	"cmp"
	"fmt"
	"net/netip"
	"strings"

	"github.com/archkit/archkit/netplan"
)

// RuleKey is the identity of a security group rule: two rules with the
// same key are the same rule to the clouds, whatever their descriptions.
// It is comparable, so it keys maps.
type RuleKey struct {
	Protocol netplan.Protocol
	FromPort uint16
	ToPort   uint16
	CIDR     netip.Prefix // the zero Prefix for a group rule
	Group    Ref
	// PrefixList is the service of a prefix-list rule ([RuleSpec.PrefixList]).
	PrefixList string
}

// Canonical returns r in the form the clouds report it back:
//
//   - no protocol means all protocols;
//   - all protocols, and any protocol without ports except ICMP, carry no
//     ports;
//   - TCP or UDP without ports (0-0) means every port, 0-65535;
//   - a range written backwards (to < from) is the single port from;
//   - the description is dropped (the clouds do not compare it);
//   - an invalid CIDR is the zero Prefix.
//
// For example {tcp 0-0 0.0.0.0/0 "web"} becomes {tcp 0-65535 0.0.0.0/0}.
func (r RuleSpec) Canonical() RuleSpec {
	r.Description = ""
	if r.Protocol == "" {
		r.Protocol = netplan.ProtocolAll
	}
	switch {
	case r.Protocol == netplan.ProtocolTCP || r.Protocol == netplan.ProtocolUDP:
		if r.FromPort == 0 && r.ToPort == 0 {
			r.ToPort = 65535
		}
		r.ToPort = max(r.ToPort, r.FromPort)
	case r.Protocol != netplan.ProtocolICMP:
		r.FromPort, r.ToPort = 0, 0
	}
	if !r.CIDR.IsValid() {
		r.CIDR = netip.Prefix{}
	}
	return r
}

// Key returns the identity of r: its canonical form ([RuleSpec.Canonical])
// without the description. The engine's comparison, the fake and the AWS
// and OUTSCALE drivers' reconciliation all match rules by it.
func (r RuleSpec) Key() RuleKey {
	c := r.Canonical()
	return RuleKey{Protocol: c.Protocol, FromPort: c.FromPort, ToPort: c.ToPort, CIDR: c.CIDR, Group: c.Group, PrefixList: c.PrefixList}
}

// Compare orders keys by protocol, ports, CIDR (group rules first), then
// group; it returns -1, 0 or +1 like [strings.Compare].
func (k RuleKey) Compare(o RuleKey) int {
	return cmp.Or(strings.Compare(string(k.Protocol), string(o.Protocol)),
		cmp.Compare(k.FromPort, o.FromPort), cmp.Compare(k.ToPort, o.ToPort),
		comparePrefix(k.CIDR, o.CIDR), strings.Compare(string(k.Group), string(o.Group)), strings.Compare(k.PrefixList, o.PrefixList))
}

func comparePrefix(a, b netip.Prefix) int {
	return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
}

// CompareRules orders rules by [RuleSpec.Key]; it fits slices.SortFunc.
func CompareRules(a, b RuleSpec) int { return a.Key().Compare(b.Key()) }

// Text renders r for display, as a rule of an inbound (from) or outbound
// (to) rule set: "tcp 8080 from security_group/web", "tcp 1024-65535 to
// 10.0.0.0/16", "all from 0.0.0.0/0".
func (r RuleSpec) Text(inbound bool) string {
	peer := r.CIDR.String()
	switch {
	case r.Group != "":
		peer = string(r.Group)
	case r.PrefixList != "":
		peer = "prefix list " + r.PrefixList
	}
	dir := "to"
	if inbound {
		dir = "from"
	}
	return ports(r.Protocol, r.FromPort, r.ToPort) + " " + dir + " " + peer
}

// String renders e for display: "#100 allow tcp 80 0.0.0.0/0".
func (e ACLEntrySpec) String() string {
	verb := "deny"
	if e.Allow {
		verb = "allow"
	}
	return fmt.Sprintf("#%d %s %s %s", e.Number, verb, ports(e.Protocol, e.FromPort, e.ToPort), e.CIDR)
}

// String renders r for display: "0.0.0.0/0 -> nat_gateway/nat/a".
func (r RouteSpec) String() string { return fmt.Sprintf("%s -> %s", r.Destination, r.Target) }

// String renders l for display: "HTTPS:443 -> HTTP:8080".
func (l ListenerSpec) String() string {
	return fmt.Sprintf("%s:%d -> %s:%d", l.Protocol, l.Port, l.TargetProtocol, l.TargetPort)
}

// ports renders a protocol and its ports: "tcp 80", "udp 1024-65535",
// "all".
func ports(proto netplan.Protocol, from, to uint16) string {
	switch {
	case !proto.HasPorts():
		return string(proto)
	case from == to:
		return fmt.Sprintf("%s %d", proto, from)
	default:
		return fmt.Sprintf("%s %d-%d", proto, from, to)
	}
}
