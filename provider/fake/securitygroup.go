package fake

import (
	"fmt"
	"net/netip"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateSecurityGroup checks a security group (its name and description:
// blueprint.Resource.Check): its Net exists, its name is unique in the
// Net, and the Net stays within Quotas.GroupsPerNet, its default group
// included.
func (d *Driver) validateSecurityGroup(op string, e, old *entry) error {
	s := e.res.SecurityGroup
	k := blueprint.KindSecurityGroup
	if _, err := d.ref(op, e, "security_group.net", s.Net, blueprint.KindNet); err != nil {
		return err
	}
	for _, o := range d.keyed(k, nameInNetKey(s.Net, s.Name), old) {
		return d.errf(op, k, e.res.ID, driver.AlreadyExists, "security_group.name: %q: net %s already has group %s of that name (InvalidGroup.Duplicate)", s.Name, s.Net, o.id)
	}
	count := d.count(k, netKey(s.Net), old)
	if q := d.opts.Profile.Quotas.GroupsPerNet; q > 0 && count+1 >= q {
		return d.errf(op, k, e.res.ID, driver.Quota, "net %s already has %d security groups and its default one, the most allowed", s.Net, count)
	}
	return nil
}

// validateRules checks the rule set of a group (each rule's protocol,
// ports, CIDR block, description and duplicates: blueprint.Resource.Check):
// the group exists and has no other rule set, the groups its rules name
// are of the same Net, and each direction stays within
// Quotas.InboundRulesPerGroup and OutboundRulesPerGroup.
func (d *Driver) validateRules(op string, e, old *entry) error {
	s := e.res.SecurityGroupRules
	k := blueprint.KindSecurityGroupRules
	g, err := d.ref(op, e, "security_group_rules.group", s.Group, blueprint.KindSecurityGroup)
	if err != nil {
		return err
	}
	for _, o := range d.keyed(k, groupKey(s.Group), old) {
		return d.errf(op, k, e.res.ID, driver.AlreadyExists, "security_group_rules.group: group %s already has rule set %s; update it instead", s.Group, o.id)
	}
	q := d.opts.Profile.Quotas
	for _, dir := range []struct {
		name  string
		rules []blueprint.RuleSpec
		quota int
	}{{"inbound", s.Inbound, q.InboundRulesPerGroup}, {"outbound", s.Outbound, q.OutboundRulesPerGroup}} {
		if dir.quota > 0 && len(dir.rules) > dir.quota {
			return d.errf(op, k, e.res.ID, driver.Quota, "security_group_rules.%s: %d rules (RulesPerSecurityGroupLimitExceeded); at most %d", dir.name, len(dir.rules), dir.quota)
		}
		for i, r := range dir.rules {
			field := fmt.Sprintf("security_group_rules.%s[%d]", dir.name, i)
			if err := d.checkRule(op, e, field, r, string(g.res.SecurityGroup.Net)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRule checks that the group a rule names (its protocol, ports, CIDR
// block and description: blueprint.Resource.Check) exists in net.
func (d *Driver) checkRule(op string, e *entry, field string, r blueprint.RuleSpec, net string) error {
	if r.PrefixList != "" {
		return d.checkPrefixList(op, e, field, r)
	}
	if r.Group == "" {
		return nil
	}
	g, err := d.ref(op, e, field+".group", r.Group, blueprint.KindSecurityGroup)
	if err != nil {
		return err
	}
	if string(g.res.SecurityGroup.Net) != net {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "%s.group: %s is in net %s, not %s", field, g.id, g.res.SecurityGroup.Net, net)
	}
	return nil
}

// ruleMatches reports whether r lets traffic of protocol proto to port
// through.
func ruleMatches(r blueprint.RuleSpec, proto netplan.Protocol, port uint16) bool {
	switch r.Protocol {
	case netplan.ProtocolAll:
		return true
	case proto:
		return !proto.HasPorts() || (port >= r.FromPort && port <= r.ToPort)
	}
	return false
}

// rulesOf returns the rule set of group id, or nil when it has none.
func (d *Driver) rulesOf(group string) *blueprint.SecurityGroupRulesSpec {
	for _, o := range d.keyed(blueprint.KindSecurityGroupRules, groupKey(blueprint.Ref(group)), nil) {
		return o.res.SecurityGroupRules
	}
	return nil
}

// allows reports whether members of group from reach members of group to
// on proto/port: the inbound rules of to admit from (by group), and the
// outbound rules of from let the traffic out (by group or by a CIDR block
// holding to's whole Net). A group without a rule set keeps the cloud's
// default: all outbound traffic, no inbound traffic.
func (d *Driver) allows(from, to string, proto netplan.Protocol, port uint16) (bool, string, error) {
	gf, ok := d.res[from]
	if !ok || gf.kind != blueprint.KindSecurityGroup {
		return false, "", fmt.Errorf("security group %s does not exist", from)
	}
	gt, ok := d.res[to]
	if !ok || gt.kind != blueprint.KindSecurityGroup {
		return false, "", fmt.Errorf("security group %s does not exist", to)
	}
	in := d.rulesOf(to)
	if in == nil {
		return false, fmt.Sprintf("group %s has no rules: no inbound traffic", to), nil
	}
	inOK := false
	for _, r := range in.Inbound {
		if string(r.Group) == from && ruleMatches(r, proto, port) {
			inOK = true
			break
		}
	}
	if !inOK {
		return false, fmt.Sprintf("no inbound rule of %s admits %s/%d from group %s", to, proto, port, from), nil
	}
	out := d.rulesOf(from)
	if out == nil {
		return true, "", nil
	}
	var toNet netip.Prefix
	if n, ok := d.res[string(gt.res.SecurityGroup.Net)]; ok {
		toNet = n.res.Net.CIDR
	}
	for _, r := range out.Outbound {
		if !ruleMatches(r, proto, port) {
			continue
		}
		if string(r.Group) == to {
			return true, "", nil
		}
		if r.CIDR.IsValid() && toNet.IsValid() && r.CIDR.Bits() <= toNet.Bits() && r.CIDR.Contains(toNet.Addr()) {
			return true, "", nil
		}
	}
	return false, fmt.Sprintf("no outbound rule of %s lets %s/%d out to group %s", from, proto, port, to), nil
}
