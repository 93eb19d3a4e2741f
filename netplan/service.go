package netplan

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// ServicePort is the port a cloud service answers on through an endpoint:
// HTTPS, tcp/443 (AWS PrivateLink guide: "the security group for the
// interface endpoint must allow communication between the endpoint
// network interface and the resources in your VPC that communicate with
// the service", over HTTPS).
const ServicePort uint16 = 443

// ServiceEndpoint is an endpoint of the Net to one of the cloud's own
// services (an AWS VPC endpoint, an OUTSCALE Net access point), used by
// the tiers Users.
//
// A gateway endpoint (Gateway true: AWS S3 and DynamoDB, OUTSCALE OOS)
// is a route: the route table of every subnet of a Private or Isolated
// user sends the service's prefix list to the endpoint
// ([RouteTable.GatewayEndpoints]); a Public user keeps reaching the
// service through the internet gateway. Every user's security group may
// open [ServicePort] to the service's prefix list ([SGRule.PrefixList]),
// and, since a network ACL cannot name a prefix list, every user's ACL
// passes tcp/443 to 0.0.0.0/0 and the replies from it: the route, not the
// ACL, keeps the traffic on the endpoint.
//
// An interface endpoint (Gateway false: SQS, Secrets Manager, Systems
// Manager...) is a network interface in each subnet of the tier Group,
// with a security group of its own named [ServiceEndpoint.GroupName]
// ("endpoint-sqs"), after the balancers' groups: it admits ServicePort
// from the users' groups only, and each user's group may open
// ServicePort to it; the ACLs of the users and of Group pass that traffic
// and its replies, as for a flow "user -> Group tcp/443". With private
// DNS, the service's name resolves to those interfaces for the whole Net:
// a tier that is not a user is refused at its security group.
//
// [Rules.CanReach] answers "service:<name>": through the endpoint when
// the Net has one (for a gateway, when the source's tables route to it),
// through the internet otherwise.
type ServiceEndpoint struct {
	// Service names the service as its endpoint service does after
	// "com.amazonaws.<region>.": "s3", "sqs", "ecr.api".
	Service string `json:"service"`
	// Gateway selects a gateway endpoint; false: an interface endpoint.
	Gateway bool `json:"gateway,omitempty"`
	// Group is the tier whose subnets hold an interface endpoint's
	// network interfaces (one per zone); empty for a gateway endpoint.
	Group string `json:"group,omitempty"`
	// Users are the tiers that call the service, at least one.
	Users []string `json:"users"`
}

// GroupName returns the name of the security group of an interface
// endpoint, and of the endpoint in [Rules.CanReach]'s steps:
// "endpoint-<service>".
func (e ServiceEndpoint) GroupName() string { return "endpoint-" + e.Service }

// validService reports whether s is a service name: lowercase letters,
// digits, '-' and '.', beginning with a letter.
func validService(s string) bool {
	if s == "" || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// validateServices checks Topology.Services and fills r.epIndex. It runs
// after validateGroups and validateBalancers.
func (r *Rules) validateServices() []error {
	var errs []error
	seen := map[string]int{}
	for i, e := range r.topo.Services {
		field := fmt.Sprintf("services[%d]", i)
		j, dup := seen[e.Service]
		if !validService(e.Service) {
			errs = append(errs, topoErr(ErrInvalid, field+".service", fmt.Sprintf("%q", e.Service), `not a service name; use the name after "com.amazonaws.<region>." ("s3", "sqs")`))
		} else if dup {
			errs = append(errs, topoErr(ErrDuplicate, field+".service", e.Service, fmt.Sprintf("already services[%d]; a Net holds one endpoint per service", j)))
			continue
		}
		seen[e.Service] = i
		if len(e.Users) == 0 {
			errs = append(errs, topoErr(ErrInvalid, field+".users", "[]", "no user; name the tiers that call the service"))
		}
		for j, u := range e.Users {
			if !r.isTier(u) {
				errs = append(errs, topoErr(ErrInvalid, fmt.Sprintf("%s.users[%d]", field, j), fmt.Sprintf("%q", u), "unknown tier; name a tier of Topology.Groups"))
			}
		}
		switch {
		case e.Gateway && e.Group != "":
			errs = append(errs, topoErr(ErrInvalid, field+".group", fmt.Sprintf("%q", e.Group), "a gateway endpoint has no network interface; leave Group empty"))
		case e.Gateway:
		case !r.isTier(e.Group):
			errs = append(errs, topoErr(ErrInvalid, field+".group", fmt.Sprintf("%q", e.Group), "unknown tier; name the tier whose subnets hold the endpoint"))
		default:
			name := e.GroupName()
			_, lb := r.lbIndex[name]
			if _, dup := r.epIndex[name]; r.isTier(name) || lb || dup {
				errs = append(errs, topoErr(ErrDuplicate, field+".service", e.Service, fmt.Sprintf("%q is already the name of a tier or balancer; rename it", name)))
				continue
			}
			r.epIndex[name] = i
		}
	}
	return errs
}

func (r *Rules) isTier(name string) bool { _, ok := r.index[name]; return ok }

// endpoint returns the interface endpoint whose group is named name.
func (r *Rules) endpoint(name string) (ServiceEndpoint, bool) {
	i, ok := r.epIndex[name]
	if !ok {
		return ServiceEndpoint{}, false
	}
	return r.topo.Services[i], true
}

// service returns the endpoint of service name.
func (r *Rules) service(name string) (ServiceEndpoint, bool) {
	for _, e := range r.topo.Services {
		if e.Service == name {
			return e, true
		}
	}
	return ServiceEndpoint{}, false
}

// interfaceEndpoints returns the indexes in Topology.Services of the
// interface endpoints, in order: their groups follow the balancers'.
func (r *Rules) interfaceEndpoints() []int {
	var out []int
	for i, e := range r.topo.Services {
		if !e.Gateway {
			out = append(out, i)
		}
	}
	return out
}

// serviceRules adds the security-group rules of the endpoints to in and
// out, indexed like Rules.Groups: an interface endpoint's group admits
// ServicePort from its users, which may open it to the group; a gateway
// endpoint's users may open it to the service's prefix list.
func (r *Rules) serviceRules(in, out [][]SGRule, least bool) {
	port := Port(ServicePort)
	for _, e := range r.topo.Services {
		desc := e.Service + " endpoint"
		for _, u := range e.Users {
			ui := r.index[u]
			if e.Gateway {
				if least {
					out[ui] = append(out[ui], SGRule{Protocol: ProtocolTCP, Ports: port, PrefixList: e.Service, Description: desc})
				}
				continue
			}
			gi := r.sgIndex(e.GroupName())
			in[gi] = append(in[gi], r.sgPeerRules(Tier(u), ProtocolTCP, port, desc)...)
			if least {
				out[ui] = append(out[ui], r.sgPeerRules(Tier(e.GroupName()), ProtocolTCP, port, desc)...)
			}
		}
	}
}

// serviceHops returns the connections of the endpoints' users that the
// network ACLs carry: to the subnets of an interface endpoint's Group, or
// to 0.0.0.0/0 for a gateway endpoint (the service's public addresses,
// which an ACL cannot name by prefix list), without NAT transit.
func (r *Rules) serviceHops() []hop {
	var out []hop
	for _, e := range r.topo.Services {
		for _, u := range e.Users {
			h := hop{from: Tier(u), proto: ProtocolTCP, ports: Port(ServicePort), ret: r.clientPorts(Tier(u), ProtocolTCP), direct: true}
			if e.Gateway {
				h.to = CIDR(r.anyPs...)
			} else {
				h.to = Tier(e.Group)
			}
			out = append(out, h)
		}
	}
	return out
}

// gatewayRoutes returns, per index in Topology.Groups, the services whose
// gateway endpoint the group's route tables route to: its Private and
// Isolated users'.
func (r *Rules) gatewayRoutes() map[int][]string {
	out := map[int][]string{}
	for _, e := range r.topo.Services {
		if !e.Gateway {
			continue
		}
		for _, u := range e.Users {
			if gi := r.index[u]; r.topo.Groups[gi].Exposure != Public && !slices.Contains(out[gi], e.Service) {
				out[gi] = append(out[gi], e.Service)
			}
		}
	}
	for _, s := range out {
		slices.Sort(s)
	}
	return out
}

// reachService answers a query to "service:<name>" from tier c: through
// the service's interface endpoint, or to the service's public addresses
// (its prefix list, or every address) through its gateway endpoint when
// every route table of c routes to it, through the internet gateway or a
// NAT otherwise.
func (w *walk) reachService(c end, name string, ports PortRange) bool {
	r := w.r
	if e, ok := r.service(name); ok && !e.Gateway {
		s := r.endOf(Tier(e.GroupName()), w.proto)
		return w.hop(c, s, ports)
	}
	if !w.sgService("security-group-out", c.sg, ports, name) || !w.acl("acl-out", c.home, Outbound, ports, r.anyPs) {
		return false
	}
	tables := r.groupTables(c.home)
	routed := len(tables) > 0 && !slices.ContainsFunc(tables, func(rt RouteTable) bool { return !slices.Contains(rt.GatewayEndpoints, name) })
	if routed {
		w.pass("route", strings.Join(tableNames(tables), ","), []string{"prefix list " + name + " -> gateway endpoint"})
	} else if !w.egressRoute(c, r.anyPs, ports) {
		return false
	}
	return w.acl("acl-return-in", c.home, Inbound, c.ret, r.anyPs)
}

// sgService checks that group gi may open ports to service name: a rule
// to its prefix list, or a rule to every IPv4 address (the service's
// addresses are public).
func (w *walk) sgService(layer string, gi int, ports PortRange, name string) bool {
	g := w.r.Groups[gi]
	for _, rule := range g.Outbound {
		if rule.PrefixList == name && rule.Protocol.covers(w.proto) && rule.Ports.Covers(ports) {
			return w.pass(layer, g.Name, []string{rule.String()})
		}
	}
	zero := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	if rule, ok := g.Allows(Outbound, w.proto, ports, "", zero); ok {
		return w.pass(layer, g.Name, []string{rule.String()})
	}
	return w.fail(layer, g.Name, fmt.Sprintf("no outbound rule allows %s to the prefix list of %s", protoPorts(w.proto, ports), name))
}
