// Package awsdeploy registers the AWS driver (package provider/aws) with
// package provider/deploy as -provider aws. Import it for its side effect,
// in the program or in a file behind a build tag:
//
//	import _ "github.com/archkit/archkit/provider/deploy/awsdeploy"
//
// The driver reads the SDK's default chain, as the AWS CLI does
// (AWS_PROFILE, AWS_REGION, AWS_ACCESS_KEY_ID..., ~/.aws/config and
// ~/.aws/credentials, SSO, assumed roles, instance metadata); -region,
// -profile and -endpoint override it.
//
// With an -endpoint on this machine (an emulator such as moto_server), a
// region and credentials that nothing configures default to us-east-1 and
// the static credentials "testing" that emulators accept, each with a
// note on the standard error; polls are short. Never for any other
// endpoint: a real account is only reached with credentials of your own.
package awsdeploy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/deploy"
	"github.com/archkit/archkit/provider/driver"
)

func init() {
	deploy.Register(deploy.Provider{Name: "aws", Profile: netplan.AWS, Open: open, Engine: func(o *provider.Options, s deploy.Settings) {
		s.EmulatorPolls(o)
	}})
}

func open(ctx context.Context, s deploy.Settings) (driver.Driver, error) {
	for _, note := range emulatorDefaults(ctx, &s) {
		fmt.Fprintln(s.Stderr, note)
	}
	return aws.New(ctx, func(o *aws.Options) {
		o.Region, o.Profile, o.BaseEndpoint = s.Region, s.Profile, s.Endpoint
		if s.IsLoopback() {
			o.PollInterval = 20 * time.Millisecond
		}
	})
}

// emulatorDefaults fills in, for an endpoint on the loopback interface,
// the region and the credentials that nothing else configures, and
// returns a note for each. Emulators accept any static credentials; a
// real account is never on loopback, and a profile chosen with -profile
// or AWS_PROFILE is always left alone.
func emulatorDefaults(ctx context.Context, s *deploy.Settings) []string {
	if !s.IsLoopback() {
		return nil
	}
	env, err := config.NewEnvConfig()
	if err != nil {
		return nil // the SDK reports a bad environment itself
	}
	profile := cmp.Or(s.Profile, env.SharedConfigProfile)
	shared, sharedErr := config.LoadSharedConfigProfile(ctx, cmp.Or(profile, "default"), func(o *config.LoadSharedConfigOptions) {
		if env.SharedConfigFile != "" {
			o.ConfigFiles = []string{env.SharedConfigFile}
		}
		if env.SharedCredentialsFile != "" {
			o.CredentialsFiles = []string{env.SharedCredentialsFile}
		}
	})
	var notes []string
	if s.Region == "" && env.Region == "" && (sharedErr != nil || shared.Region == "") {
		s.Region = "us-east-1"
		notes = append(notes, fmt.Sprintf("no region configured for %s: using us-east-1", s.Endpoint))
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
		notes = append(notes, fmt.Sprintf("no AWS credentials configured for %s: using the static test credentials \"testing\" that emulators accept", s.Endpoint))
	}
	return notes
}
