//go:build graphviz

package main

// Built with -tags graphviz, -diagram writes SVG pictures (a pure
// Go Graphviz, heavy to compile); without it, .dot and .mmd files.
import _ "github.com/archkit/archkit/provider/deploy/renderdeploy"
