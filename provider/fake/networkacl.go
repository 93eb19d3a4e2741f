package fake

import (
	"fmt"
	"slices"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateNetworkACL checks a network ACL: its Net
// exists, its subnets are in the Net and guarded by no other network ACL, and
// every entry has a number from 1 to 32766 unique in its direction, a known
// protocol, valid ports and a CIDR block; each direction, the final
// deny-all included, stays within Quotas.RulesPerACL.
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
		numbers := map[int]bool{}
		for i, a := range dir.entries {
			field := fmt.Sprintf("network_acl.%s[%d]", dir.name, i)
			switch {
			case a.Number < 1 || a.Number > 32766:
				return d.errf(op, k, e.res.ID, driver.Invalid, "%s.number: %d: out of range; use 1 to 32766", field, a.Number)
			case numbers[a.Number]:
				return d.errf(op, k, e.res.ID, driver.Invalid, "%s.number: %d: used twice (NetworkAclEntryAlreadyExists); renumber", field, a.Number)
			case !a.Protocol.IsValid():
				return d.errf(op, k, e.res.ID, driver.Invalid, "%s.protocol: %q: unknown; use tcp, udp, icmp or all", field, a.Protocol)
			case a.Protocol.HasPorts() && (a.ToPort == 0 || a.FromPort > a.ToPort):
				return d.errf(op, k, e.res.ID, driver.Invalid, "%s: ports %d-%d: give from_port <= to_port, to_port at least 1", field, a.FromPort, a.ToPort)
			case !a.CIDR.IsValid() || a.CIDR.Masked() != a.CIDR:
				return d.errf(op, k, e.res.ID, driver.Invalid, "%s.cidr: %q: not a network CIDR block", field, a.CIDR)
			}
			numbers[a.Number] = true
		}
	}
	return nil
}
