package aws_test

import (
	"net/netip"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/providertest"
	"github.com/archkit/archkit/tier"
)

// bastionArch is an application tier behind a bastion over two zones.
func bastionArch(name string, b pattern.Bastion) *pattern.Architecture {
	b.Image, b.Targets = providertest.Image, []string{"app"}
	a := pattern.New(name, "10.41.0.0/16").AddTier(tier.App("app")).AddBastionHost("bastion", b)
	a.Profile, a.NAT = netplan.AWS, netplan.NATNone
	return a
}

// launchTemplateData reads the newest version of the deployment's launch
// template of the bastion, through the SDK.
func bastionTemplate(t *testing.T, td *testDriver, deployment string) *ec2types.ResponseLaunchTemplateData {
	t.Helper()
	lts, err := td.EC2.DescribeLaunchTemplates(t.Context(), &ec2.DescribeLaunchTemplatesInput{Filters: []ec2types.Filter{
		{Name: awssdk.String("tag:" + driver.TagDeployment), Values: []string{deployment}},
		{Name: awssdk.String("tag:" + driver.TagLogicalID), Values: []string{"cluster/bastion"}}}})
	require.NoError(t, err)
	require.Len(t, lts.LaunchTemplates, 1)
	vs, err := td.EC2.DescribeLaunchTemplateVersions(t.Context(), &ec2.DescribeLaunchTemplateVersionsInput{
		LaunchTemplateId: lts.LaunchTemplates[0].LaunchTemplateId, Versions: []string{"$Latest"}})
	require.NoError(t, err)
	require.Len(t, vs.LaunchTemplateVersions, 1)
	return vs.LaunchTemplateVersions[0].LaunchTemplateData
}

// A bastion with the user's public key on moto: the key pair imported
// with the key (DescribeKeyPairs with IncludePublicKey), the launch
// template naming it, SSH open from the admin block only; re-applied
// without a write, destroyed with nothing left, the key pair included.
func TestBastionKeyPairOnMoto(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	ctx := t.Context()
	admins := netip.MustParsePrefix("203.0.113.0/24")
	bp, err := bastionArch("jumpkey", pattern.Bastion{Admins: netplan.CIDR(admins), PublicKey: providertest.PublicKey + " alice@laptop",
		PerZone: true}).Build()
	require.NoError(t, err)
	eng := engine(td.Driver)
	res, err := eng.Apply(ctx, bp)
	require.NoError(t, err)
	writes, reads, ops := td.calls.snapshot()
	t.Logf("apply: %s; %d resources; AWS API calls %d writes %d reads: %v", res, len(bp.Resources), writes, reads, ops)

	name := "jumpkey-bastion-" + providertest.PublicKey.ShortHash()
	kps, err := td.EC2.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{IncludePublicKey: awssdk.Bool(true), Filters: []ec2types.Filter{
		{Name: awssdk.String("tag:" + driver.TagDeployment), Values: []string{bp.Deployment}}}})
	require.NoError(t, err)
	require.Len(t, kps.KeyPairs, 1)
	assert.Equal(t, name, awssdk.ToString(kps.KeyPairs[0].KeyName))
	assert.Equal(t, providertest.PublicKey, tier.PublicKey(awssdk.ToString(kps.KeyPairs[0].PublicKey)).Canonical())
	assert.Equal(t, name, awssdk.ToString(bastionTemplate(t, td, bp.Deployment).KeyName))

	groups, err := td.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: awssdk.String("tag:" + driver.TagLogicalID), Values: []string{"security_group/bastion"}},
		{Name: awssdk.String("tag:" + driver.TagDeployment), Values: []string{bp.Deployment}}}})
	require.NoError(t, err)
	require.Len(t, groups.SecurityGroups, 1)
	in := groups.SecurityGroups[0].IpPermissions
	require.Len(t, in, 1, "the admin block is the only way in")
	assert.Equal(t, int32(22), awssdk.ToInt32(in[0].FromPort))
	require.Len(t, in[0].IpRanges, 1)
	assert.Equal(t, admins.String(), awssdk.ToString(in[0].IpRanges[0].CidrIp))
	assert.Empty(t, in[0].UserIdGroupPairs)

	td.calls.reset()
	_, err = eng.Apply(ctx, bp)
	require.NoError(t, err)
	writes, _, ops = td.calls.snapshot()
	assert.Zero(t, writes, "re-apply wrote: %v", ops)

	_, err = eng.Destroy(ctx, bp.Deployment)
	require.NoError(t, err)
	for _, k := range blueprint.Kinds {
		left, err := td.List(ctx, driver.Query{Deployment: bp.Deployment, Kind: k})
		require.NoError(t, err)
		assert.Empty(t, left, "kind %s", k)
	}
	kps, err = td.EC2.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
	require.NoError(t, err)
	for _, k := range kps.KeyPairs {
		assert.NotEqual(t, name, awssdk.ToString(k.KeyName), "key pair left")
	}
}

// A bastion reached through Session Manager on moto: the launch template
// names the instance profile, the group has no inbound rule; the profile
// is changed in place (a new launch template version).
func TestBastionSessionManagerOnMoto(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	ctx := t.Context()
	bp, err := bastionArch("jumpssm", pattern.Bastion{SessionManager: true, InstanceProfile: "archkit-ssm"}).Build()
	require.NoError(t, err)
	eng := engine(td.Driver)
	_, err = eng.Apply(ctx, bp)
	require.NoError(t, err)
	data := bastionTemplate(t, td, bp.Deployment)
	require.NotNil(t, data.IamInstanceProfile)
	assert.Equal(t, "archkit-ssm", awssdk.ToString(data.IamInstanceProfile.Name))
	assert.Nil(t, data.KeyName)

	bp2, err := bastionArch("jumpssm", pattern.Bastion{SessionManager: true, InstanceProfile: "archkit-ssm-2"}).Build()
	require.NoError(t, err)
	res, err := eng.Apply(ctx, bp2)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Updated, "in place: %v", res.Changeset)
	assert.Zero(t, res.Created+res.Deleted)
	assert.Equal(t, "archkit-ssm-2", awssdk.ToString(bastionTemplate(t, td, bp.Deployment).IamInstanceProfile.Name))
	_, err = eng.Destroy(ctx, bp.Deployment)
	require.NoError(t, err)
}

// A bastion reached through Session Manager with no profile given, on
// moto: archkit makes its role; the role's policy read back with the IAM
// API allows the SSM Agent's five actions and nothing else, the launch
// template names the role's instance profile, and the group has no
// inbound rule. Applied again, nothing is written; destroyed, the role is
// gone.
func TestBastionSessionManagerRoleOnMoto(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	ctx := t.Context()
	bp, err := bastionArch("jumprole", pattern.Bastion{SessionManager: true}).Build()
	require.NoError(t, err)
	eng := engine(td.Driver)
	_, err = eng.Apply(ctx, bp)
	require.NoError(t, err)

	role, ok := bp.Resource("instance_role/bastion")
	require.True(t, ok)
	name := role.InstanceRole.Name
	pol, err := td.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: awssdk.String(name), PolicyName: awssdk.String(blueprint.RolePolicyName)})
	require.NoError(t, err)
	want := map[[2]string]bool{}
	for _, a := range []string{"ssm:UpdateInstanceInformation", "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
		"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"} {
		want[[2]string{a, "*"}] = true
	}
	assert.Equal(t, want, permissions(t, awssdk.ToString(pol.PolicyDocument)))
	data := bastionTemplate(t, td, bp.Deployment)
	require.NotNil(t, data.IamInstanceProfile)
	assert.Equal(t, name, awssdk.ToString(data.IamInstanceProfile.Name))
	assert.Nil(t, data.KeyName)

	td.calls.reset()
	_, err = eng.Apply(ctx, bp)
	require.NoError(t, err)
	writes, _, ops := td.calls.snapshot()
	assert.Zero(t, writes, "re-apply wrote: %v", ops)
	_, err = eng.Destroy(ctx, bp.Deployment)
	require.NoError(t, err)
	_, err = td.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: awssdk.String(name)})
	assert.Error(t, err, "the role is gone")
}
