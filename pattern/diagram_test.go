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

// endpointArchs are architectures whose Net has endpoints: the web app
// on AWS whose app cluster reads a bucket and consumes a queue (an S3
// gateway endpoint, an SQS interface endpoint), and the three-tier on
// OUTSCALE whose intel cluster reads a bucket (a Net access point to
// OOS).
func endpointArchs() map[string]*pattern.Architecture {
	web := pattern.WebApp(pattern.WebAppOptions{Profile: netplan.AWS})
	osc := pattern.ThreeTier(pattern.ThreeTierOptions{Profile: netplan.Outscale})
	for name, a := range map[string]*pattern.Architecture{"app": web, "intel": osc} {
		for i := range a.Clusters {
			if a.Clusters[i].Tier == name {
				a.Clusters[i].Grants = []tier.Grant{tier.ReadBucket("assets")}
			}
		}
	}
	for i := range web.Clusters {
		if web.Clusters[i].Tier == "app" {
			web.Clusters[i].Grants = append(web.Clusters[i].Grants, tier.ConsumeQueue("orders"))
		}
	}
	return map[string]*pattern.Architecture{"webapp-endpoints": web, "threetier-outscale-oos": osc}
}

// Each endpoint is drawn with the tiers whose route tables use it (a
// gateway) or that call it (an interface, drawn in its home tier).
func TestDiagramEndpoints(t *testing.T) {
	t.Parallel()
	archs := endpointArchs()
	for name, a := range archs {
		m, err := a.Mermaid()
		require.NoError(t, err)
		golden(t, name+".mermaid", []byte(m))
		d, err := a.DOT()
		require.NoError(t, err)
		golden(t, name+".dot", []byte(d))
	}
	m, err := archs["webapp-endpoints"].Mermaid()
	require.NoError(t, err)
	for _, want := range []string{
		`ep_s3[/"s3 gateway endpoint"\]`,
		`ep_sqs[/"sqs interface endpoint"\]`,
		`t_app -->|"tcp/443 · route table"| ep_s3`,
		`t_app -->|"tcp/443"| ep_sqs`,
	} {
		assert.Contains(t, m, want)
	}
	assert.NotContains(t, m, `t_public -->|"tcp/443 · route table"|`, "a public tier reaches S3 through the internet gateway")
	assert.Less(t, strings.Index(m, "subgraph t_app"), strings.Index(m, "ep_sqs[/"), "the interface endpoint is in its tier's subnets")
	dot, err := archs["webapp-endpoints"].DOT()
	require.NoError(t, err)
	assert.Contains(t, dot, `"endpoint:s3" [label="s3 gateway endpoint\nin the route tables of app", shape=cds`)
	assert.Contains(t, dot, `"tier:app":e -> "endpoint:s3" [xlabel=" tcp/443 · route table", style=dotted`)
	assert.Contains(t, dot, "through an endpoint of the Net")

	m, err = archs["threetier-outscale-oos"].Mermaid()
	require.NoError(t, err)
	assert.Contains(t, m, `ep_s3[/"Net access point to OOS (s3)"\]`)
	assert.Contains(t, m, `t_intel -->|"tcp/443 · route table"| ep_s3`)
	assert.NotContains(t, m, "t_db -->|\"tcp/443 · route table\"", "the db tier calls no bucket")

	plain, err := pattern.WebApp(pattern.WebAppOptions{}).DOT()
	require.NoError(t, err)
	assert.NotContains(t, plain, "endpoint", "no endpoint, no endpoint node nor legend row")
}
