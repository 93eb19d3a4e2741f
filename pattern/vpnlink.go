package pattern

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
)

// VPNLinkOptions are the options of a link over a VPN
// ([MultiRegion.LinkVPN]): what the spoke's appliance VM runs.
type VPNLinkOptions struct {
	// Image is the appliance's machine image in the spoke's region (an
	// OMI on OUTSCALE): a Linux with strongSwan installed (the appliance's
	// security group lets only IPsec and the flows out, so nothing is
	// downloaded at boot; without strongSwan its user data stops with a
	// message on the console). Its user data writes /etc/ipsec.conf and
	// /etc/ipsec.secrets, turns IP forwarding on and starts strongSwan.
	// Required.
	Image string `json:"image"`
	// VMType is the appliance's VM type ("tinav5.c2r4p2"). Required.
	VMType string `json:"vm_type"`
	// Tier is the public tier of the spoke whose subnet (in its first
	// zone) holds the appliance; "": the first public tier.
	Tier string `json:"tier,omitempty"`
}

// IKEPorts are the UDP ports the appliance's security group opens: IKE
// (500) and IPsec NAT traversal (4500), RFC 7296 and RFC 3948.
var IKEPorts = [...]uint16{500, 4500}

// LinkVPN joins the Nets of two regions by a site-to-site IPsec VPN,
// where the cloud has no Net peering between regions (OUTSCALE: Net
// peering joins two Nets of one region). Flows between their tiers
// ([MultiRegion.Flow]) are then derived as over [MultiRegion.Link]: the
// routes, the security-group rules (naming the other side's subnets by
// range) and the network ACLs on both sides. The link is:
//
//   - in hub's region, the Net's VPN gateway (an OUTSCALE virtual gateway),
//     a customer gateway (client gateway) whose address is the spoke's
//     appliance's public IP, and a VPN connection of static routes, one
//     per subnet of the spoke's tiers that the flows reach, with a
//     pre-shared key the driver draws; the route tables of hub's flow
//     tiers send those subnets to the VPN gateway;
//   - in spoke's region, a public IP and one VM, the appliance, in a
//     public subnet (opts.Tier), with the public IP, its
//     source/destination check off, and user data that runs strongSwan to
//     the hub connection's outside address with its key (both read in the
//     hub's region by the driver at the create: never in the Blueprint);
//     its security group admits IKE and NAT-T (UDP 500 and 4500) and
//     forwards the flows; the route tables of spoke's flow tiers send the
//     hub's subnets to the appliance.
//
// It makes a VM: an explicit opt-in. The appliance is one VM, in one
// zone: the link stops while it does (the clouds' VPN gateways have two
// tunnels; the appliance uses the first).
//
//	m := pattern.Regions("shop", "10.0.0.0/8", build).Primary("eu-west-2").Recovery("us-east-2", pattern.PilotLight).
//		LinkVPN("eu-west-2", "us-east-2", pattern.VPNLinkOptions{Image: "ami-0123abcd", VMType: "tinav5.c2r4p2"}).
//		Flow("app@eu-west-2 -> api@us-east-2 tcp/8080")
func (m *MultiRegion) LinkVPN(hub, spoke string, opts VPNLinkOptions) *MultiRegion {
	if m == nil {
		return nil
	}
	m.links = append(m.links, [2]string{hub, spoke})
	if m.vpnLinks == nil {
		m.vpnLinks = map[[2]string]VPNLinkOptions{}
	}
	m.vpnLinks[[2]string{hub, spoke}] = opts
	return m
}

// validateVPNLink checks the options of link i, if it is over a VPN.
func (m *MultiRegion) validateVPNLink(i int, l [2]string) []error {
	o, ok := m.vpnLinks[l]
	if !ok {
		return nil
	}
	f := fmt.Sprintf("regions.links[%d].vpn", i)
	var errs []error
	if o.Image == "" {
		errs = append(errs, errf(f+".image", `""`, "no image for the appliance", "give an image of "+l[1]+" with strongSwan installed"))
	}
	if o.VMType == "" {
		errs = append(errs, errf(f+".vm_type", `""`, "no VM type for the appliance", `give one, such as "tinav5.c2r4p2"`))
	}
	return errs
}

// vpnOptions returns the link's options when the link between requester
// and accepter is over a VPN.
func (m *MultiRegion) vpnOptions(requester, accepter string) *VPNLinkOptions {
	if o, ok := m.vpnLinks[[2]string{requester, accepter}]; ok {
		return &o
	}
	return nil
}

// vpnLink returns the side of the link over a VPN named link that the
// architecture holds.
func (a *Architecture) vpnLink(link string) (Peering, bool) {
	for _, p := range a.Peerings {
		if p.Link == link && p.VPN != nil {
			return p, true
		}
	}
	return Peering{}, false
}

// checkApplianceTier reports a spoke without the public tier the
// appliance needs, naming links[link].
func checkApplianceTier(a *Architecture, region string, o *VPNLinkOptions, link int) error {
	for _, t := range a.Tiers {
		if (o.Tier == "" || t.Name == o.Tier) && t.Exposure == netplan.Public {
			return nil
		}
	}
	f := fmt.Sprintf("regions.links[%d].vpn.tier", link)
	if o.Tier != "" {
		return errf(f, o.Tier, "not a public tier of "+region, "name a public tier of the spoke, whose subnet holds the appliance")
	}
	return errf(f, `""`, region+" has no public tier for the appliance",
		"add a public tier to the spoke (the appliance needs a public IP), or name one in VPNLinkOptions.Tier")
}

// applianceID is the logical id of the appliance of link.
func applianceID(link string) string { return id(blueprint.KindVPNAppliance, link) }

// vpnLinks adds this Net's side of each link over a VPN, once per link.
func (b *bpBuilder) vpnLinks() {
	a := b.d.arch
	blocks := map[string][]netip.Prefix{} // link -> the other side's subnets the flows reach
	sides := map[string]Peering{}
	for _, peer := range slices.Sorted(maps.Keys(a.Peerings)) {
		if p := a.Peerings[peer]; p.VPN != nil {
			blocks[p.Link] = append(blocks[p.Link], a.Peers[peer]...)
			sides[p.Link] = p
		}
	}
	for _, link := range slices.Sorted(maps.Keys(sides)) {
		if p := sides[link]; p.Accepter {
			b.vpnSpoke(link, p)
		} else {
			b.vpnHub(link, p, blocks[link])
		}
	}
}

// vpnHub adds the hub's side: the VPN gateway, the client gateway of the
// spoke's public IP and the VPN connection with a static route per block.
func (b *bpBuilder) vpnHub(link string, p Peering, blocks []netip.Prefix) {
	vgw := b.addVPNGateway()
	cgw := id(blueprint.KindCustomerGateway, "vpn-"+link)
	b.add(blueprint.Resource{ID: cgw, Kind: blueprint.KindCustomerGateway, CustomerGateway: &blueprint.CustomerGatewaySpec{
		ASN: blueprint.DefaultCustomerGatewayASN, PeerRegion: p.Region, PeerPublicIP: applianceIPID(link)}})
	routes := slices.Clone(blocks)
	slices.SortFunc(routes, func(x, y netip.Prefix) int {
		return cmp.Or(x.Addr().Compare(y.Addr()), cmp.Compare(x.Bits(), y.Bits()))
	})
	b.add(blueprint.Resource{ID: id(blueprint.KindVPNConnection, "vpn-"+link), Kind: blueprint.KindVPNConnection, VPNConnection: &blueprint.VPNConnectionSpec{
		VPNGateway: blueprint.Ref(vgw), CustomerGateway: blueprint.Ref(cgw), StaticRoutes: slices.Compact(routes), Link: link}})
}

// applianceIPID is the logical id of the public IP of link's appliance.
func applianceIPID(link string) string { return id(blueprint.KindPublicIP, "vpn-"+link) }

// vpnSpoke adds the spoke's side: the public IP, the appliance's group
// and rules, and the appliance in the first zone's subnet of its tier.
func (b *bpBuilder) vpnSpoke(link string, p Peering) {
	a := b.d.arch
	t := p.VPN.Tier
	if t == "" {
		t = a.firstPublicTier()
	}
	zones := a.tierZones(b.d.tiers[t])
	if len(zones) == 0 {
		return // Architecture refused it: checkApplianceTier
	}
	ip, sg := applianceIPID(link), id(blueprint.KindSecurityGroup, "vpn-"+link)
	b.add(blueprint.Resource{ID: ip, Kind: blueprint.KindPublicIP, PublicIP: &blueprint.PublicIPSpec{}})
	b.add(blueprint.Resource{ID: sg, Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{Net: blueprint.Ref(b.netID),
		Name: a.Name + "-vpn-" + link, Description: "archkit " + a.Name + " VPN appliance of link " + link}})
	b.add(blueprint.Resource{ID: id(blueprint.KindSecurityGroupRules, "vpn-"+link), Kind: blueprint.KindSecurityGroupRules,
		SecurityGroupRules: b.applianceRules(sg, link)})
	b.add(blueprint.Resource{ID: applianceID(link), Kind: blueprint.KindVPNAppliance, VPNAppliance: &blueprint.VPNApplianceSpec{
		Subnet: blueprint.Ref(id(blueprint.KindSubnet, t, zones[0])), SecurityGroup: blueprint.Ref(sg), PublicIP: blueprint.Ref(ip), Zone: zones[0],
		Image: p.VPN.Image, VMType: p.VPN.VMType, HubRegion: p.Region, HubConnection: id(blueprint.KindVPNConnection, "vpn-"+link),
		LocalCIDR: a.CIDR, RemoteCIDR: p.CIDR}})
}

// firstPublicTier returns the name of the first public tier, or "".
func (a *Architecture) firstPublicTier() string {
	for _, t := range a.Tiers {
		if t.Exposure == netplan.Public {
			return t.Name
		}
	}
	return ""
}

// applianceRules are the rules of link's appliance: IKE and NAT-T in and
// out (the hub's tunnel address is the cloud's, known once its
// connection exists: the pre-shared key authenticates the peer), and, per
// flow over the link, the local tier's subnets in (a flow to the hub
// enters the appliance from them) or out (a flow from the hub leaves the
// appliance to them), on the flow's ports.
func (b *bpBuilder) applianceRules(sg, link string) *blueprint.SecurityGroupRulesSpec {
	rs := &blueprint.SecurityGroupRulesSpec{Group: blueprint.Ref(sg)}
	any4 := netip.MustParsePrefix("0.0.0.0/0")
	for _, port := range IKEPorts {
		r := blueprint.RuleSpec{Protocol: netplan.ProtocolUDP, FromPort: port, ToPort: port, CIDR: any4, Description: "IPsec " + link}
		rs.Inbound, rs.Outbound = append(rs.Inbound, r), append(rs.Outbound, r)
	}
	for _, f := range b.d.arch.Flows {
		in := f.To.Kind == netplan.EndpointPeer && b.overLink(f.To.Name, link) && f.From.Kind == netplan.EndpointTier
		out := f.From.Kind == netplan.EndpointPeer && b.overLink(f.From.Name, link) && f.To.Kind == netplan.EndpointTier
		if !in && !out {
			continue
		}
		local := f.From.Name
		if out {
			local = f.To.Name
		}
		for _, p := range b.tierPrefixes(local) {
			r := blueprint.RuleSpec{Protocol: f.Protocol, FromPort: f.Ports.From, ToPort: f.Ports.To, CIDR: p, Description: "forwarded " + link}
			if in {
				rs.Inbound = append(rs.Inbound, r)
			} else {
				rs.Outbound = append(rs.Outbound, r)
			}
		}
	}
	rs.Inbound, rs.Outbound = dedupRules(rs.Inbound), dedupRules(rs.Outbound)
	return rs
}

// overLink reports whether peer is reached over link.
func (b *bpBuilder) overLink(peer, link string) bool {
	p, ok := b.d.arch.Peerings[peer]
	return ok && p.Link == link
}

// tierPrefixes returns the ranges of tier t's subnets, in zone order.
func (b *bpBuilder) tierPrefixes(t string) []netip.Prefix {
	var out []netip.Prefix
	for _, z := range b.d.arch.tierZones(b.d.tiers[t]) {
		if p, ok := b.d.plan.Lookup(t, z); ok {
			out = append(out, p)
		}
	}
	return out
}

// dedupRules sorts rules and drops duplicates.
func dedupRules(rs []blueprint.RuleSpec) []blueprint.RuleSpec {
	slices.SortFunc(rs, blueprint.CompareRules)
	return slices.CompactFunc(rs, func(x, y blueprint.RuleSpec) bool { return x.Key() == y.Key() })
}
