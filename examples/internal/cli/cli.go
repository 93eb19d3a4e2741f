// Package cli is what the examples share: the flags that choose a cloud
// (-provider, -region, -profile, -endpoint) and an action (-plan, -destroy,
// -json), and Run, which applies a Blueprint with the progress display.
//
// It is internal to the examples: a program of your own needs none of it,
// the calls it makes are the ones to copy:
//
//	eng := provider.NewEngine(fake.New(), func(o *provider.Options) {
//		o.OnEvent = provider.NewRenderer(os.Stdout).Handle
//	})
//	res, err := eng.Apply(ctx, arch) // built around what is deployed
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/archkit/archkit/provider/driver"

	"github.com/archkit/archkit/examples/internal/show"
	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/aws"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/outscale"
)

// The values of -provider.
const (
	Fake     = "fake"
	AWS      = "aws"
	Outscale = "outscale"
)

// Flags are the flags every example shares.
type Flags struct {
	// Provider is fake (the in-memory default), aws or outscale.
	Provider string
	// Region and Profile select the account with each SDK's own rules:
	// AWS_REGION / AWS_PROFILE and the shared config files for aws,
	// OSC_REGION / OSC_PROFILE and ~/.osc/config.json for outscale.
	Region, Profile string
	// Endpoint sends the calls to an API-compatible endpoint (moto for aws,
	// a test server for outscale).
	Endpoint string
	// Plan shows the changes without making them; Destroy removes the
	// deployment; JSON prints the Blueprint and stops.
	Plan, Destroy, JSON bool
	// Keep leaves the deployment on the fake instead of destroying it at
	// the end of the run.
	Keep bool
	// Cleanup, on a cloud or an emulator, does what a run on the fake
	// does: apply, apply again (which must write nothing), destroy.
	Cleanup bool
	// Image is the image (AMI or OMI) of the nodes. The default is one the
	// fake, moto and the OUTSCALE test server know; set one of your
	// account before applying to a cloud.
	Image string
	// AllowDataLoss names the stateful resources (databases) that
	// -destroy, or an apply that must replace them, may delete
	// (provider.ApplyOptions.AllowDataLoss).
	AllowDataLoss IDList
	// SkipFinalSnapshot deletes databases without a final snapshot.
	SkipFinalSnapshot bool
}

// IDList is a flag of comma-separated logical ids.
type IDList []string

func (l *IDList) String() string { return strings.Join(*l, ",") }

// Set adds the ids of s.
func (l *IDList) Set(s string) error {
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			*l = append(*l, id)
		}
	}
	return nil
}

// Register adds the shared flags to fs (flag.CommandLine when nil) and
// returns where their values land after fs.Parse.
func Register(fs *flag.FlagSet) *Flags {
	if fs == nil {
		fs = flag.CommandLine
	}
	f := &Flags{}
	fs.StringVar(&f.Provider, "provider", Fake, "where to apply: fake (in memory, no account), aws or outscale")
	fs.StringVar(&f.Region, "region", "", "the cloud region (default: the SDK's environment and config files)")
	fs.StringVar(&f.Profile, "profile", "", "the credentials profile (default: the SDK's environment and config files)")
	fs.StringVar(&f.Endpoint, "endpoint", "", "an API-compatible endpoint URL, such as a local moto_server for aws")
	fs.BoolVar(&f.Plan, "plan", false, "show the changes an apply would make, and make none")
	fs.BoolVar(&f.Destroy, "destroy", false, "destroy the deployment instead of applying it")
	fs.BoolVar(&f.JSON, "json", false, "print the Blueprint as JSON and stop")
	fs.BoolVar(&f.Keep, "keep", false, "with -provider fake: keep the deployment instead of destroying it at the end")
	fs.StringVar(&f.Image, "image", DefaultImage, "the image (AMI or OMI) of the nodes; set one of your account before applying to a cloud")
	fs.BoolVar(&f.Cleanup, "cleanup", false, "with -provider aws or outscale: after the apply, apply again (no change) and destroy, as on the fake")
	fs.Var(&f.AllowDataLoss, "allow-data-loss", "comma-separated logical ids of databases that -destroy, or an apply that must replace them, may delete (\"database/db\")")
	fs.BoolVar(&f.SkipFinalSnapshot, "skip-final-snapshot", false, "with -destroy: delete databases without a final snapshot")
	return f
}

// DefaultImage is the -image of the examples: an image id the fake, moto
// and the OUTSCALE test server accept.
const DefaultImage = "ami-12c6146b"

// Parse registers the shared flags on flag.CommandLine (after the
// example's own), parses the command line and validates it; a bad flag
// ends the program with the error, naming the flag and the fix.
func Parse() *Flags {
	f := Register(nil)
	flag.Parse()
	log.SetFlags(0)
	if err := f.Validate(); err != nil {
		log.Fatal(err)
	}
	return f
}

// Validate reports a bad flag value, naming the flag and the fix.
func (f *Flags) Validate() error {
	switch f.Provider {
	case Fake, AWS, Outscale:
	default:
		return fmt.Errorf("-provider: %q: unknown provider; use fake, aws or outscale", f.Provider)
	}
	if f.Plan && f.Destroy {
		return errors.New("-plan and -destroy: both set; choose one")
	}
	if f.Cleanup && (f.Plan || f.Destroy || f.JSON) {
		return errors.New("-cleanup: set with -plan, -destroy or -json; use it alone, to apply and then destroy")
	}
	if f.Cleanup && f.Keep {
		return errors.New("-cleanup and -keep: both set; choose one")
	}
	if f.Provider == Fake && (f.Region != "" || f.Profile != "" || f.Endpoint != "") {
		return errors.New("-region, -profile and -endpoint: set with -provider fake, which has no account; add -provider aws or -provider outscale")
	}
	return nil
}

// NetProfile is the address plan's profile for the chosen provider, the
// one to build the Blueprint with: the fake plans like AWS.
func (f *Flags) NetProfile() netplan.Profile {
	if f.Provider == Outscale {
		return netplan.Outscale
	}
	return netplan.AWS
}

// Driver returns the driver the flags select. It makes no write call.
func (f *Flags) Driver(ctx context.Context) (driver.Driver, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	// An emulator on this machine answers at once: poll it often.
	local := isLoopback(f.Endpoint)
	switch f.Provider {
	case AWS:
		return aws.New(ctx, func(o *aws.Options) {
			o.Region, o.Profile, o.BaseEndpoint = f.Region, f.Profile, f.Endpoint
			if local {
				o.PollInterval = 20 * time.Millisecond
			}
		})
	case Outscale:
		return outscale.New(func(o *outscale.Options) {
			o.Region, o.Profile, o.Endpoint = f.Region, f.Profile, f.Endpoint
			if local {
				o.PollInterval = 20 * time.Millisecond
			}
		})
	}
	return fake.New(), nil
}

// Run does what the flags ask with src (an architecture, which the engine
// builds around what is deployed, or a Blueprint), writing to w:
//
//   - -json: the Blueprint as indented JSON;
//   - -plan: the changes an apply would make;
//   - -destroy: removes every resource tagged with the deployment; the
//     databases only when -allow-data-loss names them, each with a final
//     snapshot unless -skip-final-snapshot;
//   - otherwise: applies src with a progress line per resource. On the
//     fake (unless -keep), or with -cleanup, it then applies src again, to
//     show that an unchanged deployment makes no change, and destroys it,
//     databases included, so the run shows the whole life of a
//     deployment.
//
// With -provider aws and an -endpoint on this machine (an emulator such as
// moto), a region and credentials that nothing configures default to
// us-east-1 and the static "testing" keys emulators accept, each with a
// note on stderr; never for any other endpoint.
//
// engineOpts adjust the engine, after Run has set the progress display.
func Run(ctx context.Context, w io.Writer, f *Flags, src provider.Source, engineOpts ...func(*provider.Options)) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.JSON {
		bp, err := src.BuildAround(blueprint.Existing{})
		if err != nil {
			return err
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(bp)
	}
	for _, note := range f.emulatorDefaults(ctx) {
		fmt.Fprintln(os.Stderr, note)
	}
	d, err := f.Driver(ctx)
	if err != nil {
		return err
	}
	eng := provider.NewEngine(d, append([]func(*provider.Options){func(o *provider.Options) {
		o.OnEvent = provider.NewRenderer(w).Handle
		// OUTSCALE has no managed databases and no network ACLs: build a
		// database as its fallback cluster of VMs (the progress display
		// prints a notice when it does).
		o.AllowFallback = f.Provider == Outscale
		switch {
		case f.Provider == Fake:
			// The fake answers at once: no rate limit to respect, and
			// polls every millisecond, not every second as on a cloud.
			o.RateLimit = -1
			o.PollMin, o.PollMax = time.Millisecond, 10*time.Millisecond
		case isLoopback(f.Endpoint):
			o.PollMin, o.PollMax = 20*time.Millisecond, 200*time.Millisecond
		}
	}}, engineOpts...)...)
	dep := src.DeploymentName()
	switch {
	case f.Plan:
		cs, err := eng.Plan(ctx, src)
		if err != nil {
			return err
		}
		_, err = cs.WriteTo(w)
		return err
	case f.Destroy:
		return destroy(ctx, w, eng, dep, f.AllowDataLoss, f.SkipFinalSnapshot)
	}
	return lifecycle(ctx, w, f, eng, d.Name(), src)
}

// lifecycle applies src and, on the fake (unless -keep) or with -cleanup,
// applies it again and destroys it.
func lifecycle(ctx context.Context, w io.Writer, f *Flags, eng *provider.Engine, where string, src provider.Source) error {
	dep := src.DeploymentName()
	fmt.Fprintf(w, "Applying %q to %s\n", dep, where)
	allow := func(o *provider.ApplyOptions) { o.AllowDataLoss = f.AllowDataLoss }
	res, err := eng.Apply(ctx, src, allow)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d write calls, %d read calls\n", res.WriteCalls, res.ReadCalls)
	if f.Provider == Fake && f.Keep || f.Provider != Fake && !f.Cleanup {
		return nil
	}

	fmt.Fprintf(w, "\nApplying %q again: nothing has changed, so nothing is written\n", dep)
	again, err := eng.Apply(ctx, src, allow)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d write calls, %d read calls\n", again.WriteCalls, again.ReadCalls)
	// Destroy even when the second apply wrote: the run promises to leave
	// nothing behind, its databases included (this run made them).
	var errs []error
	if again.WriteCalls != 0 {
		errs = append(errs, fmt.Errorf("second apply of %q made %d write calls; want 0", dep, again.WriteCalls))
	}
	fmt.Fprintln(w)
	return errors.Join(append(errs, destroy(ctx, w, eng, dep, res.Changeset.Stateful(), true))...)
}

// destroy destroys deployment, letting it delete the stateful resources
// allow names; skip drops their final snapshots.
func destroy(ctx context.Context, w io.Writer, eng *provider.Engine, deployment string, allow []string, skip bool) error {
	fmt.Fprintf(w, "Destroying %q\n", deployment)
	_, err := eng.Destroy(ctx, deployment, func(o *provider.DestroyOptions) {
		o.AllowDataLoss, o.SkipFinalSnapshot = allow, skip
	})
	var pe *provider.ProtectedError
	if errors.As(err, &pe) {
		return fmt.Errorf("%w\nrun again with -allow-data-loss %s to delete them (a managed database goes with a final snapshot unless -skip-final-snapshot)", err, strings.Join(pe.IDs(), ","))
	}
	return err
}

// Execute is the body of every example: it builds arch, prints sections
// (skipped with -json and -destroy, whose output is only the action's),
// then a "## Deployment" header and Run's output.
//
//	arch := pattern.WebApp(pattern.WebAppOptions{Profile: flags.NetProfile()})
//	err := cli.Execute(ctx, os.Stdout, flags, arch, show.Subnets, show.SecurityGroups)
func Execute(ctx context.Context, w io.Writer, f *Flags, arch *pattern.Architecture, sections ...show.Section) error {
	bp, err := arch.Build()
	if err != nil {
		return err
	}
	if f.JSON || f.Destroy {
		return Run(ctx, w, f, arch)
	}
	if err := show.Sections(w, arch, bp, sections...); err != nil {
		return err
	}
	fmt.Fprint(w, "## Deployment\n\n")
	return Run(ctx, w, f, arch)
}
