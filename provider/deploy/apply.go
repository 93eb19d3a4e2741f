package deploy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider"
)

// applyAll applies src and, with -cleanup (the fake's default), applies
// it again, which must write nothing, and destroys it.
func (r *runner) applyAll(ctx context.Context, src provider.Source) int {
	dep := src.DeploymentName()
	title := fmt.Sprintf("Applying %q to %s", dep, r.drv.Name())
	res, code := r.apply(ctx, src, title)
	if code != ExitOK || !r.flags.cleanup() {
		return code
	}
	fresh := res != nil && res.Changeset != nil && res.Changeset.Counts()[provider.ActionCreate] == len(res.Changeset.Changes)

	fmt.Fprintln(r.human)
	again, code := r.apply(ctx, src, fmt.Sprintf("Applying %q again (nothing has changed: nothing may be written)", dep))
	var errs []error
	if code != ExitOK {
		return code
	}
	if again != nil && again.WriteCalls != 0 {
		errs = append(errs, fmt.Errorf("deploy: the second apply of %q made %d write calls; want 0", dep, again.WriteCalls))
	}
	fmt.Fprintln(r.human)
	// What this run created goes without a question, its databases
	// included and without final snapshots: they hold nothing but what
	// this run wrote. A deployment that existed before is destroyed as
	// -destroy does it: asked, and its data kept unless the flags say.
	var made *cleanupGrant
	if fresh {
		made = &cleanupGrant{stateful: res.Changeset.Stateful()}
	}
	if code := r.destroy(ctx, dep, made); code != ExitOK {
		return code
	}
	if err := errors.Join(errs...); err != nil {
		return r.fail(err)
	}
	return ExitOK
}

// apply plans src, shows the plan, asks for a confirmation when it
// replaces or deletes, and applies it with the progress display. The
// stateful resources -allow-data-loss names may be replaced.
func (r *runner) apply(ctx context.Context, src provider.Source, title string) (*provider.Result, int) {
	res, err := r.engine(true).Apply(ctx, src, func(o *provider.ApplyOptions) {
		o.AllowDataLoss = r.flags.AllowDataLoss
		o.Lock.Wait, o.Lock.Break = r.flags.LockWait, r.flags.BreakLock
		o.Confirm = func(cs *provider.Changeset) error {
			if !r.flags.JSON && cs.HasChanges() {
				if _, err := fmt.Fprintf(r.out, "%s\n", cs); err != nil {
					return err
				}
			}
			if err := r.confirm(ctx, "apply", cs); err != nil {
				return err
			}
			r.prog.begin(title, cs)
			return nil
		}
	})
	return res, r.finish(ctx, "apply", res, err)
}

// cleanupGrant is what the destroy that ends a -cleanup run of a fresh
// deployment may do without asking: delete the stateful resources the run
// itself created, without final snapshots.
type cleanupGrant struct{ stateful []string }

// destroy deletes every resource of deployment, after a confirmation
// unless made (the cleanup of what this run created) grants it. The
// stateful resources go only when -allow-data-loss (or made) names them.
func (r *runner) destroy(ctx context.Context, deployment string, made *cleanupGrant) int {
	asked := false
	res, err := r.engine(true).Destroy(ctx, deployment, func(o *provider.DestroyOptions) {
		o.AllowDataLoss = r.flags.AllowDataLoss
		o.SkipFinalSnapshot, o.DeleteAutomatedBackups = r.flags.SkipFinalSnapshot, r.flags.DeleteAutomatedBackups
		o.Lock.Wait, o.Lock.Break = r.flags.LockWait, r.flags.BreakLock
		if made != nil {
			o.AllowDataLoss, o.SkipFinalSnapshot = made.stateful, true
		}
		o.Confirm = func(cs *provider.Changeset) error {
			asked = true
			if made == nil {
				if err := r.confirm(ctx, "destroy", cs); err != nil {
					return err
				}
			}
			r.prog.begin(fmt.Sprintf("Destroying %q on %s", deployment, r.drv.Name()), cs)
			return nil
		}
	})
	if err == nil && !asked {
		fmt.Fprintf(r.human, "Nothing to destroy: no resource of %q on %s\n", deployment, r.drv.Name())
	}
	return r.finish(ctx, "destroy", res, err)
}

// finish ends the progress display, reports the run (a result document
// with -json) and returns its exit status.
func (r *runner) finish(ctx context.Context, op string, res *provider.Result, err error) int {
	if res == nil { // the engine refused before it had anything to report
		res = &provider.Result{}
	}
	interrupted := ctx.Err() != nil
	err = withFlagHint(err)
	if errors.Is(err, ErrNotConfirmed) {
		fmt.Fprintf(r.human, "%s cancelled: nothing was written\n", capitalize(op))
	}
	r.prog.end(fmt.Sprintf("%s\n%d write calls, %d read calls", res, res.WriteCalls, res.ReadCalls))
	if r.flags.JSON {
		if werr := writeJSON(r.out, r.resultDocument(op, res, err, interrupted)); werr != nil && err == nil {
			err = werr
		}
	}
	switch {
	case err == nil:
		return ExitOK
	case ctx.Err() != nil && !errors.Is(context.Cause(ctx), context.DeadlineExceeded):
		fmt.Fprintf(r.cmd.stderr(), "error: %v\n", err)
		return ExitInterrupted
	}
	fmt.Fprintf(r.cmd.stderr(), "error: %v\n", err)
	return ExitError
}

// withFlagHint adds to a refusal to lose data the flag that lifts it:
// the engine's error names the Go option, a person at a command line
// needs the flag.
func withFlagHint(err error) error {
	var le *provider.LockedError
	if errors.As(err, &le) {
		return fmt.Errorf("%w\nnothing was written; to wait for that run, run again with -lock-wait 10m; if it is dead, with -break-lock %s", err, le.Lock.Holder.ID)
	}
	var pe *provider.ProtectedError
	if !errors.As(err, &pe) {
		return err
	}
	hint := "-allow-data-loss " + strings.Join(pe.IDs(), ",")
	if pe.Verb == "destroy" {
		hint += " (a database goes with a final snapshot unless -skip-final-snapshot)"
	}
	return fmt.Errorf("%w\nnothing was written; to go on, run again with %s", err, hint)
}

// resultDocument is the JSON of a finished run.
func (r *runner) resultDocument(op string, res *provider.Result, err error, interrupted bool) *ResultDocument {
	doc := &ResultDocument{
		Schema: SchemaResult, Operation: op, Provider: r.drv.Name(), Status: statusOf(err, interrupted),
		Summary: ResultSummary{Created: res.Created, Updated: res.Updated, Replaced: res.Replaced, Deleted: res.Deleted,
			Unchanged: res.Unchanged, Failed: res.Failed, NotStarted: res.NotStarted},
		WriteCalls: res.WriteCalls, ReadCalls: res.ReadCalls, Seconds: res.Makespan.Seconds(),
		Resources: []ResourceDocument{},
	}
	if cs := res.Changeset; cs != nil {
		doc.Deployment = cs.Deployment
		if op == "apply" {
			doc.Plan = NewPlanDocument(cs)
		}
	}
	if err != nil {
		doc.Error = err.Error()
	}
	for _, rs := range r.prog.snapshot() {
		rd := ResourceDocument{ID: rs.id, Kind: rs.kind, Action: rs.action, Status: rs.phase, ProviderID: rs.providerID,
			Seconds: rs.duration.Seconds(), Message: rs.message}
		if rs.err != nil {
			rd.Error = rs.err.Error()
		}
		doc.Resources = append(doc.Resources, rd)
	}
	return doc
}

// A Renderer turns a Graphviz (DOT) source into a picture in one format
// ("svg"): see [RegisterRenderer].
type Renderer func(ctx context.Context, dot []byte) ([]byte, error)

var (
	renderersMu sync.Mutex
	renderers   = map[string]Renderer{}
)

// RegisterRenderer makes -diagram write files of format ("svg")
// with render. The pictures need a Graphviz layout engine, which is heavy
// to compile, so none is built in: package
// github.com/archkit/archkit/provider/deploy/renderdeploy registers a pure
// Go one when it is imported for its side effect. A later registration of
// the same format replaces the earlier.
func RegisterRenderer(format string, render Renderer) {
	if render == nil {
		return
	}
	renderersMu.Lock()
	defer renderersMu.Unlock()
	renderers[format] = render
}

// writeDiagram writes arch's diagram to path, in the format of its
// extension.
func writeDiagram(ctx context.Context, arch *pattern.Architecture, path string) error {
	format, err := diagramFormat(path)
	if err != nil {
		return err
	}
	var out []byte
	switch format {
	case "mmd":
		m, err := arch.Mermaid()
		if err != nil {
			return err
		}
		out = []byte(m)
	default:
		dot, err := arch.DOT()
		if err != nil {
			return err
		}
		out = []byte(dot)
		if format != "dot" {
			renderersMu.Lock()
			render := renderers[format]
			renderersMu.Unlock()
			if render == nil {
				return fmt.Errorf("-diagram %s: no %s renderer in this program; build it with the renderer "+
					"(go run -tags graphviz ..., for the examples) or import _ %q; or write a .dot or .mmd file",
					path, format, "github.com/archkit/archkit/provider/deploy/renderdeploy")
			}
			if out, err = render(ctx, out); err != nil {
				return fmt.Errorf("-diagram %s: %w", path, err)
			}
		}
	}
	return os.WriteFile(path, out, 0o644)
}
