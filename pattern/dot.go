package pattern

import (
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
)

// DOT returns the architecture as a Graphviz digraph an architect reads
// like a drawing of the network: a title, the Net with its internet
// gateway on top, one row per tier (public, then private, then isolated,
// each in its colour) saying what runs in it (nodes, instance type,
// scaling, managed database, Multi-AZ), one subnet per zone with the zones
// as columns, the NAT gateways in the subnets that hold them, the load
// balancers as hexagons, and the flows with their ports: from "internet
// (clients)" through the internet gateway, between tiers, and out to
// "internet (outbound)" through each zone's NAT (dashed). The Net's
// endpoints to cloud services (a gateway endpoint, an OUTSCALE Net access
// point, an interface endpoint) are drawn in the Net, each with a dotted
// arrow from the tiers whose route tables use it (a gateway) or that call
// it (an interface). A legend closes it. It builds the architecture first and returns Build's error when it
// does not build.
//
// Render it with package pattern/render (pure Go, no Graphviz needed), or
// "dot -Tsvg".
func (a *Architecture) DOT() (string, error) {
	d, err := a.compile()
	if err != nil {
		return "", err
	}
	g := d.newDiagram()
	var b strings.Builder
	w := &dotWriter{b: &b, g: g}
	w.header(a.Name)
	w.net()
	w.flows()
	w.legend()
	b.WriteString("}\n")
	return b.String(), nil
}

type dotWriter struct {
	b *strings.Builder
	g *diagram
}

func (w *dotWriter) f(format string, args ...any) { fmt.Fprintf(w.b, format, args...) }

func (w *dotWriter) header(name string) {
	w.f("digraph %q {\n", name)
	name, rest, _ := strings.Cut(w.g.title, ": ")
	w.f("  graph [label=<<font point-size=\"20\">%s</font><br/><font point-size=\"12\">%s</font>>, labelloc=t, fontname=\"Helvetica\", newrank=true, rankdir=TB, forcelabels=true, nodesep=0.35, ranksep=0.55, pad=0.3];\n",
		html.EscapeString(name), html.EscapeString(rest))
	w.f("  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=\"Helvetica\", fontsize=11];\n")
	w.f("  edge [fontname=\"Helvetica\", fontsize=10, color=\"#334155\"];\n")
	var top []string
	if len(w.g.inbound) > 0 {
		w.f("  %q [label=\"internet\\n(clients)\", shape=oval, fillcolor=%q, color=%q];\n", "internet:in", internetFill, internetLine)
		top = append(top, "internet:in")
	}
	if len(w.g.egress) > 0 {
		w.f("  %q [label=\"internet\\n(outbound)\", shape=oval, fillcolor=%q, color=%q];\n", "internet:out", internetFill, internetLine)
		top = append(top, "internet:out")
	}
	for _, o := range w.g.outside {
		w.f("  %q [shape=oval, fillcolor=%q];\n", o, "#e0e7ff")
	}
	if len(top) > 0 {
		w.f("  { rank=min; %s }\n", w.join(top, func(s string) string { return s }))
	}
}

// net draws the Net: the internet gateway, a header naming the zones, and
// a row per tier, each one node of equal width whose columns are the
// zones, so that the columns line up from row to row.
func (w *dotWriter) net() {
	g := w.g
	w.f("  subgraph %q {\n    label=%q; labeljust=l; style=rounded; color=%q; fontname=\"Helvetica\"; fontsize=13;\n", "cluster_net", g.net, "#475569")
	// The header: the internet gateway on top of the zones' names, as wide
	// as the rows, so that it stands in the middle of the Net.
	var cells strings.Builder
	for _, z := range g.zones {
		fmt.Fprintf(&cells, `<td width="%d"><font color="#475569">zone %s</font></td>`, columnWidth, html.EscapeString(z))
	}
	igw := ""
	if g.igw {
		igw = fmt.Sprintf(`<tr><td colspan="%d"><table border="0" cellspacing="0"><tr><td port="igw" bgcolor="%s" color="%s" border="1" style="rounded" cellpadding="6">internet gateway</td></tr></table></td></tr>`,
			len(g.zones), gatewayFill, gatewayLine)
	}
	w.f("    %s [shape=plaintext, style=\"\", group=net, label=<<table border=\"0\" cellspacing=\"6\">%s<tr>%s</tr></table>>];\n", igwNode, igw, cells.String())
	prev := igwNode
	for _, t := range g.tiers {
		w.row(t)
		w.f("    %q -> %q [style=invis, weight=20];\n", prev, rowID(t.name))
		prev = rowID(t.name)
	}
	for _, e := range g.endpoints {
		where := "in the subnets of " + e.home
		if e.gateway {
			where = "in the route tables of " + strings.Join(e.tiers, ", ")
		}
		w.f("    %q [label=%q, shape=cds, fillcolor=%q, color=%q];\n", endpointID(e), e.label+"\n"+where, gatewayFill, gatewayLine)
	}
	w.f("  }\n")
	w.f("  %q -> legend [style=invis];\n", prev)
}

// columnWidth is the width of a zone's column, in points.
const columnWidth = 170

func rowID(tierName string) string { return "tier:" + tierName }

// endpointID is the node of an endpoint: "endpoint:s3".
func endpointID(e dEndpoint) string { return "endpoint:" + e.service }

// igwNode is the Net's header node, igwPort the internet gateway's cell in
// it.
const (
	igwNode = "header"
	igwPort = "header:igw"
)

// row draws one tier as a table: its load balancers on top, its name,
// exposure and what runs in it, then a cell per zone with the subnet and,
// in the row below, the NAT gateway the zone's subnet holds.
func (w *dotWriter) row(t *dTier) {
	fill, line := exposureColors[t.exposure][0], exposureColors[t.exposure][1]
	n := len(w.g.zones)
	var b strings.Builder
	for _, lb := range t.lbs {
		fmt.Fprintf(&b, `<tr><td colspan="%d" port="%s" bgcolor="#ede9fe" color="#7c3aed" style="rounded">%s:&#160;%s load balancer, %s</td></tr>`,
			n, portID("lb", lb.Name), html.EscapeString(lb.Name), lb.Type, lb.Scheme)
	}
	fmt.Fprintf(&b, `<tr><td colspan="%d" align="left" border="0"><font point-size="14">%s</font><font color="%s">&#160;&#160;·&#160;%s tier</font></td></tr>`,
		n, html.EscapeString(t.name), line, t.exposure)
	for _, r := range t.runs {
		fmt.Fprintf(&b, `<tr><td colspan="%d" align="left" border="0"><font point-size="10">%s</font></td></tr>`, n, html.EscapeString(r))
	}
	b.WriteString("<tr>")
	hasNAT := false
	for _, z := range w.g.zones {
		s, ok := t.subnet(z)
		if !ok {
			fmt.Fprintf(&b, `<td border="0" width="%d"></td>`, columnWidth)
			continue
		}
		fmt.Fprintf(&b, `<td port="%s" bgcolor="white" color="%s" style="rounded" width="%d">%s/%s<br/>%s</td>`,
			portID("z", z), line, columnWidth, html.EscapeString(t.name), html.EscapeString(z), s.cidr)
		hasNAT = hasNAT || w.g.natIn(t.name, z) != ""
	}
	b.WriteString("</tr>")
	if hasNAT {
		b.WriteString("<tr>")
		for _, z := range w.g.zones {
			if w.g.natIn(t.name, z) == "" {
				b.WriteString(`<td border="0"></td>`)
				continue
			}
			fmt.Fprintf(&b, `<td port="%s" bgcolor="%s" color="%s">NAT gateway %s</td>`, portID("nat", z), gatewayFill, gatewayLine, html.EscapeString(z))
		}
		b.WriteString("</tr>")
	}
	w.f("    %q [shape=plaintext, style=\"\", group=net, label=<<table border=\"1\" cellborder=\"1\" cellspacing=\"6\" cellpadding=\"5\" style=\"rounded\" bgcolor=%q color=%q>%s</table>>];\n",
		rowID(t.name), fill, line, b.String())
}

// portID names a cell of a row: "z_a" (the subnet of zone a), "nat_a",
// "lb_front".
func portID(kind, name string) string { return kind + "_" + mermaidID("", name) }

// subnet returns t's subnet in zone z.
func (t *dTier) subnet(z string) (dSubnet, bool) {
	for _, s := range t.subnets {
		if s.zone == z {
			return s, true
		}
	}
	return dSubnet{}, false
}

// natIn returns the NAT gateway in tier's subnet of zone z, or "".
func (g *diagram) natIn(tierName, z string) string {
	for _, n := range g.nats {
		if n.tier == tierName && n.zone == z {
			return n.id
		}
	}
	return ""
}

// natCell returns the row and port of NAT gateway id.
func (g *diagram) natCell(id string) string {
	for _, n := range g.nats {
		if n.id == id {
			return fmt.Sprintf("%q:%s", rowID(n.tier), portID("nat", n.zone))
		}
	}
	return fmt.Sprintf("%q", id)
}

// end returns the node (with its port) an edge starts or ends at: a load
// balancer's cell, a tier's row, an outside endpoint.
func (w *dotWriter) end(e netplan.Endpoint, head bool) string {
	if e.Kind != netplan.EndpointTier {
		return fmt.Sprintf("%q", e.String())
	}
	if t := w.g.tier(e.Name); t != nil {
		return fmt.Sprintf("%q", rowID(t.name))
	}
	for _, t := range w.g.tiers {
		for _, lb := range t.lbs {
			if lb.Name == e.Name {
				if head {
					return fmt.Sprintf("%q:%s:n", rowID(t.name), portID("lb", lb.Name))
				}
				return fmt.Sprintf("%q", rowID(t.name))
			}
		}
	}
	return fmt.Sprintf("%q", e.String())
}

// flows draws the inbound flows through the internet gateway, the flows
// between tiers, and the egress through the NAT gateways.
func (w *dotWriter) flows() {
	g := w.g
	via := igwPort
	if !g.igw {
		via = fmt.Sprintf("%q", "internet:in")
	}
	if len(g.inbound) > 0 && g.igw {
		w.f("  %q:s -> %s:n [penwidth=1.5];\n", "internet:in", igwPort)
	}
	for _, e := range g.inbound {
		w.f("  %s:s -> %s [xlabel=%q];\n", via, w.end(e.to, true), " "+e.label())
	}
	for _, e := range g.edges {
		from, to := w.end(e.from, false), w.end(e.to, true)
		label := e.label()
		if e.from.Kind == netplan.EndpointTier && g.tier(e.from.Name) == nil {
			label = e.from.Name + ": " + label // a load balancer forwards
		}
		w.f("  %s -> %s [xlabel=%q];\n", from, to, " "+label)
	}
	w.egress()
	for _, e := range g.endpoints {
		for _, t := range e.tiers {
			w.f("  %q:e -> %q [xlabel=%q, style=dotted, constraint=false];\n", rowID(t), endpointID(e), " "+e.via())
		}
	}
}

// egress draws each flow to the internet: from a private tier's subnets
// up to the NAT gateway of their zone when the NAT's row is right above,
// else along the right margin to the NAT's row; from a public tier along
// the right margin to the internet gateway, as from the NAT's row; then
// the internet gateway out.
func (w *dotWriter) egress() {
	g := w.g
	toIGW := map[string]bool{} // rows whose traffic goes up to the internet gateway
	for _, e := range g.egress {
		t := g.tier(e.from.Name)
		switch {
		case t == nil || !g.igw:
			w.f("  %s -> %q [xlabel=%q, style=dashed];\n", w.end(e.from, false), "internet:out", " "+e.label())
		case t.exposure == netplan.Public || len(t.natsOf()) == 0:
			toIGW[t.name] = true
		default:
			w.throughNAT(t, toIGW)
		}
	}
	for _, t := range g.tiers {
		if toIGW[t.name] {
			w.f("  %q:e -> %s:e [style=dashed, constraint=false];\n", rowID(t.name), igwPort)
		}
	}
	if len(g.egress) > 0 && g.igw {
		// Drawn from the top down, so that the internet stays on top.
		w.f("  %q:s -> %s:n [dir=back, style=dashed, penwidth=1.5];\n", "internet:out", igwPort)
	}
}

// throughNAT draws the way of private tier t to its NAT gateways, and
// marks their row as going to the internet gateway.
func (w *dotWriter) throughNAT(t *dTier, toIGW map[string]bool) {
	g := w.g
	natRow := ""
	for _, n := range g.nats {
		if slices.Contains(t.natsOf(), n.id) {
			natRow = n.tier
			break
		}
	}
	toIGW[natRow] = true
	above := slices.IndexFunc(g.tiers, func(x *dTier) bool { return x.name == natRow }) == slices.Index(g.tiers, t)-1
	if !above {
		w.f("  %q:e -> %q:e [style=dashed, constraint=false];\n", rowID(t.name), rowID(natRow))
		return
	}
	for _, s := range t.subnets {
		if s.nat != "" {
			w.f("  %q:%s -> %s:s [style=dashed, constraint=false];\n", rowID(t.name), g.side(s.zone, "n"), g.natCell(s.nat))
		}
	}
}

// legend explains the colours, the shapes and the arrows.
func (w *dotWriter) legend() {
	cell := func(fill, line, text string) string {
		return fmt.Sprintf(`<tr><td bgcolor=%q color=%q width="28"> </td><td align="left">%s&#160;&#160;&#160;</td></tr>`, fill, line, text)
	}
	rows := []string{
		cell(exposureColors[netplan.Public][0], exposureColors[netplan.Public][1], "public tier: routes to the internet gateway"),
		cell(exposureColors[netplan.Private][0], exposureColors[netplan.Private][1], "private tier: out through a NAT gateway, not reachable from the internet"),
		cell(exposureColors[netplan.Isolated][0], exposureColors[netplan.Isolated][1], "isolated tier: no route out"),
		cell(gatewayFill, gatewayLine, "internet gateway, NAT gateway (one per zone, with its public IP)"),
		cell("#ede9fe", "#7c3aed", "load balancer"),
		`<tr><td>──▶</td><td align="left">allowed flow, with its ports (security groups and network ACLs derived from it)&#160;&#160;&#160;</td></tr>`,
		`<tr><td>- - ▶</td><td align="left">to the internet: through the NAT of the subnet's zone, or the internet gateway&#160;&#160;&#160;</td></tr>`,
	}
	if len(w.g.endpoints) > 0 {
		rows = append(rows, `<tr><td>··▶</td><td align="left">to a cloud service through an endpoint of the Net: a gateway is a route in the tier's route tables, an interface is in a tier's subnets&#160;&#160;&#160;</td></tr>`)
	}
	w.f("  legend [shape=plaintext, style=\"\", fontsize=10, label=<<table border=\"1\" cellborder=\"0\" cellspacing=\"3\" cellpadding=\"3\" color=\"#94a3b8\"><tr><td colspan=\"2\" align=\"left\"><font point-size=\"12\">Legend</font></td></tr>%s</table>>];\n",
		strings.Join(rows, ""))

}

func (w *dotWriter) join(items []string, id func(string) string) string {
	var b strings.Builder
	for _, s := range items {
		fmt.Fprintf(&b, "%q; ", id(s))
	}
	return b.String()
}

// side is the compass point of zone z's column on the side of a node:
// "w" for the left half of the zones, "e" for the right half, "" in the
// middle; with vertical "n" or "s": "nw", "n", "ne".
func (g *diagram) side(z, vertical string) string {
	i, n := slices.Index(g.zones, z), len(g.zones)
	switch {
	case 2*i+1 < n:
		return vertical + "w"
	case 2*i+1 > n:
		return vertical + "e"
	}
	if vertical == "" {
		return "s"
	}
	return vertical
}
