package ipsec

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUserData(t *testing.T) {
	t.Parallel()
	ud := UserData(Config{Name: "vpn_appliance/eu-west-2-us-east-2", PublicIP: "198.51.100.7", HubIP: "203.0.113.3",
		Key: "k0123abc", Local: netip.MustParsePrefix("10.1.0.0/16"), Remote: netip.MustParsePrefix("10.0.0.0/16")})
	assert.True(t, strings.HasPrefix(ud, "#!/bin/sh\n"), "a shell script")
	for _, want := range []string{
		"conn vpn-appliance-eu-west-2-us-east-2\n", // letters, digits and '-' only
		"left=%defaultroute\n", "leftid=198.51.100.7\n", "leftsubnet=10.1.0.0/16\n",
		"right=203.0.113.3\n", "rightid=203.0.113.3\n", "rightsubnet=10.0.0.0/16\n",
		"authby=secret\n", "keyexchange=ikev2\n", "forceencaps=yes\n", "auto=start\n",
		`198.51.100.7 203.0.113.3 : PSK "k0123abc"` + "\n",
		"sysctl -w net.ipv4.ip_forward=1\n", "umask 077\n",
		"if ! command -v ipsec >/dev/null 2>&1; then\n", "strongSwan (ipsec) is not installed: use an image with strongSwan (VPNLinkOptions.Image)\" >&2\n    exit 1\n",
	} {
		assert.Contains(t, ud, want)
	}
	assert.Equal(t, 1, strings.Count(ud, "k0123abc"), "the key is written once, into ipsec.secrets")
	assert.Less(t, strings.Index(ud, "umask 077"), strings.Index(ud, "ipsec.secrets"), "the secrets file is made private")
}
