package osctest

// quotaDef is one quota the server enforces and reports.
type quotaDef struct {
	name, collection, short string
	max                     int
	used                    func(s *Server) int
}

func maxOver[T any](m map[string]T, f func(T) int) int {
	best := 0
	for _, v := range m {
		best = max(best, f(v))
	}
	return best
}

func countIf[T any](m map[string]T, f func(T) bool) int {
	n := 0
	for _, v := range m {
		if f(v) {
			n++
		}
	}
	return n
}

// quotaDefs lists the quotas with their defaults. Per-Net and per-group
// quotas report the highest use over Nets or groups.
var quotaDefs = []quotaDef{
	{"vpc_limit", "VPC", "Nets Limit", 10, func(s *Server) int { return len(s.nets) }},
	{"subnet_limit", "VPC", "Subnets per Net Limit", 50, func(s *Server) int {
		return maxOver(s.nets, func(n *netRes) int { return countIf(s.subnets, func(x *subnetRes) bool { return x.NetId == n.NetId }) })
	}},
	{"igw_limit", "VPC", "Internet Services Limit", 10, func(s *Server) int { return len(s.igws) }},
	{"rtb_limit", "VPC", "Route Tables per Net Limit", 50, func(s *Server) int {
		return maxOver(s.nets, func(n *netRes) int { return countIf(s.rtbs, func(x *routeTableRes) bool { return x.netID == n.NetId }) })
	}},
	{"rtb_rule_limit", "VPC", "Routes per Route Table Limit", 50, func(s *Server) int {
		return maxOver(s.rtbs, func(r *routeTableRes) int { return len(r.routes) })
	}},
	{"nat_gateway_limit", "VPC", "NAT Services Limit", 10, func(s *Server) int {
		return countIf(s.nats, func(n *natRes) bool { return n.state != "deleted" })
	}},
	{"ip_limit", "FCU", "Public IPs Limit", 20, func(s *Server) int { return len(s.pips) }},
	{"vm_limit", "FCU", "VMs Limit", 50, func(s *Server) int {
		return countIf(s.vms, func(v *vmRes) bool { return v.state != "terminated" })
	}},
	{"sg_limit", "FCU", "Security Groups Limit", 500, func(s *Server) int {
		return countIf(s.sgs, func(g *sgRes) bool { return g.netID == "" })
	}},
	{"sg_rule_limit", "FCU", "Rules per Security Group Limit", 100, func(s *Server) int {
		return maxOver(s.sgs, func(g *sgRes) int {
			if g.netID != "" {
				return 0
			}
			return len(g.rules)
		})
	}},
	{"vpc_sg_limit", "VPC", "Security Groups per Net Limit", 500, func(s *Server) int {
		return maxOver(s.nets, func(n *netRes) int { return countIf(s.sgs, func(g *sgRes) bool { return g.netID == n.NetId }) })
	}},
	{"vpc_sg_rule_limit", "VPC", "Rules per Net Security Group Limit", 100, func(s *Server) int {
		return maxOver(s.sgs, func(g *sgRes) int {
			if g.netID == "" {
				return 0
			}
			return len(g.rules)
		})
	}},
	{"vm_sg_limit", "FCU", "Security Groups per VM Limit", 5, func(s *Server) int {
		return maxOver(s.vms, func(v *vmRes) int { return len(v.sgIDs) })
	}},
	{"lb_limit", "LBU", "Load Balancers Limit", 20, func(s *Server) int { return len(s.lbs) }},
	{"lb_listeners_limit", "LBU", "Listeners per Load Balancer Limit", 10, func(s *Server) int {
		return maxOver(s.lbs, func(l *lbRes) int { return len(l.listeners) })
	}},
}

// quota returns the maximum of quota name, with Options.Quotas applied.
func (s *Server) quota(name string) int {
	if v, ok := s.opts.Quotas[name]; ok {
		return v
	}
	for _, q := range quotaDefs {
		if q.name == name {
			return q.max
		}
	}
	return 1 << 30
}

type quotaOut struct {
	Name, QuotaCollection, ShortDescription, Description, AccountId string
	MaxValue, UsedValue                                             int
}

type quotaTypeOut struct {
	QuotaType string
	Quotas    []quotaOut
}

func init() {
	handlers["ReadQuotas"] = (*Server).readQuotas
}

func (s *Server) readQuotas(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	qt := quotaTypeOut{QuotaType: "global", Quotas: []quotaOut{}}
	for _, q := range quotaDefs {
		if !any1(f.QuotaNames, q.name) || !any1(f.Collections, q.collection) || !any1(f.QuotaTypes, "global") {
			continue
		}
		qt.Quotas = append(qt.Quotas, quotaOut{Name: q.name, QuotaCollection: q.collection, ShortDescription: q.short,
			Description: q.short, AccountId: s.opts.AccountID, MaxValue: s.quota(q.name), UsedValue: q.used(s)})
	}
	var out []quotaTypeOut
	if len(qt.Quotas) > 0 {
		out = append(out, qt)
	}
	return pageOut("QuotaTypes", out, &in)
}

// Kinds lists the resource kinds [Server.Count] accepts.
var Kinds = []string{"net", "subnet", "internet_service", "public_ip", "nat_service", "route_table", "security_group", "vm", "load_balancer", "keypair"}

// Count returns the number of live resources of kind: nets, subnets,
// internet services, public IPs, NAT services not deleted, route tables other
// than main ones, security groups other than default ones, VMs not terminated,
// load balancers and keypairs. It returns -1 for a kind not in [Kinds].
func (s *Server) Count(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch kind {
	case "net":
		return len(s.nets)
	case "subnet":
		return len(s.subnets)
	case "internet_service":
		return len(s.igws)
	case "public_ip":
		return len(s.pips)
	case "nat_service":
		return countIf(s.nats, func(n *natRes) bool { return n.state != "deleted" })
	case "route_table":
		return countIf(s.rtbs, func(r *routeTableRes) bool { return !r.main })
	case "security_group":
		return countIf(s.sgs, func(g *sgRes) bool { return !g.isDefault })
	case "vm":
		return countIf(s.vms, func(v *vmRes) bool { return v.state != "terminated" })
	case "load_balancer":
		return len(s.lbs)
	case "keypair":
		return len(s.keypairs)
	}
	return -1
}

// Snapshot returns [Server.Count] for every kind in [Kinds].
func (s *Server) Snapshot() map[string]int {
	m := make(map[string]int, len(Kinds))
	for _, k := range Kinds {
		m[k] = s.Count(k)
	}
	return m
}
