package deploy

import (
	"context"
	"fmt"
	"time"

	"github.com/archkit/archkit/provider"
)

// reconcile runs provider.Engine.Reconcile after the apply (-reconcile):
// a line per pass, and the changes of a pass that healed something, until
// ctx ends (Ctrl-C, -timeout). A stop by Ctrl-C is a clean end: exit 0.
func (r *runner) reconcile(ctx context.Context, src provider.Source) int {
	f := r.flags
	fmt.Fprintf(r.human, "\nReconciling %q every %s; Ctrl-C stops.\n", src.DeploymentName(), f.Reconcile)
	err := r.engine(false).Reconcile(ctx, src, func(o *provider.ReconcileOptions) {
		o.Interval = f.Reconcile
		o.AllowDataLoss = f.AllowDataLoss
		o.Lock.Wait = f.LockWait
		o.OnPass = func(p provider.Pass) { r.printPass(p) }
	})
	if err != nil {
		return r.fail(err)
	}
	fmt.Fprintln(r.human, "Reconcile stopped.")
	return ExitOK
}

// printPass writes one pass: "15:04:05 reconcile pass 2: healed: ...",
// then a line per change it made.
func (r *runner) printPass(p provider.Pass) {
	fmt.Fprintf(r.human, "%s %s\n", p.Start.Format(time.TimeOnly), p)
	if !p.Healed() || p.Result.Changeset == nil {
		return
	}
	for _, c := range p.Result.Changeset.Changes {
		if c.Action != provider.ActionNoop {
			fmt.Fprintf(r.human, "    %s %s: %s\n", c.Action, c.ID, c.Reason)
		}
	}
}
