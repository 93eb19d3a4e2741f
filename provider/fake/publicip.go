package fake

import (
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validatePublicIP checks a public IP: its zone, when set, is known, and
// the region stays within Quotas.PublicIPsPerRegion (AWS:
// AddressLimitExceeded).
func (d *Driver) validatePublicIP(op string, e, old *entry) error {
	if z := e.res.PublicIP.Zone; z != "" {
		if err := d.checkZone(op, e, "public_ip.zone", z); err != nil {
			return err
		}
	}
	if q := d.opts.Profile.Quotas.PublicIPsPerRegion; q > 0 && len(d.others(blueprint.KindPublicIP, old)) >= q {
		return d.errf(op, e.kind, e.res.ID, driver.Quota, "the region already has %d public IPs, the most allowed (AddressLimitExceeded)", q)
	}
	return nil
}
