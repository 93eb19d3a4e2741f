package pattern

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
)

// VPN is a site-to-site IPsec VPN connection from the Net to a declared
// peer's VPN device: it makes the peer a routed peer. Build adds the
// Net's VPN gateway (one for every VPN: an AWS virtual private gateway,
// an OUTSCALE virtual gateway), a customer gateway for the device (an
// OUTSCALE client gateway) and the VPN connection, and routes the peer's
// blocks to the gateway in the route tables of the tiers whose flows
// reach the peer, either way.
//
// The zero ASN routes statically: the connection carries the peer's
// declared blocks (one static route each) and the device is given ASN
// [blueprint.DefaultCustomerGatewayASN]. A non-zero ASN routes with BGP:
// the gateway learns the peer's blocks from its announcements, and the
// route tables still send the declared blocks to the gateway.
type VPN struct {
	// PublicIP is the public IPv4 address of the peer's VPN device, where
	// the tunnels end. Required.
	PublicIP netip.Addr
	// ASN is the device's BGP autonomous system number (1 to
	// 2147483647, not the clouds' own: 64512, 7224, 50624, 53306,
	// 132418); 0 routes statically.
	ASN uint32
}

// VPN gives the declared peer a site-to-site VPN (see [VPN]): its flows
// are then routed through the Net's VPN gateway. A flow that names a peer
// without a VPN is refused by Build, since nothing would carry it.
//
//	arch.Peer("office", netip.MustParsePrefix("192.168.0.0/16")).
//		VPN("office", pattern.VPN{PublicIP: netip.MustParseAddr("198.51.100.7")}).
//		Flow("peer:office -> app tcp/22")
func (a *Architecture) VPN(peer string, v VPN) *Architecture {
	if a == nil {
		return nil
	}
	if a.VPNs == nil {
		a.VPNs = map[string]VPN{}
	}
	a.VPNs[peer] = v
	return a
}

// vpnNames returns the names of the peers with a VPN, sorted.
func (a *Architecture) vpnNames() []string { return slices.Sorted(maps.Keys(a.VPNs)) }

// validateVPNs checks that each VPN names a declared peer and has a
// device the clouds accept (the customer gateway's checks).
func (d *design) validateVPNs() []error {
	var errs []error
	for _, name := range d.arch.vpnNames() {
		v := d.arch.VPNs[name]
		f := fmt.Sprintf("vpns[%q]", name)
		if _, ok := d.arch.Peers[name]; !ok {
			errs = append(errs, errf(f, name, "no such peer", "declare it with Peer(name, prefixes...)"))
		}
		cg := blueprint.Resource{ID: f, Kind: blueprint.KindCustomerGateway, CustomerGateway: customerGateway(v)}
		if err := cg.Check(); err != nil {
			errs = append(errs, fmt.Errorf("pattern: %s: %w", f, err))
		}
	}
	return errs
}

// unroutedPeer reports a flow endpoint naming declared peer name without
// a VPN: nothing routes its blocks.
func (d *design) unroutedPeer(field, name string) []error {
	if _, ok := d.arch.VPNs[name]; ok {
		return nil
	}
	if _, ok := d.arch.Peerings[name]; ok {
		return nil
	}
	return []error{errf(field, "peer:"+name, "no route to the peer: it has neither a VPN nor a link",
		fmt.Sprintf("give it a VPN: VPN(%s, pattern.VPN{PublicIP: <its device's address>})", strconv.Quote(name)))}
}

func customerGateway(v VPN) *blueprint.CustomerGatewaySpec {
	asn := v.ASN
	if asn == 0 {
		asn = blueprint.DefaultCustomerGatewayASN
	}
	return &blueprint.CustomerGatewaySpec{PublicIP: v.PublicIP, ASN: asn}
}

// vpnGatewayID is the logical id of the Net's VPN gateway.
func (b *bpBuilder) vpnGatewayID() string { return id(blueprint.KindVPNGateway, b.d.net) }

// addVPNGateway adds the Net's VPN gateway, once, and returns its id.
func (b *bpBuilder) addVPNGateway() string {
	vgw := b.vpnGatewayID()
	if _, ok := b.bp.Resource(vgw); !ok {
		b.add(blueprint.Resource{ID: vgw, Kind: blueprint.KindVPNGateway, VPNGateway: &blueprint.VPNGatewaySpec{Net: blueprint.Ref(b.netID)}})
	}
	return vgw
}

// vpns adds the Net's VPN gateway and, per VPN, its customer gateway and
// connection.
func (b *bpBuilder) vpns() {
	a := b.d.arch
	if len(a.VPNs) == 0 {
		return
	}
	vgw := b.addVPNGateway()
	for _, name := range a.vpnNames() {
		v := a.VPNs[name]
		cgw := id(blueprint.KindCustomerGateway, name)
		b.add(blueprint.Resource{ID: cgw, Kind: blueprint.KindCustomerGateway, CustomerGateway: customerGateway(v)})
		conn := &blueprint.VPNConnectionSpec{VPNGateway: blueprint.Ref(vgw), CustomerGateway: blueprint.Ref(cgw), BGP: v.ASN != 0}
		if !conn.BGP {
			conn.StaticRoutes = slices.Clone(a.Peers[name])
		}
		b.add(blueprint.Resource{ID: id(blueprint.KindVPNConnection, name), Kind: blueprint.KindVPNConnection, VPNConnection: conn})
	}
}

// routeTarget returns the kind of target and the resource a derived
// route names. A link over a VPN ([MultiRegion.LinkVPN]) is routed to the
// hub's VPN gateway on the hub's side, to the appliance on the spoke's.
func (b *bpBuilder) routeTarget(t netplan.RouteTarget) (netplan.TargetKind, blueprint.Ref) {
	switch t.Kind {
	case netplan.TargetNATGateway:
		return t.Kind, blueprint.Ref(id(blueprint.KindNATGateway, "nat", t.Zone))
	case netplan.TargetVPNGateway:
		return t.Kind, blueprint.Ref(b.vpnGatewayID())
	case netplan.TargetNetPeering:
		if p, ok := b.d.arch.vpnLink(t.Peering); ok && p.Accepter {
			return netplan.TargetVPNAppliance, blueprint.Ref(applianceID(t.Peering))
		} else if ok {
			return netplan.TargetVPNGateway, blueprint.Ref(b.vpnGatewayID())
		}
		return t.Kind, blueprint.Ref(id(blueprint.KindNetPeering, t.Peering))
	}
	return t.Kind, blueprint.Ref(b.igwID)
}
