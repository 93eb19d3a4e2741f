package fake

import (
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateNATGateway checks a NAT gateway: its subnet and public IP exist,
// the IP serves no other NAT gateway, the subnet's Net has an internet
// gateway (OUTSCALE refuses a NAT service without one), the zone is the
// subnet's, and the zone stays within Quotas.NATsPerZone.
func (d *Driver) validateNATGateway(op string, e, old *entry) error {
	s := e.res.NATGateway
	k := blueprint.KindNATGateway
	sub, err := d.ref(op, e, "nat_gateway.subnet", s.Subnet, blueprint.KindSubnet)
	if err != nil {
		return err
	}
	if _, err := d.ref(op, e, "nat_gateway.public_ip", s.PublicIP, blueprint.KindPublicIP); err != nil {
		return err
	}
	net := string(sub.res.Subnet.Net)
	if s.InternetGateway != "" {
		igw, err := d.ref(op, e, "nat_gateway.internet_gateway", s.InternetGateway, blueprint.KindInternetGateway)
		if err != nil {
			return err
		}
		if string(igw.res.InternetGateway.Net) != net {
			return d.errf(op, k, e.res.ID, driver.Invalid, "nat_gateway.internet_gateway: %s is attached to net %s, not %s", igw.id, igw.res.InternetGateway.Net, net)
		}
	}
	if s.PublicRoute != "" {
		rt, err := d.ref(op, e, "nat_gateway.public_route", s.PublicRoute, blueprint.KindRouteTable)
		if err != nil {
			return err
		}
		if string(rt.res.RouteTable.Net) != net {
			return d.errf(op, k, e.res.ID, driver.Invalid, "nat_gateway.public_route: %s is in net %s, not %s", rt.id, rt.res.RouteTable.Net, net)
		}
	}
	if d.netGateway(net) == nil {
		return d.errf(op, k, e.res.ID, driver.Invalid, "nat_gateway.subnet: net %s has no internet gateway; attach one first", net)
	}
	zone := sub.res.Subnet.Zone
	if s.Zone != "" && s.Zone != zone {
		return d.errf(op, k, e.res.ID, driver.Invalid, "nat_gateway.zone: %q: subnet %s is in zone %s", s.Zone, sub.id, zone)
	}
	for _, o := range d.keyed(k, key{tag: "public_ip", ref: string(s.PublicIP)}, old) {
		return d.errf(op, k, e.res.ID, driver.AlreadyExists, "nat_gateway.public_ip: %s is already used by NAT gateway %s", s.PublicIP, o.id)
	}
	inZone := d.count(k, key{tag: "zone", ref: zone}, old)
	if q := d.opts.Profile.Quotas.NATsPerZone; q > 0 && inZone >= q {
		return d.errf(op, k, e.res.ID, driver.Quota, "zone %s already has %d NAT gateways, the most allowed", zone, inZone)
	}
	return nil
}
