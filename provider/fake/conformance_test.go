package fake_test

import (
	"testing"
	"time"

	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/providertest"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		return providertest.NewHarness(fake.New())
	})
}

func TestConformanceOutscale(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		return providertest.NewHarness(fake.New(fake.Outscale, func(o *fake.Options) { o.PendingReads = 3 }))
	})
}

// fastEngine is an engine for the fake: no rate limit, millisecond polls.
func fastEngine(allowFallback bool) func(driver.Driver) *provider.Engine {
	return func(d driver.Driver) *provider.Engine {
		return provider.NewEngine(d, func(o *provider.Options) {
			o.RateLimit = -1
			o.PollMin, o.PollMax = time.Millisecond, 2*time.Millisecond
			o.Retry.BaseDelay, o.Retry.MaxDelay = time.Millisecond, 2*time.Millisecond
			o.AllowFallback = allowFallback
		})
	}
}

// fastOptions are fastEngine's options, for a Fleet.
func fastOptions(o *provider.Options) {
	o.RateLimit = -1
	o.PollMin, o.PollMax = time.Millisecond, 2*time.Millisecond
	o.Retry.BaseDelay, o.Retry.MaxDelay = time.Millisecond, 2*time.Millisecond
}

// TestDayTwo: issue 12's changes on the fake as AWS, then as OUTSCALE.
func TestDayTwo(t *testing.T) {
	providertest.DayTwo(t, func(t *testing.T) providertest.Harness {
		return providertest.NewHarness(fake.New())
	}, fastEngine(false), nil)
}

func TestDayTwoOutscale(t *testing.T) {
	providertest.DayTwo(t, func(t *testing.T) providertest.Harness {
		return providertest.NewHarness(fake.New(fake.Outscale))
	}, fastEngine(true), nil)
}

// TestConformancePeering: Net peering between two regions of one fake
// account, with no gap.
func TestConformancePeering(t *testing.T) {
	providertest.RunPeering(t, func(t *testing.T) providertest.PeeringHarness {
		acct := fake.NewAccount()
		return providertest.PeeringHarness{Requester: acct.Region("r-1"), Accepter: acct.Region("r-2"),
			RequesterRegion: "r-1", AccepterRegion: "r-2"}
	})
}

// TestConformancePeeringOneRegion: VPC peering between two Nets of one
// region of the fake with AWS's rules, the requester's side requesting
// and accepting it.
func TestConformancePeeringOneRegion(t *testing.T) {
	providertest.RunPeering(t, func(t *testing.T) providertest.PeeringHarness {
		d := fake.NewAccount().Region("eu-west-2")
		return providertest.PeeringHarness{Requester: d, Accepter: d, RequesterRegion: "eu-west-2", AccepterRegion: "eu-west-2"}
	})
}

// TestConformancePeeringOutscale: Net peering between two Nets of one
// region of a fake account in OUTSCALE's mode.
func TestConformancePeeringOutscale(t *testing.T) {
	providertest.RunPeering(t, func(t *testing.T) providertest.PeeringHarness {
		d := fake.NewAccount().Region("eu-west-2", fake.Outscale)
		return providertest.PeeringHarness{Requester: d, Accepter: d, RequesterRegion: "eu-west-2", AccepterRegion: "eu-west-2"}
	})
}

// TestConformanceVPNLink: a link over a VPN between two OUTSCALE-like
// regions of one fake account.
func TestConformanceVPNLink(t *testing.T) {
	providertest.RunVPNLink(t, func(t *testing.T) providertest.VPNLinkHarness {
		acct := fake.NewAccount()
		return providertest.VPNLinkHarness{Hub: acct.Region("eu-west-2", fake.Outscale), Spoke: acct.Region("us-east-2", fake.Outscale),
			HubRegion: "eu-west-2", SpokeRegion: "us-east-2", Image: "ami-12345678", VMType: "tinav5.c2r4p2", Options: fastOptions}
	})
}
