package pattern

import (
	"fmt"
	"strconv"

	"github.com/archkit/archkit/netplan"
)

// This file holds the checks of what the architecture decides against the
// profile's quotas and the clouds' rules that do not depend on a driver:
// how many subnets, route tables, network ACLs, public IPs, load
// balancers, listeners and database instances one deployment makes, and
// the zones a managed database needs. The engine's preflight checks the
// Blueprint again against the driver it runs on.

// quotaErrors checks the counts that the tiers, load balancers and
// databases fix before any address is planned.
func (d *design) quotaErrors() []error {
	a := d.arch
	p := a.planProfile()
	q := p.Quotas
	subnets := 0
	for i := range a.Tiers {
		subnets += len(a.tierZones(&a.Tiers[i]))
	}
	var errs []error
	over := func(field, input string, n, quota int, what, source, fix string) {
		if quota > 0 && n > quota {
			errs = append(errs, errf(field, input, fmt.Sprintf("%d %s, over the %s quota of %d (%s)", n, what, p.Name, quota, source), fix))
		}
	}
	tiers := strconv.Itoa(len(a.Tiers)) + " tiers"
	over("tiers", tiers, subnets, q.SubnetsPerNet, "subnets (one per tier and zone)", "subnets per Net",
		"use fewer tiers or zones, or raise the quota and the profile's SubnetsPerNet")
	// One route table per subnet, and the Net's main table.
	over("tiers", tiers, subnets+1, q.RouteTablesPerNet, "route tables (one per subnet and the main one)", "route tables per Net, the main one included",
		"use fewer tiers or zones, or raise the quota and the profile's RouteTablesPerNet")
	if p.StatelessFirewall {
		over("tiers", tiers, len(a.Tiers)+1, q.ACLsPerNet, "network ACLs (one per tier and the default one)", "network ACLs per Net, the default one included",
			"use fewer tiers, or raise the quota and the profile's ACLsPerNet")
	}
	over("lbs", strconv.Itoa(len(a.LBs))+" load balancers", len(a.LBs), q.LoadBalancersPerRegion, "load balancers", "load balancers per region",
		"use fewer load balancers, or raise the quota and the profile's LoadBalancersPerRegion")
	for i := range a.LBs {
		lb := &a.LBs[i]
		over(fmt.Sprintf("lbs[%d].listeners", i), lb.Name, len(lb.Listeners), q.ListenersPerBalancer, "listeners", "listeners per load balancer",
			"use fewer listeners")
	}
	instances := 0
	for i := range a.Databases {
		instances += 1 + max(a.Databases[i].ReadReplicas, 0)
	}
	over("databases", strconv.Itoa(len(a.Databases))+" databases", instances, q.DatabasesPerRegion, "database instances (read replicas included)",
		"DB instances per region", "use fewer databases or read replicas, or raise the quota and the profile's DatabasesPerRegion")
	return append(errs, d.databaseZoneErrors()...)
}

// databaseZoneErrors refuses a managed database whose tier has fewer than
// two zones: RDS refuses a DB subnet group that does not cover two
// Availability Zones (DBSubnetGroupDoesNotCoverEnoughAZs), even for a
// Single-AZ instance (RDS API reference, CreateDBSubnetGroup). moto
// accepts one zone; the conformance suite says so.
func (d *design) databaseZoneErrors() []error {
	a := d.arch
	var errs []error
	for i := range a.Databases {
		db := &a.Databases[i]
		for j := range a.Tiers {
			t := &a.Tiers[j]
			if t.Name != db.Tier {
				continue
			}
			if zs := a.tierZones(t); len(zs) < 2 {
				errs = append(errs, errf(fmt.Sprintf("tiers[%d].zones", j), fmt.Sprint(zs),
					fmt.Sprintf("managed database %q (databases[%d]) in %d zone: RDS needs a DB subnet group over at least two zones (DBSubnetGroupDoesNotCoverEnoughAZs)", db.Tier, i, len(zs)),
					"give the tier two zones or more, or leave its Zones empty for the Net's"))
			}
		}
	}
	return errs
}

// derivedQuotaErrors checks what planning and derivation fix: the size of
// the load balancers' subnets, the public IPs of the NAT gateways and the
// routes of each route table.
func (d *design) derivedQuotaErrors() []error {
	p := d.arch.planProfile()
	q := p.Quotas
	errs := d.balancerSubnetErrors()
	if n := len(d.rules.NATZones); q.PublicIPsPerRegion > 0 && n > q.PublicIPsPerRegion {
		errs = append(errs, errf("nat", fmt.Sprintf("%d zones", n),
			fmt.Sprintf("%d NAT gateways, one public IP each, over the %s quota of %d public IPs per region", n, p.Name, q.PublicIPsPerRegion),
			"use NATShared (one NAT gateway) or fewer zones, or raise the quota and the profile's PublicIPsPerRegion"))
	}
	for _, rt := range d.rules.RouteTables {
		n := 0
		for _, r := range rt.Routes {
			if r.Target.Kind != netplan.TargetLocal {
				n++
			}
		}
		if q.RoutesPerTable > 0 && n > q.RoutesPerTable {
			errs = append(errs, errf("flows", rt.Group+"/"+rt.Zone,
				fmt.Sprintf("route table of tier %s in zone %s: %d routes, over the %s quota of %d routes per table", rt.Group, rt.Zone, n, p.Name, q.RoutesPerTable),
				"merge peer prefixes into fewer, larger blocks"))
		}
	}
	return errs
}

// balancerSubnetErrors refuses a load balancer whose home tier's subnets
// are smaller than the profile allows (Profile.BalancerSubnetMax; AWS:
// "at least a /27 bitmask and at least 8 free IP addresses").
func (d *design) balancerSubnetErrors() []error {
	a := d.arch
	b := a.planProfile().BalancerSubnetMax
	if b == 0 {
		return nil
	}
	var errs []error
	for i := range a.LBs {
		lb := &a.LBs[i]
		t := d.tiers[lb.Tier]
		if t == nil {
			continue
		}
		for _, z := range a.tierZones(t) {
			if pfx, ok := d.plan.Lookup(t.Name, z); ok && pfx.Addr().Is4() && pfx.Bits() > b {
				errs = append(errs, errf(fmt.Sprintf("lbs[%d].tier", i), lb.Tier,
					fmt.Sprintf("subnet %s of zone %s is smaller than /%d, the smallest subnet a load balancer takes on %s", pfx, z, b, a.planProfile().Name),
					fmt.Sprintf("give tier %s subnets of /%d or larger (SubnetBits or Hosts)", lb.Tier, b)))
				break
			}
		}
	}
	return errs
}
