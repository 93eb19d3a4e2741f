package fake

import (
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateNet checks a Net: a CIDR block without host bits whose prefix
// length lies in Profile.NetPrefix (NetPrefix6 for IPv6), and on OUTSCALE a
// private (RFC 1918) range.
func (d *Driver) validateNet(op string, e, _ *entry) error {
	p := e.res.Net.CIDR
	if err := d.checkPrefix(op, e, "net.cidr", p, d.opts.Profile.NetPrefix, d.opts.Profile.NetPrefix6); err != nil {
		return err
	}
	if d.opts.IDStyle == IDStyleOutscale && !p.Addr().IsPrivate() {
		return d.errf(op, blueprint.KindNet, e.res.ID, driver.Invalid, "net.cidr: %s: not a private range; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16", p)
	}
	return nil
}
