// Command webapp builds seed 003's web application migrated to AWS: an
// Application Load Balancer in the public subnets of two zones, the
// application (Tomcat on 8080) in an autoscaling group in private subnets,
// MySQL as a managed Multi-AZ database in isolated subnets. It prints the
// subnet plan, the security groups, the load balancer, the lint findings and
// the availability, and applies the architecture: by default to the
// in-memory fake, where it then applies it again (no change) and destroys it.
//
//	go run ./examples/webapp                     # on the fake: no account needed
//	go run ./examples/webapp -json               # the Blueprint, as JSON
//	go run ./examples/webapp -plan               # what an apply would change
//	go run ./examples/webapp -provider aws -profile prod -region eu-west-3 -image ami-0123abcd
//	go run ./examples/webapp -provider aws -profile prod -region eu-west-3 -destroy
//
// Against an AWS emulator such as moto_server (make test starts one):
//
//	moto_server -H 127.0.0.1 -p 5000 &
//	go run ./examples/webapp -provider aws -endpoint http://127.0.0.1:5000 -cleanup
//
// -cleanup applies, applies again (which must write nothing) and destroys,
// the whole life of a deployment in one run, as on the fake. With an
// -endpoint on 127.0.0.1 or localhost and nothing configured, the example
// uses the region us-east-1 and the static credentials "testing" that
// emulators accept, and says so on stderr; it never does that for any other
// endpoint, so a real account is only reached with credentials of your own
// (AWS_PROFILE, AWS_ACCESS_KEY_ID..., ~/.aws).
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/archkit/archkit/examples/internal/cli"
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/tier"
)

func main() {
	name := flag.String("name", "webapp", "the deployment name, the ownership tag of every resource")
	image := flag.String("image", "ami-12c6146b", "the AMI of the application nodes; set one of your account before applying to a cloud")
	cleanup := flag.Bool("cleanup", false, "with -provider aws or outscale: after the apply, apply again (no change) and destroy, as on the fake")
	flags := cli.Register(nil)
	flag.Parse()
	log.SetFlags(0)
	if err := flags.Validate(); err != nil {
		log.Fatal(err)
	}
	if *cleanup && (flags.Plan || flags.Destroy || flags.JSON) {
		log.Fatal("-cleanup: set with -plan, -destroy or -json; use it alone, to apply and then destroy")
	}

	arch := architecture(*name, flags.NetProfile(), *image)
	bp, err := arch.Build()
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	w := os.Stdout
	if !flags.JSON {
		for _, note := range endpointDefaults(ctx, flags) {
			log.Print(note)
		}
	}
	if flags.JSON || flags.Destroy {
		if err := cli.Run(ctx, w, flags, bp); err != nil {
			log.Fatal(err)
		}
		return
	}
	for _, step := range []func(io.Writer, *pattern.Architecture, *pattern.Blueprint) error{
		printPlan, printSecurityGroups, printLoadBalancers, printAppAndDatabase, printFindings, printAvailability,
	} {
		if err := step(w, arch, bp); err != nil {
			log.Fatal(err)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprint(w, "## Deployment\n\n")
	if err := cli.Run(ctx, w, flags, bp); err != nil {
		log.Fatal(err)
	}
	if *cleanup && flags.Provider != cli.Fake {
		if err := applyAgainAndDestroy(ctx, w, flags, bp); err != nil {
			log.Fatal(err)
		}
	}
}

// architecture is seed 003 as pattern.WebApp builds it: the load balancer
// is the only public thing, the database is never reachable from outside.
func architecture(name string, profile netplan.Profile, image string) *pattern.Architecture {
	return pattern.WebApp(pattern.WebAppOptions{
		Name:     name,
		Profile:  profile,
		Image:    image,
		UserData: tier.Secret("#!/bin/sh\nexec java -jar /opt/tipster/api.jar --server.port=8080\n"),
	})
}

// applyAgainAndDestroy finishes the -cleanup run on a cloud: the apply of
// an unchanged Blueprint must make no write call, then the deployment goes.
func applyAgainAndDestroy(ctx context.Context, w io.Writer, flags *cli.Flags, bp *pattern.Blueprint) error {
	d, err := flags.Driver(ctx)
	if err != nil {
		return err
	}
	eng := provider.NewEngine(d, func(o *provider.Options) {
		o.OnEvent = provider.NewRenderer(w).Handle
		o.AllowFallback = flags.Provider == cli.Outscale
	})
	fmt.Fprintf(w, "\nApplying %q again: nothing has changed, so nothing is written\n", bp.Deployment)
	again, err := eng.Apply(ctx, bp)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d write calls, %d read calls\n", again.WriteCalls, again.ReadCalls)
	// Destroy even when the second apply wrote: -cleanup promises to leave
	// nothing behind.
	var errs []error
	if again.WriteCalls != 0 {
		errs = append(errs, fmt.Errorf("second apply of %q made %d write calls; want 0", bp.Deployment, again.WriteCalls))
	}
	fmt.Fprintf(w, "\nDestroying %q\n", bp.Deployment)
	if _, err := eng.Destroy(ctx, bp.Deployment); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// endpointDefaults fills in, for -provider aws with an -endpoint on the
// loopback interface (an emulator), the region and the credentials that
// nothing else configures, and returns a note for each. Emulators such as
// moto accept any static credentials; a real account is never on loopback,
// and a profile chosen with -profile or AWS_PROFILE is always left alone.
func endpointDefaults(ctx context.Context, f *cli.Flags) []string {
	if f.Provider != cli.AWS || !isLoopback(f.Endpoint) {
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
		notes = append(notes, fmt.Sprintf("webapp: no region configured for %s: using us-east-1", f.Endpoint))
	}
	haveCredentials := profile != "" || env.Credentials.HasKeys() ||
		env.ContainerCredentialsEndpoint != "" || env.ContainerCredentialsRelativePath != "" || env.WebIdentityTokenFilePath != "" ||
		(sharedErr == nil && (shared.Credentials.HasKeys() || shared.CredentialSource != "" || shared.CredentialProcess != "" ||
			shared.RoleARN != "" || shared.SSOSessionName != "" || shared.SSOStartURL != "" || shared.WebIdentityTokenFile != ""))
	if !haveCredentials {
		// The SDK's default chain reads these; setting them in this
		// process changes nothing outside it.
		if err := errors.Join(os.Setenv("AWS_ACCESS_KEY_ID", "testing"), os.Setenv("AWS_SECRET_ACCESS_KEY", "testing")); err != nil {
			return append(notes, fmt.Sprintf("webapp: cannot set the emulator's credentials: %v", err))
		}
		notes = append(notes, fmt.Sprintf("webapp: no AWS credentials configured for %s: using the static test credentials \"testing\" that emulators accept", f.Endpoint))
	}
	return notes
}

// isLoopback reports whether endpoint is a URL on 127.0.0.0/8, ::1 or localhost.
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

func printPlan(w io.Writer, arch *pattern.Architecture, _ *pattern.Blueprint) error {
	plan, err := arch.Plan()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "## Subnets of %s\n\n", arch.CIDR)
	return plan.WriteTable(w)
}

func printSecurityGroups(w io.Writer, _ *pattern.Architecture, bp *pattern.Blueprint) error {
	fmt.Fprint(w, "## Security groups\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tDIRECTION\tRULE")
	for _, r := range bp.OfKind(pattern.KindSecurityGroupRules) {
		s := r.SecurityGroupRules
		group := strings.TrimPrefix(string(s.Group), "security_group/")
		for _, rule := range s.Inbound {
			fmt.Fprintf(tw, "%s\tin\t%s\n", group, provider.RuleString(rule, true))
		}
		for _, rule := range s.Outbound {
			fmt.Fprintf(tw, "%s\tout\t%s\n", group, provider.RuleString(rule, false))
		}
	}
	return tw.Flush()
}

func printLoadBalancers(w io.Writer, _ *pattern.Architecture, bp *pattern.Blueprint) error {
	for _, r := range bp.OfKind(pattern.KindLoadBalancer) {
		lb := r.LoadBalancer
		fmt.Fprintf(w, "## Load balancer %s (%s, %s) in %d subnets\n\n", lb.Name, lb.Type, lb.Scheme, len(lb.Subnets))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "LISTENER\tFORWARDS TO")
		for _, l := range lb.Listeners {
			fmt.Fprintf(tw, "%s %d\t%s %d\n", l.Protocol, l.Port, l.TargetProtocol, l.TargetPort)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		h := lb.HealthCheck
		fmt.Fprintf(w, "\nhealth check: %s %d %s every %ds (timeout %ds), healthy after %d, unhealthy after %d\n",
			h.Protocol, h.Port, h.Path, h.IntervalSeconds, h.TimeoutSeconds, h.HealthyThreshold, h.UnhealthyThreshold)
	}
	return nil
}

func printAppAndDatabase(w io.Writer, _ *pattern.Architecture, bp *pattern.Blueprint) error {
	fmt.Fprint(w, "## Application and database\n\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range bp.OfKind(pattern.KindCluster) {
		c := r.Cluster
		scaling := "fixed size"
		if c.Scaling != nil {
			scaling = fmt.Sprintf("keeps %d%% CPU", c.Scaling.TargetCPUPercent)
		}
		fmt.Fprintf(tw, "%s\t%s %s, %d to %d nodes (desired %d), %s, over %d subnets\n",
			r.ID, c.Image, c.InstanceType, c.Min, c.Max, c.Desired, scaling, len(c.Subnets))
	}
	for _, r := range bp.OfKind(pattern.KindDatabase) {
		d := r.Database
		fmt.Fprintf(tw, "%s\t%s %s on %d, Multi-AZ %t, backups %d days, encrypted %t, over %d subnets\n",
			r.ID, d.Engine, d.InstanceClass, d.Port, d.MultiAZ, d.BackupRetentionDays, d.Encrypted, len(d.Subnets))
	}
	return tw.Flush()
}

func printFindings(w io.Writer, _ *pattern.Architecture, bp *pattern.Blueprint) error {
	fmt.Fprint(w, "## Lint\n\n")
	if len(bp.Findings) == 0 {
		fmt.Fprintln(w, "no findings")
	}
	for _, f := range bp.Findings {
		fmt.Fprintln(w, f)
	}
	return nil
}

func printAvailability(w io.Writer, arch *pattern.Architecture, _ *pattern.Blueprint) error {
	// A node up 99% of the time, a zone 99.99%; the path is every tier
	// that runs something, each behind its load balancer.
	r, err := arch.Availability(0.99, 0.9999)
	if err != nil {
		return err
	}
	fmt.Fprint(w, "## Availability (node 99%, zone 99.99%)\n\n", r)
	return nil
}
