package fake

// validatePublicIP checks a public IP: its zone, when set, is known.
func (d *Driver) validatePublicIP(op string, e, _ *entry) error {
	if z := e.res.PublicIP.Zone; z != "" {
		return d.checkZone(op, e, "public_ip.zone", z)
	}
	return nil
}
