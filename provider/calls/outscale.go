package calls

import "github.com/archkit/archkit/pattern/blueprint"

// outscaleTable is the minimum on OUTSCALE (its OpenAPI description,
// shipped in osc-sdk-go/v2 as api/openapi.yaml). Its create calls take no
// tags except CreateLoadBalancer's: every other resource needs one
// CreateTags after its create, one per resource since each carries its
// own archkit:id and Name. Only CreateVms and CreateNatService take a
// ClientToken.
var outscaleTable = Table{
	Cloud:      Outscale,
	Zones:      2, // ReadSubregions, and ReadQuotas once per driver
	LockWrites: 3, // CreateKeypair, CreateTags, DeleteKeypair
	PollOps:    []string{"ReadSubnets", "ReadNatServices", "ReadVms", "ReadLoadBalancers", "ReadNetAccessPoints"},
	Rows: []Row{
		{
			Kind:   blueprint.KindNet,
			Create: "1 ReadNets of the untagged candidates + 1 CreateNet + 1 CreateTags; the default group emptied: 1 ReadSecurityGroups + 1 DeleteSecurityGroupRule",
			Delete: "1 DeleteNet",
			Why:    "CreateNet takes neither tags nor a client token: the candidates read before it are what tells apart, when its answer is lost, the Net it made (adopted) from none; the default group's id is in no create answer; its one inbound rule (between its members) goes in one call",
			CreateWrites: func(r *blueprint.Resource) int {
				return 2 + one(!r.Net.KeepDefaultSecurityGroupRules)
			},
			CreateReads:  func(r *blueprint.Resource) int { return 1 + one(!r.Net.KeepDefaultSecurityGroupRules) },
			DeleteWrites: n(1),
			List:         1, ListText: "1 ReadNets (Tags filter); the default groups from the security groups' ReadSecurityGroups, shared in a refresh",
		},
		{
			Kind:         blueprint.KindSubnet,
			Create:       "1 CreateSubnet + 1 CreateTags, + 1 UpdateSubnet (MapPublicIpOnLaunch) when public + polls (pending, then available)",
			Delete:       "1 DeleteSubnet",
			Why:          "a create whose answer was lost is found by its range (CreateSubnet refuses a second one)",
			CreateWrites: func(r *blueprint.Resource) int { return 2 + one(r.Subnet.Public) },
			DeleteWrites: n(1),
			ListText:     "ReadSubnets (a poll operation)",
		},
		{
			Kind:         blueprint.KindInternetGateway,
			Create:       "1 ReadInternetServices of the untagged candidates + 1 CreateInternetService + 1 CreateTags + 1 LinkInternetService",
			Delete:       "1 UnlinkInternetService + 1 DeleteInternetService",
			Why:          "no tags nor client token in the create: the candidates, as for a Net",
			CreateWrites: n(3), CreateReads: n(1), DeleteWrites: n(2),
			List: 1, ListText: "1 ReadInternetServices (Tags filter)",
		},
		{
			Kind:         blueprint.KindPublicIP,
			Create:       "1 ReadPublicIps of the untagged candidates + 1 CreatePublicIp + 1 CreateTags",
			Delete:       "1 DeletePublicIp",
			Why:          "no tags nor client token in the create: the candidates, as for a Net",
			CreateWrites: n(2), CreateReads: n(1), DeleteWrites: n(1),
			List: 1, ListText: "1 ReadPublicIps (Tags filter)",
		},
		{
			Kind:         blueprint.KindNATGateway,
			Create:       "1 CreateNatService (ClientToken) + 1 CreateTags + polls",
			Delete:       "1 DeleteNatService + polls",
			CreateWrites: n(2), DeleteWrites: n(1),
			ListText: "ReadNatServices (a poll operation)",
		},
		{
			Kind:        blueprint.KindRouteTable,
			Create:      "1 ReadRouteTables of the untagged candidates + 1 CreateRouteTable + 1 CreateTags + *n* CreateRoute + 1 LinkRouteTable",
			Delete:      "1 UnlinkRouteTable + 1 DeleteRouteTable",
			Why:         "one route per call; no tags nor client token in the create: the candidates, as for a Net",
			CreateReads: n(1),
			CreateWrites: func(r *blueprint.Resource) int {
				return 3 + len(r.RouteTable.Routes)
			},
			DeleteWrites: n(2),
			List:         1, ListText: "1 ReadRouteTables (Tags filter)",
		},
		{
			Kind:         blueprint.KindSecurityGroup,
			Create:       "1 CreateSecurityGroup + 1 CreateTags + 1 DeleteSecurityGroupRule of the default outbound rule",
			Delete:       "1 DeleteSecurityGroup",
			Why:          "the outbound rules belong to the group's rule set",
			CreateWrites: n(3), DeleteWrites: n(1),
			List: 1, ListText: "1 ReadSecurityGroups by the Nets' ids: every group of the Nets, whose answer the rule sets and the Nets' default groups share in a refresh",
		},
		{
			Kind:   blueprint.KindSecurityGroupRules,
			Create: "1 CreateSecurityGroupRule per direction that has rules (`Flow` Inbound, Outbound; all of them in its `Rules`) + 1 CreateTags (the rule set's tags on its group)",
			Delete: "when the group goes too (a destroy): 1 DeleteSecurityGroupRule per direction that has a rule naming another group; else 1 per direction + 1 DeleteTags",
			Why: "one call per group and direction; DeleteSecurityGroup fails (9085) while another group's rule names the group, the other rules go with their group; " +
				"a rule to a service's prefix list names its ServiceIds, read once per driver (1 ReadNetAccessPointServices)",
			CreateWrites: func(r *blueprint.Resource) int {
				s := r.SecurityGroupRules
				return 1 + one(len(s.Inbound) > 0) + one(len(s.Outbound) > 0)
			},
			DeleteWrites: namingOthers,
			ListText:     "none of its own: the rules are in the security groups' ReadSecurityGroups, shared in a refresh",
		},
		{
			Kind:     blueprint.KindNetworkACL,
			Create:   "none: OUTSCALE has no network ACL, the driver keeps none",
			Delete:   "none",
			ListText: "none",
		},
		{
			Kind:         blueprint.KindLoadBalancer,
			Create:       "1 CreateLoadBalancer (Listeners, Subnets, SecurityGroups, Tags) + 1 UpdateLoadBalancer (HealthCheck)",
			Delete:       "1 DeleteLoadBalancer",
			Why:          "the health check is not a parameter of the create",
			CreateWrites: n(2), DeleteWrites: n(1),
			ListText: "ReadLoadBalancers (a poll operation; it has no tag filter)",
		},
		{
			Kind:         blueprint.KindKeyPair,
			Create:       "1 CreateKeypair (PublicKey) + 1 CreateTags",
			Delete:       "1 DeleteKeypair",
			Why:          "CreateKeypair takes no tags",
			CreateWrites: n(2), DeleteWrites: n(1),
			List: 1, ListText: "1 ReadKeypairs",
		},
		{
			Kind:         blueprint.KindImageCopy,
			Create:       "1 ReadImages of an earlier try + 1 CreateImage (SourceImageId, SourceRegionName) + 1 CreateTags",
			Delete:       "1 DeleteImage + 1 DeleteSnapshot per snapshot (1: the root volume's)",
			Why:          "CreateImage takes neither tags nor a client token: an earlier try is found by its name; DeleteImage leaves the image's snapshots",
			CreateWrites: n(2), CreateReads: n(1), DeleteWrites: n(2),
			List: 1, ListText: "1 ReadImages (tag filters)",
		},
		{
			Kind:         blueprint.KindVPNGateway,
			Create:       "1 CreateVirtualGateway + 1 CreateTags + 1 LinkVirtualGateway",
			Delete:       "1 UnlinkVirtualGateway + 1 DeleteVirtualGateway",
			Why:          "the link to the Net is a call of its own; the create takes no tags",
			CreateWrites: n(3), DeleteWrites: n(2),
			List: 1, ListText: "1 ReadVirtualGateways",
		},
		{
			Kind:         blueprint.KindCustomerGateway,
			Create:       "1 CreateClientGateway + 1 CreateTags; for the hub of a link over a VPN, first 1 ReadPublicIps in the spoke's region (the appliance's address, polled until it exists)",
			Delete:       "1 DeleteClientGateway",
			CreateWrites: n(2), DeleteWrites: n(1),
			List: 1, ListText: "1 ReadClientGateways (+ 1 ReadPublicIps in the spoke's region per gateway of a link over a VPN: has the appliance's address moved?)",
		},
		{
			Kind: blueprint.KindVPNAppliance,
			Create: "1 ReadVms (an earlier attempt's VM in the subnet) + ReadVpnConnections in the hub's region (polled until the tunnel's address and key exist) + " +
				"1 ReadPublicIps (its address) + 1 CreateVms (ClientToken, user data) + 1 CreateTags + 1 UpdateVm (IsSourceDestChecked false) + " +
				"1 ReadPublicIps + 1 LinkPublicIp + 1 ReadVms and 1 ReadPublicIps (read back)",
			Delete:       "1 DeleteVms + polls",
			Why:          "CreateVms takes no tags and no source/destination check; the public IP is linked to a VM that exists",
			CreateWrites: n(4), CreateReads: n(5), DeleteWrites: n(1),
			List: 1, ListEach: 1, ListText: "1 ReadVms; per appliance 1 ReadPublicIps (its public IP's id) + 1 ReadVpnConnections in the hub's region (has the hub replaced its connection?)",
		},
		{
			Kind: blueprint.KindNetPeering,
			Create: "1 ReadNets (the peer Net by its tags) + 1 ReadNetPeerings (an untagged peering of the two Nets, made by a lost answer) + " +
				"1 CreateNetPeering + 1 AcceptNetPeering + 1 CreateTags",
			Delete: "1 DeleteNetPeering",
			Why: "two Nets of one region only (a link between regions is refused by Check, naming the VPN); the account owns both Nets: " +
				"the requester's side accepts it too; the create takes no tags",
			CreateWrites: n(3), CreateReads: n(2), DeleteWrites: n(1),
			List: 1, ListText: "1 ReadNetPeerings",
		},
		{
			Kind:   blueprint.KindNetEndpoint,
			Create: "1 CreateNetAccessPoint (NetId, ServiceName com.outscale.<region>.oos, RouteTableIds) + 1 CreateTags + polls (pending, then available)",
			Delete: "1 DeleteNetAccessPoint + polls (until gone)",
			Why: "a Net access point to OOS, the s3 gateway endpoint's equivalent (OUTSCALE has no interface endpoint: the engine refuses or drops them, so they cost nothing); " +
				"the create takes no tags nor client token: a lost answer is found among the untagged access points of the service in the Net, read before it (a poll operation); " +
				"the route tables change in place with 1 UpdateNetAccessPoint",
			CreateWrites: oscEndpoint(2), DeleteWrites: oscEndpoint(1),
			ListText: "ReadNetAccessPoints (a poll operation)",
		},
		{
			Kind:   blueprint.KindVPNConnection,
			Create: "1 CreateVpnConnection + 1 UpdateVpnConnection for a link over a VPN (its pre-shared key) + 1 CreateTags + 1 CreateVpnConnectionRoute per static route",
			Delete: "1 DeleteVpnConnection",
			Why:    "one static route per call; CreateVpnConnection takes no VpnOptions",
			CreateWrites: func(r *blueprint.Resource) int {
				return 2 + len(r.VPNConnection.StaticRoutes) + one(r.VPNConnection.Link != "")
			},
			DeleteWrites: n(1),
			List:         1,
			ListText:     "1 ReadVpnConnections",
		},
		{
			Kind:   blueprint.KindCluster,
			Create: "*z* CreateVms (one subnet each, MinVmsCount = MaxVmsCount, ClientToken) + 1 CreateTags (one call names every VM) + 1 LinkLoadBalancerBackendMachines per load balancer + polls",
			Delete: "1 DeleteVms (all VmIds), + for a stateful cluster the caller allowed: 1 UpdateVm per VM to lift its deletion protection and the final snapshot, 1 StopVms (all VmIds) + 1 CreateSnapshot per VM (its root volume, ClientToken) + 1 CreateTags (every snapshot) + polls (SkipFinalSnapshot leaves out the last three)",
			Why:    "every VM carries the cluster's tags",
			CreateWrites: func(r *blueprint.Resource) int {
				return len(r.Cluster.Subnets) + 1 + len(r.Cluster.LoadBalancers)
			},
			DeleteWrites: func(r *blueprint.Resource) int {
				if r.Cluster.Stateless {
					return 1
				}
				return 1 + r.Cluster.Desired + 1 + r.Cluster.Desired + 1
			},
			ListText: "ReadVms (a poll operation)",
		},
	},
}

// oscEndpoint counts w for a net endpoint OUTSCALE makes (a gateway to
// s3: a Net access point to OOS), 0 for one the engine drops.
func oscEndpoint(w int) Count {
	return func(r *blueprint.Resource) int {
		return w * one(r.NetEndpoint != nil && r.NetEndpoint.Type == blueprint.EndpointGateway && r.NetEndpoint.Service == "s3")
	}
}
