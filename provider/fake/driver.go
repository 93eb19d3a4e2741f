package fake

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

var _ driver.Driver = (*Driver)(nil)

// IDStyle selects how the fake spells provider ids.
type IDStyle string

// The id styles. Both are deterministic: the n-th resource made by a Driver
// always gets the same id.
const (
	// IDStyleAWS spells ids like AWS: "vpc-" and 17 hexadecimal digits,
	// load balancers as ARNs.
	IDStyleAWS IDStyle = "aws"
	// IDStyleOutscale spells ids like OUTSCALE: "vpc-" and 8 hexadecimal
	// digits, load balancers by their name.
	IDStyleOutscale IDStyle = "outscale"
)

// Cloud names the cloud whose rules the fake keeps where AWS and OUTSCALE
// differ.
type Cloud string

// The clouds the fake mimics.
const (
	// CloudAWS: the fields AWS changes in place (RDS ModifyDBInstance,
	// elbv2 SetSubnets, UpdateAutoScalingGroup with a new launch template
	// version ...), RDS deletion protection and final snapshots.
	CloudAWS Cloud = "aws"
	// CloudOutscale: the fields OUTSCALE changes in place (a cluster is
	// VMs: no new image or type in place), VM deletion protection on
	// stateful clusters.
	CloudOutscale Cloud = "outscale"
)

// Options configure a [Driver]. The zero value of every field selects the
// documented default.
type Options struct {
	// Cloud is the cloud whose rules the fake keeps where they differ:
	// which fields change in place ([driver.Capabilities].Mutable, the
	// same as the cloud's driver), and which deletes deletion protection
	// refuses. "": [CloudAWS]; [Outscale] sets [CloudOutscale].
	Cloud Cloud
	// Name is what [Driver.Name] returns. "": "fake".
	Name string
	// Profile holds the address bounds and quotas the fake enforces.
	// A zero Profile (Name ""): [netplan.AWS], whose quotas are those of a
	// new AWS account (60 rules per group and direction, 5 NAT gateways per
	// zone ...).
	Profile netplan.Profile
	// Zones are the zones of the fake region. nil: "fake-1a", "fake-1b",
	// "fake-1c".
	Zones []string
	// IDStyle spells the provider ids. "": [IDStyleAWS].
	IDStyle IDStyle
	// Unsupported maps the kinds the fake refuses (Code Unsupported) to the
	// reason, as [driver.Capabilities.Unsupported]. nil: every kind is
	// supported but, as AWS, vpn_appliance (AWS peers the VPCs of two
	// regions). [Outscale] sets network_acl and database.
	Unsupported map[blueprint.Kind]string
	// UnsupportedFields maps, per kind, the top-level spec fields (JSON
	// names) the fake refuses (Code Unsupported) when they are set, to
	// the reason, as [driver.Capabilities.UnsupportedFields]. nil: every
	// field is supported. [Outscale] sets cluster.scaling.
	UnsupportedFields map[blueprint.Kind]map[string]string
	// ClientTokens lists the kinds whose cloud API takes a client token,
	// as [driver.Capabilities.ClientTokens]: only their creates honour
	// Request.Token. nil: AWS's, nat_gateway, route_table, network_acl and
	// cluster (CreateNatGateway, CreateRouteTable, CreateNetworkAcl and
	// CreateLaunchTemplate take one; CreateVpc, CreateSubnet,
	// CreateInternetGateway, AllocateAddress and CreateSecurityGroup do
	// not). [Outscale] sets OUTSCALE's, nat_gateway and cluster
	// (CreateNatService and CreateVms).
	ClientTokens []blueprint.Kind
	// NoEmptyCluster, when set, refuses a cluster of 0 nodes (Code
	// Invalid) for this reason, as [driver.Capabilities.NoEmptyCluster].
	// "": AWS's rule, an Auto Scaling group of 0 is fine. [Outscale] sets
	// it.
	NoEmptyCluster string
	// PendingReads is how many Reads a NAT gateway, load balancer or
	// database stays pending (Ready false) after its Create. 0: 1; a
	// negative value makes them ready at once.
	PendingReads int
	// PeerTimeout bounds how long the Create of a side of a Net peering
	// waits for the other region of the [Account]: the requester's for the
	// peer Net, the accepter's for the request. 0: one minute.
	PeerTimeout time.Duration
	// Latency is added to every call; a cancelled ctx ends the wait with
	// ctx's error. 0: none. [Driver.SetLatency] changes it later.
	Latency time.Duration
	// Now returns the time recorded in the call log. nil: time.Now.
	Now func() time.Time
	// Ephemeral is the ephemeral port range of the instances' operating
	// system: [Driver.Allows] checks that the network ACLs let the
	// replies of their connections back on the whole of it. Zero:
	// [netplan.DefaultEphemeral], 1024-65535.
	Ephemeral netplan.PortRange
}

// Outscale sets the options that mimic OUTSCALE: its id style, its profile
// ([netplan.Outscale]: subnets down to /29, no rule quotas known), and no
// network ACL, no managed database, no autoscaling (a cluster's scaling
// policy), no instance profile, and net endpoints only as Net access
// points to its object storage (a gateway endpoint to s3:
// driver.Capabilities.EndpointServices).
//
//	d := fake.New(fake.Outscale)
func Outscale(o *Options) {
	if o == nil {
		return
	}
	o.Cloud = CloudOutscale
	o.IDStyle = IDStyleOutscale
	o.Profile = netplan.Outscale
	o.Unsupported = map[blueprint.Kind]string{
		blueprint.KindNetworkACL:      "OUTSCALE has no network ACL; enforce with security groups",
		blueprint.KindDatabase:        "OUTSCALE has no managed database; use the database's cluster fallback",
		blueprint.KindDatabaseReplica: "OUTSCALE has no managed database read replicas; size the database cluster instead",
		blueprint.KindFlowLog:         noFlowLogs,
		blueprint.KindInstanceRole:    noInstanceRoles,
		blueprint.KindCache:           noManagedCache,
		blueprint.KindBroker:          noManagedBroker,
		blueprint.KindBackupVault:     noSnapshotSchedule,
		blueprint.KindBackupPlan:      noSnapshotSchedule,
	}
	o.UnsupportedFields = map[blueprint.Kind]map[string]string{
		blueprint.KindCluster: {"scaling": "OUTSCALE has no autoscaling service; the VMs are kept at the desired count",
			"backup":           noSnapshotSchedule,
			"instance_role":    noInstanceRoles,
			"instance_profile": "OUTSCALE has no IAM instance profiles (nor Session Manager); reach the VMs through a bastion's SSH or a VPN"},
	}
	o.ClientTokens = []blueprint.Kind{blueprint.KindNATGateway, blueprint.KindCluster}
	o.NoEmptyCluster = "an OUTSCALE cluster is its VMs: one of 0 VMs leaves nothing to find"
}

// What OUTSCALE lacks for the service kinds, as its driver says.
const (
	noFlowLogs         = "OUTSCALE's API has no flow logs (ReadApiLogs logs API calls, not traffic)"
	noSnapshotSchedule = "OUTSCALE's API has no snapshot scheduler nor backup vault (CreateSnapshot takes one snapshot, or copies one from another region, when called)"
	noInstanceRoles    = "OUTSCALE's identity service (EIM) has users, groups and policies but no roles or instance profiles for VMs"
	noManagedCache     = "OUTSCALE has no managed cache service; use the cache's cluster fallback (Redis or Memcached on VMs)"
	noManagedBroker    = "OUTSCALE has no managed message broker; use the broker's cluster fallback (RabbitMQ on VMs)"
)

// awsNoFloatingIP is why AWS, and the fake in its mode, take no floating
// public IP on a cluster.
const awsNoFloatingIP = "an autoscaling group keeps no Elastic IP on one of its instances; put a load balancer in front of the tier"

// awsClientTokens are the kinds whose AWS create call takes a client
// token (the default of Options.ClientTokens).
var awsClientTokens = []blueprint.Kind{blueprint.KindNATGateway, blueprint.KindRouteTable, blueprint.KindNetworkACL, blueprint.KindCluster}

// Driver is an in-memory [driver.Driver]. It keeps every resource in
// memory, validates requests the way the clouds do, refuses to delete what
// is still used, lets slow resources pass through a pending state, and
// records every call. Faults, throttling and latency can be injected, and
// outside changes simulated, for tests.
//
// A Driver is safe for concurrent use. Its zero value is the Driver of
// New() (every default), set up on first use; the methods of a nil
// *Driver return an error with Code Invalid (or do nothing).
type Driver struct {
	once sync.Once // sets up a zero Driver (New does it at once)
	opts Options
	caps driver.Capabilities

	mu      sync.Mutex
	seq     uint64
	res     map[string]*entry          // provider id -> resource
	idx     index                      // res by kind and by key
	tokens  map[string]string          // client token -> provider id
	gone    map[string]driver.Observed // provider id -> a deleted resource whose token is remembered
	foreign map[string]foreign         // provider id -> resource archkit does not own
	locks   map[string]*lockEntry      // lock name -> lock object
	lockSeq uint64
	latency time.Duration
	faults  []*faultState
	thr     *throttle
	calls   callLog

	deletedDBs []DeletedDatabase

	// account and regionName are the account and region of a Driver made
	// by Account.Region; one made by New is the unnamed region of an
	// account of its own.
	account    *Account
	regionName string
}

// entry is one stored resource.
type entry struct {
	id      string
	kind    blueprint.Kind
	res     blueprint.Resource // Refs are provider ids
	tags    map[string]string
	pending int // Reads left before Ready
	token   string
	origin  *blueprint.Resource // the spec of the Create, for token checks; nil while res is it (see created)
	parts   map[string][]string
	down    []string     // a cluster's nodes failing their health check (FailHealthCheck, as OUTSCALE)
	db      *dbState     // where a database runs
	keys    []indexKey   // the keys the index holds it under
	logical string       // the logical-id tag the index holds it under
	uses    []string     // the ids its spec refers to that the index holds it under
	link    *peeringLink // a net_peering's connection, shared with the other region
	points  int          // a backup vault's recovery points (AddRecoveryPoints)
}

// foreign is a resource made outside archkit: a hand-started instance or a
// stray network interface in a subnet.
type foreign struct {
	kind   string
	subnet string
}

// New returns an empty Driver.
//
//	d := fake.New(func(o *fake.Options) { o.PendingReads = 3 })
func New(optFns ...func(*Options)) *Driver {
	var o Options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	d := &Driver{}
	d.once.Do(func() { d.init(o) })
	return d
}

// errNilDriver is what the methods of a nil *Driver return.
var errNilDriver = driver.NewError("", "", "", driver.Invalid, errors.New("fake: nil *Driver; make one with fake.New"))

// usable reports whether d is not nil, and sets up a zero Driver with the
// default Options on its first use.
func (d *Driver) usable() bool {
	if d == nil {
		return false
	}
	d.once.Do(func() { d.init(Options{}) })
	return true
}

// init sets d up with o and the documented defaults.
func (d *Driver) init(o Options) {
	if o.Name == "" {
		o.Name = "fake"
	}
	if o.Profile.Name == "" {
		o.Profile = netplan.AWS
	}
	if o.Zones == nil {
		o.Zones = []string{"fake-1a", "fake-1b", "fake-1c"}
	}
	o.Zones = slices.Sorted(slices.Values(o.Zones))
	if o.IDStyle == "" {
		o.IDStyle = IDStyleAWS
	}
	if o.Cloud == "" {
		o.Cloud = CloudAWS
	}
	switch {
	case o.PendingReads == 0:
		o.PendingReads = 1
	case o.PendingReads < 0:
		o.PendingReads = 0
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClientTokens == nil {
		o.ClientTokens = awsClientTokens
	}
	if o.Cloud != CloudOutscale {
		// As AWS, whatever else the caller marks unsupported: a link
		// between regions is a VPC peering, never a VPN appliance.
		o.Unsupported = maps.Clone(o.Unsupported)
		if o.Unsupported == nil {
			o.Unsupported = map[blueprint.Kind]string{}
		}
		if _, set := o.Unsupported[blueprint.KindVPNAppliance]; !set {
			o.Unsupported[blueprint.KindVPNAppliance] = awsNoAppliance
		}
		o.UnsupportedFields = cloneFields(o.UnsupportedFields)
		if o.UnsupportedFields == nil {
			o.UnsupportedFields = map[blueprint.Kind]map[string]string{}
		}
		if o.UnsupportedFields[blueprint.KindCluster] == nil {
			o.UnsupportedFields[blueprint.KindCluster] = map[string]string{}
		}
		if _, set := o.UnsupportedFields[blueprint.KindCluster]["public_ip"]; !set {
			o.UnsupportedFields[blueprint.KindCluster]["public_ip"] = awsNoFloatingIP
		}
	}
	o.ClientTokens = slices.Clone(o.ClientTokens)
	o.Unsupported = maps.Clone(o.Unsupported)
	if d.account == nil {
		d.account = NewAccount() // of its own: no other region to peer with
	}
	o.UnsupportedFields = cloneFields(o.UnsupportedFields)
	d.opts = o
	d.caps = capabilities(o)
	d.res = map[string]*entry{}
	d.idx = newIndex()
	d.tokens = map[string]string{}
	d.gone = map[string]driver.Observed{}
	d.foreign = map[string]foreign{}
	d.locks = map[string]*lockEntry{}
	d.latency = o.Latency
}

// awsNoAppliance is why the fake as AWS makes no VPN appliance.
const awsNoAppliance = "AWS links the VPCs of two regions by VPC peering (pattern.MultiRegion.Link): no VPN appliance"

func capabilities(o Options) driver.Capabilities {
	cloud, unsupported, fields := o.Cloud, o.Unsupported, o.UnsupportedFields
	c := driver.Capabilities{
		Unsupported:       maps.Clone(unsupported),
		UnsupportedFields: cloneFields(fields),
		Mutable:           map[blueprint.Kind][]string{},
		Local:             true,
		ClientTokens:      slices.Clone(o.ClientTokens),
		NoEmptyCluster:    o.NoEmptyCluster,
	}
	if cloud == CloudOutscale && c.Supports(blueprint.KindNetEndpoint) {
		c.EndpointServices = map[string]string{string(tier.ServiceS3): blueprint.EndpointGateway}
		c.NoEndpoint = noInterfaceEndpoints
	}
	for k, ops := range kinds {
		m := ops.mutable
		if cloud == CloudOutscale && ops.oscMutable != nil {
			m = ops.oscMutable
		}
		if len(m) > 0 {
			c.Mutable[k] = slices.Clone(m)
		}
	}
	for k, fs := range fields {
		c.Mutable[k] = slices.DeleteFunc(c.Mutable[k], func(f string) bool { _, no := fs[f]; return no })
	}
	if cloud == CloudOutscale {
		// As the OUTSCALE driver: the secure defaults its API has no
		// setting for are kept, never compared.
		c.WriteOnly = map[blueprint.Kind][]string{
			blueprint.KindCluster:      {"allow_imdsv1", "metadata_hop_limit", "unencrypted_volumes", "volume_kms_key"},
			blueprint.KindLoadBalancer: {"plain_http", "tls_policy", "keep_invalid_headers", "allow_deletion"},
		}
	}
	return c
}

func cloneFields(m map[blueprint.Kind]map[string]string) map[blueprint.Kind]map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[blueprint.Kind]map[string]string, len(m))
	for k, fs := range m {
		out[k] = maps.Clone(fs)
	}
	return out
}

// Name returns Options.Name ("fake").
func (d *Driver) Name() string {
	if !d.usable() {
		return "fake"
	}
	return d.opts.Name
}

// Capabilities reports the kinds of Options.Unsupported, the fields of
// Options.UnsupportedFields and the fields Update changes in place.
func (d *Driver) Capabilities() driver.Capabilities {
	if !d.usable() {
		return driver.Capabilities{}
	}
	c := d.caps
	c.Unsupported = maps.Clone(c.Unsupported)
	c.UnsupportedFields = cloneFields(c.UnsupportedFields)
	c.ClientTokens = slices.Clone(c.ClientTokens)
	c.Mutable = make(map[blueprint.Kind][]string, len(d.caps.Mutable))
	for k, v := range d.caps.Mutable {
		c.Mutable[k] = slices.Clone(v)
	}
	if d.caps.WriteOnly != nil {
		c.WriteOnly = make(map[blueprint.Kind][]string, len(d.caps.WriteOnly))
		for k, v := range d.caps.WriteOnly {
			c.WriteOnly[k] = slices.Clone(v)
		}
	}
	return c
}

// Profile returns Options.Profile.
func (d *Driver) Profile() netplan.Profile {
	if !d.usable() {
		return netplan.AWS
	}
	return d.opts.Profile
}

// Zones returns Options.Zones, sorted.
func (d *Driver) Zones(ctx context.Context) ([]string, error) {
	if !d.usable() {
		return nil, errNilDriver
	}
	err := d.call(ctx, Call{Op: OpZones}, func(*Call) error { return nil })
	if err != nil {
		return nil, err
	}
	return slices.Clone(d.opts.Zones), nil
}

// Operation names, as recorded in the call log and matched by faults.
const (
	OpCreate = "Create"
	OpRead   = "Read"
	OpList   = "List"
	OpUpdate = "Update"
	OpDelete = "Delete"
	OpZones  = "Zones"

	// The lock's operations ([driver.Locker]): counted apart, in
	// Counts.Locks, neither reads nor writes of resources.
	OpCreateLock = "CreateLock"
	OpReadLock   = "ReadLock"
	OpRenewLock  = "RenewLock"
	OpDeleteLock = "DeleteLock"
)

// IsWrite reports whether op changes a resource: Create, Update and
// Delete. The lock's operations are not writes of resources.
func IsWrite(op string) bool { return op == OpCreate || op == OpUpdate || op == OpDelete }

// IsLock reports whether op is an operation of the deployment lock.
func IsLock(op string) bool {
	return op == OpCreateLock || op == OpReadLock || op == OpRenewLock || op == OpDeleteLock
}

// List returns the resources of kind q.Kind tagged with deployment
// q.Deployment, in [driver.CompareObserved] order. When q.NetIDs is set,
// resources that live in a Net are kept only if their Net is one of them.
// A deployment name [blueprint.CheckDeployment] refuses fails with Code
// Invalid before the call is made (the call log stays empty). Like the AWS
// driver, List escapes the name for the tag filter, which has AWS's
// wildcard meaning here too, and compares the tag exactly.
func (d *Driver) List(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	if !d.usable() {
		return nil, errNilDriver
	}
	if err := checkDeployment(OpList, q.Kind, q.Deployment); err != nil {
		return nil, err
	}
	var out []driver.Observed
	err := d.call(ctx, Call{Op: OpList, Kind: q.Kind}, func(*Call) error {
		for _, e := range d.describe(q.Kind, tagFilter{driver.TagDeployment: escapeFilter(q.Deployment)}) {
			if e.tags[driver.TagDeployment] != q.Deployment || e.gone() {
				continue // exact: the filter is a pattern; a deleted connection is listed by AWS, not by the fake
			}
			if len(q.NetIDs) > 0 {
				if n := d.netOf(e); n != "" && !slices.Contains(q.NetIDs, n) {
					continue
				}
			}
			o := e.observed()
			if q.Health {
				withoutUnhealthy(&o, e.down)
			}
			out = append(out, o)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, driver.CompareObserved)
	return out, nil
}

// checkDeployment refuses a deployment name [blueprint.CheckDeployment]
// refuses, with Code Invalid.
func checkDeployment(op string, kind blueprint.Kind, name string) error {
	if err := blueprint.CheckDeployment(name); err != nil {
		return driver.NewError(op, string(kind), "", driver.Invalid, fmt.Errorf("fake: %w", err))
	}
	return nil
}

func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Read returns the resource of kind kind with provider id id, or an error
// with Code NotFound. Each Read of a pending resource brings it one step
// closer to Ready.
func (d *Driver) Read(ctx context.Context, kind blueprint.Kind, id string) (driver.Observed, error) {
	if !d.usable() {
		return driver.Observed{}, errNilDriver
	}
	var out driver.Observed
	err := d.call(ctx, Call{Op: OpRead, Kind: kind, ID: id}, func(c *Call) error {
		e, err := d.lookup(OpRead, kind, id)
		if err != nil {
			return err
		}
		if e.gone() {
			return d.errf(OpRead, kind, id, driver.NotFound, "peering connection %s is deleted", id)
		}
		if e.pending > 0 {
			e.pending--
		}
		out = e.observed()
		return nil
	})
	return out, err
}

// Create validates req and stores the resource with req.Tags, in two
// steps, as a cloud driver does:
//
//  1. it looks for what an earlier call made: a resource of the kind with
//     the same deployment, logical id and token tags (as the AWS driver's
//     describe before each create), and returns it;
//  2. otherwise it creates the resource. For the kinds of
//     Options.ClientTokens, a Token seen before is answered with the
//     resource made then, even once it is deleted (then with Status
//     "deleted", not ready, as AWS answers a RunInstances token for at
//     least 24 hours after the instance is terminated); the same Token
//     with another spec fails with Code Invalid (IdempotentParameterMismatch).
//     Other kinds ignore the Token, as their cloud calls take none.
//
// The two steps do not happen under one lock, as a describe and a create
// are two API calls: two concurrent Creates of one resource both make it,
// as on AWS. The deployment lock is what keeps two runs apart.
func (d *Driver) Create(ctx context.Context, req driver.Request) (driver.Observed, error) {
	if !d.usable() {
		return driver.Observed{}, errNilDriver
	}
	// The fake's own copy, made in place in its entry: one copy of the
	// caller's resource, which the fake never aliases.
	e := &entry{}
	req.Resource.CloneInto(&e.res)
	e.res.DropFallback()
	r := e.res
	req.Resource = r
	if _, no := d.opts.Unsupported[r.Kind]; !no && r.Kind == blueprint.KindNetPeering && r.NetPeering != nil && d.validPeering(r) {
		return d.createNetPeering(ctx, req)
	}
	d.mu.Lock()
	earlier := d.earlier(req)
	d.mu.Unlock()
	if _, no := d.opts.Unsupported[r.Kind]; !no && earlier == "" {
		if err := d.awaitLinkEnd(ctx, req); err != nil {
			return driver.Observed{}, err
		}
	}
	var out driver.Observed
	err := d.call(ctx, Call{Op: OpCreate, Kind: r.Kind, LogicalID: r.ID}, func(c *Call) error {
		if e, ok := d.res[earlier]; ok && earlier != "" {
			out, c.ID = e.observed(), e.id
			return nil
		}
		if o, ok, err := d.byToken(req); ok || err != nil {
			out, c.ID = o, o.ID
			return err
		}
		e, err := d.create(req, e)
		if err != nil {
			return err
		}
		if d.takesToken(r.Kind) && req.Token != "" {
			e.token = req.Token
			d.tokens[req.Token] = e.id
		}
		c.ID = e.id
		out = e.observed()
		return nil
	})
	return out, err
}

// create stores e, whose res is req.Resource, a copy of the caller's as
// the cloud keeps it (see [stored]).
func (d *Driver) create(req driver.Request, e *entry) (*entry, error) {
	r := &e.res
	if reason, no := d.opts.Unsupported[r.Kind]; no {
		return nil, d.errf(OpCreate, r.Kind, r.ID, driver.Unsupported, "%s", reason)
	}
	if r.Spec() == nil {
		return nil, d.errf(OpCreate, r.Kind, r.ID, driver.Invalid, "kind %q: no %q spec; set the spec that matches the kind", r.Kind, r.Kind)
	}
	e.kind, e.tags = r.Kind, maps.Clone(req.Tags)
	if e.tags == nil {
		e.tags = map[string]string{}
	}
	if err := d.validate(OpCreate, e, nil); err != nil {
		return nil, err
	}
	e.id = d.newID(r.Kind, &e.res)
	if r.Kind.IsAsync() {
		e.pending = d.opts.PendingReads
	}
	if r.Kind == blueprint.KindCluster {
		e.parts = d.clusterParts(r.Cluster.Desired)
	}
	if r.Kind == blueprint.KindBroker {
		e.parts = map[string][]string{PartSecret: {BrokerSecretARN(e.id)}}
	}
	d.res[e.id] = e
	d.indexAdd(e)
	return e, nil
}

// Update changes the resource current.ID to match req. Changes to fields
// that Capabilities().Mutable does not list fail with Code Invalid; the
// tags are replaced by req.Tags when req.Tags is not nil.
func (d *Driver) Update(ctx context.Context, req driver.Request, current driver.Observed) (driver.Observed, error) {
	if !d.usable() {
		return driver.Observed{}, errNilDriver
	}
	kind := req.Resource.Kind
	var out driver.Observed
	err := d.call(ctx, Call{Op: OpUpdate, Kind: kind, ID: current.ID, LogicalID: req.Resource.ID}, func(c *Call) error {
		e, err := d.lookup(OpUpdate, kind, current.ID)
		if err != nil {
			return err
		}
		r := stored(req.Resource)
		if r.Spec() == nil {
			return d.errf(OpUpdate, kind, e.id, driver.Invalid, "kind %q: no %q spec; set the spec that matches the kind", kind, kind)
		}
		if err := d.checkFields(OpUpdate, &entry{kind: kind, res: r}); err != nil {
			return err
		}
		changed, err := changedFields(e.res, r)
		if err != nil {
			return driver.NewError(OpUpdate, string(kind), e.id, driver.Internal, err)
		}
		var fixed []string
		for _, f := range changed {
			if !d.caps.CanUpdate(kind, f) {
				fixed = append(fixed, f)
			}
		}
		if len(fixed) > 0 {
			return d.errf(OpUpdate, kind, e.id, driver.Invalid,
				"fields %v cannot change in place; replace the resource", fixed)
		}
		if why := d.Replaces(e.res, r); len(why) > 0 {
			return d.errf(OpUpdate, kind, e.id, driver.Invalid, "%v; replace the resource", why)
		}
		next := &entry{id: e.id, kind: kind, res: r, tags: e.tags, pending: e.pending, token: e.token, origin: e.created(), parts: e.parts, db: e.db, down: e.down}
		if req.Tags != nil {
			next.tags = maps.Clone(req.Tags)
		}
		if err := d.validate(OpUpdate, next, e); err != nil {
			return err
		}
		if kind == blueprint.KindCluster && r.Cluster.Desired != e.res.Cluster.Desired {
			next.parts, next.down = d.clusterParts(r.Cluster.Desired), nil
		} else if kind == blueprint.KindCluster {
			next.parts, next.down = d.replaceUnhealthy(e, current.Parts[partUnhealthy])
		}
		d.indexRemove(e)
		*e = *next
		d.indexAdd(e)
		out = e.observed()
		return nil
	})
	return out, err
}

// Delete deletes current.ID. A resource already gone is not an error; a
// resource still in use fails with Code Dependency and its Blockers. A
// protected resource (every database; on OUTSCALE, a stateful cluster's
// VMs) is deleted only when opts.LiftProtection is set, as the clouds
// refuse it otherwise (Code Invalid); a database leaves a final snapshot
// and its automated backups unless opts skip them ([Driver.DeletedDatabases]).
func (d *Driver) Delete(ctx context.Context, current driver.Observed, opts driver.DeleteOptions) error {
	if !d.usable() {
		return errNilDriver
	}
	kind := current.Resource.Kind
	return d.call(ctx, Call{Op: OpDelete, Kind: kind, ID: current.ID, LogicalID: current.LogicalID}, func(c *Call) error {
		e, ok := d.res[current.ID]
		if !ok || (kind != "" && e.kind != kind) {
			return nil
		}
		c.Kind = e.kind
		if err := d.checkProtected(e, opts); err != nil {
			return err
		}
		if blockers := d.blockers(e); len(blockers) > 0 {
			err := d.errf(OpDelete, e.kind, e.id, driver.Dependency, "%s %s is in use", e.kind, e.id)
			err.Blockers = blockers
			return err
		}
		d.keepData(e, opts)
		e.deleteNetPeering()
		d.remove(e)
		return nil
	})
}

// remove deletes e and what goes with it (a group's own rule set). The
// token of e stays remembered, with e as it was.
func (d *Driver) remove(e *entry) {
	delete(d.res, e.id)
	d.indexRemove(e)
	if e.token != "" {
		gone := e.observed()
		gone.Ready, gone.Status = false, "deleted"
		d.gone[e.id] = gone
	}
	if e.kind == blueprint.KindNet {
		for _, o := range d.keyed(blueprint.KindNetPeering, netKey(blueprint.Ref(e.id)), nil) {
			o.deleteNetPeering()
			delete(d.res, o.id)
			d.indexRemove(o)
		}
	}
	if e.kind == blueprint.KindSecurityGroup {
		for _, o := range d.keyed(blueprint.KindSecurityGroupRules, groupKey(blueprint.Ref(e.id)), nil) {
			delete(d.res, o.id)
			d.indexRemove(o)
		}
	}
}

// stored returns a copy of r as the cloud keeps it: without a database's
// fallback cluster, which tells the engine what to build on a cloud
// without managed databases and is nothing a database has.
func stored(r blueprint.Resource) blueprint.Resource {
	c := r.Clone()
	c.DropFallback()
	return c
}

// lookup returns the resource id of kind kind, or a NotFound error.
func (d *Driver) lookup(op string, kind blueprint.Kind, id string) (*entry, error) {
	e, ok := d.res[id]
	if !ok || (kind != "" && e.kind != kind) {
		return nil, d.errf(op, kind, id, driver.NotFound, "%s %s does not exist", kindName(kind), id)
	}
	return e, nil
}

func kindName(k blueprint.Kind) string {
	if k == "" {
		return "resource"
	}
	return string(k)
}

// ref returns the resource a Ref of field names, which must be of kind
// want. A missing target is Code NotFound, a target of another kind Code
// Invalid.
func (d *Driver) ref(op string, e *entry, field string, ref blueprint.Ref, want blueprint.Kind) (*entry, error) {
	if ref == "" {
		return nil, d.errf(op, e.kind, e.res.ID, driver.Invalid, "%s: empty; set the %s id", field, want)
	}
	t, ok := d.res[string(ref)]
	if !ok {
		return nil, d.errf(op, e.kind, e.res.ID, driver.NotFound, "%s: %s %s does not exist", field, want, ref)
	}
	if t.kind != want {
		return nil, d.errf(op, e.kind, e.res.ID, driver.Invalid, "%s: %s is a %s, not a %s", field, ref, t.kind, want)
	}
	return t, nil
}

// netOf returns the provider id of the Net e lives in, or "".
func (d *Driver) netOf(e *entry) string {
	if e.kind == blueprint.KindNet {
		return e.id
	}
	ops := kinds[e.kind]
	if ops.net == nil {
		return ""
	}
	net, via := ops.net(&e.res)
	if net != "" {
		return string(net)
	}
	if t, ok := d.res[string(via)]; ok && t != e {
		return d.netOf(t)
	}
	return ""
}

// observed returns a deep copy of e as a driver.Observed.
func (e *entry) observed() driver.Observed {
	o := driver.Observed{
		ID:        e.id,
		LogicalID: e.tags[driver.TagLogicalID],
		Ready:     e.pending == 0,
		Status:    e.status(),
		Tags:      maps.Clone(e.tags),
	}
	e.res.CloneInto(&o.Resource)
	if e.link != nil {
		o.Ready = o.Status == peeringActive
	}
	if e.parts != nil {
		o.Parts = make(map[string][]string, len(e.parts))
		for k, v := range e.parts {
			o.Parts[k] = slices.Clone(v)
		}
	}
	return o
}

// created returns the spec e's Create stored. The fake never changes a
// stored spec in place (Update and Mutate store new ones), so a copy of
// res's fields shares the specs safely.
func (e *entry) created() *blueprint.Resource {
	if e.origin != nil {
		return e.origin
	}
	c := e.res
	return &c
}

func (e *entry) status() string {
	ops := kinds[e.kind]
	switch {
	case e.link != nil:
		return e.link.state()
	case e.pending > 0 && ops.pending != "":
		return ops.pending
	case ops.ready != "":
		return ops.ready
	}
	return "available"
}

// errf returns a *driver.Error whose Err is the formatted message.
func (d *Driver) errf(op string, kind blueprint.Kind, id string, code driver.Code, format string, args ...any) *driver.Error {
	return driver.NewError(op, string(kind), id, code, fmt.Errorf("fake: "+format, args...))
}
