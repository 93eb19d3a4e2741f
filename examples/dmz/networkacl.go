package main

import (
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/deploy"
)

// numberedRules lists every zone's network ACL entries in evaluation order,
// each with a comment naming the flow it lets through.
func numberedRules(rules *netplan.Rules) deploy.Section {
	return func(w io.Writer, _ *pattern.Architecture, _ *blueprint.Blueprint) error {
		fmt.Fprint(w, "## Network ACL entries of each zone, in evaluation order\n")
		for _, acl := range rules.ACLs {
			fmt.Fprintf(w, "\n%s\n\n", acl.Name)
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RULE\tDIRECTION\tPROTOCOL\tPORTS\tSOURCE/DESTINATION\tACTION\tCOMMENT")
			for _, d := range []netplan.Direction{netplan.Inbound, netplan.Outbound} {
				entries := acl.Inbound
				if d == netplan.Outbound {
					entries = acl.Outbound
				}
				for _, e := range entries {
					ports := e.Ports.String()
					if ports == "" {
						ports = "all"
					}
					peer := peerLabel(rules.Topology(), e.Prefix)
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s (%s)\t%s\t%s\n", e.Number, d, e.Protocol, ports, e.Prefix, peer, e.Action,
						comment(rules.Topology(), acl.Name, d, e, peer))
				}
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		return nil
	}
}

// peerLabel names the zones whose subnets all lie in p, "anywhere" for a
// default route.
func peerLabel(top netplan.Topology, p netip.Prefix) string {
	if p.Bits() == 0 {
		return "anywhere"
	}
	var names []string
	for _, g := range top.Groups {
		inside := len(g.Subnets) > 0
		for _, s := range g.Subnets {
			inside = inside && p.Bits() <= s.Prefix.Bits() && p.Contains(s.Prefix.Addr())
		}
		if inside {
			names = append(names, g.Name)
		}
	}
	if len(names) == 0 {
		return p.String()
	}
	return strings.Join(names, ", ")
}

// comment says why an entry of zone's network ACL exists: the declared flows
// it lets through (with their description), the replies of those flows
// for the ephemeral range, or the final deny.
func comment(top netplan.Topology, zone string, d netplan.Direction, e netplan.ACLEntry, peer string) string {
	if e.Action != netplan.Allow {
		if d == netplan.Inbound {
			return "deny all other incoming traffic"
		}
		return "deny all other outgoing traffic"
	}
	var descs []string
	matched := false
	for _, f := range top.Flows {
		local, remote := f.To, f.From
		if d == netplan.Outbound {
			local, remote = f.From, f.To
		}
		if !local.Equal(netplan.Tier(zone)) || f.Protocol != e.Protocol || f.Ports != e.Ports || !matchesPeer(remote, peer) {
			continue
		}
		matched = true
		if f.Description != "" && !slices.Contains(descs, f.Description) {
			descs = append(descs, f.Description)
		}
	}
	what := serviceName(e.Ports)
	switch {
	case matched && d == netplan.Inbound:
		what += " from " + peer
	case matched:
		what += " to " + peer
	case e.Ports == ephemeral && d == netplan.Inbound:
		return "replies to the connections " + zone + " opens to " + peer
	case e.Ports == ephemeral:
		return "replies to the connections opened from " + peer
	default:
		return "no declared flow"
	}
	if len(descs) > 0 {
		what += ": " + strings.Join(descs, "; ")
	}
	return what
}

// matchesPeer reports whether a flow's remote side is what an entry's peer
// label names.
func matchesPeer(remote netplan.Endpoint, peer string) bool {
	if remote.Kind == netplan.EndpointInternet {
		return peer == "anywhere"
	}
	return remote.Kind == netplan.EndpointTier && slices.Contains(strings.Split(peer, ", "), remote.Name)
}

// serviceName is the document's name of a port range.
func serviceName(r netplan.PortRange) string {
	for _, s := range services {
		if r == netplan.Port(s.port) {
			return s.name
		}
	}
	if r == ephemeral {
		return "ephemeral ports"
	}
	return "ports " + r.String()
}
