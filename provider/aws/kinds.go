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
	delete  func(d *Driver, ctx context.Context, cur driver.Observed) error
	mutable []string
}

// kinds is the driver's registry: one entry per kind of [blueprint.Kinds].
var kinds = map[blueprint.Kind]kindOps{
	blueprint.KindNet: {list: (*Driver).listVPCs, read: (*Driver).readVPC, create: (*Driver).createVPC, delete: (*Driver).deleteVPC},
	blueprint.KindSubnet: {list: (*Driver).listSubnets, read: (*Driver).readSubnet, create: (*Driver).createSubnet,
		update: (*Driver).updateSubnet, delete: (*Driver).deleteSubnet, mutable: []string{"public"}},
	blueprint.KindInternetGateway: {list: (*Driver).listInternetGateways, read: (*Driver).readInternetGateway,
		create: (*Driver).createInternetGateway, delete: (*Driver).deleteInternetGateway},
	blueprint.KindPublicIP: {list: (*Driver).listElasticIPs, read: (*Driver).readElasticIP, create: (*Driver).createElasticIP,
		delete: (*Driver).deleteElasticIP},
	blueprint.KindNATGateway: {list: (*Driver).listNATGateways, read: (*Driver).readNATGateway, create: (*Driver).createNATGateway,
		delete: (*Driver).deleteNATGateway},
	blueprint.KindRouteTable: {list: (*Driver).listRouteTables, read: (*Driver).readRouteTable, create: (*Driver).createRouteTable,
		update: (*Driver).updateRouteTable, delete: (*Driver).deleteRouteTable, mutable: []string{"routes", "subnet"}},
	blueprint.KindSecurityGroup: {list: (*Driver).listSecurityGroups, read: (*Driver).readSecurityGroup,
		create: (*Driver).createSecurityGroup, delete: (*Driver).deleteSecurityGroup},
	blueprint.KindSecurityGroupRules: {list: (*Driver).listSecurityGroupRules, read: (*Driver).readSecurityGroupRules,
		create: (*Driver).createSecurityGroupRules, update: (*Driver).updateSecurityGroupRules,
		delete: (*Driver).deleteSecurityGroupRules, mutable: []string{"inbound", "outbound"}},
	blueprint.KindNetworkACL: {list: (*Driver).listNetworkACLs, read: (*Driver).readNetworkACL, create: (*Driver).createNetworkACL,
		update: (*Driver).updateNetworkACL, delete: (*Driver).deleteNetworkACL, mutable: []string{"subnets", "inbound", "outbound"}},
	blueprint.KindLoadBalancer: {list: (*Driver).listLoadBalancers, read: (*Driver).readLoadBalancer,
		create: (*Driver).createLoadBalancer, update: (*Driver).updateLoadBalancer, delete: (*Driver).deleteLoadBalancer,
		mutable: []string{"listeners", "health_check", "security_groups"}},
	blueprint.KindCluster: {list: (*Driver).listClusters, read: (*Driver).readCluster, create: (*Driver).createCluster,
		update: (*Driver).updateCluster, delete: (*Driver).deleteCluster,
		mutable: []string{"min", "desired", "max", "image", "instance_type", "user_data", "security_groups", "subnets", "load_balancers", "scaling"}},
	blueprint.KindDatabase: {list: (*Driver).listDatabases, read: (*Driver).readDatabase, create: (*Driver).createDatabase,
		update: (*Driver).updateDatabase, delete: (*Driver).deleteDatabase,
		mutable: []string{"instance_class", "storage_gib", "multi_az", "backup_retention_days"}},
}
