package calls

import (
	"slices"

	"github.com/archkit/archkit/pattern/blueprint"
)

// namingOthers counts the directions of a rule set that have a rule naming
// another group: what must be revoked before the groups are deleted.
func namingOthers(r *blueprint.Resource) int {
	s := r.SecurityGroupRules
	other := func(rules []blueprint.RuleSpec) bool {
		return slices.ContainsFunc(rules, func(x blueprint.RuleSpec) bool { return x.Group != "" && x.Group != s.Group })
	}
	return one(other(s.Inbound)) + one(other(s.Outbound))
}

// one returns 1 when cond holds.
func one(cond bool) int {
	if cond {
		return 1
	}
	return 0
}

// awsTable is the minimum on AWS (the EC2, ELBv2, Auto Scaling and RDS API
// references).
var awsTable = Table{
	Cloud:      AWS,
	Zones:      1,
	LockWrites: 2, // CreateLaunchTemplate, DeleteLaunchTemplate
	PollOps: []string{"DescribeNatGateways", "DescribeLoadBalancers", "DescribeAutoScalingGroups",
		"DescribeDBInstances", "DescribeVpnGateways", "DescribeVpnConnections", "DescribeVpcEndpoints", "DescribeReplicationGroups", "DescribeBroker"},
	Rows: []Row{
		{
			Kind:   blueprint.KindNet,
			Create: "1 CreateVpc (TagSpecifications) + 1 ModifyVpcAttribute (EnableDnsHostnames); the default group emptied: 1 DescribeSecurityGroups + 1 RevokeSecurityGroupIngress + 1 RevokeSecurityGroupEgress",
			Delete: "1 DeleteVpc",
			Why:    "tags at creation; DNS support is on by default, host names are set one attribute per call; the default group's id is in no create answer",
			CreateWrites: func(r *blueprint.Resource) int {
				return 2 + 2*one(!r.Net.KeepDefaultSecurityGroupRules)
			},
			CreateReads:  func(r *blueprint.Resource) int { return one(!r.Net.KeepDefaultSecurityGroupRules) },
			DeleteWrites: n(1),
			List:         1, ListText: "1 DescribeVpcs; the default groups from the security groups' DescribeSecurityGroups, shared in a refresh",
		},
		{
			Kind:         blueprint.KindSubnet,
			Create:       "1 CreateSubnet (TagSpecifications), + 1 ModifySubnetAttribute (MapPublicIpOnLaunch) when public",
			Delete:       "1 DeleteSubnet",
			Why:          "CreateSubnet has no public-IP-on-launch parameter",
			CreateWrites: func(r *blueprint.Resource) int { return 1 + one(r.Subnet.Public) },
			DeleteWrites: n(1),
			List:         1, ListText: "1 DescribeSubnets",
		},
		{
			Kind:         blueprint.KindInternetGateway,
			Create:       "1 CreateInternetGateway (TagSpecifications) + 1 AttachInternetGateway",
			Delete:       "1 DetachInternetGateway + 1 DeleteInternetGateway",
			Why:          "attach and detach are calls of their own",
			CreateWrites: n(2), DeleteWrites: n(2),
			List: 1, ListText: "1 DescribeInternetGateways",
		},
		{
			Kind:         blueprint.KindPublicIP,
			Create:       "1 AllocateAddress (TagSpecifications)",
			Delete:       "1 ReleaseAddress",
			CreateWrites: n(1), DeleteWrites: n(1),
			List: 1, ListText: "1 DescribeAddresses",
		},
		{
			Kind:         blueprint.KindNATGateway,
			Create:       "1 CreateNatGateway (TagSpecifications, ClientToken) + polls",
			Delete:       "1 DeleteNatGateway + polls",
			Why:          "asynchronous both ways; its address is released (public IP) only once it is deleted",
			CreateWrites: n(1), DeleteWrites: n(1),
			ListText: "DescribeNatGateways (a poll operation)",
		},
		{
			Kind:         blueprint.KindVPNGateway,
			Create:       "1 CreateVpnGateway (TagSpecifications) + 1 AttachVpnGateway + polls",
			Delete:       "1 DetachVpnGateway + polls + 1 DeleteVpnGateway",
			Why:          "attach and detach are calls of their own, and asynchronous",
			CreateWrites: n(2), DeleteWrites: n(2),
			ListText: "DescribeVpnGateways (a poll operation)",
		},
		{
			Kind:         blueprint.KindCustomerGateway,
			Create:       "1 CreateCustomerGateway (TagSpecifications)",
			Delete:       "1 DeleteCustomerGateway",
			CreateWrites: n(1), DeleteWrites: n(1),
			List: 1, ListText: "1 DescribeCustomerGateways",
		},
		{
			Kind:   blueprint.KindVPNConnection,
			Create: "1 CreateVpnConnection (TagSpecifications) + polls + 1 CreateVpnConnectionRoute per static route",
			Delete: "1 DeleteVpnConnection + polls",
			Why:    "one static route per call",
			CreateWrites: func(r *blueprint.Resource) int {
				return 1 + len(r.VPNConnection.StaticRoutes)
			},
			DeleteWrites: n(1),
			ListText:     "DescribeVpnConnections (a poll operation)",
		},
		{
			Kind:     blueprint.KindVPNAppliance,
			Create:   "none: AWS links two regions' VPCs by VPC peering (Link); the driver makes no appliance",
			Delete:   "none",
			ListText: "none",
		},
		{
			Kind: blueprint.KindNetPeering,
			Create: "requester: 1 DescribeVpcs in the peer region (the peer VPC by its tags) + 1 CreateVpcPeeringConnection (PeerRegion, TagSpecifications) + polls; " +
				"accepter: 1 DescribeVpcs in the peer region + 1 DescribeVpcPeeringConnections (the pending request) + 1 AcceptVpcPeeringConnection + 1 CreateTags; " +
				"requester of two VPCs of its own region: 1 DescribeVpcs + 1 DescribeVpcPeeringConnections + 1 CreateVpcPeeringConnection (no PeerRegion) + 1 AcceptVpcPeeringConnection " +
				"(counted here as the requester's 1 write: a Blueprint does not say its region)",
			Delete: "requester: 1 DescribeVpcPeeringConnections + 1 DeleteVpcPeeringConnection; accepter: polls until the requester's region deletes it " +
				"(1 DeleteVpcPeeringConnection after a minute if it does not)",
			Why: "a connection between regions is requested in one and accepted in the other, whose tags are its own; the peer VPC's id lives in the other region; " +
				"both sides read the state before deleting so that one of them deletes it",
			CreateWrites: func(r *blueprint.Resource) int {
				if r.NetPeering != nil && r.NetPeering.Accepter {
					return 2
				}
				return 1
			},
			CreateReads: func(r *blueprint.Resource) int {
				if r.NetPeering != nil && r.NetPeering.Accepter {
					return 2
				}
				return 1
			},
			DeleteWrites: func(r *blueprint.Resource) int {
				if r.NetPeering != nil && r.NetPeering.Accepter {
					return 0
				}
				return 1
			},
			DeleteReads: n(1),
			List:        1, ListText: "1 DescribeVpcPeeringConnections",
		},
		{
			Kind:         blueprint.KindKeyPair,
			Create:       "1 ImportKeyPair (TagSpecifications)",
			Delete:       "1 DeleteKeyPair",
			CreateWrites: n(1), DeleteWrites: n(1),
			List: 1, ListText: "1 DescribeKeyPairs (IncludePublicKey)",
		},
		{
			Kind:         blueprint.KindImageCopy,
			Create:       "1 DescribeImages of an earlier try + 1 CopyImage (SourceRegion, ClientToken, TagSpecifications)",
			Delete:       "1 DescribeImages of its snapshots + 1 DeregisterImage + 1 DeleteSnapshot per snapshot (1: the root volume's)",
			Why:          "DeregisterImage leaves the image's snapshots, which are billed; moto ignores CopyImage's tags and token, so the driver looks up and tags after it (1 CreateTags more on moto)",
			CreateWrites: n(1), CreateReads: n(1), DeleteWrites: n(2), DeleteReads: n(1),
			List: 1, ListText: "1 DescribeImages (Owners self, tag filters)",
		},
		{
			Kind:         blueprint.KindBackupVault,
			Create:       "1 CreateBackupVault (BackupVaultTags, CreatorRequestId)",
			Delete:       "1 DescribeBackupVault (its recovery points) + 1 DeleteBackupVault; with AllowDataLoss, first 1 ListRecoveryPointsByBackupVault + 1 DeleteRecoveryPoint per recovery point",
			Why:          "AWS Backup deletes only an empty vault: the recovery points are counted before, and deleted only when the caller allowed it",
			CreateWrites: n(1), DeleteWrites: n(1), DeleteReads: n(1),
			List: 1, ListEach: 2, ListText: "1 ListBackupVaults; per vault 1 ListTags + 1 DescribeBackupVault",
		},
		{
			Kind: blueprint.KindBackupPlan,
			Create: "1 ListBackupPlans (an earlier try) + 1 DescribeBackupVault (the account of the copies' vault ARNs) + 1 CreateBackupPlan (BackupPlanTags, CreatorRequestId) " +
				"+ the role when archkit makes it (1 CreateRole + 1 AttachRolePolicy) + 1 CreateBackupSelection",
			Delete:       "1 ListBackupSelections + 1 DeleteBackupSelection + 1 DeleteBackupPlan + the role archkit made (1 GetRole + 1 DetachRolePolicy + 1 DeleteRole)",
			Why:          "a plan with a selection is not deleted: the selection goes first; the role is the selection's, made and deleted with the plan",
			CreateWrites: func(r *blueprint.Resource) int { return 2 + ownBackupRole(r) }, CreateReads: n(2),
			DeleteWrites: func(r *blueprint.Resource) int { return 2 + ownBackupRole(r) }, DeleteReads: func(r *blueprint.Resource) int { return 1 + ownBackupRole(r)/2 },
			List: 1, ListEach: 4, ListText: "1 ListBackupPlans; per plan 1 ListTags + 1 GetBackupPlan + 1 ListBackupSelections + 1 GetBackupSelection",
		},
		{
			Kind:         blueprint.KindFlowLog,
			Create:       "1 CreateLogGroup (tags) + 1 PutRetentionPolicy + the delivery role (1 CreateRole, 1 PutRolePolicy) + 1 CreateFlowLogs (TagSpecifications)",
			Delete:       "1 DeleteFlowLogs + 1 DeleteRolePolicy + 1 DeleteRole (the log group, the audit trail, is kept)",
			Why:          "the retention is not a parameter of CreateLogGroup; VPC Flow Logs writes to CloudWatch Logs through a role of its own",
			CreateWrites: n(5), DeleteWrites: n(3),
			List: 1, ListText: "1 DescribeFlowLogs",
		},
		{
			Kind:         blueprint.KindNetEndpoint,
			Create:       "1 CreateVpcEndpoint (TagSpecifications, ClientToken): a gateway with its RouteTableIds, an interface with its SubnetIds, SecurityGroupIds and PrivateDnsEnabled",
			Delete:       "1 DeleteVpcEndpoints + polls",
			Why:          "EC2 adds and removes a gateway endpoint's routes itself; an interface endpoint's network interfaces hold its subnets and groups until it is deleted",
			CreateWrites: n(1), DeleteWrites: n(1),
			ListText: "DescribeVpcEndpoints (a poll operation)",
		},
		{
			Kind:         blueprint.KindInstanceRole,
			Create:       "1 CreateRole (Tags) + 1 PutRolePolicy + 1 CreateInstanceProfile (Tags) + 1 AddRoleToInstanceProfile",
			Delete:       "1 RemoveRoleFromInstanceProfile + 1 DeleteInstanceProfile + 1 DeleteRolePolicy + 1 DeleteRole",
			Why:          "IAM makes a role, its inline policy and its instance profile one call each, and deletes them in reverse",
			CreateWrites: n(4), DeleteWrites: n(4),
			List: 1, ListText: "ListRoles (PathPrefix) and the roles' policies and tags (IAM has no tag filter)",
		},
		{
			Kind:   blueprint.KindRouteTable,
			Create: "1 CreateRouteTable (TagSpecifications) + *n* CreateRoute + 1 AssociateRouteTable",
			Delete: "1 DisassociateRouteTable + 1 DeleteRouteTable",
			Why:    "no call creates several routes; the routes go with the table; a new subnet has only the main table's implicit association, which AssociateRouteTable replaces",
			CreateWrites: func(r *blueprint.Resource) int {
				return 2 + len(r.RouteTable.Routes)
			},
			DeleteWrites: n(2),
			List:         1, ListText: "1 DescribeRouteTables",
		},
		{
			Kind:         blueprint.KindSecurityGroup,
			Create:       "1 CreateSecurityGroup (TagSpecifications) + 1 RevokeSecurityGroupEgress of the default allow-all rule",
			Delete:       "1 DeleteSecurityGroup",
			Why:          "the outbound rules belong to the group's rule set; the rules go with the group",
			CreateWrites: n(2), DeleteWrites: n(1),
			List: 1, ListText: "1 DescribeSecurityGroups by the Nets' ids (every group of the Nets; by the deployment's tag while there is no Net), whose answer the rule sets and the Nets' default groups share in a refresh",
		},
		{
			Kind:   blueprint.KindSecurityGroupRules,
			Create: "1 AuthorizeSecurityGroupIngress + 1 AuthorizeSecurityGroupEgress (each when the direction has rules, all its permissions in one call) + 1 CreateTags (the rule set's ownership tags on its group)",
			Delete: "when the group goes too (a destroy): 1 RevokeSecurityGroupIngress + 1 RevokeSecurityGroupEgress, each only when the direction has a rule that names another group; else the same for every rule + 1 DeleteTags",
			Why:    "one call per group and direction; a rule set without rules still needs a resource to carry its tags; EC2 refuses to delete a group that another group's rule names (DependencyViolation), the other rules go with their group",
			CreateWrites: func(r *blueprint.Resource) int {
				s := r.SecurityGroupRules
				return 1 + one(len(s.Inbound) > 0) + one(len(s.Outbound) > 0)
			},
			DeleteWrites: namingOthers,
			List:         1, ListText: "1 DescribeSecurityGroupRules (filtered by the ids of all the groups carrying rule sets); the groups come from the security groups' DescribeSecurityGroups, shared in a refresh",
		},
		{
			Kind:   blueprint.KindNetworkACL,
			Create: "1 CreateNetworkAcl (TagSpecifications) + *e* CreateNetworkAclEntry (both directions) + *m* ReplaceNetworkAclAssociation; 1 DescribeNetworkAcls for the subnets' associations",
			Delete: "*m* ReplaceNetworkAclAssociation (back to the default ACL) + 1 DeleteNetworkAcl; 1 DescribeNetworkAcls for the default ACL",
			Why:    "one entry per call; an association is replaced, never created, and its id is in no create answer",
			CreateWrites: func(r *blueprint.Resource) int {
				a := r.NetworkACL
				return 1 + len(a.Inbound) + len(a.Outbound) + len(a.Subnets)
			},
			CreateReads:  n(1),
			DeleteWrites: func(r *blueprint.Resource) int { return 1 + len(r.NetworkACL.Subnets) },
			DeleteReads:  n(1),
			List:         1, ListText: "1 DescribeNetworkAcls",
		},
		{
			Kind:   blueprint.KindLoadBalancer,
			Create: "1 CreateLoadBalancer (Subnets, SecurityGroups, Tags) + 1 ModifyLoadBalancerAttributes (the secure defaults) + 1 CreateTargetGroup (health check, Tags) + *l* CreateListener (default action, Tags) + polls",
			Delete: "1 ModifyLoadBalancerAttributes (lift the deletion protection) when protected + 1 DeleteLoadBalancer (its listeners go with it) + polls + 1 DeleteTargetGroup",
			Why:    "a target group is deleted once no listener uses it",
			CreateWrites: func(r *blueprint.Resource) int {
				return 3 + len(r.LoadBalancer.Listeners)
			},
			DeleteWrites: func(r *blueprint.Resource) int { return 2 + one(!r.LoadBalancer.AllowDeletion) },
			List:         2, ListEach: 2,
			ListText: "DescribeLoadBalancers (a poll operation) + 1 DescribeTags per 20 balancers + 1 DescribeTargetGroups per 400 target groups of the account (one answer for the balancers and the clusters in a refresh); " +
				"per balancer 1 DescribeListeners + 1 DescribeLoadBalancerAttributes, as each takes one balancer (DescribeListeners also takes listener ARNs, which only this read finds)",
		},
		{
			Kind:   blueprint.KindCluster,
			Create: "1 DescribeImages (the image's root device, encrypted) + 1 CreateLaunchTemplate (TagSpecifications) + 1 CreateAutoScalingGroup (Tags, TargetGroupARNs), + 1 PutScalingPolicy with a policy",
			Delete: "1 DeleteAutoScalingGroup (ForceDelete) + polls + 1 DeleteLaunchTemplate",
			Why:    "target groups attach in the create",
			CreateWrites: func(r *blueprint.Resource) int {
				return 2 + one(r.Cluster.Scaling != nil)
			},
			CreateReads:  n(1),
			DeleteWrites: n(2),
			List:         3,
			ListText: "DescribeAutoScalingGroups (a poll operation) + 1 DescribeLaunchTemplates + 1 DescribePolicies per 50 clusters (by policy name) + 1 DescribeLaunchTemplateVersions " +
				"of the account's latest versions per 200 templates (one template's by its id; in an account of more templates, after half as many pages as clusters, one call per template not yet found); " +
				"with balancers, the target groups come from the balancers' read",
		},
		{
			Kind:         blueprint.KindDatabase,
			Create:       "1 CreateDBSubnetGroup (Tags) + 1 CreateDBInstance (Tags, DeletionProtection) + polls",
			Delete:       "1 ModifyDBInstance (lift the deletion protection, applied immediately) + 1 DeleteDBInstance + polls + 1 DeleteDBSubnetGroup",
			Why:          "the protection is lifted only on a delete the caller allowed",
			CreateWrites: n(2), DeleteWrites: n(3),
			List: 1, ListText: "DescribeDBInstances (a poll operation; one answer for the databases and their read replicas in a refresh) + 1 DescribeDBSubnetGroups",
		},
		{
			Kind:         blueprint.KindDatabaseReplica,
			Create:       "1 CreateDBInstanceReadReplica (Tags) + polls",
			Delete:       "1 DeleteDBInstance + polls",
			CreateWrites: n(1), DeleteWrites: n(1),
			ListText: "DescribeDBInstances (a poll operation), the databases' answer, shared in a refresh",
		},
		{
			Kind: blueprint.KindCache,
			Create: "1 DescribeSubnets (the zones to place the nodes in) + 1 CreateCacheSubnetGroup (Tags) + 1 CreateReplicationGroup (Redis: Tags, NodeGroupConfiguration) " +
				"or 1 CreateCacheCluster (Memcached) + polls",
			Delete:       "1 DeleteReplicationGroup (FinalSnapshotIdentifier) or 1 DeleteCacheCluster + 1 DeleteCacheSubnetGroup (retried while the cache goes)",
			Why:          "a Redis cache goes only on a delete the caller allowed: ElastiCache has no deletion protection of its own",
			CreateWrites: n(2), CreateReads: n(1), DeleteWrites: n(2),
			List: 2, ListEach: 3,
			ListText: "DescribeReplicationGroups (a poll operation) + 1 DescribeCacheClusters + 1 DescribeCacheSubnetGroups; per cache 1 ListTagsForResource + 1 DescribeCacheClusters (its first member's groups) + 1 DescribeCacheSubnetGroups",
		},
		{
			Kind: blueprint.KindBroker,
			Create: "1 ListBrokers (a broker of its name an earlier run made) + 1 GetSecretValue (a secret it left) + 1 CreateSecret (Tags; the password drawn by the driver) " +
				"+ 1 CreateBroker (Tags, CreatorRequestId, the password read from the secret) + polls",
			Delete:       "1 DeleteBroker + polls + 1 DeleteSecret (ForceDeleteWithoutRecovery)",
			Why:          "the password is made and kept in Secrets Manager, never in the plan; a broker goes only on a delete the caller allowed: Amazon MQ has no deletion protection of its own",
			CreateWrites: n(2), CreateReads: n(2), DeleteWrites: n(2),
			List: 2, ListText: "1 ListBrokers + 1 ListSecrets (the secrets of brokers never made); per broker 1 DescribeBroker (a poll operation: its tags)",
		},
	},
}

// ownBackupRole is the writes of the role archkit makes for a backup
// plan that names none: 2 (CreateRole, AttachRolePolicy; or, to delete,
// DetachRolePolicy, DeleteRole), 0 for the user's role.
func ownBackupRole(r *blueprint.Resource) int {
	if r.BackupPlan != nil && r.BackupPlan.Role == "" {
		return 2
	}
	return 0
}
