// Package render draws an architecture's Graphviz diagram
// ([pattern.Architecture.DOT]) as an SVG picture in pure Go, with no
// Graphviz installed: Graphviz compiled to WebAssembly and run by wazero,
// through github.com/goccy/go-graphviz.
//
//	svg, err := render.Architecture(ctx, arch, render.SVG)
//	err = os.WriteFile("shop.svg", svg, 0o644)
//
// It is heavy to compile (about a minute of CPU on a first build, once),
// which is why nothing else in archkit imports it: a deploy program gets
// it through package provider/deploy/renderdeploy, behind a build tag in
// the examples.
//
// There is no PNG: go-graphviz's PNG renderer (Go's image packages, not
// Graphviz's cairo) fills the curves of edges and draws no lines, which
// makes a wrong picture; convert the SVG (rsvg-convert, a browser) when a
// PNG is needed.
package render

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/goccy/go-graphviz"

	"github.com/archkit/archkit/pattern"
)

// Format is a picture format.
type Format string

// SVG is the one format.
const SVG Format = "svg"

// mu serialises the renders: a Graphviz instance is not safe for
// concurrent use, and its layouts are quick.
var mu sync.Mutex

// DOT lays out the Graphviz source dot with the dot engine and returns the
// picture in format.
func DOT(ctx context.Context, dot []byte, format Format) ([]byte, error) {
	if format != SVG {
		return nil, fmt.Errorf("render: format %q: unknown; use svg (convert the SVG for a PNG)", format)
	}
	mu.Lock()
	defer mu.Unlock()
	g, err := graphviz.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("render: starting Graphviz: %w", err)
	}
	defer g.Close()
	graph, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, fmt.Errorf("render: parsing the DOT source: %w", err)
	}
	defer graph.Close()
	var b bytes.Buffer
	if err := g.Render(ctx, graph, graphviz.SVG, &b); err != nil {
		return nil, fmt.Errorf("render: %s: %w", format, err)
	}
	return b.Bytes(), nil
}

// Architecture returns the picture of arch's Graphviz diagram in format.
// It builds the architecture and returns Build's error when it does not
// build.
func Architecture(ctx context.Context, arch *pattern.Architecture, format Format) ([]byte, error) {
	dot, err := arch.DOT()
	if err != nil {
		return nil, err
	}
	return DOT(ctx, []byte(dot), format)
}
