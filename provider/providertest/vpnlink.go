package providertest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// VPNLinkHarness gives the suite of links over a VPN ([RunVPNLink]) two
// regions of one account, whose Nets the cloud cannot peer: a driver for
// the hub's and one for the spoke's, and what the spoke's appliance runs.
type VPNLinkHarness struct {
	Hub, Spoke             driver.Driver
	HubRegion, SpokeRegion string
	// Image and VMType are the appliance's, valid in the spoke's region.
	Image, VMType string
	// Options shape the Fleet's engines (fast polls for a test backend).
	Options func(*provider.Options)
}

// RunVPNLink runs the conformance suite of a link between two regions'
// Nets over a VPN (pattern.MultiRegion.LinkVPN: kinds vpn_gateway,
// customer_gateway of a peer's public IP, vpn_connection of a link,
// vpn_appliance, and routes to the appliance), through a provider.Fleet
// over the two drivers:
//
//   - Lifecycle: applied, every route table, rule set, VPN connection,
//     customer gateway and appliance reads back from each region as Build
//     derived it (the appliance's source/destination check off); a second
//     apply writes nothing; the destroy leaves nothing in either region;
//   - DayTwo: a third tier joins the flows over the link, then the link
//     and its flows are removed: every step changes in place what it
//     must (no resource of the first apply is replaced, deleted or made
//     twice), the removal leaves no resource of the link's kinds
//     (vpn_gateway, customer_gateway, vpn_connection, vpn_appliance, the
//     appliance's public IP and group) in either region, and nothing else
//     of the deployment is deleted;
//   - PeeringRefused: the same Nets linked by Net peering are refused
//     before any write, naming LinkVPN.
func RunVPNLink(t *testing.T, newHarness func(t *testing.T) VPNLinkHarness) {
	t.Run("Lifecycle", func(t *testing.T) { testVPNLinkLifecycle(t.Context(), t, newHarness(t)) })
	t.Run("DayTwo", func(t *testing.T) { testVPNLinkDayTwo(t.Context(), t, newHarness(t)) })
	t.Run("PeeringRefused", func(t *testing.T) { testVPNLinkPeeringRefused(t.Context(), t, newHarness(t)) })
}

// vpnLinkRegions is the suite's deployment: the hub's app tier calls the
// spoke's api tier on tcp/8080; each Net has a public web tier and a store
// tier without a flow over the link.
func vpnLinkRegions(h VPNLinkHarness, dep string) *pattern.MultiRegion {
	profile := h.Hub.Profile()
	return pattern.Regions(dep, "10.0.0.0/8", func(string) *pattern.Architecture {
		app, api, store := tier.App("app"), tier.App("api"), tier.App("store")
		app.Exposure, api.Exposure, store.Exposure = netplan.Isolated, netplan.Isolated, netplan.Isolated
		a := pattern.New(dep, "10.0.0.0/16").AddTier(tier.Web("web"), app, api, store).Connect("web", "app")
		a.Profile = profile
		return a
	}).Primary(h.HubRegion).Recovery(h.SpokeRegion, pattern.PilotLight)
}

func (h VPNLinkHarness) fleet(t *testing.T) *provider.Fleet {
	t.Helper()
	f, err := provider.NewFleet(map[string]driver.Driver{h.HubRegion: h.Hub, h.SpokeRegion: h.Spoke}, func(o *provider.Options) {
		o.AllowFallback = true
		if h.Options != nil {
			h.Options(o)
		}
	})
	if err != nil {
		t.Fatalf("providertest: NewFleet: %v", err)
	}
	return f
}

func testVPNLinkLifecycle(ctx context.Context, t *testing.T, h VPNLinkHarness) {
	s := &suite{d: h.Hub}
	dep := s.deployment(t, "vpnlink")
	fl := h.fleet(t)
	t.Cleanup(func() { _, _ = fl.Destroy(context.WithoutCancel(ctx), dep) })
	link := h.HubRegion + "-" + h.SpokeRegion
	m := vpnLinkRegions(h, dep).LinkVPN(h.HubRegion, h.SpokeRegion, pattern.VPNLinkOptions{Image: h.Image, VMType: h.VMType}).
		Flow("app@" + h.HubRegion + " -> api@" + h.SpokeRegion + " tcp/8080")
	bps, err := m.Build()
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if res, err := fl.Apply(ctx, m); err != nil {
		t.Fatalf("Apply: %v (%s)", err, res)
	}
	compared := 0
	for _, r := range m.Regions() {
		d := map[string]driver.Driver{h.HubRegion: h.Hub, h.SpokeRegion: h.Spoke}[r]
		got := ReadBack(ctx, t, d, dep)
		for _, want := range bps[r].Resources {
			if !slices.Contains(vpnLinkKinds, want.Kind) {
				continue
			}
			compared++
			have, ok := got[want.ID]
			if !ok {
				t.Errorf("%s of %s: not found", want.ID, r)
				continue
			}
			if diff := sameLinkEnd(want, have); diff != "" {
				t.Errorf("%s of %s reads back %s", want.ID, r, diff)
			}
		}
	}
	t.Logf("%d resources of the link's kinds read back as derived", compared)
	if n := len(bps[h.SpokeRegion].OfKind(blueprint.KindVPNAppliance)); n != 1 {
		t.Errorf("the spoke holds %d appliances; want 1 (vpn_appliance/%s)", n, link)
	}
	res, err := fl.Apply(ctx, m)
	if err != nil {
		t.Fatalf("re-apply: %v", err)
	}
	if w := res.Total().WriteCalls; w != 0 {
		t.Errorf("re-apply: %d writes; want 0 (%s)", w, res)
	}
	if _, err := fl.Destroy(ctx, dep); err != nil {
		t.Fatalf("Destroy: %v", err)
	}
	for r, d := range map[string]driver.Driver{h.HubRegion: h.Hub, h.SpokeRegion: h.Spoke} {
		if left := ReadBack(ctx, t, d, dep); len(left) > 0 {
			t.Errorf("left in %s: %v", r, slices.Sorted(maps.Keys(left)))
		}
	}
}

// vpnLinkKinds are the kinds the suite reads back.
var vpnLinkKinds = []blueprint.Kind{blueprint.KindVPNGateway, blueprint.KindCustomerGateway, blueprint.KindVPNConnection,
	blueprint.KindVPNAppliance, blueprint.KindRouteTable, blueprint.KindSecurityGroupRules}

// sameLinkEnd compares what a region reads back to what Build derived:
// "" when equal. Routes and rules compare as sets; an appliance's zone
// is the region's name of the logical zone.
func sameLinkEnd(want, have blueprint.Resource) string {
	want, have = want.Clone(), have.Clone()
	want.DependsOn, have.DependsOn = nil, nil
	want.Normalize()
	have.Normalize()
	switch {
	case want.VPNAppliance != nil && have.VPNAppliance != nil:
		if !strings.HasSuffix(have.VPNAppliance.Zone, want.VPNAppliance.Zone) {
			return fmt.Sprintf("zone %s; want the region's %s", have.VPNAppliance.Zone, want.VPNAppliance.Zone)
		}
		have.VPNAppliance.Zone = want.VPNAppliance.Zone
	case want.SecurityGroupRules != nil && have.SecurityGroupRules != nil:
		for _, rs := range []*[]blueprint.RuleSpec{&want.SecurityGroupRules.Inbound, &want.SecurityGroupRules.Outbound,
			&have.SecurityGroupRules.Inbound, &have.SecurityGroupRules.Outbound} {
			for i := range *rs {
				(*rs)[i].Description = "" // informative: clouds do not compare it
			}
			slices.SortFunc(*rs, blueprint.CompareRules)
		}
	}
	w, err1 := Canonical(want)
	g, err2 := Canonical(have)
	if err1 != nil || err2 != nil || w != g {
		return fmt.Sprintf("%s; want %s (%v, %v)", g, w, err1, err2)
	}
	return ""
}

// ReadBack lists every resource of deployment dep in d (the kinds it
// supports), its references turned into logical ids, by logical id, so
// that it compares with a Blueprint; two resources of one logical id fail
// the test.
func ReadBack(ctx context.Context, t testing.TB, d driver.Driver, dep string) map[string]blueprint.Resource {
	t.Helper()
	logical := map[string]string{}
	all := listAll(ctx, t, d, dep)
	for _, o := range all {
		logical[o.ID] = o.LogicalID
	}
	out := map[string]blueprint.Resource{}
	for _, o := range all {
		r := o.Resource.Clone()
		for _, ref := range r.Refs() {
			if l, ok := logical[string(*ref)]; ok {
				*ref = blueprint.Ref(l)
			}
		}
		if _, dup := out[o.LogicalID]; dup {
			t.Errorf("two resources carry %s", o.LogicalID)
		}
		out[o.LogicalID] = r
	}
	return out
}

func testVPNLinkPeeringRefused(ctx context.Context, t *testing.T, h VPNLinkHarness) {
	s := &suite{d: h.Hub}
	dep := s.deployment(t, "vpnpeer")
	fl := h.fleet(t)
	t.Cleanup(func() { _, _ = fl.Destroy(context.WithoutCancel(ctx), dep) })
	m := vpnLinkRegions(h, dep).Link(h.HubRegion, h.SpokeRegion).Flow("app@" + h.HubRegion + " -> api@" + h.SpokeRegion + " tcp/8080")
	res, err := fl.Apply(ctx, m)
	if err == nil || !strings.Contains(err.Error(), "LinkVPN") {
		t.Fatalf("Apply of Nets of two regions linked by Net peering: %v; want a refusal naming LinkVPN", err)
	}
	if w := res.Total().WriteCalls; w != 0 {
		t.Errorf("the refused apply wrote %d times; want 0", w)
	}
}

func testVPNLinkDayTwo(ctx context.Context, t *testing.T, h VPNLinkHarness) {
	s := &suite{d: h.Hub}
	dep := s.deployment(t, "vpnday2")
	fl := h.fleet(t)
	t.Cleanup(func() { _, _ = fl.Destroy(context.WithoutCancel(ctx), dep) })
	drivers := map[string]driver.Driver{h.HubRegion: h.Hub, h.SpokeRegion: h.Spoke}
	linked := func() *pattern.MultiRegion {
		return vpnLinkRegions(h, dep).LinkVPN(h.HubRegion, h.SpokeRegion, pattern.VPNLinkOptions{Image: h.Image, VMType: h.VMType}).
			Flow("app@" + h.HubRegion + " -> api@" + h.SpokeRegion + " tcp/8080")
	}
	steps := []struct {
		name string
		m    *pattern.MultiRegion
	}{
		{"linked", linked()},
		{"a third tier joins", linked().Flow("store@" + h.HubRegion + " -> api@" + h.SpokeRegion + " tcp/8080")},
		{"unlinked", vpnLinkRegions(h, dep)},
	}
	var first map[string]map[string]string // region -> logical id -> provider id
	for _, st := range steps {
		if res, err := fl.Apply(ctx, st.m); err != nil {
			t.Fatalf("%s: Apply: %v (%s)", st.name, err, res)
		}
		bps, err := st.m.Build()
		if err != nil {
			t.Fatalf("%s: Build: %v", st.name, err)
		}
		now := map[string]map[string]string{}
		for r, d := range drivers {
			now[r] = providerIDs(ctx, t, d, dep)
			declared := map[string]bool{}
			for _, want := range bps[r].Resources {
				declared[want.ID] = true
				if _, fallback := d.Capabilities().Unsupported[want.Kind]; fallback {
					continue // dropped with a notice (Options.AllowFallback)
				}
				if _, ok := now[r][want.ID]; !ok {
					t.Errorf("%s: %s of %s not found", st.name, want.ID, r)
				}
			}
			for id := range now[r] {
				if !declared[id] {
					t.Errorf("%s: %s of %s is left, its Blueprint has none", st.name, id, r)
				}
			}
		}
		if first == nil {
			first = now
			continue
		}
		for r, ids := range first {
			for id, pid := range ids {
				if got, ok := now[r][id]; ok && got != pid {
					t.Errorf("%s: %s of %s replaced (%s, was %s); want it changed in place", st.name, id, r, got, pid)
				}
			}
		}
		res, err := fl.Apply(ctx, st.m)
		if err != nil {
			t.Fatalf("%s: re-apply: %v", st.name, err)
		}
		if w := res.Total().WriteCalls; w != 0 {
			t.Errorf("%s: re-apply: %d writes; want 0 (%s)", st.name, w, res)
		}
	}
}

// providerIDs maps the logical id of each resource of deployment dep in d
// to its provider id.
func providerIDs(ctx context.Context, t *testing.T, d driver.Driver, dep string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, o := range listAll(ctx, t, d, dep) {
		out[o.LogicalID] = o.ID
	}
	return out
}

// listAll lists every resource of deployment dep in d, of the kinds it
// supports.
func listAll(ctx context.Context, t testing.TB, d driver.Driver, dep string) []driver.Observed {
	t.Helper()
	var all []driver.Observed
	for _, k := range blueprint.Kinds {
		if _, no := d.Capabilities().Unsupported[k]; no {
			continue
		}
		obs, err := d.List(ctx, driver.Query{Deployment: dep, Kind: k})
		if err != nil {
			t.Fatalf("List %s: %v", k, err)
		}
		all = append(all, obs...)
	}
	return all
}
