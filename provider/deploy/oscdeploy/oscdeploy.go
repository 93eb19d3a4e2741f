// Package oscdeploy registers the OUTSCALE driver (package
// provider/outscale) with package provider/deploy as -provider outscale.
// Import it for its side effect, in the program or in a file behind a
// build tag:
//
//	import _ "github.com/archkit/archkit/provider/deploy/oscdeploy"
//
// The driver reads what OUTSCALE's own tools read: OSC_ACCESS_KEY,
// OSC_SECRET_KEY, OSC_REGION (default eu-west-2), OSC_PROFILE and the
// profiles of ~/.osc/config.json, OSC_ENDPOINT_API; -region, -profile and
// -endpoint override them.
//
// OUTSCALE has no network ACLs, no managed databases and no autoscaling
// service: the engine runs with AllowFallback, so network ACLs are
// dropped (the security groups enforce the same flows), a database is
// built as its fallback cluster of VMs and clusters stay at their desired
// size, each reported as a notice before the plan.
package oscdeploy

import (
	"context"
	"time"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/deploy"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale"
)

func init() {
	deploy.Register(deploy.Provider{Name: "outscale", Profile: netplan.Outscale, Open: open, Engine: engine})
}

func open(_ context.Context, s deploy.Settings) (driver.Driver, error) {
	return outscale.New(func(o *outscale.Options) {
		o.Region, o.Profile, o.Endpoint = s.Region, s.Profile, s.Endpoint
		if s.IsLoopback() {
			o.PollInterval = 20 * time.Millisecond
		}
	})
}

func engine(o *provider.Options, s deploy.Settings) {
	o.AllowFallback = true
	s.EmulatorPolls(o)
}
