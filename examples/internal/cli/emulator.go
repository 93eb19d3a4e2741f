package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
)

// emulatorDefaults fills in, for -provider aws with an -endpoint on the
// loopback interface (an emulator such as moto), the region and the
// credentials that nothing else configures, and returns a note for each.
// Emulators accept any static credentials; a real account is never on
// loopback, and a profile chosen with -profile or AWS_PROFILE is always
// left alone.
func (f *Flags) emulatorDefaults(ctx context.Context) []string {
	if f.Provider != AWS || !isLoopback(f.Endpoint) {
		return nil
	}
	env, err := config.NewEnvConfig()
	if err != nil {
		return nil // the SDK reports a bad environment itself
	}
	profile := cmp.Or(f.Profile, env.SharedConfigProfile)
	shared, sharedErr := config.LoadSharedConfigProfile(ctx, cmp.Or(profile, "default"), func(o *config.LoadSharedConfigOptions) {
		if env.SharedConfigFile != "" {
			o.ConfigFiles = []string{env.SharedConfigFile}
		}
		if env.SharedCredentialsFile != "" {
			o.CredentialsFiles = []string{env.SharedCredentialsFile}
		}
	})
	var notes []string
	if f.Region == "" && env.Region == "" && (sharedErr != nil || shared.Region == "") {
		f.Region = "us-east-1"
		notes = append(notes, fmt.Sprintf("no region configured for %s: using us-east-1", f.Endpoint))
	}
	haveCredentials := profile != "" || env.Credentials.HasKeys() ||
		env.ContainerCredentialsEndpoint != "" || env.ContainerCredentialsRelativePath != "" || env.WebIdentityTokenFilePath != "" ||
		(sharedErr == nil && (shared.Credentials.HasKeys() || shared.CredentialSource != "" || shared.CredentialProcess != "" ||
			shared.RoleARN != "" || shared.SSOSessionName != "" || shared.SSOStartURL != "" || shared.WebIdentityTokenFile != ""))
	if !haveCredentials {
		// The SDK's default chain reads these; setting them in this
		// process changes nothing outside it.
		if err := errors.Join(os.Setenv("AWS_ACCESS_KEY_ID", "testing"), os.Setenv("AWS_SECRET_ACCESS_KEY", "testing")); err != nil {
			return append(notes, fmt.Sprintf("cannot set the emulator's credentials: %v", err))
		}
		notes = append(notes, fmt.Sprintf("no AWS credentials configured for %s: using the static test credentials \"testing\" that emulators accept", f.Endpoint))
	}
	return notes
}

// isLoopback reports whether endpoint is a URL on 127.0.0.0/8, ::1 or
// localhost.
func isLoopback(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil || endpoint == "" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
