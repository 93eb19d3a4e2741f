package pattern

import (
	"maps"
	"net/netip"
	"slices"

	"github.com/archkit/archkit/pattern/blueprint"
)

// Peering is how a peer of [Architecture.Peers] is reached when it is a
// tier of another Net of the deployment: through the Net peering
// connection Link (AWS VPC peering, inter-region included), one side of
// which the architecture holds ("net_peering/<Link>"). [MultiRegion]
// fills it in from its links and its flows between regions.
type Peering struct {
	// Link names the connection, the same on both sides
	// ("eu-west-3-eu-west-1": requester, then accepter).
	Link string `json:"link"`
	// Region, Net and CIDR are the other Net's region, logical id and
	// range.
	Region string       `json:"region"`
	Net    string       `json:"net"`
	CIDR   netip.Prefix `json:"cidr"`
	// Accepter is true on the accepter's side of the connection.
	Accepter bool `json:"accepter,omitempty"`
	// VPN is set when the link is a VPN ([MultiRegion.LinkVPN]) rather
	// than a Net peering: the requester is the hub (VPN gateway, client
	// gateway, VPN connection), the accepter the spoke (the appliance VM).
	VPN *VPNLinkOptions `json:"vpn,omitempty"`
}

// vpnLinkNames lists the links over a VPN among the peerings.
func (a *Architecture) vpnLinkNames() []string {
	var out []string
	for _, p := range a.Peerings {
		if p.VPN != nil {
			out = append(out, p.Link)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(out)))
}

// peeringLinks maps each peer reached through a Net peering to its link.
func (a *Architecture) peeringLinks() map[string]string {
	if len(a.Peerings) == 0 {
		return nil
	}
	out := make(map[string]string, len(a.Peerings))
	for peer, p := range a.Peerings {
		out[peer] = p.Link
	}
	return out
}

// netPeerings adds this Net's side of each Net peering connection, once
// per link, whatever the number of peers it carries.
func (b *bpBuilder) netPeerings() {
	a := b.d.arch
	seen := map[string]bool{}
	for _, peer := range slices.Sorted(maps.Keys(a.Peerings)) {
		p := a.Peerings[peer]
		if seen[p.Link] || p.VPN != nil {
			continue
		}
		seen[p.Link] = true
		b.add(blueprint.Resource{ID: id(blueprint.KindNetPeering, p.Link), Kind: blueprint.KindNetPeering,
			NetPeering: &blueprint.NetPeeringSpec{Net: blueprint.Ref(b.netID), PeerRegion: p.Region, PeerNet: p.Net, PeerCIDR: p.CIDR, Accepter: p.Accepter}})
	}
}
