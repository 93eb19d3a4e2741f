package pattern

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/archkit/archkit/pattern/blueprint"
)

// BuildOneRegion builds the Nets of every region of m into one Blueprint
// for one cloud region, region: the form OUTSCALE needs, whose Net
// peering joins two Nets of one region only (About Net Peerings, OUTSCALE
// user guide: the peered Nets "must be located in the same Region"), and
// AWS's VPC peering of two VPCs of one region (the AWS driver requests
// the connection without PeerRegion and accepts it itself). The
// regions of m are then sites of region, each a Net carved from the
// supernet, linked ([MultiRegion.Link]) and joined by flows
// ([MultiRegion.Flow]) as regions are; each site's routes, rules and
// network ACLs are exactly what [MultiRegion.Build] derives for it.
//
// Of each link, the requester's side is kept, its peer region set to
// region (in one region the requester's side requests and accepts the
// peering, the account owning both Nets), and the accepter's side is
// dropped: its routes target the requester's side, one resource of the
// Blueprint. The sites' other resources must not share a logical id (give
// their tiers distinct names): a collision is an error naming it.
//
//	build := func(site string) *pattern.Architecture { // tier app in front, api in back
//		t := tier.App(map[string]string{"front": "app", "back": "api"}[site])
//		t.Exposure = netplan.Isolated
//		return pattern.New("shop", "10.0.0.0/16").AddTier(t)
//	}
//	m := pattern.Regions("shop", "10.0.0.0/8", build).Primary("front").Recovery("back", pattern.WarmStandby).
//		Link("front", "back").Flow("app@front -> api@back tcp/8080")
//	bp, err := m.BuildOneRegion("eu-west-2") // net/front and net/back, one net_peering/front-back
//	res, err := provider.NewEngine(d).Apply(ctx, bp) // d: the driver of eu-west-2
func (m *MultiRegion) BuildOneRegion(region string) (*blueprint.Blueprint, error) {
	if m == nil {
		return nil, errf("regions", "nil", "no deployment", "start one with pattern.Regions")
	}
	for _, l := range m.links {
		if _, vpn := m.vpnLinks[l]; vpn {
			return nil, errf("regions.links", fmt.Sprintf("%q", l), "a link over a VPN joins two cloud regions; the sites here share one",
				fmt.Sprintf("link the sites with Link(%q, %q): a Net peering of one region", l[0], l[1]))
		}
	}
	bps, err := m.Build()
	if err != nil {
		return nil, err
	}
	out := &blueprint.Blueprint{Deployment: m.DeploymentName()}
	owner := map[string]string{} // logical id -> site
	var errs []error
	for _, site := range m.Regions() {
		for _, r := range bps[site].Resources {
			if p := r.NetPeering; p != nil {
				if p.Accepter {
					continue
				}
				r = r.Clone()
				r.NetPeering.PeerRegion = region
			}
			if other, dup := owner[r.ID]; dup {
				errs = append(errs, errf("regions", r.ID, fmt.Sprintf("the sites %s and %s both hold %s in one region", other, site, r.ID),
					"give the tiers of each site distinct names"))
				continue
			}
			owner[r.ID] = site
			out.Resources = append(out.Resources, r)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.SortFunc(out.Resources, func(a, b blueprint.Resource) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
