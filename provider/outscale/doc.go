// Package outscale is the OUTSCALE driver of archkit: it applies the
// resources of a [blueprint.Blueprint] to an OUTSCALE region through the
// OUTSCALE API (OAPI) with github.com/outscale/osc-sdk-go/v2.
//
//	d, err := outscale.New(func(o *outscale.Options) { o.Profile = "default" })
//	if err != nil {
//		log.Fatal(err)
//	}
//	eng := provider.NewEngine(d, func(o *provider.Options) { o.AllowFallback = true })
//	res, err := eng.Apply(ctx, arch)
//
// # Credentials and endpoint
//
// [New] reads them as OUTSCALE's own tools do, through the SDK's ConfigEnv
// and ConfigFile: OSC_ACCESS_KEY and OSC_SECRET_KEY, else the profile
// OSC_PROFILE (or "default") of ~/.osc/config.json; OSC_REGION and
// OSC_ENDPOINT_API, else the profile's region and endpoints.api. [Options]
// override each of them. The secret key is never logged, and the SDK's
// Debug mode, which dumps the signed Authorization header, stays off.
//
// # Resources in OUTSCALE's terms
//
//	net                  CreateNet (+ CreateTags), then DeleteSecurityGroupRule on the Net's default
//	                     group (its members reach each other) unless KeepDefaultSecurityGroupRules
//	subnet               CreateSubnet in its subregion (+ UpdateSubnet MapPublicIpOnLaunch when public)
//	internet_gateway     CreateInternetService + LinkInternetService
//	public_ip            CreatePublicIp
//	nat_gateway          CreateNatService (ClientToken) in the public subnet, after its route to the internet service
//	route_table          CreateRouteTable + CreateRoute (GatewayId, NatServiceId, NetPeeringId or VmId) + LinkRouteTable (one per subnet)
//	security_group       CreateSecurityGroup (names never start with "sg-")
//	security_group_rules CreateSecurityGroupRule / DeleteSecurityGroupRule: the complete rule set,
//	                     Rules with SecurityGroupsMembers (by id), ServiceIds or IpRanges; the allow-all
//	                     outbound rule of a new group is removed unless listed
//	load_balancer        CreateLoadBalancer (listeners, subnet, groups, tags) + UpdateLoadBalancer (health check)
//	vpn_gateway          CreateVirtualGateway (ipsec.1) + LinkVirtualGateway; Delete unlinks first
//	customer_gateway     CreateClientGateway (ipsec.1, PublicIp, BgpAsn): the peer's device; for a link over
//	                     a VPN, the address of the spoke appliance's public IP, read in its region (peers.go)
//	vpn_connection       CreateVpnConnection (StaticRoutesOnly unless BGP) + CreateVpnConnectionRoute
//	                     per static route, changed in place (Create / DeleteVpnConnectionRoute); for a link
//	                     over a VPN, UpdateVpnConnection sets a pre-shared key drawn with crypto/rand
//	vpn_appliance        CreateVms (ClientToken, strongSwan user data with the hub tunnel's outside address
//	                     and key, read in the hub's region) + CreateTags + UpdateVm IsSourceDestChecked=false
//	                     + LinkPublicIp; routes to it name its VmId
//	net_peering          CreateNetPeering between two Nets of the region + AcceptNetPeering (the account owns
//	                     both) + CreateTags; a peer Net in another region is refused by Check
//	                     (pattern.MultiRegion.LinkVPN joins them)
//	net_endpoint         CreateNetAccessPoint to com.outscale.<region>.oos (the s3 gateway endpoint: OOS,
//	                     OUTSCALE's object storage) with its RouteTableIds + CreateTags; the tables change
//	                     in place (UpdateNetAccessPoint); a rule to the s3 prefix list names the service
//	                     (ServiceIds); interface endpoints and other services are refused by Check
//	key_pair             CreateKeypair (PublicKey, Base64; never a private key), tagged by its id;
//	                     its provider id is its name; ReadKeypairs gives only a fingerprint
//	image_copy           CreateImage (SourceImageId, SourceRegionName) + CreateTags; Delete: DeleteImage,
//	                     then DeleteSnapshot of its snapshots
//	cluster              CreateVms per node (ClientToken, KeypairName), tagged, + LinkLoadBalancerBackendMachines
//	network_acl, database, backup_vault, backup_plan unsupported (see below)
//
// Every resource carries the ownership tags, read back with the Tags filter
// of the ReadX calls ("KEY=VALUE", an exact pair). Load balancers cannot be
// filtered by tag: their name is deterministic (LoadBalancerSpec.Name) and
// they are tagged too, so that List confirms ownership.
//
// List refuses a deployment name blueprint.CheckDeployment refuses, before
// any request, and every resource found is checked to carry exactly the
// deployment's tag. Internet services are listed linked or not, so that
// one a run made but could not link is found by the next.
//
// # The deployment lock
//
// The lock of a deployment ([driver.Locker]) is a keypair named
// "archkit-lock-<deployment>": keypair names are unique in an account
// (CreateKeypair of a taken name fails with 409, code 9011), keypairs take
// tags, and DeleteKeypair takes the keypair's id, new at every creation,
// so release and break never delete a newer lock. It is an imported
// ed25519 public key whose private key is dropped: nobody can log in with
// it. CreateKeypair takes no tags (load balancers, unique by name and
// tagged by their create call, cost money and take minutes), so the
// record (holder, lease) is written by CreateTags right after, and the
// keypair is deleted again when that
// fails. A run that dies between the two calls leaves a lock without a
// record; the engine then gives it an expiry one lease away. When the
// answer to CreateKeypair is lost, the driver reads the keypair of that
// name and takes it if it has its key's fingerprint.
//
// # What OUTSCALE lacks
//
// OUTSCALE has no network ACLs: [Driver.Capabilities] marks the network_acl
// kind unsupported, and the engine drops network ACLs under AllowFallback
// since the security groups enforce the same flows. It has no managed
// database either: the database kind is unsupported and the engine builds
// the spec's fallback cluster instead. It has no snapshot scheduler:
// its API (the OpenAPI description the test server validates against)
// has CreateSnapshot, which takes one snapshot of a volume, or copies one
// from another region (SourceSnapshotId, SourceRegionName), when called,
// and no schedule, lifecycle or vault; backup_vault, backup_plan and a
// cluster's backup field are refused, or dropped with a notice under
// AllowFallback.
//
// Of archkit's secure defaults, OUTSCALE's API has the emptied default
// security group and subnets without public IPs; it has no setting for
// the others, which [Driver.Capabilities] lists as WriteOnly (neither
// applied nor compared): its metadata server has no session token (IMDSv2,
// hop limit), CreateVms' BsuToCreate has no encryption, and a load
// balancer (LBU) has no HTTP redirect, TLS policy choice, header filtering
// or deletion protection.
//
// A cluster is a set of VMs, not an OUTSCALE VM group: VM groups and VM
// templates are marked "under development" in the API, a VM group lives in
// one subnet, and a template carries no user data. The driver creates one
// VM per node (CreateVms with a ClientToken derived from the cluster and
// the node's slot), spreads the nodes evenly over the subnets' subregions,
// tags them with the cluster id and their slot, and Update keeps the
// cluster at its desired count: a node that is missing, terminated,
// stopped or quarantined is replaced. The id of a cluster is the request's
// token, carried by every node in a tag. Read reports Desired as the number
// of live nodes, so a lost node shows as a change that the engine repairs
// with Update.
//
// # Changes in place, and data kept
//
// kinds.go lists the fields each kind changes in place, with the call.
// A cluster's security groups change on each running VM (UpdateVm); its
// subnets, bounds and target port are tags: new VMs go to the new subnets
// and a VM never moves, so a stateless cluster's VMs in a dropped subnet
// are replaced one by one, and a stateful cluster that drops a subnet it
// uses is replaced ([Driver.Replaces]): the plan shows it and the engine
// protects it. A load balancer's subnets are a tag too; its first subnet,
// where it lives, cannot change (UpdateLoadBalancer takes no subnets).
//
// The VMs of a stateful cluster (a database cluster) are made with
// DeletionProtection; Delete lifts it (UpdateVm) only when
// driver.DeleteOptions.LiftProtection says the caller allowed it, and
// refuses otherwise. OUTSCALE keeps no final snapshot of a VM (its
// volumes go with it), so Delete keeps the data itself, unless
// driver.DeleteOptions.SkipFinalSnapshot: it stops the VMs (StopVms: a
// database's files are consistent only once it has shut down), takes a
// snapshot of each BSU volume (CreateSnapshot, its ClientToken from the
// run's time so that a retry makes no second one), tags them
// (archkit:deployment and [TagFinalSnapshotOf], the cluster's logical
// id; the description starts with driver.FinalSnapshotName of the VM),
// waits until they are completed, and only then deletes the VMs. A read
// replica (database_replica) is unsupported:
// the database cluster's size is its replication.
//
// # Fields kept in tags
//
// Some spec fields have no place in OUTSCALE and are kept in bookkeeping
// tags (prefix "archkit:x/", hidden from Observed.Tags): the tier of a
// subnet; the zone of a public IP; the ordering refs and zone of a NAT
// service; the type and the subnet list of a load balancer (a load balancer
// in a Net lives in one subnet, the first of the spec, and serves them
// all); the bounds, tier, subnets, load balancers and target port of a
// cluster. The ownership tags of a security_group_rules resource, whose id
// is "<group id>/rules", live on its group under "archkit:x/rules/".
//
// # Retries, errors and waits
//
// osc-sdk-go/v2 retries nothing, so every call goes through one retry loop
// (exponential backoff, full jitter, bounded by the context and
// Options.MaxAttempts) for throttling (HTTP 429, codes 24 and 25; 503, code
// 6), unavailability and network errors, and the conflicts that mean "not
// ready yet" (a NAT service right after its public IP or route; an
// internet service unlinked while NAT services or public IPs are still
// going away, codes 1004, 1005 and 1018). A create that got no answer at
// all is repeated only when a repeat cannot make a second resource (a
// client token, or a name or range OUTSCALE keeps unique); otherwise
// (CreateNet, CreateInternetService, CreatePublicIp, CreateRouteTable) its
// error is Code Unavailable but not retryable.
//
// That loop is the driver's one retry layer: the error it returns once its
// attempts are spent is never Retryable (its Code stays Throttled or
// Unavailable), so the engine does not retry it again. Worst case, one
// persistently throttled create costs Options.MaxAttempts calls, 6 by
// default (TestThrottledCreateCallBound counts them on the test server).
// The one exception is a token-less create whose answer was lost and that
// made nothing (checked by a read): its error is Retryable, since the
// driver sent it once. Errors are decoded from the
// response body (ErrorResponse.Errors), since the SDK's model is nil for
// undocumented statuses, and mapped to [driver.Code] in one place; the
// OUTSCALE error is reachable with errors.As as an [*APIError].
//
// Create returns subnets, NAT services, VMs and load balancers as OUTSCALE
// reports them right after the call, possibly not ready; the engine polls
// Read. Delete waits (Options.WaitTimeout) for what OUTSCALE removes
// asynchronously: NAT services until deleted, VMs until terminated, load
// balancers until gone, so that the next delete in OUTSCALE's order (load
// balancers, VMs, NAT services, public IPs, route tables, rules, groups,
// internet service, subnets, Net) is not refused.
//
// Each create that OUTSCALE does without tags (Net, subnet, internet
// service, public IP, route table, security group) is followed by
// CreateTags; when that fails the new resource is deleted again, so that an
// interrupted apply leaves nothing untagged behind. VMs and NAT services
// are found again by their client token instead (within a run: tokens are
// new in every run, see [driver.Token]); a NAT service or VM that a run
// which died between its create and its CreateTags left untagged is taken
// by the next run, recognised by its place (the deployment's subnet: one
// NAT service per subnet; the cluster's subnets) and the prefix its
// tokens share in every run ([driver.TokenPrefix] for NAT services;
// "n<hash of deployment and cluster>-<slot>-<generation>-" for VMs). A VM
// made by hand in archkit's subnets has no such token and is never taken.
// Subnets, security groups and load balancers are found by their unique
// range or name.
//
// CreateNet, CreateInternetService, CreatePublicIp and CreateRouteTable
// take neither a client token nor tags, so a lost answer (the resource
// made, the connection broken before the reply) could leave a resource no
// apply would find again. Before such a create the driver notes the
// candidates it could produce that no deployment owns (no ownership tag):
// Nets of the same range; internet services linked to no Net; public IPs
// linked to nothing; route tables of the same Net that are neither its
// main one nor linked. When the answer is lost it reads them again: the
// one candidate that appeared meanwhile is adopted (tagged, and the apply
// goes on); none means the request never took effect, and the create is
// retried; two or more mean another client is creating the same thing at
// the same moment, and the error names them (delete the untagged ones,
// then apply again). A candidate that was there before is never taken.
// This costs one read per create of these kinds (the three-tier document: 144 requests
// instead of 136), and the driver runs these creates of one kind one at a
// time.
package outscale
