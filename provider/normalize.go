package provider

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/archkit/archkit/pattern/blueprint"
)

// normalize returns a copy of r in canonical form for comparison: rules,
// routes, listeners, entries and reference lists sorted, rule
// descriptions and a database's fallback dropped (clouds do not keep
// them), refs mapped through ref (nil: unchanged).
func normalize(r blueprint.Resource, ref func(blueprint.Ref) blueprint.Ref) blueprint.Resource {
	c := r.Clone()
	c.DependsOn = nil
	if ref != nil {
		for _, p := range c.Refs() {
			if *p != "" {
				*p = ref(*p)
			}
		}
	}
	sortRefs := func(rs []blueprint.Ref) { slices.Sort(rs) }
	switch {
	case c.RouteTable != nil:
		slices.SortFunc(c.RouteTable.Routes, func(a, b blueprint.RouteSpec) int {
			return cmp.Or(a.Destination.Addr().Compare(b.Destination.Addr()), cmp.Compare(a.Destination.Bits(), b.Destination.Bits()),
				cmp.Compare(a.TargetKind, b.TargetKind), strings.Compare(string(a.Target), string(b.Target)))
		})
	case c.SecurityGroupRules != nil:
		for _, rs := range [][]blueprint.RuleSpec{c.SecurityGroupRules.Inbound, c.SecurityGroupRules.Outbound} {
			for i := range rs {
				rs[i].Description = ""
			}
			slices.SortFunc(rs, func(a, b blueprint.RuleSpec) int { return strings.Compare(ruleKey(a), ruleKey(b)) })
		}
		c.SecurityGroupRules.Inbound = slices.Compact(c.SecurityGroupRules.Inbound)
		c.SecurityGroupRules.Outbound = slices.Compact(c.SecurityGroupRules.Outbound)
	case c.NetworkACL != nil:
		sortRefs(c.NetworkACL.Subnets)
		for _, es := range [][]blueprint.ACLEntrySpec{c.NetworkACL.Inbound, c.NetworkACL.Outbound} {
			slices.SortFunc(es, func(a, b blueprint.ACLEntrySpec) int { return cmp.Compare(a.Number, b.Number) })
		}
	case c.LoadBalancer != nil:
		sortRefs(c.LoadBalancer.Subnets)
		sortRefs(c.LoadBalancer.SecurityGroups)
		slices.SortFunc(c.LoadBalancer.Listeners, func(a, b blueprint.ListenerSpec) int {
			return cmp.Or(cmp.Compare(a.Port, b.Port), strings.Compare(a.Protocol, b.Protocol))
		})
	case c.Cluster != nil:
		normCluster(c.Cluster)
	case c.Database != nil:
		sortRefs(c.Database.Subnets)
		sortRefs(c.Database.SecurityGroups)
		// The fallback tells the engine what to build on a cloud without
		// managed databases; it is no property of a database in the cloud
		// (a driver never reads it back), so changing it changes nothing.
		c.Database.Fallback = nil
	}
	return c
}

func normCluster(s *blueprint.ClusterSpec) {
	slices.Sort(s.Subnets)
	slices.Sort(s.SecurityGroups)
	slices.Sort(s.LoadBalancers)
}

// ruleKey is the canonical text of a rule, its description left out.
func ruleKey(r blueprint.RuleSpec) string {
	return fmt.Sprintf("%s|%05d|%05d|%s|%s", r.Protocol, r.FromPort, r.ToPort, r.CIDR, r.Group)
}
