package aws_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// The web application whose app cluster reads a bucket and consumes a
// queue, on moto: DescribeRouteTables shows the S3 gateway endpoint's
// prefix-list route on the app tier's tables only, and CanReach agrees
// (app reaches service:s3, the isolated db tier does not); the SQS
// interface endpoint is in the app tier's subnets with its own group,
// whose rules read back are exactly tcp/443 from the app tier's group;
// the app group may open 443 to the S3 prefix list. Applied again,
// nothing is written; destroyed, no endpoint is left.
func TestEndpointsOnMoto(t *testing.T) {
	t.Parallel()
	td := newDriver(t)
	ctx := t.Context()
	a := pattern.WebApp(pattern.WebAppOptions{Name: "endpoints", Profile: netplan.AWS, Image: motoImage, Engine: tier.EnginePostgres})
	for i := range a.Clusters {
		if a.Clusters[i].Tier == "app" {
			a.Clusters[i].Grants = []tier.Grant{tier.ReadBucket("shop-assets"), tier.ConsumeQueue("orders")}
		}
	}
	bp, err := a.Build()
	require.NoError(t, err)
	eng := engine(td.Driver)
	_, err = eng.Apply(ctx, bp)
	require.NoError(t, err)

	owned := []ec2types.Filter{{Name: awssdk.String("tag:" + driver.TagDeployment), Values: []string{bp.Deployment}}}
	subnets, err := td.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: owned})
	require.NoError(t, err)
	tierOf := map[string]string{} // subnet id -> tier
	var appSubnets []string
	for _, s := range subnets.Subnets {
		logical := fromTags(s.Tags)[driver.TagLogicalID]
		tierOf[awssdk.ToString(s.SubnetId)] = strings.Split(logical, "/")[1]
		if strings.HasPrefix(logical, "subnet/app/") {
			appSubnets = append(appSubnets, awssdk.ToString(s.SubnetId))
		}
	}
	require.Len(t, appSubnets, 2)

	eps, err := td.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{Filters: owned})
	require.NoError(t, err)
	byService := map[string]ec2types.VpcEndpoint{}
	for _, e := range eps.VpcEndpoints {
		byService[awssdk.ToString(e.ServiceName)] = e
	}
	require.Len(t, byService, 2, "s3 and sqs")
	s3 := byService["com.amazonaws.us-east-1.s3"]
	pls, err := td.EC2.DescribeManagedPrefixLists(ctx, &ec2.DescribeManagedPrefixListsInput{Filters: []ec2types.Filter{
		{Name: awssdk.String("prefix-list-name"), Values: []string{"com.amazonaws.us-east-1.s3"}}}})
	require.NoError(t, err)
	require.Len(t, pls.PrefixLists, 1)
	pl := awssdk.ToString(pls.PrefixLists[0].PrefixListId)

	tables, err := td.EC2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: owned})
	require.NoError(t, err)
	routed := map[string]bool{} // tier -> a table routes the prefix list to the endpoint
	for _, rt := range tables.RouteTables {
		require.NotEmpty(t, rt.Associations)
		tr := tierOf[awssdk.ToString(rt.Associations[0].SubnetId)]
		has := slices.ContainsFunc(rt.Routes, func(r ec2types.Route) bool {
			return awssdk.ToString(r.DestinationPrefixListId) == pl && awssdk.ToString(r.GatewayId) == awssdk.ToString(s3.VpcEndpointId)
		})
		assert.Equal(t, tr == "app", has, "table of %s", tr)
		routed[tr] = routed[tr] || has
	}
	assert.Equal(t, map[string]bool{"app": true, "db": false, "public": false}, routed)
	r, err := a.Rules()
	require.NoError(t, err)
	for tr, want := range routed {
		v := r.CanReach(netplan.Query{From: netplan.Tier(tr), To: "service:s3", Protocol: netplan.ProtocolTCP, Port: 443})
		assert.Equal(t, want, v.Allowed, "CanReach %s -> service:s3: %s", tr, v)
	}

	sqs := byService["com.amazonaws.us-east-1.sqs"]
	assert.True(t, strings.EqualFold(string(ec2types.VpcEndpointTypeInterface), string(sqs.VpcEndpointType)), sqs.VpcEndpointType)
	assert.ElementsMatch(t, appSubnets, sqs.SubnetIds, "one interface per zone, in the app tier's subnets")
	assert.True(t, awssdk.ToBool(sqs.PrivateDnsEnabled))
	require.Len(t, sqs.Groups, 1)
	epGroup := awssdk.ToString(sqs.Groups[0].GroupId)
	groups, err := td.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: owned})
	require.NoError(t, err)
	groupID := map[string]string{} // logical id -> group id
	for _, g := range groups.SecurityGroups {
		groupID[fromTags(g.Tags)[driver.TagLogicalID]] = awssdk.ToString(g.GroupId)
	}
	assert.Equal(t, groupID["security_group/endpoint-sqs"], epGroup)
	rules, err := td.EC2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []ec2types.Filter{
		{Name: awssdk.String("group-id"), Values: []string{epGroup}}}})
	require.NoError(t, err)
	require.Len(t, rules.SecurityGroupRules, 1, "exactly one rule, no egress: %+v", rules.SecurityGroupRules)
	in := rules.SecurityGroupRules[0]
	assert.False(t, awssdk.ToBool(in.IsEgress))
	assert.Equal(t, "tcp", awssdk.ToString(in.IpProtocol))
	assert.Equal(t, int32(443), awssdk.ToInt32(in.FromPort))
	assert.Equal(t, int32(443), awssdk.ToInt32(in.ToPort))
	require.NotNil(t, in.ReferencedGroupInfo)
	assert.Equal(t, groupID["security_group/app"], awssdk.ToString(in.ReferencedGroupInfo.GroupId))

	appRules, err := td.EC2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []ec2types.Filter{
		{Name: awssdk.String("group-id"), Values: []string{groupID["security_group/app"]}}}})
	require.NoError(t, err)
	assert.True(t, slices.ContainsFunc(appRules.SecurityGroupRules, func(r ec2types.SecurityGroupRule) bool {
		return awssdk.ToBool(r.IsEgress) && awssdk.ToString(r.PrefixListId) == pl && awssdk.ToInt32(r.FromPort) == 443
	}), "the app group opens 443 to the S3 prefix list")

	td.calls.reset()
	again, err := eng.Apply(ctx, bp)
	require.NoError(t, err)
	assert.Zero(t, again.WriteCalls, "re-apply makes no write: %s", again)

	_, err = eng.Destroy(ctx, bp.Deployment, allowStateful(bp))
	require.NoError(t, err)
	eps, err = td.EC2.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{})
	require.NoError(t, err)
	for _, e := range eps.VpcEndpoints {
		if fromTags(e.Tags)[driver.TagDeployment] == bp.Deployment {
			assert.Equal(t, "deleted", strings.ToLower(string(e.State)), "endpoint left: %s", awssdk.ToString(e.VpcEndpointId))
		}
	}
}

// The answers of every create (CreateVpcEndpoint and the authorize of the
// rule to the S3 prefix list included) are lost once, after the call took
// effect: the apply converges with each endpoint made once, a re-apply
// writes nothing, and the destroy leaves no endpoint.
func TestLostAnswerEndpoints(t *testing.T) {
	t.Parallel()
	mw, lost := loseAnswers(creates)
	td := newDriver(t, func(o *aws.Options) { o.APIOptions = append(o.APIOptions, mw) })
	ctx := t.Context()
	a := pattern.WebApp(pattern.WebAppOptions{Name: "lossyep", Profile: netplan.AWS, Image: motoImage, Engine: tier.EnginePostgres})
	for i := range a.Clusters {
		if a.Clusters[i].Tier == "app" {
			a.Clusters[i].Grants = []tier.Grant{tier.ReadBucket("shop-assets"), tier.ConsumeQueue("orders")}
		}
	}
	bp, err := a.Build()
	require.NoError(t, err)
	eng := provider.NewEngine(td.Driver, func(o *provider.Options) {
		o.RateLimit = -1
		o.PollMin, o.PollMax = 5*time.Millisecond, 20*time.Millisecond
		o.Retry = driver.RetryPolicy{MaxAttempts: 20, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
		o.WaitTimeout = 30 * time.Second
	})
	res, err := eng.Apply(ctx, bp)
	require.NoError(t, err)
	t.Logf("%s; %d answers lost", res, lost.Load())
	assertOnce(t, td, bp)
	td.calls.reset()
	again, err := eng.Apply(ctx, bp)
	require.NoError(t, err)
	assert.Zero(t, again.WriteCalls, "re-apply makes no write: %s", again)
	_, err = eng.Destroy(ctx, bp.Deployment, allowStateful(bp))
	require.NoError(t, err)
	left, err := td.List(ctx, driver.Query{Deployment: bp.Deployment, Kind: blueprint.KindNetEndpoint})
	require.NoError(t, err)
	assert.Empty(t, left)
}
