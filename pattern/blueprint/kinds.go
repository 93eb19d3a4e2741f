package blueprint

import (
	"cmp"
	"fmt"
	"slices"
	"unsafe"
)

// Kind names a kind of provider-neutral resource.
type Kind string

// The resource kinds of a Blueprint. The names across clouds are in the
// package documentation; their creation order and properties are in the
// registry ([Kinds], [Kind.Info]).
const (
	KindNet                Kind = "net"                  // AWS VPC, OUTSCALE Net
	KindSubnet             Kind = "subnet"               // one per tier per zone
	KindInternetGateway    Kind = "internet_gateway"     // AWS Internet Gateway, OUTSCALE Internet Service (attached/linked)
	KindPublicIP           Kind = "public_ip"            // AWS Elastic IP, OUTSCALE Public IP
	KindNATGateway         Kind = "nat_gateway"          // AWS NAT Gateway, OUTSCALE NAT Service
	KindVPNGateway         Kind = "vpn_gateway"          // AWS virtual private gateway, OUTSCALE virtual gateway (attached/linked)
	KindCustomerGateway    Kind = "customer_gateway"     // AWS customer gateway, OUTSCALE client gateway: the peer's VPN device
	KindVPNConnection      Kind = "vpn_connection"       // AWS site-to-site VPN connection, OUTSCALE VPN connection
	KindVPNAppliance       Kind = "vpn_appliance"        // an IPsec appliance VM (public IP, source/destination check off) ending a VPN from another region's VPN gateway: the spoke's side of a link over a VPN
	KindNetPeering         Kind = "net_peering"          // AWS VPC peering connection (inter-region included), OUTSCALE Net peering: one side of a link between the deployment's Nets
	KindRouteTable         Kind = "route_table"          // one per subnet, with its routes and its association
	KindSecurityGroup      Kind = "security_group"       // the group alone, one per tier and per load balancer
	KindSecurityGroupRules Kind = "security_group_rules" // the complete rule set of one group (split out so groups can reference each other)
	KindNetworkACL         Kind = "network_acl"          // AWS network ACL (stateless); none on OUTSCALE
	KindFlowLog            Kind = "flow_log"             // AWS VPC flow log (+ its log group and delivery role); none on OUTSCALE
	KindNetEndpoint        Kind = "net_endpoint"         // AWS VPC endpoint (gateway or interface), OUTSCALE Net access point
	KindInstanceRole       Kind = "instance_role"        // AWS IAM role + inline policy + instance profile; none on OUTSCALE
	KindLoadBalancer       Kind = "load_balancer"        // AWS ALB/NLB + target group + listeners, OUTSCALE LBU
	KindKeyPair            Kind = "key_pair"             // AWS key pair, OUTSCALE keypair: an SSH public key the nodes start with
	KindImageCopy          Kind = "image_copy"           // AWS CopyImage, OUTSCALE CreateImage from a source image and region: another region's image copied here
	KindBackupVault        Kind = "backup_vault"         // AWS Backup vault: holds the recovery points of a snapshot schedule; none on OUTSCALE
	KindBackupPlan         Kind = "backup_plan"          // AWS Backup plan (cron rule, lifecycle, copies) + its tag selection and role; none on OUTSCALE
	KindCluster            Kind = "cluster"              // AWS launch template + autoscaling group, OUTSCALE VMs
	KindDatabase           Kind = "database"             // AWS RDS (subnet group + instance); none on OUTSCALE
	KindDatabaseReplica    Kind = "database_replica"     // AWS RDS read replica; none on OUTSCALE
	KindCache              Kind = "cache"                // AWS ElastiCache (cache subnet group + Redis replication group or Memcached cluster); none on OUTSCALE
	KindBroker             Kind = "broker"               // Amazon MQ for RabbitMQ (broker + its admin user's secret in Secrets Manager); none on OUTSCALE
)

// KindInfo is what the registry says of a kind: the properties the engine,
// the drivers and the fake rely on instead of lists of kinds of their own.
type KindInfo struct {
	Kind Kind
	// Order is the kind's place in creation order, from 0 for nets: a
	// resource of a kind is created after the kinds before it when nothing
	// else orders them, and deleted before them.
	Order int
	// Stateful reports whether a resource of the kind holds data that a
	// delete or a replace loses (databases; later caches, volumes and
	// message brokers). A kind whose spec decides for itself (a cluster is
	// stateful unless its spec says Stateless) is not marked here: ask the
	// resource ([Resource.IsStateful]).
	Stateful bool
	// Async reports whether a create returns before the resource is usable,
	// so that it is waited on (a NAT gateway, a load balancer, a database).
	Async bool
	// DeleteFirst reports whether a replace deletes the old resource before
	// it creates the new one: a new net or subnet with the same CIDR would
	// conflict with the old one, group and balancer names are unique per
	// Net, a Net holds one internet gateway. Everything that depends on such
	// a resource is replaced the same way. Other kinds are created before
	// the old resource is deleted.
	DeleteFirst bool
	// DeleteAfter lists the kinds whose every resource is deleted before
	// any resource of this kind when a deployment is destroyed, beyond what
	// the references order: a security group goes after every rule set,
	// since rule sets revoke the rules that name other groups.
	DeleteAfter []Kind
}

// registry lists every kind in creation order, with its properties and
// its spec field. Adding a kind is one entry here, one spec type (with the
// methods of specType) and its field in [Resource]; then one entry and one
// file per driver.
var registry = []kindEntry{
	entry(KindInfo{Kind: KindNet, DeleteFirst: true}, func(r *Resource) **NetSpec { return &r.Net }),
	entry(KindInfo{Kind: KindSubnet, DeleteFirst: true}, func(r *Resource) **SubnetSpec { return &r.Subnet }),
	entry(KindInfo{Kind: KindInternetGateway, DeleteFirst: true}, func(r *Resource) **InternetGatewaySpec { return &r.InternetGateway }),
	entry(KindInfo{Kind: KindPublicIP}, func(r *Resource) **PublicIPSpec { return &r.PublicIP }),
	entry(KindInfo{Kind: KindNATGateway, Async: true}, func(r *Resource) **NATGatewaySpec { return &r.NATGateway }),
	// A Net holds one VPN gateway, and a gateway and a customer gateway
	// one VPN connection together: their replacements go first. A
	// customer gateway's replacement may not: it is another device.
	entry(KindInfo{Kind: KindVPNGateway, Async: true, DeleteFirst: true}, func(r *Resource) **VPNGatewaySpec { return &r.VPNGateway }),
	entry(KindInfo{Kind: KindCustomerGateway}, func(r *Resource) **CustomerGatewaySpec { return &r.CustomerGateway }),
	entry(KindInfo{Kind: KindVPNConnection, Async: true, DeleteFirst: true}, func(r *Resource) **VPNConnectionSpec { return &r.VPNConnection }),
	// The appliance is the spoke's end of a VPN link: one VM, made after
	// its subnet, group and public IP (its Refs), before the route tables
	// that send the hub's ranges to it. It holds no data.
	entry(KindInfo{Kind: KindVPNAppliance, Async: true}, func(r *Resource) **VPNApplianceSpec { return &r.VPNAppliance }),
	// Two Nets hold one peering connection at a time: a replacement goes
	// first. The accepter's side waits for the request.
	entry(KindInfo{Kind: KindNetPeering, Async: true, DeleteFirst: true}, func(r *Resource) **NetPeeringSpec { return &r.NetPeering }),
	entry(KindInfo{Kind: KindRouteTable}, func(r *Resource) **RouteTableSpec { return &r.RouteTable }),
	entry(KindInfo{Kind: KindSecurityGroup, DeleteFirst: true, DeleteAfter: []Kind{KindSecurityGroupRules}},
		func(r *Resource) **SecurityGroupSpec { return &r.SecurityGroup }),
	entry(KindInfo{Kind: KindSecurityGroupRules, DeleteFirst: true}, func(r *Resource) **SecurityGroupRulesSpec { return &r.SecurityGroupRules }),
	entry(KindInfo{Kind: KindNetworkACL}, func(r *Resource) **NetworkACLSpec { return &r.NetworkACL }),
	entry(KindInfo{Kind: KindFlowLog}, func(r *Resource) **FlowLogSpec { return &r.FlowLog }),
	// A Net holds one endpoint per service: a replacement goes first.
	entry(KindInfo{Kind: KindNetEndpoint, DeleteFirst: true}, func(r *Resource) **NetEndpointSpec { return &r.NetEndpoint }),
	// A role's policy may name a database's or a broker's secret: the
	// role is made after the database or the broker when it does (its Ref
	// orders it), and before the cluster whose launch template names it.
	entry(KindInfo{Kind: KindInstanceRole}, func(r *Resource) **InstanceRoleSpec { return &r.InstanceRole }),
	entry(KindInfo{Kind: KindLoadBalancer, Async: true, DeleteFirst: true}, func(r *Resource) **LoadBalancerSpec { return &r.LoadBalancer }),
	// A key pair's name carries a hash of its key, so that its
	// replacement (another key) is made before the old one goes.
	entry(KindInfo{Kind: KindKeyPair}, func(r *Resource) **KeyPairSpec { return &r.KeyPair }),
	// An image copy is made before the clusters that start from it, and
	// waited on: a copy is pending until its snapshots are copied.
	entry(KindInfo{Kind: KindImageCopy, Async: true}, func(r *Resource) **ImageCopySpec { return &r.ImageCopy }),
	// A vault holds recovery points: stateful. A plan names its region's
	// vault; it selects volumes by tag, so it needs no cluster first.
	entry(KindInfo{Kind: KindBackupVault, Stateful: true}, func(r *Resource) **BackupVaultSpec { return &r.BackupVault }),
	entry(KindInfo{Kind: KindBackupPlan}, func(r *Resource) **BackupPlanSpec { return &r.BackupPlan }),
	entry(KindInfo{Kind: KindCluster}, func(r *Resource) **ClusterSpec { return &r.Cluster }),
	// A replaced database gets a new identifier and subnet group, so the
	// new one is made before the old one goes.
	entry(KindInfo{Kind: KindDatabase, Stateful: true, Async: true}, func(r *Resource) **DatabaseSpec { return &r.Database }),
	// A read replica holds a copy of its source's data: deleting it loses
	// nothing the source does not keep.
	entry(KindInfo{Kind: KindDatabaseReplica, Async: true}, func(r *Resource) **DatabaseReplicaSpec { return &r.DatabaseReplica }),
	// A Redis cache holds data, a Memcached one does not: its spec
	// decides ([CacheSpec]). A replaced cache gets a new identifier and
	// subnet group, so the new one is made before the old one goes.
	entry(KindInfo{Kind: KindCache, Async: true}, func(r *Resource) **CacheSpec { return &r.Cache }),
	// A broker holds messages. A replaced broker gets a new name (and
	// secret), so the new one is made before the old one goes.
	entry(KindInfo{Kind: KindBroker, Stateful: true, Async: true}, func(r *Resource) **BrokerSpec { return &r.Broker }),
}

// renamedKinds maps the kind names of earlier schemas to today's:
// archkit.blueprint/v1 called the network ACL "firewall".
var renamedKinds = map[Kind]Kind{"firewall": KindNetworkACL}

// Kinds lists every kind in creation order.
var Kinds = func() []Kind {
	out := make([]Kind, len(registry))
	for i, e := range registry {
		out[i] = e.Kind
	}
	return out
}()

var byKind = func() map[Kind]*kindEntry {
	m := make(map[Kind]*kindEntry, len(registry))
	for i := range registry {
		registry[i].Order = i
		m[registry[i].Kind] = &registry[i]
	}
	return m
}()

// unknownKind serves a kind the registry does not know: no spec, no
// references, nothing to normalize.
var unknownKind = kindEntry{}

// entryOf returns the registry's entry of k, or unknownKind.
func entryOf(k Kind) *kindEntry {
	if e, ok := byKind[k]; ok {
		return e
	}
	return &unknownKind
}

// Info returns what the registry says of k; ok is false for a kind it does
// not know, whose Order is then len(Kinds), after every known kind.
func (k Kind) Info() (info KindInfo, ok bool) {
	e, ok := byKind[k]
	if !ok {
		return KindInfo{Kind: k, Order: len(registry)}, false
	}
	info = e.KindInfo
	info.DeleteAfter = slices.Clone(info.DeleteAfter)
	return info, true
}

// IsStateful reports whether resources of kind k hold data ([KindInfo.Stateful]).
// A resource whose spec decides for itself answers [Resource.IsStateful].
func (k Kind) IsStateful() bool { e, ok := byKind[k]; return ok && e.Stateful }

// statefulSpec is implemented by the specs that say themselves whether
// their resource holds data (a cluster: unless Stateless).
type statefulSpec interface{ stateful() bool }

// IsStateful reports whether r holds data that a delete or a replace
// loses: a database, or a cluster whose spec is not Stateless (a database
// cluster of VMs, a message bus). The engine protects such resources: it
// never deletes or replaces one without the caller's opt-in.
func (r *Resource) IsStateful() bool {
	if r == nil {
		return false
	}
	if s, ok := r.Spec().(statefulSpec); ok {
		return s.stateful()
	}
	return r.Kind.IsStateful()
}

// IsAsync reports whether a create of kind k is waited on ([KindInfo.Async]).
func (k Kind) IsAsync() bool { e, ok := byKind[k]; return ok && e.Async }

// IsDeleteFirst reports whether a replace of kind k deletes before it
// creates ([KindInfo.DeleteFirst]).
func (k Kind) IsDeleteFirst() bool { e, ok := byKind[k]; return ok && e.DeleteFirst }

// CompareKinds orders kinds by creation order, unknown kinds last, then by
// name; it fits slices.SortFunc.
func CompareKinds(a, b Kind) int {
	ia, _ := a.Info()
	ib, _ := b.Info()
	return cmp.Or(cmp.Compare(ia.Order, ib.Order), cmp.Compare(a, b))
}

// specType is what every spec type implements for the registry: its
// references, a deep copy and its canonical form.
type specType[T any] interface {
	*T
	// refs returns pointers to every Ref of the spec, empty ones included.
	refs() []*Ref
	// clone returns a deep copy.
	clone() *T
	// normalize puts the spec in canonical form in place (see
	// [Resource.Normalize]).
	normalize()
}

// zoned is implemented by the specs that name a zone.
type zoned interface{ zoneFields() []*string }

// kindEntry is one row of the registry: the kind's properties and the
// operations on its spec. The spec is found at its field's offset in a
// Resource (specAt), and the operations take the spec, never the
// *Resource: a *Resource handed to a function value is one escape
// analysis cannot follow, and it would move every Resource that is
// cloned, or whose references are read, to the heap (two 256-byte
// allocations a copy, a third of an apply's memory at 1,000 tiers).
type kindEntry struct {
	KindInfo
	hasSpec   bool    // false: unknownKind
	specAt    uintptr // the offset of the spec field in a Resource
	asAny     func(spec unsafe.Pointer) any
	refs      func(spec unsafe.Pointer) []*Ref
	clone     func(spec unsafe.Pointer) unsafe.Pointer
	normalize func(spec unsafe.Pointer)
	zones     func(spec unsafe.Pointer) []*string
}

// specOf returns r's spec of the entry's kind, or nil.
func (e *kindEntry) specOf(r *Resource) unsafe.Pointer {
	if !e.hasSpec {
		return nil
	}
	return *specPointer(r, e.specAt)
}

func entry[T any, P specType[T]](info KindInfo, field func(*Resource) **T) kindEntry {
	return kindEntry{
		KindInfo:  info,
		hasSpec:   true,
		specAt:    fieldOffset(field),
		asAny:     func(spec unsafe.Pointer) any { return P((*T)(spec)) },
		refs:      func(spec unsafe.Pointer) []*Ref { return P((*T)(spec)).refs() },
		clone:     func(spec unsafe.Pointer) unsafe.Pointer { return unsafe.Pointer(P((*T)(spec)).clone()) },
		normalize: func(spec unsafe.Pointer) { P((*T)(spec)).normalize() },
		zones: func(spec unsafe.Pointer) []*string {
			if z, ok := any(P((*T)(spec))).(zoned); ok {
				return z.zoneFields()
			}
			return nil
		},
	}
}

// fieldOffset returns the offset in a Resource of the spec field that
// field points to.
func fieldOffset[T any](field func(*Resource) **T) uintptr {
	var probe Resource
	return uintptr(unsafe.Pointer(field(&probe))) - uintptr(unsafe.Pointer(&probe))
}

// specPointer returns the address of the spec field at offset off of r.
func specPointer(r *Resource, off uintptr) *unsafe.Pointer {
	return (*unsafe.Pointer)(unsafe.Add(unsafe.Pointer(r), off))
}

// checkSpec reports a resource whose spec field does not match its kind.
func (r *Resource) checkSpec() error {
	set := 0
	for i := range registry {
		if registry[i].specOf(r) != nil {
			set++
		}
	}
	if r.Spec() == nil {
		if now, ok := renamedKinds[r.Kind]; ok {
			return fmt.Errorf("kind %q: renamed %q in %s; write %q and put the spec in the %q field", r.Kind, now, SchemaV2, now, now)
		}
		if _, ok := byKind[r.Kind]; !ok {
			return fmt.Errorf("kind %q: unknown kind; use one of %v", r.Kind, Kinds)
		}
		return fmt.Errorf("kind %q: spec field %q missing; set it", r.Kind, r.Kind)
	}
	if set != 1 {
		return fmt.Errorf("kind %q: %d spec fields set; set only %q", r.Kind, set, r.Kind)
	}
	return nil
}
