package outscale_test

import (
	"context"
	"encoding/base64"
	"maps"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale/osctest"
)

// build creates rs in order through d, resolving Refs, and returns the
// provider ids by logical id.
func build(t *testing.T, d driver.Driver, dep string, rs ...blueprint.Resource) map[string]driver.Observed {
	t.Helper()
	ids := map[string]string{}
	out := map[string]driver.Observed{}
	for _, r := range rs {
		r = r.Clone()
		for _, ref := range r.Refs() {
			if *ref != "" {
				*ref = blueprint.Ref(ids[string(*ref)])
			}
		}
		o, err := d.Create(t.Context(), driver.Request{Deployment: dep, Resource: r, Token: driver.Token(dep, r.ID, ""),
			Tags: map[string]string{driver.TagDeployment: dep, driver.TagLogicalID: r.ID}})
		require.NoError(t, err, r.ID)
		ids[r.ID] = o.ID
		out[r.ID] = o
	}
	return out
}

func base() []blueprint.Resource {
	p := netip.MustParsePrefix
	return []blueprint.Resource{
		{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: p("10.0.0.0/16")}},
		{ID: "subnet/app/a", Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{Net: "net/main", CIDR: p("10.0.1.0/24"), Zone: "eu-west-2a", Tier: "app"}},
		{ID: "subnet/app/b", Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{Net: "net/main", CIDR: p("10.0.2.0/24"), Zone: "eu-west-2b", Tier: "app"}},
		{ID: "security_group/app", Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{Net: "net/main", Name: "app", Description: "app"}},
	}
}

func vmsOf(t *testing.T, srv *osctest.Server, ids []string) []osc.Vm {
	t.Helper()
	cfg := osc.NewConfiguration()
	cfg.Servers = osc.ServerConfigurations{{URL: srv.URL()}}
	ctx := context.WithValue(t.Context(), osc.ContextAWSv4, osc.AWSv4{AccessKey: "AK", SecretKey: "SK"})
	resp, _, err := osc.NewAPIClient(cfg).VmApi.ReadVms(ctx).ReadVmsRequest(osc.ReadVmsRequest{Filters: &osc.FiltersVm{VmIds: &ids}}).Execute()
	require.NoError(t, err)
	return resp.GetVms()
}

func TestClusterSpreadScaleAndUserData(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	cluster := blueprint.Resource{ID: "cluster/app", Kind: blueprint.KindCluster, Cluster: &blueprint.ClusterSpec{
		Tier: "app", Subnets: []blueprint.Ref{"subnet/app/a", "subnet/app/b"}, SecurityGroups: []blueprint.Ref{"security_group/app"},
		Image: suiteImage, InstanceType: "tinav5.c1r2p2", UserData: "#cloud-config\nruncmd: [echo hi]\n", Min: 1, Desired: 3, Max: 4, Stateless: true}}
	obs := build(t, d, "cl", append(base(), cluster)...)
	c := obs["cluster/app"]
	require.Len(t, c.Parts["vm"], 3)
	vms := vmsOf(t, srv, c.Parts["vm"])
	var zones []string
	for _, vm := range vms {
		zones = append(zones, vm.Placement.GetSubregionName())
		assert.Equal(t, base64.StdEncoding.EncodeToString([]byte(cluster.Cluster.UserData.Value())), vm.GetUserData(), "user data sent Base64-encoded")
	}
	assert.ElementsMatch(t, []string{"eu-west-2a", "eu-west-2b", "eu-west-2a"}, zones, "nodes spread evenly over the subregions")
	got, err := d.Read(t.Context(), blueprint.KindCluster, c.ID)
	require.NoError(t, err)
	assert.Equal(t, cluster.Cluster.UserData.Value(), got.Resource.Cluster.UserData.Value(), "user data read back, Base64-decoded")
	assert.Equal(t, 3, got.Resource.Cluster.Desired)
	assert.Equal(t, 4, got.Resource.Cluster.Max)
	assert.Equal(t, "app", got.Resource.Cluster.Tier)

	want := got.Resource.Clone()
	want.Cluster.Desired = 1
	upd, err := d.Update(t.Context(), driver.Request{Deployment: "cl", Resource: want, Token: driver.Token("cl", "cluster/app", ""), Tags: maps.Clone(got.Tags)}, got)
	require.NoError(t, err)
	assert.Equal(t, 1, upd.Resource.Cluster.Desired)
	require.Len(t, upd.Parts["vm"], 1)
	assert.Equal(t, c.Parts["vm"][0], upd.Parts["vm"][0], "scale down keeps slot 0")
	for _, vm := range vmsOf(t, srv, c.Parts["vm"][1:]) {
		assert.Equal(t, "terminated", vm.GetState())
	}

	// A repeated create with the same token returns the same nodes.
	again, err := d.Create(t.Context(), driver.Request{Deployment: "cl", Resource: want, Token: driver.Token("cl", "cluster/app", ""), Tags: got.Tags})
	require.NoError(t, err)
	assert.Equal(t, upd.Parts, again.Parts)
}

func TestDeleteBlockedByForeignVM(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	obs := build(t, d, "blk", base()...)
	sn := obs["subnet/app/a"]
	// A VM that archkit does not manage, started in the subnet.
	cfg := osc.NewConfiguration()
	cfg.Servers = osc.ServerConfigurations{{URL: srv.URL()}}
	ctx := context.WithValue(t.Context(), osc.ContextAWSv4, osc.AWSv4{AccessKey: "AK", SecretKey: "SK"})
	resp, _, err := osc.NewAPIClient(cfg).VmApi.CreateVms(ctx).CreateVmsRequest(osc.CreateVmsRequest{ImageId: suiteImage, SubnetId: osc.PtrString(sn.ID)}).Execute()
	require.NoError(t, err)
	vm := resp.GetVms()[0].GetVmId()

	err = d.Delete(t.Context(), sn, driver.DeleteOptions{})
	require.ErrorIs(t, err, driver.ErrDependency)
	var pe *driver.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, []driver.Blocker{{Kind: "vm", ID: vm}}, pe.Blockers)
	assert.Contains(t, err.Error(), "blocked by vm "+vm)
	_, err = d.Read(t.Context(), blueprint.KindSubnet, sn.ID)
	require.NoError(t, err, "the subnet is still there")
}

func TestRuleSetReplacesDefaultOutbound(t *testing.T) {
	t.Parallel()
	srv := osctest.New(t)
	d := newDriver(t, srv)
	any4 := netip.MustParsePrefix("0.0.0.0/0")
	rules := blueprint.Resource{ID: "security_group_rules/app", Kind: blueprint.KindSecurityGroupRules, SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{
		Group:    "security_group/app",
		Inbound:  []blueprint.RuleSpec{{Protocol: netplan.ProtocolTCP, FromPort: 8080, ToPort: 8080, Group: "security_group/app"}, {Protocol: netplan.ProtocolICMP, CIDR: netip.MustParsePrefix("10.0.0.0/16")}},
		Outbound: []blueprint.RuleSpec{{Protocol: netplan.ProtocolTCP, FromPort: 443, ToPort: 443, CIDR: any4}},
	}}
	obs := build(t, d, "rules", append(base(), rules)...)
	rs := obs["security_group_rules/app"]
	sg := obs["security_group/app"].ID
	assert.Equal(t, sg+"/rules", rs.ID)
	got := rs.Resource.SecurityGroupRules
	assert.ElementsMatch(t, []blueprint.RuleSpec{{Protocol: netplan.ProtocolTCP, FromPort: 8080, ToPort: 8080, Group: blueprint.Ref(sg)},
		{Protocol: netplan.ProtocolICMP, CIDR: netip.MustParsePrefix("10.0.0.0/16")}}, got.Inbound)
	assert.Equal(t, []blueprint.RuleSpec{{Protocol: netplan.ProtocolTCP, FromPort: 443, ToPort: 443, CIDR: any4}}, got.Outbound,
		"the allow-all outbound rule of the new group is gone")
	group, err := d.Read(t.Context(), blueprint.KindSecurityGroup, sg)
	require.NoError(t, err)
	assert.Equal(t, "security_group/app", group.LogicalID, "the group keeps its own ownership tags")
	assert.NotContains(t, group.Tags, "archkit:x/rules/"+driver.TagLogicalID)

	require.NoError(t, d.Delete(t.Context(), rs, driver.DeleteOptions{}))
	_, err = d.Read(t.Context(), blueprint.KindSecurityGroupRules, rs.ID)
	require.ErrorIs(t, err, driver.ErrNotFound)
	require.NoError(t, d.Delete(t.Context(), group, driver.DeleteOptions{}), "no rule names the group any more")
}
