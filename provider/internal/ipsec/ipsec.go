// Package ipsec renders the user data of the IPsec appliance VM that ends
// a VPN between two Nets of a deployment (kind vpn_appliance): a shell
// script that stops with a message on the console when the image lacks
// strongSwan (the appliance's security group lets no package download
// out), turns IP forwarding on and configures strongSwan (the
// ipsec.conf and ipsec.secrets of its starter, strongSwan documentation
// "ipsec.conf: conn Section") for one site-to-site tunnel to a cloud VPN
// gateway, with a pre-shared key, NAT traversal forced (the appliance's
// public IP is a 1:1 NAT of its private address), and dead peer detection.
//
// The proposals follow what OUTSCALE's virtual gateway asks of a client
// gateway, which its API does not let a caller choose (VpnOptions'
// Phase1Options: "This parameter is not available"): the client gateway
// configuration of a VPN connection (VpnConnection, OUTSCALE API
// reference) names IKE in main mode (IKEv1) with aes-128-cbc,
// hmac-sha1-96 and Diffie-Hellman group 2, and ESP with aes-128-cbc, sha1
// and perfect forward secrecy in group 2. The appliance offers AES-256,
// SHA-256 and group 14 first and that suite second, nothing else, and
// initiates the tunnel, as the virtual gateway never does (About VPN
// Connections, OUTSCALE user guide).
package ipsec

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Config is one tunnel of the appliance.
type Config struct {
	// Name names the connection ("vpn_appliance/eu-west-2-us-east-2"):
	// any text, reduced to letters, digits and '-'.
	Name string
	// PublicIP is the appliance's public address: its IKE identity, the
	// address the cloud's client gateway knows.
	PublicIP string
	// HubIP is the outside address of the cloud gateway's tunnel.
	HubIP string
	// Key is the pre-shared key: no line break, no double quote.
	Key string
	// Local is the appliance's Net (leftsubnet), Remote the hub's
	// (rightsubnet).
	Local, Remote netip.Prefix
}

// UserData returns the appliance's user data: a POSIX shell script. It
// holds the key: never log it, never store it outside the VM.
//
// The addresses and the key are read from the cloud (the hub's key may
// have been set out of band), and the script runs as root: an address
// that is not one, a range that is not valid, an empty key or one with a
// double quote or a control character (a line break would end the
// secrets line, or the heredoc, and run what follows) is refused, naming
// the field, and nothing is rendered. The error never holds the key.
func UserData(c Config) (string, error) {
	pub, perr := netip.ParseAddr(c.PublicIP)
	hub, herr := netip.ParseAddr(c.HubIP)
	var errs []error
	if perr != nil {
		errs = append(errs, fmt.Errorf("ipsec: public IP %q is not an address", c.PublicIP))
	}
	if herr != nil {
		errs = append(errs, fmt.Errorf("ipsec: the hub's outside address %q is not an address", c.HubIP))
	}
	if !c.Local.IsValid() || !c.Remote.IsValid() {
		errs = append(errs, fmt.Errorf("ipsec: the ranges %s and %s must both be valid", c.Local, c.Remote))
	}
	if c.Key == "" || strings.ContainsFunc(c.Key, func(r rune) bool { return r == '"' || r < ' ' || r == 0x7f }) {
		errs = append(errs, errors.New("ipsec: the pre-shared key is empty or holds a double quote or a control character"))
	}
	if len(errs) > 0 {
		return "", errors.Join(errs...)
	}
	c.PublicIP, c.HubIP = pub.String(), hub.String()
	c.Local, c.Remote = c.Local.Masked(), c.Remote.Masked()
	return render(c), nil
}

// render writes the script of a checked c.
func render(c Config) string {
	name := connName(c.Name)
	var b strings.Builder
	fmt.Fprintf(&b, `#!/bin/sh
# archkit VPN appliance %[1]s: IPsec (strongSwan) from %[2]s to %[3]s
set -e
if ! command -v ipsec >/dev/null 2>&1; then
    echo "archkit VPN appliance %[1]s: strongSwan (ipsec) is not installed: use an image with strongSwan (VPNLinkOptions.Image)" >&2
    exit 1
fi
sysctl -w net.ipv4.ip_forward=1
echo net.ipv4.ip_forward=1 > /etc/sysctl.d/99-archkit-vpn.conf
umask 077
cat > /etc/ipsec.conf <<'ARCHKIT_EOF'
config setup
    uniqueids=yes

conn %[1]s
    type=tunnel
    authby=secret
    keyexchange=ikev1
    ike=aes256-sha256-modp2048,aes128-sha1-modp1024!
    esp=aes256-sha256-modp2048,aes128-sha1-modp1024!
    left=%%defaultroute
    leftid=%[4]s
    leftsubnet=%[2]s
    right=%[5]s
    rightid=%[5]s
    rightsubnet=%[3]s
    forceencaps=yes
    dpddelay=10s
    dpdtimeout=30s
    dpdaction=restart
    auto=start
ARCHKIT_EOF
cat > /etc/ipsec.secrets <<'ARCHKIT_EOF'
%[4]s %[5]s : PSK "%[6]s"
ARCHKIT_EOF
systemctl enable --now strongswan-starter 2>/dev/null || systemctl enable --now strongswan 2>/dev/null || ipsec restart
ipsec reload 2>/dev/null || true
`, name, c.Local, c.Remote, c.PublicIP, c.HubIP, c.Key)
	return b.String()
}

// connName reduces s to letters, digits and '-'.
func connName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, s)
}
