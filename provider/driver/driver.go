package driver

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
)

// Ownership tags. Every resource archkit creates carries both, so that Plan
// finds what exists without a state file.
const (
	// TagDeployment holds the deployment name ([blueprint.Blueprint.Deployment]).
	TagDeployment = "archkit:deployment"
	// TagLogicalID holds the resource's logical id ("subnet/web/a").
	TagLogicalID = "archkit:id"
	// TagName holds a readable name ("shop-subnet-web-a"), shown by the
	// clouds' consoles.
	TagName = "Name"
	// TagToken holds the idempotency token of the resource's life
	// ([Request.Token]). A driver that looks, before a create, for what an
	// earlier attempt of the same run made matches it too, so that the
	// new resource of a replace never takes the old one it replaces.
	TagToken = "archkit:token"
)

// Driver is what a cloud must implement for the engine: create, read, update
// and delete for each resource kind of a [blueprint.Blueprint], and discovery
// by ownership tags.
//
// Specs in a [Request] and in an [Observed] are those of a
// [blueprint.Resource] whose Refs hold provider ids, not logical ids: the
// engine resolves them before it calls Create or Update, and compares what
// List returns the same way.
//
// Drivers map their cloud's errors to [*Error] with one of the [Code]s, so
// the engine can tell a throttle from a dependency violation.
// Implementations must be safe for concurrent use: the engine calls them
// from several goroutines.
//
// # One retry layer
//
// A call is retried by one layer, never two. A driver that retries its
// calls itself (the AWS driver through the SDK's retryer, the OUTSCALE
// driver through its call loop) returns, once its own attempts are spent,
// an error whose Retryable is false; its Code stays Throttled or
// Unavailable. The engine retries only Retryable errors ([IsRetryable]),
// that is those of drivers without a retry layer, like the fake. So one
// persistently throttled create costs the driver's attempts (AWS: 8 by
// default; OUTSCALE: 6) or the engine's (8 by default, for the fake), not
// their product.
type Driver interface {
	// Name returns the provider's name: "aws", "outscale", "fake".
	Name() string
	// Capabilities says what the driver cannot do.
	Capabilities() Capabilities
	// Profile returns the provider's address and quota limits.
	Profile() netplan.Profile
	// Zones lists the zones (availability zones, subregions) of the
	// driver's region, sorted.
	Zones(ctx context.Context) ([]string, error)

	// List returns every resource of kind q.Kind that carries the ownership
	// tag of q.Deployment (scoped to q.NetIDs for kinds that live in a Net,
	// when the caller knows them). It makes no write call. A deployment
	// name that [blueprint.CheckDeployment] refuses fails with Code
	// Invalid before any call; the tag is compared exactly, whatever the
	// cloud's filters do with it (AWS filters read '*' and '?' as
	// wildcards).
	List(ctx context.Context, q Query) ([]Observed, error)
	// Read returns the current state of one resource by provider id. It
	// returns an error with Code NotFound when it is gone.
	Read(ctx context.Context, kind blueprint.Kind, id string) (Observed, error)
	// Create creates the resource with its ownership tags and returns it.
	// A Create repeated after a failure that may have taken effect (a
	// lost answer) must not make a second resource: the driver first
	// looks for what an earlier call made for the same deployment and
	// logical id (by its tags, its unique name, or the Token for the
	// kinds of [Capabilities.ClientTokens]) and completes that one. The
	// ownership tags are set by the create call itself where the cloud
	// allows it, so that a resource made is a resource found. Create may
	// return before an asynchronous resource is ready (Observed.Ready
	// false); the engine then polls Read.
	Create(ctx context.Context, req Request) (Observed, error)
	// Update changes the resource in place to match req. It is called only
	// for changes that [Capabilities.CanUpdate] allows.
	Update(ctx context.Context, req Request, current Observed) (Observed, error)
	// Delete deletes the resource. Deleting a resource that is already gone
	// is not an error. When the cloud refuses because something uses the
	// resource, the error has Code Dependency and names the blocker.
	//
	// opts say how a stateful resource goes: a driver lifts the deletion
	// protection it set at creation only when opts.LiftProtection is true,
	// and keeps what the cloud can keep (a final snapshot, automated
	// backups, volumes) unless opts say otherwise. The zero DeleteOptions
	// lose no data: a protected resource stays, and the cloud's refusal is
	// returned.
	Delete(ctx context.Context, current Observed, opts DeleteOptions) error

	// Locker keeps the deployment's lock in the cloud: the engine holds
	// it during every Apply and Destroy.
	Locker
}

// DeleteOptions say how [Driver.Delete] treats the data of a stateful
// resource (a database, a database cluster's volumes), and what else the
// run deletes. Drivers ignore the data options for resources that hold
// no data. The zero value loses nothing.
type DeleteOptions struct {
	// LiftProtection allows the delete: the driver lifts the deletion
	// protection it set at creation (RDS DeletionProtection, OUTSCALE VM
	// DeletionProtection) before it deletes. The engine sets it for every
	// delete of a resource without data that its plan holds, and for a
	// stateful resource only when the caller opted in (AllowDataLoss).
	// Without it a protected resource is not deleted: the cloud's refusal
	// is returned.
	LiftProtection bool
	// SkipFinalSnapshot deletes without the final snapshot a driver
	// takes otherwise (RDS FinalDBSnapshotIdentifier, named by
	// [FinalSnapshotName]).
	SkipFinalSnapshot bool
	// DeleteAutomatedBackups deletes the cloud's automated backups with
	// the resource; by default they are kept for their retention period.
	DeleteAutomatedBackups bool
	// At is the time of the run that deletes, from which the final
	// snapshot is named: a delete retried within a run names the same
	// snapshot. Zero: the time of the call.
	At time.Time
	// GroupDeleted says, for a security_group_rules, that the same run
	// deletes its security group after it. The driver then removes only
	// the rules that name another group, which the cloud would otherwise
	// hold against that group's delete (AWS DependencyViolation, OUTSCALE
	// 9085), and leaves the other rules and the rule set's tags to go with
	// the group: 0 to 2 calls instead of 3. Drivers ignore it for every
	// other kind.
	GroupDeleted bool
}

// FinalSnapshotName returns the name of the final snapshot of the resource
// whose cloud identifier is id, deleted by a run at at:
// "<id>-final-<UTC date>-<UTC time>", for example
// "shop-database-db-3f9c2a1b-final-20261129-160501". It meets the rules of
// RDS's DeleteDBInstance for FinalDBSnapshotIdentifier (1 to 255 letters,
// digits or hyphens, starting with a letter, no two hyphens in a row, no
// hyphen at the end) whenever id does (an RDS instance identifier: at
// most 63 characters, the same alphabet).
func FinalSnapshotName(id string, at time.Time) string {
	if at.IsZero() {
		at = time.Now()
	}
	return strings.TrimRight(id, "-") + "-final-" + at.UTC().Format("20060102-150405")
}

// Replacer is implemented by a driver whose in-place changes depend on the
// values, not only on the field: RDS grows storage in place but cannot
// shrink it, and upgrades an engine version but never downgrades it. The
// engine asks it about every change of a field that
// [Capabilities.Mutable] lists; a field it returns is replaced, with the
// reason shown in the plan.
type Replacer interface {
	// Replaces returns, for a change of one resource from have to want
	// (same kind, normalized, refs as logical ids), the mutable fields the
	// cloud still cannot change in place, each with the reason:
	// {"storage_gib": "RDS cannot shrink storage (100 -> 50 GiB)"}.
	Replaces(have, want blueprint.Resource) map[string]string
}

// Query selects resources for [Driver.List].
type Query struct {
	Deployment string
	Kind       blueprint.Kind
	// NetIDs are the provider ids of the deployment's Nets, when known; a
	// driver scopes its describe calls by them (a real account and moto
	// hold default VPC resources that must never be listed).
	NetIDs []string
	// Health asks the driver to leave out of a cluster's nodes those its
	// cloud reports as failing (a load balancer's health check) where the
	// cloud does not replace them itself, so that the cluster shows fewer
	// nodes than desired and its Update replaces them; the Observed lists
	// them in Parts["unhealthy_vm"]. Set by Engine.Reconcile. Drivers whose
	// cloud replaces such nodes (an AWS autoscaling group) ignore it.
	Health bool
}

// Request asks a driver to create or update one resource.
type Request struct {
	Deployment string
	// Resource is the desired resource, its Refs resolved to provider ids
	// and its zones mapped to the provider's zone names.
	Resource blueprint.Resource
	// Token is the idempotency token of this life of the resource, at
	// most 64 ASCII characters (see [Token]): the same in every
	// retry of one run, new in the next run, so that a token never meets a
	// deleted resource of an earlier life (AWS answers a repeated
	// RunInstances token with the old, terminated instance for at least 24
	// hours). Drivers send it as the client token of the APIs that take
	// one, and may derive cloud names from it.
	Token string
	// Tags are the tags to put on the resource: the ownership tags, Name,
	// and the user's own.
	Tags map[string]string
}

// Observed is a resource as the cloud reports it.
type Observed struct {
	// ID is the provider id ("vpc-0ab12cd3"); for resources a cloud
	// identifies by name (OUTSCALE load balancers) it is the name.
	ID        string
	LogicalID string
	// Resource holds the spec as read back, Refs as provider ids. Fields
	// the cloud does not report back (user data on some clouds) are left
	// as they were sent, and the driver documents which.
	Resource blueprint.Resource
	// Ready reports whether the resource is usable (a NAT gateway
	// "available", a load balancer "active").
	Ready bool
	// Status is the cloud's own state word, for display.
	Status string
	// Incomplete reports a resource whose create stopped half-way (an AWS
	// database's subnet group without its instance, a cluster's launch
	// template without its autoscaling group): the engine plans an Update,
	// which the driver answers by completing the resource, never a
	// replace.
	Incomplete bool
	Tags       map[string]string
	// Parts are sub-resources the driver created for this resource and
	// reports for leak checks, for example the launch template of an AWS
	// cluster or the VMs of an OUTSCALE one: kind -> provider ids.
	Parts map[string][]string
}

// Capabilities says what a driver cannot do, so the engine refuses or
// falls back with a clear message instead of failing half-way.
type Capabilities struct {
	// Unsupported maps a kind the driver cannot create to the reason,
	// for example KindNetworkACL: "OUTSCALE has no network ACLs".
	Unsupported map[blueprint.Kind]string
	// Mutable lists, per kind, the spec fields (JSON names, "routes",
	// "inbound", "desired" ...) that Update can change in place. A change
	// to any other field replaces the resource.
	Mutable map[blueprint.Kind][]string
	// WriteOnly lists, per kind, the spec fields the driver cannot read
	// back (user data on some clouds); Plan and Drift do not compare them.
	WriteOnly map[blueprint.Kind][]string
	// UnsupportedFields maps, per kind the driver supports, a top-level
	// spec field (JSON name) it cannot honour to the reason, for example
	// KindCluster: {"scaling": "OUTSCALE has no autoscaling service"}. A
	// Blueprint that sets such a field (to anything but its zero value) is
	// refused before any call, unless [Options.AllowFallback] drops the
	// field with a notice. nil: every field of a supported kind works.
	UnsupportedFields map[blueprint.Kind]map[string]string
	// Local reports that the driver answers in this process, without a
	// network or a cloud's quotas in between (the fake). The engine then
	// takes local defaults for the options its caller leaves zero: no
	// client-side rate limit, polls of pending resources every millisecond
	// (up to 10ms) and retries after at most a millisecond, so that a
	// test on such a driver needs no options to be fast. A cloud driver
	// leaves it false and gets the defaults a cloud needs (see
	// provider.Options).
	Local bool
	// ClientTokens lists the kinds whose create call sends Request.Token
	// to the cloud as its client token (AWS: nat_gateway, route_table,
	// network_acl and the launch template of a cluster; OUTSCALE:
	// nat_gateway and the VMs of a cluster). The cloud answers a repeat of
	// such a call with the first resource, even once it is deleted, so a
	// token must never serve two lives of a resource. The conformance
	// suite checks these kinds against the cloud's token rules.
	ClientTokens []blueprint.Kind
	// NoEmptyCluster is the reason the cloud cannot hold a cluster of 0
	// nodes (OUTSCALE: a cluster is its VMs, and 0 VMs leave nothing to
	// find again); "": it can (AWS: an Auto Scaling group of size 0). The
	// engine leaves such a cluster out, with a notice, when
	// Options.AllowFallback is set (a pilot-light region's clusters), and
	// refuses it otherwise.
	NoEmptyCluster string
	// EndpointServices, for a driver that makes net endpoints to some of
	// the services archkit knows only, maps each of those services (a
	// tier.Service name: "s3") to the endpoint type it makes to it
	// (blueprint.EndpointGateway or EndpointInterface); NoEndpoint is why
	// the others are not made. OUTSCALE: {"s3": "Gateway"}, a Net access
	// point to its object storage (OOS). A net_endpoint to another service
	// or of another type is refused before any call, or dropped with a
	// notice (with the rules to its prefix list) under AllowFallback, as a
	// kind in Unsupported is. nil: every service and type
	// blueprint.Resource.Check accepts.
	EndpointServices map[string]string
	NoEndpoint       string
}

// SupportsEndpoint reports whether the driver makes a net endpoint of
// type typ (blueprint.EndpointGateway or EndpointInterface) to service
// (a tier.Service name).
func (c Capabilities) SupportsEndpoint(service, typ string) bool {
	if !c.Supports(blueprint.KindNetEndpoint) {
		return false
	}
	return c.EndpointServices == nil || c.EndpointServices[service] == typ
}

// Supports reports whether the driver can create resources of kind k.
func (c Capabilities) Supports(k blueprint.Kind) bool {
	_, no := c.Unsupported[k]
	return !no
}

// SupportsField reports whether the driver honours field (a top-level JSON
// name) of kind k resources: k is supported and field is not listed in
// UnsupportedFields.
func (c Capabilities) SupportsField(k blueprint.Kind, field string) bool {
	_, no := c.UnsupportedFields[k][field]
	return c.Supports(k) && !no
}

// CanUpdate reports whether the driver can change field of a kind k
// resource in place.
func (c Capabilities) CanUpdate(k blueprint.Kind, field string) bool {
	return slices.Contains(c.Mutable[k], field)
}

// Token returns the idempotency token of one life of a resource:
// deterministic, at most 64 ASCII characters (letters, digits, '-' and
// the '_' of kind names), built from the
// deployment, the logical id and life, for example
// "shop-subnet-web-a-3f9c2a1b". life names the life: the engine passes the
// provider id of the run's lock object (new at every acquisition) and a
// run number, so that retries within a run share a token and the next run
// gets a new one. The 32-bit FNV-1a hash of all three keeps long names
// unique; an empty life gives the token of earlier versions.
func Token(deployment, logicalID, life string) string {
	const max = 64
	base := deployment + "-" + tokenSeparators.Replace(logicalID)
	key := deployment + "\x00" + logicalID
	if life != "" {
		key += "\x00" + life
	}
	suffix := fmt.Sprintf("-%08x", Hash(key))
	if len(base)+len(suffix) > max {
		base = base[:max-len(suffix)]
	}
	return base + suffix
}

// tokenSeparators turns the separators of a logical id into hyphens.
var tokenSeparators = strings.NewReplacer("/", "-", ":", "-")

// TokenPrefix returns the part of [Token](deployment, logicalID, life)
// that every life shares: the readable base and its dash, for example
// "shop-subnet-web-a-". A driver whose cloud tags a resource only after
// creating it (OUTSCALE) matches it to adopt, in a later run, what a run
// that died between the two calls made: an untagged resource in a place
// only this deployment uses (its subnet), carrying a token of this
// resource.
func TokenPrefix(deployment, logicalID string) string {
	t := Token(deployment, logicalID, "")
	return t[:len(t)-8]
}

// Hash returns the 32-bit FNV-1a hash of s ([hash/fnv]), the short stable
// digest of tokens and cloud names.
func Hash(s string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return h.Sum32()
}

// CompareObserved orders observed resources by logical id, then by provider
// id: the one order of a List's answer, used by the engine, the fake and
// the cloud drivers, so that plans and listings never depend on the order
// a cloud happens to answer in. It fits slices.SortFunc.
func CompareObserved(a, b Observed) int {
	return cmp.Or(strings.Compare(a.LogicalID, b.LogicalID), strings.Compare(a.ID, b.ID))
}

// Checker is implemented by a driver whose cloud refuses values beyond
// what [blueprint.Resource.Check], its Profile and its Capabilities say:
// AWS, for example, refuses a load balancer name that begins with
// "internal-", which OUTSCALE takes. The engine's preflight calls Check
// for every resource of a Blueprint before its first write, and reports
// every problem with the others.
type Checker interface {
	// Check reports every value of r that the cloud would refuse, joined
	// (errors.Join), each naming the spec field and the fix. r is a
	// resource of deployment's Blueprint after the engine adapted it to
	// the driver: its Refs are logical ids, its zones the driver's. Check
	// makes no call and is safe for concurrent use.
	Check(deployment string, r blueprint.Resource) error
}
