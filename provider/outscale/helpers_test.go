package outscale_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/outscale"
	"github.com/archkit/archkit/provider/outscale/osctest"
)

// newDriver returns a Driver talking to srv with test keys and short
// delays.
func newDriver(t testing.TB, srv *osctest.Server, optFns ...func(*outscale.Options)) *outscale.Driver {
	t.Helper()
	fns := append([]func(*outscale.Options){func(o *outscale.Options) {
		o.Endpoint = srv.URL()
		o.AccessKey, o.SecretKey = "AKTEST", "SKTEST"
		o.RetryBaseDelay, o.RetryMaxDelay = time.Millisecond, 5*time.Millisecond
		o.PollInterval = time.Millisecond
		o.WaitTimeout = 10 * time.Second
	}}, optFns...)
	d, err := outscale.New(fns...)
	require.NoError(t, err)
	return d
}

// TestMain loads the OpenAPI description once before any test changes
// HOME (the credential tests do, and the description is found in the
// module cache under it).
func TestMain(m *testing.M) {
	if _, err := osctest.LoadSpec(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// allowStateful lets a Destroy delete every stateful resource of bp (the
// database clusters): the tests' clean-up.
func allowStateful(bp *blueprint.Blueprint) func(*provider.DestroyOptions) {
	return func(o *provider.DestroyOptions) {
		for _, r := range bp.Resources {
			if r.IsStateful() {
				o.AllowDataLoss = append(o.AllowDataLoss, r.ID)
			}
		}
	}
}
