package pattern

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// diagram is what the Graphviz and Mermaid pictures show, drawn from the
// built architecture: the Net with its internet gateway, one row per tier
// (public, then private, then isolated) with one subnet per zone, zones as
// columns, the NAT gateways in the subnets that hold them, the load
// balancers, what runs in each tier, and the flows: inbound from the
// internet through the internet gateway, outbound through the NAT of each
// zone (or the internet gateway for a public tier), and between tiers; and
// the endpoints to the cloud's services with the tiers that use them.
type diagram struct {
	title string
	net   string // "net main 10.0.0.0/16"
	zones []string
	igw   bool
	tiers []*dTier
	nats  []dNAT
	// flows between tiers and load balancers, and to or from outside
	// endpoints other than the internet (a CIDR, a peer).
	edges []edge
	// inbound are the flows from the internet, by target; egress the
	// flows to it, by source.
	inbound, egress []edge
	// peers are the flows of a tier to itself (a cluster's replication),
	// written in the tier's box.
	peers []edge
	// outside are the endpoints other than the internet, in order.
	outside []string
	// endpoints are the Net's endpoints to the cloud's own services.
	endpoints []dEndpoint
}

// dEndpoint is an endpoint of the Net to one of the cloud's services: a
// gateway endpoint (AWS S3 and DynamoDB; on OUTSCALE a Net access point
// to OOS) is a route in the route tables of tiers; an interface endpoint
// is a network interface per zone in the subnets of tier home, used by
// tiers.
type dEndpoint struct {
	service string
	gateway bool
	home    string
	tiers   []string
	label   string
}

// dTier is one row of the picture.
type dTier struct {
	name     string
	exposure netplan.Exposure
	runs     []string // "2-6 × t3.small nodes, scale at 60% CPU"
	subnets  []dSubnet
	lbs      []*tier.LB
}

// dSubnet is one subnet: its zone, its range, and the NAT gateway its
// default route goes to (a logical id, "" when none).
type dSubnet struct {
	zone string
	cidr string
	nat  string
}

// dNAT is a NAT gateway: its logical id, the tier and zone of its subnet.
type dNAT struct {
	id, tier, zone string
}

// newDiagram draws d's picture from its Blueprint.
func (d *design) newDiagram() *diagram {
	a, bp := d.arch, d.blueprint()
	g := &diagram{zones: d.zones, net: fmt.Sprintf("net %s %s", d.net, a.CIDR)}
	g.title = diagramTitle(a, d.zones)
	nat := map[string]string{} // subnet logical id -> NAT logical id
	for _, r := range bp.OfKind(blueprint.KindRouteTable) {
		for _, rt := range r.RouteTable.Routes {
			if rt.TargetKind == netplan.TargetNATGateway {
				nat[string(r.RouteTable.Subnet)] = string(rt.Target)
			}
		}
	}
	for _, r := range bp.OfKind(blueprint.KindNATGateway) {
		_, t, _ := strings.Cut(string(r.NATGateway.Subnet), "/")
		t, _, _ = strings.Cut(t, "/")
		g.nats = append(g.nats, dNAT{id: r.ID, tier: t, zone: r.NATGateway.Zone})
	}
	g.igw = len(bp.OfKind(blueprint.KindInternetGateway)) > 0
	for i := range a.Tiers {
		t := &a.Tiers[i]
		row := &dTier{name: t.Name, exposure: t.Exposure, runs: d.runs(t.Name)}
		for _, z := range a.tierZones(t) {
			p, _ := d.plan.Lookup(t.Name, z)
			row.subnets = append(row.subnets, dSubnet{zone: z, cidr: p.String(), nat: nat["subnet/"+t.Name+"/"+z]})
		}
		for j := range a.LBs {
			if a.LBs[j].Tier == t.Name {
				row.lbs = append(row.lbs, &a.LBs[j])
			}
		}
		g.tiers = append(g.tiers, row)
	}
	// Public rows on top, isolated at the bottom, as traffic goes in.
	slices.SortStableFunc(g.tiers, func(x, y *dTier) int { return cmp.Compare(y.exposure, x.exposure) })
	g.sortFlows(d.edges())
	g.endpoints = d.diagramEndpoints()
	for _, e := range g.egress {
		if t := g.tier(e.from.Name); t != nil {
			way := "through the internet gateway"
			if len(t.natsOf()) > 0 {
				way = "through the NAT gateway of its zone"
			}
			t.runs = append(t.runs, fmt.Sprintf("out to the internet: %s, %s", e.label(), way))
		}
	}
	for _, e := range g.peers {
		if t := g.tier(e.from.Name); t != nil {
			t.runs = append(t.runs, "between its nodes: "+e.label())
		}
	}
	return g
}

// diagramEndpoints returns the Net's endpoints, in the order of their
// services: a gateway endpoint with the tiers whose route tables send the
// service's prefix list to it, an interface endpoint with its home tier
// and its users.
func (d *design) diagramEndpoints() []dEndpoint {
	var out []dEndpoint
	for _, e := range d.rules.Topology().Services {
		de := dEndpoint{service: e.Service, gateway: e.Gateway, home: e.Group, label: e.Service + " interface endpoint"}
		if !e.Gateway {
			de.tiers = slices.Clone(e.Users)
			out = append(out, de)
			continue
		}
		de.label = e.Service + " gateway endpoint"
		if d.arch.Profile.Name == netplan.Outscale.Name && e.Service == string(tier.ServiceS3) {
			de.label = "Net access point to OOS (s3)"
		}
		for _, rt := range d.rules.RouteTables {
			if slices.Contains(rt.GatewayEndpoints, e.Service) && !slices.Contains(de.tiers, rt.Group) {
				de.tiers = append(de.tiers, rt.Group)
			}
		}
		out = append(out, de)
	}
	return out
}

// via says how a tier reaches endpoint e: "tcp/443 · route table" for a
// gateway, "tcp/443" for an interface.
func (e dEndpoint) via() string {
	if e.gateway {
		return fmt.Sprintf("tcp/%d · route table", netplan.ServicePort)
	}
	return fmt.Sprintf("tcp/%d", netplan.ServicePort)
}

// diagramTitle is "shop: net 10.0.0.0/16 on aws, zones a and b".
func diagramTitle(a *Architecture, zones []string) string {
	on := ""
	if a.Profile.Name != "" {
		on = " on " + a.Profile.Name
	}
	z := strings.Join(zones, ", ")
	if i := strings.LastIndex(z, ", "); i >= 0 {
		z = z[:i] + " and " + z[i+2:]
	}
	plural := "s"
	if len(zones) == 1 {
		plural = ""
	}
	return fmt.Sprintf("%s: net %s%s, zone%s %s", a.Name, a.CIDR, on, plural, z)
}

// sortFlows puts each edge in its place: from or to the internet, or
// between the rest.
func (g *diagram) sortFlows(es []edge) {
	seen := map[string]bool{}
	for _, e := range es {
		switch {
		case e.from.Kind == netplan.EndpointInternet:
			g.inbound = append(g.inbound, e)
		case e.to.Kind == netplan.EndpointInternet:
			g.egress = append(g.egress, e)
		case e.from.Kind == netplan.EndpointTier && e.to.Kind == netplan.EndpointTier && e.from.Name == e.to.Name:
			g.peers = append(g.peers, e) // a line in the tier's box, not a loop around it
		default:
			g.edges = append(g.edges, e)
		}
		for _, ep := range []netplan.Endpoint{e.from, e.to} {
			if ep.Kind != netplan.EndpointTier && ep.Kind != netplan.EndpointInternet && !seen[ep.String()] {
				seen[ep.String()] = true
				g.outside = append(g.outside, ep.String())
			}
		}
	}
}

// runs says what runs in tier name: its cluster, its database, its cache.
func (d *design) runs(name string) []string {
	var out []string
	if c := d.clusters[name]; c != nil {
		s := fmt.Sprintf("%d × %s nodes", c.Desired, c.InstanceType)
		if c.Max > c.Min {
			s = fmt.Sprintf("%d–%d × %s nodes", c.Min, c.Max, c.InstanceType)
		}
		if c.Scaling != nil {
			s += fmt.Sprintf(", scale at %d%% CPU", c.Scaling.TargetCPUPercent)
		}
		if !c.Stateless {
			s += " (stateful)"
		}
		out = append(out, s)
	}
	if c := d.caches[name]; c != nil {
		out = append(out, cacheText(c))
	}
	if db := d.dbs[name]; db != nil {
		s := fmt.Sprintf("managed %s %s, %d GiB", engineName(db.Engine), db.Class, db.StorageGiB)
		if db.MultiAZ {
			s += ", Multi-AZ"
		}
		if db.ReadReplicas > 0 {
			s += fmt.Sprintf(", %d read replica", db.ReadReplicas)
			if db.ReadReplicas > 1 {
				s += "s"
			}
		}
		out = append(out, s)
	}
	return out
}

func engineName(e tier.Engine) string {
	switch e {
	case tier.EnginePostgres:
		return "PostgreSQL"
	case tier.EngineMySQL:
		return "MySQL"
	}
	return string(e)
}

// edge is the diagram form of the flows between two endpoints.
type edge struct {
	from, to netplan.Endpoint
	ports    []string
}

func (e edge) label() string { return strings.Join(e.ports, ", ") }

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

// tier returns the row of tier name, or nil.
func (g *diagram) tier(name string) *dTier {
	for _, t := range g.tiers {
		if t.name == name {
			return t
		}
	}
	return nil
}

// natsOf returns the NAT gateways a tier's subnets send their traffic to
// the internet through, in zone order.
func (t *dTier) natsOf() []string {
	var out []string
	for _, s := range t.subnets {
		if s.nat != "" && !slices.Contains(out, s.nat) {
			out = append(out, s.nat)
		}
	}
	return out
}

// Colors of the rows by exposure: public blue, private green, isolated
// grey; gateways amber, the internet yellow.
var exposureColors = map[netplan.Exposure][2]string{
	netplan.Public:   {"#dbeafe", "#2563eb"},
	netplan.Private:  {"#dcfce7", "#16a34a"},
	netplan.Isolated: {"#f1f5f9", "#64748b"},
}

const (
	gatewayFill, gatewayLine   = "#fef3c7", "#d97706"
	internetFill, internetLine = "#fde68a", "#b45309"
)
