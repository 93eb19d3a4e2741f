package pattern

import (
	"fmt"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
)

// edge is the diagram form of the flows between two endpoints.
type edge struct {
	from, to netplan.Endpoint
	ports    []string
}

// edges groups the flows by their two endpoints, in first-seen order,
// ports in flow order: "tcp/80, tcp/443". Each load balancer's traffic to
// its targets (the listeners' target ports and the health-check port)
// comes after the declared flows.
func (d *design) edges() []edge {
	var out []edge
	index := map[string]int{}
	flows := slices.Clone(d.flows)
	for i := range d.arch.LBs {
		lb := &d.arch.LBs[i]
		for _, p := range lb.TargetPorts() {
			flows = append(flows, netplan.Flow{From: netplan.Tier(lb.Name), To: netplan.Tier(lb.Target), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(p)})
		}
	}
	for _, f := range flows {
		label := string(f.Protocol)
		if !f.Ports.IsZero() && !(f.Ports == netplan.AllPorts) {
			label += "/" + f.Ports.String()
		}
		k := flowKey(f.From, f.To)
		i, ok := index[k]
		if !ok {
			out = append(out, edge{from: f.From, to: f.To})
			i = len(out) - 1
			index[k] = i
		}
		if !slices.Contains(out[i].ports, label) {
			out[i].ports = append(out[i].ports, label)
		}
	}
	return out
}

func mermaidID(prefix, name string) string {
	r := strings.NewReplacer("-", "_", ".", "_", ":", "_", "/", "_", ",", "_")
	return prefix + r.Replace(name)
}

// Mermaid returns the architecture as a Mermaid flowchart: the Net as a
// subgraph, one subgraph per tier holding one node per subnet (zone and
// CIDR), load balancers as hexagons in the tier that holds them, outside
// endpoints (internet, CIDRs, peers) as circles, and one arrow per pair of
// endpoints labelled with the ports of its flows. It builds the
// architecture first and returns Build's error when it does not build.
func (a *Architecture) Mermaid() (string, error) {
	d, err := a.compile()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	outside := map[string]string{}
	node := func(e netplan.Endpoint) string {
		switch e.Kind {
		case netplan.EndpointTier:
			if _, ok := d.lbs[e.Name]; ok {
				return mermaidID("lb_", e.Name)
			}
			return mermaidID("t_", e.Name)
		}
		idv := mermaidID("x_", e.String())
		if _, ok := outside[idv]; !ok {
			outside[idv] = e.String()
			fmt.Fprintf(&b, "  %s((%q))\n", idv, e.String())
		}
		return idv
	}
	es := d.edges()
	for _, e := range es {
		node(e.from)
		node(e.to)
	}
	fmt.Fprintf(&b, "  subgraph %s[%q]\n", mermaidID("net_", d.net), fmt.Sprintf("net %s %s", d.net, a.CIDR))
	for i := range a.Tiers {
		t := &a.Tiers[i]
		fmt.Fprintf(&b, "    subgraph %s[%q]\n", mermaidID("t_", t.Name), fmt.Sprintf("%s (%s)", t.Name, t.Exposure))
		for _, z := range a.tierZones(t) {
			p, _ := d.plan.Lookup(t.Name, z)
			fmt.Fprintf(&b, "      %s[%q]\n", mermaidID("s_", t.Name+"_"+z), fmt.Sprintf("%s/%s %s", t.Name, z, p))
		}
		for j := range a.LBs {
			if lb := &a.LBs[j]; lb.Tier == t.Name {
				fmt.Fprintf(&b, "      %s{{%q}}\n", mermaidID("lb_", lb.Name), fmt.Sprintf("%s: %s %s", lb.Name, lb.Type, lb.Scheme))
			}
		}
		b.WriteString("    end\n")
	}
	b.WriteString("  end\n")
	for _, e := range es {
		fmt.Fprintf(&b, "  %s -->|%q| %s\n", node(e.from), strings.Join(e.ports, ", "), node(e.to))
	}
	return b.String(), nil
}

// DOT returns the architecture as a Graphviz digraph with the content of
// [Architecture.Mermaid]: a cluster per tier, a node per subnet, load
// balancers as hexagons, arrows between tiers drawn to and from the tier's
// cluster (compound=true). Render it with "dot -Tpng".
func (a *Architecture) DOT() (string, error) {
	d, err := a.compile()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %q {\n", a.Name)
	b.WriteString("  rankdir=LR;\n  compound=true;\n  node [shape=box, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n")
	first := map[string]string{}
	fmt.Fprintf(&b, "  subgraph %q {\n    label=%q;\n", "cluster_net_"+d.net, fmt.Sprintf("net %s %s", d.net, a.CIDR))
	for i := range a.Tiers {
		t := &a.Tiers[i]
		fmt.Fprintf(&b, "    subgraph %q {\n      label=%q;\n", "cluster_"+t.Name, fmt.Sprintf("%s (%s)", t.Name, t.Exposure))
		if t.Exposure == netplan.Public {
			b.WriteString("      style=filled;\n      fillcolor=\"#eef6ff\";\n")
		}
		for _, z := range a.tierZones(t) {
			p, _ := d.plan.Lookup(t.Name, z)
			nid := "subnet/" + t.Name + "/" + z
			if _, ok := first[t.Name]; !ok {
				first[t.Name] = nid
			}
			fmt.Fprintf(&b, "      %q [label=%q];\n", nid, fmt.Sprintf("%s/%s\n%s", t.Name, z, p))
		}
		for j := range a.LBs {
			if lb := &a.LBs[j]; lb.Tier == t.Name {
				fmt.Fprintf(&b, "      %q [shape=hexagon, label=%q];\n", "lb/"+lb.Name, fmt.Sprintf("%s\n%s %s", lb.Name, lb.Type, lb.Scheme))
			}
		}
		b.WriteString("    }\n")
	}
	b.WriteString("  }\n")
	outside := map[string]bool{}
	end := func(e netplan.Endpoint, head bool) (string, string) {
		if e.Kind == netplan.EndpointTier {
			if _, ok := d.lbs[e.Name]; ok {
				return "lb/" + e.Name, ""
			}
			attr := "ltail"
			if head {
				attr = "lhead"
			}
			return first[e.Name], fmt.Sprintf("%s=%q", attr, "cluster_"+e.Name)
		}
		n := e.String()
		if !outside[n] {
			outside[n] = true
			fmt.Fprintf(&b, "  %q [shape=ellipse];\n", n)
		}
		return n, ""
	}
	for _, e := range d.edges() {
		from, fa := end(e.from, false)
		to, ta := end(e.to, true)
		attrs := []string{fmt.Sprintf("label=%q", strings.Join(e.ports, ", "))}
		for _, x := range []string{fa, ta} {
			if x != "" {
				attrs = append(attrs, x)
			}
		}
		fmt.Fprintf(&b, "  %q -> %q [%s];\n", from, to, strings.Join(attrs, ", "))
	}
	b.WriteString("}\n")
	return b.String(), nil
}
