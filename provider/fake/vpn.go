package fake

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateVPNGateway checks a VPN gateway: its Net exists and has no other
// VPN gateway attached (AWS attaches at most one virtual private gateway
// to a VPC; OUTSCALE links one virtual gateway to a Net).
func (d *Driver) validateVPNGateway(op string, e, old *entry) error {
	net := e.res.VPNGateway.Net
	if _, err := d.ref(op, e, "vpn_gateway.net", net, blueprint.KindNet); err != nil {
		return err
	}
	for _, o := range d.others(blueprint.KindVPNGateway, old) {
		if o.res.VPNGateway.Net == net {
			return d.errf(op, e.kind, e.res.ID, driver.AlreadyExists, "vpn_gateway.net: net %s already has VPN gateway %s; a net has at most one", net, o.id)
		}
	}
	return nil
}

// validateCustomerGateway checks a customer gateway: no other one stands
// for the same device. AWS and OUTSCALE answer a create with the address
// and ASN of an existing gateway with that gateway; the fake refuses it,
// since two resources of a Blueprint would then share one.
func (d *Driver) validateCustomerGateway(op string, e, old *entry) error {
	s := e.res.CustomerGateway
	for _, o := range d.others(blueprint.KindCustomerGateway, old) {
		if os := o.res.CustomerGateway; os.PublicIP == s.PublicIP && os.PeerRegion == s.PeerRegion && os.PeerPublicIP == s.PeerPublicIP {
			return d.errf(op, e.kind, e.res.ID, driver.AlreadyExists, "customer_gateway.public_ip: %s is already customer gateway %s", s.PublicIP, o.id)
		}
	}
	return nil
}

// validateVPNConnection checks a VPN connection: both gateways exist and
// no other connection joins them.
func (d *Driver) validateVPNConnection(op string, e, old *entry) error {
	s := e.res.VPNConnection
	if _, err := d.ref(op, e, "vpn_connection.vpn_gateway", s.VPNGateway, blueprint.KindVPNGateway); err != nil {
		return err
	}
	if _, err := d.ref(op, e, "vpn_connection.customer_gateway", s.CustomerGateway, blueprint.KindCustomerGateway); err != nil {
		return err
	}
	for _, o := range d.others(blueprint.KindVPNConnection, old) {
		if os := o.res.VPNConnection; os.VPNGateway == s.VPNGateway && os.CustomerGateway == s.CustomerGateway {
			return d.errf(op, e.kind, e.res.ID, driver.AlreadyExists, "vpn_connection: %s already joins %s to %s", o.id, s.VPNGateway, s.CustomerGateway)
		}
	}
	return nil
}

// vpnUses reports whether o, a VPN connection, names the gateway id.
func vpnUses(o *entry, id string) bool {
	if o.kind != blueprint.KindVPNConnection {
		return false
	}
	s := o.res.VPNConnection
	return s.VPNGateway == blueprint.Ref(id) || s.CustomerGateway == blueprint.Ref(id)
}

// vpnCarries returns why the VPN gateway gw, the target of subnet's route
// to dest, does not carry dest, or "": a VPN connection on it routes
// dest statically, or with BGP (the fake takes the peer to announce every
// block the route tables send it).
func (d *Driver) vpnCarries(subnet string, gw blueprint.Ref, dest netip.Prefix) string {
	if g, ok := d.res[string(gw)]; !ok || g.kind != blueprint.KindVPNGateway {
		return fmt.Sprintf("subnet %s routes %s to %s, which is not a VPN gateway", subnet, dest, gw)
	}
	for _, o := range d.res {
		if o.kind != blueprint.KindVPNConnection || o.res.VPNConnection.VPNGateway != gw {
			continue
		}
		s := o.res.VPNConnection
		if s.BGP || slices.ContainsFunc(s.StaticRoutes, func(p netip.Prefix) bool { return p.Bits() <= dest.Bits() && p.Contains(dest.Addr()) }) {
			return ""
		}
	}
	return fmt.Sprintf("no VPN connection of gateway %s carries %s", gw, dest)
}
