package fake

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validate checks e as the cloud would before a Create (old nil) or an
// Update (old the stored resource, which conflicts ignore).
func (d *Driver) validate(op string, e, old *entry) error {
	if err := d.checkFields(op, e); err != nil {
		return err
	}
	if err := e.res.Check(); err != nil {
		return driver.NewError(op, string(e.kind), e.res.ID, driver.Invalid, fmt.Errorf("fake: %w", err))
	}
	if err := d.Check("", e.res); err != nil {
		return driver.NewError(op, string(e.kind), e.res.ID, driver.Invalid, fmt.Errorf("fake: %w", err))
	}
	if ops, ok := kinds[e.kind]; ok {
		return ops.validate(d, op, e, old)
	}
	return d.errf(op, e.kind, e.res.ID, driver.Invalid, "unknown kind %q", e.kind)
}

// checkFields refuses, with Code Unsupported, a resource that sets a field
// of Options.UnsupportedFields, as a cloud without the feature would.
func (d *Driver) checkFields(op string, e *entry) error {
	no := d.opts.UnsupportedFields[e.kind]
	if len(no) == 0 {
		return nil
	}
	set, err := specFields(e.res)
	if err != nil {
		return driver.NewError(op, string(e.kind), e.res.ID, driver.Internal, err)
	}
	fields := slices.Sorted(maps.Keys(no))
	for _, f := range fields {
		if v, ok := set[f]; ok && !isZeroJSON(v) {
			return d.errf(op, e.kind, e.res.ID, driver.Unsupported, "%s.%s: %s", e.kind, f, no[f])
		}
	}
	return nil
}

func isZeroJSON(v json.RawMessage) bool {
	switch string(v) {
	case "null", `""`, "0", "false", "[]", "{}":
		return true
	}
	return false
}

// mayBlock returns the stored resources that may stop e's delete: those
// whose spec refers to it (the index), and for an internet gateway the NAT
// gateways of its Net; every resource for a Net, which holds what lies in
// its subnets too.
func (d *Driver) mayBlock(e *entry) []*entry {
	switch e.kind {
	case blueprint.KindNet:
		return slices.Collect(maps.Values(d.res))
	case blueprint.KindInternetGateway:
		nats := d.keyed(blueprint.KindNATGateway, netKey(e.res.InternetGateway.Net), nil)
		for _, o := range d.res {
			if o.kind == blueprint.KindCluster || o.kind == blueprint.KindVPNAppliance {
				nats = append(nats, o)
			}
		}
		for _, u := range d.users(e.id) {
			if !slices.Contains(nats, u) {
				nats = append(nats, u)
			}
		}
		return nats
	}
	return d.users(e.id)
}

// publicNodes reports whether cluster o has nodes in a public subnet of
// net ([blueprint.Resource.HoldsPublicIPs]): the clouds keep the Net's
// internet gateway attached while they do.
func (d *Driver) publicNodes(o *entry, net string) bool {
	return o.res.HoldsPublicIPs(func(ref blueprint.Ref) *blueprint.SubnetSpec {
		if sn, ok := d.res[string(ref)]; ok && sn.res.Subnet != nil && string(sn.res.Subnet.Net) == net {
			return sn.res.Subnet
		}
		return nil
	})
}

// blockers lists what stops e from being deleted.
func (d *Driver) blockers(e *entry) []driver.Blocker {
	var bs []driver.Blocker
	add := func(kind, id string) { bs = append(bs, driver.Blocker{Kind: kind, ID: id}) }
	if blockedBy := kinds[e.kind].blockedBy; blockedBy != nil {
		for _, o := range d.mayBlock(e) {
			if o != e && blockedBy(d, e, o) {
				add(string(o.kind), o.id)
			}
		}
	}
	for id, f := range d.foreign {
		if e.kind == blueprint.KindSubnet && f.subnet == e.id {
			add(f.kind, id)
		}
		if e.kind == blueprint.KindNet {
			if s, ok := d.res[f.subnet]; ok && d.netOf(s) == e.id {
				add(f.kind, id)
			}
		}
	}
	slices.SortFunc(bs, func(a, b driver.Blocker) int {
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return compareIDs(a.ID, b.ID)
	})
	return bs
}

// checkPrefix checks that a Net or subnet range (valid, without host bits:
// blueprint.Resource.Check) has a length within the bounds of its family.
func (d *Driver) checkPrefix(op string, e *entry, field string, p netip.Prefix, b4, b6 netplan.Bounds) error {
	b := b4
	if p.Addr().Is6() {
		b = b6
	}
	if !b.Contains(p.Bits()) {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "%s: %s: prefix length /%d is out of range; use /%d to /%d",
			field, p, p.Bits(), b.Min, b.Max)
	}
	return nil
}

// checkZone checks that z is one of the driver's zones.
func (d *Driver) checkZone(op string, e *entry, field, z string) error {
	if !slices.Contains(d.opts.Zones, z) {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "%s: %q: unknown zone; use one of %v", field, z, d.opts.Zones)
	}
	return nil
}

// zoneOf returns the zone of a stored subnet.
func (d *Driver) zoneOf(subnetID blueprint.Ref) string {
	if s, ok := d.res[string(subnetID)]; ok && s.kind == blueprint.KindSubnet {
		return s.res.Subnet.Zone
	}
	return ""
}

// checkSubnets resolves a list of subnets that must exist, lie in one Net
// and, when minZones > 1, span that many zones. It returns the Net id.
func (d *Driver) checkSubnets(op string, e *entry, field string, refs []blueprint.Ref, minZones int) (string, error) {
	if len(refs) == 0 {
		return "", d.errf(op, e.kind, e.res.ID, driver.Invalid, "%s: empty; give at least one subnet", field)
	}
	net := ""
	zones := map[string]bool{}
	for i, ref := range refs {
		s, err := d.ref(op, e, field+"["+itoa(i)+"]", ref, blueprint.KindSubnet)
		if err != nil {
			return "", err
		}
		n := string(s.res.Subnet.Net)
		if net != "" && n != net {
			return "", d.errf(op, e.kind, e.res.ID, driver.Invalid, "%s: subnets %s and %s are in different nets; use subnets of one net", field, refs[0], ref)
		}
		if b := d.opts.Profile.BalancerSubnetMax; e.kind == blueprint.KindLoadBalancer && b > 0 && s.res.Subnet.CIDR.Addr().Is4() && s.res.Subnet.CIDR.Bits() > b {
			return "", d.errf(op, e.kind, e.res.ID, driver.Invalid, "%s: subnet %s (%s) is smaller than /%d; a load balancer needs /%d or larger", field, ref, s.res.Subnet.CIDR, b, b)
		}
		if zones[s.res.Subnet.Zone] && minZones > 1 {
			return "", d.errf(op, e.kind, e.res.ID, driver.Invalid, "%s: two subnets in zone %s; give one subnet per zone", field, s.res.Subnet.Zone)
		}
		net = n
		zones[s.res.Subnet.Zone] = true
	}
	if len(zones) < minZones {
		return "", d.errf(op, e.kind, e.res.ID, driver.Invalid, "%s: %d zone(s); subnets must cover at least %d zones", field, len(zones), minZones)
	}
	return net, nil
}

// checkGroups resolves security groups that must exist in net.
func (d *Driver) checkGroups(op string, e *entry, field string, refs []blueprint.Ref, net string) error {
	if q := d.opts.Profile.Quotas.GroupsPerInterface; q > 0 && len(refs) > q {
		return d.errf(op, e.kind, e.res.ID, driver.Quota, "%s: %d security groups; at most %d per network interface", field, len(refs), q)
	}
	for i, ref := range refs {
		g, err := d.ref(op, e, field+"["+itoa(i)+"]", ref, blueprint.KindSecurityGroup)
		if err != nil {
			return err
		}
		if net != "" && string(g.res.SecurityGroup.Net) != net {
			return d.errf(op, e.kind, e.res.ID, driver.Invalid, "%s: security group %s is in net %s, not %s", field, ref, g.res.SecurityGroup.Net, net)
		}
	}
	return nil
}

func itoa(i int) string { return strconv.Itoa(i) }

// changedFields returns the JSON names of the spec fields that differ
// between a and b.
func changedFields(a, b blueprint.Resource) ([]string, error) {
	ma, err := specFields(a)
	if err != nil {
		return nil, err
	}
	mb, err := specFields(b)
	if err != nil {
		return nil, err
	}
	var out []string
	for k, v := range ma {
		if w, ok := mb[k]; !ok || string(v) != string(w) {
			out = append(out, k)
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

func specFields(r blueprint.Resource) (map[string]json.RawMessage, error) {
	b, err := json.Marshal(r.Spec())
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	err = json.Unmarshal(b, &m)
	return m, err
}

// sameSpec reports whether a and b have the same kind and spec.
func sameSpec(a, b blueprint.Resource) bool {
	if a.Kind != b.Kind {
		return false
	}
	c, err := changedFields(a, b)
	return err == nil && len(c) == 0
}

var _ driver.Checker = (*Driver)(nil)

// Check reports the values the fake refuses beyond blueprint.Resource.Check
// and its Profile, as its cloud does: in the AWS id style, a load balancer
// name that begins with "internal-" (ELBv2 CreateLoadBalancer: the name
// "must not begin with internal-") and a TLS policy Elastic Load Balancing
// does not have (SSLPolicyNotFound; OUTSCALE's LBU has no policy to
// choose). The engine's preflight calls it.
func (d *Driver) Check(_ string, r blueprint.Resource) error {
	if !d.usable() {
		return errNilDriver
	}
	if r.Kind == blueprint.KindNetPeering && r.NetPeering != nil {
		return d.checkPeering(r)
	}
	lb := r.LoadBalancer
	if r.Kind != blueprint.KindLoadBalancer || lb == nil || d.opts.IDStyle != IDStyleAWS {
		return nil
	}
	if strings.HasPrefix(strings.ToLower(lb.Name), "internal-") {
		return &netplan.FieldError{Package: "fake", Field: "load_balancer.name", Input: strconv.Quote(lb.Name),
			Problem: `begins with "internal-", which AWS reserves`, Fix: "rename the deployment or the balancer", Err: driver.ErrInvalid}
	}
	if lb.TLSPolicy != "" && !slices.Contains(tlsPolicies, lb.TLSPolicy) {
		return &netplan.FieldError{Package: "fake", Field: "load_balancer.tls_policy", Input: strconv.Quote(lb.TLSPolicy),
			Problem: "no such security policy (SSLPolicyNotFound)", Fix: "use " + blueprint.DefaultTLSPolicy + ", the default", Err: driver.ErrInvalid}
	}
	return nil
}

// tlsPolicies are the security policies of Elastic Load Balancing
// ("Security policies for your Application Load Balancer", Elastic Load
// Balancing User Guide), FIPS policies aside.
var tlsPolicies = []string{
	"ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
	"ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09", "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09",
	"ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06", "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06", "ELBSecurityPolicy-TLS13-1-1-2021-06",
	"ELBSecurityPolicy-TLS13-1-0-2021-06", "ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "ELBSecurityPolicy-TLS-1-2-2017-01",
	"ELBSecurityPolicy-TLS-1-1-2017-01", "ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-2015-05", "ELBSecurityPolicy-TLS-1-0-2015-04",
}
