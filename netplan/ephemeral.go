package netplan

import (
	"strings"
)

// Ephemeral (client) port ranges. A client opens each connection from a
// source port it picks in its ephemeral range, and the replies come back
// to that port; a stateless firewall (an AWS network ACL) must therefore
// let the replies through on the whole range the client uses. The client
// decides, not the server:
//
//	client                                  range        source
//	Linux (kernel default)                  32768-60999  Linux, Documentation/networking/ip-sysctl,
//	                                                     ip_local_port_range: "The default values are
//	                                                     32768 and 60999 respectively"
//	Amazon Linux, older Linux kernels       32768-61000  VPC User Guide, "Ephemeral ports"
//	Windows Vista, Server 2008 and later    49152-65535  VPC User Guide, "Ephemeral ports"; Microsoft,
//	                                                     "The default dynamic port range for TCP/IP has
//	                                                     changed since Windows Vista and in Windows
//	                                                     Server 2008"
//	Windows through Server 2003             1025-5000    VPC User Guide, "Ephemeral ports"
//	AWS NAT gateway                         1024-65535   VPC User Guide, "Ephemeral ports": "A NAT
//	                                                     gateway uses ports 1024-65535"
//	Elastic Load Balancing (ALB, NLB, CLB)  1024-65535   VPC User Guide, "Ephemeral ports": "Requests
//	                                                     originating from Elastic Load Balancing use
//	                                                     ports 1024-65535"
//	AWS Lambda                              1024-65535   VPC User Guide, "Ephemeral ports"
//	OUTSCALE (any client)                   -            no stateless firewall: security groups are
//	                                                     stateful and let replies through
//
// [Derive] uses [Options.Ephemeral] for replies to the Net's own instances
// and the ranges above for the others (see [Options.Ephemeral]).
var (
	// DefaultEphemeral, 1024-65535, covers every client above; it is the
	// range when Options.Ephemeral is zero and the range of replies to
	// clients outside the Net, as AWS advises: "to cover the different
	// types of clients that might initiate traffic to public-facing
	// instances in your VPC, you can open ephemeral ports 1024-65535" (VPC
	// User Guide, "Ephemeral ports"), and as seed 002 does.
	DefaultEphemeral = PortRange{From: 1024, To: 65535}
	// LinuxEphemeral is the Linux kernel's default range, 32768-60999.
	LinuxEphemeral = PortRange{From: 32768, To: 60999}
	// WindowsEphemeral is the range of Windows Vista, Windows Server 2008
	// and later, 49152-65535.
	WindowsEphemeral = PortRange{From: 49152, To: 65535}
	// NATEphemeral is the range an AWS NAT gateway translates source ports
	// to, 1024-65535: replies from the internet come back to it.
	NATEphemeral = PortRange{From: 1024, To: 65535}
	// BalancerEphemeral is the range Elastic Load Balancing opens
	// connections to its targets from, 1024-65535: the targets' replies go
	// back to it.
	BalancerEphemeral = PortRange{From: 1024, To: 65535}
)

// clientPorts returns the ports replies of proto to client e come back
// to: none for icmp and all; the balancers' range for a balancer;
// Options.Ephemeral for the Net's instances (a tier, a CIDR inside the
// Net); DefaultEphemeral for clients outside the Net (internet, outside
// CIDRs, peers), whose systems are unknown.
func (r *Rules) clientPorts(e Endpoint, proto Protocol) PortRange {
	if !proto.HasPorts() {
		return PortRange{}
	}
	switch {
	case e.Kind == EndpointTier:
		if _, lb := r.lbIndex[e.Name]; lb {
			return BalancerEphemeral
		}
		return r.opts.ephemeral()
	case e.Kind == EndpointCIDR && !r.external(e):
		return r.opts.ephemeral()
	}
	return DefaultEphemeral
}

// narrowed reports whether Options.Ephemeral leaves out part of
// DefaultEphemeral.
func (o Options) narrowed() bool {
	return !o.Ephemeral.IsZero() && !o.Ephemeral.Covers(DefaultEphemeral)
}

// ephemeralFindings reports NP011, the hops a narrowed Options.Ephemeral
// does not apply to, and NP012, a narrowed range that covers neither
// Linux's nor Windows' range.
func (r *Rules) ephemeralFindings() []Finding {
	o := r.opts
	if !o.narrowed() || !o.statelessFirewall() {
		return nil
	}
	var out []Finding
	eph := o.Ephemeral.String()
	if !o.Ephemeral.Covers(LinuxEphemeral) && !o.Ephemeral.Covers(WindowsEphemeral) {
		out = append(out, Finding{ID: "NP012", Severity: SeverityWarning, Subject: "options.ephemeral",
			Message: "ephemeral range " + eph + " covers neither Linux's 32768-60999 nor Windows' 49152-65535: replies to instances whose system picks a port outside it are dropped",
			Fix:     "set Options.Ephemeral to the range of the instances' system (netplan.LinuxEphemeral, netplan.WindowsEphemeral) or leave it zero for 1024-65535"})
	}
	var kept []string
	if len(r.NATs) > 0 {
		kept = append(kept, "the NAT gateways (1024-65535)")
	}
	if len(r.topo.Balancers) > 0 {
		kept = append(kept, "the load balancers (1024-65535)")
	}
	for _, f := range r.topo.Flows {
		if f.Protocol.HasPorts() && f.From.Kind != EndpointTier && r.clientPorts(f.From, f.Protocol) == DefaultEphemeral {
			kept = append(kept, "clients outside the Net (1024-65535: their system is unknown)")
			break
		}
	}
	if len(kept) > 0 {
		out = append(out, Finding{ID: "NP011", Severity: SeverityInfo, Subject: "options.ephemeral",
			Message: "ephemeral range " + eph + " applies to replies to the Net's instances; replies to " + strings.Join(kept, ", ") + " keep the ports those clients use",
			Fix:     "nothing to change: these are the ranges AWS documents for those clients (VPC User Guide, Ephemeral ports)"})
	}
	return out
}
