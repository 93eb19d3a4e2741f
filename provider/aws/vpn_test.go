package aws_test

import (
	"net/netip"
	"slices"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// vpnArch is an application tier that an office reaches over a VPN (and
// queries back), with the VPN's device at 198.51.100.7.
func vpnArch(name string, asn uint32) *pattern.Architecture {
	a := pattern.New(name, "10.40.0.0/16").AddTier(tier.App("app")).
		Peer("office", netip.MustParsePrefix("192.168.0.0/16")).
		VPN("office", pattern.VPN{PublicIP: netip.MustParseAddr("198.51.100.7"), ASN: asn}).
		Flow("peer:office -> app tcp/22", "app -> peer:office tcp/636")
	a.NAT = netplan.NATNone
	return a
}

// A VPN peer on moto: the virtual private gateway attached to the VPC,
// the customer gateway with the device's address and ASN, the connection
// between them and the routes to the peer's block in the application
// tier's route tables, read back through the SDK; applied again without a
// write; destroyed with nothing left. moto keeps no VPN options
// (StaticRoutesOnly) and serves no CreateVpnConnectionRoute, so the
// connection is a BGP one here; the static one is the fake's and the
// conformance suite's.
func TestVPNPeerOnMoto(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	ctx := t.Context()
	bp, err := vpnArch("vpnpeer", 65010).Build()
	require.NoError(t, err)
	eng := engine(td.Driver)
	res, err := eng.Apply(ctx, bp)
	require.NoError(t, err)
	writes, reads, ops := td.calls.snapshot()
	t.Logf("apply: %s; %d resources; AWS API calls %d writes %d reads: %v", res, len(bp.Resources), writes, reads, ops)

	owned := []ec2types.Filter{{Name: awssdk.String("tag:" + driver.TagDeployment), Values: []string{bp.Deployment}}}
	vgws, err := td.EC2.DescribeVpnGateways(ctx, &ec2.DescribeVpnGatewaysInput{Filters: owned})
	require.NoError(t, err)
	require.Len(t, vgws.VpnGateways, 1)
	vgw := vgws.VpnGateways[0]
	require.Len(t, vgw.VpcAttachments, 1)
	assert.Equal(t, ec2types.AttachmentStatusAttached, vgw.VpcAttachments[0].State)
	vpc := awssdk.ToString(vgw.VpcAttachments[0].VpcId)

	cgws, err := td.EC2.DescribeCustomerGateways(ctx, &ec2.DescribeCustomerGatewaysInput{})
	require.NoError(t, err)
	i := slices.IndexFunc(cgws.CustomerGateways, func(g ec2types.CustomerGateway) bool {
		return slices.ContainsFunc(g.Tags, func(tg ec2types.Tag) bool { return awssdk.ToString(tg.Value) == bp.Deployment })
	})
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, "198.51.100.7", awssdk.ToString(cgws.CustomerGateways[i].IpAddress))
	assert.Equal(t, "65010", awssdk.ToString(cgws.CustomerGateways[i].BgpAsn))

	conns, err := td.EC2.DescribeVpnConnections(ctx, &ec2.DescribeVpnConnectionsInput{Filters: owned})
	require.NoError(t, err)
	require.Len(t, conns.VpnConnections, 1)
	assert.Equal(t, vgw.VpnGatewayId, conns.VpnConnections[0].VpnGatewayId)
	assert.Equal(t, cgws.CustomerGateways[i].CustomerGatewayId, conns.VpnConnections[0].CustomerGatewayId)

	tables, err := td.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: append(owned,
		ec2types.Filter{Name: awssdk.String("vpc-id"), Values: []string{vpc}})})
	require.NoError(t, err)
	require.Len(t, tables.RouteTables, 2, "one per app subnet")
	for _, rt := range tables.RouteTables {
		i := slices.IndexFunc(rt.Routes, func(r ec2types.Route) bool { return awssdk.ToString(r.DestinationCidrBlock) == "192.168.0.0/16" })
		require.GreaterOrEqual(t, i, 0, "route to the peer in %s", awssdk.ToString(rt.RouteTableId))
		assert.Equal(t, vgw.VpnGatewayId, rt.Routes[i].GatewayId)
	}

	td.calls.reset()
	res, err = eng.Apply(ctx, bp)
	require.NoError(t, err)
	writes, reads, ops = td.calls.snapshot()
	t.Logf("re-apply: %s; AWS API calls %d writes %d reads", res, writes, reads)
	assert.Zero(t, writes, "re-apply wrote: %v", ops)

	res, err = eng.Destroy(ctx, bp.Deployment)
	require.NoError(t, err)
	t.Logf("destroy: %s", res)
	for _, k := range blueprint.Kinds {
		left, err := td.List(ctx, driver.Query{Deployment: bp.Deployment, Kind: k})
		require.NoError(t, err)
		assert.Empty(t, left, "kind %s", k)
	}
}

// moto does not serve CreateVpnConnectionRoute: a static VPN is refused
// there, naming the call, and the apply stops without a half-made
// connection left unknown (the engine finds it by its tags).
func TestVPNStaticRoutesNotOnMoto(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	bp, err := vpnArch("vpnstatic", 0).Build()
	require.NoError(t, err)
	conn, _ := bp.Resource("vpn_connection/office")
	require.Equal(t, []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16")}, conn.VPNConnection.StaticRoutes)
	_, err = engine(td.Driver).Apply(t.Context(), bp)
	if err == nil {
		t.Log("moto now serves static VPN routes: turn this test into a read-back of them")
	} else {
		assert.Contains(t, err.Error(), "CreateVpnConnectionRoute")
	}
	_, err = engine(td.Driver).Destroy(t.Context(), bp.Deployment)
	require.NoError(t, err)
}
