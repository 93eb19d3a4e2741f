package netplan_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
)

func TestParseFlow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want netplan.Flow
	}{
		{"internet -> web tcp/80", netplan.Flow{From: netplan.Internet(), To: netplan.Tier("web"), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(80)}},
		{"web -> app tcp/8080", netplan.Flow{From: netplan.Tier("web"), To: netplan.Tier("app"), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(8080)}},
		{"10.1.0.0/16 -> db tcp/3306", netplan.Flow{From: netplan.CIDR(rpfx("10.1.0.0/16")), To: netplan.Tier("db"), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(3306)}},
		{"10.1.0.0/16,2001:db8::/32 -> db tcp/3306", netplan.Flow{From: netplan.CIDR(rpfx("10.1.0.0/16"), rpfx("2001:db8::/32")), To: netplan.Tier("db"), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(3306)}},
		{"peer:vpn -> bastion tcp/22", netplan.Flow{From: netplan.Peer("vpn"), To: netplan.Tier("bastion"), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(22)}},
		{"web -> internet tcp/80-443", netplan.Flow{From: netplan.Tier("web"), To: netplan.Internet(), Protocol: netplan.ProtocolTCP, Ports: netplan.Ports(80, 443)}},
		{"app -> cache udp/11211", netplan.Flow{From: netplan.Tier("app"), To: netplan.Tier("cache"), Protocol: netplan.ProtocolUDP, Ports: netplan.Port(11211)}},
		{"web -> app icmp", netplan.Flow{From: netplan.Tier("web"), To: netplan.Tier("app"), Protocol: netplan.ProtocolICMP}},
		{"web -> app all", netplan.Flow{From: netplan.Tier("web"), To: netplan.Tier("app"), Protocol: netplan.ProtocolAll}},
		{"web -> app tcp", netplan.Flow{From: netplan.Tier("web"), To: netplan.Tier("app"), Protocol: netplan.ProtocolTCP, Ports: netplan.AllPorts}},
		{"  web->app   TCP/8080   #  the API ", netplan.Flow{From: netplan.Tier("web"), To: netplan.Tier("app"), Protocol: netplan.ProtocolTCP, Ports: netplan.Port(8080), Description: "the API"}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := netplan.ParseFlow(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			back, err := netplan.ParseFlow(got.String())
			require.NoError(t, err, got.String())
			assert.Equal(t, got, back)
		})
	}
}

func TestParseFlowErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"web -> app tcp/0-80", "netplan: flow.ports: 0-80: port 0 is not allowed; use 1-65535"},
		{"web -> app tcp/443-80", "netplan: flow.ports: 443-80: from 443 is above to 80; write 80-443"},
		{"web -> app tcp/70000", "netplan: flow.ports: 70000: port 70000 is out of range; use 1-65535"},
		{"web -> app tcp/http", `netplan: flow.ports: http: "http" is not a port; use a number in 1-65535`},
		{"web -> app sctp/80", "netplan: flow.protocol: sctp: unknown protocol; use tcp, udp, icmp or all"},
		{"web -> app icmp/8", `netplan: flow.ports: icmp/8: icmp carries no port; write "icmp"`},
		{"web app tcp/80", `netplan: flow: "web app tcp/80": no "->"; write "<from> -> <to> <protocol>[/<ports>]", e.g. "web -> app tcp/8080"`},
		{"web -> app", `netplan: flow: "web -> app": want "<to> <protocol>[/<ports>]" after "->", e.g. "app tcp/8080"`},
		{"internet -> 10.0.0.0/8 tcp/80", "netplan: flow: internet -> 10.0.0.0/8: neither side is a tier; one side must be a tier of the topology"},
		{"10.0.0.1/8 -> web tcp/80", "netplan: flow.from: 10.0.0.1/8: host bits set; did you mean 10.0.0.0/8?"},
		{"peer: -> web tcp/22", "netplan: flow.from: peer:: bad peer name; use a letter, then letters, digits, '-', '_' or '.'"},
		{"-> web tcp/22", `netplan: flow.from: "": empty endpoint; use a tier name, "internet", "peer:<name>" or a CIDR`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			_, err := netplan.ParseFlow(tc.in)
			require.Error(t, err)
			assert.EqualError(t, err, tc.want)
			assert.ErrorIs(t, err, netplan.ErrInvalidFlow)
			assert.ErrorIs(t, err, netplan.ErrInvalid)
		})
	}
}

func TestPortRange(t *testing.T) {
	t.Parallel()
	r, err := netplan.ParsePortRange("1024-65535")
	require.NoError(t, err)
	assert.Equal(t, netplan.DefaultEphemeral, r)
	assert.True(t, r.Contains(1024))
	assert.True(t, r.Contains(65535))
	assert.False(t, r.Contains(1023))
	assert.Equal(t, "1024-65535", r.String())
	assert.Equal(t, "80", netplan.Port(80).String())
	assert.Equal(t, "", netplan.PortRange{}.String())
	assert.True(t, netplan.AllPorts.Covers(netplan.Port(1)))
	assert.True(t, netplan.Ports(80, 90).Overlaps(netplan.Ports(90, 100)))
	assert.Equal(t, 65535, netplan.AllPorts.Len())
	_, err = netplan.ParsePortRange("0")
	assert.EqualError(t, err, `netplan: ports: "0": port 0 is not allowed; use 1-65535`)

	var back netplan.PortRange
	require.NoError(t, back.UnmarshalText([]byte("80-443")))
	assert.Equal(t, netplan.Ports(80, 443), back)
	assert.Error(t, back.UnmarshalText([]byte("443-80")))
}

func TestEndpoint(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []netip.Prefix{rpfx("0.0.0.0/0"), rpfx("::/0")}, netplan.Internet().Prefixes)
	assert.Equal(t, "peer:vpn", netplan.Peer("vpn", rpfx("192.168.0.0/16")).String())
	assert.True(t, netplan.Tier("web").Equal(netplan.Tier("web")))
	assert.False(t, netplan.Tier("web").Equal(netplan.Peer("web")))
	assert.Equal(t, "cidr", netplan.EndpointCIDR.String())
}
