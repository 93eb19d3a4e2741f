package deploy

import (
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Flags are the values of the command line a [Command] understands. Each
// field is one flag, named in its comment.
type Flags struct {
	// Provider (-provider) is where to deploy: fake (in memory, the
	// default), or a registered cloud: aws, outscale.
	Provider string
	// Region, Profile and Endpoint (-region, -profile, -endpoint) select
	// the account; see [Settings].
	Region, Profile, Endpoint string
	// Image (-image) is the image (AMI, OMI) of the nodes, handed to the
	// architecture in [Target.Image]. "": [DefaultImage] on the fake and
	// on an emulator (a loopback -endpoint), else "".
	Image string

	// Plan (-plan) shows the changes an apply would make and makes none.
	// Exit status: 0 no change, 2 changes, 1 error.
	Plan bool
	// Destroy (-destroy) deletes every resource of the deployment, after
	// a confirmation.
	Destroy bool
	// Drift (-drift) reports what changed outside archkit. Exit status:
	// 0 no drift, 2 drift, 1 error.
	Drift bool
	// Blueprint (-blueprint) prints the Blueprint as JSON and stops.
	Blueprint bool

	// JSON (-json) writes every output as JSON documents on the standard
	// output (see schema.json): the plan, the result, the drift report,
	// the error; progress goes to the standard error.
	JSON bool
	// AutoApprove (-auto-approve) skips the confirmation an apply that
	// replaces or deletes, and a destroy, ask for.
	AutoApprove bool
	// AllowDataLoss (-allow-data-loss, comma-separated, repeatable) names
	// the stateful resources ("database/db") that -destroy, or an apply
	// that must replace them, may delete: [provider.ApplyOptions] and
	// [provider.DestroyOptions] AllowDataLoss. A run that would lose the
	// data of a resource it does not name writes nothing and says which
	// to name. -auto-approve lifts no protection.
	AllowDataLoss IDList
	// SkipFinalSnapshot (-skip-final-snapshot) deletes databases without
	// the final snapshot taken otherwise; DeleteAutomatedBackups
	// (-delete-automated-backups) deletes their automated backups with
	// them ([provider.DestroyOptions]).
	SkipFinalSnapshot, DeleteAutomatedBackups bool
	// Cleanup (-cleanup) applies, applies again (which must write
	// nothing) and destroys: the whole life of a deployment in one run.
	// Default true on the fake, whose state ends with the program.
	Cleanup bool
	// Timeout (-timeout) bounds the whole run; 0: no bound. Resources not
	// started by then are reported as not started.
	Timeout time.Duration
	// LockWait (-lock-wait) is how long an apply or a destroy waits for
	// the deployment's lock when another run holds it
	// ([provider.LockOptions] Wait); 0: fail at once, naming the holder.
	LockWait time.Duration
	// BreakLock (-break-lock) names the holder of a dead run's lock, as
	// the locked error prints it: that lock is broken and a new one taken
	// ([provider.LockOptions] Break). A lock held by anyone else is not.
	BreakLock string
	// Progress (-progress) is auto (a live view on a terminal, plain lines
	// otherwise), live, or plain.
	Progress string
	// Verbose (-v) adds a plain line when an action starts and when the
	// engine starts waiting for a resource.
	Verbose bool
	// Reconcile (-reconcile) keeps the deployment converged after the
	// apply: every Reconcile it applies the architecture again
	// ([provider.Engine.Reconcile]), healing what moved out of band, and
	// prints a line per pass, until Ctrl-C (exit status 0) or -timeout.
	// 0: no loop.
	Reconcile time.Duration
	// Diagram (-diagram) writes the architecture's diagram to this file:
	// .mmd (Mermaid), .dot (Graphviz), or .svg when a renderer is
	// registered ([RegisterRenderer]).
	Diagram string

	// set records the flags given on the command line.
	set map[string]bool
}

// DefaultImage is the image of the nodes on the fake and on emulators: an
// image id the fake, moto and the OUTSCALE test server accept.
const DefaultImage = "ami-12c6146b"

// IDList is the value of a flag of comma-separated logical ids, which
// may also be given several times: "-allow-data-loss database/db,cluster/db".
type IDList []string

func (l *IDList) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

// Set adds the ids of s, without blanks and repeats.
func (l *IDList) Set(s string) error {
	if l == nil {
		return errors.New("deploy: nil *IDList")
	}
	for id := range strings.SplitSeq(s, ",") {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(*l, id) {
			*l = append(*l, id)
		}
	}
	return nil
}

// The values of -progress.
const (
	ProgressAuto  = "auto"
	ProgressLive  = "live"
	ProgressPlain = "plain"
)

// register adds the flags to fs.
func (f *Flags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.Provider, "provider", Fake, "where to deploy: "+strings.Join(Providers(), ", ")+" (fake: in memory, no account)")
	fs.StringVar(&f.Region, "region", "", "the cloud region (default: the SDK's environment and config files)")
	fs.StringVar(&f.Profile, "profile", "", "the credentials profile (default: the SDK's environment and config files)")
	fs.StringVar(&f.Endpoint, "endpoint", "", "an API-compatible endpoint URL, such as a local moto_server for aws")
	fs.StringVar(&f.Image, "image", "", "the image (AMI or OMI) of the nodes (default on the fake and emulators: "+DefaultImage+")")
	fs.BoolVar(&f.Plan, "plan", false, "show the changes an apply would make, and make none (exit 0: no change, 2: changes)")
	fs.BoolVar(&f.Destroy, "destroy", false, "destroy every resource of the deployment (asks for confirmation)")
	fs.BoolVar(&f.Drift, "drift", false, "report what changed outside archkit (exit 0: no drift, 2: drift)")
	fs.BoolVar(&f.Blueprint, "blueprint", false, "print the Blueprint as JSON and stop")
	fs.BoolVar(&f.JSON, "json", false, "write every output as JSON on stdout (progress goes to stderr)")
	fs.BoolVar(&f.AutoApprove, "auto-approve", false, "apply replaces and deletes, and destroy, without asking")
	fs.Var(&f.AllowDataLoss, "allow-data-loss", "comma-separated logical ids of the stateful resources (\"database/db\") that -destroy, or an apply that must replace them, may delete")
	fs.BoolVar(&f.SkipFinalSnapshot, "skip-final-snapshot", false, "with -destroy: delete databases without a final snapshot")
	fs.BoolVar(&f.DeleteAutomatedBackups, "delete-automated-backups", false, "with -destroy: delete databases' automated backups with them (kept for their retention period otherwise)")
	fs.BoolVar(&f.Cleanup, "cleanup", false, "after the apply, apply again (no change) and destroy (default true on the fake)")
	fs.DurationVar(&f.LockWait, "lock-wait", 0, "wait this long for the deployment's lock when another run holds it (0: fail at once, naming the holder)")
	fs.StringVar(&f.BreakLock, "break-lock", "", "break the deployment's lock held by this holder id (a dead run's, as the locked error names it)")
	fs.DurationVar(&f.Timeout, "timeout", 0, "bound the whole run (0: none); what has not started by then is reported as not started")
	fs.StringVar(&f.Progress, "progress", ProgressAuto, "progress display: auto (live on a terminal), live or plain")
	fs.BoolVar(&f.Verbose, "v", false, "plain progress: also a line when an action starts or waits")
	fs.DurationVar(&f.Reconcile, "reconcile", 0, "after the apply, apply again at this interval to heal what moved out of band (a terminated VM, a deleted rule), until Ctrl-C")
	fs.StringVar(&f.Diagram, "diagram", "", "write the diagram to this file: .mmd, .dot, or .svg with a renderer")
}

// IsSet reports whether the flag name was given on the command line.
func (f *Flags) IsSet(name string) bool { return f != nil && f.set[name] }

// validate reports every bad combination at once, each naming the flag
// and the fix.
func (f *Flags) validate() error {
	var errs []error
	if _, err := lookup(f.Provider); err != nil {
		errs = append(errs, err)
	}
	var actions []string
	for name, on := range map[string]bool{"-plan": f.Plan, "-destroy": f.Destroy, "-drift": f.Drift, "-blueprint": f.Blueprint} {
		if on {
			actions = append(actions, name)
		}
	}
	if len(actions) > 1 {
		slices.Sort(actions)
		errs = append(errs, fmt.Errorf("%s: set together; choose one", strings.Join(actions, " and ")))
	}
	if f.Cleanup && len(actions) > 0 {
		errs = append(errs, fmt.Errorf("-cleanup: set with %s; use it alone, to apply and then destroy", actions[0]))
	}
	if f.Provider == Fake && (f.Region != "" || f.Profile != "" || f.Endpoint != "") {
		errs = append(errs, errors.New("-region, -profile and -endpoint: set with -provider fake, which has no account; add -provider aws or -provider outscale"))
	}
	if (f.SkipFinalSnapshot || f.DeleteAutomatedBackups) && !f.Destroy && !f.cleanup() {
		errs = append(errs, errors.New("-skip-final-snapshot and -delete-automated-backups: only a destroy deletes databases with them; add -destroy or -cleanup"))
	}
	switch f.Progress {
	case ProgressAuto, ProgressLive, ProgressPlain:
	default:
		errs = append(errs, fmt.Errorf("-progress %s: unknown; use auto, live or plain", f.Progress))
	}
	if err := f.validateReconcile(actions); err != nil {
		errs = append(errs, err)
	}
	if f.Timeout < 0 {
		errs = append(errs, fmt.Errorf("-timeout %s: negative; use 0 for no bound", f.Timeout))
	}
	if f.Diagram != "" {
		if _, err := diagramFormat(f.Diagram); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// settings returns the shared flags a Provider opens its driver with.
func (f *Flags) settings() Settings {
	return Settings{Region: f.Region, Profile: f.Profile, Endpoint: f.Endpoint}
}

// image returns -image, or DefaultImage where any image id works.
func (f *Flags) image() string {
	if f.Image == "" && (f.Provider == Fake || f.settings().IsLoopback()) {
		return DefaultImage
	}
	return f.Image
}

// cleanup reports whether the run ends with a re-apply and a destroy:
// -cleanup, or the fake unless -cleanup=false.
func (f *Flags) cleanup() bool {
	if f.IsSet("cleanup") {
		return f.Cleanup
	}
	return f.Provider == Fake && !f.Plan && !f.Destroy && !f.Drift && !f.Blueprint
}

// diagramFormat returns the format of a -diagram file name, from its
// extension.
func diagramFormat(path string) (string, error) {
	ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	switch ext {
	case "mmd", "dot", "svg":
		return ext, nil
	}
	return "", fmt.Errorf("-diagram %s: unknown format %q; use a .mmd, .dot or .svg file", path, ext)
}

// validateReconcile checks -reconcile against the other flags.
func (f *Flags) validateReconcile(actions []string) error {
	switch {
	case f.Reconcile == 0:
		return nil
	case f.Reconcile < 0:
		return fmt.Errorf("-reconcile %s: negative; give an interval such as 1m", f.Reconcile)
	case len(actions) > 0:
		return fmt.Errorf("-reconcile: set with %s; it follows an apply: use it without", actions[0])
	case f.cleanup():
		return errors.New("-reconcile: set with -cleanup, which destroys the deployment; add -cleanup=false")
	case f.JSON:
		return errors.New("-reconcile: set with -json; the loop reports its passes as text lines: drop -json")
	}
	return nil
}
