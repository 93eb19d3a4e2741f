package netplan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
)

func TestRoutes(t *testing.T) {
	t.Parallel()
	local := netplan.Route{Destination: rpfx("10.0.0.0/16"), Target: netplan.RouteTarget{Kind: netplan.TargetLocal}}
	igw := netplan.Route{Destination: rpfx("0.0.0.0/0"), Target: netplan.RouteTarget{Kind: netplan.TargetInternetGateway}}
	nat := func(zone string) netplan.Route {
		return netplan.Route{Destination: rpfx("0.0.0.0/0"), Target: netplan.RouteTarget{Kind: netplan.TargetNATGateway, Zone: zone}}
	}
	tests := []struct {
		name     string
		nat      netplan.NATMode
		want     []netplan.RouteTable
		natZones []string
	}{
		{"per zone", netplan.NATPerZone, []netplan.RouteTable{
			{Group: "web", Zone: "eu-west-2a", Routes: []netplan.Route{local, igw}},
			{Group: "web", Zone: "eu-west-2b", Routes: []netplan.Route{local, igw}},
			{Group: "app", Zone: "eu-west-2a", Routes: []netplan.Route{local, nat("eu-west-2a")}},
			{Group: "app", Zone: "eu-west-2b", Routes: []netplan.Route{local, nat("eu-west-2b")}},
			{Group: "db", Zone: "eu-west-2a", Routes: []netplan.Route{local}},
			{Group: "db", Zone: "eu-west-2b", Routes: []netplan.Route{local}},
		}, []string{"eu-west-2a", "eu-west-2b"}},
		{"shared", netplan.NATShared, []netplan.RouteTable{
			{Group: "web", Zone: "eu-west-2a", Routes: []netplan.Route{local, igw}},
			{Group: "web", Zone: "eu-west-2b", Routes: []netplan.Route{local, igw}},
			{Group: "app", Zone: "eu-west-2a", Routes: []netplan.Route{local, nat("eu-west-2a")}},
			{Group: "app", Zone: "eu-west-2b", Routes: []netplan.Route{local, nat("eu-west-2a")}},
			{Group: "db", Zone: "eu-west-2a", Routes: []netplan.Route{local}},
			{Group: "db", Zone: "eu-west-2b", Routes: []netplan.Route{local}},
		}, []string{"eu-west-2a"}},
		{"none", netplan.NATNone, []netplan.RouteTable{
			{Group: "web", Zone: "eu-west-2a", Routes: []netplan.Route{local, igw}},
			{Group: "web", Zone: "eu-west-2b", Routes: []netplan.Route{local, igw}},
			{Group: "app", Zone: "eu-west-2a", Routes: []netplan.Route{local}},
			{Group: "app", Zone: "eu-west-2b", Routes: []netplan.Route{local}},
			{Group: "db", Zone: "eu-west-2a", Routes: []netplan.Route{local}},
			{Group: "db", Zone: "eu-west-2b", Routes: []netplan.Route{local}},
		}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := rderive(t, threeTier(t), netplan.Options{NAT: tc.nat})
			assert.Equal(t, tc.want, r.RouteTables)
			assert.Equal(t, tc.natZones, r.NATZones)
		})
	}
}

func TestRouteLookup(t *testing.T) {
	t.Parallel()
	r := rderive(t, threeTier(t), netplan.Options{})
	rt := r.RouteTables[2] // app/eu-west-2a
	route, ok := rt.Lookup(rpfx("10.0.20.7/32").Addr())
	require.True(t, ok)
	assert.Equal(t, netplan.TargetLocal, route.Target.Kind)
	route, ok = rt.Lookup(rpfx("8.8.8.8/32").Addr())
	require.True(t, ok)
	assert.Equal(t, "nat(eu-west-2a)", route.Target.String())
	_, ok = r.RouteTables[4].Lookup(rpfx("8.8.8.8/32").Addr()) // db: no default route
	assert.False(t, ok)
}

func TestRoutesIPv6Net(t *testing.T) {
	t.Parallel()
	topo := netplan.Topology{
		Net: rpfx("2001:db8::/56"),
		Groups: []netplan.Group{
			{Name: "web", Exposure: netplan.Public, Subnets: []netplan.Subnet{{Zone: "a", Prefix: rpfx("2001:db8::/64")}}},
			{Name: "db", Exposure: netplan.Isolated, Subnets: []netplan.Subnet{{Zone: "a", Prefix: rpfx("2001:db8:0:1::/64")}}},
		},
		Flows: rflows(t, "internet -> web tcp/443", "web -> db tcp/5432"),
	}
	r := rderive(t, topo, netplan.Options{})
	assert.Equal(t, []netplan.Route{
		{Destination: rpfx("2001:db8::/56"), Target: netplan.RouteTarget{Kind: netplan.TargetLocal}},
		{Destination: rpfx("::/0"), Target: netplan.RouteTarget{Kind: netplan.TargetInternetGateway}},
	}, r.RouteTables[0].Routes)
	// the internet of an IPv6 Net is ::/0 only
	assert.Equal(t, rpfx("::/0"), r.Groups[0].Inbound[0].Prefix)
	assert.True(t, r.CanReach(netplan.Query{From: netplan.Internet(), To: "web", Protocol: netplan.ProtocolTCP, Port: 443}).Allowed)
	assert.True(t, r.CanReach(netplan.Query{From: netplan.Tier("web"), To: "db", Protocol: netplan.ProtocolTCP, Port: 5432}).Allowed)
}
