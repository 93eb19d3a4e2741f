// Package renderdeploy registers the pure Go Graphviz renderer (package
// pattern/render) with package provider/deploy, so that -diagram writes
// .svg pictures. Import it for its side effect, in the program or
// in a file behind a build tag (it is heavy to compile):
//
//	import _ "github.com/archkit/archkit/provider/deploy/renderdeploy"
package renderdeploy

import (
	"context"

	"github.com/archkit/archkit/pattern/render"
	"github.com/archkit/archkit/provider/deploy"
)

func init() {
	deploy.RegisterRenderer(string(render.SVG), func(ctx context.Context, dot []byte) ([]byte, error) {
		return render.DOT(ctx, dot, render.SVG)
	})
}
