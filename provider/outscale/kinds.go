package outscale

import (
	"context"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// kindOps is how the driver serves one kind: list (by the deployment's
// tags, or the resources with the given ids, which is also Read), create,
// update (nil: only the tags change in place), delete, in the kind's own
// file; the spec fields Update changes in place; or, for a kind OUTSCALE
// lacks, the reason.
type kindOps struct {
	list        func(d *Driver, ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error)
	create      func(d *Driver, ctx context.Context, req driver.Request) (driver.Observed, error)
	update      func(d *Driver, ctx context.Context, req driver.Request, cur driver.Observed) error
	delete      func(d *Driver, ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error
	mutable     []string
	unsupported string
}

// kinds is the driver's registry: one entry per kind of [blueprint.Kinds].
// It is filled by init, since the methods it names read it (a create reads
// its result back through Read).
var kinds map[blueprint.Kind]kindOps

func init() { kinds = registry() }

func registry() map[blueprint.Kind]kindOps {
	return map[blueprint.Kind]kindOps{
		blueprint.KindNet: {list: (*Driver).listNets, create: (*Driver).createNet, update: (*Driver).updateNet,
			delete: noData((*Driver).deleteNet), mutable: netMutable},
		blueprint.KindSubnet: {list: (*Driver).listSubnets, create: (*Driver).createSubnet, update: (*Driver).updateSubnet,
			delete: noData((*Driver).deleteSubnet), mutable: subnetMutable},
		blueprint.KindInternetGateway: {list: (*Driver).listInternetServices, create: (*Driver).createInternetService,
			update: (*Driver).updateInternetService, delete: noData((*Driver).deleteInternetService), mutable: internetServiceMutable},
		blueprint.KindPublicIP:   {list: (*Driver).listPublicIPs, create: (*Driver).createPublicIP, delete: noData((*Driver).deletePublicIP)},
		blueprint.KindNATGateway: {list: (*Driver).listNatServices, create: (*Driver).createNatService, delete: noData((*Driver).deleteNatService)},
		blueprint.KindVPNGateway: {list: (*Driver).listVirtualGateways, create: (*Driver).createVirtualGateway,
			delete: noData((*Driver).deleteVirtualGateway)},
		blueprint.KindCustomerGateway: {list: (*Driver).listClientGateways, create: (*Driver).createClientGateway,
			delete: noData((*Driver).deleteClientGateway)},
		blueprint.KindVPNConnection: {list: (*Driver).listVpnConnections, create: (*Driver).createVpnConnection,
			update: (*Driver).updateVpnConnection, delete: noData((*Driver).deleteVpnConnection), mutable: vpnConnectionMutable},
		blueprint.KindVPNAppliance: {list: (*Driver).listAppliances, create: (*Driver).createAppliance,
			update: (*Driver).updateAppliance, delete: noData((*Driver).deleteAppliance), mutable: applianceMutable},
		// OUTSCALE peers two Nets of one region only (About Net Peerings,
		// OUTSCALE user guide: peered Nets "must be located in the same
		// Region"): Check refuses a link between regions, which on
		// OUTSCALE takes a VPN.
		blueprint.KindNetPeering: {list: (*Driver).listNetPeerings, create: (*Driver).createNetPeering, delete: noData((*Driver).deleteNetPeering)},
		blueprint.KindRouteTable: {list: (*Driver).listRouteTables, create: (*Driver).createRouteTable, update: (*Driver).updateRouteTable,
			delete: noData((*Driver).deleteRouteTable), mutable: routeTableMutable},
		blueprint.KindSecurityGroup: {list: (*Driver).listSecurityGroups, create: (*Driver).createSecurityGroup, delete: noData((*Driver).deleteSecurityGroup)},
		blueprint.KindSecurityGroupRules: {list: (*Driver).listRuleSets, create: (*Driver).createRuleSet, update: (*Driver).updateRuleSet,
			delete: (*Driver).deleteRuleSet, mutable: rulesMutable},
		blueprint.KindNetworkACL:   {unsupported: "OUTSCALE has no network ACLs in its API; security groups enforce the flows"},
		blueprint.KindFlowLog:      {unsupported: "OUTSCALE's API has no flow logs (ReadApiLogs logs API calls, not traffic)"},
		blueprint.KindInstanceRole: {unsupported: instanceRolesUnsupported},
		blueprint.KindNetEndpoint: {list: (*Driver).listNetAccessPoints, create: (*Driver).createNetAccessPoint,
			update: (*Driver).updateNetAccessPoint, delete: noData((*Driver).deleteNetAccessPoint), mutable: netEndpointMutable},
		blueprint.KindLoadBalancer: {list: (*Driver).listLoadBalancers, create: (*Driver).createLoadBalancer,
			update: (*Driver).updateLoadBalancer, delete: noData((*Driver).deleteLoadBalancer),
			mutable: loadBalancerMutable},
		blueprint.KindKeyPair: {list: (*Driver).listKeypairs, create: (*Driver).createKeypair, delete: noData((*Driver).deleteKeypairNamed)},
		blueprint.KindImageCopy: {list: (*Driver).listImageCopies, create: (*Driver).createImageCopy,
			delete: noData((*Driver).deleteImageCopy)},
		blueprint.KindCluster: {list: (*Driver).listClusters, create: (*Driver).createCluster, update: (*Driver).updateCluster,
			delete: (*Driver).deleteCluster, mutable: clusterMutable},
		blueprint.KindDatabase:        {unsupported: "OUTSCALE has no managed database service; use a database cluster (DatabaseSpec.Fallback)"},
		blueprint.KindDatabaseReplica: {unsupported: "OUTSCALE has no managed database read replicas; the fallback database cluster's size (Fallback.Desired) sets its replicas"},
		blueprint.KindCache:           {unsupported: "OUTSCALE has no managed cache service; use a cache cluster of VMs (CacheSpec.Fallback)"},
		blueprint.KindBroker:          {unsupported: "OUTSCALE has no managed message broker; use a RabbitMQ cluster of VMs (BrokerSpec.Fallback)"},
		blueprint.KindBackupVault:     {unsupported: snapshotScheduleUnsupported},
		blueprint.KindBackupPlan:      {unsupported: snapshotScheduleUnsupported},
	}
}

// instanceRolesUnsupported says why a cluster gets no role: EIM, OUTSCALE's
// identity service, manages users, groups and their policies
// (CreateUser, CreatePolicy, LinkPolicy...), and its VMs get no
// credentials from the metadata server.
const instanceRolesUnsupported = "OUTSCALE's identity service (EIM) has users, groups and policies but no roles or instance profiles for VMs"

// What each kind changes in place (Capabilities.Mutable), with the call
// that does it. Every other field is fixed at creation: a change replaces
// the resource (a subnet's range: UpdateSubnet changes only
// MapPublicIpOnLaunch; a load balancer's name, type or scheme; a cluster's
// image, VM type or user data: a VM's type and user data change only while
// it is stopped, its image never).
var (
	netMutable = []string{
		"keep_default_security_group_rules", // DeleteSecurityGroupRule or CreateSecurityGroupRule on the Net's default group
	}
	subnetMutable = []string{
		"public", // UpdateSubnet MapPublicIpOnLaunch
	}
	internetServiceMutable = []string{
		"net", // UnlinkInternetService, LinkInternetService
	}
	vpnConnectionMutable = []string{
		"static_routes", // CreateVpnConnectionRoute, DeleteVpnConnectionRoute
	}
	netEndpointMutable = []string{
		"route_tables", // UpdateNetAccessPoint AddRouteTableIds, RemoveRouteTableIds
	}
	routeTableMutable = []string{
		"subnet", // UnlinkRouteTable, LinkRouteTable
		"routes", // CreateRoute, UpdateRoute, DeleteRoute
	}
	rulesMutable = []string{
		"inbound",  // CreateSecurityGroupRule, DeleteSecurityGroupRule (Flow Inbound)
		"outbound", // the same, Flow Outbound
	}
	loadBalancerMutable = []string{
		"listeners",       // CreateLoadBalancerListeners, DeleteLoadBalancerListeners
		"health_check",    // UpdateLoadBalancer HealthCheck
		"security_groups", // UpdateLoadBalancer SecurityGroups
		"subnets",         // CreateLoadBalancerTags: the balancer serves the whole Net from its first subnet, which stays
	}
	clusterMutable = []string{
		"min", "max", // the VMs' tags (CreateTags)
		"desired",         // CreateVms with a client token per slot, DeleteVms
		"load_balancers",  // LinkLoadBalancerBackendMachines, UnlinkLoadBalancerBackendMachines
		"target_port",     // the VMs' tags
		"security_groups", // UpdateVm SecurityGroupIds, on each running VM
		"subnets",         // the VMs' tags: new VMs go to the new subnets; a VM never moves (see Replaces)
		"public_ip",       // LinkPublicIp (AllowRelink) onto a running VM, and the VMs' tags
	}
)

// noData adapts the delete of a kind that holds no data, which has no use
// for the delete options.
func noData(del func(d *Driver, ctx context.Context, cur driver.Observed) error) func(*Driver, context.Context, driver.Observed, driver.DeleteOptions) error {
	return func(d *Driver, ctx context.Context, cur driver.Observed, _ driver.DeleteOptions) error {
		return del(d, ctx, cur)
	}
}
