package fake

import (
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateRouteTable checks a route table: its Net and subnet exist, the
// subnet is in the Net and associated with no other table, and every route
// has a valid, unique destination and an existing target of its kind in
// the same Net.
func (d *Driver) validateRouteTable(op string, e, old *entry) error {
	s := e.res.RouteTable
	k := blueprint.KindRouteTable
	if _, err := d.ref(op, e, "route_table.net", s.Net, blueprint.KindNet); err != nil {
		return err
	}
	sub, err := d.ref(op, e, "route_table.subnet", s.Subnet, blueprint.KindSubnet)
	if err != nil {
		return err
	}
	if sub.res.Subnet.Net != s.Net {
		return d.errf(op, k, e.res.ID, driver.Invalid, "route_table.subnet: %s is in net %s, not %s", sub.id, sub.res.Subnet.Net, s.Net)
	}
	for _, o := range d.others(k, old) {
		if o.res.RouteTable.Subnet == s.Subnet {
			return d.errf(op, k, e.res.ID, driver.AlreadyExists, "route_table.subnet: %s is already associated with route table %s", s.Subnet, o.id)
		}
	}
	seen := map[string]bool{}
	for i, r := range s.Routes {
		field := "route_table.routes[" + itoa(i) + "]"
		p := r.Destination
		if !p.IsValid() || p.Masked() != p {
			return d.errf(op, k, e.res.ID, driver.Invalid, "%s.destination: %q: not a network CIDR block; write it like 0.0.0.0/0", field, p)
		}
		if seen[p.String()] {
			return d.errf(op, k, e.res.ID, driver.Invalid, "%s.destination: %s: duplicate route (RouteAlreadyExists); keep one", field, p)
		}
		seen[p.String()] = true
		var targetNet string
		switch r.TargetKind {
		case netplan.TargetInternetGateway:
			t, err := d.ref(op, e, field+".target", r.Target, blueprint.KindInternetGateway)
			if err != nil {
				return err
			}
			targetNet = string(t.res.InternetGateway.Net)
		case netplan.TargetNATGateway:
			t, err := d.ref(op, e, field+".target", r.Target, blueprint.KindNATGateway)
			if err != nil {
				return err
			}
			targetNet = d.netOf(t)
		default:
			return d.errf(op, k, e.res.ID, driver.Invalid, "%s.target_kind: %q: unknown; use %q or %q", field, r.TargetKind, netplan.TargetInternetGateway, netplan.TargetNATGateway)
		}
		if targetNet != string(s.Net) {
			return d.errf(op, k, e.res.ID, driver.Invalid, "%s.target: %s is in net %s, not %s", field, r.Target, targetNet, s.Net)
		}
	}
	return nil
}
