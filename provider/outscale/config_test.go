package outscale_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/outscale"
	"github.com/archkit/archkit/provider/outscale/osctest"
)

// clearEnv unsets the OSC_ variables for the test and points HOME to an
// empty directory, which it returns.
func clearEnv(t *testing.T) string {
	t.Helper()
	for _, k := range []string{"OSC_ACCESS_KEY", "OSC_SECRET_KEY", "OSC_REGION", "OSC_PROFILE", "OSC_ENDPOINT_API",
		"OSC_X509_CLIENT_CERT", "OSC_X509_CLIENT_KEY", "OSC_X509_CLIENT_CERT_B64", "OSC_X509_CLIENT_KEY_B64"} {
		t.Setenv(k, "")
		require.NoError(t, os.Unsetenv(k))
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	return home
}

func writeProfiles(t *testing.T, home string, profiles map[string]any) {
	t.Helper()
	b, err := json.Marshal(profiles)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".osc"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".osc", "config.json"), b, 0o600))
}

func TestCredentialsFromEnv(t *testing.T) {
	clearEnv(t)
	srv := osctest.New(t, func(o *osctest.Options) { o.Region = "us-east-2" })
	t.Setenv("OSC_ACCESS_KEY", "AKENV")
	t.Setenv("OSC_SECRET_KEY", "SKENV")
	t.Setenv("OSC_REGION", "us-east-2")
	t.Setenv("OSC_ENDPOINT_API", srv.URL())
	d, err := outscale.New()
	require.NoError(t, err)
	assert.Equal(t, "us-east-2", d.Region())
	zones, err := d.Zones(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"us-east-2a", "us-east-2b"}, zones)
}

func TestCredentialsFromProfile(t *testing.T) {
	home := clearEnv(t)
	srv := osctest.New(t, func(o *osctest.Options) { o.Region = "cloudgouv-eu-west-1" })
	writeProfiles(t, home, map[string]any{
		"default": map[string]any{"access_key": "AKDEF", "secret_key": "SKDEF", "region": "eu-west-2"},
		"gov": map[string]any{"access_key": "AKGOV", "secret_key": "SKGOV", "region": "cloudgouv-eu-west-1",
			"endpoints": map[string]string{"api": srv.URL()}},
	})
	t.Run("default", func(t *testing.T) {
		d, err := outscale.New()
		require.NoError(t, err)
		assert.Equal(t, "eu-west-2", d.Region())
	})
	t.Run("OSC_PROFILE", func(t *testing.T) {
		t.Setenv("OSC_PROFILE", "gov")
		d, err := outscale.New()
		require.NoError(t, err)
		assert.Equal(t, "cloudgouv-eu-west-1", d.Region())
		zones, err := d.Zones(t.Context())
		require.NoError(t, err)
		assert.Equal(t, []string{"cloudgouv-eu-west-1a", "cloudgouv-eu-west-1b"}, zones)
	})
	t.Run("Options.Profile wins over env keys", func(t *testing.T) {
		t.Setenv("OSC_ACCESS_KEY", "AKENV")
		t.Setenv("OSC_SECRET_KEY", "SKENV")
		d, err := outscale.New(func(o *outscale.Options) { o.Profile = "gov" })
		require.NoError(t, err)
		assert.Equal(t, "cloudgouv-eu-west-1", d.Region())
	})
	t.Run("Options.Region overrides the profile", func(t *testing.T) {
		d, err := outscale.New(func(o *outscale.Options) { o.Region = "us-west-1" })
		require.NoError(t, err)
		assert.Equal(t, "us-west-1", d.Region())
	})
	t.Run("unknown profile", func(t *testing.T) {
		_, err := outscale.New(func(o *outscale.Options) { o.Profile = "nope" })
		require.ErrorIs(t, err, driver.ErrAuth)
		assert.Contains(t, err.Error(), `"nope"`)
	})
}

func TestCredentialsMissing(t *testing.T) {
	clearEnv(t)
	_, err := outscale.New()
	require.ErrorIs(t, err, driver.ErrAuth)
	assert.Contains(t, err.Error(), "OSC_ACCESS_KEY")
}

func TestSecretNeverLogged(t *testing.T) {
	clearEnv(t)
	srv := osctest.New(t)
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d, err := outscale.New(func(o *outscale.Options) {
		o.Endpoint, o.AccessKey, o.SecretKey, o.Logger = srv.URL(), "AKVISIBLE", "TOPSECRETKEY", log
	})
	require.NoError(t, err)
	_, err = d.Zones(t.Context())
	require.NoError(t, err)
	c := outscale.Credentials{AccessKey: "AKVISIBLE", SecretKey: "TOPSECRETKEY"}
	out := buf.String() + fmt.Sprint(c) + fmt.Sprintf("%+v", c)
	assert.Contains(t, out, "AKVISIBLE")
	assert.NotContains(t, out, "TOPSECRETKEY")
	assert.NotContains(t, out, "Authorization")
}
