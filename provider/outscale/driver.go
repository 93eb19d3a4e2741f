package outscale

import (
	"context"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/resend"
)

var _ driver.Driver = (*Driver)(nil)

// Options configure a [Driver]. The zero value of every field selects the
// default documented on it; credentials and endpoint default to what
// OUTSCALE's own tools read (see [New]).
type Options struct {
	// Profile is the profile of ~/.osc/config.json to use. "": OSC_PROFILE,
	// else "default" (used only when no access key is given).
	Profile string
	// Region is the OUTSCALE region, "eu-west-2". "": OSC_REGION, else the
	// profile's region, else eu-west-2.
	Region string
	// Endpoint is the API base URL, for example a test server's
	// "http://127.0.0.1:4010/api/v1". "": OSC_ENDPOINT_API, else the
	// profile's endpoints.api, else https://api.<region>.outscale.com/api/v1.
	Endpoint string
	// AccessKey and SecretKey override the environment and the profile.
	// The secret key is never logged.
	AccessKey, SecretKey string
	// HTTPClient sends the requests. nil: a client with a 60s timeout (the
	// SDK's default client has none).
	HTTPClient *http.Client
	// MaxAttempts bounds the attempts of one API call, the first included,
	// when OUTSCALE throttles, is unavailable or answers a "not ready yet"
	// conflict. 0: 6.
	MaxAttempts int
	// RetryBaseDelay and RetryMaxDelay shape the backoff between attempts
	// (full jitter). 0: 500ms and 20s.
	RetryBaseDelay, RetryMaxDelay time.Duration
	// WaitTimeout bounds the waits of Delete for resources OUTSCALE removes
	// asynchronously (NAT services, VMs, load balancers). 0: 10m.
	WaitTimeout time.Duration
	// PollInterval is the first delay between two reads while waiting; it
	// doubles up to 10s. 0: 1s.
	PollInterval time.Duration
	// HealthGrace is how long a new VM may fail its load balancers'
	// health checks before a List that asks for health
	// (driver.Query.Health, Engine.Reconcile) counts it as failed: the
	// time it takes to boot and start its service. 0: 5 minutes (the
	// default HealthCheckGracePeriod of an AWS autoscaling group, 300 s);
	// negative: none.
	HealthGrace time.Duration
	// Logger receives debug records of calls and retries (operation, kind,
	// id; never a key or a signature). nil: nothing is logged.
	Logger *slog.Logger
}

func (o *Options) setDefaults() {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 6
	}
	if o.RetryBaseDelay <= 0 {
		o.RetryBaseDelay = 500 * time.Millisecond
	}
	if o.RetryMaxDelay <= 0 {
		o.RetryMaxDelay = 20 * time.Second
	}
	if o.WaitTimeout <= 0 {
		o.WaitTimeout = 10 * time.Minute
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.HealthGrace == 0 {
		o.HealthGrace = 5 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Driver is the OUTSCALE [driver.Driver]: it creates the resources of a
// Blueprint with osc-sdk-go/v2 in one region. It is safe for concurrent use.
type Driver struct {
	opts   Options
	ep     *endpoint
	api    *osc.APIClient
	log    *slog.Logger
	calls  atomic.Int64
	region string
	// sent holds the creates sent (see package resend).
	sent resend.Sent

	mu       sync.Mutex
	zones    []string
	quotas   netplan.Quotas
	quotasOK bool
	// peers are the drivers of the deployment's other regions (SetPeers).
	peers map[string]driver.Driver

	// creating serializes, per kind, the creates that take neither a
	// client token nor tags, so that one's lost answer is never confused
	// with another's new resource (see createAdopting).
	creating sync.Map // blueprint.Kind -> *sync.Mutex

	// svc holds the ids of the region's Net access point services.
	svc serviceIDs
}

// New returns a Driver. It makes no API call: it resolves the credentials,
// the region and the endpoint from optFns, the environment (OSC_ACCESS_KEY,
// OSC_SECRET_KEY, OSC_REGION, OSC_PROFILE, OSC_ENDPOINT_API) and the
// profile file ~/.osc/config.json, in that order, through the SDK's
// ConfigEnv and ConfigFile. It fails with a [driver.ErrAuth] error when
// no access key pair is found.
//
//	d, err := outscale.New(func(o *outscale.Options) { o.Profile = "prod"; o.Region = "eu-west-2" })
func New(optFns ...func(*Options)) (*Driver, error) {
	var o Options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	o.setDefaults()
	ep, err := resolve(&o)
	if err != nil {
		return nil, err
	}
	d := &Driver{opts: o, ep: ep, api: osc.NewAPIClient(ep.cfg), log: o.Logger, region: ep.region}
	d.log.LogAttrs(context.Background(), slog.LevelDebug, "new", slog.String(logRegion, ep.region), slog.Any("credentials", ep.creds))
	return d, nil
}

// Region returns the region the driver works in.
func (d *Driver) Region() string {
	if d == nil {
		return ""
	}
	return d.region
}

// ready reports, as an error with Code Invalid, a Driver that cannot call
// the API: nil, or its zero value. New sets it up.
func (d *Driver) ready(op string, k blueprint.Kind) error {
	if d == nil || d.api == nil || d.ep == nil {
		return errorf(op, string(k), "", driver.Invalid, "the driver is not set up; make it with outscale.New")
	}
	return nil
}

// Calls returns the number of API requests the driver sent, retries
// included.
func (d *Driver) Calls() int64 {
	if d == nil {
		return 0
	}
	return d.calls.Load()
}

// Name returns "outscale".
func (d *Driver) Name() string { return "outscale" }

// scalingUnsupported is why a cluster's scaling policy cannot be honoured.
const scalingUnsupported = "OUTSCALE has no autoscaling service (VM groups are still under development in the API); archkit keeps the VMs at Desired"

// instanceProfileUnsupported is why a cluster's instance profile cannot be
// honoured.
const instanceProfileUnsupported = "OUTSCALE has no IAM instance profiles (nor Session Manager); reach the VMs through a bastion's SSH or a VPN"

// snapshotScheduleUnsupported is why a snapshot schedule (backup_vault,
// backup_plan, a cluster's backup tag) cannot be honoured: OUTSCALE's
// API (its OpenAPI description) has CreateSnapshot, which takes one
// snapshot of a volume, or copies one from another region
// (SourceSnapshotId, SourceRegionName), when called, and no scheduler,
// lifecycle or vault.
const snapshotScheduleUnsupported = "OUTSCALE's API has no snapshot scheduler nor backup vault: CreateSnapshot takes or copies one snapshot when called"

// Capabilities reports what OUTSCALE lacks: network ACLs, managed
// databases and autoscaling (a cluster's scaling policy: the engine keeps
// the VMs at Desired). See the package documentation for the fields
// Update changes in place.
func (d *Driver) Capabilities() driver.Capabilities {
	c := driver.Capabilities{
		Unsupported: map[blueprint.Kind]string{},
		UnsupportedFields: map[blueprint.Kind]map[string]string{
			blueprint.KindCluster: {"scaling": scalingUnsupported, "instance_role": instanceRolesUnsupported,
				"instance_profile": instanceProfileUnsupported, "backup": snapshotScheduleUnsupported},
		},
		Mutable: map[blueprint.Kind][]string{},
		// The secure defaults OUTSCALE's API has no setting for, neither
		// applied nor read back, so never compared: its metadata server has
		// no session token (allow_imdsv1, metadata_hop_limit), CreateVms'
		// BsuToCreate no encryption (unencrypted_volumes, volume_kms_key),
		// and its load balancers (LBU) no HTTP redirect, TLS policy, header
		// filtering or deletion protection.
		WriteOnly: map[blueprint.Kind][]string{
			blueprint.KindCluster:      {"allow_imdsv1", "metadata_hop_limit", "unencrypted_volumes", "volume_kms_key"},
			blueprint.KindLoadBalancer: {"plain_http", "tls_policy", "keep_invalid_headers", "allow_deletion"},
			// ReadKeypairs returns the key's fingerprint, never the key: the
			// hash in the keypair's name tells another key.
			blueprint.KindKeyPair: {"public_key"},
			// A Net peering names the peer Net by its id; the logical id
			// (PeerNet) found it at the create and is not read back.
			blueprint.KindNetPeering: {"peer_net"},
		},
		// CreateNatService and CreateVms take a ClientToken; no other create does.
		ClientTokens:   []blueprint.Kind{blueprint.KindNATGateway, blueprint.KindCluster},
		NoEmptyCluster: noEmptyCluster,
		// Net access points reach OOS only, through route tables.
		EndpointServices: endpointServices(),
		NoEndpoint:       noInterfaceEndpoints,
	}
	for k, ops := range kinds {
		if ops.unsupported != "" {
			c.Unsupported[k] = ops.unsupported
		}
		if len(ops.mutable) > 0 {
			c.Mutable[k] = slices.Clone(ops.mutable)
		}
	}
	return c
}

// Profile returns [netplan.Outscale] with the quotas of the account filled
// in where ReadQuotas reports them (after the first successful Zones call,
// which reads them; before it, the built-in defaults): rules per group
// (vpc_sg_rule_limit), groups per VM and per Net, subnets, NAT services,
// route tables per Net and routes per table (rtb_limit, rtb_rule_limit),
// Nets, public IPs, load balancers and their listeners. The engine's
// preflight checks Blueprints against them.
func (d *Driver) Profile() netplan.Profile {
	p := netplan.Outscale
	if d == nil {
		return p
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.quotasOK {
		q := d.quotas
		if q.GroupsPerNet == 0 {
			q.GroupsPerNet = p.Quotas.GroupsPerNet
		}
		p.Quotas = q
	}
	return p
}

// Zones lists the subregions of the region that ReadSubregions reports,
// sorted ("eu-west-2a", "eu-west-2b"). The first successful call also
// reads the account's quotas for [Driver.Profile]; a failure to read them
// is not an error (the defaults stay).
func (d *Driver) Zones(ctx context.Context) ([]string, error) {
	if err := d.ready("ReadSubregions", "zone"); err != nil {
		return nil, err
	}
	d.mu.Lock()
	if d.zones != nil {
		z := slices.Clone(d.zones)
		d.mu.Unlock()
		return z, nil
	}
	d.mu.Unlock()
	var zones []string
	token := ""
	for {
		req := osc.ReadSubregionsRequest{Filters: &osc.FiltersSubregion{RegionNames: &[]string{d.region}}}
		if token != "" {
			req.NextPageToken = &token
		}
		resp, err := call(ctx, d, "ReadSubregions", "zone", d.region, func(ctx context.Context) (osc.ReadSubregionsResponse, *http.Response, error) {
			return d.api.SubregionApi.ReadSubregions(ctx).ReadSubregionsRequest(req).Execute()
		})
		if err != nil {
			return nil, err
		}
		for _, s := range resp.GetSubregions() {
			if st := s.GetState(); st == "" || st == "available" {
				zones = append(zones, s.GetSubregionName())
			}
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	slices.Sort(zones)
	zones = slices.Compact(zones)
	q, qerr := d.readQuotas(ctx)
	d.mu.Lock()
	d.zones = zones
	if qerr == nil {
		d.quotas, d.quotasOK = q, true
	}
	d.mu.Unlock()
	return slices.Clone(zones), nil
}

// readQuotas reads the account's quotas that netplan plans with. A
// MaxValue of 0 means no limit and leaves the quota unset.
func (d *Driver) readQuotas(ctx context.Context) (netplan.Quotas, error) {
	names := []string{"vpc_sg_rule_limit", "vm_sg_limit", "vpc_sg_limit", "subnet_limit", "nat_gateway_limit",
		"rtb_limit", "rtb_rule_limit", "vpc_limit", "ip_limit", "lb_limit", "lb_listeners_limit"}
	req := osc.ReadQuotasRequest{Filters: &osc.FiltersQuota{QuotaNames: &names}}
	resp, err := call(ctx, d, "ReadQuotas", "quota", "", func(ctx context.Context) (osc.ReadQuotasResponse, *http.Response, error) {
		return d.api.QuotaApi.ReadQuotas(ctx).ReadQuotasRequest(req).Execute()
	})
	if err != nil {
		return netplan.Quotas{}, err
	}
	var q netplan.Quotas
	for _, qt := range resp.GetQuotaTypes() {
		for _, x := range qt.GetQuotas() {
			v := int(x.GetMaxValue())
			if v <= 0 {
				continue
			}
			switch x.GetName() {
			case "vpc_sg_rule_limit":
				// OUTSCALE counts the rules of both directions together:
				// each direction alone can use at most the whole limit.
				q.InboundRulesPerGroup, q.OutboundRulesPerGroup = v, v
			case "vm_sg_limit":
				q.GroupsPerInterface = v
			case "vpc_sg_limit":
				q.GroupsPerNet = v
			case "subnet_limit":
				q.SubnetsPerNet = v
			case "nat_gateway_limit":
				q.NATsPerZone = v
			case "rtb_limit": // the Net's main route table counts, as on AWS
				q.RouteTablesPerNet = v
			case "rtb_rule_limit":
				q.RoutesPerTable = v
			case "vpc_limit":
				q.NetsPerRegion = v
			case "ip_limit":
				q.PublicIPsPerRegion = v
			case "lb_limit":
				q.LoadBalancersPerRegion = v
			case "lb_listeners_limit":
				q.ListenersPerBalancer = v
			}
		}
	}
	return q, nil
}

// List returns the resources of kind q.Kind tagged with q.Deployment; none
// for a kind OUTSCALE lacks.
//
// A deployment name blueprint.CheckDeployment refuses fails with Code
// Invalid before any request. The Tags filter ("KEY=VALUE") selects, and
// every resource found is checked to carry exactly the deployment's tag.
func (d *Driver) List(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	if err := checkDeployment("List", string(q.Kind), q.Deployment); err != nil {
		return nil, err
	}
	if err := d.ready("List", q.Kind); err != nil {
		return nil, err
	}
	ops, ok := kinds[q.Kind]
	switch {
	case !ok:
		return nil, errorf("List", string(q.Kind), "", driver.Invalid, "kind %q: unknown kind", q.Kind)
	case ops.unsupported != "":
		return nil, nil
	}
	out, err := ops.list(d, ctx, q, nil)
	out = slices.DeleteFunc(out, func(o driver.Observed) bool { return o.Tags[driver.TagDeployment] != q.Deployment })
	slices.SortFunc(out, driver.CompareObserved)
	return out, err
}

// Read returns one resource by provider id, or a NotFound error. A NAT
// service or a load balancer in state "deleted" is gone.
func (d *Driver) Read(ctx context.Context, kind blueprint.Kind, id string) (driver.Observed, error) {
	ops, err := d.ops("Read", kind, id)
	if err != nil {
		return driver.Observed{}, err
	}
	out, err := ops.list(d, ctx, driver.Query{}, []string{id})
	if err != nil {
		return driver.Observed{}, err
	}
	out = slices.DeleteFunc(out, func(o driver.Observed) bool { return o.Status == "deleted" })
	if len(out) == 0 {
		return driver.Observed{}, errorf("Read", string(kind), id, driver.NotFound, "%s %s: not found", kind, id)
	}
	return out[0], nil
}

// ops returns the registry entry of kind, or the error for op on a kind
// the driver does not know or OUTSCALE lacks.
func (d *Driver) ops(op string, kind blueprint.Kind, id string) (kindOps, error) {
	if err := d.ready(op, kind); err != nil {
		return kindOps{}, err
	}
	ops, ok := kinds[kind]
	switch {
	case !ok:
		return kindOps{}, errorf(op, string(kind), id, driver.Invalid, "kind %q: unknown kind", kind)
	case ops.unsupported != "":
		return kindOps{}, driver.NewError(op, string(kind), id, driver.Unsupported, errorString("outscale: "+ops.unsupported))
	}
	return ops, nil
}

// Create creates the resource, tags it and returns it. Before creating, it
// looks for the resource by its ownership tags (and by client token for
// VMs and NAT services, by name for load balancers), so a repeated Create
// returns what the first one made. Subnets, NAT services, VMs and load
// balancers may come back with Ready false; the engine polls Read.
func (d *Driver) Create(ctx context.Context, req driver.Request) (driver.Observed, error) {
	r := req.Resource
	if r.Spec() == nil {
		return driver.Observed{}, errorf("Create", string(r.Kind), r.ID, driver.Invalid, "kind %q: spec missing; set the spec that matches the kind", r.Kind)
	}
	ops, err := d.ops("Create", r.Kind, r.ID)
	if err != nil {
		return driver.Observed{}, err
	}
	if err := noScaling("Create", r); err != nil {
		return driver.Observed{}, err
	}
	return ops.create(d, d.sent.Attempt(ctx, req), req)
}

// Update changes the fields that Capabilities().Mutable lists.
func (d *Driver) Update(ctx context.Context, req driver.Request, current driver.Observed) (driver.Observed, error) {
	r := req.Resource
	if r.Spec() == nil {
		return driver.Observed{}, errorf("Update", string(r.Kind), current.ID, driver.Invalid, "kind %q: spec missing", r.Kind)
	}
	ops, err := d.ops("Update", r.Kind, current.ID)
	if err != nil {
		return driver.Observed{}, err
	}
	if err := noScaling("Update", r); err != nil {
		return driver.Observed{}, err
	}
	switch {
	case ops.update != nil:
		err = ops.update(d, ctx, req, current)
	case len(req.Tags) > 0:
		err = d.createTags(ctx, "Update", r.Kind, current.ID, req.Tags)
	}
	if err != nil {
		return driver.Observed{}, err
	}
	return d.Read(ctx, r.Kind, current.ID)
}

// Delete deletes the resource in OUTSCALE's order and waits for the ones
// OUTSCALE removes asynchronously. A resource already gone is not an error.
func (d *Driver) Delete(ctx context.Context, current driver.Observed, opts driver.DeleteOptions) error {
	ops, err := d.ops("Delete", current.Resource.Kind, current.ID)
	if err != nil {
		return err
	}
	if err := ops.delete(d, ctx, current, opts); !isNotFound(err) {
		return err
	}
	return nil
}

// noScaling refuses a cluster with a scaling policy before any request:
// the engine drops the policy first (AllowFallback) or refuses the
// Blueprint, so only a caller of the driver itself gets here.
func noScaling(op string, r blueprint.Resource) error {
	if r.Kind == blueprint.KindCluster && r.Cluster.Scaling != nil {
		return driver.NewError(op, string(r.Kind), r.ID, driver.Unsupported, errorString("outscale: cluster.scaling: "+scalingUnsupported))
	}
	return nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

// observed returns the common part of an Observed: id, kind, tags and the
// logical id read from them.
func observed(kind blueprint.Kind, id string, tags map[string]string) driver.Observed {
	return driver.Observed{ID: id, LogicalID: tags[driver.TagLogicalID], Resource: blueprint.Resource{ID: tags[driver.TagLogicalID], Kind: kind},
		Tags: ownTags(tags)}
}

// ownTags returns tags without the driver's bookkeeping tags (the
// archkit:x/ prefix).
func ownTags(tags map[string]string) map[string]string {
	out := maps.Clone(tags)
	maps.DeleteFunc(out, func(k, _ string) bool { return len(k) > len(metaPrefix) && k[:len(metaPrefix)] == metaPrefix })
	return out
}
