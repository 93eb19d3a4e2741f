package outscale

import (
	"context"
	"net/http"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// ListAll lists every resource of kind k in the account, whatever its
// tags (List refuses a query without a deployment): what the leak checks
// of the tests look for.
func ListAll(ctx context.Context, d *Driver, k blueprint.Kind) ([]driver.Observed, error) {
	return kinds[k].list(d, ctx, driver.Query{}, nil)
}

// Keypairs returns the ids of every keypair of the account: a deployment
// lock left behind is one.
func Keypairs(ctx context.Context, d *Driver) ([]string, error) {
	in := osc.ReadKeypairsRequest{}
	resp, err := call(ctx, d, "ReadKeypairs", lockKind, "", func(ctx context.Context) (osc.ReadKeypairsResponse, *http.Response, error) {
		return d.api.KeypairApi.ReadKeypairs(ctx).ReadKeypairsRequest(in).Execute()
	})
	var ids []string
	for _, kp := range resp.GetKeypairs() {
		ids = append(ids, kp.GetKeypairId())
	}
	return ids, err
}
