package outscale

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/archkit/archkit/provider/driver"
	osc "github.com/outscale/osc-sdk-go/v2"
)

// Credentials is an access key pair. It prints and logs its secret key as
// REDACTED.
type Credentials struct {
	AccessKey string
	SecretKey string
}

// String returns the access key and a redacted secret key.
func (c Credentials) String() string { return "access key " + c.AccessKey + ", secret key REDACTED" }

// GoString returns the same as String, so %#v does not print the secret
// key either.
func (c Credentials) GoString() string { return c.String() }

// LogValue implements slog.LogValuer: the secret key never reaches a log.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String(logAccess, c.AccessKey), slog.String("secret_key", "REDACTED"))
}

// endpoint is what the driver resolved from Options, the environment and
// the profile file: an SDK configuration, the keys and the region.
type endpoint struct {
	cfg    *osc.Configuration
	creds  Credentials
	region string
}

// resolve finds the endpoint and credentials the way OUTSCALE's own tools
// do, through the SDK's ConfigEnv and ConfigFile:
//
//  1. Options.AccessKey and Options.SecretKey, when set;
//  2. else OSC_ACCESS_KEY and OSC_SECRET_KEY, unless Options.Profile names
//     a profile;
//  3. else the profile Options.Profile, OSC_PROFILE or "default" of
//     ~/.osc/config.json (access_key, secret_key, region, endpoints.api).
//
// The region is Options.Region, else OSC_REGION, else the profile's, else
// eu-west-2; the endpoint is Options.Endpoint, else OSC_ENDPOINT_API, else
// the profile's endpoints.api, else https://api.<region>.outscale.com/api/v1.
func resolve(o *Options) (*endpoint, error) {
	env := osc.NewConfigEnv()
	if o.Profile != "" {
		p := o.Profile
		env.ProfileName = &p
		env.AccessKey, env.SecretKey = nil, nil
	}
	explicit := o.AccessKey != "" || o.SecretKey != ""
	if explicit {
		ak, sk := o.AccessKey, o.SecretKey
		env.AccessKey, env.SecretKey = &ak, &sk
	}
	if o.Region != "" {
		r := o.Region
		env.Region = &r
	}
	if o.Endpoint != "" {
		e := o.Endpoint
		env.OutscaleApiEndpoint = &e
	}
	cfg, err := env.Configuration()
	if err != nil {
		return nil, credError(env, err)
	}
	// Context only carries the keys: no I/O happens here.
	ctx, err := env.Context(context.Background())
	if err != nil {
		return nil, credError(env, err)
	}
	keys, _ := ctx.Value(osc.ContextAWSv4).(osc.AWSv4)
	if keys.AccessKey == "" || keys.SecretKey == "" {
		return nil, errorf("New", "", "", driver.Auth,
			"credentials: no access key and secret key; set OSC_ACCESS_KEY and OSC_SECRET_KEY, or a profile in ~/.osc/config.json (OSC_PROFILE)")
	}
	region := "eu-west-2"
	if len(cfg.Servers) > 0 {
		if v, ok := cfg.Servers[0].Variables["region"]; ok && v.DefaultValue != "" {
			region = v.DefaultValue
		}
	}
	cfg.Debug = false // the SDK's debug dump prints the signed Authorization header
	cfg.HTTPClient = o.HTTPClient
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 60 * time.Second, Transport: http.DefaultTransport}
	}
	cfg.UserAgent = "archkit " + cfg.UserAgent
	return &endpoint{cfg: cfg, creds: Credentials{AccessKey: keys.AccessKey, SecretKey: keys.SecretKey}, region: region}, nil
}

func credError(env *osc.ConfigEnv, err error) error {
	profile := "default"
	if env.ProfileName != nil {
		profile = *env.ProfileName
	}
	return errorf("New", "", "", driver.Auth,
		"credentials: profile %q of ~/.osc/config.json: %v; set OSC_ACCESS_KEY and OSC_SECRET_KEY, or write the profile (access_key, secret_key, region)", profile, err)
}

// auth returns ctx carrying the driver's keys for the SDK's signer.
func (d *Driver) auth(ctx context.Context) context.Context {
	return context.WithValue(ctx, osc.ContextAWSv4, osc.AWSv4{AccessKey: d.ep.creds.AccessKey, SecretKey: d.ep.creds.SecretKey})
}
