package fake

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// validateAppliance checks the spoke's end of a link over a VPN: its
// Net has an internet gateway (its public IP needs one), its
// group is of the subnet's Net, and its public IP is no one else's.
func (d *Driver) validateAppliance(op string, e, old *entry) error {
	s := e.res.VPNAppliance
	sn, err := d.ref(op, e, "vpn_appliance.subnet", s.Subnet, blueprint.KindSubnet)
	if err != nil {
		return err
	}
	if len(d.keyed(blueprint.KindInternetGateway, netKey(sn.res.Subnet.Net), nil)) == 0 {
		// OUTSCALE's LinkPublicIp refuses a VM of a Net without an
		// internet service; AWS's AssociateAddress, an instance of a VPC
		// without an internet gateway.
		return d.errf(op, e.kind, e.res.ID, driver.Dependency, "vpn_appliance.subnet: the Net of subnet %s has no internet gateway: the appliance's public IP cannot be linked", s.Subnet)
	}
	sg, err := d.ref(op, e, "vpn_appliance.security_group", s.SecurityGroup, blueprint.KindSecurityGroup)
	if err != nil {
		return err
	}
	if sg.res.SecurityGroup.Net != sn.res.Subnet.Net {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "vpn_appliance.security_group: group %s is not in the Net of subnet %s", s.SecurityGroup, s.Subnet)
	}
	if _, err := d.ref(op, e, "vpn_appliance.public_ip", s.PublicIP, blueprint.KindPublicIP); err != nil {
		return err
	}
	if s.SourceDestCheck {
		return d.errf(op, e.kind, e.res.ID, driver.Invalid, "vpn_appliance.source_dest_check: on, the appliance drops the packets it should forward; set it false")
	}
	for _, o := range d.res {
		if o != old && o != e && usesPublicIP(o, s.PublicIP) {
			return d.errf(op, e.kind, e.res.ID, driver.AlreadyExists, "vpn_appliance.public_ip: %s is already used by %s %s", s.PublicIP, o.kind, o.id)
		}
	}
	return d.checkZone(op, e, "vpn_appliance.zone", s.Zone)
}

// usesPublicIP reports whether o holds the public IP ip.
func usesPublicIP(o *entry, ip blueprint.Ref) bool {
	switch {
	case o.kind == blueprint.KindNATGateway:
		return o.res.NATGateway.PublicIP == ip
	case o.kind == blueprint.KindCluster:
		return o.res.Cluster.PublicIP == ip
	case o.kind == blueprint.KindVPNAppliance:
		return o.res.VPNAppliance.PublicIP == ip
	}
	return false
}

// awaitLinkEnd waits, before the create of an end of a link over a VPN,
// until what it reads in the other region exists there (found by the
// deployment's tags): for the hub's customer gateway, the appliance's
// public IP; for the appliance, the hub's VPN connection. Both clouds'
// drivers wait the same way (bounded by Options.PeerTimeout).
func (d *Driver) awaitLinkEnd(ctx context.Context, req driver.Request) error {
	r := req.Resource
	var region, logicalID string
	var kind blueprint.Kind
	switch {
	case r.CustomerGateway != nil && r.CustomerGateway.PeerPublicIP != "":
		region, logicalID, kind = r.CustomerGateway.PeerRegion, r.CustomerGateway.PeerPublicIP, blueprint.KindPublicIP
	case r.VPNAppliance != nil:
		region, logicalID, kind = r.VPNAppliance.HubRegion, r.VPNAppliance.HubConnection, blueprint.KindVPNConnection
	default:
		return nil
	}
	pd := d.account.region(region)
	if pd == nil || pd == d {
		return d.errf(OpCreate, r.Kind, r.ID, driver.Invalid, "%s: %q is not another region of the account (it has %q); make both regions with one fake.Account",
			r.Kind, region, d.account.Regions())
	}
	return d.await(ctx, r.Kind, r.ID, region, func() bool { return pd.owns(req.Deployment, kind, logicalID) },
		fmt.Sprintf("no %s %s of deployment %q in region %s: apply both regions together (provider.Fleet)", kind, logicalID, req.Deployment, region))
}

// owns reports whether the region holds deployment's resource of kind
// with the logical id.
func (d *Driver) owns(deployment string, kind blueprint.Kind, logicalID string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	f := tagFilter{driver.TagDeployment: escapeFilter(deployment), driver.TagLogicalID: escapeFilter(logicalID)}
	for _, e := range d.describe(kind, f) {
		if e.tags[driver.TagDeployment] == deployment && e.tags[driver.TagLogicalID] == logicalID {
			return true
		}
	}
	return false
}

// applianceCarries returns why the appliance a, the target of subnet's
// route to dest, does not carry dest, or "": it forwards (its
// source/destination check is off) and its tunnel's remote range holds
// dest.
func (d *Driver) applianceCarries(subnet string, a blueprint.Ref, dest netip.Prefix) string {
	e, ok := d.res[string(a)]
	if !ok || e.kind != blueprint.KindVPNAppliance {
		return fmt.Sprintf("subnet %s routes %s to %s, which is not a VPN appliance", subnet, dest, a)
	}
	s := e.res.VPNAppliance
	switch {
	case s.SourceDestCheck:
		return fmt.Sprintf("VPN appliance %s has its source/destination check on: it drops what subnet %s sends to %s", a, subnet, dest)
	case s.RemoteCIDR.Bits() > dest.Bits() || !s.RemoteCIDR.Contains(dest.Addr()):
		return fmt.Sprintf("the tunnel of VPN appliance %s carries %s, not %s", a, s.RemoteCIDR, dest)
	}
	return ""
}
