package outscale

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"maps"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/provider/driver"
)

// A link between the Nets of two OUTSCALE regions goes over a VPN
// (pattern.MultiRegion.LinkVPN), whose two ends need values of each
// other: the hub's client gateway the address of the spoke's appliance,
// the appliance the outside address and the pre-shared key of the hub's
// VPN connection. Each region's driver reads them in the other region
// through that region's driver, given by provider.Fleet ([Driver.SetPeers]),
// by the deployment's tags, waiting until they exist (bounded by
// Options.WaitTimeout, and by the other region's run in a Fleet:
// driver.RegionEnded). The order never deadlocks: spoke public IP -> hub client
// gateway -> hub VPN connection (and its key) -> spoke appliance -> spoke
// routes.

// Bookkeeping tags of the ends of a link over a VPN.
const (
	// tagPeerPublicIP is on a client gateway made for a peer's public IP:
	// "<region>/<logical id>".
	tagPeerPublicIP = metaPrefix + "peer_public_ip"
	// tagLink is on a VPN connection that carries a link (VPNConnectionSpec.Link).
	tagLink = metaPrefix + "link"
	// tagAppliance is on an appliance VM: its hub, "<region>/<connection's logical id>".
	tagAppliance = metaPrefix + "appliance"
	// tagRanges is on an appliance VM: "<local CIDR> <remote CIDR>".
	tagRanges = metaPrefix + "ranges"
	// tagHubVPN is on an appliance VM: the provider id of the hub's VPN
	// connection whose tunnel and key its user data holds.
	tagHubVPN = metaPrefix + "hub_vpn"
)

// SetPeers gives the driver the drivers of the deployment's other
// regions, by region: provider.Fleet calls it for every driver it drives.
// The ends of a link over a VPN read each other through them, when they
// are OUTSCALE drivers (*Driver, not wrapped); a driver without the other
// region's refuses such a link before any call ([Driver.Check]).
func (d *Driver) SetPeers(peers map[string]driver.Driver) {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.peers = maps.Clone(peers)
}

// peer returns the OUTSCALE driver of region, or an error naming the fix.
func (d *Driver) peer(op, kind, id, region string) (*Driver, error) {
	d.mu.Lock()
	p := d.peers[region]
	d.mu.Unlock()
	if pd, ok := p.(*Driver); ok && pd != nil {
		return pd, nil
	}
	return nil, errorf(op, kind, id, driver.Invalid,
		"no OUTSCALE driver of region %q to read the other end of the VPN link; apply both regions together with provider.Fleet, which gives each driver the others (SetPeers)", region)
}

// hasPeer reports whether the driver can read region.
func (d *Driver) hasPeer(region string) bool {
	_, err := d.peer("", "", "", region)
	return err == nil
}

// ownedPublicIP returns the address of the public IP of deployment whose
// logical id is logicalID, "" when there is none.
func (d *Driver) ownedPublicIP(ctx context.Context, deployment, logicalID string) (string, error) {
	q := driver.Query{Deployment: deployment}
	ips, err := d.readPublicIPs(ctx, osc.FiltersPublicIp{Tags: ownerFilter(q)}, logicalID)
	if err != nil {
		return "", err
	}
	for _, ip := range ips {
		if tags := tagMap(ip.GetTags()); owned(q, tags) && tags[driver.TagLogicalID] == logicalID {
			return ip.GetPublicIp(), nil
		}
	}
	return "", nil
}

// hubTunnel is what an appliance needs of the hub's VPN connection.
type hubTunnel struct {
	id, outside, key string
}

// tunnel returns deployment's VPN connection logicalID: its id, the
// outside address of its first tunnel and its pre-shared key; the zero
// hubTunnel until the connection exists, is tagged and has its key.
func (d *Driver) tunnel(ctx context.Context, deployment, logicalID string) (hubTunnel, error) {
	q := driver.Query{Deployment: deployment}
	vpns, err := d.readVpnConnections(ctx, osc.FiltersVpnConnection{Tags: ownerFilter(q)}, logicalID)
	if err != nil {
		return hubTunnel{}, err
	}
	for _, v := range vpns {
		if tags := tagMap(v.GetTags()); !owned(q, tags) || tags[driver.TagLogicalID] != logicalID {
			continue
		}
		h := hubTunnel{id: v.GetVpnConnectionId(), key: presharedKey(v)}
		for _, t := range v.GetVgwTelemetries() {
			if t.GetOutsideIpAddress() != "" {
				h.outside = t.GetOutsideIpAddress()
				break
			}
		}
		if h.outside == "" || h.key == "" {
			return hubTunnel{}, nil
		}
		return h, nil
	}
	return hubTunnel{}, nil
}

// presharedKey returns the connection's pre-shared key, "" when it has
// none.
func presharedKey(v osc.VpnConnection) string {
	o := v.GetVpnOptions()
	p := o.GetPhase2Options()
	return p.GetPreSharedKey()
}

// newPresharedKey draws a pre-shared key with crypto/rand: "k" and 48 hex
// digits (192 bits), which both clouds accept (AWS: 8 to 64 letters,
// digits, '.' or '_', not starting with 0; OUTSCALE: no line break, no
// double quote).
func newPresharedKey() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "k" + hex.EncodeToString(b)
}
