package fake

import (
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateNet checks a Net: a CIDR block (without host bits:
// blueprint.Resource.Check) whose prefix length lies in Profile.NetPrefix
// (NetPrefix6 for IPv6), a private (RFC 1918) range when
// Profile.PrivateNets, and Quotas.NetsPerRegion.
func (d *Driver) validateNet(op string, e, old *entry) error {
	p := e.res.Net.CIDR
	if err := d.checkPrefix(op, e, "net.cidr", p, d.opts.Profile.NetPrefix, d.opts.Profile.NetPrefix6); err != nil {
		return err
	}
	if d.opts.Profile.PrivateNets && !p.Addr().IsPrivate() {
		return d.errf(op, blueprint.KindNet, e.res.ID, driver.Invalid, "net.cidr: %s: not a private range; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16", p)
	}
	if q := d.opts.Profile.Quotas.NetsPerRegion; q > 0 && len(d.others(blueprint.KindNet, old)) >= q {
		return d.errf(op, blueprint.KindNet, e.res.ID, driver.Quota, "the region already has %d nets, the most allowed (VpcLimitExceeded)", q)
	}
	return nil
}
