package pattern_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern"
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
	m, err := pattern.ThreeTier(pattern.ThreeTierOptions{}).Mermaid()
	require.NoError(t, err)
	for _, want := range []string{
		"flowchart LR",
		`subgraph t_nginx["nginx (public)"]`,
		`s_db_b["db/b 10.0.5.0/24"]`,
		`x_internet -->|"tcp/80, tcp/443"| t_nginx`,
		`t_nginx -->|"tcp/8080"| t_intel`,
		`t_intel -->|"tcp/3306"| t_db`,
	} {
		assert.Contains(t, m, want)
	}
	assert.Equal(t, strings.Count(m, "subgraph"), strings.Count(m, "end\n"))

	_, err = pattern.New("x", "10.0.0.0/16").Mermaid()
	assert.Error(t, err, "an architecture that does not build has no diagram")
	_, err = pattern.New("x", "10.0.0.0/16").DOT()
	assert.Error(t, err)
}
