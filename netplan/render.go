package netplan

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
)

// wellKnown names the ports the seeds talk about, for tables.
var wellKnown = map[uint16]string{
	22: "SSH", 53: "DNS", 80: "HTTP", 443: "HTTPS", 3306: "MySQL", 5432: "PostgreSQL",
	6379: "Redis", 8080: "HTTP-alt", 11211: "Memcached", 5672: "AMQP", 9092: "Kafka",
}

func (r *Rules) portLabel(p Protocol, pr PortRange) string {
	s := protoPorts(p, pr)
	if !p.HasPorts() {
		return s
	}
	if name, ok := wellKnown[pr.From]; ok && pr.From == pr.To {
		return s + " (" + name + ")"
	}
	if pr == r.opts.ephemeral() || pr == DefaultEphemeral {
		return s + " (ephemeral)"
	}
	return s
}

// peerLabel names a block for people: "anywhere" for a /0, the tiers whose
// subnets it covers, a peer, or the CIDR itself.
func (r *Rules) peerLabel(p netip.Prefix) string {
	if p.Bits() == 0 {
		return "anywhere"
	}
	var names []string
	for _, g := range r.topo.Groups {
		for _, s := range g.Subnets {
			if coversPrefix(p, s.Prefix) {
				names = appendUnique(names, g.Name)
			}
		}
	}
	for _, name := range sortedKeys(r.topo.Peers) {
		for _, pp := range r.topo.Peers[name] {
			if coversPrefix(p, pp) || coversPrefix(pp, p) {
				names = appendUnique(names, "peer:"+name)
			}
		}
	}
	if len(names) == 0 {
		return p.String()
	}
	return strings.Join(names, ", ")
}

type aclRow struct {
	dir   Direction
	proto Protocol
	ports PortRange
	peer  string
}

// MarkdownACLs returns the network ACLs as one table in the style of seed
// 002 Table 1: a row per kind of allow entry ("Inbound tcp/22 (SSH) from
// anywhere"), a column per ACL, Yes or No in the cells, and the final
// deny-all rows. Entries of one ACL with the same direction, protocol and
// ports are one row, their peers joined ("from dev-dmz, prod-dmz").
func (r *Rules) MarkdownACLs() string {
	if r == nil {
		return ""
	}
	type cell struct {
		row aclRow
		acl int
	}
	yes := map[cell]bool{}
	var rows []aclRow
	for ai, a := range r.ACLs {
		for _, d := range []Direction{Inbound, Outbound} {
			entries := a.Inbound
			if d == Outbound {
				entries = a.Outbound
			}
			peers := map[[2]any][]string{}
			var keys [][2]any
			for _, e := range entries {
				if e.Action != Allow {
					continue
				}
				k := [2]any{e.Protocol, e.Ports}
				if _, ok := peers[k]; !ok {
					keys = append(keys, k)
				}
				for _, l := range strings.Split(r.peerLabel(e.Prefix), ", ") {
					peers[k] = appendUnique(peers[k], l)
				}
			}
			for _, k := range keys {
				ls := peers[k]
				slices.Sort(ls)
				row := aclRow{dir: d, proto: k[0].(Protocol), ports: k[1].(PortRange), peer: strings.Join(ls, ", ")}
				if !slices.Contains(rows, row) {
					rows = append(rows, row)
				}
				yes[cell{row, ai}] = true
			}
		}
	}
	slices.SortFunc(rows, func(a, b aclRow) int {
		if c := cmp.Compare(a.dir, b.dir); c != 0 {
			return c
		}
		if c := ComparePortRange(a.ports, b.ports); c != 0 {
			return c
		}
		if c := cmp.Compare(protoRank(a.proto), protoRank(b.proto)); c != 0 {
			return c
		}
		return strings.Compare(a.peer, b.peer)
	})
	var b strings.Builder
	b.WriteString("| Rule |")
	for _, a := range r.ACLs {
		b.WriteString(" " + a.Name + " |")
	}
	b.WriteString("\n| --- |" + strings.Repeat(" --- |", len(r.ACLs)) + "\n")
	for _, row := range rows {
		label := "Inbound " + r.portLabel(row.proto, row.ports) + " from " + row.peer
		if row.dir == Outbound {
			label = "Outbound " + r.portLabel(row.proto, row.ports) + " to " + row.peer
		}
		b.WriteString("| " + label + " |")
		for ai := range r.ACLs {
			if yes[cell{row, ai}] {
				b.WriteString(" Yes |")
			} else {
				b.WriteString(" No |")
			}
		}
		b.WriteByte('\n')
	}
	for _, d := range []string{"Inbound", "Outbound"} {
		b.WriteString("| " + d + " deny all other traffic |" + strings.Repeat(" Yes |", len(r.ACLs)) + "\n")
	}
	return b.String()
}

// MarkdownACLEntries returns every ACL as a numbered table.
func (r *Rules) MarkdownACLEntries() string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	for i, a := range r.ACLs {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "#### ACL %s\n\n| # | Direction | Action | Protocol | Ports | CIDR | Peer |\n| --- | --- | --- | --- | --- | --- | --- |\n", a.Name)
		for _, d := range []Direction{Inbound, Outbound} {
			entries := a.Inbound
			if d == Outbound {
				entries = a.Outbound
			}
			for _, e := range entries {
				ports := e.Ports.String()
				if ports == "" {
					ports = "all"
				}
				fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s |\n", e.Number, d, e.Action, e.Protocol, ports, e.Prefix, r.peerLabel(e.Prefix))
			}
		}
	}
	return b.String()
}

// MarkdownSecurityGroups returns the security groups as one table.
func (r *Rules) MarkdownSecurityGroups() string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("| Group | Direction | Protocol | Ports | Peer | Description |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, g := range r.Groups {
		for _, d := range []Direction{Inbound, Outbound} {
			rules := g.Inbound
			if d == Outbound {
				rules = g.Outbound
			}
			for _, rule := range rules {
				peer := rule.Prefix.String()
				if rule.Group != "" {
					peer = "group " + rule.Group
				}
				ports := rule.Ports.String()
				if ports == "" {
					ports = "all"
				}
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", g.Name, d, rule.Protocol, ports, peer, strings.ReplaceAll(rule.Description, "|", `\|`))
			}
		}
	}
	return b.String()
}

// MarkdownRoutes returns the route tables as one table.
func (r *Rules) MarkdownRoutes() string {
	if r == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString("| Route table | Destination | Target |\n| --- | --- | --- |\n")
	for _, rt := range r.RouteTables {
		for _, route := range rt.Routes {
			fmt.Fprintf(&b, "| %s/%s | %s | %s |\n", rt.Group, rt.Zone, route.Destination, route.Target)
		}
	}
	return b.String()
}

// WriteMarkdown writes every derived rule as Markdown: the ACL summary, the
// numbered ACLs, the security groups, the route tables and the findings.
func (r *Rules) WriteMarkdown(w io.Writer) error {
	switch {
	case r == nil:
		return fieldErr(ErrInvalid, "rules", "nil", "no rules", "call Derive")
	case w == nil:
		return fieldErr(ErrInvalid, "w", "nil", "no writer", "give an io.Writer")
	}
	var b strings.Builder
	if len(r.ACLs) > 0 {
		b.WriteString("### Network ACLs\n\n" + r.MarkdownACLs() + "\n" + r.MarkdownACLEntries() + "\n")
	}
	b.WriteString("### Security groups\n\n" + r.MarkdownSecurityGroups() + "\n")
	b.WriteString("### Route tables\n\n" + r.MarkdownRoutes())
	if len(r.Findings) > 0 {
		b.WriteString("\n### Findings\n\n| ID | Severity | Subject | Message | Fix |\n| --- | --- | --- | --- | --- |\n")
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", f.ID, f.Severity, f.Subject, f.Message, f.Fix)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// MarshalJSON encodes the derived rules (security groups, ACLs, route
// tables, NAT zones, findings) as stable JSON: the same topology and
// options give the same bytes. Enumerations are strings ("allow",
// "internet-gateway", "warning"), prefixes are CIDR text and port ranges
// "80" or "1024-65535".
func (r *Rules) MarshalJSON() ([]byte, error) {
	type plain Rules // no methods: no recursion
	return json.Marshal((*plain)(r))
}

// MarshalText implements [encoding.TextMarshaler]; Direction is "inbound" or "outbound".
func (d Direction) MarshalText() ([]byte, error) { return []byte(d.String()), nil }
