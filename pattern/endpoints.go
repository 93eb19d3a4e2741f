package pattern

import (
	"fmt"
	"slices"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// Endpoints says which endpoints to the cloud's own services the Net has
// (AWS VPC endpoints, OUTSCALE Net access points). The zero value derives
// them from what the nodes call ([DeriveEndpoints]): a cluster's grants
// (a bucket: S3, a queue: SQS, a database secret: Secrets Manager,
// parameters: Systems Manager) and a Session Manager bastion (ssm,
// ssmmessages, ec2messages), so that private and isolated tiers reach
// those services without the internet.
type Endpoints struct {
	// Off builds the Net without endpoints: the nodes reach the services
	// through the NAT gateways, when their flows allow it. Build refuses
	// it together with Add or Drop.
	Off bool
	// Add adds services the derivation cannot see (ECR for the image
	// pulls of containers, CloudWatch Logs for an agent...).
	Add []EndpointUse
	// Drop turns derived endpoints off, by service.
	Drop []tier.Service
}

// EndpointUse is a service that tiers call.
type EndpointUse struct {
	Service tier.Service
	// Tiers are the tiers that call it; empty: every Private and Isolated
	// tier.
	Tiers []string
}

// AddEndpoint adds an endpoint to service s for tiers (none: every
// Private and Isolated tier); see [Endpoints].
//
//	arch.AddEndpoint(tier.ServiceECRAPI, "app").AddEndpoint(tier.ServiceECRDKR, "app")
func (a *Architecture) AddEndpoint(s tier.Service, tiers ...string) *Architecture {
	if a == nil {
		return nil
	}
	a.Endpoints.Add = append(a.Endpoints.Add, EndpointUse{Service: s, Tiers: tiers})
	return a
}

// DeriveEndpoints returns the endpoints of a Net of tiers, in the order of
// their services' names, from uses (the services each tier's nodes call)
// and opts. It is pure.
//
// A gateway service (S3, DynamoDB) gets a gateway endpoint on the route
// tables of its Private and Isolated users; with only Public users it
// gets none (they reach it through the internet gateway). Any other
// service gets an interface endpoint in the subnets of one tier, one
// interface per zone: the first Private user in tiers' order, else the
// first Private tier, else the first Isolated user, else the first
// Isolated tier; a Net of Public tiers only gets none. Its users are
// every tier that calls it, Public ones included: with private DNS, the
// service's name resolves to the endpoint for the whole Net.
//
// With a web tier (Public) and an app tier (Private) whose cluster reads
// a bucket and consumes a queue, it returns s3 (gateway, users app) and
// sqs (interface in app's subnets, users app).
func DeriveEndpoints(tiers []tier.Tier, uses map[string][]tier.Service, opts Endpoints) []netplan.ServiceEndpoint {
	if opts.Off {
		return nil
	}
	users := map[tier.Service][]string{}
	for _, t := range tiers {
		for _, s := range uses[t.Name] {
			users[s] = append(users[s], t.Name)
		}
	}
	for _, u := range opts.Add {
		ts := u.Tiers
		if len(ts) == 0 {
			for _, t := range tiers {
				if t.Exposure != netplan.Public {
					ts = append(ts, t.Name)
				}
			}
		}
		users[u.Service] = append(users[u.Service], ts...)
	}
	exposure := map[string]netplan.Exposure{}
	for _, t := range tiers {
		exposure[t.Name] = t.Exposure
	}
	var out []netplan.ServiceEndpoint
	for _, s := range sortedServices(users) {
		if slices.Contains(opts.Drop, s) {
			continue
		}
		us := uniqueInOrder(tiers, users[s])
		e := netplan.ServiceEndpoint{Service: string(s), Gateway: s.Gateway(), Users: us}
		if e.Gateway {
			if !slices.ContainsFunc(us, func(u string) bool { return exposure[u] != netplan.Public }) {
				continue
			}
		} else if e.Group = endpointHome(tiers, us); e.Group == "" {
			continue
		}
		out = append(out, e)
	}
	return out
}

func sortedServices(m map[tier.Service][]string) []tier.Service {
	out := make([]tier.Service, 0, len(m))
	for s := range m {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// uniqueInOrder returns the tiers named in names, each once, in tiers'
// order.
func uniqueInOrder(tiers []tier.Tier, names []string) []string {
	var out []string
	for _, t := range tiers {
		if slices.Contains(names, t.Name) {
			out = append(out, t.Name)
		}
	}
	return out
}

// endpointHome is the tier whose subnets hold an interface endpoint of
// users (see [DeriveEndpoints]), or "".
func endpointHome(tiers []tier.Tier, users []string) string {
	for _, x := range []netplan.Exposure{netplan.Private, netplan.Isolated} {
		for _, onlyUsers := range []bool{true, false} {
			for _, t := range tiers {
				if t.Exposure == x && (!onlyUsers || slices.Contains(users, t.Name)) {
					return t.Name
				}
			}
		}
	}
	return ""
}

// serviceUses returns the services each tier's nodes call: its cluster's
// grants, and Session Manager's for a Session Manager bastion.
func (d *design) serviceUses() map[string][]tier.Service {
	uses := map[string][]tier.Service{}
	for i := range d.arch.Clusters {
		c := &d.arch.Clusters[i]
		uses[c.Tier] = append(uses[c.Tier], tier.ServicesOf(c.Grants)...)
	}
	for _, t := range d.arch.sessionManager {
		uses[t] = append(uses[t], tier.SessionManagerServices...)
	}
	for t, ss := range uses {
		// A Session Manager bastion is also granted Session Manager
		// when it has no instance profile: each service once.
		slices.Sort(ss)
		uses[t] = slices.Compact(ss)
	}
	return uses
}

// validateEndpoints checks the services and tiers Endpoints names.
func (d *design) validateEndpoints() []error {
	var errs []error
	known := func(f string, s tier.Service) {
		if !s.IsKnown() {
			errs = append(errs, errf(f, string(s), "unknown service", fmt.Sprintf("use one of %v", tier.Services)))
		}
	}
	for i, u := range d.arch.Endpoints.Add {
		f := fmt.Sprintf("endpoints.add[%d]", i)
		known(f+".service", u.Service)
		for j, t := range u.Tiers {
			if _, ok := d.tiers[t]; !ok {
				errs = append(errs, errf(fmt.Sprintf("%s.tiers[%d]", f, j), t, "unknown tier", "name a tier of the architecture"))
			}
		}
	}
	for i, s := range d.arch.Endpoints.Drop {
		known(fmt.Sprintf("endpoints.drop[%d]", i), s)
	}
	if d.arch.Endpoints.Off {
		// Off builds no endpoint: what Add and Drop say would be ignored.
		for i, u := range d.arch.Endpoints.Add {
			errs = append(errs, errf(fmt.Sprintf("endpoints.add[%d]", i), string(u.Service), "an endpoint added with Endpoints.Off, which builds none",
				"drop Endpoints.Off (and Drop the derived endpoints you do not want), or this endpoint"))
		}
		for i, s := range d.arch.Endpoints.Drop {
			errs = append(errs, errf(fmt.Sprintf("endpoints.drop[%d]", i), string(s), "a drop with Endpoints.Off, which builds no endpoint to drop",
				"drop Endpoints.Off or the Drop list"))
		}
	}
	return errs
}

// netEndpoints adds the Net's endpoints: a gateway endpoint on the route
// tables of its Private and Isolated users' subnets, an interface
// endpoint in its tier's subnets with its own security group.
func (b *bpBuilder) netEndpoints() {
	for _, e := range b.d.rules.Topology().Services {
		spec := &blueprint.NetEndpointSpec{Net: blueprint.Ref(b.netID), Service: e.Service}
		if e.Gateway {
			spec.Type = blueprint.EndpointGateway
			for _, rt := range b.d.rules.RouteTables {
				if slices.Contains(rt.GatewayEndpoints, e.Service) {
					spec.RouteTables = append(spec.RouteTables, blueprint.Ref(id(blueprint.KindRouteTable, rt.Group, rt.Zone)))
				}
			}
		} else {
			spec.Type, spec.PrivateDNS = blueprint.EndpointInterface, true
			spec.Subnets = slices.Clone(b.subnets[e.Group])
			spec.SecurityGroups = []blueprint.Ref{blueprint.Ref(id(blueprint.KindSecurityGroup, e.GroupName()))}
		}
		slices.Sort(spec.RouteTables)
		b.add(blueprint.Resource{ID: id(blueprint.KindNetEndpoint, e.Service), Kind: blueprint.KindNetEndpoint, NetEndpoint: spec})
	}
}
