package aws

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// A flow log records the traffic of a VPC (CreateFlowLogs, ResourceType
// VPC). To CloudWatch Logs, the driver first makes the log group
// (CreateLogGroup, PutRetentionPolicy) and the role the flow logs
// service assumes to write to it (the IAM role of the spec, with the
// policy the VPC Flow Logs user guide gives: logs:CreateLogStream,
// logs:PutLogEvents, logs:DescribeLogGroups, logs:DescribeLogStreams, on
// that log group only). A delete removes the flow log and its role, and
// keeps the log group: it holds the audit trail, which its retention
// ends.

// deliveryPath is the path of the delivery roles, below the instance
// roles' (which a List of instance roles compares exactly).
func deliveryPath(deployment string) string { return rolePath(deployment) + "flow-logs/" }

// flowLogsTrust lets the VPC flow logs service assume the delivery role.
const flowLogsTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// deliveryPolicy is the delivery role's policy on the log group.
func deliveryPolicy(logGroupARN string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"DeliverFlowLogs","Effect":"Allow",`+
		`"Action":["logs:CreateLogStream","logs:DescribeLogGroups","logs:DescribeLogStreams","logs:PutLogEvents"],`+
		`"Resource":["%s","%s:*"]}]}`, logGroupARN, logGroupARN)
}

func (d *Driver) flowLogObserved(ctx context.Context, f ec2types.FlowLog) (driver.Observed, error) {
	status := awssdk.ToString(f.DeliverLogsStatus)
	o := observed(blueprint.KindFlowLog, awssdk.ToString(f.FlowLogId), fromEC2Tags(f.Tags), true, status)
	s := &blueprint.FlowLogSpec{Net: blueprint.Ref(awssdk.ToString(f.ResourceId)), Destination: string(f.LogDestinationType),
		TrafficType: string(f.TrafficType)}
	if f.LogDestinationType == ec2types.LogDestinationTypeS3 {
		s.Bucket = awssdk.ToString(f.LogDestination)
	} else {
		s.LogGroup = awssdk.ToString(f.LogGroupName)
		s.Role = lastSegment(awssdk.ToString(f.DeliverLogsPermissionArn), "/")
		days, err := d.retentionOf(ctx, s.LogGroup)
		if err != nil {
			return driver.Observed{}, err
		}
		s.RetentionDays = days
	}
	o.Resource.FlowLog = s
	o.Resource.Normalize() // the defaults (cloud-watch-logs, ALL, 365 days) read back as they are written: zero
	return o, nil
}

func lastSegment(s, sep string) string { return s[strings.LastIndex(s, sep)+1:] }

// retentionOf reads the log group's retention (DescribeLogGroups by
// prefix); 0 when the group is gone or keeps its logs forever.
func (d *Driver) retentionOf(ctx context.Context, group string) (int, error) {
	if d.Logs == nil || group == "" {
		return 0, nil
	}
	out, err := d.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: awssdk.String(group)})
	if err != nil {
		return 0, mapErr("DescribeLogGroups", "flow_log", group, err)
	}
	for _, g := range out.LogGroups {
		if awssdk.ToString(g.LogGroupName) == group {
			return int(awssdk.ToInt32(g.RetentionInDays)), nil
		}
	}
	return 0, nil
}

// createFlowLog makes the log group and the delivery role for
// CloudWatch Logs, then the flow log (CreateFlowLogs with the request's
// token as ClientToken and the tags), or returns what an earlier try
// made, found by its tags.
func (d *Driver) createFlowLog(ctx context.Context, req driver.Request) (driver.Observed, error) {
	s := req.Resource.FlowLog
	out, err := d.EC2.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{Filter: logicalFilters(req)})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeFlowLogs", "flow_log", req.Resource.ID, err)
	}
	if found := earlier(req, out.FlowLogs, func(f *ec2types.FlowLog) []ec2types.Tag { return f.Tags }); found != nil {
		return d.flowLogObserved(ctx, *found)
	}
	in := &ec2.CreateFlowLogsInput{ResourceIds: []string{string(s.Net)}, ResourceType: ec2types.FlowLogsResourceTypeVpc,
		TrafficType: ec2types.TrafficType(cmp.Or(s.TrafficType, "ALL")), ClientToken: awssdk.String(req.Token),
		TagSpecifications: tagSpec(ec2types.ResourceTypeVpcFlowLog, req.Tags)}
	if s.Destination == blueprint.FlowLogsToS3 {
		in.LogDestinationType, in.LogDestination = ec2types.LogDestinationTypeS3, awssdk.String(s.Bucket)
	} else {
		roleARN, err := d.flowLogDelivery(ctx, req)
		if err != nil {
			return driver.Observed{}, err
		}
		in.LogDestinationType, in.LogGroupName, in.DeliverLogsPermissionArn = ec2types.LogDestinationTypeCloudWatchLogs, awssdk.String(s.LogGroup), awssdk.String(roleARN)
	}
	c, err := d.EC2.CreateFlowLogs(ctx, in)
	if err != nil {
		return driver.Observed{}, mapErr("CreateFlowLogs", "flow_log", req.Resource.ID, err)
	}
	if len(c.Unsuccessful) > 0 || len(c.FlowLogIds) == 0 {
		msg := "no flow log made"
		if len(c.Unsuccessful) > 0 && c.Unsuccessful[0].Error != nil {
			msg = awssdk.ToString(c.Unsuccessful[0].Error.Message)
		}
		return driver.Observed{}, driver.NewError("CreateFlowLogs", "flow_log", req.Resource.ID, driver.Invalid, fmt.Errorf("aws: %s", msg))
	}
	return d.readFlowLog(ctx, c.FlowLogIds[0])
}

// flowLogDelivery makes the log group, its retention and the delivery
// role with its policy, and returns the role's ARN.
func (d *Driver) flowLogDelivery(ctx context.Context, req driver.Request) (string, error) {
	s := req.Resource.FlowLog
	if err := d.needIAM("CreateRole", "flow_log", req.Resource.ID); err != nil {
		return "", err
	}
	if d.Logs == nil {
		return "", driver.NewError("CreateLogGroup", "flow_log", req.Resource.ID, driver.Unsupported, fmt.Errorf("aws: Driver.Logs is nil; build the driver with New or NewFromConfig"))
	}
	_, err := d.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: awssdk.String(s.LogGroup), Tags: req.Tags})
	if err != nil && !isCode(err, driver.AlreadyExists) {
		return "", mapErr("CreateLogGroup", "flow_log", req.Resource.ID, err)
	}
	if err := d.putRetention(ctx, s); err != nil {
		return "", err
	}
	arn, err := d.ensureRole(ctx, req, s.Role, deliveryPath(req.Deployment), flowLogsTrust, req.Tags)
	if err != nil {
		return "", err
	}
	sc := d.scopeOf(arn)
	group := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", sc.Partition, sc.Region, sc.Account, s.LogGroup)
	_, err = d.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: awssdk.String(s.Role),
		PolicyName: awssdk.String(blueprint.RolePolicyName), PolicyDocument: awssdk.String(deliveryPolicy(group))})
	if err != nil {
		return "", mapErr("PutRolePolicy", "flow_log", req.Resource.ID, err)
	}
	return arn, nil
}

func (d *Driver) putRetention(ctx context.Context, s *blueprint.FlowLogSpec) error {
	_, err := d.Logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: awssdk.String(s.LogGroup),
		RetentionInDays: awssdk.Int32(int32(s.Retention()))})
	return mapErr("PutRetentionPolicy", "flow_log", s.LogGroup, err)
}

func (d *Driver) readFlowLog(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeFlowLogs(ctx, &ec2.DescribeFlowLogsInput{FlowLogIds: []string{id}})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeFlowLogs", "flow_log", id, err)
	}
	if len(out.FlowLogs) == 0 {
		return driver.Observed{}, notFound("DescribeFlowLogs", blueprint.KindFlowLog, id)
	}
	return d.flowLogObserved(ctx, out.FlowLogs[0])
}

// listFlowLogs lists the deployment's flow logs, of its VPCs when known.
func (d *Driver) listFlowLogs(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	p := ec2.NewDescribeFlowLogsPaginator(d.EC2, &ec2.DescribeFlowLogsInput{Filter: ownerFilters(q, "resource-id")})
	var res []driver.Observed
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeFlowLogs", "flow_log", "", err)
		}
		for _, f := range ownedOnly(page.FlowLogs, func(f *ec2types.FlowLog) []ec2types.Tag { return f.Tags }, q.Deployment) {
			o, err := d.flowLogObserved(ctx, f)
			if err != nil {
				return nil, err
			}
			res = append(res, o)
		}
	}
	return res, nil
}

// updateFlowLog changes the log group's retention (PutRetentionPolicy).
func (d *Driver) updateFlowLog(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	if s := req.Resource.FlowLog; s.Destination != blueprint.FlowLogsToS3 && d.Logs != nil {
		if err := d.putRetention(ctx, s); err != nil {
			return driver.Observed{}, err
		}
	}
	return d.readFlowLog(ctx, cur.ID)
}

// deleteFlowLog deletes the flow log (DeleteFlowLogs) and its delivery
// role; the log group stays.
func (d *Driver) deleteFlowLog(ctx context.Context, cur driver.Observed) error {
	_, err := d.EC2.DeleteFlowLogs(ctx, &ec2.DeleteFlowLogsInput{FlowLogIds: []string{cur.ID}})
	if err := mapErr("DeleteFlowLogs", "flow_log", cur.ID, err); err != nil && !isCode(err, driver.NotFound) {
		return err
	}
	s := cur.Resource.FlowLog
	if s == nil || s.Role == "" || d.IAM == nil {
		return nil
	}
	for _, step := range []func() error{
		func() error {
			_, err := d.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: awssdk.String(s.Role), PolicyName: awssdk.String(blueprint.RolePolicyName)})
			return mapErr("DeleteRolePolicy", "flow_log", s.Role, err)
		},
		func() error {
			_, err := d.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: awssdk.String(s.Role)})
			return mapErr("DeleteRole", "flow_log", s.Role, err)
		},
	} {
		if err := step(); err != nil && !isCode(err, driver.NotFound) {
			return err
		}
	}
	return nil
}
