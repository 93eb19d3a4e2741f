package provider_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/tier"
)

// shopModel is the state of a deployment that the property test edits: an
// Architecture is rendered from it afresh, so that a refused edit is
// undone by keeping the model it came from.
type shopModel struct {
	zones    []string
	extra    []string // tiers beyond edge, app and db, each with a cluster
	desired  int
	engine   tier.Engine
	class    string
	storage  int
	version  string
	backups  int
	multiAZ  bool
	replicas int
	username string
}

func (m shopModel) arch(name string) *pattern.Architecture {
	db := tier.NewDatabase("db", m.engine, m.class)
	db.StorageGiB, db.Version, db.BackupRetentionDays, db.MultiAZ, db.ReadReplicas, db.Username =
		m.storage, m.version, m.backups, m.multiAZ, m.replicas, m.username
	app := tier.NewCluster("app", "ami-app", "t3.micro")
	app.Min, app.Desired, app.Max = 1, m.desired, max(m.desired, 2)
	a := pattern.New(name, "10.0.0.0/16").WithZones(m.zones...).
		AddTier(tier.LoadBalancers("edge", netplan.Public), tier.App("app"), tier.PostgreSQL("db")).
		AddLB(tier.PublicLB("front", "edge", "app", 8080)).
		AddCluster(app).AddDatabase(db).
		Connect("internet", "front").Connect("app", "db")
	for _, x := range m.extra {
		a.AddTier(tier.App(x)).AddCluster(tier.NewCluster(x, "ami-"+x, "t3.micro")).Connect(x, "db")
	}
	a.Profile = netplan.AWS
	return a
}

// edit is one random change of the model; lossy reports a change that
// replaces the database (its engine or user name: RDS changes neither in
// place), which Apply must refuse.
type edit struct {
	name  string
	apply func(m *shopModel, r *rand.Rand) (lossy bool)
}

var edits = []edit{
	{"add a tier", func(m *shopModel, r *rand.Rand) bool {
		m.extra = append(slices.Clone(m.extra), fmt.Sprintf("t%d", r.IntN(1000)))
		slices.Sort(m.extra)
		m.extra = slices.Compact(m.extra)
		return false
	}},
	{"remove a tier", func(m *shopModel, r *rand.Rand) bool {
		if len(m.extra) > 0 {
			i := r.IntN(len(m.extra))
			m.extra = slices.Delete(slices.Clone(m.extra), i, i+1)
		}
		return false
	}},
	{"add a zone", func(m *shopModel, r *rand.Rand) bool {
		if len(m.zones) < 6 {
			m.zones = append(slices.Clone(m.zones), string(rune('a'+len(m.zones))))
		}
		return false
	}},
	{"resize a cluster", func(m *shopModel, r *rand.Rand) bool { m.desired = 1 + r.IntN(4); return false }},
	{"resize the database", func(m *shopModel, r *rand.Rand) bool {
		m.class = []string{"db.t3.micro", "db.t3.small", "db.t3.medium"}[r.IntN(3)]
		return false
	}},
	{"grow the database's storage", func(m *shopModel, r *rand.Rand) bool {
		m.storage += (m.storage + 9) / 10 * (1 + r.IntN(5)) // RDS grows by 10% at least
		return false
	}},
	{"upgrade the engine", func(m *shopModel, r *rand.Rand) bool {
		m.version = fmt.Sprintf("%d.%d", 15+r.IntN(3), r.IntN(5))
		return false // a downgrade is a replace: see below
	}},
	{"change the backups", func(m *shopModel, r *rand.Rand) bool { m.backups = 1 + r.IntN(35); return false }},
	{"toggle Multi-AZ", func(m *shopModel, r *rand.Rand) bool { m.multiAZ = !m.multiAZ; return false }},
	{"change the read replicas", func(m *shopModel, r *rand.Rand) bool { m.replicas = r.IntN(3); return false }},
	{"change the engine", func(m *shopModel, r *rand.Rand) bool {
		m.engine = map[tier.Engine]tier.Engine{tier.EnginePostgres: tier.EngineMySQL, tier.EngineMySQL: tier.EnginePostgres}[m.engine]
		m.version = ""
		return true
	}},
	{"change the user name", func(m *shopModel, r *rand.Rand) bool { m.username = fmt.Sprintf("user%d", r.IntN(100)); return true }},
}

// TestPropertySafeChange applies random sequences of edits (tiers added
// and removed, zones added, a cluster resized, every field of the
// database changed) one after another on the fake. Whatever the
// sequence: no deployed subnet ever changes its range, no database is
// replaced or deleted without the opt-in (an edit that would is refused
// before its first write, and the deployment is left as it was), and
// every accepted edit converges.
func TestPropertySafeChange(t *testing.T) {
	t.Parallel()
	const sequences, steps = 16, 15
	for seed := range uint64(sequences) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(seed, 12))
			d := fake.New(func(o *fake.Options) {
				o.Zones = []string{"fake-1a", "fake-1b", "fake-1c", "fake-1d", "fake-1e", "fake-1f"}
			})
			eng := provider.NewEngine(d, fastOpts)
			m := shopModel{zones: []string{"a", "b"}, desired: 2, engine: tier.EnginePostgres, class: "db.t3.micro",
				storage: 20, version: "15.0", backups: 7, multiAZ: true, username: "archkit"}
			_, err := eng.Apply(t.Context(), m.arch("shop"))
			require.NoError(t, err)
			p := newProperty(t, d)
			refused := 0
			for step := range steps {
				next := m
				e := edits[r.IntN(len(edits))]
				lossy := e.apply(&next, r)
				lossy = lossy || next.version != m.version && compareVersions(next.version, m.version) < 0
				d.ResetCalls()
				_, err := eng.Apply(t.Context(), next.arch("shop"))
				switch {
				case lossy:
					require.ErrorIs(t, err, provider.ErrProtected, "step %d: %s", step, e.name)
					assert.Zero(t, d.Counts().Writes, "step %d: %s: a refused apply writes nothing", step, e.name)
					refused++
					continue
				default:
					require.NoError(t, err, "step %d: %s", step, e.name)
				}
				m = next
				p.check(t, fmt.Sprintf("step %d: %s", step, e.name))
				cs, err := eng.Plan(t.Context(), m.arch("shop"))
				require.NoError(t, err)
				require.False(t, cs.HasChanges(), "step %d: %s does not converge:\n%s", step, e.name, cs)
			}
			assert.Empty(t, d.DeletedDatabases(), "no database was deleted")
			t.Logf("%d steps, %d refused, %d subnets seen", steps, refused, len(p.subnets))
		})
	}
}

// property tracks what a deployment's subnets and database have been.
type property struct {
	d       *fake.Driver
	subnets map[string]string // provider id -> range, of every subnet ever seen
	byLID   map[string]string // logical id -> provider id, as last seen
	db      string            // the database's provider id
}

func newProperty(t *testing.T, d *fake.Driver) *property {
	p := &property{d: d, subnets: map[string]string{}, byLID: map[string]string{}}
	p.check(t, "first apply")
	return p
}

// check asserts that no subnet changed range, that a subnet that stays
// keeps its id, and that the database is the first one.
func (p *property) check(t *testing.T, step string) {
	t.Helper()
	subnets, err := p.d.List(t.Context(), driver.Query{Deployment: "shop", Kind: blueprint.KindSubnet})
	require.NoError(t, err)
	seen := map[string]string{}
	for _, o := range subnets {
		cidr := o.Resource.Subnet.CIDR.String()
		if was, ok := p.subnets[o.ID]; ok {
			assert.Equal(t, was, cidr, "%s: subnet %s (%s) moved", step, o.LogicalID, o.ID)
		}
		if id, ok := p.byLID[o.LogicalID]; ok {
			assert.Equal(t, id, o.ID, "%s: subnet %s was replaced", step, o.LogicalID)
		}
		p.subnets[o.ID] = cidr
		seen[o.LogicalID] = o.ID
	}
	p.byLID = seen
	dbs, err := p.d.List(t.Context(), driver.Query{Deployment: "shop", Kind: blueprint.KindDatabase})
	require.NoError(t, err)
	require.Len(t, dbs, 1, step)
	if p.db == "" {
		p.db = dbs[0].ID
	}
	assert.Equal(t, p.db, dbs[0].ID, "%s: the database was replaced", step)
}

// compareVersions compares dotted versions number by number.
func compareVersions(a, b string) int {
	var x, y [2]int
	_, _ = fmt.Sscanf(a, "%d.%d", &x[0], &x[1])
	_, _ = fmt.Sscanf(b, "%d.%d", &y[0], &y[1])
	return slices.Compare(x[:], y[:])
}

// TestLossyChangeNamesTheField: the refusal names the resource, what
// forces its loss and the opt-in; with the opt-in the replace goes ahead,
// the new database made before the old one goes, with a final snapshot.
func TestLossyChangeNamesTheField(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	m := shopModel{zones: []string{"a", "b"}, desired: 2, engine: tier.EnginePostgres, class: "db.t3.micro",
		storage: 100, version: "16.1", backups: 7, username: "archkit"}
	_, err := eng.Apply(t.Context(), m.arch("shop"))
	require.NoError(t, err)
	m.storage, m.version = 50, "15.2"
	_, err = eng.Apply(t.Context(), m.arch("shop"))
	var pe *provider.ProtectedError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, []string{"database/db"}, pe.IDs())
	assert.Contains(t, err.Error(), "database/db: replace, forced by engine_version (16.1 -> 15.2): RDS cannot downgrade an engine (16.1 -> 15.2)")
	assert.Contains(t, err.Error(), "storage_gib (100 -> 50): RDS cannot shrink storage (100 -> 50 GiB)")
	assert.Contains(t, err.Error(), `ApplyOptions.AllowDataLoss = []string{"database/db"}`)

	d.ResetCalls()
	res, err := eng.Apply(t.Context(), m.arch("shop"), allow("database/db"))
	require.NoError(t, err)
	assert.Equal(t, 1, res.Replaced)
	var created, deleted int
	for i, c := range d.Calls() {
		if c.Kind == blueprint.KindDatabase && c.Op == fake.OpCreate {
			created = i
		}
		if c.Kind == blueprint.KindDatabase && c.Op == fake.OpDelete {
			deleted = i
		}
	}
	assert.Less(t, created, deleted, "create before destroy: both databases exist for a while")
	gone := d.DeletedDatabases()
	require.Len(t, gone, 1)
	assert.Regexp(t, `^db-[0-9a-f]+-final-\d{8}-\d{6}$`, gone[0].FinalSnapshot)
	assert.True(t, gone[0].AutomatedBackupsKept)
	assert.Equal(t, "database/db", gone[0].LogicalID)
	assert.False(t, errors.Is(err, provider.ErrProtected))
}

// issueShop is the architecture of issue 12's first case.
func issueShop(zones ...string) *pattern.Architecture {
	db := tier.NewDatabase("db", tier.EnginePostgres, "db.t3.micro")
	db.Username = "archkit"
	a := pattern.New("shop", "10.0.0.0/16").WithZones(zones...).
		AddTier(tier.LoadBalancers("edge", netplan.Public), tier.App("app"), tier.PostgreSQL("db")).
		AddLB(tier.PublicLB("front", "edge", "app", 8080)).
		AddCluster(tier.NewCluster("app", "ami-0abc", "t3.small")).
		AddDatabase(db).
		Connect("internet", "front").Connect("app", "db")
	a.Profile = netplan.AWS
	return a
}

// Issue 12, first case: adding zone c to a deployment of zones a and b
// moves no deployed subnet (10.0.0.0/24 to 10.0.5.0/24 stay), zone c takes
// new space, and the plan holds creates and in-place updates only; the
// caller keeps nothing between the two applies.
func TestIssueAddZoneKeepsSubnets(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	_, err := eng.Apply(t.Context(), issueShop("a", "b"))
	require.NoError(t, err)
	want := map[string]string{
		"subnet/edge/a": "10.0.0.0/24", "subnet/edge/b": "10.0.1.0/24",
		"subnet/app/a": "10.0.2.0/24", "subnet/app/b": "10.0.3.0/24",
		"subnet/db/a": "10.0.4.0/24", "subnet/db/b": "10.0.5.0/24",
	}
	assert.Equal(t, want, subnetRanges(t, d))

	cs, err := eng.Plan(t.Context(), issueShop("a", "b", "c"))
	require.NoError(t, err)
	n := cs.Counts()
	assert.Zero(t, n[provider.ActionReplace], cs.String())
	assert.Zero(t, n[provider.ActionDelete], cs.String())
	assert.Positive(t, n[provider.ActionUpdate])
	for _, id := range []string{"load_balancer/front", "cluster/app", "database/db"} {
		c, _ := cs.Change(id)
		assert.Equal(t, provider.ClassUpdateInPlace, c.Class, id)
	}
	_, err = eng.Apply(t.Context(), issueShop("a", "b", "c"))
	require.NoError(t, err)
	got := subnetRanges(t, d)
	for id, cidr := range want {
		assert.Equal(t, cidr, got[id], "%s stays", id)
	}
	for _, id := range []string{"subnet/edge/c", "subnet/app/c", "subnet/db/c"} {
		assert.NotContains(t, want, got[id], "%s takes new space", id)
	}
	assert.Equal(t, "10.0.6.0/24", got["subnet/edge/c"])
}

func subnetRanges(t *testing.T, d driver.Driver) map[string]string {
	t.Helper()
	obs, err := d.List(t.Context(), driver.Query{Deployment: "shop", Kind: blueprint.KindSubnet})
	require.NoError(t, err)
	out := map[string]string{}
	for _, o := range obs {
		out[o.LogicalID] = o.Resource.Subnet.CIDR.String()
	}
	return out
}

// Issue 12, third case: on the deployed web app, one read replica more is
// one resource more, the database untouched; encryption changed is a
// replace, refused without the opt-in.
func TestIssueReadReplicaLeavesThePrimary(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	app := pattern.WebApp(pattern.WebAppOptions{Profile: netplan.AWS})
	app.Database("db").Username = "archkit"
	_, err := eng.Apply(t.Context(), app)
	require.NoError(t, err)
	db0 := d.Snapshot("webapp")

	app.Database("db").ReadReplicas = 1
	cs, err := eng.Plan(t.Context(), app)
	require.NoError(t, err)
	assert.Equal(t, map[provider.Action]int{provider.ActionCreate: 1, provider.ActionNoop: cs.Counts()[provider.ActionNoop]}, cs.Counts(), cs.String())
	c, _ := cs.Change("database_replica/db/1")
	assert.Equal(t, provider.ClassCreate, c.Class)
	_, err = eng.Apply(t.Context(), app)
	require.NoError(t, err)
	assert.Equal(t, db0[blueprint.KindDatabase], d.Snapshot("webapp")[blueprint.KindDatabase], "the primary is untouched")

	app.Database("db").Encrypted = false
	_, err = eng.Apply(t.Context(), app)
	require.ErrorIs(t, err, provider.ErrProtected)
	assert.Contains(t, err.Error(), "database/db: replace, forced by encrypted (true -> (none))")
}

// Destroy of a deployment holding a database: refused before any write
// without the opt-in; with it, the database goes with a final snapshot
// and keeps its automated backups, unless the options drop them.
func TestDestroyProtectsData(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		opts        provider.DestroyOptions
		snapshot    bool
		backupsKept bool
	}{
		{name: "default", snapshot: true, backupsKept: true},
		{name: "skip", opts: provider.DestroyOptions{SkipFinalSnapshot: true, DeleteAutomatedBackups: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := newFake()
			eng := provider.NewEngine(d, fastOpts)
			bp := threeTier("shop", "")
			_, err := eng.Apply(t.Context(), bp)
			require.NoError(t, err)
			d.ResetCalls()
			_, err = eng.Destroy(t.Context(), "shop")
			var pe *provider.ProtectedError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, []string{"database/db"}, pe.IDs())
			assert.Contains(t, err.Error(), `DestroyOptions.AllowDataLoss = []string{"database/db"}`)
			assert.Zero(t, d.Counts().Writes, "nothing deleted")

			_, err = eng.Destroy(t.Context(), "shop", func(o *provider.DestroyOptions) {
				*o = tc.opts
				o.AllowDataLoss = []string{"database/db"}
			})
			require.NoError(t, err)
			gone := d.DeletedDatabases()
			require.Len(t, gone, 1)
			assert.Equal(t, tc.snapshot, gone[0].FinalSnapshot != "", gone[0].FinalSnapshot)
			assert.Equal(t, tc.backupsKept, gone[0].AutomatedBackupsKept)
			assert.Empty(t, d.Resources())
		})
	}
}

// A Net whose range changes: the deployed subnets are not pinned outside
// it, so the plan replaces them and the database on them, and Apply
// refuses before any write (issue 12, point 1).
func TestNewNetRangeIsRefused(t *testing.T) {
	t.Parallel()
	d := newFake()
	eng := provider.NewEngine(d, fastOpts)
	_, err := eng.Apply(t.Context(), issueShop("a", "b"))
	require.NoError(t, err)
	moved := issueShop("a", "b")
	moved.CIDR = netip.MustParsePrefix("10.1.0.0/16")
	cs, err := eng.Plan(t.Context(), moved)
	require.NoError(t, err)
	c, _ := cs.Change("subnet/db/a")
	assert.Equal(t, provider.ClassReplaceDeleteFirst, c.Class)
	assert.Equal(t, []string{"database/db"}, cs.LosesData())
	d.ResetCalls()
	_, err = eng.Apply(t.Context(), moved)
	require.ErrorIs(t, err, provider.ErrProtected)
	assert.Zero(t, d.Counts().Writes)
}
