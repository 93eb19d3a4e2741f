package pattern

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
)

// DeploymentName returns a.Name, the deployment the engine lists and tags
// (package provider's Source).
func (a *Architecture) DeploymentName() string {
	if a == nil {
		return ""
	}
	return a.Name
}

// BuildAround builds the architecture around what is deployed: every
// subnet in existing keeps its range, whatever tiers or zones were added
// or removed. It is what the engine calls when it is given an
// Architecture (provider.Engine.Apply(ctx, arch)), with the subnets it
// found by the deployment's tags, so that a program needs no bookkeeping
// of its own: the cloud is the record of the addresses.
//
// A deployed subnet of a tier and zone the architecture still has is
// pinned to its range. A deployed subnet whose tier or zone is gone keeps
// its range for this build only (the engine deletes it after it creates
// what is new, so its space cannot be reused in the same apply); the next
// build, once it is gone, reuses the space. New subnets take free space.
// A deployed subnet outside the architecture's CIDR (the Net's range
// changed) is not pinned: its new range, and the replacement that forces,
// show in the engine's plan.
//
// Pins the caller set (Pinned) for a subnet that is deployed must name its
// range; another range is an error naming the pin. a is not modified.
//
// With subnets web/a 10.0.0.0/24 and web/b 10.0.1.0/24 deployed, adding
// zone c and a tier app gives web/c and app's subnets new space and
// leaves web/a and web/b where they are.
func (a *Architecture) BuildAround(existing blueprint.Existing) (*blueprint.Blueprint, error) {
	if a == nil {
		return nil, errf("architecture", "nil", "no architecture", "build one with pattern.New or a ready pattern")
	}
	c := *a
	c.deployed = deployedSubnets(existing, a.CIDR)
	return c.Build()
}

// deployedSubnets returns the subnets of existing that lie in the Net cidr,
// as allocations keyed like the planner's requests (tier, zone), sorted by
// key.
func deployedSubnets(existing blueprint.Existing, cidr netip.Prefix) []netplan.Allocation {
	var out []netplan.Allocation
	for _, lid := range slices.Sorted(maps.Keys(existing.Subnets)) {
		p := existing.Subnets[lid]
		rest, ok := strings.CutPrefix(lid, string(blueprint.KindSubnet)+"/")
		i := strings.LastIndexByte(rest, '/')
		if !ok || i <= 0 || !p.IsValid() || !cidr.IsValid() || p.Bits() < cidr.Bits() || !cidr.Contains(p.Addr()) {
			continue
		}
		out = append(out, netplan.Allocation{Name: rest[:i], Zone: rest[i+1:], Prefix: p})
	}
	slices.SortFunc(out, func(x, y netplan.Allocation) int { return netplan.CompareKey(x.Key(), y.Key()) })
	return out
}

// releasedPrefix names the planner requests that hold the range of a
// deployed subnet whose tier or zone is gone ("released.web.a"). Tier names
// never contain '.' (tier.CheckName), so they cannot clash.
const releasedPrefix = "released."

// pins returns the allocations the planner keeps: the caller's pins and
// the deployed subnets, each once, and the requests that hold the
// deployed subnets no tier asks for any more. A caller's pin that
// contradicts a deployed subnet is an error naming it.
func (d *design) pins(reqs []netplan.Request) (pinned []netplan.Allocation, holds []netplan.Request, errs []error) {
	a := d.arch
	wanted := map[netplan.Key]bool{}
	for _, r := range reqs {
		for _, z := range r.Zones {
			wanted[netplan.Key{Name: r.Name, Zone: z}] = true
		}
	}
	deployed := map[netplan.Key]netplan.Allocation{}
	for _, dep := range a.deployed {
		deployed[dep.Key()] = dep
	}
	for i, p := range a.Pinned {
		if dep, ok := deployed[p.Key()]; ok && dep.Prefix != p.Prefix {
			errs = append(errs, errf(fmt.Sprintf("pinned[%d]", i), p.String(), "the deployed subnet "+dep.Key().String()+" is "+dep.Prefix.String(),
				"drop the pin (the engine pins what is deployed) or pin "+dep.Prefix.String()))
			continue
		}
		if _, ok := deployed[p.Key()]; !ok {
			pinned = append(pinned, p)
		}
	}
	for _, dep := range a.deployed {
		if wanted[dep.Key()] {
			pinned = append(pinned, dep)
			continue
		}
		name := releasedPrefix + dep.Name + "." + dep.Zone
		pinned = append(pinned, netplan.Allocation{Name: name, Prefix: dep.Prefix})
		holds = append(holds, netplan.Request{Name: name, Bits: dep.Prefix.Bits()})
	}
	return pinned, holds, errs
}

// checkReleased reports the caller's pins that name no tier and zone of
// the architecture: a typo in a tier's name, or a pin kept for a tier
// that was removed. Deployed subnets are never reported: a removed tier
// frees them on purpose.
func (d *design) checkReleased(plan *netplan.Plan) []error {
	var errs []error
	for _, r := range plan.Released {
		i := slices.IndexFunc(d.arch.Pinned, func(p netplan.Allocation) bool { return p.Key() == r.Key() && p.Prefix == r.Prefix })
		if i < 0 {
			continue
		}
		problem := "no tier " + r.Name
		if _, ok := d.tiers[r.Name]; ok {
			problem = "tier " + r.Name + " has no zone " + cmp.Or(r.Zone, `""`)
		}
		errs = append(errs, errf(fmt.Sprintf("pinned[%d]", i), r.String(), problem, "pin subnets of the architecture's tiers and zones, or drop the pin"))
	}
	return errs
}

// heldRanges lists the deployed subnets that holds keep: "old/a
// 10.0.0.0/24, old/b 10.0.1.0/24".
func heldRanges(holds []netplan.Request, pinned []netplan.Allocation) string {
	var out []string
	for _, h := range holds {
		for _, p := range pinned {
			if p.Name == h.Name {
				tierZone := strings.Replace(strings.TrimPrefix(p.Name, releasedPrefix), ".", "/", 1)
				out = append(out, tierZone+" "+p.Prefix.String())
			}
		}
	}
	return strings.Join(out, ", ")
}
