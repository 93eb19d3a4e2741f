package provider

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Renderer prints the events of a run as progress lines on a terminal or
// a log file: one line per resource when its action ends (done, failed or
// skipped), retries and notices as they happen, and the summary at the end:
//
//	$ go run ./deploy
//	+ net/main: created vpc-0a1b [20ms]
//	+ subnet/web/a: created subnet-0c2d [21ms]
//	~ security_group_rules/web: updated sgr-0e3f [20ms]
//	Apply complete: 23 created, 1 updated, 0 replaced, 0 deleted in 1.2s
//
// Use its Handle method as [Options.OnEvent]. It is safe for concurrent
// use. Write errors are ignored: progress output is best effort.
type Renderer struct {
	mu sync.Mutex
	w  io.Writer
	// Verbose adds a line when an action starts, when the engine starts
	// waiting for a resource, and for every planned change. Default false.
	Verbose bool
}

// NewRenderer returns a Renderer writing to w.
func NewRenderer(w io.Writer) *Renderer { return &Renderer{w: w} }

var (
	progressWord = map[Action]string{ActionCreate: "creating", ActionUpdate: "updating", ActionReplace: "replacing",
		ActionDelete: "deleting", ActionNoop: "waiting"}
	doneWord = map[Action]string{ActionCreate: "created", ActionUpdate: "updated", ActionReplace: "replaced",
		ActionDelete: "deleted", ActionNoop: "ready"}
)

// Handle prints ev. Its signature fits [Options.OnEvent].
func (r *Renderer) Handle(ev Event) {
	if r == nil || r.w == nil {
		return // nowhere to print: the zero Renderer and NewRenderer(nil) drop events
	}
	var line string
	sym := ev.Action.Symbol()
	switch ev.Type {
	case EventPlanned:
		if !r.Verbose {
			return
		}
		line = fmt.Sprintf("%s %s %s (%s)", sym, ev.Action, ev.ID, ev.Message)
	case EventStarted:
		if !r.Verbose {
			return
		}
		line = fmt.Sprintf("%s %s: %s...", sym, ev.ID, progressWord[ev.Action])
	case EventWaiting:
		if !r.Verbose {
			return
		}
		line = fmt.Sprintf("%s %s: waiting until ready...", sym, ev.ID)
	case EventRetried:
		line = fmt.Sprintf("%s %s: attempt %d failed, retrying: %v", sym, ev.ID, ev.Attempt, ev.Err)
	case EventDone:
		line = fmt.Sprintf("%s %s: %s", sym, ev.ID, doneWord[ev.Action])
		if ev.ProviderID != "" {
			line += " " + ev.ProviderID
		}
		line += " [" + ev.Duration.Round(time.Millisecond).String() + "]"
	case EventFailed:
		line = fmt.Sprintf("%s %s: FAILED after %s: %v", sym, ev.ID, ev.Duration.Round(time.Millisecond), ev.Err)
	case EventSkipped:
		line = fmt.Sprintf("%s %s: skipped: %s", sym, ev.ID, ev.Message)
	case EventNotice:
		line = "! " + ev.Message
	case EventComplete:
		line = ev.Message
	default:
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintln(r.w, line)
}
