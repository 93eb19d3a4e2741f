// Package renderdeploy registers the pure Go Graphviz renderer (package
// pattern/render) with package provider/deploy, so that -diagram writes
// .svg and .png pictures. Import it for its side effect, in the program or
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
	for _, f := range []render.Format{render.SVG, render.PNG} {
		deploy.RegisterRenderer(string(f), func(ctx context.Context, dot []byte) ([]byte, error) {
			return render.DOT(ctx, dot, f)
		})
	}
}
