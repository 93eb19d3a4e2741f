package pattern_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/tier"
)

func TestDiagramsGolden(t *testing.T) {
	t.Parallel()
	for name, a := range map[string]*pattern.Architecture{
		"threetier":   pattern.ThreeTier(pattern.ThreeTierOptions{}),
		"dmz":         pattern.DMZ(pattern.DMZOptions{}),
		"webapp":      pattern.WebApp(pattern.WebAppOptions{}),
		"cloudnative": pattern.CloudNative(pattern.CloudNativeOptions{}),
		"elastic":     pattern.Elastic(pattern.ElasticOptions{}),
	} {
		m, err := a.Mermaid()
		require.NoError(t, err)
		golden(t, name+".mermaid", []byte(m))
		d, err := a.DOT()
		require.NoError(t, err)
		golden(t, name+".dot", []byte(d))
	}
}

func TestMermaidContent(t *testing.T) {
	t.Parallel()
	m, err := pattern.WebApp(pattern.WebAppOptions{Profile: netplan.AWS}).Mermaid()
	require.NoError(t, err)
	for _, want := range []string{
		"title: \"webapp: net 10.0.0.0/16 on aws, zones a and b\"",
		"flowchart TB",
		`inet_in(("internet<br/>(clients)"))`,
		`inet_out(("internet<br/>(outbound)"))`,
		`igw[["internet gateway"]]`,
		`subgraph t_app["app · private tier<br/>2–6 × t3.small nodes, scale at 60% CPU<br/>out to the internet: tcp/443, through the NAT gateway of its zone"]`,
		`subgraph t_db["db · isolated tier<br/>managed MySQL db.t3.micro, 20 GiB, Multi-AZ"]`, // RDS peers on its own network
		`nat_gateway_nat_a[/"NAT gateway a"/]`,
		`s_db_b["db/b<br/>10.0.5.0/24"]`,
		`igw -->|"tcp/80"| lb_app_lb`,
		`lb_app_lb -->|"tcp/8080"| t_app`,
		`s_app_a -.->|"tcp/443"| nat_gateway_nat_a`,
		`s_app_b -.->|"tcp/443"| nat_gateway_nat_b`,
		"igw -.-> inet_out",
		"classDef private fill:#dcfce7,stroke:#16a34a",
		"style t_db fill:#f1f5f9,stroke:#64748b",
		`subgraph legend["legend"]`,
	} {
		assert.Contains(t, m, want)
	}
	assert.Equal(t, strings.Count(m, "subgraph"), strings.Count(m, "end\n"))
	// Public tiers first, isolated last, as traffic goes in.
	assert.Less(t, strings.Index(m, "subgraph t_public"), strings.Index(m, "subgraph t_app"))
	assert.Less(t, strings.Index(m, "subgraph t_app"), strings.Index(m, "subgraph t_db"))

	_, err = pattern.New("x", "10.0.0.0/16").Mermaid()
	assert.Error(t, err, "an architecture that does not build has no diagram")
	_, err = pattern.New("x", "10.0.0.0/16").DOT()
	assert.Error(t, err)
}

// The Graphviz picture holds the gateways, the zones as columns and what
// runs in each tier; a tier without the internet draws no internet node.
func TestDOTContent(t *testing.T) {
	t.Parallel()
	dot, err := pattern.WebApp(pattern.WebAppOptions{Profile: netplan.AWS}).DOT()
	require.NoError(t, err)
	for _, want := range []string{
		`<font point-size="20">webapp</font><br/><font point-size="12">net 10.0.0.0/16 on aws, zones a and b</font>`,
		`"internet:in" [label="internet\n(clients)"`,
		`"internet:out" [label="internet\n(outbound)"`,
		`<td port="igw"`,
		`>zone a</font></td><td width="170"><font color="#475569">zone b</font>`,
		`<td port="nat_a" bgcolor="#fef3c7" color="#d97706">NAT gateway a</td>`,
		`managed MySQL db.t3.micro, 20 GiB, Multi-AZ`,
		`2–6 × t3.small nodes, scale at 60% CPU`,
		`"tier:app":nw -> "tier:public":nat_a:s [style=dashed`,
		`"tier:public":e -> header:igw:e [style=dashed`,
		`"internet:out":s -> header:igw:n [dir=back, style=dashed`,
		`legend [shape=plaintext`,
	} {
		assert.Contains(t, dot, want)
	}
	app := tier.App("app")
	app.Exposure = netplan.Isolated
	dot, err = pattern.New("quiet", "10.0.0.0/16").AddTier(app, tier.MySQL("db")).
		AddDatabase(tier.NewDatabase("db", tier.EngineMySQL, "db.t3.micro")).Connect("app", "db").DOT()
	require.NoError(t, err)
	for _, none := range []string{`"internet:in"`, `"internet:out"`, `port="igw"`} {
		assert.NotContains(t, dot, none, "no flow to or from the internet, no internet node, no gateway")
	}
}
