package provider

import (
	"fmt"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// vpns checks VPN gateways (one per Net: AWS attaches one virtual private
// gateway to a VPC), customer gateways (one per public address: the
// clouds return the existing one for the same address and ASN) and VPN
// connections (their gateways exist, one connection per pair).
func (c *checker) vpns() {
	vgw := map[string]string{} // net -> gateway
	for _, r := range c.ofKind(blueprint.KindVPNGateway) {
		n := c.ref(r, "vpn_gateway.net", r.VPNGateway.Net, blueprint.KindNet)
		if n == nil {
			continue
		}
		if other, dup := vgw[n.ID]; dup {
			c.add(r.ID, driver.Invalid, "vpn_gateway.net", fmt.Sprintf("net %s already has VPN gateway %s", n.ID, other), "keep one VPN gateway per net: it carries every VPN connection")
		}
		vgw[n.ID] = r.ID
	}
	addr := map[string]string{}
	for _, r := range c.ofKind(blueprint.KindCustomerGateway) {
		ip := r.CustomerGateway.PublicIP.String()
		if s := r.CustomerGateway; s.PeerPublicIP != "" {
			ip = s.PeerRegion + "/" + s.PeerPublicIP // a device of the deployment in another region
		}
		if other, dup := addr[ip]; dup {
			c.add(r.ID, driver.Invalid, "customer_gateway.public_ip", fmt.Sprintf("%s is already customer gateway %s", ip, other), "declare one VPN per device")
		}
		addr[ip] = r.ID
	}
	pair := map[[2]blueprint.Ref]string{}
	for _, r := range c.ofKind(blueprint.KindVPNConnection) {
		s := r.VPNConnection
		c.ref(r, "vpn_connection.vpn_gateway", s.VPNGateway, blueprint.KindVPNGateway)
		c.ref(r, "vpn_connection.customer_gateway", s.CustomerGateway, blueprint.KindCustomerGateway)
		k := [2]blueprint.Ref{s.VPNGateway, s.CustomerGateway}
		if other, dup := pair[k]; dup {
			c.add(r.ID, driver.Invalid, "vpn_connection.customer_gateway", fmt.Sprintf("%s already joins %s to %s", other, s.VPNGateway, s.CustomerGateway), "keep one connection per gateway pair")
		}
		pair[k] = r.ID
	}
}
