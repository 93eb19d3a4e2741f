package aws

import (
	"context"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// kindOps is how the driver serves one kind: the calls behind List, Read,
// Create, Update and Delete, in the kind's own file, and the spec fields
// Update changes in place (nil update: any change replaces the resource).
type kindOps struct {
	list    func(d *Driver, ctx context.Context, q driver.Query) ([]driver.Observed, error)
	read    func(d *Driver, ctx context.Context, id string) (driver.Observed, error)
	create  func(d *Driver, ctx context.Context, req driver.Request) (driver.Observed, error)
	update  func(d *Driver, ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error)
	delete  func(d *Driver, ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error
	mutable []string
}

// kinds is the driver's registry: one entry per kind of [blueprint.Kinds].
var kinds = map[blueprint.Kind]kindOps{
	blueprint.KindNet: {list: (*Driver).listVPCs, read: (*Driver).readVPC, create: (*Driver).createVPC, delete: noData((*Driver).deleteVPC)},
	blueprint.KindSubnet: {list: (*Driver).listSubnets, read: (*Driver).readSubnet, create: (*Driver).createSubnet,
		update: (*Driver).updateSubnet, delete: noData((*Driver).deleteSubnet), mutable: []string{"public"}},
	blueprint.KindInternetGateway: {list: (*Driver).listInternetGateways, read: (*Driver).readInternetGateway,
		create: (*Driver).createInternetGateway, delete: noData((*Driver).deleteInternetGateway)},
	blueprint.KindPublicIP: {list: (*Driver).listElasticIPs, read: (*Driver).readElasticIP, create: (*Driver).createElasticIP,
		delete: noData((*Driver).deleteElasticIP)},
	blueprint.KindNATGateway: {list: (*Driver).listNATGateways, read: (*Driver).readNATGateway, create: (*Driver).createNATGateway,
		delete: noData((*Driver).deleteNATGateway)},
	blueprint.KindRouteTable: {list: (*Driver).listRouteTables, read: (*Driver).readRouteTable, create: (*Driver).createRouteTable,
		update: (*Driver).updateRouteTable, delete: noData((*Driver).deleteRouteTable), mutable: []string{"routes", "subnet"}},
	blueprint.KindSecurityGroup: {list: (*Driver).listSecurityGroups, read: (*Driver).readSecurityGroup,
		create: (*Driver).createSecurityGroup, delete: noData((*Driver).deleteSecurityGroup)},
	blueprint.KindSecurityGroupRules: {list: (*Driver).listSecurityGroupRules, read: (*Driver).readSecurityGroupRules,
		create: (*Driver).createSecurityGroupRules, update: (*Driver).updateSecurityGroupRules,
		delete: noData((*Driver).deleteSecurityGroupRules), mutable: []string{"inbound", "outbound"}},
	blueprint.KindNetworkACL: {list: (*Driver).listNetworkACLs, read: (*Driver).readNetworkACL, create: (*Driver).createNetworkACL,
		update: (*Driver).updateNetworkACL, delete: noData((*Driver).deleteNetworkACL), mutable: []string{"subnets", "inbound", "outbound"}},
	blueprint.KindLoadBalancer: {list: (*Driver).listLoadBalancers, read: (*Driver).readLoadBalancer,
		create: (*Driver).createLoadBalancer, update: (*Driver).updateLoadBalancer, delete: noData((*Driver).deleteLoadBalancer),
		mutable: []string{"listeners", "health_check", "security_groups", "subnets"}},
	blueprint.KindCluster: {list: (*Driver).listClusters, read: (*Driver).readCluster, create: (*Driver).createCluster,
		update: (*Driver).updateCluster, delete: noData((*Driver).deleteCluster),
		mutable: []string{"min", "desired", "max", "image", "instance_type", "user_data", "security_groups", "subnets", "load_balancers", "scaling"}},
	blueprint.KindDatabase: {list: (*Driver).listDatabases, read: (*Driver).readDatabase, create: (*Driver).createDatabase,
		update: (*Driver).updateDatabase, delete: (*Driver).deleteDatabase,
		mutable: []string{"instance_class", "storage_gib", "engine_version", "multi_az", "backup_retention_days", "port", "security_groups", "subnets"}},
	blueprint.KindDatabaseReplica: {list: (*Driver).listReplicas, read: (*Driver).readReplica, create: (*Driver).createReplica,
		update: (*Driver).updateReplica, delete: (*Driver).deleteReplica, mutable: []string{"instance_class", "security_groups"}},
}

// noData adapts the delete of a kind that holds no data, which has no use
// for the delete options.
func noData(del func(d *Driver, ctx context.Context, cur driver.Observed) error) func(*Driver, context.Context, driver.Observed, driver.DeleteOptions) error {
	return func(d *Driver, ctx context.Context, cur driver.Observed, _ driver.DeleteOptions) error {
		return del(d, ctx, cur)
	}
}
