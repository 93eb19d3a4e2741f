package fake

import (
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateRouteTable checks a route table (its destinations and target
// kinds: blueprint.Resource.Check): its Net and subnet exist, the subnet
// is in the Net and associated with no other table, every route has an
// existing target of its kind in the same Net, and Quotas.RoutesPerTable
// and RouteTablesPerNet (the Net's main table included) hold.
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
	for _, o := range d.keyed(k, subnetKey(s.Subnet), old) {
		return d.errf(op, k, e.res.ID, driver.AlreadyExists, "route_table.subnet: %s is already associated with route table %s", s.Subnet, o.id)
	}
	q := d.opts.Profile.Quotas
	if q.RoutesPerTable > 0 && len(s.Routes) > q.RoutesPerTable {
		return d.errf(op, k, e.res.ID, driver.Quota, "route_table.routes: %d routes; at most %d (RouteLimitExceeded)", len(s.Routes), q.RoutesPerTable)
	}
	if q.RouteTablesPerNet > 0 {
		n := d.count(k, netKey(s.Net), old)
		if n+1 >= q.RouteTablesPerNet {
			return d.errf(op, k, e.res.ID, driver.Quota, "net %s already has %d route tables and its main one, the most allowed (RouteTableLimitExceeded)", s.Net, n)
		}
	}
	for i, r := range s.Routes {
		field := "route_table.routes[" + itoa(i) + "]"
		want, ok := blueprint.RouteTargetKind(r.TargetKind)
		if !ok {
			return d.errf(op, k, e.res.ID, driver.Invalid, "%s.target_kind: %q: unknown; use %q, %q, %q or %q", field, r.TargetKind,
				netplan.TargetInternetGateway, netplan.TargetNATGateway, netplan.TargetVPNGateway, netplan.TargetNetPeering)
		}
		t, err := d.ref(op, e, field+".target", r.Target, want)
		if err != nil {
			return err
		}
		if why := d.peeringRoute(t, s.Net); why != "" {
			return d.errf(op, k, e.res.ID, driver.Invalid, "%s.target: %s", field, why)
		}
		if targetNet := d.netOf(t); targetNet != string(s.Net) && t.kind != blueprint.KindNetPeering {
			return d.errf(op, k, e.res.ID, driver.Invalid, "%s.target: %s is in net %s, not %s", field, r.Target, targetNet, s.Net)
		}
	}
	return nil
}
