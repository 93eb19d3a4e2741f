package pattern_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// newKey returns a fresh ed25519 key: its public authorized_keys line
// and its private key in OpenSSH's PEM form.
func newKey(t *testing.T) (public tier.PublicKey, private string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	sp, err := ssh.NewPublicKey(pub)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKey(priv, "")
	require.NoError(t, err)
	return tier.PublicKey(strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " alice@laptop"), string(pem.EncodeToMemory(block))
}

func bastionShop(b pattern.Bastion) *pattern.Architecture {
	return pattern.New("shop", "10.0.0.0/16").WithZones("a", "b", "c").
		AddTier(tier.App("app")).AddCluster(tier.NewCluster("app", "ami-app", "t3.small")).
		AddBastionHost("bastion", b)
}

// A bastion per zone with the user's public key: a key pair named after
// the key, three nodes, SSH from the admin block only.
func TestBastionHostPerZoneWithKey(t *testing.T) {
	t.Parallel()
	pub, _ := newKey(t)
	admins := pfx("203.0.113.0/24")
	a := bastionShop(pattern.Bastion{Admins: netplan.CIDR(admins), Image: "ami-bastion", PublicKey: pub, PerZone: true, Targets: []string{"app"}})
	bp := build(t, a)

	kp := res(t, bp, "key_pair/bastion").KeyPair
	require.NotNil(t, kp)
	assert.Equal(t, "shop-bastion-"+pub.ShortHash(), kp.Name)
	assert.Equal(t, pub.Canonical(), kp.PublicKey, "kept without its comment")
	assert.NotContains(t, string(kp.PublicKey), "alice@laptop")
	c := res(t, bp, "cluster/bastion").Cluster
	assert.Equal(t, blueprint.Ref("key_pair/bastion"), c.KeyPair)
	assert.Equal(t, [3]int{3, 3, 3}, [3]int{c.Min, c.Desired, c.Max}, "one per zone")
	assert.Contains(t, res(t, bp, "cluster/bastion").DependsOn, "key_pair/bastion")
	_, ok := bp.Resource("key_pair/app")
	assert.False(t, ok, "no key, no key pair")

	in := sgRules(t, bp, "bastion").Inbound
	require.Len(t, in, 1, "the admin block is the only way in")
	assert.Equal(t, admins, in[0].CIDR)
	assert.Equal(t, [2]uint16{22, 22}, [2]uint16{in[0].FromPort, in[0].ToPort})

	r := rules(t, a)
	assert.True(t, reach(r, netplan.CIDR(admins), "bastion", 22))
	assert.True(t, reach(r, netplan.CIDR(pfx("203.0.113.7/32")), "bastion", 22))
	assert.False(t, reach(r, netplan.CIDR(pfx("198.51.100.0/24")), "bastion", 22), "another block")
	assert.False(t, reach(r, netplan.Internet(), "bastion", 22))
	assert.False(t, reach(r, netplan.CIDR(admins), "bastion", 3389), "SSH only")
	assert.False(t, reach(r, netplan.CIDR(admins), "app", 22), "through the bastion only")
	assert.True(t, reach(r, netplan.Tier("bastion"), "app", 22))

	// Another key is another key pair: a new name, so the new one is made
	// before the old one goes.
	other, _ := newKey(t)
	bp2 := build(t, bastionShop(pattern.Bastion{Admins: netplan.CIDR(admins), Image: "ami-bastion", PublicKey: other}))
	assert.NotEqual(t, kp.Name, res(t, bp2, "key_pair/bastion").KeyPair.Name)
	assert.Equal(t, 1, res(t, bp2, "cluster/bastion").Cluster.Desired, "one bastion unless per zone")
}

// A private key is refused before anything else, never quoted back; so
// are a bastion with no way in and Session Manager without its profile.
func TestBastionHostRefused(t *testing.T) {
	t.Parallel()
	_, private := newKey(t)
	admins := netplan.CIDR(pfx("203.0.113.0/24"))
	for _, tc := range []struct {
		name string
		b    pattern.Bastion
		want []string
	}{
		{"private key", pattern.Bastion{Admins: admins, Image: "ami-b", PublicKey: tier.PublicKey(private)},
			[]string{"cluster[bastion].ssh_public_key", "a private key", "ssh-keygen -y"}},
		{"no way in", pattern.Bastion{Image: "ami-b"}, []string{"bastion[bastion].admins", "no way in", "SessionManager"}},
		{"profile without session manager", pattern.Bastion{Admins: admins, Image: "ami-b", InstanceProfile: "ssm"},
			[]string{"bastion[bastion].instance_profile", "set SessionManager"}},
		{"no image", pattern.Bastion{Admins: admins}, []string{"cluster[bastion].image"}},
		{"admins with session manager", pattern.Bastion{Admins: admins, Image: "ami-b", SessionManager: true, InstanceProfile: "ssm"},
			[]string{"bastion[bastion].admins", "opens no inbound port"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := bastionShop(tc.b).Build()
			require.ErrorIs(t, err, pattern.ErrInvalid)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
			assert.NotContains(t, err.Error(), strings.Split(private, "\n")[1][:30], "no private key material in the error")
		})
	}
}

// With Session Manager the bastion has no inbound rule at all: it opens
// HTTPS out to the Systems Manager endpoints, with its instance profile.
func TestBastionHostSessionManager(t *testing.T) {
	t.Parallel()
	a := bastionShop(pattern.Bastion{Image: "ami-b", SessionManager: true, InstanceProfile: "archkit-ssm", Targets: []string{"app"}})
	bp := build(t, a)
	assert.Equal(t, "archkit-ssm", res(t, bp, "cluster/bastion").Cluster.InstanceProfile)
	rs := sgRules(t, bp, "bastion")
	assert.Empty(t, rs.Inbound, "no way in but Session Manager")
	var https bool
	for _, o := range rs.Outbound {
		https = https || o.FromPort == 443 && o.CIDR == pfx("0.0.0.0/0")
	}
	assert.True(t, https, "HTTPS out to Systems Manager: %v", rs.Outbound)
	r := rules(t, a)
	assert.False(t, reach(r, netplan.Internet(), "bastion", 22))
	assert.True(t, reach(r, netplan.Tier("bastion"), "app", 22))
}

// Session Manager with no instance profile given: the bastion's cluster is
// granted Session Manager and runs with the role Build derives from it,
// whose policy has the SSM Agent's five actions and nothing else.
func TestBastionHostSessionManagerRole(t *testing.T) {
	t.Parallel()
	bp := build(t, bastionShop(pattern.Bastion{Image: "ami-b", SessionManager: true, Targets: []string{"app"}}))
	c := res(t, bp, "cluster/bastion").Cluster
	assert.Empty(t, c.InstanceProfile)
	assert.Equal(t, blueprint.Ref("instance_role/bastion"), c.InstanceRole)
	role := res(t, bp, "instance_role/bastion").InstanceRole
	require.Len(t, role.Statements, 1)
	st := role.Statements[0]
	assert.Equal(t, "SessionManager", st.Sid)
	assert.Equal(t, []string{"*"}, st.Resources)
	assert.Equal(t, []string{"ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
		"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"}, st.Actions)
	assert.Empty(t, sgRules(t, bp, "bastion").Inbound)
}

// A bastion whose admins sit behind the office VPN: the office's block is
// the only way in, through the VPN gateway; a peer without a VPN is
// refused, naming the fix.
func TestBastionHostThroughVPN(t *testing.T) {
	t.Parallel()
	office := pfx("192.168.0.0/16")
	a := bastionShop(pattern.Bastion{Admins: netplan.Peer("office"), Image: "ami-b", Targets: []string{"app"}}).
		Peer("office", office).VPN("office", pattern.VPN{PublicIP: netip.MustParseAddr("198.51.100.7")})
	bp := build(t, a)
	in := sgRules(t, bp, "bastion").Inbound
	require.Len(t, in, 1)
	assert.Equal(t, office, in[0].CIDR)
	r := rules(t, a)
	assert.True(t, reach(r, netplan.Peer("office"), "bastion", 22))
	assert.False(t, reach(r, netplan.Peer("office"), "bastion", 80), "SSH only")
	assert.False(t, reach(r, netplan.Internet(), "bastion", 22))
	rt := res(t, bp, "route_table/bastion/a").RouteTable
	assert.True(t, slices.ContainsFunc(rt.Routes, func(r blueprint.RouteSpec) bool {
		return r.Destination == office && r.TargetKind == netplan.TargetVPNGateway
	}), "the bastion's subnet routes the office to the VPN gateway: %v", rt.Routes)

	_, err := bastionShop(pattern.Bastion{Admins: netplan.Peer("office"), Image: "ami-b"}).Peer("office", office).Build()
	require.ErrorIs(t, err, pattern.ErrInvalid)
	assert.ErrorContains(t, err, "VPN")
}
