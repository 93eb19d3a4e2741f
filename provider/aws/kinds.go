package aws

import (
	"context"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// kindOps is how the driver serves one kind: the calls behind List, Read,
// Create, Update and Delete, in the kind's own file, and the spec fields
// Update changes in place (nil update: any change replaces the resource).
type kindOps struct {
	list    func(d *Driver, ctx context.Context, q driver.Query) ([]driver.Observed, error)
	read    func(d *Driver, ctx context.Context, id string) (driver.Observed, error)
	create  func(d *Driver, ctx context.Context, req driver.Request) (driver.Observed, error)
	update  func(d *Driver, ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error)
	delete  func(d *Driver, ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error
	mutable []string
	// unsupported is why the driver does not serve the kind ("": it does).
	unsupported string
	// writeOnly lists the spec fields AWS does not report back.
	writeOnly []string
}

// netPeeringWriteOnly: a VPC peering connection names the peer VPC by its
// id, not by the deployment's logical id, and reports the accepter's range
// only once active (EC2 API Reference, VpcPeeringConnectionVpcInfo).
var netPeeringWriteOnly = []string{"peer_net", "peer_cidr"}

// kinds is the driver's registry: one entry per kind of [blueprint.Kinds].
var kinds = map[blueprint.Kind]kindOps{
	blueprint.KindNet: {list: (*Driver).listVPCs, read: (*Driver).readVPC, create: (*Driver).createVPC, update: (*Driver).updateVPC,
		delete: noData((*Driver).deleteVPC), mutable: netMutable},
	blueprint.KindSubnet: {list: (*Driver).listSubnets, read: (*Driver).readSubnet, create: (*Driver).createSubnet,
		update: (*Driver).updateSubnet, delete: noData((*Driver).deleteSubnet), mutable: subnetMutable},
	blueprint.KindInternetGateway: {list: (*Driver).listInternetGateways, read: (*Driver).readInternetGateway,
		create: (*Driver).createInternetGateway, delete: noData((*Driver).deleteInternetGateway)},
	blueprint.KindPublicIP: {list: (*Driver).listElasticIPs, read: (*Driver).readElasticIP, create: (*Driver).createElasticIP,
		delete: noData((*Driver).deleteElasticIP)},
	blueprint.KindNATGateway: {list: (*Driver).listNATGateways, read: (*Driver).readNATGateway, create: (*Driver).createNATGateway,
		delete: noData((*Driver).deleteNATGateway)},
	blueprint.KindVPNGateway: {list: (*Driver).listVPNGateways, read: (*Driver).readVPNGateway, create: (*Driver).createVPNGateway,
		delete: noData((*Driver).deleteVPNGateway)},
	blueprint.KindCustomerGateway: {list: (*Driver).listCustomerGateways, read: (*Driver).readCustomerGateway,
		create: (*Driver).createCustomerGateway, delete: noData((*Driver).deleteCustomerGateway)},
	blueprint.KindVPNConnection: {list: (*Driver).listVPNConnections, read: (*Driver).readVPNConnection,
		create: (*Driver).createVPNConnection, update: (*Driver).updateVPNConnection, delete: noData((*Driver).deleteVPNConnection),
		mutable: vpnConnectionMutable},
	blueprint.KindVPNAppliance: {unsupported: vpnApplianceUnsupported},
	blueprint.KindNetPeering: {list: (*Driver).listNetPeerings, read: (*Driver).readNetPeering, create: (*Driver).createNetPeering,
		delete: noData((*Driver).deleteNetPeering), writeOnly: netPeeringWriteOnly},
	blueprint.KindRouteTable: {list: (*Driver).listRouteTables, read: (*Driver).readRouteTable, create: (*Driver).createRouteTable,
		update: (*Driver).updateRouteTable, delete: noData((*Driver).deleteRouteTable), mutable: routeTableMutable},
	blueprint.KindSecurityGroup: {list: (*Driver).listSecurityGroups, read: (*Driver).readSecurityGroup,
		create: (*Driver).createSecurityGroup, delete: noData((*Driver).deleteSecurityGroup)},
	blueprint.KindSecurityGroupRules: {list: (*Driver).listSecurityGroupRules, read: (*Driver).readSecurityGroupRules,
		create: (*Driver).createSecurityGroupRules, update: (*Driver).updateSecurityGroupRules,
		delete: (*Driver).deleteSecurityGroupRules, mutable: rulesMutable},
	blueprint.KindNetworkACL: {list: (*Driver).listNetworkACLs, read: (*Driver).readNetworkACL, create: (*Driver).createNetworkACL,
		update: (*Driver).updateNetworkACL, delete: noData((*Driver).deleteNetworkACL), mutable: networkACLMutable},
	blueprint.KindFlowLog: {list: (*Driver).listFlowLogs, read: (*Driver).readFlowLog, create: (*Driver).createFlowLog,
		update: (*Driver).updateFlowLog, delete: noData((*Driver).deleteFlowLog), mutable: flowLogMutable},
	blueprint.KindNetEndpoint: {list: (*Driver).listNetEndpoints, read: (*Driver).readNetEndpoint, create: (*Driver).createNetEndpoint,
		update: (*Driver).updateNetEndpoint, delete: noData((*Driver).deleteNetEndpoint), mutable: netEndpointMutable},
	blueprint.KindInstanceRole: {list: (*Driver).listInstanceRoles, read: (*Driver).readInstanceRole, create: (*Driver).createInstanceRole,
		update: (*Driver).updateInstanceRole, delete: noData((*Driver).deleteInstanceRole), mutable: instanceRoleMutable},
	blueprint.KindLoadBalancer: {list: (*Driver).listLoadBalancers, read: (*Driver).readLoadBalancer,
		create: (*Driver).createLoadBalancer, update: (*Driver).updateLoadBalancer, delete: (*Driver).deleteLoadBalancer,
		mutable: loadBalancerMutable},
	blueprint.KindKeyPair: {list: (*Driver).listKeyPairs, read: (*Driver).readKeyPair, create: (*Driver).createKeyPair,
		delete: noData((*Driver).deleteKeyPair)},
	blueprint.KindImageCopy: {list: (*Driver).listImageCopies, read: (*Driver).readImageCopy, create: (*Driver).createImageCopy,
		delete: noData((*Driver).deleteImageCopy)},
	blueprint.KindBackupVault: {list: (*Driver).listBackupVaults, read: (*Driver).readBackupVault, create: (*Driver).createBackupVault,
		delete: (*Driver).deleteBackupVault},
	blueprint.KindBackupPlan: {list: (*Driver).listBackupPlans, read: (*Driver).readBackupPlan, create: (*Driver).createBackupPlan,
		update: (*Driver).updateBackupPlan, delete: noData((*Driver).deleteBackupPlan)},
	blueprint.KindCluster: {list: (*Driver).listClusters, read: (*Driver).readCluster, create: (*Driver).createCluster,
		update: (*Driver).updateCluster, delete: noData((*Driver).deleteCluster),
		mutable: clusterMutable},
	blueprint.KindDatabase: {list: (*Driver).listDatabases, read: (*Driver).readDatabase, create: (*Driver).createDatabase,
		update: (*Driver).updateDatabase, delete: (*Driver).deleteDatabase,
		mutable: databaseMutable},
	blueprint.KindDatabaseReplica: {list: (*Driver).listReplicas, read: (*Driver).readReplica, create: (*Driver).createReplica,
		update: (*Driver).updateReplica, delete: (*Driver).deleteReplica, mutable: replicaMutable},
	blueprint.KindCache: {list: (*Driver).listCaches, read: (*Driver).readCache, create: (*Driver).createCache,
		update: (*Driver).updateCache, delete: (*Driver).deleteCache, mutable: cacheMutable},
	blueprint.KindBroker: {list: (*Driver).listBrokers, read: (*Driver).readBroker, create: (*Driver).createBroker,
		update: (*Driver).updateBroker, delete: (*Driver).deleteBroker, mutable: brokerMutable},
}

// What each kind changes in place (Capabilities.Mutable), with the call
// that does it. Every other field is fixed at creation: a change replaces
// the resource (a subnet's cidr, a database's engine, username or
// encryption, a load balancer's name, scheme or type, a cluster's tier).
var (
	netMutable = []string{
		"keep_default_security_group_rules", // RevokeSecurityGroupIngress/Egress or AuthorizeSecurityGroupIngress/Egress on the default group
	}
	subnetMutable = []string{
		"public", // ModifySubnetAttribute MapPublicIpOnLaunch
	}
	vpnConnectionMutable = []string{
		"static_routes", // CreateVpnConnectionRoute, DeleteVpnConnectionRoute
	}
	flowLogMutable = []string{
		"retention_days", // PutRetentionPolicy on the log group
	}
	netEndpointMutable = []string{
		"route_tables", "subnets", "security_groups", // ModifyVpcEndpoint Add/RemoveRouteTableIds, Add/RemoveSubnetIds, Add/RemoveSecurityGroupIds
		"private_dns", // ModifyVpcEndpoint PrivateDnsEnabled
	}
	instanceRoleMutable = []string{
		"statements", // PutRolePolicy (replaces the inline policy)
	}
	routeTableMutable = []string{
		"routes", // CreateRoute, ReplaceRoute, DeleteRoute
		"subnet", // ReplaceRouteTableAssociation
	}
	rulesMutable = []string{
		"inbound",  // AuthorizeSecurityGroupIngress, RevokeSecurityGroupIngress
		"outbound", // AuthorizeSecurityGroupEgress, RevokeSecurityGroupEgress
	}
	networkACLMutable = []string{
		"subnets",  // ReplaceNetworkAclAssociation
		"inbound",  // CreateNetworkAclEntry, ReplaceNetworkAclEntry, DeleteNetworkAclEntry
		"outbound", // the same, Egress true
	}
	loadBalancerMutable = []string{
		"listeners",                              // CreateListener, ModifyListener, DeleteListener
		"health_check",                           // ModifyTargetGroup
		"security_groups",                        // SetSecurityGroups
		"subnets",                                // SetSubnets (an ALB keeps at least two zones)
		"plain_http",                             // ModifyListener DefaultActions (redirect or forward)
		"tls_policy",                             // ModifyListener SslPolicy
		"keep_invalid_headers", "allow_deletion", // ModifyLoadBalancerAttributes
	}
	clusterMutable = []string{
		"min", "desired", "max", // UpdateAutoScalingGroup MinSize, DesiredCapacity, MaxSize
		"image", "image_copy", "instance_type", "user_data", "security_groups", // CreateLaunchTemplateVersion, then UpdateAutoScalingGroup to $Latest
		"subnets",                                                                     // UpdateAutoScalingGroup VPCZoneIdentifier
		"load_balancers",                                                              // AttachLoadBalancerTargetGroups, DetachLoadBalancerTargetGroups
		"allow_imdsv1", "metadata_hop_limit", "unencrypted_volumes", "volume_kms_key", // CreateLaunchTemplateVersion, then UpdateAutoScalingGroup to $Latest
		"key_pair", "instance_profile", // CreateLaunchTemplateVersion KeyName, IamInstanceProfile; new nodes start with them
		"scaling",       // PutScalingPolicy, DeletePolicy
		"instance_role", // CreateLaunchTemplateVersion (IamInstanceProfile), then UpdateAutoScalingGroup to $Latest
		"backup",        // CreateLaunchTemplateVersion (the volumes' archkit:backup tag); new nodes' volumes carry it
	}
	databaseMutable = []string{
		"instance_class",        // ModifyDBInstance DBInstanceClass
		"storage_gib",           // ModifyDBInstance AllocatedStorage (grows only: see Replaces)
		"engine_version",        // ModifyDBInstance EngineVersion, AllowMajorVersionUpgrade (upgrades only)
		"multi_az",              // ModifyDBInstance MultiAZ
		"backup_retention_days", // ModifyDBInstance BackupRetentionPeriod
		"port",                  // ModifyDBInstance DBPortNumber
		"security_groups",       // ModifyDBInstance VpcSecurityGroupIds
		"subnets",               // ModifyDBSubnetGroup on the instance's own group
		"replica_of",            // PromoteReadReplica (cleared only: see Replaces)
	}
	cacheMutable = []string{
		"node_type",               // ModifyReplicationGroup CacheNodeType (Redis; a Memcached node type is fixed: see Replaces)
		"engine_version",          // ModifyReplicationGroup or ModifyCacheCluster EngineVersion (upgrades only)
		"nodes",                   // IncreaseReplicaCount, DecreaseReplicaCount (Redis); ModifyCacheCluster NumCacheNodes (Memcached)
		"automatic_failover",      // ModifyReplicationGroup AutomaticFailoverEnabled
		"multi_az",                // ModifyReplicationGroup MultiAZEnabled
		"snapshot_retention_days", // ModifyReplicationGroup SnapshotRetentionLimit
		"security_groups",         // ModifyReplicationGroup or ModifyCacheCluster SecurityGroupIds
		"subnets",                 // ModifyCacheSubnetGroup (added subnets only: see Replaces)
	}
	brokerMutable = []string{
		"engine_version",             // UpdateBroker EngineVersion (upgrades only: see Replaces)
		"instance_type",              // UpdateBroker HostInstanceType (not down to mq.t3.micro)
		"auto_minor_version_upgrade", // UpdateBroker AutoMinorVersionUpgrade
		"maintenance_window",         // UpdateBroker MaintenanceWindowStartTime
		"logs",                       // UpdateBroker Logs
		"security_groups",            // UpdateBroker SecurityGroups
	}
	replicaMutable = []string{
		"instance_class",  // ModifyDBInstance DBInstanceClass
		"security_groups", // ModifyDBInstance VpcSecurityGroupIds
	}
)

// noData adapts the delete of a kind that holds no data, which has no use
// for the delete options.
func noData(del func(d *Driver, ctx context.Context, cur driver.Observed) error) func(*Driver, context.Context, driver.Observed, driver.DeleteOptions) error {
	return func(d *Driver, ctx context.Context, cur driver.Observed, _ driver.DeleteOptions) error {
		return del(d, ctx, cur)
	}
}

// vpnApplianceUnsupported says why the AWS driver makes no VPN appliance:
// AWS peers the VPCs of two regions (VPC peering, inter-region), which
// pattern.MultiRegion.Link derives.
const vpnApplianceUnsupported = "AWS links the VPCs of two regions by VPC peering (pattern.MultiRegion.Link); the VPN appliance of LinkVPN is for clouds without inter-region peering (OUTSCALE)"
