package fake

import (
	"fmt"
	"slices"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateNetworkACL checks a network ACL (its entries' numbers,
// protocols, ports and CIDR blocks: blueprint.Resource.Check): its Net
// exists, its subnets are in the Net and guarded by no other network ACL;
// each direction, the final deny-all included, stays within
// Quotas.RulesPerACL, and the Net within Quotas.ACLsPerNet, its default
// ACL included.
func (d *Driver) validateNetworkACL(op string, e, old *entry) error {
	s := e.res.NetworkACL
	k := blueprint.KindNetworkACL
	if _, err := d.ref(op, e, "network_acl.net", s.Net, blueprint.KindNet); err != nil {
		return err
	}
	for i, ref := range s.Subnets {
		sub, err := d.ref(op, e, fmt.Sprintf("network_acl.subnets[%d]", i), ref, blueprint.KindSubnet)
		if err != nil {
			return err
		}
		if sub.res.Subnet.Net != s.Net {
			return d.errf(op, k, e.res.ID, driver.Invalid, "network_acl.subnets[%d]: %s is in net %s, not %s", i, sub.id, sub.res.Subnet.Net, s.Net)
		}
		for _, o := range d.others(k, old) {
			if slices.Contains(o.res.NetworkACL.Subnets, blueprint.Ref(sub.id)) {
				return d.errf(op, k, e.res.ID, driver.AlreadyExists, "network_acl.subnets[%d]: %s is already guarded by network ACL %s", i, sub.id, o.id)
			}
		}
	}
	q := d.opts.Profile.Quotas.RulesPerACL
	for _, dir := range []struct {
		name    string
		entries []blueprint.ACLEntrySpec
	}{{"inbound", s.Inbound}, {"outbound", s.Outbound}} {
		if q > 0 && len(dir.entries)+1 > q {
			return d.errf(op, k, e.res.ID, driver.Quota, "network_acl.%s: %d entries and the final deny; at most %d", dir.name, len(dir.entries), q)
		}
	}
	if q := d.opts.Profile.Quotas.ACLsPerNet; q > 0 {
		n := 0
		for _, o := range d.others(k, old) {
			if o.res.NetworkACL.Net == s.Net {
				n++
			}
		}
		if n+1 >= q {
			return d.errf(op, k, e.res.ID, driver.Quota, "net %s already has %d network ACLs and its default one, the most allowed", s.Net, n)
		}
	}
	return nil
}
