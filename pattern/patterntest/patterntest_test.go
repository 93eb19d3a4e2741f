package patterntest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/pattern/patterntest"
	"github.com/archkit/archkit/tier"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	failed []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}
func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

// run calls f with a recorder in a goroutine of its own (Fatalf ends it)
// and returns the failures.
func run(t *testing.T, f func(tb testing.TB)) []string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.failed
}

func shop() *pattern.Architecture {
	db := tier.NewDatabase("db", tier.EnginePostgres, "db.t3.micro")
	db.MultiAZ = true
	return pattern.New("shop", "10.20.0.0/16").
		AddTier(tier.LoadBalancers("edge", netplan.Public), tier.App("api"), tier.PostgreSQL("db")).
		AddLB(tier.PublicLB("front", "edge", "api", 8080)).
		AddCluster(tier.NewCluster("api", "ami-12c6146b", "t3.small")).
		AddDatabase(db).
		Connect("api", "db")
}

func TestMatchers(t *testing.T) {
	t.Parallel()
	bp := patterntest.Build(t, shop())
	patterntest.ResourceCount(t, bp, blueprint.KindSubnet, nil, 6)
	patterntest.ResourceCount(t, bp, blueprint.KindRouteTable, patterntest.Props{
		"routes": patterntest.ArrayWith(patterntest.Props{"target_kind": "internet_gateway"}),
	}, 2)
	patterntest.ResourceCount(t, bp, blueprint.KindRouteTable, patterntest.Props{"subnet": "subnet/db/a", "routes": patterntest.Absent}, 1)
	patterntest.NoResource(t, bp, blueprint.KindSubnet, patterntest.Props{"public": true}) // no public IP on launch, even at the edge
	db := patterntest.HasResource(t, bp, blueprint.KindDatabase, patterntest.Props{"engine": "postgres", "multi_az": true, "port": 5432})
	assert.Equal(t, "database/db", db.ID)
	patterntest.HasResource(t, bp, blueprint.KindSecurityGroupRules, patterntest.Props{
		"group":   "security_group/db",
		"inbound": patterntest.ArrayWith(patterntest.Props{"protocol": "tcp", "from_port": 5432, "group": "security_group/api"}),
	})
	patterntest.NoResource(t, bp, blueprint.KindSecurityGroupRules, patterntest.Props{
		"inbound": patterntest.ArrayWith(patterntest.Props{"cidr": "0.0.0.0/0", "from_port": 5432}),
	})
	patterntest.HasResource(t, bp, blueprint.KindSubnet, patterntest.Props{
		"cidr": netplan.MustParsePrefix("10.20.0.0/24"), // compared as its JSON form
		"tier": patterntest.MatchFunc("edge or api", func(v any) bool { return v == "edge" || v == "api" }),
	})
}

func TestMatchersReportWhatIsThere(t *testing.T) {
	t.Parallel()
	bp := patterntest.Build(t, shop())
	failed := run(t, func(tb testing.TB) {
		patterntest.HasResource(tb, bp, blueprint.KindDatabase, patterntest.Props{"engine": "mysql"})
		patterntest.ResourceCount(tb, bp, blueprint.KindSubnet, nil, 4)
		patterntest.NoResource(tb, bp, blueprint.KindDatabase, nil)
	})
	require.Len(t, failed, 3)
	assert.Contains(t, failed[0], `no database matches {"engine":"mysql"}`)
	assert.Contains(t, failed[0], `database/db {"engine":"postgres"`, "the resources of the kind are shown")
	assert.Contains(t, failed[1], "6 subnet resources match null, want 4")
	assert.Contains(t, failed[2], "want none: database/db")
}

func TestAssertRefused(t *testing.T) {
	t.Parallel()
	noImage := shop()
	noImage.Clusters[0].Image = ""
	err := patterntest.AssertRefused(t, noImage, "cluster[api].image")
	assert.ErrorIs(t, err, tier.ErrInvalid)

	patterntest.AssertRefused(t, pattern.New("shop", "10.0.0.1/16").AddTier(tier.App("app")), "cidr")

	failed := run(t, func(tb testing.TB) {
		patterntest.AssertRefused(tb, shop(), "cidr")
		patterntest.AssertRefused(tb, noImage, "lbs[0].target")
	})
	require.Len(t, failed, 2)
	assert.Contains(t, failed[0], "Build accepted the architecture")
	assert.Contains(t, failed[1], "no problem names lbs[0].target")
	assert.Contains(t, failed[1], "cluster[api].image", "Build's problems are shown")
}

func TestGolden(t *testing.T) {
	// Not parallel: it changes the working directory.
	dir := t.TempDir()
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	t.Cleanup(func() { _ = os.Chdir(wd) })

	failed := run(t, func(tb testing.TB) { patterntest.Golden(tb, "plan", []byte("a\n")) })
	require.Len(t, failed, 1)
	assert.Contains(t, failed[0], "run go test -update to create it")

	require.NoError(t, os.MkdirAll("testdata", 0o755))
	require.NoError(t, os.WriteFile(filepath.Join("testdata", "plan.golden"), []byte("a\n"), 0o644))
	assert.Empty(t, run(t, func(tb testing.TB) { patterntest.Golden(tb, "plan", []byte("a\n")) }))
	failed = run(t, func(tb testing.TB) { patterntest.Golden(tb, "plan", []byte("b\n")) })
	require.Len(t, failed, 1)
	assert.True(t, strings.Contains(failed[0], "go test -update to accept it"), failed[0])
}
