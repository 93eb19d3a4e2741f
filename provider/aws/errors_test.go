package aws

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

func TestErrorCode(t *testing.T) {
	t.Parallel()
	api := func(code string) error { return &smithy.GenericAPIError{Code: code, Message: "m"} }
	tests := []struct {
		name string
		err  error
		want driver.Code
	}{
		{"vpc not found", api("InvalidVpcID.NotFound"), driver.NotFound},
		{"nat not found", api("NatGatewayNotFound"), driver.NotFound},
		{"lt not found", api("InvalidLaunchTemplateName.NotFoundException"), driver.NotFound},
		{"rds not found", api("DBInstanceNotFound"), driver.NotFound},
		{"subnet group not found", api("DBSubnetGroupNotFoundFault"), driver.NotFound},
		{"dependency", api("DependencyViolation"), driver.Dependency},
		{"eip in use", api("InvalidIPAddress.InUse"), driver.Dependency},
		{"elb in use", api("ResourceInUse"), driver.Dependency},
		{"duplicate group", api("InvalidGroup.Duplicate"), driver.AlreadyExists},
		{"duplicate permission", api("InvalidPermission.Duplicate"), driver.AlreadyExists},
		{"duplicate tg", api("DuplicateTargetGroupName"), driver.AlreadyExists},
		{"db exists", api("DBInstanceAlreadyExists"), driver.AlreadyExists},
		{"route exists", api("RouteAlreadyExists"), driver.AlreadyExists},
		{"rules limit", api("RulesPerSecurityGroupLimitExceeded"), driver.Quota},
		{"vpc limit", api("VpcLimitExceeded"), driver.Quota},
		{"ec2 throttle", api("RequestLimitExceeded"), driver.Throttled},
		{"throttling", api("Throttling"), driver.Throttled},
		{"throttling exception", api("ThrottlingException"), driver.Throttled},
		{"invalid parameter", api("InvalidParameterValue"), driver.Invalid},
		{"vpc range", api("InvalidVpc.Range"), driver.Invalid},
		{"validation", api("ValidationError"), driver.Invalid},
		{"auth", api("AuthFailure"), driver.Auth},
		{"unauthorized", api("UnauthorizedOperation"), driver.Auth},
		{"internal", api("InternalError"), driver.Unavailable},
		{"unknown server fault", &smithy.GenericAPIError{Code: "Weird", Fault: smithy.FaultServer}, driver.Unavailable},
		{"http 503", &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 503}}, Err: errors.New("x")}, driver.Unavailable},
		{"wrapped", fmt.Errorf("op: %w", api("InvalidSubnetID.NotFound")), driver.NotFound},
		{"canceled", context.Canceled, driver.Unavailable},
		{"plain", errors.New("boom"), driver.Unknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, errorCode(tc.err))
		})
	}
}

func TestMapErr(t *testing.T) {
	t.Parallel()
	raw := &smithy.GenericAPIError{Code: "RequestLimitExceeded"}
	err := mapErr("CreateVpc", "net", "net/main", raw)
	require.ErrorIs(t, err, driver.ErrThrottled)
	assert.False(t, driver.IsRetryable(err), "the SDK's retryer spent its attempts: the engine does not retry on top")
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae, "the SDK error stays reachable")
	assert.Equal(t, "RequestLimitExceeded", ae.ErrorCode())
	assert.Same(t, err, mapErr("Other", "x", "y", err), "an *driver.Error is not wrapped twice")
	assert.NoError(t, mapErr("CreateVpc", "net", "", nil))
}

func TestDBIdentifier(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"shop-database-main-3f9c2a1b", "shop-database-main-3f9c2a1b"},
		{"Shop--db/main", "shop-db-main"},
		{"3tier-database-main-00000001", "db-3tier-database-main-00000001"},
		{"", "db"},
		{"a_very_long_deployment_name_that_goes_on_and_on-database-main-0000abcd", "a-very-long-deployment-name-that-goes-on-and-on-databa-0000abcd"},
	}
	for _, tc := range tests {
		got := dbIdentifier(tc.in)
		assert.Equal(t, tc.want, got, tc.in)
		assert.LessOrEqual(t, len(got), 63, "RDS's limit")
	}
}

func TestIPPermission(t *testing.T) {
	t.Parallel()
	cidr := blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: 443, ToPort: 443, CIDR: netipMust("0.0.0.0/0"), Description: "https"}
	p := ipPermission(cidr)
	assert.Equal(t, "tcp", awssdk.ToString(p.IpProtocol))
	assert.Equal(t, int32(443), awssdk.ToInt32(p.FromPort))
	require.Len(t, p.IpRanges, 1)
	assert.Equal(t, "0.0.0.0/0", awssdk.ToString(p.IpRanges[0].CidrIp))

	group := ipPermission(blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: 3306, ToPort: 3306, Group: "sg-1"})
	require.Len(t, group.UserIdGroupPairs, 1)
	assert.Equal(t, "sg-1", awssdk.ToString(group.UserIdGroupPairs[0].GroupId))

	all := ipPermission(blueprint.RuleSpec{Protocol: netplan.ProtocolAll, CIDR: netipMust("10.0.0.0/8")})
	assert.Equal(t, "-1", awssdk.ToString(all.IpProtocol))
	assert.Nil(t, all.FromPort)

	icmp := ipPermission(blueprint.RuleSpec{Protocol: netplan.ProtocolICMP, CIDR: netipMust("10.0.0.0/8")})
	assert.Equal(t, int32(-1), awssdk.ToInt32(icmp.FromPort))

	// What AWS reports back has the same key as what was asked.
	back := ruleFromAWS(ec2types.SecurityGroupRule{IpProtocol: awssdk.String("-1"), FromPort: awssdk.Int32(-1), ToPort: awssdk.Int32(-1), CidrIpv4: awssdk.String("10.0.0.0/8")})
	assert.Equal(t, blueprint.RuleSpec{Protocol: netplan.ProtocolAll, CIDR: netipMust("10.0.0.0/8")}.Key(), back.spec.Key())
	wide := ruleFromAWS(ec2types.SecurityGroupRule{IpProtocol: awssdk.String("tcp"), FromPort: awssdk.Int32(0), ToPort: awssdk.Int32(65535), CidrIpv4: awssdk.String("10.0.0.0/8")})
	assert.Equal(t, blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, CIDR: netipMust("10.0.0.0/8")}.Key(), wide.spec.Key())
}

// blockedEC2 refuses to delete subnets and reports an ENI of someone
// else's instance in them: the dependency violation moto never returns.
type blockedEC2 struct {
	EC2API
}

func (blockedEC2) DeleteSubnet(context.Context, *ec2.DeleteSubnetInput, ...func(*ec2.Options)) (*ec2.DeleteSubnetOutput, error) {
	return nil, &smithy.GenericAPIError{Code: "DependencyViolation", Message: "The subnet 'subnet-1' has dependencies and cannot be deleted."}
}

func (blockedEC2) DescribeNetworkInterfaces(_ context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	return &ec2.DescribeNetworkInterfacesOutput{NetworkInterfaces: []ec2types.NetworkInterface{
		{NetworkInterfaceId: awssdk.String("eni-theirs"), Attachment: &ec2types.NetworkInterfaceAttachment{InstanceId: awssdk.String("i-theirs")}},
		{NetworkInterfaceId: awssdk.String("eni-lambda"), InterfaceType: ec2types.NetworkInterfaceTypeLambda},
		{NetworkInterfaceId: awssdk.String("eni-ours"), TagSet: []ec2types.Tag{{Key: awssdk.String(driver.TagDeployment), Value: awssdk.String("shop")}}},
	}}, nil
}

func TestDeleteNamesBlockers(t *testing.T) {
	t.Parallel()
	d := &Driver{EC2: blockedEC2{}}
	err := d.Delete(t.Context(), driver.Observed{ID: "subnet-1", Resource: blueprint.Resource{Kind: blueprint.KindSubnet}}, driver.DeleteOptions{})
	require.ErrorIs(t, err, driver.ErrDependency)
	var pe *driver.Error
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, []driver.Blocker{{Kind: "instance", ID: "i-theirs"}, {Kind: "lambda", ID: "eni-lambda"}}, pe.Blockers)
	assert.Contains(t, err.Error(), "blocked by instance i-theirs")
}
