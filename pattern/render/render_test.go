package render_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/patterntest"
	"github.com/archkit/archkit/pattern/render"
	"github.com/archkit/archkit/tier"
)

// readyPatterns are the ready patterns, planned for AWS, as the examples
// deploy them on the fake.
func readyPatterns() map[string]*pattern.Architecture {
	img := "ami-12c6146b"
	return map[string]*pattern.Architecture{
		"threetier": pattern.ThreeTier(pattern.ThreeTierOptions{Name: "shop", Profile: netplan.AWS,
			AdminCIDR: netplan.MustParsePrefix("203.0.113.0/24"), WebImage: img, AppImage: img, DBImage: img}),
		"dmz":         pattern.DMZ(pattern.DMZOptions{Profile: netplan.AWS, WebImage: img, DBImage: img}),
		"webapp":      pattern.WebApp(pattern.WebAppOptions{Profile: netplan.AWS, Image: img, DBImage: img}),
		"cloudnative": pattern.CloudNative(pattern.CloudNativeOptions{Profile: netplan.AWS, WebImage: img, AppImage: img, BusImage: img, DBImage: img}),
		"elastic":     pattern.Elastic(pattern.ElasticOptions{Profile: netplan.AWS, WebImage: img, AppImage: img, CacheImage: img, DBImage: img}),
	}
}

// Every ready pattern renders to an SVG that is well-formed XML and shows
// the whole architecture: every subnet with its range, the gateways, the
// legend. The pictures are published in docs/diagrams (go test -update
// rewrites them; look at them before you commit).
func TestRenderReadyPatterns(t *testing.T) {
	for name, arch := range readyPatterns() {
		t.Run(name, func(t *testing.T) {
			svg, err := render.Architecture(t.Context(), arch, render.SVG)
			require.NoError(t, err)
			text := svgText(t, svg)

			plan, err := arch.Plan()
			require.NoError(t, err)
			allocs := plan.Subnets
			require.NotEmpty(t, allocs)
			for _, a := range allocs {
				assert.Contains(t, text, a.Prefix.String(), "subnet %s/%s", a.Name, a.Zone)
			}
			for _, want := range []string{arch.Name, "internet gateway", "zone a", "zone b", "Legend"} {
				assert.Contains(t, text, want)
			}
			assert.Greater(t, bytes.Count(svg, []byte(`class="edge"`)), 3, "the flows are drawn")

			path := filepath.Join("..", "..", "docs", "diagrams", name+".svg")
			if patterntest.Update() {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, svg, 0o644))
			}
			published, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to write %s", path)
			assert.Equal(t, string(published), string(svg), "%s is out of date: go test -update, then look at it", path)
		})
	}
}

// The webapp's picture shows its NAT gateways and the managed database.
func TestRenderShowsWhatRuns(t *testing.T) {
	svg, err := render.Architecture(t.Context(), readyPatterns()["webapp"], render.SVG)
	require.NoError(t, err)
	text := svgText(t, svg)
	for _, want := range []string{"NAT gateway a", "NAT gateway b", "managed MySQL db.t3.micro, 20 GiB, Multi-AZ",
		"internet (clients)", "internet (outbound)", "app-lb: application load balancer, internet-facing"} {
		assert.Contains(t, text, want)
	}
}

func TestRenderRefuses(t *testing.T) {
	_, err := render.DOT(t.Context(), []byte("digraph { a -> b }"), "png")
	assert.ErrorContains(t, err, `format "png": unknown; use svg`)
	_, err = render.DOT(t.Context(), []byte("digraph { a -> "), render.SVG)
	assert.Error(t, err)
	_, err = render.Architecture(t.Context(), pattern.New("x", "10.0.0.0/16"), render.SVG)
	assert.Error(t, err, "an architecture that does not build")
}

// svgText returns the text of svg's elements, joined by spaces, after
// checking that it is well-formed XML with an svg root. Text split over
// several elements ("internet" and "(clients)") is joined with a space.
func svgText(t *testing.T, svg []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	dec.Strict = false
	var b strings.Builder
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "the SVG is not well-formed")
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(tok)); s != "" {
				b.WriteString(strings.ReplaceAll(s, "\u00a0", " ") + " ")
			}
		}
	}
	require.Equal(t, "svg", root)
	return b.String()
}

// The picture of a Net with endpoints shows each endpoint and the tiers
// that use it (the web app whose app cluster reads a bucket and consumes
// a queue: an S3 gateway endpoint and an SQS interface endpoint).
func TestRenderShowsEndpoints(t *testing.T) {
	a := readyPatterns()["webapp"]
	for i := range a.Clusters {
		if a.Clusters[i].Tier == "app" {
			a.Clusters[i].Grants = []tier.Grant{tier.ReadBucket("assets"), tier.ConsumeQueue("orders")}
		}
	}
	svg, err := render.Architecture(t.Context(), a, render.SVG)
	require.NoError(t, err)
	text := svgText(t, svg)
	for _, want := range []string{"s3 gateway endpoint", "in the route tables of app", "sqs interface endpoint", "in the subnets of app",
		"tcp/443 · route table", "through an endpoint of the Net"} {
		assert.Contains(t, text, want)
	}
}
