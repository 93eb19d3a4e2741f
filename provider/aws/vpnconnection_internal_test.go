package aws

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// vpnEC2 keeps one VPN connection as AWS does, with its options and its
// static routes, which moto keeps neither of; it answers with the
// tunnels' configuration, pre-shared key included.
type vpnEC2 struct {
	EC2API
	conn  *ec2types.VpnConnection
	calls []string
}

func (s *vpnEC2) DescribeVpnConnections(_ context.Context, in *ec2.DescribeVpnConnectionsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpnConnectionsOutput, error) {
	if s.conn == nil || len(in.VpnConnectionIds) == 0 {
		return &ec2.DescribeVpnConnectionsOutput{}, nil
	}
	return &ec2.DescribeVpnConnectionsOutput{VpnConnections: []ec2types.VpnConnection{*s.conn}}, nil
}

func (s *vpnEC2) CreateVpnConnection(_ context.Context, in *ec2.CreateVpnConnectionInput, _ ...func(*ec2.Options)) (*ec2.CreateVpnConnectionOutput, error) {
	s.calls = append(s.calls, "CreateVpnConnection")
	s.conn = &ec2types.VpnConnection{VpnConnectionId: awssdk.String("vpn-1"), State: ec2types.VpnStatePending,
		VpnGatewayId: in.VpnGatewayId, CustomerGatewayId: in.CustomerGatewayId,
		Options:                      &ec2types.VpnConnectionOptions{StaticRoutesOnly: in.Options.StaticRoutesOnly},
		CustomerGatewayConfiguration: awssdk.String("<pre_shared_key>secret</pre_shared_key>")}
	return &ec2.CreateVpnConnectionOutput{VpnConnection: s.conn}, nil
}

func (s *vpnEC2) CreateVpnConnectionRoute(_ context.Context, in *ec2.CreateVpnConnectionRouteInput, _ ...func(*ec2.Options)) (*ec2.CreateVpnConnectionRouteOutput, error) {
	s.calls = append(s.calls, "CreateVpnConnectionRoute "+awssdk.ToString(in.DestinationCidrBlock))
	s.conn.Routes = append(s.conn.Routes, ec2types.VpnStaticRoute{DestinationCidrBlock: in.DestinationCidrBlock, State: ec2types.VpnStatePending})
	return &ec2.CreateVpnConnectionRouteOutput{}, nil
}

func (s *vpnEC2) DeleteVpnConnectionRoute(_ context.Context, in *ec2.DeleteVpnConnectionRouteInput, _ ...func(*ec2.Options)) (*ec2.DeleteVpnConnectionRouteOutput, error) {
	s.calls = append(s.calls, "DeleteVpnConnectionRoute "+awssdk.ToString(in.DestinationCidrBlock))
	s.conn.Routes = slices.DeleteFunc(s.conn.Routes, func(r ec2types.VpnStaticRoute) bool {
		return awssdk.ToString(r.DestinationCidrBlock) == awssdk.ToString(in.DestinationCidrBlock)
	})
	return &ec2.DeleteVpnConnectionRouteOutput{}, nil
}

// A static VPN connection: created with StaticRoutesOnly and a route per
// block, read back as asked without the tunnels' secrets, its routes
// changed in place.
func TestStaticVPNConnection(t *testing.T) {
	t.Parallel()
	ec := &vpnEC2{}
	d := &Driver{EC2: ec}
	p := netip.MustParsePrefix
	spec := &blueprint.VPNConnectionSpec{VPNGateway: "vgw-1", CustomerGateway: "cgw-1", StaticRoutes: []netip.Prefix{p("172.16.8.0/22"), p("192.168.0.0/16")}}
	req := driver.Request{Deployment: "shop", Resource: blueprint.Resource{ID: "vpn_connection/office", Kind: blueprint.KindVPNConnection, VPNConnection: spec}}
	o, err := d.Create(t.Context(), req)
	require.NoError(t, err)
	assert.Equal(t, []string{"CreateVpnConnection", "CreateVpnConnectionRoute 172.16.8.0/22", "CreateVpnConnectionRoute 192.168.0.0/16"}, ec.calls)
	assert.True(t, awssdk.ToBool(ec.conn.Options.StaticRoutesOnly))
	assert.Equal(t, spec, o.Resource.VPNConnection)
	assert.False(t, o.Ready, "pending until the tunnels are up")
	js, err := json.Marshal(o)
	require.NoError(t, err)
	assert.NotContains(t, string(js), "secret", "the pre-shared key is never kept")

	ec.calls = nil
	req.Resource.VPNConnection = &blueprint.VPNConnectionSpec{VPNGateway: "vgw-1", CustomerGateway: "cgw-1", StaticRoutes: []netip.Prefix{p("10.99.0.0/16"), p("192.168.0.0/16")}}
	o, err = d.Update(t.Context(), req, o)
	require.NoError(t, err)
	assert.Equal(t, []string{"CreateVpnConnectionRoute 10.99.0.0/16", "DeleteVpnConnectionRoute 172.16.8.0/22"}, ec.calls)
	assert.Equal(t, []netip.Prefix{p("10.99.0.0/16"), p("192.168.0.0/16")}, o.Resource.VPNConnection.StaticRoutes)
}
