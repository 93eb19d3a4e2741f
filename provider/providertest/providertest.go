// Package providertest is the conformance suite of archkit drivers: the
// behaviour every [driver.Driver] must show, run the same way against the
// in-memory fake, AWS (through moto) and OUTSCALE (through its test
// server).
//
// A driver package runs it from a test:
//
//	func TestConformance(t *testing.T) {
//		providertest.Run(t, func(t *testing.T) providertest.Harness {
//			return providertest.NewHarness(fake.New())
//		})
//	}
//
// Each subtest gets a fresh Harness and deployments of its own, with names
// unique to the run, and removes what it made. The suite knows nothing of
// a driver's internals: it builds resources by hand ([Resources]), resolves
// their Refs to the ids the driver returns ([Deploy]) and waits for
// asynchronous resources by polling Read, never longer than [MaxWait].
//
// # Gaps
//
// An emulator may be less strict than the cloud it stands for (moto lets a
// subnet holding a NAT gateway be deleted). A Harness names such behaviours
// in Gaps; their checks are then reported with t.Log instead of failing,
// and a gap whose behaviour turns out to be present is reported too, so
// that it can be removed. The names are the Gap constants.
package providertest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// Harness gives the suite a driver to test and says where its backend is
// less strict than the real cloud.
type Harness interface {
	// Driver returns the driver under test.
	Driver() driver.Driver
	// Gaps names the behaviours (Gap constants) the backend does not show.
	Gaps() []string
	// Close releases what the harness holds; the suite calls it once the
	// subtest and its cleanups are done.
	Close()
}

// Gaps: behaviours a backend may lack. Their checks log instead of failing
// when the Harness lists them.
const (
	// GapTokenAfterDelete: a Create repeated with the token of a
	// resource since deleted makes a new resource, where AWS answers with
	// the deleted one (moto ignores client tokens; OUTSCALE documents no
	// rule for it).
	GapTokenAfterDelete = "token-after-delete"
	// GapDeleteSGInUse: a security group named by another group's rules
	// can be deleted.
	GapDeleteSGInUse = "delete-sg-in-use"
	// GapDeleteSubnetInUse: a subnet holding a NAT gateway can be deleted.
	GapDeleteSubnetInUse = "delete-subnet-in-use"
	// GapReleaseIPInUse: a public IP used by a NAT gateway can be
	// released.
	GapReleaseIPInUse = "release-ip-in-use"
	// GapSubnetPrefixBounds: a subnet longer than Profile().SubnetPrefix.Max
	// is accepted.
	GapSubnetPrefixBounds = "subnet-prefix-bounds"
	// GapModifyDatabasePort: a database's new port (ModifyDBInstance
	// DBPortNumber) is accepted but never applied: it reads back the old
	// one.
	GapModifyDatabasePort = "modify-database-port"
	// GapSubnetGroupModifiedOnce: a database's subnets change once; the
	// backend then forgets the DB subnet group (moto 5.2's
	// modify_db_subnet_group takes the group out of its registry), and the
	// next change of its subnets fails. [DayTwo] moves the database on a
	// deployment of its own.
	GapSubnetGroupModifiedOnce = "subnet-group-modified-once"
	// GapDBSubnetGroupOneZone: a database whose subnet group covers one
	// zone is accepted. AWS refuses it (DBSubnetGroupDoesNotCoverEnoughAZs,
	// even for a Single-AZ instance); moto accepts it. Build and the
	// engine's preflight refuse it before any call.
	GapDBSubnetGroupOneZone = "db-subnet-group-one-zone"
	// GapRuleDescriptions: a security group rule whose description AWS
	// refuses ("a -> b": '>' is not allowed) is accepted, because the
	// backend's rules carry no description (OUTSCALE) and its driver
	// drops it.
	GapRuleDescriptions = "rule-descriptions"
	// GapRolePolicySize: an instance role whose inline policy is over
	// IAM's 10,240 characters is accepted (moto 5.2 checks no policy
	// size). Build refuses it before any call (CheckPolicySize).
	GapRolePolicySize = "role-policy-size"
	// GapEndpointSubnetsOneZone: an interface endpoint with two subnets
	// in one zone is accepted. AWS refuses it
	// (DuplicateSubnetsInSameZone); moto 5.2 accepts it. Build gives an
	// interface endpoint one subnet per zone.
	GapEndpointSubnetsOneZone = "endpoint-subnets-one-zone"
	// GapModifyEndpointPrivateDNS: an interface endpoint's private DNS
	// (ModifyVpcEndpoint PrivateDnsEnabled) is accepted but never
	// changed: it reads back the old value (moto 5.2's
	// modify_vpc_endpoint takes no private DNS).
	GapModifyEndpointPrivateDNS = "modify-endpoint-private-dns"
)

// fieldGaps names the gap that excuses a field read back unchanged after
// an in-place update, by "kind.field".
var fieldGaps = map[string]string{"database.port": GapModifyDatabasePort, "net_endpoint.private_dns": GapModifyEndpointPrivateDNS}

// NewHarness returns a Harness for d whose backend lacks gaps, with a Close
// that does nothing: enough for a driver that keeps its state in memory.
func NewHarness(d driver.Driver, gaps ...string) Harness {
	return simple{d: d, gaps: gaps}
}

type simple struct {
	d    driver.Driver
	gaps []string
}

func (s simple) Driver() driver.Driver { return s.d }
func (s simple) Gaps() []string        { return slices.Clone(s.gaps) }
func (s simple) Close()                {}

// Run runs the conformance suite, one subtest per behaviour, each with a
// Harness from newHarness.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(ctx context.Context, t *testing.T, s *suite)
	}{
		{"Capabilities", testCapabilities},
		{"CreateRead", testCreateRead},
		{"TagDiscovery", testTagDiscovery},
		{"IdempotentCreate", testIdempotentCreate},
		{"TokenAfterDelete", testTokenAfterDelete},
		{"DeploymentNames", testDeploymentNames},
		{"LockObject", testLockObject},
		{"Lease", testLease},
		{"NotFound", testNotFound},
		{"DependencyViolation", testDependency},
		{"InvalidRequest", testInvalid},
		{"UpdateInPlace", testUpdate},
		{"ProtectedDelete", testProtectedDelete},
		{"Destroy", testDestroy},
		{"Cache", testCache},
		{"Broker", testBroker},
		{"Backup", testBackup},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			t.Cleanup(h.Close)
			s := &suite{d: h.Driver(), gaps: h.Gaps()}
			tc.fn(t.Context(), t, s)
		})
	}
}

// tb is the part of testing.TB that check uses.
type tb interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
}

type suite struct {
	d    driver.Driver
	gaps []string
}

var runID = fmt.Sprintf("%04x", uint16(time.Now().UnixNano()>>10))
var seq atomic.Uint32

// deployment returns a deployment name unique to this run and registers
// its destruction with t.Cleanup.
func (s *suite) deployment(t *testing.T, short string) string {
	t.Helper()
	name := fmt.Sprintf("pt-%s-%s%d", short, runID, seq.Add(1))
	t.Cleanup(func() { Destroy(context.WithoutCancel(t.Context()), t, s.d, name) })
	return name
}

// check reports a behaviour check: err describes a missing behaviour (nil
// when present); for a declared gap it is logged instead of failing.
func (s *suite) check(t tb, gap string, err error) {
	t.Helper()
	declared := slices.Contains(s.gaps, gap)
	switch {
	case err != nil && declared:
		t.Logf("known gap %q: %v", gap, err)
	case err != nil:
		t.Errorf("%v (a backend that lacks this behaviour declares the gap %q)", err, gap)
	case declared:
		t.Logf("gap %q is declared but the behaviour is present; remove it from Gaps", gap)
	}
}

func testCapabilities(ctx context.Context, t *testing.T, s *suite) {
	if s.d.Name() == "" {
		t.Error("Name is empty")
	}
	c := s.d.Capabilities()
	for k, reason := range c.Unsupported {
		if !slices.Contains(blueprint.Kinds, k) {
			t.Errorf("Unsupported names %q, which is no kind", k)
		}
		if strings.TrimSpace(reason) == "" {
			t.Errorf("Unsupported[%s] has no reason; say why and what to do instead", k)
		}
	}
	for what, m := range map[string]map[blueprint.Kind][]string{"Mutable": c.Mutable, "WriteOnly": c.WriteOnly} {
		for k, fields := range m {
			known, err := specFields(k)
			if err != nil {
				t.Errorf("%s: %v", what, err)
				continue
			}
			for _, f := range fields {
				if !slices.Contains(known, f) {
					t.Errorf("%s[%s] names %q, which is not a JSON field of the spec (%v)", what, k, f, known)
				}
			}
		}
	}
	p := s.d.Profile()
	if p.Name == "" || p.NetPrefix.Min == 0 || p.NetPrefix.Min > p.NetPrefix.Max || p.SubnetPrefix.Min > p.SubnetPrefix.Max {
		t.Errorf("Profile %+v: want a name and non-empty Net and subnet prefix bounds", p)
	}
	if !p.NetPrefix.Contains(16) || !p.SubnetPrefix.Contains(24) {
		t.Errorf("Profile %+v: the suite needs /16 Nets and /24 subnets", p)
	}
	zones, err := s.d.Zones(ctx)
	if err != nil {
		t.Fatalf("Zones: %v", err)
	}
	if len(zones) < 2 || !slices.IsSorted(zones) || len(slices.Compact(slices.Clone(zones))) != len(zones) {
		t.Errorf("Zones = %v; want at least two distinct zones, sorted", zones)
	}
}

func testCreateRead(ctx context.Context, t *testing.T, s *suite) {
	dep := s.deployment(t, "crud")
	obs := Deploy(ctx, t, s.d, dep)
	zones, _ := s.d.Zones(ctx)
	caps := s.d.Capabilities()
	ids := idsOf(obs)
	seen := map[string]string{}
	for _, r := range Resources(dep, zones) {
		if !supports(caps, r) {
			_, err := s.d.Create(ctx, Request(dep, r, ids))
			if !errors.Is(err, driver.ErrUnsupported) {
				t.Errorf("Create %s, which the driver does not support (kind %s): err = %v; want ErrUnsupported", r.ID, r.Kind, err)
			}
			continue
		}
		created := obs[r.ID]
		if created.ID == "" {
			t.Errorf("Create %s: empty id", r.ID)
			continue
		}
		if other, dup := seen[created.ID]; dup {
			t.Errorf("Create %s: id %s already given to %s", r.ID, created.ID, other)
		}
		seen[created.ID] = r.ID
		got, err := s.d.Read(ctx, r.Kind, created.ID)
		if err != nil {
			t.Errorf("Read %s %s: %v", r.Kind, created.ID, err)
			continue
		}
		checkObserved(t, dep, r, got, Resolve(r, ids), caps.WriteOnly[r.Kind])
	}
}

// checkObserved compares what a driver reports with what was sent.
func checkObserved(t *testing.T, dep string, r blueprint.Resource, got driver.Observed, sent blueprint.Resource, writeOnly []string) {
	t.Helper()
	if got.ID == "" {
		t.Errorf("%s: Read returned an empty id", r.ID)
	}
	if got.LogicalID != r.ID {
		t.Errorf("%s: LogicalID = %q", r.ID, got.LogicalID)
	}
	if got.Resource.Kind != r.Kind {
		t.Errorf("%s: Resource.Kind = %q; want %q", r.ID, got.Resource.Kind, r.Kind)
	}
	if !got.Ready {
		t.Errorf("%s: not ready after it was awaited (status %q)", r.ID, got.Status)
	}
	for k, v := range Tags(dep, r.ID) {
		if got.Tags[k] != v {
			t.Errorf("%s: tag %s = %q; want %q", r.ID, k, got.Tags[k], v)
		}
	}
	want, err1 := Canonical(sent, writeOnly...)
	have, err2 := Canonical(got.Resource, writeOnly...)
	if err := errors.Join(err1, err2); err != nil {
		t.Errorf("%s: %v", r.ID, err)
		return
	}
	if want != have {
		t.Errorf("%s: spec read back differs\n sent: %s\n read: %s", r.ID, want, have)
	}
}

func idsOf(obs map[string]driver.Observed) map[string]string {
	ids := make(map[string]string, len(obs))
	for lid, o := range obs {
		ids[lid] = o.ID
	}
	return ids
}

var discoveryKinds = []blueprint.Kind{blueprint.KindNet, blueprint.KindSubnet, blueprint.KindInternetGateway, blueprint.KindSecurityGroup}

func testTagDiscovery(ctx context.Context, t *testing.T, s *suite) {
	depA, depB := s.deployment(t, "taga"), s.deployment(t, "tagb")
	a := deploy(ctx, t, s.d, depA, discoveryKinds)
	b := deploy(ctx, t, s.d, depB, discoveryKinds)
	for _, k := range append(slices.Clone(discoveryKinds), blueprint.KindRouteTable) {
		want := idsOfKind(a, k)
		for _, q := range []driver.Query{
			{Deployment: depA, Kind: k},
			{Deployment: depA, Kind: k, NetIDs: []string{a["net/main"].ID}},
		} {
			got, err := s.d.List(ctx, q)
			if err != nil {
				t.Errorf("List %s %s: %v", depA, k, err)
				continue
			}
			var ids []string
			for _, o := range got {
				ids = append(ids, o.ID)
				if o.Tags[driver.TagDeployment] != depA {
					t.Errorf("List %s %s returned %s tagged %q", depA, k, o.ID, o.Tags[driver.TagDeployment])
				}
				if o.LogicalID == "" {
					t.Errorf("List %s %s returned %s without its logical id", depA, k, o.ID)
				}
			}
			slices.Sort(ids)
			if !slices.Equal(ids, want) {
				t.Errorf("List(%+v) = %v; want %v (deployment %s holds %v)", q, ids, want, depB, idsOfKind(b, k))
			}
		}
	}
	got, err := s.d.List(ctx, driver.Query{Deployment: depA + "-none", Kind: blueprint.KindNet})
	if err != nil || len(got) != 0 {
		t.Errorf("List of a deployment that does not exist = %d resources, %v; want none", len(got), err)
	}
}

// testDeploymentNames checks that List refuses, with Code Invalid, every
// name blueprint.CheckDeployment refuses (wildcards first: AWS filters
// read them), and that it compares the tag exactly: a prefix, an
// extension or a wildcard of a deployment's name finds none of it.
func testDeploymentNames(ctx context.Context, t *testing.T, s *suite) {
	dep := s.deployment(t, "nm")
	deploy(ctx, t, s.d, dep, []blueprint.Kind{blueprint.KindNet})
	for _, bad := range []string{dep[:2] + "*", dep[:len(dep)-1] + "?", "*", dep + `\`, dep + "=x", "Upper", ""} {
		if _, err := s.d.List(ctx, driver.Query{Deployment: bad, Kind: blueprint.KindNet}); !errors.Is(err, driver.ErrInvalid) {
			t.Errorf("List(%q): %v; want Code Invalid before any call", bad, err)
		}
	}
	for _, near := range []string{dep[:len(dep)-1], dep + "0", dep + "-x"} {
		got, err := list(ctx, s.d, driver.Query{Deployment: near, Kind: blueprint.KindNet})
		if err != nil || len(got) != 0 {
			t.Errorf("List(%q) next to %q = %d resources, %v; want none: the tag is compared exactly", near, dep, len(got), err)
		}
	}
}

func idsOfKind(obs map[string]driver.Observed, k blueprint.Kind) []string {
	var ids []string
	for _, o := range obs {
		if o.Resource.Kind == k {
			ids = append(ids, o.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// testIdempotentCreate repeats the Create of every resource, as the
// engine's retry does after a lost answer: the driver must find what the
// first call made (by token, tags or name) and make nothing twice.
func testIdempotentCreate(ctx context.Context, t *testing.T, s *suite) {
	dep := s.deployment(t, "idem")
	obs := Deploy(ctx, t, s.d, dep)
	zones, _ := s.d.Zones(ctx)
	ids := idsOf(obs)
	for _, r := range Resources(dep, zones) {
		first, ok := obs[r.ID]
		if !ok {
			continue
		}
		again, err := CreateRetry(ctx, s.d, Request(dep, r, ids))
		switch {
		case err != nil:
			t.Errorf("Create %s repeated: %v; want the first resource", r.ID, err)
		case again.ID != first.ID:
			t.Errorf("Create %s repeated made %s after %s; want the same resource", r.ID, again.ID, first.ID)
		}
	}
	for _, k := range blueprint.Kinds {
		if !s.d.Capabilities().Supports(k) {
			continue
		}
		got, err := list(ctx, s.d, driver.Query{Deployment: dep, Kind: k})
		if err != nil {
			t.Fatalf("List %s: %v", k, err)
		}
		if want := idsOfKind(obs, k); len(got) != len(want) {
			t.Errorf("List %s after repeated creates: %d resources; want %d", k, len(got), len(want))
		}
	}
}

// tokenKinds are the kinds the suite can try the token rule on, in the
// order it prefers them (a route table is the cheapest to make).
var tokenKinds = []blueprint.Kind{blueprint.KindRouteTable, blueprint.KindNetworkACL, blueprint.KindNATGateway}

// testTokenAfterDelete checks the rule that makes archkit bind tokens to
// one life of a resource: a create repeated with the token of a resource
// since deleted is answered with the deleted resource (AWS keeps a
// RunInstances token for at least 24 hours after termination), never with
// a working new one. A backend that makes a new one declares
// GapTokenAfterDelete (moto ignores client tokens; OUTSCALE documents no
// such rule).
func testTokenAfterDelete(ctx context.Context, t *testing.T, s *suite) {
	caps := s.d.Capabilities()
	for _, k := range caps.ClientTokens {
		if !slices.Contains(blueprint.Kinds, k) || !caps.Supports(k) {
			t.Errorf("Capabilities.ClientTokens names %q, which is no kind the driver supports", k)
		}
	}
	var kind blueprint.Kind
	for _, k := range tokenKinds {
		if slices.Contains(caps.ClientTokens, k) {
			kind = k
			break
		}
	}
	if kind == "" {
		t.Skipf("no kind of %v takes a client token on %s", tokenKinds, s.d.Name())
	}
	dep := s.deployment(t, "tok")
	obs := deploy(ctx, t, s.d, dep, []blueprint.Kind{blueprint.KindNet, blueprint.KindSubnet, blueprint.KindInternetGateway,
		blueprint.KindPublicIP, blueprint.KindRouteTable, blueprint.KindNetworkACL, blueprint.KindNATGateway})
	zones, _ := s.d.Zones(ctx)
	var r blueprint.Resource
	for _, x := range Resources(dep, zones) {
		if x.Kind == kind {
			r = x
			break
		}
	}
	old := obs[r.ID]
	if err := DeleteRetry(ctx, s.d, old); err != nil {
		t.Fatalf("Delete %s: %v", r.ID, err)
	}
	if err := WaitGone(ctx, s.d, kind, old.ID); err != nil {
		t.Fatalf("Read %s after its Delete: %v", r.ID, err)
	}
	again, err := CreateRetry(ctx, s.d, Request(dep, r, idsOf(obs)))
	if err != nil {
		return // refused: no working resource from an old token
	}
	_, rerr := s.d.Read(ctx, kind, again.ID)
	var problem error
	if again.ID != old.ID && rerr == nil {
		problem = fmt.Errorf("providertest: Create %s with the token of %s, deleted, made a new %s, %s; want the deleted one answered (AWS's rule)",
			r.ID, old.ID, kind, again.ID)
	}
	s.check(t, GapTokenAfterDelete, problem)
}

func testNotFound(ctx context.Context, t *testing.T, s *suite) {
	dep := s.deployment(t, "gone")
	obs := deploy(ctx, t, s.d, dep, []blueprint.Kind{blueprint.KindNet, blueprint.KindSubnet, blueprint.KindSecurityGroup})
	order := []string{"security_group/db", "security_group/web", "security_group/lb",
		"subnet/app/b", "subnet/app/a", "subnet/web/b", "subnet/web/a", "net/main"}
	for _, lid := range order {
		o := obs[lid]
		if err := DeleteRetry(ctx, s.d, o); err != nil {
			t.Fatalf("Delete %s %s: %v", lid, o.ID, err)
		}
	}
	for _, lid := range order {
		o := obs[lid]
		k := o.Resource.Kind
		if err := WaitGone(ctx, s.d, k, o.ID); err != nil {
			t.Errorf("Read %s %s after its Delete: %v; want NotFound", k, o.ID, err)
			continue
		}
		_, err := s.d.Read(ctx, k, o.ID)
		var pe *driver.Error
		if !errors.As(err, &pe) || pe.Code != driver.NotFound || !errors.Is(err, driver.ErrNotFound) {
			t.Errorf("Read %s %s after its Delete: %v; want a *driver.Error with Code NotFound", k, o.ID, err)
		}
		if err := s.d.Delete(ctx, o, Teardown); err != nil {
			t.Errorf("Delete %s %s again: %v; want nil (already gone is not an error)", k, o.ID, err)
		}
	}
}

// wantDependency deletes o and describes what is wrong unless the driver
// refused with Code Dependency and o still exists.
func (s *suite) wantDependency(ctx context.Context, o driver.Observed, why string) error {
	err := s.d.Delete(ctx, o, Teardown)
	if err == nil {
		return fmt.Errorf("providertest: Delete %s %s (%s) succeeded; want a dependency violation", o.Resource.Kind, o.ID, why)
	}
	var pe *driver.Error
	if !errors.Is(err, driver.ErrDependency) || !errors.As(err, &pe) || pe.Code != driver.Dependency {
		return fmt.Errorf("providertest: Delete %s %s (%s): %v; want a *driver.Error with Code Dependency", o.Resource.Kind, o.ID, why, err)
	}
	if _, err := s.d.Read(ctx, o.Resource.Kind, o.ID); err != nil {
		return fmt.Errorf("providertest: Read %s %s after a refused Delete: %v", o.Resource.Kind, o.ID, err)
	}
	return nil
}

func testDependency(ctx context.Context, t *testing.T, s *suite) {
	dep := s.deployment(t, "deps")
	obs := deploy(ctx, t, s.d, dep, []blueprint.Kind{blueprint.KindNet, blueprint.KindSubnet, blueprint.KindInternetGateway,
		blueprint.KindPublicIP, blueprint.KindRouteTable, blueprint.KindNATGateway, blueprint.KindSecurityGroup, blueprint.KindSecurityGroupRules})
	if err := s.wantDependency(ctx, obs["net/main"], "its subnets remain"); err != nil {
		t.Error(err)
	}
	s.check(t, GapDeleteSubnetInUse, s.wantDependency(ctx, obs["subnet/web/a"], "a NAT gateway is in it"))
	s.check(t, GapReleaseIPInUse, s.wantDependency(ctx, obs["public_ip/nat/a"], "a NAT gateway uses it"))
	s.check(t, GapDeleteSGInUse, s.wantDependency(ctx, obs["security_group/web"], "the rules of groups lb and db name it"))
	groupsGoAfterTheirRuleSets(ctx, t, s.d, obs)
}

// groupsGoAfterTheirRuleSets deletes every rule set of obs saying that its
// group goes too (the driver removes only the rules that name another
// group), then every group, in the order of their ids: no group is held
// by another's rule.
func groupsGoAfterTheirRuleSets(ctx context.Context, t *testing.T, d driver.Driver, obs map[string]driver.Observed) {
	var groups []driver.Observed
	for _, id := range slices.Sorted(maps.Keys(obs)) {
		o := obs[id]
		switch o.Resource.Kind {
		case blueprint.KindSecurityGroupRules:
			opts := Teardown
			opts.GroupDeleted = true
			if err := d.Delete(ctx, o, opts); err != nil {
				t.Fatalf("providertest: Delete rule set %s, its group going too: %v", id, err)
			}
		case blueprint.KindSecurityGroup:
			groups = append(groups, o)
		}
	}
	for _, g := range groups {
		if err := d.Delete(ctx, g, Teardown); err != nil {
			t.Errorf("providertest: Delete group %s after the rule sets that named it: %v", g.LogicalID, err)
		}
	}
}

func testInvalid(ctx context.Context, t *testing.T, s *suite) {
	dep := s.deployment(t, "bad")
	p := s.d.Profile()
	create := func(r blueprint.Resource, ids map[string]string) error {
		_, err := CreateRetry(ctx, s.d, Request(dep, r, ids))
		return err
	}
	wantInvalid := func(what string, err error, also ...error) error {
		if errors.Is(err, driver.ErrInvalid) || slices.ContainsFunc(also, func(e error) bool { return errors.Is(err, e) }) {
			return nil
		}
		return fmt.Errorf("%s: err = %v; want ErrInvalid", what, err)
	}
	if p.NetPrefix.Max < 32 {
		long := netip.PrefixFrom(netip.MustParseAddr("10.9.0.0"), p.NetPrefix.Max+1)
		err := create(blueprint.Resource{ID: "net/long", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: long}}, nil)
		if err := wantInvalid("Create net "+long.String()+" (longer than Profile().NetPrefix.Max)", err); err != nil {
			t.Error(err)
		}
	}
	net, err := CreateRetry(ctx, s.d, Request(dep, blueprint.Resource{ID: "net/main", Kind: blueprint.KindNet,
		Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.0.0.0/16")}}, nil))
	if err != nil {
		t.Fatalf("Create net: %v", err)
	}
	zones, _ := s.d.Zones(ctx)
	ids := map[string]string{"net/main": net.ID}
	subnet := func(name, cidr string) blueprint.Resource {
		return blueprint.Resource{ID: "subnet/" + name, Kind: blueprint.KindSubnet, Subnet: &blueprint.SubnetSpec{
			Net: "net/main", CIDR: netip.MustParsePrefix(cidr), Zone: zones[0], Tier: name}}
	}
	if err := wantInvalid("Create subnet 10.1.0.0/24 outside net 10.0.0.0/16", create(subnet("outside", "10.1.0.0/24"), ids)); err != nil {
		t.Error(err)
	}
	if err := create(subnet("first", "10.0.0.0/24"), ids); err != nil {
		t.Fatalf("Create subnet 10.0.0.0/24: %v", err)
	}
	err = create(subnet("overlap", "10.0.0.128/25"), ids)
	if err := wantInvalid("Create subnet 10.0.0.128/25 over 10.0.0.0/24", err, driver.ErrAlreadyExists); err != nil {
		t.Error(err)
	}
	if max := p.SubnetPrefix.Max; max < 32 {
		small := netip.PrefixFrom(netip.MustParseAddr("10.0.200.0"), max+1).String()
		err := create(subnet("small", small), ids)
		s.check(t, GapSubnetPrefixBounds, wantInvalid("Create subnet "+small+" (longer than Profile().SubnetPrefix.Max)", err))
	}
	if s.d.Capabilities().Supports(blueprint.KindDatabase) {
		s.check(t, GapDBSubnetGroupOneZone, wantInvalid("Create database with a subnet group in one zone", oneZoneDatabase(ctx, t, s, dep, ids, subnet)))
	}
	if err := create(blueprint.Resource{ID: "security_group/bad", Kind: blueprint.KindSecurityGroup, SecurityGroup: &blueprint.SecurityGroupSpec{
		Net: "net/main", Name: dep + "-bad", Description: "bad descriptions"}}, ids); err != nil {
		t.Fatalf("Create security group: %v", err)
	}
	g, _ := s.d.List(ctx, driver.Query{Kind: blueprint.KindSecurityGroup, Deployment: dep})
	for _, o := range g {
		ids[o.LogicalID] = o.ID
	}
	err = create(blueprint.Resource{ID: "security_group_rules/bad", Kind: blueprint.KindSecurityGroupRules, SecurityGroupRules: &blueprint.SecurityGroupRulesSpec{
		Group: "security_group/bad", Inbound: []blueprint.RuleSpec{{Protocol: netplan.ProtocolTCP, FromPort: 3306, ToPort: 3306,
			CIDR: netip.MustParsePrefix("10.0.0.0/24"), Description: "intel -> db tcp/3306"}}}}, ids)
	s.check(t, GapRuleDescriptions, wantInvalid(`Create rules with description "intel -> db tcp/3306"`, err))
	if s.d.Capabilities().Supports(blueprint.KindInstanceRole) {
		s.check(t, GapRolePolicySize, wantInvalid("Create instance role with a policy over IAM's 10,240 characters", create(oversizedRole(dep), ids)))
	}
	if s.d.Capabilities().Supports(blueprint.KindNetEndpoint) {
		invalidEndpoints(ctx, t, s, dep, ids, subnet, wantInvalid)
	}
}

// oversizedRole is an instance role whose one statement names enough
// queues to take its policy over IAM's 10,240 characters
// (blueprint.MaxRolePolicyChars), which IAM refuses (LimitExceeded).
func oversizedRole(dep string) blueprint.Resource {
	st := blueprint.PolicyStatement{Sid: "Big", Actions: []string{"sqs:ReceiveMessage"}}
	for i := 0; i < blueprint.MaxRolePolicyChars/40; i++ {
		st.Resources = append(st.Resources, fmt.Sprintf("arn:aws:sqs:us-east-1:123456789012:queue-%04d", i))
	}
	return blueprint.Resource{ID: "instance_role/big", Kind: blueprint.KindInstanceRole, InstanceRole: &blueprint.InstanceRoleSpec{
		Name: blueprint.IAMName(dep, "instance_role/big"), Statements: []blueprint.PolicyStatement{st}}}
}

// invalidEndpoints checks that the cloud refuses an interface endpoint
// with two subnets in one zone and a gateway endpoint to a service that
// has none.
func invalidEndpoints(ctx context.Context, t *testing.T, s *suite, dep string, ids map[string]string,
	subnet func(name, cidr string) blueprint.Resource, wantInvalid func(string, error, ...error) error) {
	t.Helper()
	var refs []blueprint.Ref
	for i, name := range []string{"epa", "epb"} {
		o, err := CreateRetry(ctx, s.d, Request(dep, subnet(name, fmt.Sprintf("10.0.%d.0/24", 20+i)), ids))
		if err != nil {
			t.Fatalf("Create subnet %s: %v", name, err)
		}
		ids["subnet/"+name] = o.ID
		refs = append(refs, blueprint.Ref("subnet/"+name))
	}
	ep := func(svc, typ string, subnets []blueprint.Ref) error {
		_, err := CreateRetry(ctx, s.d, Request(dep, blueprint.Resource{ID: "net_endpoint/" + svc, Kind: blueprint.KindNetEndpoint, NetEndpoint: &blueprint.NetEndpointSpec{
			Net: "net/main", Service: svc, Type: typ, Subnets: subnets, SecurityGroups: []blueprint.Ref{"security_group/bad"}}}, ids))
		return err
	}
	err := ep("sts", blueprint.EndpointInterface, refs)
	s.check(t, GapEndpointSubnetsOneZone, wantInvalid("Create an interface endpoint with two subnets in one zone", err, driver.ErrUnsupported))
	if err := wantInvalid("Create a gateway endpoint to sqs", ep("sqs", blueprint.EndpointGateway, nil), driver.ErrUnsupported); err != nil {
		t.Error(err)
	}
}

// oneZoneDatabase creates two subnets in one zone and a database over
// them, and returns the database's Create error.
func oneZoneDatabase(ctx context.Context, t *testing.T, s *suite, dep string, ids map[string]string, subnet func(name, cidr string) blueprint.Resource) error {
	t.Helper()
	var refs []blueprint.Ref
	for i, name := range []string{"dba", "dbb"} {
		r := subnet(name, fmt.Sprintf("10.0.%d.0/24", 10+i))
		o, err := s.d.Create(ctx, Request(dep, r, ids))
		if err != nil {
			t.Fatalf("Create subnet %s: %v", r.ID, err)
		}
		ids[r.ID] = o.ID
		refs = append(refs, blueprint.Ref(r.ID))
	}
	db := blueprint.Resource{ID: "database/onezone", Kind: blueprint.KindDatabase, Database: &blueprint.DatabaseSpec{
		Engine: "postgres", InstanceClass: "db.t3.micro", StorageGiB: 20, Port: 5432, Username: "archkit_admin", Subnets: refs}}
	_, err := s.d.Create(ctx, Request(dep, db, ids))
	return err
}

// mutation changes one mutable field of the resource with logical id id;
// ref returns the provider id of another resource of the suite.
type mutation struct {
	id     string
	change func(r *blueprint.Resource, ref func(logicalID string) blueprint.Ref)
}

var anywhere = netip.MustParsePrefix("0.0.0.0/0")

// mutations are the in-place changes the suite tries, per kind and field.
var mutations = map[blueprint.Kind]map[string]mutation{
	blueprint.KindNet: {
		"keep_default_security_group_rules": {"net/main", func(r *blueprint.Resource, _ func(string) blueprint.Ref) {
			r.Net.KeepDefaultSecurityGroupRules = !r.Net.KeepDefaultSecurityGroupRules
		}},
	},
	blueprint.KindSubnet: {
		"public": {"subnet/app/a", func(r *blueprint.Resource, ref func(string) blueprint.Ref) { r.Subnet.Public = !r.Subnet.Public }},
	},
	blueprint.KindRouteTable: {
		"routes": {"route_table/web/a", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			s := r.RouteTable
			s.Routes = append(s.Routes, blueprint.RouteSpec{Destination: netip.MustParsePrefix("192.168.0.0/16"),
				TargetKind: s.Routes[0].TargetKind, Target: s.Routes[0].Target})
		}},
	},
	blueprint.KindSecurityGroupRules: {
		"inbound": {"security_group_rules/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			s := r.SecurityGroupRules
			s.Inbound = append(s.Inbound, blueprint.RuleSpec{Protocol: netplan.ProtocolTCP, FromPort: 9000, ToPort: 9000,
				CIDR: netip.MustParsePrefix("10.0.0.0/16")})
		}},
		"outbound": {"security_group_rules/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			s := r.SecurityGroupRules
			s.Outbound = append(s.Outbound, blueprint.RuleSpec{Protocol: netplan.ProtocolUDP, FromPort: 53, ToPort: 53, CIDR: anywhere})
		}},
	},
	blueprint.KindNetworkACL: {
		"inbound": {"network_acl/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			s := r.NetworkACL
			s.Inbound = append(s.Inbound, blueprint.ACLEntrySpec{Number: 120, Allow: true, Protocol: netplan.ProtocolTCP,
				FromPort: 22, ToPort: 22, CIDR: netip.MustParsePrefix("10.0.0.0/16")})
		}},
		"outbound": {"network_acl/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			s := r.NetworkACL
			s.Outbound = append(s.Outbound, blueprint.ACLEntrySpec{Number: 90, Protocol: netplan.ProtocolTCP, FromPort: 25, ToPort: 25, CIDR: anywhere})
		}},
		"subnets": {"network_acl/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			r.NetworkACL.Subnets = r.NetworkACL.Subnets[:1]
		}},
	},
	blueprint.KindLoadBalancer: {
		"listeners": {"load_balancer/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			s := r.LoadBalancer
			s.Listeners = append(s.Listeners, blueprint.ListenerSpec{Protocol: "HTTP", Port: 8081, TargetProtocol: "HTTP", TargetPort: 8080})
		}},
		"health_check": {"load_balancer/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			r.LoadBalancer.HealthCheck.Path = "/ready"
			r.LoadBalancer.HealthCheck.IntervalSeconds = 15
		}},
		"security_groups": {"load_balancer/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			r.LoadBalancer.SecurityGroups = append(r.LoadBalancer.SecurityGroups, ref("security_group/web"))
		}},
		// Zone b moves to another subnet; the first subnet (where an
		// OUTSCALE balancer lives) stays.
		"subnets": {"load_balancer/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			r.LoadBalancer.Subnets = []blueprint.Ref{ref("subnet/web/a"), ref("subnet/app/b")}
		}},
		"keep_invalid_headers": {"load_balancer/web", func(r *blueprint.Resource, _ func(string) blueprint.Ref) {
			r.LoadBalancer.KeepInvalidHeaders = !r.LoadBalancer.KeepInvalidHeaders
		}},
		"allow_deletion": {"load_balancer/web", func(r *blueprint.Resource, _ func(string) blueprint.Ref) {
			r.LoadBalancer.AllowDeletion = !r.LoadBalancer.AllowDeletion
		}},
	},
	blueprint.KindCluster: {
		"min":           {"cluster/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) { r.Cluster.Min = 2 }},
		"desired":       {"cluster/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) { r.Cluster.Desired = 3 }},
		"max":           {"cluster/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) { r.Cluster.Max = 5 }},
		"instance_type": {"cluster/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) { r.Cluster.InstanceType = "t3.small" }},
		"user_data": {"cluster/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			r.Cluster.UserData = "#!/bin/sh\necho v2\n"
		}},
		"load_balancers": {"cluster/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) { r.Cluster.LoadBalancers = nil }},
		"allow_imdsv1": {"cluster/web", func(r *blueprint.Resource, _ func(string) blueprint.Ref) {
			r.Cluster.AllowIMDSv1 = !r.Cluster.AllowIMDSv1
		}},
		"metadata_hop_limit": {"cluster/web", func(r *blueprint.Resource, _ func(string) blueprint.Ref) { r.Cluster.MetadataHopLimit = 2 }},
		"unencrypted_volumes": {"cluster/web", func(r *blueprint.Resource, _ func(string) blueprint.Ref) {
			r.Cluster.UnencryptedVolumes, r.Cluster.VolumeKMSKey = true, ""
		}},
		"volume_kms_key": {"cluster/web", func(r *blueprint.Resource, _ func(string) blueprint.Ref) {
			r.Cluster.UnencryptedVolumes, r.Cluster.VolumeKMSKey = false, "alias/archkit-conformance"
		}},
		"image": {"cluster/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			r.Cluster.Image, r.Cluster.ImageCopy = ImageNext, "" // off the copy
		}},
		"instance_role": {"cluster/web", func(r *blueprint.Resource, _ func(string) blueprint.Ref) { r.Cluster.InstanceRole = "" }},
		// New nodes' volumes carry the tag a backup plan selects by.
		"backup": {"cluster/web", func(r *blueprint.Resource, _ func(string) blueprint.Ref) { r.Cluster.Backup = "snapshots" }},
		// New nodes start from the source image itself (the driver's own
		// region's, in the suite).
		"image_copy": {"cluster/web", func(r *blueprint.Resource, _ func(string) blueprint.Ref) { r.Cluster.ImageCopy = "" }},
		// New nodes start without the key pair; the nodes that run keep it.
		"key_pair": {"cluster/web", func(r *blueprint.Resource, _ func(string) blueprint.Ref) { r.Cluster.KeyPair = "" }},
		"instance_profile": {"cluster/web", func(r *blueprint.Resource, _ func(string) blueprint.Ref) {
			r.Cluster.InstanceRole, r.Cluster.InstanceProfile = "", "archkit-conformance-ssm" // one or the other
		}},
		"security_groups": {"cluster/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			r.Cluster.SecurityGroups = append(r.Cluster.SecurityGroups, ref("security_group/db"))
		}},
		"subnets": {"cluster/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) { r.Cluster.Subnets = r.Cluster.Subnets[:1] }},
		"target_port": {"cluster/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			r.Cluster.LoadBalancers, r.Cluster.TargetPort = []blueprint.Ref{ref("load_balancer/web")}, 8081
		}},
		"scaling": {"cluster/web", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			if s := r.Cluster.Scaling; s != nil {
				s.TargetCPUPercent = s.TargetCPUPercent%90 + 5
				return
			}
			r.Cluster.Scaling = &blueprint.ScalingSpec{TargetCPUPercent: 70, WarmupSeconds: 120}
		}},
	},
	blueprint.KindDatabase: {
		"backup_retention_days": {"database/main", func(r *blueprint.Resource, ref func(string) blueprint.Ref) { r.Database.BackupRetentionDays = 14 }},
		"multi_az":              {"database/main", func(r *blueprint.Resource, ref func(string) blueprint.Ref) { r.Database.MultiAZ = true }},
		"instance_class":        {"database/main", func(r *blueprint.Resource, ref func(string) blueprint.Ref) { r.Database.InstanceClass = "db.t3.small" }},
		"storage_gib":           {"database/main", func(r *blueprint.Resource, ref func(string) blueprint.Ref) { r.Database.StorageGiB = 30 }},
		"engine_version":        {"database/main", func(r *blueprint.Resource, ref func(string) blueprint.Ref) { r.Database.EngineVersion = "16.4" }},
		"port":                  {"database/main", func(r *blueprint.Resource, ref func(string) blueprint.Ref) { r.Database.Port = 5433 }},
		"security_groups": {"database/main", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			r.Database.SecurityGroups = append(r.Database.SecurityGroups, ref("security_group/web"))
		}},
		// The instance runs in the first zone's subnet, which stays; zone
		// b moves to another subnet.
		"subnets": {"database/main", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			r.Database.Subnets = []blueprint.Ref{ref("subnet/app/a"), ref("subnet/web/b")}
		}},
	},
	blueprint.KindInstanceRole: {
		"statements": {"instance_role/web", func(r *blueprint.Resource, _ func(string) blueprint.Ref) {
			r.InstanceRole.Statements = append(r.InstanceRole.Statements, blueprint.FromTier(tier.Statements([]tier.Grant{tier.ProduceQueue("jobs")}))...)
		}},
	},
	blueprint.KindNetEndpoint: {
		"route_tables": {"net_endpoint/s3", func(r *blueprint.Resource, _ func(string) blueprint.Ref) {
			r.NetEndpoint.RouteTables = r.NetEndpoint.RouteTables[:1]
		}},
		"subnets": {"net_endpoint/sqs", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			if len(r.NetEndpoint.Subnets) > 1 {
				r.NetEndpoint.Subnets = r.NetEndpoint.Subnets[:1]
				return
			}
			r.NetEndpoint.Subnets = []blueprint.Ref{ref("subnet/web/a")}
		}},
		"security_groups": {"net_endpoint/sqs", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			r.NetEndpoint.SecurityGroups = append(r.NetEndpoint.SecurityGroups, ref("security_group/web"))
		}},
		"private_dns": {"net_endpoint/sqs", func(r *blueprint.Resource, _ func(string) blueprint.Ref) { r.NetEndpoint.PrivateDNS = false }},
	},
	blueprint.KindFlowLog: {
		"retention_days": {"flow_log/main", func(r *blueprint.Resource, _ func(string) blueprint.Ref) { r.FlowLog.RetentionDays = 30 }},
	},
	blueprint.KindDatabaseReplica: {
		"instance_class": {"database_replica/main/1", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			r.DatabaseReplica.InstanceClass = "db.t3.small"
		}},
		"security_groups": {"database_replica/main/1", func(r *blueprint.Resource, ref func(string) blueprint.Ref) {
			r.DatabaseReplica.SecurityGroups = append(r.DatabaseReplica.SecurityGroups, ref("security_group/web"))
		}},
	},
}

func testUpdate(ctx context.Context, t *testing.T, s *suite) {
	dep := s.deployment(t, "upd")
	obs := Deploy(ctx, t, s.d, dep)
	caps := s.d.Capabilities()
	for _, k := range blueprint.Kinds {
		fields := slices.Clone(caps.Mutable[k])
		slices.Sort(fields)
		// A cluster's sizes first: moto 5.2 does not decode the user data
		// of a launch template version made by CreateLaunchTemplateVersion,
		// and its UpdateAutoScalingGroup then fails (HTTP 500) when it
		// starts a node from that version.
		slices.SortStableFunc(fields, func(a, b string) int {
			size := func(f string) bool { return f == "min" || f == "desired" || f == "max" }
			return cmp.Compare(boolInt(!size(a)), boolInt(!size(b)))
		})
		for _, field := range fields {
			if !caps.SupportsField(k, field) {
				continue // declared unsupported: the engine never sends it
			}
			m, ok := mutations[k][field]
			if !ok {
				t.Logf("%s.%s is mutable but the suite has no change to try", k, field)
				continue
			}
			o, ok := obs[m.id]
			if !ok {
				continue
			}
			cur, err := s.d.Read(ctx, k, o.ID)
			if err != nil {
				t.Errorf("Read %s: %v", m.id, err)
				continue
			}
			want := cur.Resource.Clone()
			m.change(&want, func(lid string) blueprint.Ref { return blueprint.Ref(obs[lid].ID) })
			req := driver.Request{Deployment: dep, Resource: want, Token: driver.Token(dep, m.id, ""), Tags: maps.Clone(cur.Tags)}
			var upd driver.Observed
			err = retryable(ctx, func() (err error) {
				upd, err = s.d.Update(ctx, req, cur)
				return err
			})
			if err != nil {
				t.Errorf("Update %s.%s of %s: %v", k, field, m.id, err)
				continue
			}
			if upd.ID != cur.ID {
				t.Errorf("Update %s.%s of %s: id %s became %s; want an in-place change", k, field, m.id, cur.ID, upd.ID)
			}
			got := WaitReady(ctx, t, s.d, k, cur.ID)
			if slices.Contains(caps.WriteOnly[k], field) {
				continue
			}
			if w, g := fieldJSON(want, field), fieldJSON(got.Resource, field); w != g {
				err := fmt.Errorf("providertest: Update %s.%s of %s: read back %s; want %s", k, field, m.id, g, w)
				if gap, ok := fieldGaps[string(k)+"."+field]; ok {
					s.check(t, gap, err)
					continue
				}
				t.Error(err)
			} else if gap, ok := fieldGaps[string(k)+"."+field]; ok {
				s.check(t, gap, nil)
			}
		}
	}
}

// testProtectedDelete: a stateful resource (a database; where the cloud has
// none, a stateful cluster of VMs) is made with its cloud's deletion
// protection, so that a Delete that does not lift it fails and leaves it;
// one that lifts it deletes it.
func testProtectedDelete(ctx context.Context, t *testing.T, s *suite) {
	dep := s.deployment(t, "keep")
	kinds := []blueprint.Kind{blueprint.KindNet, blueprint.KindSubnet, blueprint.KindSecurityGroup}
	obs := deploy(ctx, t, s.d, dep, kinds)
	zones, _ := s.d.Zones(ctx)
	var r blueprint.Resource
	for _, x := range Resources(dep, zones) {
		if x.ID == "database/main" || x.ID == "cluster/web" {
			r = x
			if s.d.Capabilities().Supports(blueprint.KindDatabase) == (x.Kind == blueprint.KindDatabase) {
				break
			}
		}
	}
	if r.Cluster != nil {
		r.Cluster.Stateless, r.Cluster.LoadBalancers, r.Cluster.TargetPort = false, nil, 0
	}
	o, err := s.d.Create(ctx, Request(dep, r, idsOf(obs)))
	if err != nil {
		t.Fatalf("Create %s: %v", r.ID, err)
	}
	o = WaitReady(ctx, t, s.d, r.Kind, o.ID)
	if !o.Resource.IsStateful() {
		t.Fatalf("%s: not stateful as read back", r.ID)
	}
	if err := s.d.Delete(ctx, o, driver.DeleteOptions{SkipFinalSnapshot: true}); err == nil {
		t.Errorf("Delete %s %s without LiftProtection succeeded; want the cloud's deletion protection to refuse it", r.Kind, o.ID)
	}
	if _, err := s.d.Read(ctx, r.Kind, o.ID); err != nil {
		t.Errorf("Read %s %s after a refused Delete: %v; want it kept", r.Kind, o.ID, err)
	}
	if err := DeleteRetry(ctx, s.d, o); err != nil {
		t.Fatalf("Delete %s %s with LiftProtection: %v", r.Kind, o.ID, err)
	}
	if err := WaitGone(ctx, s.d, r.Kind, o.ID); err != nil {
		t.Errorf("Read %s %s after its Delete: %v; want NotFound", r.Kind, o.ID, err)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func testDestroy(ctx context.Context, t *testing.T, s *suite) {
	dep := s.deployment(t, "del")
	obs := Deploy(ctx, t, s.d, dep)
	zones, _ := s.d.Zones(ctx)
	rs := Resources(dep, zones)
	for _, r := range slices.Backward(rs) {
		o, ok := obs[r.ID]
		if !ok {
			continue
		}
		if err := DeleteRetry(ctx, s.d, o); err != nil {
			t.Fatalf("Delete %s %s: %v", r.ID, o.ID, err)
		}
	}
	for _, r := range rs {
		if o, ok := obs[r.ID]; ok {
			if err := WaitGone(ctx, s.d, r.Kind, o.ID); err != nil {
				t.Errorf("Read %s %s after destroy: %v; want NotFound", r.ID, o.ID, err)
			}
		}
	}
	for _, k := range blueprint.Kinds {
		if !s.d.Capabilities().Supports(k) {
			continue
		}
		left, err := list(ctx, s.d, driver.Query{Deployment: dep, Kind: k})
		if err != nil {
			t.Errorf("List %s: %v", k, err)
		}
		for _, o := range left {
			t.Errorf("after destroy, List %s still finds %s (%s)", k, o.ID, o.LogicalID)
		}
	}
}
