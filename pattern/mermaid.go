package pattern

import (
	"fmt"
	"strings"

	"github.com/archkit/archkit/netplan"
)

// Mermaid returns the architecture as a Mermaid flowchart with the
// content of [Architecture.DOT]: a title, "internet (clients)" and
// "internet (outbound)" apart, the Net with its internet gateway, a
// subgraph per tier (public, then private, then isolated, styled in their
// colours) saying what runs in it and holding a subnet per zone, left to
// right in zone order, with the NAT gateways and the load balancers; the
// Net's endpoints to cloud services (a gateway endpoint or OUTSCALE Net
// access point in the Net, an interface endpoint in its tier) with an
// arrow from each tier whose route tables use it or that calls it; the
// flows with their ports, egress dashed through each zone's NAT; and a
// legend. It builds the architecture first and returns Build's error
// when it does not build.
func (a *Architecture) Mermaid() (string, error) {
	d, err := a.compile()
	if err != nil {
		return "", err
	}
	g := d.newDiagram()
	var b strings.Builder
	w := &mermaidWriter{b: &b, g: g}
	fmt.Fprintf(&b, "---\ntitle: %q\n---\nflowchart TB\n", g.title)
	b.WriteString("  inet_in((\"internet<br/>(clients)\"))\n  inet_out((\"internet<br/>(outbound)\"))\n")
	for _, o := range g.outside {
		fmt.Fprintf(&b, "  %s([%q])\n", mermaidID("x_", o), o)
	}
	w.net()
	w.flows()
	w.styles()
	return b.String(), nil
}

type mermaidWriter struct {
	b *strings.Builder
	g *diagram
}

func (w *mermaidWriter) f(format string, args ...any) { fmt.Fprintf(w.b, format, args...) }

func mermaidID(prefix, name string) string {
	r := strings.NewReplacer("-", "_", ".", "_", ":", "_", "/", "_", ",", "_", " ", "_")
	return prefix + r.Replace(name)
}

func (w *mermaidWriter) net() {
	g := w.g
	w.f("  subgraph net[%q]\n    direction TB\n", g.net)
	if g.igw {
		w.f("    igw[[\"internet gateway\"]]\n")
	}
	for _, t := range g.tiers {
		label := fmt.Sprintf("%s · %s tier", t.name, t.exposure)
		for _, r := range t.runs {
			label += "<br/>" + r
		}
		w.f("    subgraph %s[%q]\n      direction LR\n", mermaidID("t_", t.name), label)
		for _, s := range t.subnets {
			w.f("      %s[%q]\n", mermaidID("s_", t.name+"_"+s.zone), fmt.Sprintf("%s/%s<br/>%s", t.name, s.zone, s.cidr))
			for _, n := range g.nats {
				if n.tier == t.name && n.zone == s.zone {
					w.f("      %s[/%q/]\n", mermaidID("", n.id), "NAT gateway "+s.zone)
				}
			}
		}
		for _, lb := range t.lbs {
			w.f("      %s{{%q}}\n", mermaidID("lb_", lb.Name), fmt.Sprintf("%s<br/>%s load balancer", lb.Name, lb.Type))
		}
		for _, e := range g.endpoints {
			if !e.gateway && e.home == t.name {
				w.f("      %s[/%q\\]\n", mermaidID("ep_", e.service), e.label)
			}
		}
		w.f("    end\n")
	}
	for _, e := range g.endpoints {
		if e.gateway {
			w.f("    %s[/%q\\]\n", mermaidID("ep_", e.service), e.label)
		}
	}
	w.f("  end\n")
}

// node returns the Mermaid id of an endpoint: a load balancer, a tier's
// subgraph, an outside node.
func (w *mermaidWriter) node(e netplan.Endpoint) string {
	if e.Kind != netplan.EndpointTier {
		return mermaidID("x_", e.String())
	}
	if t := w.g.tier(e.Name); t != nil {
		return mermaidID("t_", t.name)
	}
	return mermaidID("lb_", e.Name)
}

func (w *mermaidWriter) flows() {
	g := w.g
	via := "igw"
	if !g.igw {
		via = "inet_in"
	}
	if len(g.inbound) > 0 && g.igw {
		w.f("  inet_in ==> igw\n")
	}
	for _, e := range g.inbound {
		w.f("  %s -->|%q| %s\n", via, e.label(), w.node(e.to))
	}
	for _, e := range g.edges {
		w.f("  %s -->|%q| %s\n", w.node(e.from), e.label(), w.node(e.to))
	}
	usedNAT := map[string]bool{}
	for _, e := range g.egress {
		t := g.tier(e.from.Name)
		switch {
		case t == nil:
			w.f("  %s -.->|%q| inet_out\n", w.node(e.from), e.label())
		case t.exposure == netplan.Public || len(t.natsOf()) == 0:
			w.f("  %s -.->|%q| igw\n", w.node(e.from), e.label())
		default:
			for _, s := range t.subnets {
				if s.nat != "" {
					usedNAT[s.nat] = true
					w.f("  %s -.->|%q| %s\n", mermaidID("s_", t.name+"_"+s.zone), e.label(), mermaidID("", s.nat))
				}
			}
		}
	}
	for _, n := range g.nats {
		if usedNAT[n.id] {
			w.f("  %s -.-> igw\n", mermaidID("", n.id))
		}
	}
	if len(g.egress) > 0 && g.igw {
		w.f("  igw -.-> inet_out\n")
	}
	for _, e := range g.endpoints {
		for _, t := range e.tiers {
			w.f("  %s -->|%q| %s\n", mermaidID("t_", t), e.via(), mermaidID("ep_", e.service))
		}
	}
}

// styles colours the tiers by exposure, the gateways and the internet,
// and adds the legend.
func (w *mermaidWriter) styles() {
	for _, e := range []netplan.Exposure{netplan.Public, netplan.Private, netplan.Isolated} {
		c := exposureColors[e]
		w.f("  classDef %s fill:%s,stroke:%s\n", e, c[0], c[1])
	}
	w.f("  classDef gateway fill:%s,stroke:%s\n  classDef internet fill:%s,stroke:%s\n  classDef lb fill:#ede9fe,stroke:#7c3aed\n",
		gatewayFill, gatewayLine, internetFill, internetLine)
	for _, t := range w.g.tiers {
		c := exposureColors[t.exposure]
		w.f("  style %s fill:%s,stroke:%s\n", mermaidID("t_", t.name), c[0], c[1])
		for _, s := range t.subnets {
			w.f("  class %s %s\n", mermaidID("s_", t.name+"_"+s.zone), t.exposure)
		}
		for _, lb := range t.lbs {
			w.f("  class %s lb\n", mermaidID("lb_", lb.Name))
		}
	}
	gateways := []string{}
	if w.g.igw {
		gateways = append(gateways, "igw")
	}
	for _, n := range w.g.nats {
		gateways = append(gateways, mermaidID("", n.id))
	}
	for _, e := range w.g.endpoints {
		gateways = append(gateways, mermaidID("ep_", e.service))
	}
	if len(gateways) > 0 {
		w.f("  class %s gateway\n", strings.Join(gateways, ","))
	}
	w.f("  class inet_in,inet_out internet\n")
	w.f("  subgraph legend[\"legend\"]\n    direction LR\n")
	w.f("    lg_pub[\"public tier\"]:::public\n    lg_priv[\"private tier: out through a NAT\"]:::private\n    lg_iso[\"isolated tier: no route out\"]:::isolated\n")
	w.f("    lg_gw[\"gateway\"]:::gateway\n    lg_a[\" \"] -->|\"allowed flow, ports\"| lg_b[\" \"]\n    lg_c[\" \"] -.->|\"to the internet\"| lg_d[\" \"]\n  end\n")
}
