// Package provider is archkit's engine: the [Engine] that plans, applies,
// destroys and checks the drift of Blueprints (package pattern/blueprint)
// over any driver. The contract a cloud implements, [driver.Driver], is in
// package provider/driver, which the drivers (provider/fake, provider/aws,
// provider/outscale) import without this package.
//
// One create crosses these files: plan.go and match.go (what to do),
// graph.go (in which order), scheduler.go (who runs when), run.go (the
// driver calls, retries and waits), result.go (what was done); apply.go,
// destroy.go and drift.go are the entry points, events.go and render.go
// the reporting, ratelimit.go and retry.go the pacing, lock.go the
// deployment lock.
//
// # The cloud is the state
//
// Every resource the engine creates carries the ownership tags
// [driver.TagDeployment] and [driver.TagLogicalID]. [Engine.Plan] lists what exists by
// those tags (one List per kind, nets first so the other lists are scoped
// by their ids), compares it with the Blueprint and returns a [Changeset]:
//
//	Plan for shop on fake: 1 to create, 1 to update, 1 to replace, 1 to delete, 20 unchanged.
//	! 1 stateful resource(s) would lose their data: database/db
//	+ create subnet/web/c
//	~ update security_group_rules/app: inbound: + tcp 8080 from security_group/web
//	-/+ replace subnet/db/a (cidr changed: forces replacement), delete first
//	      cidr: 10.0.2.0/24 -> 10.0.3.0/24 (forces replacement)
//	-/+ replace database/db (subnet/db/a replaced first: forces replacement), delete first
//	      subnets: - subnet/db/a; + subnet/db/a (new)
//	      ! stateful: its data is lost; Apply refuses unless AllowDataLoss names database/db
//	- delete nat_gateway/b (not in the blueprint)
//
// There is no state file to lose: an apply interrupted at any step
// converges when it runs again, a create retried within a run finds what
// its earlier attempt made, and an unchanged Blueprint makes zero write
// calls. That holds only if the tags select exactly one deployment, if one
// run writes at a time, and if a repeated create never makes a second
// resource; the three sections below say how.
//
// # Names
//
// A deployment name is checked by [blueprint.CheckDeployment] at every
// entry point (Build, Plan, Apply, Drift, Destroy, Lock, and each driver's
// List) before any call: lowercase letters, digits and '-', at most
// [blueprint.MaxDeploymentLen] (115) characters. AWS tag filters read '*'
// and '?' as wildcards: Destroy("s*") would otherwise select the
// deployment "shop". Drivers also escape the name in their filters and
// compare the tag exactly.
//
// # One writer at a time: the deployment lock
//
// Apply and Destroy write under the deployment's lock ([Engine.Lock]), an
// object in the cloud itself that the cloud refuses to create twice
// ([driver.Locker]: an empty EC2 launch template named
// "archkit-lock-<deployment>" on AWS, a keypair of that name on OUTSCALE),
// carrying its holder (host, process, start, a random holder id) and the
// end of its lease in tags. No state file and no service to run:
//
//   - Apply plans first without it. With nothing to change, it writes
//     nothing, not even the lock. Otherwise it takes the lock, plans again
//     under it (another run may have written meanwhile), applies, and
//     releases the lock, on success and on failure. Plan, Drift and a dry
//     run never take it.
//   - A second run of the same deployment fails at once with a
//     [*LockedError] (errors.Is(err, [ErrLocked])) naming the holder and
//     the end of its lease, or, with LockOptions.Wait, polls until the lock
//     is free, then plans again and usually finds nothing left to do.
//   - The holder renews the lease every LockOptions.Renew (default 1
//     minute) by rewriting the expiry tag of its own lock object, by id.
//     When a renewal finds the object gone (broken, taken over), or when
//     no renewal succeeded for Lease minus Renew, the run stops at once:
//     its context is cancelled with [ErrLockLost].
//   - When the holder dies (killed, crashed, disconnected), its renewals
//     stop and the lock stays until its lease ends: a crashed run blocks
//     the next one for at most LockOptions.Lease, 5 minutes by default
//     (plus the clock difference of the two hosts), after which the next
//     run takes it over, with a notice event. Five minutes is four missed
//     renewals: a live holder keeps its lock through a few minutes of
//     throttling or of a lost connection (one renewal can take the AWS
//     SDK's eight attempts, up to 20 s apart), while a crash delays the
//     next run by minutes, not hours. Set Lease to trade one for the other.
//   - LockOptions.Break breaks a lock on purpose, naming its holder id (or
//     the lock object's id) as the LockedError prints it: a lock held by
//     someone else is never broken by mistake.
//   - Release deletes the lock object by its id, so a breaker never
//     deletes the newer lock of the run that took over. When the delete
//     fails, the lock is expired instead, and the error says so.
//
// # Idempotency per life
//
// A client token belongs to one life of a resource: the engine builds it
// from the deployment, the logical id and the run's life (the provider id
// of the run's lock object, new at every acquisition, and a run number;
// [driver.Token]), and sets it as the archkit:token tag too. Retries within
// a run share the token, so a create whose answer was lost is found again
// by its token or its tags; the next run has new tokens, so apply,
// destroy, apply never meets a token whose resource was deleted (AWS
// answers a RunInstances token with the terminated instance for at least
// 24 hours). Across runs, what an interrupted run made is found by its
// ownership tags, set by the create call itself on AWS and adopted by the
// OUTSCALE driver when it could not be tagged. When duplicates of a
// logical id exist anyway, the plan keeps the one that holds dependents
// (other resources refer to it), deletes the empty one and says so in its
// reason: "duplicate of vpc-0a1..., which is kept: it holds 18
// dependents, this one 1".
//
// # Addresses come from the cloud
//
// Plan, Apply and Drift take a [Source]: a Blueprint, applied as it is, or
// an architecture (a *pattern.Architecture) that the engine builds around
// what is deployed. The engine lists the deployment once, hands the
// deployed Nets' and subnets' ranges ([blueprint.Existing]) to
// Source.BuildAround, and plans the Blueprint it gets back against that
// same listing. The architecture pins every deployed subnet to its range,
// so adding or removing tiers or zones never moves one; a removed tier's
// subnets keep their range until the apply deletes them, and new subnets
// take free space. A program keeps nothing between runs:
//
//	arch := pattern.WebApp(pattern.WebAppOptions{Name: "shop"})
//	res, err := eng.Apply(ctx, arch) // first run: everything created
//	arch.Zones = []string{"a", "b", "c"}
//	res, err = eng.Apply(ctx, arch) // zone c created, the rest updated in place
//
// # In place first, data never lost by surprise
//
// Each [Change] says how it is made ([Class]): created, updated in place,
// replaced create-before-destroy or delete-first, deleted. A field the
// driver lists in [driver.Capabilities.Mutable] is updated in place,
// unless the driver's [driver.Replacer] says this value cannot be (RDS
// shrinks no storage and downgrades no engine). Stateful resources
// ([blueprint.Resource.IsStateful]: databases, clusters that are not
// Stateless) are marked; a destructive change of one (a replace, forced
// by a field or by a dependency replaced delete-first, or a delete) makes
// Apply return a [*ProtectedError] (errors.Is(err, [ErrProtected])) before
// its first write, naming each resource, what forces it and the opt-in:
// [ApplyOptions.AllowDataLoss], per resource and per run. [Engine.Destroy]
// does the same with [DestroyOptions]. A delete the caller allowed lifts
// the cloud's deletion protection (RDS DeletionProtection, OUTSCALE VM
// DeletionProtection) and takes a final snapshot where the cloud has one
// ([driver.DeleteOptions]).
//
// # Comparison
//
// The desired resource's refs are compared in logical-id space (observed
// refs are mapped back through the tags), zones are mapped to the
// provider's ("a" -> "eu-west-2a"), both sides are normalized (rules,
// routes, listeners and reference lists sorted; rule descriptions and the
// driver's write-only fields ignored) and diffed by JSON field name. A
// changed field the driver lists in [driver.Capabilities.Mutable] is an update;
// any other change replaces the resource.
//
// A replace creates the new resource before deleting the old one, except
// for nets, subnets, internet gateways, security groups and their rules,
// and load balancers: a new subnet with the same CIDR would conflict with
// the old one, and group and balancer names are unique. Those are deleted
// first, and everything that refers to them is replaced with them. A
// database is made anew before the old one goes (it gets a new
// identifier), unless it sits on a subnet replaced delete-first.
//
// # Apply
//
// [Engine.Apply] runs the changeset over the dependency graph: a resource
// starts as soon as its dependencies are done, within [Options.Parallelism]
// and the client-side rate limit. Retryable errors ([driver.IsRetryable])
// are retried with exponential backoff and full jitter; an asynchronous
// resource (Create returned Ready false) is polled until ready. Removed
// resources are deleted last, in reverse dependency order. A failure stops
// only what depends on it; the returned error joins every failure.
//
// # Rate limits
//
// The engine paces API requests the way the cloud meters them, with the
// token buckets it documents ([Options.RateLimits], package ratelimit):
// on AWS a bucket per EC2 action (mutating: 50 tokens refilled at 5 a
// second; non-mutating: 100 at 20), and per account for ELBv2, Auto
// Scaling and RDS; on OUTSCALE one per account (10 at 5 a second). The
// driver reports each request it sends, retries included, to the
// engine's limiter, which it finds in the context: one layer, in the
// buckets the cloud would refuse the request from. An apply takes at
// least the time its requests need to fit in their buckets
// ([ratelimit.Limiter.Bound]): 200 subnets on AWS, 50 at once then 5 a
// second, take 30 s. Engines that work in one account and region should
// share one [ratelimit.Limiter] ([Options.Limiter]).
//
// # One retry layer
//
// A call is retried by the driver or by the engine, never by both (see
// [driver.Driver]). The worst case of calls for one create that the cloud
// throttles every time:
//
//	driver            who retries                      calls, by default
//	provider/aws      the SDK's retryer                8 (the aws.Config's own setting when it has one)
//	provider/outscale the driver's call loop           6 (outscale.Options.MaxAttempts)
//	provider/fake     the engine ([Options.Retry])     8 (Options.Retry.MaxAttempts)
//
// Before, the AWS and OUTSCALE drivers handed their exhausted throttles
// back as retryable and the engine tried 8 more times: up to 64 and 48
// calls. Each bound is a test that counts the calls (against moto, the
// OUTSCALE test server and the fake).
//
// # Capabilities
//
// A Blueprint holding a kind the driver lists in
// [driver.Capabilities.Unsupported] is refused before any call, naming the
// resource, the reason and the fix, unless [Options.AllowFallback]:
// network ACLs are then dropped (the security groups enforce the same flows)
// and databases are built as their fallback cluster, each reported as a
// notice. A field the driver lists in [driver.Capabilities.UnsupportedFields] is
// handled the same way: a cluster with a scaling policy is refused by a
// driver without autoscaling ("cluster/app: cluster.scaling not supported
// by outscale (...); set AllowFallback to keep the nodes at desired (2),
// or remove the cluster's Scaling"), or built without the policy, at
// Desired nodes, with AllowFallback.
//
// # Preflight
//
// Before its first write, and in Plan so that a dry run shows it, the
// engine checks the Blueprint (adapted to the driver, its zones mapped)
// against the driver, and reports every problem at once:
//
//   - the deployment name: every tag value the engine writes fits (255
//     characters, OUTSCALE's limit; AWS takes 256), no wildcard of the
//     clouds' tag filters;
//   - each resource's values: [blueprint.Resource.Check] (names and
//     descriptions, CIDR blocks, ports, protocols, entry numbers,
//     duplicates, health-check and scaling ranges, RDS's rules) and the
//     driver's own [driver.Checker] when it has one;
//   - the driver's Profile: Net and subnet prefix bounds, reserved
//     addresses, private ranges, the smallest load balancer subnet, and
//     every quota (subnets, route tables with the main one, routes, network
//     ACLs with the default one and their entries with the implicit deny,
//     security groups with the default one, rules per group and direction,
//     groups per interface, NAT gateways per zone; Nets, public IPs, load
//     balancers, listeners and database instances per region);
//   - the references: kinds, one Net per service, one subnet per zone and
//     the zones a load balancer or a DB subnet group needs, one gateway per
//     Net, one route table and one network ACL per subnet, unique names.
//
// Each problem is a [*Problem] naming the resource, the field, the limit
// with its source and the fix; all match [ErrPreflight] and driver.ErrInvalid
// or, for a quota, driver.ErrQuota:
//
//	provider: preflight: net/main: 202 subnets, over the aws quota of 200 (profile aws, Quotas.SubnetsPerNet); use fewer subnets or raise the quota in the profile
//
// The quotas of a region are checked against the deployment's own
// resources: other deployments of the account use the same quotas, and
// the preflight does not list them. Every refusal of the fake is caught
// first (the fake's own figures are its Profile's), and a Blueprint that
// passes the preflight applies on the fake without an error: the table of
// TestRefusalsCaughtFirst and the property tests of parity_test.go hold it.
//
// # Progress and secrets
//
// Every step of every resource is an [Event] sent to [Options.OnEvent] and
// logged with log/slog under stable keys (LogKeyKind ...). [Renderer]
// prints them as progress lines. User data never appears in events, logs
// or errors: the engine redacts it from everything it reports.
package provider
