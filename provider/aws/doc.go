// Package aws is the AWS [driver.Driver] of archkit, on aws-sdk-go-v2:
// EC2 (VPC, subnets, internet gateway, Elastic IPs, NAT gateways, route
// tables, security groups and their rules, network ACLs, launch
// templates), Elastic Load Balancing v2 (ALB and NLB with a target group
// and listeners), Auto Scaling and RDS.
//
//	d, err := aws.New(ctx, func(o *aws.Options) { o.Region = "eu-west-3" })
//	if err != nil { ... }
//	res, err := provider.NewEngine(d).Apply(ctx, arch)
//
// [New] loads the SDK's default configuration (environment, shared
// config and credentials files, SSO, assumed roles); [NewFromConfig] takes
// an aws.Config. AWS_ENDPOINT_URL and its per-service forms
// (AWS_ENDPOINT_URL_EC2 ...) work through the SDK; [Options.BaseEndpoint]
// overrides them all.
//
// # Resources
//
// One file per kind. Every create carries the ownership tags in its
// TagSpecifications (sorted), so a resource made is a resource found, and
// first looks for what an earlier attempt of the same run made: by its
// tags (deployment, logical id and archkit:token, the token of this life)
// scoped to the VPC for EC2 resources, by subnet, state and tags checked
// here for NAT gateways (DescribeNatGateways on moto ignores tag filters),
// by name for load balancers and target groups (which must then carry the
// deployment's tags: one made by someone else is refused, never taken),
// launch templates, autoscaling groups and RDS (named from the request's
// token; a cluster or database an earlier run left incomplete keeps its
// first name). Tag filter values are escaped ('*' and '?' are wildcards in
// EC2 filters) and every match is compared exactly. Creates that take a
// client token get the request's Token. A Create that finds everything in
// place makes no write call.
//
// List refuses a deployment name blueprint.CheckDeployment refuses, before
// any call. Internet gateways are listed attached or not, so that one a
// run made but could not attach is found by the next, not duplicated.
//
// # The deployment lock
//
// The lock of a deployment ([driver.Locker]) is a launch template named
// "archkit-lock-<deployment>" (128 characters at most: the bound of
// deployment names), with no launch data: it launches nothing and costs
// nothing. Launch template names are unique per account and region, and
// CreateLaunchTemplate of a taken name fails with
// InvalidLaunchTemplateName.AlreadyExistsException, so of two runs exactly
// one gets it. The record (holder, lease) is in its TagSpecifications, set
// by the create itself; renewals rewrite the expiry with CreateTags on the
// template's id, after checking that this very template exists; release
// deletes it by id. The record is read with DescribeTags (moto reports, in
// DescribeLaunchTemplates, the tags of the creation only).
//
//   - net: a VPC with DNS support and DNS hostnames on, its default
//     security group emptied (EC2.2) unless KeepDefaultSecurityGroupRules,
//     which puts AWS's two rules back.
//   - subnet: MapPublicIpOnLaunch for public subnets; the tier is kept in
//     a tag. Prefixes outside /16-/28 are refused before any call.
//   - internet_gateway: created and attached.
//   - public_ip: an Elastic IP; Observed.ID is the allocation id.
//   - nat_gateway: public, with its Elastic IP; Create waits (SDK waiter,
//     bounded by [Options.WaitTimeout]) until it is available, and returns
//     Ready false if it is not by then.
//   - vpn_gateway: a virtual private gateway (ipsec.1, the ASN AWS picks)
//     created and attached to the VPC; Delete detaches it and deletes it,
//     retrying while AWS still detaches or a connection still uses it.
//   - customer_gateway: ipsec.1, the device's IpAddress and BgpAsn.
//   - vpn_connection: ipsec.1 between the two gateways, StaticRoutesOnly
//     unless BGP, and a CreateVpnConnectionRoute per static route
//     (changed in place). The connection is pending for minutes on AWS;
//     the engine waits. The tunnels' configuration (pre-shared keys) that
//     AWS returns is never kept. A connection read without options (moto)
//     reads as BGP.
//   - net_peering: one side of a VPC peering connection between two
//     regions. The requester's side finds the peer VPC by the deployment's
//     tags in the peer region ([Driver.PeerEC2]), waiting while that region
//     makes it, and calls CreateVpcPeeringConnection (PeerRegion, tags at
//     creation); the connection is pending until the accepter's side, in
//     its own region, finds the request, calls AcceptVpcPeeringConnection
//     and tags its side. The requester's side deletes it; the accepter's
//     waits a minute for that before deleting it itself. peer_net and
//     peer_cidr are write-only. moto shows the requester's tags in both
//     regions and keeps no CreateTags of the accepter's side. Between two
//     VPCs of the driver's own region (peer_region the driver's region,
//     pattern.MultiRegion.BuildOneRegion) there is one side, the
//     requester's: it finds the peer VPC with the driver's own client
//     (no PeerEC2 needed), calls CreateVpcPeeringConnection without PeerRegion
//     and accepts the connection itself, in the same region, once it is
//     pending acceptance; an accepter's side there is refused by Check.
//   - key_pair: ImportKeyPair of the public key (never a private one),
//     tagged; its provider id is its name, which the launch template's
//     KeyName takes; read back with DescribeKeyPairs IncludePublicKey.
//   - image_copy: CopyImage from another region's AMI (SourceRegion,
//     SourceImageId, ClientToken), tagged (moto ignores the call's tags),
//     waited on until available; the launch templates of the clusters
//     that start from it name the copy. Delete deregisters it and deletes
//     its snapshots.
//   - backup_vault: CreateBackupVault (BackupVaultTags, CreatorRequestId);
//     its provider id is its name. Stateful: a vault that holds recovery
//     points is deleted only with DeleteOptions.LiftProtection (the
//     caller's AllowDataLoss), its recovery points first
//     (DeleteRecoveryPoint), as DeleteBackupVault takes an empty vault only.
//   - backup_plan: CreateBackupPlan with one rule (the cron in UTC, the
//     lifecycle, a CopyAction per recovery region to the vault ARN of the
//     same account there), then CreateBackupSelection of the deployment's
//     EBS volumes tagged archkit:backup (Conditions StringEquals, ANDed)
//     with the spec's role or one the driver makes (trust
//     backup.amazonaws.com, AWSBackupServiceRolePolicyForBackup attached,
//     path /archkit/<deployment>/backup/). The selection is sent again,
//     for up to two minutes, while AWS Backup answers that it cannot
//     assume the role yet (IAM is eventually consistent); after that the
//     error names the role. Never changed in place; Delete
//     removes the selection, the plan and the role. moto serves no
//     selection and no AWS managed policy: see the conformance tests.
//   - database with ReplicaOf: a cross-region read replica
//     (CreateDBInstanceReadReplica with the source's ARN and
//     SourceRegion), promoted in place (PromoteReadReplica) when ReplicaOf
//     is cleared.
//   - route_table: routes to the internet gateway, a NAT gateway, the VPN
//     gateway (routes the gateway propagates are not the table's) or a VPC
//     peering connection (VpcPeeringConnectionId), and the
//     association with its subnet (moved with ReplaceRouteTableAssociation
//     when the subnet is associated elsewhere). Update reconciles both.
//   - security_group: the group alone; its rules, the default allow-all
//     egress rule included, belong to its security_group_rules resource.
//   - security_group_rules: the complete rule set of a group. Its ID is
//     "<group id>:rules" and its tags are kept on the group with the
//     prefix "archkit:rules:". Create and Update revoke by rule id every
//     rule not in the spec (the default egress rule too) and authorize the
//     missing ones, group pairs or CIDRs; descriptions are not compared.
//     Delete revokes every rule of the group.
//   - network_acl: a network ACL with numbered allow and deny entries (the
//     implicit deny 32767 is never reported), associated with its subnets
//     by ReplaceNetworkAclAssociation; Delete gives the subnets back to the
//     VPC's default ACL first.
//   - flow_log: a VPC flow log of all traffic (CreateFlowLogs with the
//     request's token), to CloudWatch Logs: the log group made first
//     (CreateLogGroup, PutRetentionPolicy: the spec's retention, 365 days
//     by default) and a delivery role the VPC flow logs service assumes,
//     with CreateLogStream, PutLogEvents, DescribeLogGroups and
//     DescribeLogStreams on that group only, under the path
//     "/archkit/<deployment>/flow-logs/"; or to an S3 bucket. Delete
//     removes the flow log and its role and keeps the log group (the
//     audit trail). IAM and CloudWatch Logs are not metered by
//     ratelimit.AWS.
//   - net_endpoint: a VPC endpoint to "com.amazonaws.<region>.<service>"
//     (CreateVpcEndpoint with the request's token and the tags): Gateway
//     with its RouteTableIds (EC2 adds the route from the service's prefix
//     list to the endpoint in each, and removes it; route tables read back
//     without those routes), Interface with its SubnetIds, SecurityGroupIds
//     and PrivateDnsEnabled. ModifyVpcEndpoint changes the route tables,
//     subnets, groups and private DNS in place; Delete waits until the
//     endpoint is gone (its network interfaces hold its subnets and
//     groups). A rule to a service's prefix list (RuleSpec.PrefixList)
//     names the AWS-managed list of the driver's region, found once with
//     DescribeManagedPrefixLists. moto 5.2 serves the endpoints, adds and
//     removes the routes of the tables given at create and at delete, but
//     not those ModifyVpcEndpoint adds or removes, and keeps no private DNS
//     change; it accepts two subnets of one zone.
//   - instance_role: an IAM role EC2 may assume, under the path
//     "/archkit/<deployment>/" (List reads ListRoles by that path and
//     compares the tags), its inline policy "archkit" (PutRolePolicy,
//     replaced whole in place) with the spec's statements filled in for
//     the driver's region and the role's account and partition, and an
//     instance profile of the same name holding it. Observed.ID is the
//     name, which the cluster's launch template names
//     (IamInstanceProfile). A statement for a database's secret names the
//     ARN of the master user secret RDS made (DescribeDBInstances
//     MasterUserSecret), one for a broker's secret the ARN of the secret
//     the driver made with the broker (its Parts["secret"]), each kept in
//     a role tag (added by TagRole when the grant comes in place) so a
//     read gives the database or the broker back. A role of that name that is not this resource's is refused
//     (AlreadyExists), never taken. IAM is eventually consistent: a new
//     profile may take seconds before Auto Scaling can launch with it,
//     which its launch retries absorb.
//   - load_balancer: ALB or NLB, a target group named like it with the
//     health check, and one listener per port (HTTPS with its certificate
//     ARN and the TLS policy, blueprint.DefaultTLSPolicy unless the spec
//     names one), each forwarding to the target group, or, for an HTTP
//     listener beside an HTTPS one, redirecting to it (301) unless
//     PlainHTTP; the attributes deletion_protection.enabled and, on an
//     ALB, routing.http.drop_invalid_header_fields.enabled, true unless
//     the spec opts out. Observed.ID is the load balancer's ARN;
//     Parts["target_group"] and Parts["listener"] hold the rest. Delete
//     lifts the deletion protection (the engine deletes only what the
//     caller's plan or Destroy deletes), removes listeners, the load
//     balancer (waiting until it is gone) and then the target group.
//   - cluster: a launch template (user data in Base64, tags propagated to
//     instances and volumes, IMDSv2 required with a hop limit of 1 and the
//     root volume, the image's root device found with DescribeImages,
//     encrypted, unless the spec opts out) and an autoscaling group over
//     the subnets,
//     attached to the target groups of its load balancers. Observed.ID is
//     the group's name; Parts["launch_template"] and Parts["instance"].
//     A Scaling policy is the group's TargetTrackingScaling policy on
//     ASGAverageCPUUtilization ("archkit-target-cpu-<group>"), put again
//     when it changes and deleted when it is removed.
//     Delete force-deletes the group, waits until it is gone, then deletes
//     the launch template.
//   - database: an RDS DB subnet group and instance (Multi-AZ, encryption,
//     backup retention, never publicly accessible, DeletionProtection on),
//     the master password managed by RDS in Secrets Manager
//     (ManageMasterUserPassword: archkit never sees it). Update changes it
//     in place: one ModifyDBInstance, applied immediately, and
//     ModifyDBSubnetGroup for its subnets ([Driver.Replaces] names the
//     values RDS cannot take in place). Delete goes ahead only with
//     driver.DeleteOptions.LiftProtection: it lifts the protection, takes
//     a final snapshot named by driver.FinalSnapshotName and keeps the
//     automated backups, unless the options skip them.
//   - database_replica: an RDS read replica of its source
//     (CreateDBInstanceReadReplica), in the source's subnet group with its
//     own security groups; no final snapshot when it goes.
//   - cache: an ElastiCache cache subnet group and, for Redis, a
//     replication group (one shard over the zones, automatic failover,
//     Multi-AZ, encryption in transit and at rest), for Memcached a cache
//     cluster spread over the zones (cache.go). A Redis cache is deleted
//     only with driver.DeleteOptions.LiftProtection, with a final snapshot
//     (FinalSnapshotIdentifier); ElastiCache has no deletion protection of
//     its own.
//   - broker: an Amazon MQ for RabbitMQ broker, not publicly accessible,
//     and the Secrets Manager secret of its administrative user, whose
//     password the driver draws and never shows (broker.go). A broker is
//     deleted only with driver.DeleteOptions.LiftProtection; its secret
//     goes with it.
//
// Fields AWS cannot report back are kept in tags prefixed "archkit:spec:"
// (the tier of a subnet, the zone of an Elastic IP, the requested engine
// version of a database), left out of Observed.Tags.
//
// # Errors and retries
//
// errors.go maps AWS error codes to [driver.Code] in one switch:
// *.NotFound and friends to NotFound; DependencyViolation,
// InvalidIPAddress.InUse and ResourceInUse to Dependency (with the
// network interfaces archkit does not own named in Blockers);
// *.Duplicate and *AlreadyExists to AlreadyExists; *LimitExceeded to
// Quota; RequestLimitExceeded and Throttling* to Throttled; Invalid* and
// ValidationError to Invalid; AuthFailure and UnauthorizedOperation to
// Auth; 5xx to Unavailable.
//
// The SDK's retryer is the driver's one retry layer: it retries throttling
// and 5xx, and the error that reaches the engine afterwards is not
// Retryable, so the engine does not retry it again. The exception are the
// calls a repeat could make twice or fail on (the creates, and the
// authorize, revoke, attach and associate calls): when their outcome is
// unknown (no answer came, or a 5xx), the SDK does not send them again
// (a middleware marks the error RetryableError false, which the SDK's
// retryers honour); the error is Retryable, and the engine's retry calls
// the driver again, which first looks up by tags what the lost call made.
// Throttles, which leave nothing behind, are still retried by the SDK. An
// authorize refused as InvalidPermission.Duplicate (or a revoke as
// InvalidPermission.NotFound) after a repeat of a retryer of the user's
// reads the group again and succeeds when the rules are as wanted. The retry settings of
// the user's aws.Config (a Retryer, a retry mode, a number of attempts,
// from code, AWS_RETRY_MODE, AWS_MAX_ATTEMPTS or the shared config file)
// are kept; only when none is set does the driver install its own:
// standard mode, 8 attempts, at most 20s between two, without the SDK's
// client-side retry quota (see [NewFromConfig]). Worst case, one
// persistently throttled create costs 8 calls with that default, the
// retryer's attempts otherwise (TestThrottledCreateCallBound counts them
// against moto). Deletes retry, up to [Options.WaitTimeout], while AWS
// still reports a dependency that is going away: an internet gateway
// whose VPC maps public addresses, an Elastic IP held by a NAT gateway
// being deleted, a target group whose listeners are being removed.
//
// # Testing against moto
//
// The tests run against moto_server (make test starts one and exports
// ARCHKIT_MOTO_ENDPOINT; otherwise TestMain starts one when moto_server is
// on PATH, and the tests skip without it, except with CI=true). Each test
// works in an account of its own (the x-moto-account-id header), so tests
// run in parallel on one server. moto 5.2 is less strict than AWS; the
// conformance suite's Harness declares these gaps:
//
//   - delete-subnet-in-use: a subnet holding a NAT gateway or instances
//     can be deleted.
//   - release-ip-in-use: an Elastic IP used by a NAT gateway can be
//     released.
//   - delete-sg-in-use: a security group named by another group's rules,
//     or used by instances, can be deleted.
//   - token-after-delete: moto ignores client tokens, so a create with
//     the token of a deleted resource makes a new one, where AWS answers
//     with the deleted one. (A repeated create within a run is closed by
//     the driver's look-up before each create.)
//   - db-subnet-group-one-zone: a database whose DB subnet group covers one
//     zone is created; AWS refuses it (DBSubnetGroupDoesNotCoverEnoughAZs).
//     Build and the engine's preflight refuse it before any call.
//   - cache-validation: CreateReplicationGroup takes automatic failover
//     with one node, Multi-AZ without failover, any node type or engine
//     version; Build, the preflight and the fake refuse them.
//   - cache-modify: ModifyReplicationGroup (and IncreaseReplicaCount,
//     DecreaseReplicaCount, ModifyCacheSubnetGroup) answer HTTP 500.
//   - cache-delete: DeleteReplicationGroup leaves the group "deleting" for
//     ever and takes no final snapshot; DeleteCacheSubnetGroup answers
//     HTTP 500. moto also ignores NodeGroupConfiguration's zones for a
//     one-shard group (it puts the primary in us-east-1a and replicas in
//     us-east-1b) and makes no member cache clusters.
//   - broker-validation: CreateBroker takes any engine version, instance
//     type, subnet count and subnets or groups; Build, the preflight and
//     the fake refuse what Amazon MQ refuses. moto also makes a broker
//     RUNNING at once (never CREATION_IN_PROGRESS), deletes it at once,
//     keeps no password for its users (so only the CreateBroker request
//     shows that the broker's user has the secret's password) and reports
//     no Pending* fields after UpdateBroker (it applies the change at once).
//
// moto also accepts any subnet prefix; the driver closes that with its own
// prefix check, so it is not declared. Other moto differences the driver works around:
// DescribeNatGateways ignores tag filters; DeleteNatGateway of an unknown
// id is a 500; a custom network ACL starts without the deny-all entries;
// CreateAutoScalingGroup and CreateDBSubnetGroup with an existing name
// replace silently, and CreateLoadBalancer makes a second balancer of the
// same name (the driver looks first); AssociateRouteTable of an
// associated subnet returns the old association; revoking a group-pair
// rule without its description fails (the driver revokes by rule id);
// moto keeps the tags of deleted resources in DescribeTags. Dependency
// violations, pending states and throttling are tested with fakes and
// middleware instead.
package aws
