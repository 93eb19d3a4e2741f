package fake

import (
	"fmt"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// noInterfaceEndpoints is why the fake as OUTSCALE refuses an interface
// endpoint, as the OUTSCALE driver does.
const noInterfaceEndpoints = "OUTSCALE's Net access points reach its object storage (OOS) through route tables only; it has no interface endpoints"

// validateNetEndpoint checks an endpoint as EC2 CreateVpcEndpoint does:
// its Net exists and the static rules hold (a known service of the
// region, a gateway only for s3 and dynamodb, an interface with subnets
// and groups); a gateway endpoint's route tables are the Net's, and none
// already routes the service's prefix list to another endpoint
// (RouteAlreadyExists); an interface endpoint's subnets are the Net's,
// in distinct zones (DuplicateSubnetsInSameZone), its groups the Net's,
// and with private DNS no other endpoint of the Net answers for the
// service's name (a conflicting DNS domain: InvalidParameter). As
// OUTSCALE, only a gateway endpoint to s3 (a Net access point to OOS).
func (d *Driver) validateNetEndpoint(op string, e, old *entry) error {
	s := e.res.NetEndpoint
	k := blueprint.KindNetEndpoint
	if _, err := d.ref(op, e, "net_endpoint.net", s.Net, blueprint.KindNet); err != nil {
		return err
	}
	if err := e.res.Check(); err != nil {
		return d.errf(op, k, e.res.ID, driver.Invalid, "%v (InvalidServiceName or InvalidParameter)", err)
	}
	if d.opts.Cloud == CloudOutscale && (s.Type != blueprint.EndpointGateway || tier.Service(s.Service) != tier.ServiceS3) {
		return d.errf(op, k, e.res.ID, driver.Unsupported, "net_endpoint: %s %s: %s", s.Type, s.Service, noInterfaceEndpoints)
	}
	if s.Type == blueprint.EndpointGateway {
		return d.checkGatewayTables(op, e, old)
	}
	zones := map[string]blueprint.Ref{}
	for i, ref := range s.Subnets {
		sub, err := d.refInNet(op, e, fmt.Sprintf("net_endpoint.subnets[%d]", i), ref, blueprint.KindSubnet, s.Net)
		if err != nil {
			return err
		}
		if other, dup := zones[sub.res.Subnet.Zone]; dup {
			return d.errf(op, k, e.res.ID, driver.Invalid, "net_endpoint.subnets[%d]: %s and %s are both in zone %s (DuplicateSubnetsInSameZone); give one subnet per zone", i, other, ref, sub.res.Subnet.Zone)
		}
		zones[sub.res.Subnet.Zone] = ref
	}
	for i, ref := range s.SecurityGroups {
		if _, err := d.refInNet(op, e, fmt.Sprintf("net_endpoint.security_groups[%d]", i), ref, blueprint.KindSecurityGroup, s.Net); err != nil {
			return err
		}
	}
	if s.PrivateDNS {
		for _, o := range d.keyed(k, privateDNSKey(s), old) {
			return d.errf(op, k, e.res.ID, driver.Invalid, "net_endpoint.private_dns: endpoint %s already answers for %s in net %s (a conflicting DNS domain: InvalidParameter)", o.id, s.Service, s.Net)
		}
	}
	return nil
}

// checkGatewayTables checks a gateway endpoint's route tables: each is
// the Net's, and no other endpoint routes the service's prefix list in it.
func (d *Driver) checkGatewayTables(op string, e, old *entry) error {
	s := e.res.NetEndpoint
	k := blueprint.KindNetEndpoint
	for i, ref := range s.RouteTables {
		if _, err := d.refInNet(op, e, fmt.Sprintf("net_endpoint.route_tables[%d]", i), ref, blueprint.KindRouteTable, s.Net); err != nil {
			return err
		}
		for _, o := range d.keyed(k, routeTableKey(ref), old) {
			if o.res.NetEndpoint.Service == s.Service {
				return d.errf(op, k, e.res.ID, driver.AlreadyExists, "net_endpoint.route_tables[%d]: %s already routes the prefix list of %s to %s (RouteAlreadyExists)", i, ref, s.Service, o.id)
			}
		}
	}
	return nil
}

// refInNet resolves ref, a resource of kind want, and checks that it
// lives in net.
func (d *Driver) refInNet(op string, e *entry, field string, ref blueprint.Ref, want blueprint.Kind, net blueprint.Ref) (*entry, error) {
	t, err := d.ref(op, e, field, ref, want)
	if err != nil {
		return nil, err
	}
	if n := d.netOf(t); n != string(net) {
		return nil, d.errf(op, e.kind, e.res.ID, driver.Invalid, "%s: %s is in net %s, not %s", field, ref, n, net)
	}
	return t, nil
}

// netEndpointKeys are the keys of an endpoint: its Net, its route tables
// and, with private DNS, the service's name in the Net.
func netEndpointKeys(_ *Driver, r *blueprint.Resource) []key {
	s := r.NetEndpoint
	keys := []key{netKey(s.Net)}
	for _, rt := range s.RouteTables {
		keys = append(keys, routeTableKey(rt))
	}
	if s.PrivateDNS {
		keys = append(keys, privateDNSKey(s))
	}
	return keys
}

func routeTableKey(rt blueprint.Ref) key { return key{tag: "route_table", ref: string(rt)} }

func privateDNSKey(s *blueprint.NetEndpointSpec) key {
	return nameInNetKey(s.Net, "private-dns "+s.Service)
}

// checkPrefixList checks the prefix list a rule names: an AWS-managed
// list of the region (s3, dynamodb; InvalidPrefixListId.NotFound
// otherwise), or, as OUTSCALE, the OOS service of a Net access point.
func (d *Driver) checkPrefixList(op string, e *entry, field string, r blueprint.RuleSpec) error {
	svc := tier.Service(r.PrefixList)
	if !svc.Gateway() || (d.opts.Cloud == CloudOutscale && svc != tier.ServiceS3) {
		return d.errf(op, e.kind, e.res.ID, driver.NotFound, "%s.prefix_list: %q: no such prefix list in the region (InvalidPrefixListId.NotFound)", field, r.PrefixList)
	}
	return nil
}
