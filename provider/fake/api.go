package fake

import (
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/ratelimit"
)

// api names the request of the fake's cloud that a call stands for: the
// first request the cloud's driver sends for it, by operation (Create,
// Update, Delete, then List and Read). The fake reports it to the rate
// limiter of its context ([ratelimit.Wait]) before it answers, so that an
// engine paces the fake as it would pace the cloud.
type api struct {
	service                      string
	create, update, delete, read string
}

var awsAPI = map[blueprint.Kind]api{
	blueprint.KindNet:                {ratelimit.ServiceEC2, "CreateVpc", "ModifyVpcAttribute", "DeleteVpc", "DescribeVpcs"},
	blueprint.KindSubnet:             {ratelimit.ServiceEC2, "CreateSubnet", "ModifySubnetAttribute", "DeleteSubnet", "DescribeSubnets"},
	blueprint.KindInternetGateway:    {ratelimit.ServiceEC2, "CreateInternetGateway", "AttachInternetGateway", "DeleteInternetGateway", "DescribeInternetGateways"},
	blueprint.KindPublicIP:           {ratelimit.ServiceEC2, "AllocateAddress", "CreateTags", "ReleaseAddress", "DescribeAddresses"},
	blueprint.KindNATGateway:         {ratelimit.ServiceEC2, "CreateNatGateway", "CreateTags", "DeleteNatGateway", "DescribeNatGateways"},
	blueprint.KindNetPeering:         {ratelimit.ServiceEC2, "CreateVpcPeeringConnection", "AcceptVpcPeeringConnection", "DeleteVpcPeeringConnection", "DescribeVpcPeeringConnections"},
	blueprint.KindRouteTable:         {ratelimit.ServiceEC2, "CreateRouteTable", "CreateRoute", "DeleteRouteTable", "DescribeRouteTables"},
	blueprint.KindSecurityGroup:      {ratelimit.ServiceEC2, "CreateSecurityGroup", "CreateTags", "DeleteSecurityGroup", "DescribeSecurityGroups"},
	blueprint.KindSecurityGroupRules: {ratelimit.ServiceEC2, "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress", "DescribeSecurityGroupRules"},
	blueprint.KindNetworkACL:         {ratelimit.ServiceEC2, "CreateNetworkAcl", "ReplaceNetworkAclEntry", "DeleteNetworkAcl", "DescribeNetworkAcls"},
	blueprint.KindFlowLog:            {ratelimit.ServiceEC2, "CreateFlowLogs", "CreateTags", "DeleteFlowLogs", "DescribeFlowLogs"},
	blueprint.KindInstanceRole:       {ratelimit.ServiceIAM, "CreateRole", "PutRolePolicy", "DeleteRole", "GetRole"},
	blueprint.KindLoadBalancer:       {ratelimit.ServiceELBv2, "CreateLoadBalancer", "ModifyListener", "DeleteLoadBalancer", "DescribeLoadBalancers"},
	blueprint.KindImageCopy:          {ratelimit.ServiceEC2, "CopyImage", "CreateTags", "DeregisterImage", "DescribeImages"},
	blueprint.KindBackupVault:        {ratelimit.ServiceBackup, "CreateBackupVault", "TagResource", "DeleteBackupVault", "DescribeBackupVault"},
	blueprint.KindBackupPlan:         {ratelimit.ServiceBackup, "CreateBackupPlan", "UpdateBackupPlan", "DeleteBackupPlan", "GetBackupPlan"},
	blueprint.KindCluster:            {ratelimit.ServiceAutoScaling, "CreateAutoScalingGroup", "UpdateAutoScalingGroup", "DeleteAutoScalingGroup", "DescribeAutoScalingGroups"},
	blueprint.KindDatabase:           {ratelimit.ServiceRDS, "CreateDBInstance", "ModifyDBInstance", "DeleteDBInstance", "DescribeDBInstances"},
	blueprint.KindDatabaseReplica:    {ratelimit.ServiceRDS, "CreateDBInstanceReadReplica", "ModifyDBInstance", "DeleteDBInstance", "DescribeDBInstances"},
	blueprint.KindCache:              {ratelimit.ServiceElastiCache, "CreateReplicationGroup", "ModifyReplicationGroup", "DeleteReplicationGroup", "DescribeReplicationGroups"},
	blueprint.KindBroker:             {ratelimit.ServiceMQ, "CreateBroker", "UpdateBroker", "DeleteBroker", "DescribeBroker"},
}

var outscaleAPI = map[blueprint.Kind]api{
	blueprint.KindNet:                {ratelimit.ServiceOutscale, "CreateNet", "UpdateNet", "DeleteNet", "ReadNets"},
	blueprint.KindSubnet:             {ratelimit.ServiceOutscale, "CreateSubnet", "UpdateSubnet", "DeleteSubnet", "ReadSubnets"},
	blueprint.KindInternetGateway:    {ratelimit.ServiceOutscale, "CreateInternetService", "LinkInternetService", "DeleteInternetService", "ReadInternetServices"},
	blueprint.KindPublicIP:           {ratelimit.ServiceOutscale, "CreatePublicIp", "CreateTags", "DeletePublicIp", "ReadPublicIps"},
	blueprint.KindNATGateway:         {ratelimit.ServiceOutscale, "CreateNatService", "CreateTags", "DeleteNatService", "ReadNatServices"},
	blueprint.KindNetPeering:         {ratelimit.ServiceOutscale, "CreateNetPeering", "AcceptNetPeering", "DeleteNetPeering", "ReadNetPeerings"},
	blueprint.KindRouteTable:         {ratelimit.ServiceOutscale, "CreateRouteTable", "CreateRoute", "DeleteRouteTable", "ReadRouteTables"},
	blueprint.KindSecurityGroup:      {ratelimit.ServiceOutscale, "CreateSecurityGroup", "CreateTags", "DeleteSecurityGroup", "ReadSecurityGroups"},
	blueprint.KindSecurityGroupRules: {ratelimit.ServiceOutscale, "CreateSecurityGroupRule", "CreateSecurityGroupRule", "DeleteSecurityGroupRule", "ReadSecurityGroups"},
	blueprint.KindLoadBalancer:       {ratelimit.ServiceOutscale, "CreateLoadBalancer", "UpdateLoadBalancer", "DeleteLoadBalancer", "ReadLoadBalancers"},
	blueprint.KindImageCopy:          {ratelimit.ServiceOutscale, "CreateImage", "CreateTags", "DeleteImage", "ReadImages"},
	blueprint.KindCluster:            {ratelimit.ServiceOutscale, "CreateVms", "UpdateVm", "DeleteVms", "ReadVms"},
}

// apiCall returns the request of the fake's cloud that c stands for.
func (d *Driver) apiCall(c Call) ratelimit.Call {
	if d.opts.Cloud == CloudOutscale {
		if c.Op == OpZones {
			return ratelimit.Call{Service: ratelimit.ServiceOutscale, Action: "ReadSubregions"}
		}
		return outscaleAPI[c.Kind].call(c.Op, ratelimit.ServiceOutscale)
	}
	if c.Op == OpZones {
		return ratelimit.Call{Service: ratelimit.ServiceEC2, Action: "DescribeAvailabilityZones"}
	}
	return awsAPI[c.Kind].call(c.Op, ratelimit.ServiceEC2)
}

// call returns the request of operation op; service names the cloud's
// API for a kind the cloud lacks, which the fake refuses anyway.
func (a api) call(op, service string) ratelimit.Call {
	if a.service == "" {
		a.service, a.create, a.update, a.delete, a.read = service, "Create", "Update", "Delete", "Read"
	}
	c := ratelimit.Call{Service: a.service, Action: a.read}
	switch op {
	case OpCreate:
		c.Action = a.create
	case OpUpdate:
		c.Action = a.update
	case OpDelete:
		c.Action = a.delete
	}
	return c
}
