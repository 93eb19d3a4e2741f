package aws

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go/middleware"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/resend"
)

var _ driver.Driver = (*Driver)(nil)

// Options configure a [Driver]. The zero value loads everything from the
// SDK's default chain (environment, shared config and credentials files,
// SSO, assumed roles, instance metadata).
type Options struct {
	// Region is the AWS region ("eu-west-3"). "": AWS_REGION or the
	// profile's region.
	Region string
	// Profile is the shared-config profile to use. "": AWS_PROFILE or
	// "default".
	Profile string
	// BaseEndpoint sends every service to this URL (an emulator such as
	// moto). "": the SDK resolves endpoints itself, which honours
	// AWS_ENDPOINT_URL and the per-service forms (AWS_ENDPOINT_URL_EC2 ...).
	BaseEndpoint string
	// Credentials replaces the default credential chain. nil: the chain.
	Credentials awssdk.CredentialsProvider
	// RetryMaxAttempts bounds the SDK retryer's attempts per call,
	// throttling (RequestLimitExceeded) and 5xx included; 1 disables
	// retries. 0: the retry settings of the aws.Config are kept (see
	// [NewFromConfig]), else 8.
	RetryMaxAttempts int
	// RetryMode is the SDK retry mode: awssdk.RetryModeStandard or
	// awssdk.RetryModeAdaptive, which also slows the client down after
	// throttling (it can then wait minutes before a call). "": the
	// aws.Config's, else standard.
	RetryMode awssdk.RetryMode
	// RetryMaxBackoff caps the delay between two attempts. 0: the
	// aws.Config's retryer keeps its own, else 20s.
	RetryMaxBackoff time.Duration
	// APIOptions are added to every client's middleware stack (a header,
	// a call counter, fault injection in tests).
	APIOptions []func(*middleware.Stack) error
	// WaitTimeout bounds every wait: a NAT gateway or a load balancer
	// becoming available, an autoscaling group or a database going away.
	// A Create whose resource is not ready by then returns it with Ready
	// false and the engine polls Read. 0: 15 minutes.
	WaitTimeout time.Duration
	// PollInterval is the shortest delay between two polls of a wait; the
	// delay grows up to eight times it. 0: 5s.
	PollInterval time.Duration
	// Logger receives debug records of the driver's calls. nil: discard.
	Logger *slog.Logger
}

// Driver is the AWS [driver.Driver]: VPCs, subnets, gateways, route
// tables, security groups, network ACLs, ALB/NLB, launch templates with
// autoscaling groups, and RDS, through aws-sdk-go-v2. It is safe for
// concurrent use.
//
// Its clients are exported so that a test can replace one with anything
// that implements the narrow interface; a Driver built as a literal from
// its four clients works with the zero [Options].
type Driver struct {
	EC2         EC2API
	ELB         ELBAPI
	AutoScaling AutoScalingAPI
	RDS         RDSAPI
	// IAM and Logs serve instance roles and flow logs; a Driver built as
	// a literal without them refuses those kinds.
	IAM  IAMAPI
	Logs LogsAPI
	// PeerEC2 returns the EC2 client of another region of the account:
	// the sides of a Net peering find the peer VPC there. NewFromConfig
	// sets it (the driver's configuration in that region); a Driver
	// built as a literal without it refuses net_peering.
	PeerEC2 func(region string) EC2API
	// ElastiCache serves caches; a Driver built as a literal without it
	// refuses them.
	ElastiCache ElastiCacheAPI
	// MQ and Secrets serve brokers (Amazon MQ, and the secret of each
	// broker's administrative user); a Driver built as a literal without
	// them refuses brokers.
	MQ      MQAPI
	Secrets SecretsAPI
	// Backup serves backup vaults and plans (AWS Backup); a Driver built
	// as a literal without it refuses them.
	Backup BackupAPI

	region string
	opts   Options
	log    *slog.Logger

	zonesMu sync.Mutex
	zones   []string

	// sent holds the creates sent (see package resend).
	sent resend.Sent
	// prefixLists are the AWS-managed prefix lists met, by service.
	prefixLists prefixLists
}

// New loads the SDK's default configuration (see [Options]) and returns a
// driver for its region.
func New(ctx context.Context, optFns ...func(*Options)) (*Driver, error) {
	var o Options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	var lo []func(*config.LoadOptions) error
	if o.Region != "" {
		lo = append(lo, config.WithRegion(o.Region))
	}
	if o.Profile != "" {
		lo = append(lo, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Credentials != nil {
		lo = append(lo, config.WithCredentialsProvider(o.Credentials))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return nil, fmt.Errorf("aws: load config: %w", err)
	}
	return NewFromConfig(cfg, func(p *Options) { *p = o })
}

// NewFromConfig returns a driver using cfg (its region, credentials, HTTP
// client and retry settings); opts add endpoints, retries and middleware on
// top.
//
// # Retries
//
// The SDK's retryer is the driver's one retry layer: an error that
// reaches the engine has used up its attempts and is never Retryable
// (its Code still says Throttled or Unavailable), so the engine does not
// retry it again. The retry settings of cfg are honoured: a Retryer set in
// cfg, or a retry mode or a number of attempts set in it (config.WithRetryMode,
// config.WithRetryMaxAttempts, AWS_RETRY_MODE, AWS_MAX_ATTEMPTS, or
// retry_mode and max_attempts in the shared config file, all read by
// config.LoadDefaultConfig), is kept as it is. Only when cfg sets none
// does the driver install its default: standard mode, 8 attempts, backoff
// with full jitter capped at 20s, and no client-side retry quota. (The
// SDK's quota, 500 tokens at 5 per retry, runs dry after 100 retries in a
// throttling storm and then fails calls that a later attempt would have
// passed; the engine's rate limiter already paces each request, see
// package ratelimit: every attempt waits for its tokens.)
// Options.RetryMaxAttempts, RetryMode and RetryMaxBackoff, when set,
// override cfg; the fields they leave at zero take cfg's values, else the
// defaults.
//
// Worst case, one persistently throttled Create costs the retryer's
// attempts for its create call: 8 calls with the default, where the SDK's
// retryer and the engine used to stack to 64.
func NewFromConfig(cfg awssdk.Config, optFns ...func(*Options)) (*Driver, error) {
	var o Options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	if o.Region != "" {
		cfg.Region = o.Region
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("aws: region: empty; set Options.Region or AWS_REGION")
	}
	if o.Credentials != nil {
		cfg.Credentials = o.Credentials
	}
	if o.BaseEndpoint != "" {
		cfg.BaseEndpoint = awssdk.String(o.BaseEndpoint)
	}
	setRetryer(&cfg, o)
	// meter (the rate limiter) and sendOnce after the retryer, sendOnce
	// last, so that it sits right inside the retry loop, around every
	// other middleware of an attempt.
	cfg.APIOptions = append(append(slices.Clone(cfg.APIOptions), o.APIOptions...), meter, sendOnce)
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Driver{
		EC2:         ec2.NewFromConfig(cfg),
		ELB:         elbv2.NewFromConfig(cfg),
		AutoScaling: autoscaling.NewFromConfig(cfg),
		RDS:         rds.NewFromConfig(cfg),
		IAM:         iam.NewFromConfig(cfg),
		Logs:        cloudwatchlogs.NewFromConfig(cfg),
		PeerEC2:     peerClients(cfg),
		ElastiCache: elasticache.NewFromConfig(cfg),
		MQ:          mq.NewFromConfig(cfg),
		Secrets:     secretsmanager.NewFromConfig(cfg),
		Backup:      backup.NewFromConfig(cfg),
		region:      cfg.Region,
		opts:        o,
		log:         log,
	}, nil
}

// peerClients returns the EC2 clients of cfg in other regions, made on
// first use and kept.
func peerClients(cfg awssdk.Config) func(region string) EC2API {
	var mu sync.Mutex
	clients := map[string]EC2API{}
	return func(region string) EC2API {
		mu.Lock()
		defer mu.Unlock()
		if c, ok := clients[region]; ok {
			return c
		}
		c := ec2.NewFromConfig(cfg, func(o *ec2.Options) { o.Region = region })
		clients[region] = c
		return c
	}
}

// The driver's default retryer, used when neither the aws.Config nor the
// Options set a retry setting.
const (
	defaultRetryMaxAttempts = 8
	defaultRetryMaxBackoff  = 20 * time.Second
)

// setRetryer installs the driver's retryer in cfg, unless cfg holds retry
// settings of the user's and o sets none (see [NewFromConfig]).
func setRetryer(cfg *awssdk.Config, o Options) {
	explicit := o.RetryMaxAttempts > 0 || o.RetryMode != "" || o.RetryMaxBackoff > 0
	users := cfg.Retryer != nil || cfg.RetryMode != "" || cfg.RetryMaxAttempts != 0
	if users && !explicit {
		return
	}
	if o.RetryMaxAttempts <= 0 {
		o.RetryMaxAttempts = cmp.Or(cfg.RetryMaxAttempts, defaultRetryMaxAttempts)
	}
	if o.RetryMode == "" {
		o.RetryMode = cfg.RetryMode
	}
	cfg.Retryer = retryer(o)
	// The retryer carries the mode and the attempts: the clients must not
	// wrap it again with cfg's.
	cfg.RetryMode, cfg.RetryMaxAttempts = "", 0
}

func retryer(o Options) func() awssdk.Retryer {
	attempts := o.RetryMaxAttempts
	backoff := cmp.Or(o.RetryMaxBackoff, defaultRetryMaxBackoff)
	std := func(so *retry.StandardOptions) {
		so.MaxAttempts = attempts
		so.MaxBackoff = backoff
		so.Backoff = retry.NewExponentialJitterBackoff(backoff)
		// No client-side retry quota: in a throttling storm the SDK's
		// default bucket (500 tokens, 5 per retry) runs dry after 100
		// retries and fails calls that would have passed; the engine
		// rate-limits its calls itself.
		so.RateLimiter = ratelimit.None
	}
	return func() awssdk.Retryer {
		if o.RetryMode == awssdk.RetryModeAdaptive {
			return retry.NewAdaptiveMode(func(ao *retry.AdaptiveModeOptions) {
				ao.StandardOptions = append(ao.StandardOptions, std)
			})
		}
		return retry.NewStandard(std)
	}
}

var discard = slog.New(slog.DiscardHandler)

func (d *Driver) logger() *slog.Logger {
	if d.log == nil {
		return discard
	}
	return d.log
}

// Region returns the driver's region ("" for a nil Driver).
func (d *Driver) Region() string {
	if d == nil {
		return ""
	}
	return d.region
}

// ready reports, as an error with Code Invalid, a Driver that cannot call
// the API an operation on kind k needs: nil, or its zero value, whose
// clients are nil. New and NewFromConfig set them all.
func (d *Driver) ready(op string, k blueprint.Kind) error {
	missing := ""
	switch {
	case d == nil:
		missing = "the driver (nil)"
	case d.EC2 == nil:
		missing = "its EC2 client"
	case k == blueprint.KindLoadBalancer && d.ELB == nil:
		missing = "its ELB client"
	case k == blueprint.KindCluster && d.AutoScaling == nil:
		missing = "its Auto Scaling client"
	case k == blueprint.KindDatabase && d.RDS == nil:
		missing = "its RDS client"
	case k == blueprint.KindCache && d.ElastiCache == nil:
		missing = "its ElastiCache client"
	case k == blueprint.KindBroker && (d.MQ == nil || d.Secrets == nil):
		missing = "its Amazon MQ or Secrets Manager client"
	default:
		return nil
	}
	return driver.NewError(op, string(k), "", driver.Invalid, fmt.Errorf("aws: %s is missing; make the driver with aws.New or aws.NewFromConfig", missing))
}

// Name returns "aws".
func (d *Driver) Name() string { return "aws" }

// Capabilities reports the kinds the driver does not serve, which fields
// Update changes in place, the fields AWS does not report back (a Net
// peering's peer_net and peer_cidr), and the kinds whose create call
// takes a client token:
// CreateNatGateway, CreateRouteTable, CreateNetworkAcl and (for a
// cluster) CreateLaunchTemplate.
func (d *Driver) Capabilities() driver.Capabilities {
	c := driver.Capabilities{Mutable: map[blueprint.Kind][]string{},
		ClientTokens: []blueprint.Kind{blueprint.KindNATGateway, blueprint.KindRouteTable, blueprint.KindNetworkACL, blueprint.KindCluster},
		UnsupportedFields: map[blueprint.Kind]map[string]string{blueprint.KindCluster: {
			"public_ip": "an autoscaling group keeps no Elastic IP on one of its instances; put a load balancer in front of the tier"}}}
	for k, ops := range kinds {
		if len(ops.mutable) > 0 {
			c.Mutable[k] = slices.Clone(ops.mutable)
		}
		if len(ops.writeOnly) > 0 {
			if c.WriteOnly == nil {
				c.WriteOnly = map[blueprint.Kind][]string{}
			}
			c.WriteOnly[k] = slices.Clone(ops.writeOnly)
		}
		if ops.unsupported != "" {
			if c.Unsupported == nil {
				c.Unsupported = map[blueprint.Kind]string{}
			}
			c.Unsupported[k] = ops.unsupported
		}
	}
	return c
}

// Profile returns the AWS limits, [netplan.AWS].
func (d *Driver) Profile() netplan.Profile { return netplan.AWS }

// Zones lists the available zones of the region, sorted. The answer is
// cached after the first successful call.
func (d *Driver) Zones(ctx context.Context) ([]string, error) {
	if err := d.ready("DescribeAvailabilityZones", ""); err != nil {
		return nil, err
	}
	d.zonesMu.Lock()
	defer d.zonesMu.Unlock()
	if d.zones != nil {
		return slices.Clone(d.zones), nil
	}
	out, err := d.EC2.DescribeAvailabilityZones(ctx, &ec2.DescribeAvailabilityZonesInput{
		Filters: []ec2types.Filter{filter("state", "available"), filter("region-name", d.region)},
	})
	if err != nil {
		return nil, mapErr("DescribeAvailabilityZones", "zone", d.region, err)
	}
	var zones []string
	for _, z := range out.AvailabilityZones {
		zones = append(zones, awssdk.ToString(z.ZoneName))
	}
	slices.Sort(zones)
	d.zones = zones
	return slices.Clone(zones), nil
}

func (d *Driver) waitTimeout() time.Duration {
	if d.opts.WaitTimeout > 0 {
		return d.opts.WaitTimeout
	}
	return 15 * time.Minute
}

func (d *Driver) delays() (minDelay, maxDelay time.Duration) {
	p := d.opts.PollInterval
	if p <= 0 {
		p = 5 * time.Second
	}
	return p, 8 * p
}

// List returns the resources of q.Kind that carry q.Deployment's
// ownership tag. A deployment name blueprint.CheckDeployment refuses
// fails with Code Invalid before any call. The name is escaped in the tag
// filters, where EC2 reads '*' and '?' as wildcards, and every resource
// found is checked to carry exactly that tag value.
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
		return nil, unknownKind("List", q.Kind)
	case ops.unsupported != "":
		return nil, nil // nothing of the kind can exist
	}
	out, err := ops.list(d, ctx, q)
	out = slices.DeleteFunc(out, func(o driver.Observed) bool { return o.Tags[driver.TagDeployment] != q.Deployment })
	slices.SortFunc(out, driver.CompareObserved)
	return out, err
}

// Read returns one resource by provider id; a resource that is gone (or
// deleted and still visible, like a NAT gateway) is an error with Code
// NotFound.
func (d *Driver) Read(ctx context.Context, kind blueprint.Kind, id string) (driver.Observed, error) {
	if err := d.ready("Read", kind); err != nil {
		return driver.Observed{}, err
	}
	ops, ok := kinds[kind]
	if !ok || ops.unsupported != "" {
		return driver.Observed{}, unknownKind("Read", kind)
	}
	return ops.read(d, ctx, id)
}

// Create creates the resource of req, or returns the one an earlier call
// made (found by its ownership tags, its name or its client token).
func (d *Driver) Create(ctx context.Context, req driver.Request) (driver.Observed, error) {
	r := req.Resource
	if err := d.ready("Create", r.Kind); err != nil {
		return driver.Observed{}, err
	}
	if r.Spec() == nil {
		return driver.Observed{}, driver.NewError("Create", string(r.Kind), r.ID, driver.Invalid,
			fmt.Errorf("aws: resource %s: spec %q missing; set it", r.ID, r.Kind))
	}
	ops, ok := kinds[r.Kind]
	if !ok || ops.unsupported != "" {
		return driver.Observed{}, unknownKind("Create", r.Kind)
	}
	d.logger().LogAttrs(ctx, slog.LevelDebug, "create", slog.String("kind", string(r.Kind)), slog.String("logical_id", r.ID))
	return ops.create(d, d.sent.Attempt(ctx, req), req)
}

// Update changes current in place to match req, for the fields listed in
// [Driver.Capabilities].
func (d *Driver) Update(ctx context.Context, req driver.Request, current driver.Observed) (driver.Observed, error) {
	r := req.Resource
	if err := d.ready("Update", r.Kind); err != nil {
		return driver.Observed{}, err
	}
	if r.Spec() == nil {
		return driver.Observed{}, driver.NewError("Update", string(r.Kind), current.ID, driver.Invalid,
			fmt.Errorf("aws: resource %s: spec %q missing; set it", r.ID, r.Kind))
	}
	d.logger().LogAttrs(ctx, slog.LevelDebug, "update", slog.String("kind", string(r.Kind)), slog.String("id", current.ID))
	if ops, ok := kinds[r.Kind]; ok && ops.update != nil {
		return ops.update(d, ctx, req, current)
	}
	return driver.Observed{}, driver.NewError("Update", string(r.Kind), current.ID, driver.Unsupported,
		fmt.Errorf("aws: kind %q cannot change in place; replace it", r.Kind))
}

// Delete deletes the resource with its parts (listeners and target group
// of a load balancer, launch template of a cluster, subnet group of a
// database). A resource already gone is not an error.
func (d *Driver) Delete(ctx context.Context, current driver.Observed, opts driver.DeleteOptions) error {
	kind := current.Resource.Kind
	if err := d.ready("Delete", kind); err != nil {
		return err
	}
	d.logger().LogAttrs(ctx, slog.LevelDebug, "delete", slog.String("kind", string(kind)), slog.String("id", current.ID))
	ops, ok := kinds[kind]
	if !ok || ops.unsupported != "" {
		return unknownKind("Delete", kind)
	}
	return ops.delete(d, ctx, current, opts)
}

func unknownKind(op string, k blueprint.Kind) error {
	if ops, ok := kinds[k]; ok && ops.unsupported != "" {
		return driver.NewError(op, string(k), "", driver.Unsupported, fmt.Errorf("aws: %s", ops.unsupported))
	}
	return driver.NewError(op, string(k), "", driver.Unsupported,
		fmt.Errorf("aws: kind %q: unknown kind; use one of %v", k, blueprint.Kinds))
}
