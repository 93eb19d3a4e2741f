package osctest_test

import (
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"strings"
	"testing"

	osc "github.com/outscale/osc-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/outscale/osctest"
)

func TestPagination(t *testing.T) {
	s := osctest.New(t, func(o *osctest.Options) { o.Quotas = map[string]int{"vpc_limit": 20} })
	c, ctx := client(t, s)
	for i := range 7 {
		_, _, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: fmt.Sprintf("10.%d.0.0/16", i)}).Execute()
		require.NoError(t, err)
	}
	var ranges []string
	req := osc.ReadNetsRequest{ResultsPerPage: ptr(int32(3))}
	pages := 0
	for {
		r, _, err := c.NetApi.ReadNets(ctx).ReadNetsRequest(req).Execute()
		require.NoError(t, err)
		pages++
		for _, n := range r.GetNets() {
			ranges = append(ranges, n.GetIpRange())
		}
		if r.GetNextPageToken() == "" {
			break
		}
		req.NextPageToken = ptr(r.GetNextPageToken())
	}
	assert.Equal(t, 3, pages)
	assert.Equal(t, []string{"10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16", "10.4.0.0/16", "10.5.0.0/16", "10.6.0.0/16"}, ranges)
	_, res, err := c.NetApi.ReadNets(ctx).ReadNetsRequest(osc.ReadNetsRequest{NextPageToken: ptr("bogus")}).Execute()
	st, _ := apiErr(t, err, res)
	assert.Equal(t, http.StatusBadRequest, st)
}

func TestQuotasSubregionsAndLimits(t *testing.T) {
	s := osctest.New(t, func(o *osctest.Options) { o.Quotas = map[string]int{"vpc_sg_rule_limit": 2} })
	c, ctx := client(t, s)
	q, _, err := c.QuotaApi.ReadQuotas(ctx).ReadQuotasRequest(osc.ReadQuotasRequest{
		Filters: &osc.FiltersQuota{QuotaNames: &[]string{"vpc_sg_rule_limit", "vm_sg_limit", "nat_gateway_limit"}}}).Execute()
	require.NoError(t, err)
	require.Len(t, q.GetQuotaTypes(), 1)
	got := map[string]int32{}
	for _, x := range q.GetQuotaTypes()[0].GetQuotas() {
		got[x.GetName()] = x.GetMaxValue()
	}
	assert.Equal(t, map[string]int32{"vpc_sg_rule_limit": 2, "vm_sg_limit": 5, "nat_gateway_limit": 10}, got)

	sr, _, err := c.SubregionApi.ReadSubregions(ctx).ReadSubregionsRequest(osc.ReadSubregionsRequest{}).Execute()
	require.NoError(t, err)
	require.Len(t, sr.GetSubregions(), 2)
	assert.Equal(t, "eu-west-2a", sr.GetSubregions()[0].GetSubregionName())

	net, _, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: "10.0.0.0/16"}).Execute()
	require.NoError(t, err)
	netID := net.Net.GetNetId()
	sg, _, err := c.SecurityGroupApi.CreateSecurityGroup(ctx).CreateSecurityGroupRequest(osc.CreateSecurityGroupRequest{
		SecurityGroupName: "db", Description: "db", NetId: &netID}).Execute()
	require.NoError(t, err)
	rule := func(port int32) (*http.Response, error) {
		_, r, err := c.SecurityGroupRuleApi.CreateSecurityGroupRule(ctx).CreateSecurityGroupRuleRequest(osc.CreateSecurityGroupRuleRequest{
			SecurityGroupId: sg.SecurityGroup.GetSecurityGroupId(), Flow: "Inbound", IpProtocol: ptr("tcp"),
			FromPortRange: &port, ToPortRange: &port, IpRange: ptr("10.0.0.0/24")}).Execute()
		return r, err
	}
	_, err = rule(5432) // the default outbound rule is the first of two
	require.NoError(t, err)
	res, err := rule(5433)
	st, code := apiErr(t, err, res)
	assert.Equal(t, http.StatusConflict, st)
	assert.Equal(t, "10023", code)

	cases := []struct {
		name, ipRange string
	}{
		{"public range", "8.8.0.0/16"},
		{"too large", "10.0.0.0/8"},
		{"too small", "10.0.0.0/29"},
		{"host bits set", "10.0.0.1/16"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, res, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: tc.ipRange}).Execute()
			st, _ := apiErr(t, err, res)
			assert.Equal(t, http.StatusBadRequest, st)
		})
	}
}

// TestInternetServiceUnlinkBlockers checks the 1004 (public IP on a VM) and
// 1005 (internet-facing load balancer) conflicts, with PendingReads < 0.
func TestInternetServiceUnlinkBlockers(t *testing.T) {
	s := osctest.New(t, func(o *osctest.Options) { o.PendingReads = -1 })
	c, ctx := client(t, s)
	net, _, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: "172.16.0.0/16"}).Execute()
	require.NoError(t, err)
	netID := net.Net.GetNetId()
	sn, _, err := c.SubnetApi.CreateSubnet(ctx).CreateSubnetRequest(osc.CreateSubnetRequest{NetId: netID, IpRange: "172.16.0.0/24"}).Execute()
	require.NoError(t, err)
	assert.Equal(t, "available", sn.Subnet.GetState())
	subnetID := sn.Subnet.GetSubnetId()
	vms, _, err := c.VmApi.CreateVms(ctx).CreateVmsRequest(osc.CreateVmsRequest{ImageId: "ami-0000c0de", SubnetId: &subnetID}).Execute()
	require.NoError(t, err)
	vmID := vms.GetVms()[0].GetVmId()
	assert.Equal(t, "running", vms.GetVms()[0].GetState())
	pip, _, err := c.PublicIpApi.CreatePublicIp(ctx).CreatePublicIpRequest(osc.CreatePublicIpRequest{}).Execute()
	require.NoError(t, err)
	_, res, err := c.PublicIpApi.LinkPublicIp(ctx).LinkPublicIpRequest(osc.LinkPublicIpRequest{PublicIpId: pip.PublicIp.PublicIpId, VmId: &vmID}).Execute()
	st, _ := apiErr(t, err, res)
	assert.Equal(t, http.StatusConflict, st, "no internet service yet")
	igw, _, err := c.InternetServiceApi.CreateInternetService(ctx).CreateInternetServiceRequest(osc.CreateInternetServiceRequest{}).Execute()
	require.NoError(t, err)
	igwID := igw.InternetService.GetInternetServiceId()
	_, _, err = c.InternetServiceApi.LinkInternetService(ctx).LinkInternetServiceRequest(osc.LinkInternetServiceRequest{InternetServiceId: igwID, NetId: netID}).Execute()
	require.NoError(t, err)
	link, _, err := c.PublicIpApi.LinkPublicIp(ctx).LinkPublicIpRequest(osc.LinkPublicIpRequest{PublicIpId: pip.PublicIp.PublicIpId, VmId: &vmID}).Execute()
	require.NoError(t, err)
	assert.Regexp(t, `^eipassoc-[0-9a-f]{8}$`, link.GetLinkPublicIpId())
	ips, _, err := c.PublicIpApi.ReadPublicIps(ctx).ReadPublicIpsRequest(osc.ReadPublicIpsRequest{Filters: &osc.FiltersPublicIp{VmIds: &[]string{vmID}}}).Execute()
	require.NoError(t, err)
	require.Len(t, ips.GetPublicIps(), 1)
	unlinkIGW := func() (int, string) {
		_, res, err := c.InternetServiceApi.UnlinkInternetService(ctx).UnlinkInternetServiceRequest(osc.UnlinkInternetServiceRequest{InternetServiceId: igwID, NetId: netID}).Execute()
		return apiErr(t, err, res)
	}
	st, code := unlinkIGW()
	assert.Equal(t, http.StatusConflict, st)
	assert.Equal(t, "1004", code)
	_, _, err = c.PublicIpApi.UnlinkPublicIp(ctx).UnlinkPublicIpRequest(osc.UnlinkPublicIpRequest{LinkPublicIpId: link.LinkPublicIpId}).Execute()
	require.NoError(t, err)
	_, _, err = c.LoadBalancerApi.CreateLoadBalancer(ctx).CreateLoadBalancerRequest(osc.CreateLoadBalancerRequest{LoadBalancerName: "lb",
		Subnets: &[]string{subnetID}, Listeners: []osc.ListenerForCreation{{BackendPort: 80, LoadBalancerPort: 80, LoadBalancerProtocol: "TCP"}}}).Execute()
	require.NoError(t, err)
	st, code = unlinkIGW()
	assert.Equal(t, http.StatusConflict, st)
	assert.Equal(t, "1005", code)
	st2, _, err := c.VmApi.ReadVmsState(ctx).ReadVmsStateRequest(osc.ReadVmsStateRequest{}).Execute()
	require.NoError(t, err)
	require.Len(t, st2.GetVmStates(), 1)
	assert.Equal(t, "running", st2.GetVmStates()[0].GetVmState())
	assert.Equal(t, map[string]int{"net": 1, "subnet": 1, "internet_service": 1, "public_ip": 1, "nat_service": 0,
		"route_table": 0, "security_group": 0, "vm": 1, "load_balancer": 1, "keypair": 0}, s.Snapshot())
	assert.Equal(t, -1, s.Count("volume"))
}

func TestTagFiltersAndDefaultOutboundRule(t *testing.T) {
	s := osctest.New(t)
	c, ctx := client(t, s)
	var ids []string
	for i := range 3 {
		n, _, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: fmt.Sprintf("192.168.%d.0/24", i)}).Execute()
		require.NoError(t, err)
		ids = append(ids, n.Net.GetNetId())
	}
	tag := func(id, k, v string) {
		_, _, err := c.TagApi.CreateTags(ctx).CreateTagsRequest(osc.CreateTagsRequest{ResourceIds: []string{id}, Tags: []osc.ResourceTag{{Key: k, Value: v}}}).Execute()
		require.NoError(t, err)
	}
	tag(ids[0], "env", "prod")
	tag(ids[1], "env", "dev")
	tag(ids[2], "team", "prod")
	read := func(f osc.FiltersNet) []string {
		r, _, err := c.NetApi.ReadNets(ctx).ReadNetsRequest(osc.ReadNetsRequest{Filters: &f}).Execute()
		require.NoError(t, err)
		var out []string
		for _, n := range r.GetNets() {
			out = append(out, n.GetNetId())
		}
		return out
	}
	tests := []struct {
		name string
		f    osc.FiltersNet
		want []string
	}{
		{"Tags exact", osc.FiltersNet{Tags: &[]string{"env=prod"}}, ids[:1]},
		{"Tags alternatives", osc.FiltersNet{Tags: &[]string{"env=prod", "env=dev"}}, ids[:2]},
		{"Tags no prefix match", osc.FiltersNet{Tags: &[]string{"env=pro"}}, nil},
		{"TagKeys", osc.FiltersNet{TagKeys: &[]string{"env"}}, ids[:2]},
		{"TagValues", osc.FiltersNet{TagValues: &[]string{"prod"}}, []string{ids[0], ids[2]}},
		{"TagKeys and TagValues", osc.FiltersNet{TagKeys: &[]string{"team"}, TagValues: &[]string{"prod"}}, ids[2:]},
		{"unknown id", osc.FiltersNet{NetIds: &[]string{"vpc-ffffffff"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, read(tc.f))
		})
	}
	_, _, err := c.TagApi.DeleteTags(ctx).DeleteTagsRequest(osc.DeleteTagsRequest{ResourceIds: []string{ids[0]}, Tags: []osc.ResourceTag{{Key: "env", Value: "prod"}}}).Execute()
	require.NoError(t, err)
	assert.Nil(t, read(osc.FiltersNet{Tags: &[]string{"env=prod"}}))

	// The outbound allow-all rule of a new group can be removed, as Terraform does.
	sg, _, err := c.SecurityGroupApi.CreateSecurityGroup(ctx).CreateSecurityGroupRequest(osc.CreateSecurityGroupRequest{
		SecurityGroupName: "locked", Description: "no egress", NetId: &ids[0]}).Execute()
	require.NoError(t, err)
	del := osc.DeleteSecurityGroupRuleRequest{SecurityGroupId: sg.SecurityGroup.GetSecurityGroupId(), Flow: "Outbound", IpProtocol: ptr("-1"), IpRange: ptr("0.0.0.0/0")}
	r, _, err := c.SecurityGroupRuleApi.DeleteSecurityGroupRule(ctx).DeleteSecurityGroupRuleRequest(del).Execute()
	require.NoError(t, err)
	assert.Empty(t, r.SecurityGroup.GetOutboundRules())
	_, res, err := c.SecurityGroupRuleApi.DeleteSecurityGroupRule(ctx).DeleteSecurityGroupRuleRequest(del).Execute()
	st, _ := apiErr(t, err, res)
	assert.Equal(t, http.StatusBadRequest, st, "the rule is gone")
}

// TestKeypairs: an imported public key keeps the fingerprint of its key
// blob (MD5, RFC 4716), names are unique (409, 9011), keypairs take tags
// and are deleted by id; a keypair made by the server comes with its
// private key.
func TestKeypairs(t *testing.T) {
	t.Parallel()
	s := osctest.New(t)
	c, ctx := client(t, s)
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	var blob []byte
	for _, part := range [][]byte{[]byte("ssh-ed25519"), pub} {
		blob = binary.BigEndian.AppendUint32(blob, uint32(len(part)))
		blob = append(blob, part...)
	}
	line := "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob) + " me"
	in := osc.CreateKeypairRequest{KeypairName: "lock-a", PublicKey: osc.PtrString(base64.StdEncoding.EncodeToString([]byte(line)))}
	made, _, err := c.KeypairApi.CreateKeypair(ctx).CreateKeypairRequest(in).Execute()
	require.NoError(t, err)
	kp := made.GetKeypair()
	sum := md5.Sum(blob)
	var pairs []string
	for _, b := range sum {
		pairs = append(pairs, fmt.Sprintf("%02x", b))
	}
	assert.Equal(t, strings.Join(pairs, ":"), kp.GetKeypairFingerprint())
	assert.Regexp(t, `^key-[0-9a-f]{32}$`, kp.GetKeypairId())
	assert.Empty(t, kp.GetPrivateKey(), "imported: no private key")

	_, res, err := c.KeypairApi.CreateKeypair(ctx).CreateKeypairRequest(in).Execute()
	require.Error(t, err)
	assert.Equal(t, http.StatusConflict, res.StatusCode)

	_, _, err = c.TagApi.CreateTags(ctx).CreateTagsRequest(osc.CreateTagsRequest{ResourceIds: []string{kp.GetKeypairId()},
		Tags: []osc.ResourceTag{{Key: "k", Value: "v"}}}).Execute()
	require.NoError(t, err)
	read, _, err := c.KeypairApi.ReadKeypairs(ctx).ReadKeypairsRequest(osc.ReadKeypairsRequest{Filters: &osc.FiltersKeypair{
		KeypairNames: &[]string{"lock-a"}}}).Execute()
	require.NoError(t, err)
	require.Len(t, read.GetKeypairs(), 1)
	assert.Equal(t, []osc.ResourceTag{{Key: "k", Value: "v"}}, read.GetKeypairs()[0].GetTags())

	gen, _, err := c.KeypairApi.CreateKeypair(ctx).CreateKeypairRequest(osc.CreateKeypairRequest{KeypairName: "made"}).Execute()
	require.NoError(t, err)
	g := gen.GetKeypair()
	assert.Contains(t, g.GetPrivateKey(), "PRIVATE KEY")
	assert.Equal(t, 2, s.Count("keypair"))

	id := kp.GetKeypairId()
	_, _, err = c.KeypairApi.DeleteKeypair(ctx).DeleteKeypairRequest(osc.DeleteKeypairRequest{KeypairId: &id}).Execute()
	require.NoError(t, err)
	_, res, err = c.KeypairApi.DeleteKeypair(ctx).DeleteKeypairRequest(osc.DeleteKeypairRequest{KeypairId: &id}).Execute()
	require.Error(t, err)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	assert.Equal(t, 1, s.Count("keypair"))
	assert.Empty(t, s.Violations())
}
