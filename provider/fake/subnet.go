package fake

import (
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateSubnet checks a subnet: its Net exists, its range lies in the
// Net's with a length in Profile.SubnetPrefix, overlaps no other subnet of
// the Net, its zone is known, and the Net stays within
// Quotas.SubnetsPerNet.
func (d *Driver) validateSubnet(op string, e, old *entry) error {
	s := e.res.Subnet
	k := blueprint.KindSubnet
	n, err := d.ref(op, e, "subnet.net", s.Net, blueprint.KindNet)
	if err != nil {
		return err
	}
	if err := d.checkPrefix(op, e, "subnet.cidr", s.CIDR, d.opts.Profile.SubnetPrefix, d.opts.Profile.SubnetPrefix6); err != nil {
		return err
	}
	np := n.res.Net.CIDR
	if !np.Contains(s.CIDR.Addr()) || s.CIDR.Bits() < np.Bits() {
		return d.errf(op, k, e.res.ID, driver.Invalid, "subnet.cidr: %s: not inside net %s (%s); pick a range inside it", s.CIDR, n.id, np)
	}
	if err := d.checkZone(op, e, "subnet.zone", s.Zone); err != nil {
		return err
	}
	if o := d.overlapping(s.Net, s.CIDR, old); o != nil {
		return d.errf(op, k, e.res.ID, driver.Invalid, "subnet.cidr: %s: overlaps subnet %s (%s); pick a free range", s.CIDR, o.id, o.res.Subnet.CIDR)
	}
	count := d.count(k, netKey(s.Net), old)
	if q := d.opts.Profile.Quotas.SubnetsPerNet; q > 0 && count >= q {
		return d.errf(op, k, e.res.ID, driver.Quota, "net %s already has %d subnets, the most allowed", n.id, count)
	}
	return nil
}
