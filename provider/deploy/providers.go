package deploy

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// A Provider opens the driver of one cloud from the shared flags, with
// that cloud's own configuration (its SDK's environment variables,
// profiles and files). The fake is built in; the cloud drivers register
// themselves when their package is imported for its side effect, as
// database/sql drivers do:
//
//	import _ "github.com/archkit/archkit/provider/deploy/awsdeploy"
type Provider struct {
	// Name is the value of -provider that selects it: "aws".
	Name string
	// Profile is the address plan's profile of the cloud
	// ([netplan.AWS]), given to an architecture that sets none, so that
	// -blueprint works without opening the driver.
	Profile netplan.Profile
	// Open returns the driver for s. It may print notes to s.Stderr (a
	// default it chose) and makes no write call.
	Open func(ctx context.Context, s Settings) (driver.Driver, error)
	// Engine, when set, adjusts the engine's options for the cloud after
	// the toolkit's own (OUTSCALE sets AllowFallback).
	Engine func(o *provider.Options, s Settings)
}

// Settings are the shared flags a [Provider] opens its driver with.
type Settings struct {
	// Region and Profile select the account with the SDK's own rules; ""
	// leaves them to the environment and the configuration files.
	Region, Profile string
	// Endpoint sends the calls to an API-compatible endpoint: an emulator
	// (moto) or a test server.
	Endpoint string
	// Stderr receives the notes of Open.
	Stderr io.Writer
}

// IsLoopback reports whether the endpoint is a URL on this machine
// (127.0.0.0/8, ::1 or localhost): an emulator, which answers at once and
// holds no real account.
func (s Settings) IsLoopback() bool {
	u, err := url.Parse(s.Endpoint)
	if err != nil || s.Endpoint == "" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	// net/netip, not net: package net costs a program that never dials
	// seconds of its first build (and cgo).
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// EmulatorPolls shortens the engine's polls when the endpoint is on this
// machine (an emulator answers at once): from 20ms to 200ms instead of a
// cloud's 1s to 15s; and it lifts the rate limit, since an emulator
// (moto, the OUTSCALE test server) meters nothing and the cloud's buckets
// would only slow it down. A Provider's Engine function calls it.
func (s Settings) EmulatorPolls(o *provider.Options) {
	if o != nil && s.IsLoopback() {
		o.PollMin, o.PollMax = 20*time.Millisecond, 200*time.Millisecond
		o.RateLimit = -1
	}
}

// Fake is the name of the built-in in-memory provider, the default of
// -provider.
const Fake = "fake"

var (
	registryMu sync.Mutex
	registry   = map[string]Provider{Fake: {
		Name:    Fake,
		Profile: netplan.AWS,
		Open: func(context.Context, Settings) (driver.Driver, error) {
			return fake.New(), nil
		},
	}}
)

// known are the providers archkit ships, with the package that registers
// each: what to tell a user whose program was built without it.
var known = map[string]string{
	"aws":      "github.com/archkit/archkit/provider/deploy/awsdeploy",
	"outscale": "github.com/archkit/archkit/provider/deploy/oscdeploy",
}

// Register makes p available to -provider. It is meant to be called from
// the init function of a registration package. Registering a name twice,
// or a Provider without a Name or an Open, panics, as database/sql's
// Register does: it is a mistake in the program, not in its input.
func Register(p Provider) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if p.Name == "" || p.Open == nil {
		panic("deploy: Register: a Provider needs a Name and an Open function")
	}
	if _, dup := registry[p.Name]; dup {
		panic("deploy: Register called twice for provider " + p.Name)
	}
	registry[p.Name] = p
}

// Providers returns the names of the registered providers, sorted.
func Providers() []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// lookup returns the provider name, or an error saying how to get it.
func lookup(name string) (Provider, error) {
	registryMu.Lock()
	p, ok := registry[name]
	registryMu.Unlock()
	if ok {
		return p, nil
	}
	if pkg, ok := known[name]; ok {
		return Provider{}, fmt.Errorf("-provider %s: the %s driver is not compiled into this program; "+
			"build it with the cloud drivers (go run -tags cloud ..., for the examples) "+
			"or import _ %q in your program", name, name, pkg)
	}
	return Provider{}, fmt.Errorf("-provider %s: unknown provider; use %s", name, strings.Join(Providers(), ", "))
}
