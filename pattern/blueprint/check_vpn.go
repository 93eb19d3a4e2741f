package blueprint

import (
	"fmt"
	"strconv"

	"github.com/archkit/archkit/netplan"
)

// MaxCustomerGatewayASN is the largest BGP ASN a customer gateway takes:
// AWS's CreateCustomerGateway accepts BgpAsn from 1 to 2,147,483,647
// (OUTSCALE's CreateClientGateway up to 4,294,967,295).
const MaxCustomerGatewayASN = 2147483647

// reservedASNs are the ASNs a peer's device may not use: the clouds' own
// side of the BGP sessions (AWS virtual private gateways: 64512 by
// default, 7224 for older ones; OUTSCALE's CreateClientGateway refuses
// 50624, 53306 and 132418).
var reservedASNs = map[uint32]string{
	64512: "the default ASN of AWS virtual private gateways", 7224: "the ASN of older AWS virtual private gateways",
	50624: "reserved by OUTSCALE", 53306: "reserved by OUTSCALE", 132418: "reserved by OUTSCALE",
}

// RouteTargetKind returns the kind of resource a route of target kind k
// names: an internet gateway, a NAT gateway or a VPN gateway; ok is false
// for any other target (the local route is implicit).
func RouteTargetKind(k netplan.TargetKind) (Kind, bool) {
	switch k {
	case netplan.TargetInternetGateway:
		return KindInternetGateway, true
	case netplan.TargetNATGateway:
		return KindNATGateway, true
	case netplan.TargetVPNGateway:
		return KindVPNGateway, true
	case netplan.TargetNetPeering:
		return KindNetPeering, true
	case netplan.TargetVPNAppliance:
		return KindVPNAppliance, true
	}
	return "", false
}

// customerGateway checks the device's address (a public IPv4 address)
// and its BGP ASN.
func (ps *problems) customerGateway(s *CustomerGatewaySpec) {
	if s == nil {
		return
	}
	ip := s.PublicIP
	switch {
	case s.PeerPublicIP != "" || s.PeerRegion != "":
		ps.need("customer_gateway.peer_region", s.PeerRegion, "the region of the peer's public IP")
		ps.need("customer_gateway.peer_public_ip", s.PeerPublicIP, "the logical id of the peer's public IP")
		if ip.IsValid() {
			ps.add("customer_gateway.public_ip", ip.String(), "an address and a peer's public IP", "give one: the address, or the peer's public IP")
		}
	case !ip.IsValid():
		ps.add("customer_gateway.public_ip", `""`, "no address", "give the public IPv4 address of the peer's VPN device")
	case !ip.Is4():
		ps.add("customer_gateway.public_ip", ip.String(), "not IPv4", "give the device's public IPv4 address: the tunnels run over IPv4")
	case ip.IsPrivate() || ip.IsLoopback() || ip.IsUnspecified() || ip.IsMulticast() || ip.IsLinkLocalUnicast():
		ps.add("customer_gateway.public_ip", ip.String(), "not a public address", "give the address the device has on the internet")
	}
	switch {
	case s.ASN == 0 || s.ASN > MaxCustomerGatewayASN:
		ps.add("customer_gateway.asn", strconv.FormatUint(uint64(s.ASN), 10), fmt.Sprintf("out of 1-%d", MaxCustomerGatewayASN),
			fmt.Sprintf("give the device's BGP ASN, or %d for static routing", DefaultCustomerGatewayASN))
	case reservedASNs[s.ASN] != "":
		ps.add("customer_gateway.asn", strconv.FormatUint(uint64(s.ASN), 10), reservedASNs[s.ASN], "give the device a private ASN such as 65000")
	}
}

// vpnConnection checks the gateways and the routing: static routes
// without BGP, none with it.
func (ps *problems) vpnConnection(s *VPNConnectionSpec) {
	if s == nil {
		return
	}
	ps.need("vpn_connection.vpn_gateway", string(s.VPNGateway), "the VPN gateway id")
	ps.need("vpn_connection.customer_gateway", string(s.CustomerGateway), "the customer gateway id")
	switch {
	case s.BGP && len(s.StaticRoutes) > 0:
		ps.add("vpn_connection.static_routes", fmt.Sprint(s.StaticRoutes), "static routes on a BGP connection", "drop them: BGP learns the peer's blocks, or set bgp false")
	case !s.BGP && len(s.StaticRoutes) == 0:
		ps.add("vpn_connection.static_routes", "[]", "a static connection without routes carries nothing", "list the peer's blocks, or set bgp")
	}
	for i, p := range s.StaticRoutes {
		ps.prefix(fmt.Sprintf("vpn_connection.static_routes[%d]", i), p)
		if p.IsValid() && !p.Addr().Is4() {
			ps.add(fmt.Sprintf("vpn_connection.static_routes[%d]", i), p.String(), "not IPv4", "VPN gateways carry IPv4 only")
		}
	}
}

// netPeering checks one side of a Net peering: its Net, the peer's region,
// Net and range (IPv4: the clouds peer IPv4 Nets by their ranges).
func (ps *problems) netPeering(s *NetPeeringSpec) {
	if s == nil {
		return
	}
	ps.need("net_peering.net", string(s.Net), "the net id")
	ps.need("net_peering.peer_region", s.PeerRegion, "the peer Net's region")
	ps.need("net_peering.peer_net", s.PeerNet, "the peer Net's logical id")
	ps.prefix("net_peering.peer_cidr", s.PeerCIDR)
	if s.PeerCIDR.IsValid() && !s.PeerCIDR.Addr().Is4() {
		ps.add("net_peering.peer_cidr", s.PeerCIDR.String(), "not IPv4", "give the peer Net's IPv4 range")
	}
}

// vpnAppliance checks the appliance's placement, image, type, hub and
// ranges.
func (ps *problems) vpnAppliance(s *VPNApplianceSpec) {
	if s == nil {
		return
	}
	ps.need("vpn_appliance.subnet", string(s.Subnet), "the public subnet id")
	ps.need("vpn_appliance.security_group", string(s.SecurityGroup), "the appliance's security group id")
	ps.need("vpn_appliance.public_ip", string(s.PublicIP), "the public IP id")
	ps.need("vpn_appliance.zone", s.Zone, "the subnet's zone")
	ps.need("vpn_appliance.image", s.Image, "an image with strongSwan")
	ps.need("vpn_appliance.vm_type", s.VMType, "a VM type")
	ps.need("vpn_appliance.hub_region", s.HubRegion, "the hub's region")
	ps.need("vpn_appliance.hub_connection", s.HubConnection, "the hub's VPN connection (logical id)")
	ps.prefix("vpn_appliance.local_cidr", s.LocalCIDR)
	ps.prefix("vpn_appliance.remote_cidr", s.RemoteCIDR)
	if s.LocalCIDR.IsValid() && s.RemoteCIDR.IsValid() && s.LocalCIDR.Overlaps(s.RemoteCIDR) {
		ps.add("vpn_appliance.remote_cidr", s.RemoteCIDR.String(), "overlaps local_cidr "+s.LocalCIDR.String(), "link Nets whose ranges do not overlap")
	}
}
