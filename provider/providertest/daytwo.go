package providertest

import (
	"errors"
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

// Change is one day-two change of [DayTwo]: Edit changes the
// architecture, and the change is applied through the engine.
type Change struct {
	Name string
	// Edit is the change.
	Edit func(a *pattern.Architecture)
	// Needs is the kind the change needs; it is skipped on a driver
	// without it.
	Needs blueprint.Kind
	// WithoutDatabase runs the change only on a driver without managed
	// databases (whose database is a cluster of VMs).
	WithoutDatabase bool
	// Refused: the engine must refuse the change (ErrProtected) before
	// its first write, because the cloud cannot make it in place and it
	// would lose data. The change is then undone.
	Refused bool
	// Gone are the logical ids the change removes, by prefix
	// ("subnet/jobs/"): the only deletes it may plan.
	Gone []string
	// Alone names a gap (a Gap constant) under which the change starts
	// from a deployment of its own, made by Base, instead of following
	// the others: the backend cannot take the changes before it.
	Alone string
	Base  func(a *pattern.Architecture)
}

// DayTwoChanges are the changes a platform team makes, week after week
// (issue 12's proof), in the order [DayTwo] applies them to one
// deployment: a zone, a tier added and one removed, a cluster resized, a
// read replica added, the database's engine upgraded, its instance class
// resized and its tier moved to other subnets. On a cloud without managed
// databases the database is a cluster of VMs: it grows in place, and
// moving it, or giving its VMs another type, is refused (a VM keeps its
// subnet and, running, its type).
var DayTwoChanges = []Change{
	{Name: "add-zone", Edit: func(a *pattern.Architecture) { a.Zones = []string{"a", "b", "c"} }},
	{Name: "add-tier", Edit: func(a *pattern.Architecture) {
		a.AddTier(tier.Redis("cache"))
		a.AddCluster(statefulCluster("cache"))
		a.Connect("app", "cache")
	}},
	{Name: "remove-tier", Gone: []string{"subnet/jobs/", "route_table/jobs/", "security_group/jobs", "security_group_rules/jobs",
		"network_acl/jobs", "cluster/jobs"},
		Edit: func(a *pattern.Architecture) { removeTier(a, "jobs") }},
	{Name: "resize-cluster", Edit: func(a *pattern.Architecture) { a.Cluster("app").Desired, a.Cluster("app").Max = 3, 4 }},
	{Name: "add-read-replica", Needs: blueprint.KindDatabaseReplica, Edit: func(a *pattern.Architecture) { a.Database("db").ReadReplicas = 1 }},
	{Name: "upgrade-engine", Needs: blueprint.KindDatabase, Edit: func(a *pattern.Architecture) { a.Database("db").Version = "16.4" }},
	{Name: "resize-instance-class", Needs: blueprint.KindDatabase, Edit: func(a *pattern.Architecture) {
		a.Database("db").Class = "db.t3.small"
	}},
	{Name: "move-database", Needs: blueprint.KindDatabase, Gone: []string{"subnet/db/b", "route_table/db/b"},
		Edit:  func(a *pattern.Architecture) { a.Tier("db").Zones = []string{"a", "c"} },
		Alone: GapSubnetGroupModifiedOnce, Base: func(a *pattern.Architecture) { a.Zones = []string{"a", "b", "c"} }},
	{Name: "grow-database-cluster", WithoutDatabase: true, Edit: func(a *pattern.Architecture) {
		fb := &a.Database("db").Fallback
		fb.Desired, fb.Max = 3, 3
	}},
	{Name: "move-database-cluster", WithoutDatabase: true, Refused: true,
		Edit: func(a *pattern.Architecture) { a.Tier("db").Zones = []string{"a", "c"} }},
	{Name: "retype-database-cluster", WithoutDatabase: true, Refused: true,
		Edit: func(a *pattern.Architecture) { a.Database("db").Fallback.InstanceType = "tinav6.c2r4p2" }},
}

// Watch is a check of a day-two change of [DayTwo]: called with the
// driver and what the first apply made, it returns the check of what the
// change left.
type Watch func(t *testing.T, d driver.Driver, before map[string]driver.Observed) func(t *testing.T, now map[string]driver.Observed)

// Shop is the architecture of [DayTwo] (issue 12's): an internet-facing
// load balancer "front" in the edge tier forwarding to the app cluster on
// 8080, a managed PostgreSQL "db" (a database cluster of VMs where the
// cloud has no managed database), a stateless "jobs" cluster reaching the
// database, in zones a and b of a 10.0.0.0/16 Net, planned with profile.
func Shop(name string, profile netplan.Profile) *pattern.Architecture {
	db := tier.NewDatabase("db", tier.EnginePostgres, "db.t3.micro")
	db.Version, db.Username = "15.4", "archkit"
	db.FallbackToCluster, db.Fallback = true, statefulCluster("db")
	jobs := tier.NewCluster("jobs", Image, "t3.micro")
	jobs.Min, jobs.Desired, jobs.Max = 1, 1, 1
	a := pattern.New(name, "10.0.0.0/16").WithZones("a", "b").
		AddTier(tier.LoadBalancers("edge", netplan.Public), tier.App("app"), tier.PostgreSQL("db"), tier.App("jobs")).
		AddLB(tier.PublicLB("front", "edge", "app", 8080)).
		AddCluster(tier.NewCluster("app", Image, "t3.micro"), jobs).
		AddDatabase(db).
		Connect("internet", "front").Connect("app", "db").Connect("jobs", "db")
	a.Profile = profile
	return a
}

func statefulCluster(name string) tier.Cluster {
	c := tier.NewCluster(name, Image, "t3.micro")
	c.Stateless = false
	return c
}

// removeTier removes tier name, its cluster and the flows that name it.
func removeTier(a *pattern.Architecture, name string) {
	a.Tiers = slices.DeleteFunc(a.Tiers, func(t tier.Tier) bool { return t.Name == name })
	a.Clusters = slices.DeleteFunc(a.Clusters, func(c tier.Cluster) bool { return c.Tier == name })
	a.Links = slices.DeleteFunc(a.Links, func(l pattern.Link) bool { return l.From == name || l.To == name })
}

// DayTwo applies [Shop] through an engine made by newEngine, then each
// change of [DayTwoChanges] that the driver supports, one after another on
// the same deployment, as a team would, and checks what issue 12 asks of
// every one: no deployed subnet changes its range or id, no stateful
// resource is replaced or deleted (it keeps its provider id), every change
// of what exists is made in place, the only deletes are those of what was
// removed, and a plan after the apply is empty. A change the cloud cannot
// make without losing data is refused before the first write, and undone.
//
// watch, when set, checks more of each change: it is called with what the
// deployment holds before the change and returns the check to run once the
// change is applied (moto: each RDS instance keeps its creation time).
func DayTwo(t *testing.T, newHarness func(t *testing.T) Harness, newEngine func(driver.Driver) *provider.Engine, watch Watch) {
	h := newHarness(t)
	t.Cleanup(h.Close)
	s := &suite{d: h.Driver(), gaps: h.Gaps()}
	eng := newEngine(s.d)
	dep := s.deployment(t, "d2")
	arch := Shop(dep, s.d.Profile())
	if _, err := eng.Apply(t.Context(), arch); err != nil {
		t.Fatalf("providertest: first apply: %v", err)
	}
	caps := s.d.Capabilities()
	for _, c := range DayTwoChanges {
		ok := t.Run(c.Name, func(t *testing.T) {
			switch {
			case c.Needs != "" && !caps.Supports(c.Needs):
				t.Skipf("%s: %s not supported", c.Name, c.Needs)
			case c.WithoutDatabase && caps.Supports(blueprint.KindDatabase):
				t.Skipf("%s: for a cloud whose database is a cluster of VMs", c.Name)
			}
			if c.Alone != "" && slices.Contains(s.gaps, c.Alone) {
				t.Logf("known gap %q: %s starts from a deployment of its own", c.Alone, c.Name)
				alone := Shop(s.deployment(t, "d2"), s.d.Profile())
				c.Base(alone)
				if _, err := eng.Apply(t.Context(), alone); err != nil {
					t.Fatalf("providertest: first apply for %s: %v", c.Name, err)
				}
				dayTwo(t, s, eng, c, alone, watch)
				return
			}
			next := *arch
			next.Tiers, next.Clusters, next.Databases = slices.Clone(arch.Tiers), slices.Clone(arch.Clusters), slices.Clone(arch.Databases)
			next.Links, next.Zones = slices.Clone(arch.Links), slices.Clone(arch.Zones)
			dayTwo(t, s, eng, c, &next, watch)
			if !c.Refused {
				arch = &next
			}
		})
		if !ok {
			return // the next changes build on this one
		}
	}
}

// dayTwo applies the change c to the deployment of s, from what it holds
// to arch, edited.
func dayTwo(t *testing.T, s *suite, eng *provider.Engine, c Change, arch *pattern.Architecture, watch Watch) {
	ctx := t.Context()
	before := observeAll(t, s.d, arch.Name)
	after := func(*testing.T, map[string]driver.Observed) {}
	if watch != nil {
		after = watch(t, s.d, before)
	}
	c.Edit(arch)
	cs, err := eng.Plan(ctx, arch)
	if err != nil {
		t.Fatalf("providertest: plan %s: %v", c.Name, err)
	}
	t.Logf("%s", cs)
	if c.Refused {
		_, err := eng.Apply(ctx, arch)
		if !errors.Is(err, provider.ErrProtected) {
			t.Fatalf("providertest: %s: Apply = %v; want ErrProtected", c.Name, err)
		}
		checkKept(t, before, observeAll(t, s.d, arch.Name), nil)
		return
	}
	checkPlan(t, c, cs)
	if _, err := eng.Apply(ctx, arch); err != nil {
		t.Fatalf("providertest: %s: apply: %v", c.Name, err)
	}
	now := observeAll(t, s.d, arch.Name)
	checkKept(t, before, now, c.Gone)
	again, err := eng.Plan(ctx, arch)
	if err != nil {
		t.Fatalf("providertest: plan after %s: %v", c.Name, err)
	}
	if again.HasChanges() {
		t.Errorf("providertest: %s did not converge: the next plan still changes things\n%s", c.Name, again)
	}
	after(t, now)
}

// checkPlan checks that cs creates, updates in place, and deletes only
// what c removes: no replace, no stateful resource lost.
func checkPlan(t *testing.T, c Change, cs *provider.Changeset) {
	t.Helper()
	for _, ch := range cs.Changes {
		switch ch.Class {
		case provider.ClassCreate, provider.ClassUpdateInPlace, provider.ClassNoop:
		case provider.ClassDelete:
			if ch.Stateful || !slices.ContainsFunc(c.Gone, func(p string) bool { return strings.HasPrefix(ch.ID, p) }) {
				t.Errorf("providertest: %s plans to delete %s (%s); want deletes of %v only", c.Name, ch.ID, ch.Reason, c.Gone)
			}
		default:
			t.Errorf("providertest: %s plans %s %s: %s; want every change in place", c.Name, ch.Class, ch.ID, ch)
		}
	}
	if lost := cs.LosesData(); len(lost) > 0 {
		t.Errorf("providertest: %s loses the data of %v", c.Name, lost)
	}
}

// checkKept checks that every subnet and stateful resource of before is
// still there with its id and, for subnets, its range, unless its logical
// id starts with one of gone.
func checkKept(t *testing.T, before, now map[string]driver.Observed, gone []string) {
	t.Helper()
	for _, lid := range slices.Sorted(maps.Keys(before)) {
		o := before[lid]
		if o.Resource.Kind != blueprint.KindSubnet && !o.Resource.IsStateful() {
			continue
		}
		if slices.ContainsFunc(gone, func(p string) bool { return strings.HasPrefix(lid, p) }) {
			continue
		}
		n, ok := now[lid]
		switch {
		case !ok:
			t.Errorf("providertest: %s (%s) is gone", lid, o.ID)
		case n.ID != o.ID:
			t.Errorf("providertest: %s was replaced: %s became %s", lid, o.ID, n.ID)
		case o.Resource.Subnet != nil && n.Resource.Subnet.CIDR != o.Resource.Subnet.CIDR:
			t.Errorf("providertest: subnet %s moved from %s to %s", lid, o.Resource.Subnet.CIDR, n.Resource.Subnet.CIDR)
		}
	}
}

// observeAll lists every kind of deployment by logical id.
func observeAll(t *testing.T, d driver.Driver, deployment string) map[string]driver.Observed {
	t.Helper()
	out := map[string]driver.Observed{}
	for _, k := range blueprint.Kinds {
		if !d.Capabilities().Supports(k) {
			continue
		}
		obs, err := list(t.Context(), d, driver.Query{Deployment: deployment, Kind: k})
		if err != nil {
			t.Fatalf("providertest: List %s: %v", k, err)
		}
		for _, o := range obs {
			if _, dup := out[o.LogicalID]; dup {
				t.Errorf("providertest: two resources with logical id %s", o.LogicalID)
			}
			o.Resource.Kind = k
			out[o.LogicalID] = o
		}
	}
	return out
}
