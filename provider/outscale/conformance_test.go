package outscale_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/outscale"
	"github.com/archkit/archkit/provider/outscale/osctest"
	"github.com/archkit/archkit/provider/providertest"
)

// suiteImage is an OMI the test server knows. The conformance suite's
// cluster uses providertest.Image, an id moto knows; osctest answers
// ReadImages and CreateVms with two fixed OMIs only, so the harness maps
// one to the other (see imageMap).
const suiteImage = "ami-0000c0de"

func TestConformance(t *testing.T) {
	t.Parallel()
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		srv := osctest.New(t, func(o *osctest.Options) { o.Images = []string{providertest.ImageNext} })
		d := newDriver(t, srv)
		// OUTSCALE documents no rule for the token of a deleted NAT
		// service or VM; osctest makes a new one. OUTSCALE's rules have
		// no description: the driver drops it.
		return providertest.NewHarness(imageMap{d}, providertest.GapTokenAfterDelete, providertest.GapRuleDescriptions)
	})
}

// imageMap is the driver with providertest.Image replaced by suiteImage on
// the way in and back on the way out: the test server knows only its own
// OMIs. Nothing else changes.
type imageMap struct{ *outscale.Driver }

func swapImage(r *blueprint.Resource, from, to string) {
	if r.Cluster != nil && r.Cluster.Image == from {
		c := *r.Cluster
		c.Image = to
		r.Cluster = &c
	}
}

func (m imageMap) out(o driver.Observed) driver.Observed {
	swapImage(&o.Resource, suiteImage, providertest.Image)
	return o
}

func (m imageMap) List(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	obs, err := m.Driver.List(ctx, q)
	for i := range obs {
		obs[i] = m.out(obs[i])
	}
	return obs, err
}

func (m imageMap) Read(ctx context.Context, k blueprint.Kind, id string) (driver.Observed, error) {
	o, err := m.Driver.Read(ctx, k, id)
	return m.out(o), err
}

func (m imageMap) Create(ctx context.Context, req driver.Request) (driver.Observed, error) {
	swapImage(&req.Resource, providertest.Image, suiteImage)
	o, err := m.Driver.Create(ctx, req)
	return m.out(o), err
}

func (m imageMap) Update(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	swapImage(&req.Resource, providertest.Image, suiteImage)
	swapImage(&cur.Resource, providertest.Image, suiteImage)
	o, err := m.Driver.Update(ctx, req, cur)
	return m.out(o), err
}

// TestDayTwo: issue 12's changes on the OUTSCALE test server, in three
// subregions; the database is a cluster of VMs (AllowFallback).
func TestDayTwo(t *testing.T) {
	t.Parallel()
	providertest.DayTwo(t, func(t *testing.T) providertest.Harness {
		srv := osctest.New(t, func(o *osctest.Options) { o.Subregions = []string{"eu-west-2a", "eu-west-2b", "eu-west-2c"} })
		t.Cleanup(func() { assert.Empty(t, srv.Violations()) })
		return providertest.NewHarness(newDriver(t, srv))
	}, func(d driver.Driver) *provider.Engine {
		return provider.NewEngine(d, func(o *provider.Options) {
			o.RateLimit, o.AllowFallback = -1, true
			o.PollMin, o.PollMax = time.Millisecond, 5*time.Millisecond
		})
	}, nil)
}

// TestFakeChangesWhatOutscaleChanges: the fake as OUTSCALE changes in
// place exactly the fields the OUTSCALE driver does.
func TestFakeChangesWhatOutscaleChanges(t *testing.T) {
	t.Parallel()
	d := newDriver(t, osctest.New(t))
	providertest.SameMutable(t, d.Capabilities(), fake.New(fake.Outscale).Capabilities())
}

// TestConformancePeering: Net peering between two Nets of one region of
// the test server, with no gap; the Nets of two regions are refused by
// Check (TestLinkedRegionsRefused).
func TestConformancePeering(t *testing.T) {
	t.Parallel()
	providertest.RunPeering(t, func(t *testing.T) providertest.PeeringHarness {
		d := newDriver(t, osctest.New(t))
		return providertest.PeeringHarness{Requester: d, Accepter: d, RequesterRegion: d.Region(), AccepterRegion: d.Region()}
	})
}

// TestConformanceVPNLink: a link over a VPN between two regions, each on
// its own test server.
func TestConformanceVPNLink(t *testing.T) {
	t.Parallel()
	providertest.RunVPNLink(t, func(t *testing.T) providertest.VPNLinkHarness {
		v := newVPNRegions(t, nil)
		return providertest.VPNLinkHarness{Hub: v.ds[vpnHub], Spoke: v.ds[vpnSpoke], HubRegion: vpnHub, SpokeRegion: vpnSpoke,
			Image: suiteImage, VMType: "tinav5.c2r4p2", Options: func(o *provider.Options) {
				o.RateLimit = -1
				o.PollMin, o.PollMax = 1e6, 5e6
				o.Retry.BaseDelay, o.Retry.MaxDelay = 1e6, 5e6
				o.DependencyRetries = 20
			}}
	})
}
