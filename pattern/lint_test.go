package pattern_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// shop is the README's architecture: a load balancer in front of an
// application cluster, a managed PostgreSQL.
func shop() *pattern.Architecture {
	return pattern.New("shop", "10.20.0.0/16").
		AddTier(tier.LoadBalancers("edge", netplan.Public), tier.App("app"), tier.PostgreSQL("db")).
		AddLB(tier.PublicLB("front", "edge", "app", 8080)).
		AddCluster(tier.NewCluster("app", "ami-0abc", "t3.small")).
		AddDatabase(tier.NewDatabase("db", tier.EnginePostgres, "db.t3.micro")).
		Connect("app", "db").
		Flow("app -> internet tcp/443 # partner APIs")
}

// buildErr builds a and returns Build's error, which must be one.
func buildErr(t *testing.T, a *pattern.Architecture) string {
	t.Helper()
	bp, err := a.Build()
	require.Error(t, err)
	require.Nil(t, bp)
	return err.Error()
}

// The inputs of issue 14 that passed Build silently; each is now a
// finding that names the field and the fix.
func TestLintWhatPeopleGetWrong(t *testing.T) {
	t.Parallel()
	build(t, shop()) // the baseline builds

	tests := []struct {
		name   string
		change func(a *pattern.Architecture)
		want   []string
	}{
		{"load balancer forwards to a port the tier does not listen on", func(a *pattern.Architecture) {
			*a.LB("front") = tier.PublicLB("front", "edge", "app", 9090)
		}, []string{"lbs[front]: PT014", "tcp/9090 (target port of listener HTTP:80) but tier app listens on tcp/8080", "send it to tcp/8080, or add tcp/9090 to tier app's Ports"}},
		{"health check on a closed port", func(a *pattern.Architecture) {
			a.LB("front").HealthCheck.Port = 8081
		}, []string{"lbs[front]: PT014", "tcp/8081 (health-check port)"}},
		{"flow to a port PostgreSQL does not listen on", func(a *pattern.Architecture) {
			a.Connect("app", "db", 5423)
		}, []string{"PT015", "(app -> db tcp/5423)", "tier db listens on tcp/5432, not on tcp/5423", "use one of tcp/5432"}},
		{"PostgreSQL tier without a database or cluster", func(a *pattern.Architecture) {
			a.Databases = nil
		}, []string{"tiers[db]: PT016", "database tier db has neither a managed database nor a cluster", `AddDatabase(tier.NewDatabase("db", engine, class))`}},
		{"cache tier without a cluster", func(a *pattern.Architecture) {
			a.AddTier(tier.Redis("cache")).Connect("app", "cache")
		}, []string{"tiers[cache]: PT016", "cache tier cache has no cluster"}},
		{"bastion without a machine", func(a *pattern.Architecture) {
			a.AddTier(tier.Bastion("jump")).Flow("203.0.113.0/24 -> jump tcp/22")
		}, []string{"tiers[jump]: PT017", "bastion tier jump has no machine", "AddBastion"}},
		{"SSH from the internet in two halves", func(a *pattern.Architecture) {
			a.Flow("0.0.0.0/1 -> app tcp/22", "128.0.0.0/1 -> app tcp/22")
			a.Tier("app").Exposure = netplan.Public
		}, []string{"security_group_rules/app: BP001", "tcp/22 is open to every IPv4 address"}},
		{"RDP from the internet", func(a *pattern.Architecture) {
			a.Tier("app").Exposure = netplan.Public
			a.Flow("internet -> app tcp/3389")
		}, []string{"security_group_rules/app: BP002", "tcp/3389 is open to every IPv4 address"}},
		{"a database port from the internet in pieces", func(a *pattern.Architecture) {
			a.Tier("app").Exposure = netplan.Public
			for _, p := range []string{"0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"} {
				a.Flow(p + " -> app tcp/5432-5433")
			}
			a.Tier("app").Ports = append(a.Tier("app").Ports, tier.TCP(5432))
		}, []string{"security_group_rules/app: BP003", "tcp/5432 is open to every IPv4 address"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := shop()
			tc.change(a)
			msg := buildErr(t, a)
			for _, w := range tc.want {
				assert.Contains(t, msg, w)
			}
		})
	}
}

// A web tier behind a load balancer that stays public gets a warning, as
// in the DMZ document, whose DMZ servers are also reached directly.
func TestPublicBehindLoadBalancer(t *testing.T) {
	t.Parallel()
	a := shop()
	a.Tier("app").Exposure = netplan.Public
	bp := build(t, a)
	assert.Contains(t, findingIDs(bp), "PT018 tiers[app]")
	dmz := build(t, pattern.DMZ(pattern.DMZOptions{}))
	assert.Contains(t, findingIDs(dmz), "PT018 tiers[prod-dmz]")
	for _, arch := range []*pattern.Architecture{
		pattern.WebApp(pattern.WebAppOptions{}), pattern.CloudNative(pattern.CloudNativeOptions{}), pattern.Elastic(pattern.ElasticOptions{}),
	} {
		for _, f := range build(t, arch).Findings {
			assert.NotEqual(t, "PT018", f.ID, "%s: %s", arch.Name, f)
		}
	}
}

// AddBastion adds the machine: a one-node cluster from the given image.
func TestAddBastionAddsMachine(t *testing.T) {
	t.Parallel()
	a := shop().AddBastion("bastion", netplan.CIDR(pfx("203.0.113.0/24")), "ami-bastion", "app")
	bp := build(t, a)
	c := res(t, bp, "cluster/bastion").Cluster
	assert.Equal(t, "ami-bastion", c.Image)
	assert.Equal(t, pattern.DefaultBastionType, c.InstanceType)
	assert.Equal(t, []int{1, 1, 1}, []int{c.Min, c.Desired, c.Max})
	assert.Equal(t, []blueprint.Ref{"subnet/bastion/a", "subnet/bastion/b"}, c.Subnets, "replaced in the other zone when its zone fails")
	assert.NotContains(t, findingIDs(bp), "PT010 clusters[bastion]", "one bastion node is enough")

	noImage := shop().AddBastion("bastion", netplan.CIDR(pfx("203.0.113.0/24")), "", "app")
	assert.Contains(t, buildErr(t, noImage), "cluster[bastion].image")

	for _, arch := range []*pattern.Architecture{
		pattern.ThreeTier(pattern.ThreeTierOptions{AdminCIDR: pfx("198.51.100.0/24")}),
		pattern.WebApp(pattern.WebAppOptions{AdminCIDR: pfx("198.51.100.0/24"), BastionImage: "ami-b"}),
	} {
		bp := build(t, arch)
		assert.NotEmpty(t, res(t, bp, "cluster/bastion").Cluster.Image, arch.Name)
	}
}

// An acknowledged finding no longer stops Build; it stays in the
// Blueprint with its reason, and the Blueprint keeps the acknowledgement
// for the engine. A stale acknowledgement gets PT019; one without a reason
// or with an unknown id is an error.
func TestAcknowledge(t *testing.T) {
	t.Parallel()
	a := shop().Connect("app", "db", 5433)
	msg := buildErr(t, a)
	require.Contains(t, msg, `Acknowledge("PT015", "flows[1] (app -> db tcp/5433)", reason)`)

	a.Acknowledge("PT015", "flows[1] (app -> db tcp/5433)", "pgbouncer listens on 5433")
	bp := build(t, a)
	var got netplan.Finding
	for _, f := range bp.Findings {
		if f.ID == "PT015" {
			got = f
		}
	}
	assert.Equal(t, netplan.SeverityError, got.Severity)
	assert.Equal(t, "pgbouncer listens on 5433", got.Acknowledged)
	assert.Contains(t, got.String(), "(acknowledged: pgbouncer listens on 5433)")
	assert.Equal(t, []blueprint.Acknowledgement{{ID: "PT015", Subject: "flows[1] (app -> db tcp/5433)", Reason: "pgbouncer listens on 5433"}}, bp.Acknowledgements)

	stale := shop().Acknowledge("PT014", "lbs[front]", "old reason")
	assert.Contains(t, findingIDs(build(t, stale)), "PT019 acknowledgements")

	bad := shop().Acknowledge("PT999", "", " ")
	msg = buildErr(t, bad)
	for _, w := range []string{"acknowledgements[0].id: \"PT999\": no such check", "acknowledgements[0].subject", "acknowledgements[0].reason"} {
		assert.Contains(t, msg, w)
	}
	netplanID := shop().Acknowledge("NP009", "db", "reason")
	build(t, netplanID)
}

// Every check has a unique id, a name and a severity; the BP checks are
// Blueprint's own.
func TestChecksCatalogue(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, c := range pattern.Checks {
		assert.False(t, seen[c.ID], c.ID)
		seen[c.ID] = true
		assert.NotEmpty(t, c.Name, c.ID)
		assert.True(t, strings.HasPrefix(c.ID, "PT") || strings.HasPrefix(c.ID, "BP"), c.ID)
	}
	for _, c := range blueprint.Checks {
		assert.True(t, seen[c.ID], c.ID)
	}
}
