// Package netplan plans address space and derives network rules for a
// cloud Net, as pure functions: no I/O, no provider SDK, the same output for
// the same input.
//
// # Addresses
//
// [ParsePrefix] parses a [netip.Prefix] and refuses what would silently
// become another network: host bits ("10.0.0.1/16: host bits set; did you
// mean 10.0.0.0/16?"), IPv4-mapped IPv6 prefixes and zones.
//
// A [Profile] describes what a cloud allows, as data: the prefix lengths of
// a Net and of a subnet, the addresses it reserves in every subnet and its
// quotas. [AWS], [Outscale] and [Generic] are built in, [ProfileByName]
// finds them by name, [Profile.CheckNet] and [Profile.CheckSubnet] check a
// prefix against them and [Profile.Usable] counts the host addresses of a
// subnet.
//
// A [Planner] allocates subnets in a Net from [Request]s sized by prefix
// length or by host count (reserved addresses and headroom added), one per
// zone. Every allocation is identified by its [Key] (name and zone), never
// by its position: given the subnets that already exist as Pinned, adding a
// request or a zone never moves an existing subnet, and removing one only
// frees its space. The resulting [Plan] lists the subnets, the free blocks
// and prints as a table. [AllocateNets] does the same for several Nets in
// one supernet (regions, environments, disaster recovery), so that they
// never overlap and can be peered.
//
// [CIDRSubnet], [CIDRHost] and [CIDRSubnets] are Terraform's cidrsubnet,
// cidrhost and cidrsubnets for IPv4 and IPv6:
// 10.3.0.0/16 extended by 8 bits, netnum 5, becomes 10.3.5.0/24.
//
// # Rules
//
// From flows between tiers ("internet -> web tcp/443", "web -> app
// tcp/8080"), [Derive] derives stateful security-group rules, stateless
// firewall rules with return traffic on ephemeral ports for clouds that have
// them (AWS network ACLs), and routes; it then checks the profile's quotas,
// and [Rules.CanReach] answers reachability questions over the result.
//
// Traffic that crosses a subnet on its way gets the stateless rules it
// needs there, and nothing more: a [NAT] gateway lives in a Public
// tier's subnet, so that tier's ACL passes the Private tiers' egress and
// its replies; a load balancer ([Balancer]) has a security group of its
// own, derived, merged and quota-checked like a tier's, and its traffic
// crosses the ACL of the tier that holds it. A flow from a tier to itself
// lets the nodes of a cluster talk to each other. Replies go back to the
// ephemeral ports of the client that opened the connection:
// [Options.Ephemeral] for the Net's own instances, the documented ranges
// of NAT gateways, load balancers and unknown clients otherwise (see
// [DefaultEphemeral]).
//
// # Cloud services
//
// Topology.Services are the Net's endpoints to the cloud's own services
// ([ServiceEndpoint]): a gateway endpoint (S3, DynamoDB) is a route from
// the service's prefix list on its Private and Isolated users' tables, and
// a rule to that prefix list in their groups; an interface endpoint has a
// security group of its own, "endpoint-<service>", admitting tcp/443 from
// its users only. Rules.CanReach answers "service:s3" through them.
//
// # Errors
//
// Validation reports every problem at once with [errors.Join]. Each problem
// names the field to change, the input, what is wrong and how to fix it
// ("netplan: <field>: <input>: <problem>; <fix>") and matches a sentinel
// with [errors.Is]: [ErrInvalid], [ErrOutOfBounds], [ErrOverlap],
// [ErrDuplicate], or [ErrNoSpace] for a [*NoSpaceError] that gives the
// figures. No function panics on any input, except the MustX helpers.
package netplan
