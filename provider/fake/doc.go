// Package fake is an in-memory [driver.Driver] that behaves like the
// clouds archkit drives, so that infrastructure code can be unit-tested
// without an account: it validates requests as AWS and OUTSCALE do, refuses
// to delete what is still in use, keeps NAT gateways, load balancers and
// databases pending for a while, keeps the clouds' client token rules,
// reads tag filters with AWS's wildcards, keeps the deployment lock, and
// maps every failure to a [*driver.Error] with the right [driver.Code].
// It passes the conformance suite of package providertest, like the real
// drivers.
// Each kind is one entry of kinds.go (id prefix, validation, where it
// lives, what stops its delete, fields changed in place, state words) and
// its validation is in the kind's own file. The fake has no retry layer:
// an injected throttle is Retryable, and the engine's retries are the
// only ones.
//
// Its [driver.Capabilities] say it is Local: an engine on it needs no
// option to be fast (no client-side rate limit, millisecond polls and
// retries), where a cloud driver gets the defaults a cloud needs.
//
//	eng := provider.NewEngine(fake.New()) // the three-tier Net applied in milliseconds
//
//	d := fake.New()                       // AWS-like: ids "vpc-0…", every kind supported
//	d := fake.New(fake.Outscale)          // OUTSCALE-like: ids "vpc-1a2b3c4d", no network ACL, no database, no autoscaling
//	d := fake.New(func(o *fake.Options) { o.PendingReads = 3; o.Latency = time.Millisecond })
//
// # Several regions
//
// A Driver made by New is one region of an account of its own. The
// regions of one [Account] see each other, as those of an AWS account do:
// the sides of a Net peering (kind net_peering) requested in one region
// and accepted in another are one connection, with AWS's rules (Nets
// that overlap are refused, the connection is pending until the
// accepter's region accepts it, a route targets it once active, two Nets
// hold one connection; deleting either side ends both), or OUTSCALE's
// with [Outscale] (the Nets of one region only, accepted at once).
//
//	acct := fake.NewAccount()
//	primary, recovery := acct.Region("eu-west-3"), acct.Region("eu-west-1")
//	fleet, err := provider.NewFleet(map[string]driver.Driver{"eu-west-3": primary, "eu-west-1": recovery})
//
// # Testing with it
//
// Beyond the Driver interface, a Driver offers what tests need:
//
//   - faults: [Driver.FailWrite] fails the k-th write (to show that an
//     apply interrupted at any step converges when run again),
//     [Driver.FailOn] fails an operation on a kind, [Driver.Throttle]
//     throttles a seeded fraction of calls, [Driver.SetLatency] slows every
//     call, and [Driver.Inject] takes a [Fault] for the rest, including a
//     Create that takes effect but whose response is lost (AfterEffect);
//   - a call log: [Driver.Calls], [Driver.Counts] (an apply of an unchanged
//     Blueprint must count zero writes; the lock's calls are counted apart,
//     in Counts.Locks), [Driver.ResetCalls]; [Driver.Locks] shows the lock
//     objects;
//   - state: [Driver.Snapshot] (per kind, the resources by logical id,
//     comparable between runs), [Driver.Resources];
//   - changes made outside archkit, for drift tests: [Driver.Mutate],
//     [Driver.MutateTags], [Driver.DeleteOutside], and [Driver.AddForeign],
//     a hand-made instance or network interface that blocks a delete;
//   - a node failing its load balancer's health check, for tests of
//     Engine.Reconcile: [Driver.FailHealthCheck] (as AWS the autoscaling
//     group replaces it; as OUTSCALE a pass does);
//   - assertions for testing.T and testify: [AssertAllows] and
//     [AssertDenies], which follow a connection from a security group to
//     another or to the internet through the groups, the routes, the NAT
//     gateways and every network ACL on the way, both ways, as AWS
//     evaluates them ([Driver.Allows]), [AssertCount], [AssertExists],
//     [AssertNoLeaks].
//
// # What the fake checks
//
// Every value a cloud refuses whatever else exists is checked first by
// [blueprint.Resource.Check] (names and descriptions, CIDR blocks with host
// bits, ports, protocols, entry numbers, duplicates, health-check and
// scaling ranges, RDS's rules) and by [Driver.Check] (AWS style: a load
// balancer name beginning with "internal-"), Code Invalid. Then, against
// what is stored and the [netplan.Profile], exactly the profile's figures:
//
//   - Nets: a prefix length within the bounds, a private range when
//     Profile.PrivateNets, Quotas.NetsPerRegion;
//   - subnets: inside their Net, in a known zone, overlapping no other
//     subnet of the Net, Quotas.SubnetsPerNet;
//   - internet gateways: one per Net; public IPs: a known zone,
//     Quotas.PublicIPsPerRegion; NAT gateways: an unused public IP, the
//     subnet's zone, a Net with an internet gateway, Quotas.NATsPerZone;
//   - VPN gateways: one per Net; customer gateways: one per address; VPN
//     connections: existing gateways, one per pair; a gateway is not
//     deleted while a connection names it;
//   - key pairs: a public key both clouds import (a private key refused),
//     a name unique in the region; a key pair is not deleted while a
//     cluster names it (neither cloud stops that delete: the fake is
//     stricter, so that a plan deleting a key pair still in use fails in
//     tests);
//   - route tables: one per subnet, targets of the declared kind in the
//     same Net, Quotas.RoutesPerTable and RouteTablesPerNet (the main
//     table counts);
//   - security groups: a name unique in the Net, Quotas.GroupsPerNet (the
//     default group counts); rule sets: one per group, groups of the same
//     Net, Quotas.InboundRulesPerGroup and OutboundRulesPerGroup;
//   - network ACLs: subnets of the Net guarded by no other ACL,
//     Quotas.RulesPerACL (the implicit deny counts) and ACLsPerNet (the
//     default ACL counts);
//   - load balancers: subnets of one Net in two zones (one for a network
//     load balancer), each no smaller than Profile.BalancerSubnetMax, an
//     internet gateway for an internet-facing one, a name unique in the
//     region, Quotas.ListenersPerBalancer and LoadBalancersPerRegion;
//   - clusters: subnets of one Net, existing load balancers; databases: a
//     subnet group of one Net over two zones, Quotas.DatabasesPerRegion
//     (read replicas count); read replicas: a source with backups, 15 at
//     most per source; caches: ElastiCache's rules (blueprint's cache
//     check: node types, versions, 1-6 Redis nodes, failover with a
//     replica, Multi-AZ over two zones), a cache subnet group of one Net,
//     and in place only what ElastiCache changes (inplace.ElastiCache);
//     brokers: Amazon MQ's rules (blueprint's broker check: RabbitMQ 3.13
//     or 4.2, instance types by version, mq.t3.micro single-instance only,
//     one subnet for a single instance), subnets of one Net in distinct
//     zones, in place only what UpdateBroker changes (inplace.AmazonMQ);
//     a broker reports its secret (BrokerSecretARN) in Parts["secret"];
//   - security groups of a service: of its Net, Quotas.GroupsPerInterface.
//
// Every reference must name an existing resource of the right kind (Code
// NotFound otherwise). The engine's preflight (package provider) finds
// each of these refusals before the first write: the table of
// TestRefusalsCaughtFirst in package provider lists them with where each
// is caught.
//
// Delete refuses (Code Dependency, with [driver.Blocker]s) a Net with
// anything left in it; a subnet holding a NAT gateway, route table,
// network ACL, load balancer, cluster, database or foreign resource; an
// internet gateway while NAT gateways use its Net; a public IP used by a
// NAT gateway; a security group named by another group's rules or used by
// a load balancer, cluster or database; a load balancer a cluster uses.
//
// # Changes and data, as the cloud it mimics
//
// Options.Cloud (set by [Outscale]) chooses whose rules hold where AWS and
// OUTSCALE differ. Update changes in place exactly the fields the cloud's
// driver does (the same Capabilities().Mutable; a test compares them) and
// refuses the rest (Code Invalid); [Driver.Replaces] reports, as the
// drivers do, the values a mutable field cannot take: on AWS, RDS neither
// shrinks storage, nor grows it by less than 10%, nor downgrades an
// engine; on OUTSCALE, a stateful cluster's VMs never change subnet. A
// database runs where RDS would put it: its primary in the subnet of its
// first zone, a Multi-AZ standby in the next; its subnet group keeps the
// primary's subnet (Code Dependency otherwise, as RDS's SubnetAlreadyInUse)
// and a standby whose subnet goes moves to another zone. Backups stay on
// while read replicas need them; a read replica needs a source with
// backups, at most 15 per source.
//
// A Redis cache is protected as a database is (the AWS driver refuses its
// delete unless allowed) and leaves a final snapshot; a Memcached one is
// not. Every database has deletion protection (the AWS driver turns it on), and
// so do the VMs of a stateful cluster on OUTSCALE: Delete refuses them
// (Code Invalid) unless [driver.DeleteOptions].LiftProtection. A deleted
// database leaves a final snapshot named by [driver.FinalSnapshotName]
// and its automated backups, unless the options skip them; on OUTSCALE a
// stateful cluster leaves the final snapshots of its volumes (the driver
// stops the VMs, snapshots them, then deletes them):
// [Driver.DeletedDatabases] lists them for tests.
//
// # Where the fake differs from AWS and OUTSCALE
//
//   - Everything is immediate except the pending state, which ends after
//     Options.PendingReads Reads, not after a time; List does not advance
//     it. Deletes are immediate: nothing lingers in a "deleting" state.
//   - It is stricter than the clouds in a few places, so that code which
//     passes against it does not depend on a cloud's cleanup: deleting a
//     subnet that still has a route table or network ACL, or an internet
//     gateway while a NAT gateway of its Net exists, is refused (AWS
//     disassociates, or lets the NAT lose its route). A subnet already
//     guarded by a network ACL cannot join a second one (AWS moves it).
//   - It is more lenient elsewhere: images, instance types, certificates
//     and engine versions are not checked against a catalogue; quotas are
//     only those of the Profile; no capacity errors, no eventual
//     consistency: a Read right after a Create always finds the resource.
//     The quotas of a region count every resource of the Driver: one
//     Driver is one account in one region.
//   - Client tokens follow the clouds' rules. Only the kinds whose cloud
//     create takes one honour Request.Token (Options.ClientTokens: on AWS
//     CreateNatGateway, CreateRouteTable, CreateNetworkAcl and
//     CreateLaunchTemplate; on OUTSCALE CreateNatService and CreateVms).
//     A token is remembered for the fake's lifetime, even once its
//     resource is deleted, and a repeat is answered with the deleted
//     resource (Status "deleted", never ready): AWS documents that rule
//     for RunInstances ("valid for at least 24 hours after the termination
//     of the instance", EC2 API reference, Ensuring idempotency) and none
//     for the other actions, nor does OUTSCALE; the fake applies the
//     strictest to every kind that takes a token, so that code reusing a
//     token across lives is caught. The same token with another spec fails
//     with Code Invalid, as AWS's IdempotentParameterMismatch.
//   - Create first looks for what an earlier call made (same kind,
//     deployment, logical id and archkit:token tag), as the cloud drivers
//     describe before they create; the look-up and the create are two
//     steps, as two API calls are, so two concurrent Creates both make the
//     resource, as on AWS: the deployment lock keeps runs apart.
//   - Tag filters match with AWS's wildcards ('*', '?', '\' to escape);
//     List escapes the deployment name and compares the tag exactly, and
//     refuses a name [blueprint.CheckDeployment] refuses before the call
//     is made.
//   - The lock object of a deployment is an entry of the fake, unique by
//     name, with an id new at every creation ("lt-0…" or "key-…"), not a
//     resource: List, Resources and Snapshot never show it.
//   - A group without a rule set allows all outbound traffic, as a new AWS
//     group does; a rule set replaces that default. OUTSCALE groups behave
//     the same way here.
//   - Security group rules are one resource per group (the rule set), with
//     an id of its own ("sgr-…"); the clouds have one id per rule. Deleting
//     a group deletes its rule set.
//   - Load balancer ids are ARNs in the AWS style and names in the OUTSCALE
//     style; a cluster's instances are reported in Observed.Parts but are
//     not resources of their own.
//   - Nothing is written only: every field sent is read back as sent, user
//     data included (Capabilities().WriteOnly is empty); the secure
//     defaults of a spec (metadata options, volume encryption, deletion
//     protection...) are kept and read back, never acted on. A Net has no
//     default security group: KeepDefaultSecurityGroupRules is only kept.
//   - A customer gateway for an address another one has is refused (Code
//     AlreadyExists); AWS and OUTSCALE return the existing gateway when
//     the address and the ASN match.
//   - [Driver.Allows] follows a route to a VPN gateway when one of its
//     connections carries the destination: a static route that holds it,
//     or BGP, taken to announce whatever the route tables send it.
//   - [Driver.Allows] applies a network ACL entry to a peer only when the
//     entry's block holds the whole peer (a subnet, or 0.0.0.0/0 for the
//     internet): an entry that covers part of it is not counted, as if
//     absent.
package fake
