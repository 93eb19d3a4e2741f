// Package blueprint is archkit's resource model: the provider-neutral
// desired state of one deployment that package pattern builds and the
// engine (package provider) applies through a driver.
//
// A [Blueprint] lists [Resource]s, each with a stable logical id, a [Kind]
// and exactly one spec (a [NetSpec], a [SubnetSpec] ...). References
// between resources are [Ref]s: logical ids in a Blueprint, provider ids in
// what the engine hands to a driver and what a driver reports back.
//
// The package imports only netplan and tier, so that drivers know
// resources without knowing patterns: provider/driver and the drivers
// (provider/fake, provider/aws, provider/outscale) import it, never
// package pattern.
//
// # Names across clouds
//
//	archkit            AWS                                  OUTSCALE
//	Net                VPC                                  Net
//	zone               Availability Zone                    Subregion
//	subnet             Subnet                               Subnet
//	internet gateway   Internet Gateway (attach)            Internet Service (link)
//	NAT gateway        NAT Gateway + Elastic IP             NAT Service + Public IP
//	route table        Route Table (+ association)          Route Table (+ link)
//	security group     Security Group (group pairs)         Security Group (SecurityGroupsMembers)
//	network ACL        Network ACL                          none: security groups enforce
//	image              AMI                                  OMI
//	cluster            Launch Template + Auto Scaling Group VMs kept at the desired count
//	load balancer      ALB / NLB + target group + listener  LBU + listeners + health check
//	managed database   RDS (subnet group, Multi-AZ)         VMs (Database.Fallback cluster)
//	managed cache      ElastiCache replication group or     VMs (CacheSpec.Fallback cluster)
//	                   cache cluster (+ cache subnet group)
//	managed broker     Amazon MQ for RabbitMQ (+ Secrets    VMs (BrokerSpec.Fallback cluster)
//	                   Manager secret of its admin user)
//	instance role      IAM role + policy + instance profile none: EIM has no roles for VMs
//	flow log           VPC flow log (+ log group, role)     none
//	net endpoint       VPC endpoint (gateway, interface)    Net access point (OOS, route tables)
//	VPN appliance      none: VPC peering links regions      a VM running strongSwan (public IP,
//	                                                        source/dest check off): a link's spoke
//	backup vault       AWS Backup vault                     none: no snapshot scheduler
//	backup plan        AWS Backup plan + tag selection      none: CreateSnapshot only when called
package blueprint
