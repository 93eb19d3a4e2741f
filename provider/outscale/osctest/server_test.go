package osctest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/outscale/osctest"
)

// client returns an SDK client pointed at s and a signed context.
func client(t testing.TB, s *osctest.Server) (*osc.APIClient, context.Context) {
	t.Helper()
	cfg := osc.NewConfiguration()
	cfg.Servers = osc.ServerConfigurations{{URL: s.URL()}}
	cfg.HTTPClient = &http.Client{}
	ctx := context.WithValue(t.Context(), osc.ContextAWSv4, osc.AWSv4{AccessKey: "AK", SecretKey: "SK"})
	return osc.NewAPIClient(cfg), ctx
}

// apiErr decodes the OUTSCALE error of err and returns its HTTP status and code.
func apiErr(t testing.TB, err error, res *http.Response) (int, string) {
	t.Helper()
	require.Error(t, err)
	var ge osc.GenericOpenAPIError
	require.True(t, errors.As(err, &ge), "error %T is not a GenericOpenAPIError", err)
	var body osc.ErrorResponse
	require.NoError(t, json.Unmarshal(ge.Body(), &body))
	require.NotEmpty(t, body.GetErrors())
	require.NotNil(t, res)
	return res.StatusCode, body.GetErrors()[0].GetCode()
}

func ptr[T any](v T) *T { return &v }

func TestFullLifecycleWithSDK(t *testing.T) {
	s := osctest.New(t)
	c, ctx := client(t, s)

	// Net, with its main route table and default security group.
	nr, _, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: "10.0.0.0/16"}).Execute()
	require.NoError(t, err)
	netID := nr.Net.GetNetId()
	assert.Regexp(t, `^vpc-[0-9a-f]{8}$`, netID)
	rts, _, err := c.RouteTableApi.ReadRouteTables(ctx).ReadRouteTablesRequest(osc.ReadRouteTablesRequest{
		Filters: &osc.FiltersRouteTable{NetIds: &[]string{netID}, LinkRouteTableMain: ptr(true)}}).Execute()
	require.NoError(t, err)
	require.Len(t, rts.GetRouteTables(), 1)
	mainRT := rts.GetRouteTables()[0]
	assert.Equal(t, "local", mainRT.GetRoutes()[0].GetGatewayId())
	sgs, _, err := c.SecurityGroupApi.ReadSecurityGroups(ctx).ReadSecurityGroupsRequest(osc.ReadSecurityGroupsRequest{
		Filters: &osc.FiltersSecurityGroup{NetIds: &[]string{netID}}}).Execute()
	require.NoError(t, err)
	require.Len(t, sgs.GetSecurityGroups(), 1)
	defaultSG := sgs.GetSecurityGroups()[0]
	assert.Equal(t, "default", defaultSG.GetSecurityGroupName())

	// Subnets in two subregions; pending, then available.
	var subnets []string
	for i, sr := range []string{"eu-west-2a", "eu-west-2b"} {
		r, _, err := c.SubnetApi.CreateSubnet(ctx).CreateSubnetRequest(osc.CreateSubnetRequest{
			NetId: netID, IpRange: []string{"10.0.1.0/24", "10.0.2.0/24"}[i], SubregionName: &sr}).Execute()
		require.NoError(t, err)
		assert.Equal(t, "pending", r.Subnet.GetState())
		subnets = append(subnets, r.Subnet.GetSubnetId())
	}
	_, res, err := c.SubnetApi.CreateSubnet(ctx).CreateSubnetRequest(osc.CreateSubnetRequest{NetId: netID, IpRange: "10.0.1.128/25"}).Execute()
	st, code := apiErr(t, err, res)
	assert.Equal(t, http.StatusConflict, st)
	assert.Equal(t, "9044", code)
	readSubnets := func() []osc.Subnet {
		r, _, err := c.SubnetApi.ReadSubnets(ctx).ReadSubnetsRequest(osc.ReadSubnetsRequest{Filters: &osc.FiltersSubnet{NetIds: &[]string{netID}}}).Execute()
		require.NoError(t, err)
		return r.GetSubnets()
	}
	assert.Equal(t, "pending", readSubnets()[0].GetState())
	got := readSubnets()
	require.Len(t, got, 2)
	assert.Equal(t, "available", got[0].GetState())
	assert.Equal(t, int32(251), got[0].GetAvailableIpsCount())
	_, _, err = c.SubnetApi.UpdateSubnet(ctx).UpdateSubnetRequest(osc.UpdateSubnetRequest{SubnetId: subnets[0], MapPublicIpOnLaunch: true}).Execute()
	require.NoError(t, err)

	// Internet service.
	igw, _, err := c.InternetServiceApi.CreateInternetService(ctx).CreateInternetServiceRequest(osc.CreateInternetServiceRequest{}).Execute()
	require.NoError(t, err)
	igwID := igw.InternetService.GetInternetServiceId()
	_, _, err = c.InternetServiceApi.LinkInternetService(ctx).LinkInternetServiceRequest(osc.LinkInternetServiceRequest{InternetServiceId: igwID, NetId: netID}).Execute()
	require.NoError(t, err)
	igws, _, err := c.InternetServiceApi.ReadInternetServices(ctx).ReadInternetServicesRequest(osc.ReadInternetServicesRequest{
		Filters: &osc.FiltersInternetService{LinkNetIds: &[]string{netID}}}).Execute()
	require.NoError(t, err)
	require.Len(t, igws.GetInternetServices(), 1)
	assert.Equal(t, "available", igws.GetInternetServices()[0].GetState())

	// Public IP + NAT service with a client token.
	pip, _, err := c.PublicIpApi.CreatePublicIp(ctx).CreatePublicIpRequest(osc.CreatePublicIpRequest{}).Execute()
	require.NoError(t, err)
	natReq := osc.CreateNatServiceRequest{SubnetId: subnets[0], PublicIpId: pip.PublicIp.GetPublicIpId(), ClientToken: ptr("nat-token-1")}
	nat, _, err := c.NatServiceApi.CreateNatService(ctx).CreateNatServiceRequest(natReq).Execute()
	require.NoError(t, err)
	natID := nat.NatService.GetNatServiceId()
	assert.Equal(t, "pending", nat.NatService.GetState())
	again, _, err := c.NatServiceApi.CreateNatService(ctx).CreateNatServiceRequest(natReq).Execute()
	require.NoError(t, err)
	assert.Equal(t, natID, again.NatService.GetNatServiceId(), "a repeated ClientToken returns the same NAT service")
	readNat := func() *osc.NatService {
		r, _, err := c.NatServiceApi.ReadNatServices(ctx).ReadNatServicesRequest(osc.ReadNatServicesRequest{
			Filters: &osc.FiltersNatService{ClientTokens: &[]string{"nat-token-1"}}}).Execute()
		require.NoError(t, err)
		require.Len(t, r.GetNatServices(), 1)
		return &r.GetNatServices()[0]
	}
	assert.Equal(t, "pending", readNat().GetState())
	assert.Equal(t, "available", readNat().GetState())
	assert.Equal(t, 1, s.Count("nat_service"))

	// Route tables: public (to the IGW) and private (to the NAT).
	pub, _, err := c.RouteTableApi.CreateRouteTable(ctx).CreateRouteTableRequest(osc.CreateRouteTableRequest{NetId: netID}).Execute()
	require.NoError(t, err)
	pubID := pub.RouteTable.GetRouteTableId()
	_, _, err = c.RouteApi.CreateRoute(ctx).CreateRouteRequest(osc.CreateRouteRequest{RouteTableId: pubID, DestinationIpRange: "0.0.0.0/0", GatewayId: &igwID}).Execute()
	require.NoError(t, err)
	_, res, err = c.RouteApi.CreateRoute(ctx).CreateRouteRequest(osc.CreateRouteRequest{RouteTableId: pubID, DestinationIpRange: "0.0.0.0/0", GatewayId: &igwID}).Execute()
	st, _ = apiErr(t, err, res)
	assert.Equal(t, http.StatusConflict, st)
	pubLink, _, err := c.RouteTableApi.LinkRouteTable(ctx).LinkRouteTableRequest(osc.LinkRouteTableRequest{RouteTableId: pubID, SubnetId: subnets[0]}).Execute()
	require.NoError(t, err)
	assert.Regexp(t, `^rtbassoc-[0-9a-f]{8}$`, pubLink.GetLinkRouteTableId())
	priv, _, err := c.RouteTableApi.CreateRouteTable(ctx).CreateRouteTableRequest(osc.CreateRouteTableRequest{NetId: netID}).Execute()
	require.NoError(t, err)
	privID := priv.RouteTable.GetRouteTableId()
	rr, _, err := c.RouteApi.CreateRoute(ctx).CreateRouteRequest(osc.CreateRouteRequest{RouteTableId: privID, DestinationIpRange: "0.0.0.0/0", NatServiceId: &natID}).Execute()
	require.NoError(t, err)
	assert.Len(t, rr.RouteTable.GetRoutes(), 2)
	_, _, err = c.RouteApi.UpdateRoute(ctx).UpdateRouteRequest(osc.UpdateRouteRequest{RouteTableId: privID, DestinationIpRange: "0.0.0.0/0", NatServiceId: &natID}).Execute()
	require.NoError(t, err)
	privLink, _, err := c.RouteTableApi.LinkRouteTable(ctx).LinkRouteTableRequest(osc.LinkRouteTableRequest{RouteTableId: privID, SubnetId: subnets[1]}).Execute()
	require.NoError(t, err)

	// Security groups: web (IpRanges rule) and app (group member rule).
	mkSG := func(name string) string {
		r, _, err := c.SecurityGroupApi.CreateSecurityGroup(ctx).CreateSecurityGroupRequest(osc.CreateSecurityGroupRequest{
			SecurityGroupName: name, Description: name + " tier", NetId: &netID}).Execute()
		require.NoError(t, err)
		require.Len(t, r.SecurityGroup.GetOutboundRules(), 1, "default outbound rule")
		assert.Equal(t, "-1", r.SecurityGroup.GetOutboundRules()[0].GetIpProtocol())
		return r.SecurityGroup.GetSecurityGroupId()
	}
	webSG, appSG := mkSG("web"), mkSG("app")
	_, res, err = c.SecurityGroupApi.CreateSecurityGroup(ctx).CreateSecurityGroupRequest(osc.CreateSecurityGroupRequest{
		SecurityGroupName: "web", Description: "again", NetId: &netID}).Execute()
	st, code = apiErr(t, err, res)
	assert.Equal(t, http.StatusConflict, st)
	assert.Equal(t, "9008", code)
	webRule := osc.CreateSecurityGroupRuleRequest{SecurityGroupId: webSG, Flow: "Inbound", IpProtocol: ptr("tcp"),
		FromPortRange: ptr(int32(443)), ToPortRange: ptr(int32(443)), IpRange: ptr("0.0.0.0/0")}
	_, _, err = c.SecurityGroupRuleApi.CreateSecurityGroupRule(ctx).CreateSecurityGroupRuleRequest(webRule).Execute()
	require.NoError(t, err)
	_, res, err = c.SecurityGroupRuleApi.CreateSecurityGroupRule(ctx).CreateSecurityGroupRuleRequest(webRule).Execute()
	st, _ = apiErr(t, err, res)
	assert.Equal(t, http.StatusConflict, st, "duplicate rule")
	memberRule := []osc.SecurityGroupRule{{IpProtocol: ptr("tcp"), FromPortRange: ptr(int32(8080)), ToPortRange: ptr(int32(8080)),
		SecurityGroupsMembers: &[]osc.SecurityGroupsMember{{SecurityGroupId: &webSG}}}}
	app, _, err := c.SecurityGroupRuleApi.CreateSecurityGroupRule(ctx).CreateSecurityGroupRuleRequest(osc.CreateSecurityGroupRuleRequest{
		SecurityGroupId: appSG, Flow: "Inbound", Rules: &memberRule}).Execute()
	require.NoError(t, err)
	require.Len(t, app.SecurityGroup.GetInboundRules(), 1)
	assert.Equal(t, webSG, app.SecurityGroup.GetInboundRules()[0].GetSecurityGroupsMembers()[0].GetSecurityGroupId())

	// VMs with Base64 user data and a client token.
	userData := base64.StdEncoding.EncodeToString([]byte("#cloud-config\n"))
	images, _, err := c.ImageApi.ReadImages(ctx).ReadImagesRequest(osc.ReadImagesRequest{}).Execute()
	require.NoError(t, err)
	require.NotEmpty(t, images.GetImages())
	vmReq := osc.CreateVmsRequest{ImageId: images.GetImages()[0].GetImageId(), SubnetId: &subnets[1], SecurityGroupIds: &[]string{appSG},
		UserData: &userData, ClientToken: ptr("vm-token"), MinVmsCount: ptr(int32(2)), MaxVmsCount: ptr(int32(2)), VmType: ptr("tinav6.c2r4p2")}
	vms, _, err := c.VmApi.CreateVms(ctx).CreateVmsRequest(vmReq).Execute()
	require.NoError(t, err)
	require.Len(t, vms.GetVms(), 2)
	assert.Equal(t, "10.0.2.4", vms.GetVms()[0].GetPrivateIp())
	vmsAgain, _, err := c.VmApi.CreateVms(ctx).CreateVmsRequest(vmReq).Execute()
	require.NoError(t, err)
	assert.Equal(t, vms.GetVms()[0].GetVmId(), vmsAgain.GetVms()[0].GetVmId())
	assert.Equal(t, 2, s.Count("vm"))
	vmIDs := []string{vms.GetVms()[0].GetVmId(), vms.GetVms()[1].GetVmId()}
	readVms := func() []osc.Vm {
		r, _, err := c.VmApi.ReadVms(ctx).ReadVmsRequest(osc.ReadVmsRequest{Filters: &osc.FiltersVm{VmIds: &vmIDs}}).Execute()
		require.NoError(t, err)
		return r.GetVms()
	}
	assert.Equal(t, "pending", readVms()[0].GetState())
	assert.Equal(t, "running", readVms()[0].GetState())

	// Load balancer in the public subnet.
	lb, _, err := c.LoadBalancerApi.CreateLoadBalancer(ctx).CreateLoadBalancerRequest(osc.CreateLoadBalancerRequest{
		LoadBalancerName: "web-lb", Subnets: &[]string{subnets[0]}, SecurityGroups: &[]string{webSG},
		Listeners: []osc.ListenerForCreation{{BackendPort: 8080, LoadBalancerPort: 80, LoadBalancerProtocol: "HTTP", BackendProtocol: ptr("HTTP")}},
		Tags:      &[]osc.ResourceTag{{Key: "owner", Value: "demo"}}}).Execute()
	require.NoError(t, err)
	assert.Equal(t, netID, lb.LoadBalancer.GetNetId())
	_, res, err = c.LoadBalancerApi.CreateLoadBalancer(ctx).CreateLoadBalancerRequest(osc.CreateLoadBalancerRequest{
		LoadBalancerName: "web-lb", Subnets: &[]string{subnets[0]},
		Listeners: []osc.ListenerForCreation{{BackendPort: 80, LoadBalancerPort: 80, LoadBalancerProtocol: "TCP"}}}).Execute()
	st, code = apiErr(t, err, res)
	assert.Equal(t, http.StatusConflict, st)
	assert.Equal(t, "9013", code)
	up, _, err := c.LoadBalancerApi.UpdateLoadBalancer(ctx).UpdateLoadBalancerRequest(osc.UpdateLoadBalancerRequest{LoadBalancerName: "web-lb",
		HealthCheck: &osc.HealthCheck{CheckInterval: 10, HealthyThreshold: 3, UnhealthyThreshold: 3, Timeout: 5, Port: 8080, Protocol: "HTTP", Path: ptr("/healthz")}}).Execute()
	require.NoError(t, err)
	assert.Equal(t, "/healthz", up.LoadBalancer.HealthCheck.GetPath())
	_, _, err = c.ListenerApi.CreateLoadBalancerListeners(ctx).CreateLoadBalancerListenersRequest(osc.CreateLoadBalancerListenersRequest{
		LoadBalancerName: "web-lb", Listeners: []osc.ListenerForCreation{{BackendPort: 8443, LoadBalancerPort: 8443, LoadBalancerProtocol: "TCP"}}}).Execute()
	require.NoError(t, err)
	_, _, err = c.ListenerApi.DeleteLoadBalancerListeners(ctx).DeleteLoadBalancerListenersRequest(osc.DeleteLoadBalancerListenersRequest{
		LoadBalancerName: "web-lb", LoadBalancerPorts: []int32{8443}}).Execute()
	require.NoError(t, err)
	_, _, err = c.LoadBalancerApi.LinkLoadBalancerBackendMachines(ctx).LinkLoadBalancerBackendMachinesRequest(osc.LinkLoadBalancerBackendMachinesRequest{
		LoadBalancerName: "web-lb", BackendVmIds: &vmIDs}).Execute()
	require.NoError(t, err)
	health, _, err := c.LoadBalancerApi.ReadVmsHealth(ctx).ReadVmsHealthRequest(osc.ReadVmsHealthRequest{LoadBalancerName: "web-lb"}).Execute()
	require.NoError(t, err)
	require.Len(t, health.GetBackendVmHealth(), 2)
	assert.Equal(t, "UP", health.GetBackendVmHealth()[0].GetState())
	_, _, err = c.LoadBalancerApi.CreateLoadBalancerTags(ctx).CreateLoadBalancerTagsRequest(osc.CreateLoadBalancerTagsRequest{
		LoadBalancerNames: []string{"web-lb"}, Tags: []osc.ResourceTag{{Key: "tier", Value: "web"}}}).Execute()
	require.NoError(t, err)
	lbt, _, err := c.LoadBalancerApi.ReadLoadBalancerTags(ctx).ReadLoadBalancerTagsRequest(osc.ReadLoadBalancerTagsRequest{LoadBalancerNames: []string{"web-lb"}}).Execute()
	require.NoError(t, err)
	assert.Len(t, lbt.GetTags(), 2)
	_, _, err = c.LoadBalancerApi.DeleteLoadBalancerTags(ctx).DeleteLoadBalancerTagsRequest(osc.DeleteLoadBalancerTagsRequest{
		LoadBalancerNames: []string{"web-lb"}, Tags: []osc.ResourceLoadBalancerTag{{Key: "tier"}}}).Execute()
	require.NoError(t, err)
	lbs, _, err := c.LoadBalancerApi.ReadLoadBalancers(ctx).ReadLoadBalancersRequest(osc.ReadLoadBalancersRequest{
		Filters: &osc.FiltersLoadBalancer{LoadBalancerNames: &[]string{"web-lb"}}}).Execute()
	require.NoError(t, err)
	require.Len(t, lbs.GetLoadBalancers(), 1)
	assert.Equal(t, []string{"web-lb"}, []string{lbs.GetLoadBalancers()[0].GetLoadBalancerName()})
	assert.Len(t, lbs.GetLoadBalancers()[0].GetTags(), 1)

	// Tags and Tags-filtered reads.
	_, _, err = c.TagApi.CreateTags(ctx).CreateTagsRequest(osc.CreateTagsRequest{ResourceIds: []string{netID, subnets[0], webSG},
		Tags: []osc.ResourceTag{{Key: "archkit/deployment", Value: "demo"}}}).Execute()
	require.NoError(t, err)
	tagged, _, err := c.SubnetApi.ReadSubnets(ctx).ReadSubnetsRequest(osc.ReadSubnetsRequest{
		Filters: &osc.FiltersSubnet{Tags: &[]string{"archkit/deployment=demo"}}}).Execute()
	require.NoError(t, err)
	require.Len(t, tagged.GetSubnets(), 1)
	assert.Equal(t, subnets[0], tagged.GetSubnets()[0].GetSubnetId())
	tags, _, err := c.TagApi.ReadTags(ctx).ReadTagsRequest(osc.ReadTagsRequest{Filters: &osc.FiltersTag{Keys: &[]string{"archkit/deployment"}}}).Execute()
	require.NoError(t, err)
	assert.Len(t, tags.GetTags(), 3)
	_, res, err = c.TagApi.CreateTags(ctx).CreateTagsRequest(osc.CreateTagsRequest{ResourceIds: []string{"vpc-ffffffff"},
		Tags: []osc.ResourceTag{{Key: "k", Value: "v"}}}).Execute()
	st, _ = apiErr(t, err, res)
	assert.Equal(t, http.StatusBadRequest, st)

	// Deleting in the wrong order fails with 409.
	conflicts := []struct {
		name string
		call func() (*http.Response, error)
	}{
		{"net with dependents", func() (*http.Response, error) {
			_, r, err := c.NetApi.DeleteNet(ctx).DeleteNetRequest(osc.DeleteNetRequest{NetId: netID}).Execute()
			return r, err
		}},
		{"subnet with VMs", func() (*http.Response, error) {
			_, r, err := c.SubnetApi.DeleteSubnet(ctx).DeleteSubnetRequest(osc.DeleteSubnetRequest{SubnetId: subnets[1]}).Execute()
			return r, err
		}},
		{"subnet with NAT and LB", func() (*http.Response, error) {
			_, r, err := c.SubnetApi.DeleteSubnet(ctx).DeleteSubnetRequest(osc.DeleteSubnetRequest{SubnetId: subnets[0]}).Execute()
			return r, err
		}},
		{"SG referenced by a rule", func() (*http.Response, error) {
			_, r, err := c.SecurityGroupApi.DeleteSecurityGroup(ctx).DeleteSecurityGroupRequest(osc.DeleteSecurityGroupRequest{SecurityGroupId: &webSG}).Execute()
			return r, err
		}},
		{"SG used by VMs", func() (*http.Response, error) {
			_, r, err := c.SecurityGroupApi.DeleteSecurityGroup(ctx).DeleteSecurityGroupRequest(osc.DeleteSecurityGroupRequest{SecurityGroupId: &appSG}).Execute()
			return r, err
		}},
		{"default SG", func() (*http.Response, error) {
			_, r, err := c.SecurityGroupApi.DeleteSecurityGroup(ctx).DeleteSecurityGroupRequest(osc.DeleteSecurityGroupRequest{SecurityGroupId: defaultSG.SecurityGroupId}).Execute()
			return r, err
		}},
		{"IGW unlink with NAT", func() (*http.Response, error) {
			_, r, err := c.InternetServiceApi.UnlinkInternetService(ctx).UnlinkInternetServiceRequest(osc.UnlinkInternetServiceRequest{InternetServiceId: igwID, NetId: netID}).Execute()
			return r, err
		}},
		{"route table with links", func() (*http.Response, error) {
			_, r, err := c.RouteTableApi.DeleteRouteTable(ctx).DeleteRouteTableRequest(osc.DeleteRouteTableRequest{RouteTableId: pubID}).Execute()
			return r, err
		}},
		{"main route table", func() (*http.Response, error) {
			_, r, err := c.RouteTableApi.DeleteRouteTable(ctx).DeleteRouteTableRequest(osc.DeleteRouteTableRequest{RouteTableId: mainRT.GetRouteTableId()}).Execute()
			return r, err
		}},
		{"public IP held by NAT", func() (*http.Response, error) {
			_, r, err := c.PublicIpApi.DeletePublicIp(ctx).DeletePublicIpRequest(osc.DeletePublicIpRequest{PublicIpId: pip.PublicIp.PublicIpId}).Execute()
			return r, err
		}},
	}
	for _, tc := range conflicts {
		res, err := tc.call()
		st, code := apiErr(t, err, res)
		assert.Equal(t, http.StatusConflict, st, tc.name)
		if tc.name == "IGW unlink with NAT" {
			assert.Equal(t, "1018", code)
		}
	}

	// OUTSCALE's order: LB, VMs, NAT, public IPs, route tables, SGs, IGW, subnets, Net.
	_, _, err = c.LoadBalancerApi.UnlinkLoadBalancerBackendMachines(ctx).UnlinkLoadBalancerBackendMachinesRequest(osc.UnlinkLoadBalancerBackendMachinesRequest{
		LoadBalancerName: "web-lb", BackendVmIds: &vmIDs}).Execute()
	require.NoError(t, err)
	_, _, err = c.LoadBalancerApi.DeleteLoadBalancer(ctx).DeleteLoadBalancerRequest(osc.DeleteLoadBalancerRequest{LoadBalancerName: "web-lb"}).Execute()
	require.NoError(t, err)
	del, _, err := c.VmApi.DeleteVms(ctx).DeleteVmsRequest(osc.DeleteVmsRequest{VmIds: vmIDs}).Execute()
	require.NoError(t, err)
	assert.Equal(t, "shutting-down", del.GetVms()[0].GetCurrentState())
	_, res, err = c.SubnetApi.DeleteSubnet(ctx).DeleteSubnetRequest(osc.DeleteSubnetRequest{SubnetId: subnets[1]}).Execute()
	st, _ = apiErr(t, err, res)
	assert.Equal(t, http.StatusConflict, st, "VMs still shutting down")
	assert.Equal(t, "shutting-down", readVms()[0].GetState())
	assert.Equal(t, "terminated", readVms()[0].GetState())
	_, _, err = c.NatServiceApi.DeleteNatService(ctx).DeleteNatServiceRequest(osc.DeleteNatServiceRequest{NatServiceId: natID}).Execute()
	require.NoError(t, err)
	assert.Equal(t, "deleting", readNat().GetState())
	assert.Equal(t, "deleted", readNat().GetState())
	_, _, err = c.PublicIpApi.DeletePublicIp(ctx).DeletePublicIpRequest(osc.DeletePublicIpRequest{PublicIpId: pip.PublicIp.PublicIpId}).Execute()
	require.NoError(t, err)
	for _, l := range []string{pubLink.GetLinkRouteTableId(), privLink.GetLinkRouteTableId()} {
		_, _, err = c.RouteTableApi.UnlinkRouteTable(ctx).UnlinkRouteTableRequest(osc.UnlinkRouteTableRequest{LinkRouteTableId: l}).Execute()
		require.NoError(t, err)
	}
	_, _, err = c.RouteApi.DeleteRoute(ctx).DeleteRouteRequest(osc.DeleteRouteRequest{RouteTableId: pubID, DestinationIpRange: "0.0.0.0/0"}).Execute()
	require.NoError(t, err)
	for _, id := range []string{pubID, privID} {
		_, _, err = c.RouteTableApi.DeleteRouteTable(ctx).DeleteRouteTableRequest(osc.DeleteRouteTableRequest{RouteTableId: id}).Execute()
		require.NoError(t, err)
	}
	_, _, err = c.SecurityGroupRuleApi.DeleteSecurityGroupRule(ctx).DeleteSecurityGroupRuleRequest(osc.DeleteSecurityGroupRuleRequest{
		SecurityGroupId: appSG, Flow: "Inbound", Rules: &memberRule}).Execute()
	require.NoError(t, err)
	for _, id := range []string{webSG, appSG} {
		_, _, err = c.SecurityGroupApi.DeleteSecurityGroup(ctx).DeleteSecurityGroupRequest(osc.DeleteSecurityGroupRequest{SecurityGroupId: &id}).Execute()
		require.NoError(t, err)
	}
	_, res, err = c.InternetServiceApi.DeleteInternetService(ctx).DeleteInternetServiceRequest(osc.DeleteInternetServiceRequest{InternetServiceId: igwID}).Execute()
	st, _ = apiErr(t, err, res)
	assert.Equal(t, http.StatusConflict, st, "IGW still linked")
	_, _, err = c.InternetServiceApi.UnlinkInternetService(ctx).UnlinkInternetServiceRequest(osc.UnlinkInternetServiceRequest{InternetServiceId: igwID, NetId: netID}).Execute()
	require.NoError(t, err)
	_, _, err = c.InternetServiceApi.DeleteInternetService(ctx).DeleteInternetServiceRequest(osc.DeleteInternetServiceRequest{InternetServiceId: igwID}).Execute()
	require.NoError(t, err)
	for _, id := range subnets {
		_, _, err = c.SubnetApi.DeleteSubnet(ctx).DeleteSubnetRequest(osc.DeleteSubnetRequest{SubnetId: id}).Execute()
		require.NoError(t, err)
	}
	_, _, err = c.NetApi.DeleteNet(ctx).DeleteNetRequest(osc.DeleteNetRequest{NetId: netID}).Execute()
	require.NoError(t, err)
	_, res, err = c.NetApi.DeleteNet(ctx).DeleteNetRequest(osc.DeleteNetRequest{NetId: netID}).Execute()
	st, code = apiErr(t, err, res)
	assert.Equal(t, http.StatusBadRequest, st)
	assert.Equal(t, "5065", code)

	for _, k := range osctest.Kinds {
		assert.Zero(t, s.Count(k), k)
	}
	assert.Empty(t, s.Violations())
	total, perOp := s.Requests()
	assert.Equal(t, len(s.Calls()), total)
	assert.Equal(t, 2, perOp["CreateVms"])
	assert.Equal(t, 2*total, s.Validated(), "every request and response is validated")
}

func TestMalformedRequestIsAViolation(t *testing.T) {
	s, err := osctest.NewServer()
	require.NoError(t, err)
	defer s.Close()
	cases := []struct {
		name     string
		op, body string
		wantType string
	}{
		{"wrong type", "CreateNet", `{"IpRange": 10}`, "InvalidParameter"},
		{"missing required field", "CreateSubnet", `{"IpRange": "10.0.0.0/24"}`, "MissingParameter"},
		{"unknown field", "ReadNets", `{"Filter": {}}`, "InvalidParameter"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL()+"/"+tc.op, strings.NewReader(tc.body))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AK/20260101/eu-west-2/oapi/aws4_request")
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			defer res.Body.Close()
			assert.Equal(t, http.StatusBadRequest, res.StatusCode)
			var body osc.ErrorResponse
			require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
			require.Len(t, body.GetErrors(), 1)
			assert.Equal(t, tc.wantType, body.GetErrors()[0].GetType())
			assert.NotEmpty(t, body.ResponseContext.GetRequestId())
			assert.Len(t, s.Violations(), i+1)
		})
	}
	assert.Contains(t, s.Violations()[0], "CreateNet request")
}

func TestNewFailsTheTestOnViolation(t *testing.T) {
	ft := &fakeT{TB: t}
	s := osctest.New(ft)
	res, err := http.Post(s.URL()+"/CreateNet", "application/json", strings.NewReader(`{}`))
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "unsigned request")
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"/CreateNet", strings.NewReader(`{"IpRange": true}`))
	req.Header.Set("Authorization", "x")
	req.Header.Set("Content-Type", "application/json")
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	for _, f := range ft.cleanups {
		f()
	}
	assert.True(t, ft.failed, "the cleanup registered by New fails the test")
}

// fakeT records failures and cleanups instead of acting on them.
type fakeT struct {
	testing.TB
	failed   bool
	cleanups []func()
}

func (f *fakeT) Cleanup(fn func())     { f.cleanups = append(f.cleanups, fn) }
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Helper()               {}
