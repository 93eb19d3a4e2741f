package aws_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// grantedWebApp is the web application whose application cluster is
// granted a queue and the database's secret.
func grantedWebApp(t *testing.T, name string, flowLogs pattern.FlowLogs) *blueprint.Blueprint {
	t.Helper()
	a := pattern.WebApp(pattern.WebAppOptions{Name: name, Profile: netplan.AWS, Image: motoImage, Engine: tier.EnginePostgres})
	a.FlowLogs = flowLogs
	for i := range a.Clusters {
		if a.Clusters[i].Tier == "app" {
			a.Clusters[i].Grants = []tier.Grant{tier.ConsumeQueue("orders"), tier.DatabaseSecret("db")}
		}
	}
	bp, err := a.Build()
	require.NoError(t, err)
	return bp
}

// permissions are the (action, resource) pairs a policy allows.
func permissions(t *testing.T, doc string) map[[2]string]bool {
	t.Helper()
	if dec, err := url.QueryUnescape(doc); err == nil {
		doc = dec
	}
	var p struct {
		Statement []struct {
			Effect   string
			Action   []string
			Resource []string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(doc), &p), doc)
	out := map[[2]string]bool{}
	for _, s := range p.Statement {
		require.Equal(t, "Allow", s.Effect)
		for _, a := range s.Action {
			for _, r := range s.Resource {
				out[[2]string{a, r}] = true
			}
		}
	}
	return out
}

// The web application's cluster granted a queue and the database's
// secret: the role's policy, read back with the IAM API on moto, allows
// exactly the consumer's actions on the queue's ARN and the secret's
// read on the ARN of the secret RDS made for the database, and nothing
// else; the launch template names the instance profile, which holds the
// role, which EC2 may assume. Applied again, nothing is written; the
// destroy leaves no role or profile.
func TestInstanceRoleFromGrantsOnMoto(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	ctx := t.Context()
	bp := grantedWebApp(t, "granted", pattern.FlowLogs{})
	eng := engine(td.Driver)
	_, err := eng.Apply(ctx, bp)
	require.NoError(t, err)

	role, ok := bp.Resource("instance_role/app")
	require.True(t, ok)
	name := role.InstanceRole.Name
	got, err := td.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: awssdk.String(name)})
	require.NoError(t, err)
	assert.Contains(t, awssdk.ToString(got.Role.AssumeRolePolicyDocument), "ec2.amazonaws.com")
	pol, err := td.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: awssdk.String(name), PolicyName: awssdk.String(blueprint.RolePolicyName)})
	require.NoError(t, err)

	dbs, err := td.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{})
	require.NoError(t, err)
	require.Len(t, dbs.DBInstances, 1)
	require.NotNil(t, dbs.DBInstances[0].MasterUserSecret, "RDS keeps the master password in Secrets Manager")
	secret := awssdk.ToString(dbs.DBInstances[0].MasterUserSecret.SecretArn)
	queue := "arn:aws:sqs:us-east-1:" + td.account + ":orders"
	want := map[[2]string]bool{}
	for _, a := range []string{"sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"} {
		want[[2]string{a, queue}] = true
	}
	for _, a := range []string{"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"} {
		want[[2]string{a, secret}] = true
	}
	assert.Equal(t, want, permissions(t, awssdk.ToString(pol.PolicyDocument)), "exactly these actions on exactly these resources")

	prof, err := td.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: awssdk.String(name)})
	require.NoError(t, err)
	require.Len(t, prof.InstanceProfile.Roles, 1)
	assert.Equal(t, name, awssdk.ToString(prof.InstanceProfile.Roles[0].RoleName))
	lts, err := td.EC2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{
		Filters: []ec2types.Filter{{Name: awssdk.String("tag:" + driver.TagLogicalID), Values: []string{"cluster/app"}}}, Versions: []string{"$Latest"}})
	if err != nil || len(lts.LaunchTemplateVersions) == 0 {
		// moto filters launch template versions by template only
		all, err := td.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{})
		require.NoError(t, err)
		i := slices.IndexFunc(all.LaunchTemplates, func(lt ec2types.LaunchTemplate) bool {
			return slices.ContainsFunc(lt.Tags, func(tg ec2types.Tag) bool { return awssdk.ToString(tg.Value) == "cluster/app" }) &&
				slices.ContainsFunc(lt.Tags, func(tg ec2types.Tag) bool { return awssdk.ToString(tg.Value) == bp.Deployment })
		})
		require.GreaterOrEqual(t, i, 0)
		lts, err = td.EC2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{
			LaunchTemplateId: all.LaunchTemplates[i].LaunchTemplateId, Versions: []string{"$Latest"}})
		require.NoError(t, err)
	}
	require.NotEmpty(t, lts.LaunchTemplateVersions)
	require.NotNil(t, lts.LaunchTemplateVersions[0].LaunchTemplateData.IamInstanceProfile)
	assert.Equal(t, name, awssdk.ToString(lts.LaunchTemplateVersions[0].LaunchTemplateData.IamInstanceProfile.Name))

	td.calls.reset()
	cs, err := eng.Plan(ctx, bp)
	require.NoError(t, err)
	t.Logf("plan:\n%s", cs)
	again, err := eng.Apply(ctx, bp)
	require.NoError(t, err)
	assert.Zero(t, again.WriteCalls, "re-apply makes no write: %s", again)

	_, err = eng.Destroy(ctx, bp.Deployment, allowStateful(bp))
	require.NoError(t, err)
	_, err = td.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: awssdk.String(name)})
	assert.True(t, isNotFound(err), "role deleted: %v", err)
	_, err = td.IAM.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: awssdk.String(name)})
	assert.True(t, isNotFound(err), "profile deleted: %v", err)
}

func isNotFound(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "NoSuchEntity") || strings.Contains(err.Error(), "not found"))
}

// Flow logs on every Net archkit creates (AWS FSBP EC2.6), read back
// with DescribeFlowLogs: all traffic of the VPC to the log group, through
// the delivery role, which the flow logs service may assume; none when
// the architecture opts out.
func TestFlowLogsOnMoto(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fl   pattern.FlowLogs
		want int
	}{{"flowlogs", pattern.FlowLogs{}, 1}, {"noflowlogs", pattern.FlowLogs{Off: true}, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			td := newDriver(t)
			ctx := t.Context()
			a := pattern.ThreeTier(pattern.ThreeTierOptions{Name: tc.name, Profile: netplan.AWS, WebImage: motoImage, AppImage: motoImage, DBImage: motoImage})
			a.FlowLogs = tc.fl
			bp, err := a.Build()
			require.NoError(t, err)
			eng := engine(td.Driver)
			_, err = eng.Apply(ctx, bp)
			require.NoError(t, err)
			vpcs, err := td.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{
				{Name: awssdk.String("tag:" + driver.TagDeployment), Values: []string{bp.Deployment}}}})
			require.NoError(t, err)
			require.Len(t, vpcs.Vpcs, 1)
			for _, v := range vpcs.Vpcs {
				fls, err := td.EC2.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{Filter: []ec2types.Filter{
					{Name: awssdk.String("resource-id"), Values: []string{awssdk.ToString(v.VpcId)}}}})
				require.NoError(t, err)
				require.Len(t, fls.FlowLogs, tc.want)
				for _, f := range fls.FlowLogs {
					assert.Equal(t, ec2types.TrafficTypeAll, f.TrafficType)
					assert.Equal(t, ec2types.LogDestinationTypeCloudWatchLogs, f.LogDestinationType)
					assert.Equal(t, "/archkit/"+bp.Deployment+"/flow-logs", awssdk.ToString(f.LogGroupName))
					assert.Equal(t, "SUCCESS", awssdk.ToString(f.DeliverLogsStatus), "the log group exists")
					roleName := awssdk.ToString(f.DeliverLogsPermissionArn)[strings.LastIndex(awssdk.ToString(f.DeliverLogsPermissionArn), "/")+1:]
					r, err := td.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: awssdk.String(roleName)})
					require.NoError(t, err)
					assert.Contains(t, awssdk.ToString(r.Role.AssumeRolePolicyDocument), "vpc-flow-logs.amazonaws.com")
				}
			}
			td.calls.reset()
			again, err := eng.Apply(ctx, bp)
			require.NoError(t, err)
			assert.Zero(t, again.WriteCalls, "re-apply makes no write: %s", again)
			_, err = eng.Destroy(ctx, bp.Deployment, allowStateful(bp))
			require.NoError(t, err)
			fls, err := td.EC2.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{})
			require.NoError(t, err)
			for _, f := range fls.FlowLogs {
				assert.NotEqual(t, bp.Deployment, fromTags(f.Tags)[driver.TagDeployment], "flow log left: %s", awssdk.ToString(f.FlowLogId))
			}
		})
	}
}

func fromTags(ts []ec2types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[awssdk.ToString(t.Key)] = awssdk.ToString(t.Value)
	}
	return m
}
