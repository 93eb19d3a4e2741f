package aws_test

import (
	"path/filepath"
	"testing"

	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/aws/internal/mototest"
	"github.com/archkit/archkit/provider/driver"
)

// TestNewFromEnvironment builds the driver with New from the SDK's
// default chain: region, credentials and the endpoint (AWS_ENDPOINT_URL)
// all come from the environment, as they would for a user.
func TestNewFromEnvironment(t *testing.T) {
	ep := mototest.Endpoint(t)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            ep,
		"AWS_REGION":                  mototest.Region,
		"AWS_ACCESS_KEY_ID":           "testing",
		"AWS_SECRET_ACCESS_KEY":       "testing",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_PROFILE":                 "",
	} {
		t.Setenv(k, v)
	}
	account := mototest.Account()
	d, err := aws.New(t.Context(), func(o *aws.Options) {
		o.RetryMaxAttempts = 1
		o.APIOptions = []func(*middleware.Stack) error{mototest.WithAccount(account)}
	})
	require.NoError(t, err)
	assert.Equal(t, "aws", d.Name())
	assert.Equal(t, mototest.Region, d.Region())
	assert.Equal(t, netplan.AWS, d.Profile())
	zones, err := d.Zones(t.Context())
	require.NoError(t, err)
	assert.Contains(t, zones, "us-east-1a")

	// The account header isolates this driver: its deployment is empty.
	vpcs, err := d.List(t.Context(), driver.Query{Deployment: "nobody", Kind: "net"})
	require.NoError(t, err)
	assert.Empty(t, vpcs)
}

func TestNewFromConfigNeedsRegion(t *testing.T) {
	t.Parallel()
	cfg := mototest.Config()
	cfg.Region = ""
	_, err := aws.NewFromConfig(cfg)
	require.ErrorContains(t, err, "region")
}
