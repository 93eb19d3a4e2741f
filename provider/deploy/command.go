package deploy

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
)

// The exit statuses of a run, for CI: those of -plan and -drift are
// terraform plan -detailed-exitcode's.
const (
	// ExitOK: done; -plan: no change; -drift: no drift.
	ExitOK = 0
	// ExitError: a bad flag, an architecture that does not build, a
	// failed call, a plan not confirmed.
	ExitError = 1
	// ExitChanges: -plan found changes, -drift found drift.
	ExitChanges = 2
	// ExitInterrupted: the run was stopped by SIGINT (Ctrl-C) or SIGTERM;
	// what was done and what was not is reported.
	ExitInterrupted = 130
)

// Target is where a run deploys, given to the program's architecture
// function.
type Target struct {
	// Provider is the -provider name: "fake", "aws", "outscale".
	Provider string
	// Profile is the cloud's address plan profile (netplan.AWS ...). The
	// run sets it on an architecture whose Profile is zero.
	Profile netplan.Profile
	// Image is -image, or [DefaultImage] on the fake and on emulators:
	// the image of the nodes, for the clusters' tier.NewCluster.
	Image string
}

// Build returns the Blueprint a first run on t applies: the architecture
// f returns, with t's Profile when it sets none, built. A later run hands
// the architecture itself to the engine, which builds it around what is
// deployed (provider.Source): the subnets already there keep their
// ranges. A test calls Build to check what a program deploys, before or
// without applying it:
//
//	bp, err := deploy.Target{Provider: deploy.Fake, Profile: netplan.AWS, Image: deploy.DefaultImage}.Build(shop)
func (t Target) Build(f ArchitectureFunc) (*blueprint.Blueprint, error) {
	arch, err := t.architecture(f)
	if err != nil {
		return nil, err
	}
	return arch.Build()
}

// architecture calls f and gives the architecture t's Profile when it has
// none.
func (t Target) architecture(f ArchitectureFunc) (*pattern.Architecture, error) {
	if f == nil {
		return nil, errors.New("deploy: no architecture function; set Command.Architecture")
	}
	arch, err := f(t)
	if err == nil && arch == nil {
		err = errors.New("deploy: the architecture function returned no architecture")
	}
	if err != nil {
		return nil, err
	}
	if arch.Profile.Name == "" {
		arch.Profile = t.Profile
	}
	return arch, nil
}

// ArchitectureFunc returns the architecture a program deploys on t. It is
// called once per run, after the command line is parsed, so it may read
// the program's own flags; its error is reported as a bad flag is.
type ArchitectureFunc func(t Target) (*pattern.Architecture, error)

// Main is the whole main function of a deploy program: it parses the
// command line (the program's own flags, defined on flag.CommandLine
// before Main is called, and the shared ones: see [Flags]), builds the
// architecture, prints sections, plans, asks for a confirmation when the
// plan replaces or deletes, applies with a progress display, and exits
// with the status of the run ([ExitOK], [ExitChanges] ...). SIGINT
// (Ctrl-C) and SIGTERM cancel the run: resources not started are reported
// as such, and a second signal ends the program at once.
//
//	func main() { deploy.Main(shop, deploy.Subnets, deploy.SecurityGroups) }
//
//	func shop(t deploy.Target) (*pattern.Architecture, error) {
//		return pattern.New("shop", "10.20.0.0/16").AddTier(...), nil
//	}
func Main(arch ArchitectureFunc, sections ...Section) {
	cmd := &Command{Architecture: arch, Sections: sections, FlagSet: flag.CommandLine}
	os.Exit(cmd.Main())
}

// Command is a deploy program, for programs that need more than [Main]
// (their own engine options, a driver of their own) and for tests. Its
// zero value needs only Architecture.
type Command struct {
	// Architecture returns what to deploy. Required.
	Architecture ArchitectureFunc
	// Sections are printed before the plan, in this order (not with
	// -json, -destroy or -drift).
	Sections []Section
	// FlagSet receives the shared flags and parses the command line. nil:
	// a new FlagSet named after the program.
	FlagSet *flag.FlagSet
	// Driver, when set, is used whatever -provider says: a test's fake,
	// to look at after the run.
	Driver driver.Driver
	// EngineOptions adjust the engine after the run's own settings and
	// the provider's.
	EngineOptions []func(*provider.Options)
	// Stdin, Stdout and Stderr default to the process's. The
	// confirmation is read from Stdin when it is a terminal (see
	// [ErrNotConfirmed]).
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

func (c *Command) stdin() io.Reader {
	if c.Stdin == nil {
		return os.Stdin
	}
	return c.Stdin
}

func (c *Command) stdout() io.Writer {
	if c.Stdout == nil {
		return os.Stdout
	}
	return c.Stdout
}

func (c *Command) stderr() io.Writer {
	if c.Stderr == nil {
		return os.Stderr
	}
	return c.Stderr
}

// Main runs c with the process's arguments, cancelled by SIGINT and
// SIGTERM, and returns the exit status. A second signal ends the process
// at once, with the default action of the signal.
func (c *Command) Main() int {
	if c == nil {
		fmt.Fprintln(os.Stderr, "error: deploy: nil *Command")
		return ExitError
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-sig:
			signal.Stop(sig) // the next signal kills the process
			fmt.Fprintf(c.stderr(), "\n%s: stopping; what has not started will not start (again to quit at once)\n", s)
			cancel(&interruptError{sig: s})
		case <-ctx.Done():
		}
	}()
	defer signal.Stop(sig)
	return c.Run(ctx, os.Args[1:])
}

// interruptError is the cause of a run cancelled by a signal.
type interruptError struct{ sig os.Signal }

func (e *interruptError) Error() string { return "interrupted by " + e.sig.String() }

// Run parses args, runs the command and returns the exit status. ctx
// cancelled stops the run as a signal does (the status is then
// [ExitInterrupted]).
func (c *Command) Run(ctx context.Context, args []string) int {
	if c == nil {
		fmt.Fprintln(os.Stderr, "error: deploy: nil *Command")
		return ExitError
	}
	fs := c.FlagSet
	if fs == nil {
		fs = flag.NewFlagSet(filepath.Base(os.Args[0]), flag.ContinueOnError)
	}
	fs.SetOutput(c.stderr())
	f := &Flags{}
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitError // the flag package printed the error and the usage
	}
	f.set = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	r := &runner{cmd: c, flags: f, out: c.stdout(), human: c.stdout()}
	if f.JSON {
		r.human = c.stderr()
	}
	if err := f.validate(); err != nil {
		return r.fail(err)
	}
	if f.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, f.Timeout)
		defer cancel()
	}
	return r.run(ctx)
}

// runner is one run of a Command.
type runner struct {
	cmd   *Command
	flags *Flags
	// out receives the results (text, or JSON documents with -json);
	// human the text meant for a person: progress, prompts, notes.
	out, human io.Writer
	prov       Provider
	drv        driver.Driver
	// prog follows the current apply or destroy.
	prog *progress
}

// fail reports err (as an error document with -json) and returns
// ExitError.
func (r *runner) fail(err error) int {
	if r.flags.JSON {
		_ = writeJSON(r.out, NewErrorDocument(err))
	}
	fmt.Fprintf(r.cmd.stderr(), "error: %v\n", err)
	return ExitError
}

func (r *runner) run(ctx context.Context) int {
	f := r.flags
	r.prov, _ = lookup(f.Provider) // validated
	arch, err := Target{Provider: r.prov.Name, Profile: r.prov.Profile, Image: f.image()}.architecture(r.cmd.Architecture)
	if err != nil {
		return r.fail(err)
	}
	// The Blueprint of a first deployment, for -blueprint and the
	// sections; the engine plans arch itself, built around what is
	// deployed (provider.Source), so that deployed subnets keep their
	// ranges.
	bp, err := arch.Build()
	if err != nil {
		return r.fail(err)
	}
	if f.Blueprint {
		if err := writeJSON(r.out, bp); err != nil {
			return r.fail(err)
		}
		return ExitOK
	}
	if f.Diagram != "" {
		if err := writeDiagram(ctx, arch, f.Diagram); err != nil {
			return r.fail(err)
		}
		fmt.Fprintf(r.human, "Diagram written to %s\n", f.Diagram)
	}
	if !f.JSON && !f.Destroy && !f.Drift && len(r.cmd.Sections) > 0 {
		if err := writeSections(r.out, arch, bp, r.cmd.Sections); err != nil {
			return r.fail(err)
		}
		fmt.Fprint(r.out, "## Deployment\n\n")
	}
	if err := r.open(ctx); err != nil {
		return r.fail(err)
	}
	switch {
	case f.Plan:
		return r.plan(ctx, arch)
	case f.Drift:
		return r.drift(ctx, arch)
	case f.Destroy:
		return r.destroy(ctx, arch.DeploymentName(), nil)
	}
	code := r.applyAll(ctx, arch)
	if code != ExitOK || f.Reconcile == 0 {
		return code
	}
	return r.reconcile(ctx, arch)
}

// open opens the driver.
func (r *runner) open(ctx context.Context) error {
	s := r.flags.settings()
	s.Stderr = r.cmd.stderr()
	r.drv = r.cmd.Driver
	if r.drv == nil {
		d, err := r.prov.Open(ctx, s)
		if err != nil {
			return err
		}
		r.drv = d
	}
	return nil
}

// newView chooses the progress display: live on a terminal (or with
// -progress live), plain lines otherwise.
func (r *runner) newView() view {
	mode := r.flags.Progress
	if mode == ProgressAuto {
		mode = ProgressPlain
		if isTerminal(r.human) {
			mode = ProgressLive
		}
	}
	if mode == ProgressLive {
		return &liveView{w: r.human, forceTTY: !isTerminal(r.human)}
	}
	return &plainView{w: r.human, verbose: r.flags.Verbose, heartbeat: 10 * time.Second}
}

// engine returns an engine on the run's driver: a new progress display
// as OnEvent (for an apply or a destroy), the provider's adjustments, then
// the program's.
func (r *runner) engine(withProgress bool) *provider.Engine {
	var opts []func(*provider.Options)
	if withProgress {
		r.prog = newProgress(r.newView())
		opts = append(opts, func(o *provider.Options) { o.OnEvent = r.prog.handle })
	}
	if r.prov.Engine != nil && r.cmd.Driver == nil {
		s := r.flags.settings()
		s.Stderr = r.cmd.stderr()
		opts = append(opts, func(o *provider.Options) { r.prov.Engine(o, s) })
	}
	return provider.NewEngine(r.drv, append(opts, r.cmd.EngineOptions...)...)
}

// plan shows what an apply would change; ExitChanges when it would.
func (r *runner) plan(ctx context.Context, src provider.Source) int {
	cs, err := r.engine(false).Plan(ctx, src)
	if err != nil {
		return r.fail(err)
	}
	if r.flags.JSON {
		err = writeJSON(r.out, NewPlanDocument(cs))
	} else {
		_, err = cs.WriteTo(r.out)
		if lost := cs.LosesData(); err == nil && len(lost) > 0 {
			_, err = fmt.Fprintf(r.out, "An apply of this plan loses data: it is refused unless run with -allow-data-loss %s\n",
				strings.Join(lost, ","))
		}
	}
	if err != nil {
		return r.fail(err)
	}
	if cs.HasChanges() {
		return ExitChanges
	}
	return ExitOK
}

// drift reports what changed outside archkit; ExitChanges when something
// did.
func (r *runner) drift(ctx context.Context, src provider.Source) int {
	rep, err := r.engine(false).Drift(ctx, src)
	if err != nil {
		return r.fail(err)
	}
	if r.flags.JSON {
		err = writeJSON(r.out, NewDriftDocument(rep, r.drv.Name()))
	} else {
		_, err = io.WriteString(r.out, rep.String())
	}
	if err != nil {
		return r.fail(err)
	}
	if rep.HasDrift() {
		return ExitChanges
	}
	return ExitOK
}
