// Package osctest is an in-memory OUTSCALE API (OAPI) served over HTTP on
// 127.0.0.1, for testing code written with github.com/outscale/osc-sdk-go/v2
// without an account.
//
// Every request and every response is validated against the OpenAPI
// description shipped inside the SDK module (api/openapi.yaml), with
// kin-openapi. A request the real API would reject for its shape (a wrong
// type, an unknown field, a missing required field) gets OUTSCALE's 400 error
// body and is recorded; a response that does not match the description is a
// bug of this server and is recorded too. [New] registers a cleanup that
// fails the test when anything was recorded ([Server.Violations]).
//
//	s := osctest.New(t)
//	cfg := osc.NewConfiguration()
//	cfg.Servers = osc.ServerConfigurations{{URL: s.URL()}} // http://127.0.0.1:PORT/api/v1
//	ctx := context.WithValue(t.Context(), osc.ContextAWSv4, osc.AWSv4{AccessKey: "AK", SecretKey: "SK"})
//	client := osc.NewAPIClient(cfg)
//
// The description is found through OSCTEST_OPENAPI, else the SDK version
// linked into the binary and the module cache, else `go list -m`; loading it
// takes about half a second once per process.
//
// # What it reproduces
//
//   - POST /api/v1/<Operation> (any path prefix) with a JSON body; a request
//     without an Authorization header gets 401 (the signature is not checked).
//   - Error bodies {"Errors":[{"Code","Type","Details"}],"ResponseContext":{"RequestId"}}
//     with OUTSCALE's statuses: 400 InvalidParameter / MissingParameter /
//     InvalidParameterValue / InvalidResource (unknown id), 409 ResourceConflict,
//     429 code 24 and 503 code 6 for throttling, 500 code 2000. The codes are
//     listed in errors.go; those without a public source are marked "chosen".
//   - Ids of the form vpc-, subnet-, igw-, eipalloc-, eipassoc-, nat-, rtb-,
//     rtbassoc-, sg-, i-, r- followed by 8 hex digits from one counter, so a
//     test that makes the same calls gets the same ids.
//   - A new Net gets a main route table (local route, main link) and a
//     "default" security group (members of itself allowed in, all out); a
//     security group created in a Net gets the outbound allow-all rule
//     (-1, 0.0.0.0/0).
//   - Dependencies: 409 when deleting a Net with subnets, security groups, an
//     internet service, route tables or load balancers; a subnet with VMs (not
//     terminated), NAT services (not deleted) or a load balancer; a security
//     group used by a VM or a load balancer or named in another group's rule
//     (9085); the default group; a route table with links, and the main one at
//     all; an internet service still linked; a public IP linked or held by a
//     NAT service (9029). UnlinkInternetService fails with 1018 while a NAT
//     service is in the Net, 1004 while a public IP is linked to a VM of the
//     Net and 1005 while an internet-facing load balancer is in it.
//   - Conflicts: duplicate rule (9005), security group name in a Net (9008),
//     load balancer name (9013), overlapping subnet (9044), route destination
//     (9034), one NAT service per subnet (9056).
//   - Asynchronous states that move on after [Options.PendingReads] Read
//     answers: subnet pending -> available, NAT service pending -> available
//     and deleting -> deleted (its public IP is released then), VM pending ->
//     running and shutting-down -> terminated, load balancer starting ->
//     active. Deleted NAT services and terminated VMs stay visible.
//   - ClientToken idempotency for CreateVms and CreateNatService (a token
//     whose resource is deleted or terminated makes a new one: OUTSCALE
//     documents no rule for it).
//   - Net peerings (vpcx-): CreateNetPeering is pending-acceptance until
//     AcceptNetPeering makes it active, failed between overlapping Nets,
//     rejected between Nets an active peering already joins (accepting
//     A-to-B rejects a pending B-to-A); DeleteNetPeering (409, code 9051,
//     once rejected or failed); routes target an active peering of their
//     Net (NetPeeringId; blackhole once it is deleted); a Net with a live
//     peering is not deleted (9045). ReadNetPeerings filters by
//     NetPeeringIds, SourceNetNetIds, AccepterNetNetIds, StateNames and tags.
//   - Net access points (vpce-): CreateNetAccessPoint to a service that
//     ReadNetAccessPointServices lists (com.outscale.<region>.api and
//     .oos; another is refused, 4047) with route tables of its Net (another
//     Net's is refused, 4047; a table that routes the service to another
//     access point, 9034); each table reads back a route from the service's
//     prefix list (DestinationServiceId) to the access point
//     (NetAccessPointId) while it lives; UpdateNetAccessPoint adds and
//     removes tables in place; pending until read [Options.PendingReads]
//     times, deleting as long after DeleteNetAccessPoint, then listed as
//     deleted; a Net with an access point not yet deleted is not deleted
//     (9045). Security-group rules name a service by its
//     prefix-list id (ServiceIds) in Outbound rules. ReadNetAccessPoints
//     filters by NetAccessPointIds, NetIds, ServiceNames, States and tags.
//   - Keypairs: CreateKeypair imports an OpenSSH public key (ssh-rsa,
//     ssh-ed25519, ecdsa-sha2-*) or makes an ed25519 key and returns its
//     private key; names are unique in the account (409, code 9011);
//     KeypairFingerprint is the MD5 fingerprint of RFC 4716, section 4;
//     keypairs (key- and 32 hex digits) take tags; DeleteKeypair by id or
//     name. archkit's deployment lock is a keypair.
//   - Filters by ids, NetIds, SubnetIds, States, SubregionNames, LinkNetIds,
//     LinkSubnetIds, LinkRouteTableMain, ClientTokens, SecurityGroupNames,
//     VmStateNames, LoadBalancerNames, and Tags ("KEY=VALUE", exact), TagKeys,
//     TagValues; values inside a filter are alternatives, filters combine.
//     NextPageToken / ResultsPerPage wherever the description has them.
//   - Quotas, enforced and reported by ReadQuotas (409 TooManyResources, code
//     10023): vpc_limit 10, subnet_limit 50, igw_limit 10, rtb_limit 50,
//     rtb_rule_limit 50, nat_gateway_limit 10, ip_limit 20, vm_limit 50,
//     sg_limit 500, vpc_sg_limit 500, sg_rule_limit 100, vpc_sg_rule_limit
//     100 (one rule per IP range or member), vm_sg_limit 5, lb_limit 20,
//     lb_listeners_limit 10; [Options.Quotas] overrides them.
//   - Fault injection: [Server.Throttle], [Server.FailNext] and
//     [Server.OnRequest]; a failed call changes no state. Lost answers:
//     [Server.LoseNext], or a [Fault] with Drop (lost on the way in, no
//     effect) or Drop and AfterEffect (lost on the way out, after the
//     effect); the client sees a transport error.
//   - Introspection: [Server.Calls], [Server.Requests], [Server.Validated],
//     [Server.Count] and [Server.Snapshot].
//
// # Where it is simpler than OUTSCALE
//
//   - Nets are available at once; internet services, route tables, security
//     groups and public IPs have no transient state; DeleteLoadBalancer removes
//     the load balancer at once.
//   - NICs, volumes, net access points, VM groups and templates are not
//     simulated: routes to NICs, BackendIps and LinkPublicIp to a NIC answer
//     400. Net peerings join Nets of the server's own account only
//     (AccepterOwnerId of another account answers 400) and never expire. VMs have no NICs or block devices in
//     their description.
//   - Three fixed OMIs (ami-0000c0de Ubuntu, ami-0000beef Rocky Linux and
//     ami-12c6146b, the image of archkit's conformance suite and examples)
//     and those of Options.Images are the only images. Any VmType is
//     accepted.
//   - Quotas are global, not per account type; per-Net and per-group quotas
//     report the highest use. Rate limits exist only when injected.
//   - Security group rules from another account or the public cloud
//     (SecurityGroupAccountIdToLink) are resolved by name in the same Net.
//   - Health checks always pass for running VMs (ReadVmsHealth UP) and fail
//     for others.
//   - DeleteSubnet drops the subnet's route table links; a VM that
//     terminates loses its public IP link and its load balancer registrations.
//   - UpdateRouteTableLink moves a link, the main one included, to another
//     table of the same Net under a new link id.
//   - DryRun is accepted by the validator but not honoured: the call is made.
//   - DeleteTags removes a tag when the key matches and the value is empty or
//     equal; tags live at most 50 per resource.
//
// A Server is safe for concurrent use; each request is served under one lock
// after validation, so results are deterministic for a given call order.
package osctest
