package fake

import (
	"slices"

	"github.com/archkit/archkit/pattern/blueprint"
)

// kindOps is what the fake knows of one kind: how it spells its ids, how
// the cloud validates it, where it lives, what it occupies and what stops
// its delete, the fields it changes in place and its state words. The
// validation of each kind is in the kind's own file.
type kindOps struct {
	idPrefix string
	validate func(d *Driver, op string, e, old *entry) error
	// net returns the Net a resource names directly, or a resource through
	// which to find it (its subnet, its group).
	net func(r *blueprint.Resource) (net, via blueprint.Ref)
	// subnets and groups are the subnets a resource is placed in and the
	// security groups it uses: each stops the delete of those.
	subnets, groups func(r *blueprint.Resource) []blueprint.Ref
	// blockedBy reports whether o, another stored resource, stops the
	// delete of e beyond the subnets and groups o uses.
	blockedBy func(d *Driver, e, o *entry) bool
	// mutable lists the spec fields Update changes in place on AWS,
	// oscMutable those it changes on OUTSCALE when they differ ([Outscale]
	// sets them); each field cites its call in the driver's kinds.go.
	mutable, oscMutable []string
	// pending and ready are the cloud's state words while an asynchronous
	// resource is pending and once it is usable.
	pending, ready string
	// keys are the keys the fake's index holds the resource under, those
	// its validation and the others' look it up by (see index).
	keys func(d *Driver, r *blueprint.Resource) []key
}

// kinds is the fake's registry: one entry per kind of [blueprint.Kinds].
// It is filled by init, since its entries call the driver's methods, which
// read it.
var kinds map[blueprint.Kind]kindOps

func init() { kinds = registry() }

func registry() map[blueprint.Kind]kindOps {
	return map[blueprint.Kind]kindOps{
		blueprint.KindNet: {
			idPrefix: "vpc", validate: (*Driver).validateNet, mutable: []string{"keep_default_security_group_rules"},
			blockedBy: func(d *Driver, e, o *entry) bool {
				if o.kind == blueprint.KindNetPeering {
					// AWS deletes a VPC's peering connections with it (VPC
					// peering guide, "Delete a VPC peering connection");
					// OUTSCALE keeps a Net with a peering (DeleteNet).
					return d.opts.Cloud == CloudOutscale && !o.gone() && d.netOf(o) == e.id
				}
				return d.netOf(o) == e.id && o.kind != blueprint.KindSecurityGroupRules
			},
		},
		blueprint.KindSubnet: {
			idPrefix: "subnet", validate: (*Driver).validateSubnet, mutable: []string{"public"}, keys: subnetKeys,
			net: func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return r.Subnet.Net, "" },
			blockedBy: func(_ *Driver, e, o *entry) bool {
				return slices.Contains(refs(kinds[o.kind].subnets, &o.res), blueprint.Ref(e.id))
			},
		},
		blueprint.KindInternetGateway: {
			idPrefix: "igw", validate: (*Driver).validateInternetGateway, ready: "attached", oscMutable: []string{"net"},
			keys: func(_ *Driver, r *blueprint.Resource) []key { return []key{netKey(r.InternetGateway.Net)} },
			net:  func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return r.InternetGateway.Net, "" },
			blockedBy: func(d *Driver, e, o *entry) bool {
				return o.kind == blueprint.KindNATGateway && (o.res.NATGateway.InternetGateway == blueprint.Ref(e.id) ||
					d.netOf(o) == string(e.res.InternetGateway.Net)) ||
					o.kind == blueprint.KindCluster && d.publicNodes(o, string(e.res.InternetGateway.Net)) ||
					o.kind == blueprint.KindVPNAppliance && d.netOf(o) == string(e.res.InternetGateway.Net)
			},
		},
		blueprint.KindPublicIP: {
			idPrefix: "eipalloc", validate: (*Driver).validatePublicIP,
			blockedBy: func(_ *Driver, e, o *entry) bool {
				return usesPublicIP(o, blueprint.Ref(e.id))
			},
		},
		blueprint.KindNATGateway: {
			idPrefix: "nat", validate: (*Driver).validateNATGateway, pending: "pending",
			keys: func(d *Driver, r *blueprint.Resource) []key {
				s := r.NATGateway
				keys := []key{{tag: "public_ip", ref: string(s.PublicIP)}, {tag: "zone", ref: d.zoneOf(s.Subnet)}}
				if sub, ok := d.res[string(s.Subnet)]; ok && sub.kind == blueprint.KindSubnet {
					keys = append(keys, netKey(sub.res.Subnet.Net)) // an internet gateway's delete looks its NATs up by Net
				}
				return keys
			},
			net:     func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return "", r.NATGateway.Subnet },
			subnets: func(r *blueprint.Resource) []blueprint.Ref { return []blueprint.Ref{r.NATGateway.Subnet} },
		},
		blueprint.KindVPNGateway: {
			idPrefix: "vgw", validate: (*Driver).validateVPNGateway, pending: "pending", ready: "available",
			net:       func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return r.VPNGateway.Net, "" },
			blockedBy: func(_ *Driver, e, o *entry) bool { return vpnUses(o, e.id) },
		},
		blueprint.KindCustomerGateway: {
			idPrefix: "cgw", validate: (*Driver).validateCustomerGateway, ready: "available",
			blockedBy: func(_ *Driver, e, o *entry) bool { return vpnUses(o, e.id) },
		},
		blueprint.KindVPNConnection: {
			idPrefix: "vpn", validate: (*Driver).validateVPNConnection, pending: "pending", ready: "available",
			mutable: []string{"static_routes"}, oscMutable: []string{"static_routes"},
			net: func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return "", r.VPNConnection.VPNGateway },
		},
		blueprint.KindVPNAppliance: {
			idPrefix: "i", validate: (*Driver).validateAppliance, pending: "pending", ready: "running",
			mutable: []string{"source_dest_check", "public_ip"}, oscMutable: []string{"source_dest_check", "public_ip"},
			net:     func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return "", r.VPNAppliance.Subnet },
			subnets: func(r *blueprint.Resource) []blueprint.Ref { return []blueprint.Ref{r.VPNAppliance.Subnet} },
			groups:  func(r *blueprint.Resource) []blueprint.Ref { return []blueprint.Ref{r.VPNAppliance.SecurityGroup} },
		},
		blueprint.KindNetPeering: {
			idPrefix: "pcx", validate: (*Driver).validateNetPeering, pending: peeringPending, ready: peeringActive,
			keys: func(_ *Driver, r *blueprint.Resource) []key { return []key{netKey(r.NetPeering.Net)} },
			net:  func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return r.NetPeering.Net, "" },
		},
		blueprint.KindRouteTable: {
			idPrefix: "rtb", validate: (*Driver).validateRouteTable, mutable: []string{"routes", "subnet"},
			keys: func(_ *Driver, r *blueprint.Resource) []key {
				return []key{netKey(r.RouteTable.Net), subnetKey(r.RouteTable.Subnet)}
			},
			net:     func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return r.RouteTable.Net, "" },
			subnets: func(r *blueprint.Resource) []blueprint.Ref { return []blueprint.Ref{r.RouteTable.Subnet} },
		},
		blueprint.KindSecurityGroup: {
			idPrefix: "sg", validate: (*Driver).validateSecurityGroup,
			keys: func(_ *Driver, r *blueprint.Resource) []key {
				s := r.SecurityGroup
				return []key{netKey(s.Net), nameInNetKey(s.Net, s.Name)}
			},
			net: func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return r.SecurityGroup.Net, "" },
			blockedBy: func(_ *Driver, e, o *entry) bool {
				if o.kind == blueprint.KindSecurityGroupRules {
					s := o.res.SecurityGroupRules
					return s.Group != blueprint.Ref(e.id) && (rulesUse(s.Inbound, e.id) || rulesUse(s.Outbound, e.id))
				}
				return slices.Contains(refs(kinds[o.kind].groups, &o.res), blueprint.Ref(e.id))
			},
		},
		blueprint.KindSecurityGroupRules: {
			idPrefix: "sgr", validate: (*Driver).validateRules, mutable: []string{"inbound", "outbound"},
			keys: func(_ *Driver, r *blueprint.Resource) []key { return []key{groupKey(r.SecurityGroupRules.Group)} },
			net:  func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return "", r.SecurityGroupRules.Group },
		},
		blueprint.KindNetworkACL: {
			idPrefix: "acl", validate: (*Driver).validateNetworkACL, mutable: []string{"subnets", "inbound", "outbound"},
			keys: func(_ *Driver, r *blueprint.Resource) []key {
				keys := []key{netKey(r.NetworkACL.Net)}
				for _, s := range r.NetworkACL.Subnets {
					keys = append(keys, subnetKey(s))
				}
				return keys
			},
			net:     func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return r.NetworkACL.Net, "" },
			subnets: func(r *blueprint.Resource) []blueprint.Ref { return r.NetworkACL.Subnets },
		},
		blueprint.KindFlowLog: {
			idPrefix: "fl", validate: (*Driver).validateFlowLog, mutable: []string{"retention_days"},
			keys: func(_ *Driver, r *blueprint.Resource) []key { return []key{netKey(r.FlowLog.Net)} },
			net:  func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return r.FlowLog.Net, "" },
		},
		blueprint.KindNetEndpoint: {
			idPrefix: "vpce", validate: (*Driver).validateNetEndpoint, keys: netEndpointKeys,
			mutable: []string{"route_tables", "subnets", "security_groups", "private_dns"}, oscMutable: []string{"route_tables"},
			net:     func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return r.NetEndpoint.Net, "" },
			subnets: func(r *blueprint.Resource) []blueprint.Ref { return r.NetEndpoint.Subnets },
			groups:  func(r *blueprint.Resource) []blueprint.Ref { return r.NetEndpoint.SecurityGroups },
		},
		blueprint.KindInstanceRole: {
			idPrefix: "role", validate: (*Driver).validateInstanceRole, mutable: []string{"statements"},
			keys: func(_ *Driver, r *blueprint.Resource) []key { return []key{nameKey(r.InstanceRole.Name)} },
		},
		blueprint.KindLoadBalancer: {
			validate: (*Driver).validateLoadBalancer,
			keys:     func(_ *Driver, r *blueprint.Resource) []key { return []key{nameKey(r.LoadBalancer.Name)} },
			mutable:  []string{"listeners", "health_check", "security_groups", "subnets", "plain_http", "tls_policy", "keep_invalid_headers", "allow_deletion"},
			// OUTSCALE's LBU has no redirect, TLS policy, header filtering
			// or deletion protection: those fields are WriteOnly there.
			oscMutable: []string{"listeners", "health_check", "security_groups", "subnets"},
			pending:    "provisioning", ready: "active",
			net:     func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return "", first(r.LoadBalancer.Subnets) },
			subnets: func(r *blueprint.Resource) []blueprint.Ref { return r.LoadBalancer.Subnets },
			groups:  func(r *blueprint.Resource) []blueprint.Ref { return r.LoadBalancer.SecurityGroups },
			blockedBy: func(_ *Driver, e, o *entry) bool {
				return o.kind == blueprint.KindCluster && slices.Contains(o.res.Cluster.LoadBalancers, blueprint.Ref(e.id))
			},
		},
		blueprint.KindKeyPair: {
			idPrefix: "key", validate: (*Driver).validateKeyPair,
			keys:      func(_ *Driver, r *blueprint.Resource) []key { return []key{nameKey(r.KeyPair.Name)} },
			blockedBy: func(_ *Driver, e, o *entry) bool { return usesKeyPair(o, e.id) },
		},
		blueprint.KindImageCopy: {
			idPrefix: "ami", validate: (*Driver).validateImageCopy, pending: "pending", ready: "available",
			keys:      func(_ *Driver, r *blueprint.Resource) []key { return []key{nameKey(r.ImageCopy.Name)} },
			blockedBy: func(_ *Driver, e, o *entry) bool { return usesImageCopy(o, e.id) },
		},
		blueprint.KindBackupVault: {
			idPrefix: "vault", validate: (*Driver).validateBackupVault,
			blockedBy: func(_ *Driver, e, o *entry) bool {
				return o.kind == blueprint.KindBackupPlan && o.res.BackupPlan.Vault == blueprint.Ref(e.id)
			},
			keys: func(_ *Driver, r *blueprint.Resource) []key { return []key{nameKey(r.BackupVault.Name)} },
		},
		blueprint.KindBackupPlan: {
			idPrefix: "plan", validate: (*Driver).validateBackupPlan,
			keys: func(_ *Driver, r *blueprint.Resource) []key { return []key{nameKey(r.BackupPlan.Name)} },
		},
		blueprint.KindCluster: {
			idPrefix: "asg", validate: (*Driver).validateCluster, ready: "InService",
			mutable: []string{"image", "image_copy", "instance_type", "user_data", "min", "desired", "max", "load_balancers", "scaling", "security_groups", "subnets",
				"allow_imdsv1", "metadata_hop_limit", "unencrypted_volumes", "volume_kms_key", "key_pair", "instance_profile", "instance_role", "backup"},
			oscMutable: []string{"min", "desired", "max", "load_balancers", "target_port", "security_groups", "subnets", "public_ip"},
			net:        func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return "", first(r.Cluster.Subnets) },
			subnets:    func(r *blueprint.Resource) []blueprint.Ref { return r.Cluster.Subnets },
			groups:     func(r *blueprint.Resource) []blueprint.Ref { return r.Cluster.SecurityGroups },
		},
		blueprint.KindDatabase: {
			idPrefix: "db", validate: (*Driver).validateDatabase, pending: "creating",
			mutable: []string{"engine_version", "instance_class", "storage_gib", "multi_az", "backup_retention_days",
				"port", "security_groups", "subnets", "replica_of"},
			net:     func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return "", first(r.Database.Subnets) },
			subnets: func(r *blueprint.Resource) []blueprint.Ref { return r.Database.Subnets },
			groups:  func(r *blueprint.Resource) []blueprint.Ref { return r.Database.SecurityGroups },
		},
		blueprint.KindDatabaseReplica: {
			idPrefix: "db", validate: (*Driver).validateReplica, pending: "creating",
			keys:    func(_ *Driver, r *blueprint.Resource) []key { return []key{sourceKey(r.DatabaseReplica.Source)} },
			mutable: []string{"instance_class", "security_groups"},
			net:     func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return "", r.DatabaseReplica.Source },
			groups:  func(r *blueprint.Resource) []blueprint.Ref { return r.DatabaseReplica.SecurityGroups },
		},
		blueprint.KindBroker: {
			idPrefix: "b", validate: (*Driver).validateBroker, pending: "CREATION_IN_PROGRESS", ready: "RUNNING",
			mutable: []string{"engine_version", "instance_type", "auto_minor_version_upgrade", "maintenance_window", "logs", "security_groups"},
			net:     func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return "", first(r.Broker.Subnets) },
			subnets: func(r *blueprint.Resource) []blueprint.Ref { return r.Broker.Subnets },
			groups:  func(r *blueprint.Resource) []blueprint.Ref { return r.Broker.SecurityGroups },
		},
		blueprint.KindCache: {
			idPrefix: "cache", validate: (*Driver).validateCache, pending: "creating", ready: "available",
			mutable: []string{"node_type", "engine_version", "nodes", "automatic_failover", "multi_az", "snapshot_retention_days",
				"security_groups", "subnets"},
			net:     func(r *blueprint.Resource) (blueprint.Ref, blueprint.Ref) { return "", first(r.Cache.Subnets) },
			subnets: func(r *blueprint.Resource) []blueprint.Ref { return r.Cache.Subnets },
			groups:  func(r *blueprint.Resource) []blueprint.Ref { return r.Cache.SecurityGroups },
		},
	}
}

// refs calls f on r, or returns nil when the kind has no such list.
func refs(f func(*blueprint.Resource) []blueprint.Ref, r *blueprint.Resource) []blueprint.Ref {
	if f == nil {
		return nil
	}
	return f(r)
}

func first(rs []blueprint.Ref) blueprint.Ref {
	if len(rs) == 0 {
		return ""
	}
	return rs[0]
}

func rulesUse(rs []blueprint.RuleSpec, id string) bool {
	return slices.ContainsFunc(rs, func(r blueprint.RuleSpec) bool { return r.Group == blueprint.Ref(id) })
}
