package deploy

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
)

// The phases of a resource in a run, as the progress display shows them.
const (
	phasePending     = "pending"
	phaseRunning     = "running"
	phaseWaiting     = "waiting"
	phaseDone        = StatusDone
	phaseFailed      = StatusFailed
	phaseInterrupted = StatusInterrupted
	phaseNotStarted  = StatusNotStarted
)

// resource is what the progress knows of one resource of a run.
type resource struct {
	id         string
	kind       blueprint.Kind
	action     provider.Action
	phase      string
	providerID string
	start      time.Time
	duration   time.Duration
	attempt    int
	message    string
	err        error
}

func (r *resource) final() bool {
	switch r.phase {
	case phaseDone, phaseFailed, phaseInterrupted, phaseNotStarted:
		return true
	}
	return false
}

// elapsed is how long r has been in the works, or took.
func (r *resource) elapsed(now time.Time) time.Duration {
	if r.final() || r.start.IsZero() {
		return r.duration
	}
	return now.Sub(r.start)
}

// doing says what r is doing, for the display: "creating", "waiting
// until ready", "retrying (attempt 2 failed)".
func (r *resource) doing() string {
	switch {
	case r.phase == phaseWaiting:
		return "waiting until ready"
	case r.attempt > 0:
		return fmt.Sprintf("%s (attempt %d failed, retrying)", progressWord[r.action], r.attempt)
	}
	return progressWord[r.action]
}

var progressWord = map[provider.Action]string{provider.ActionCreate: "creating", provider.ActionUpdate: "updating",
	provider.ActionReplace: "replacing", provider.ActionDelete: "deleting", provider.ActionNoop: "waiting"}

// progress follows the events of one run (an apply or a destroy) and shows
// them through its view: a live view on a terminal, plain lines
// otherwise. It is safe for concurrent use: the engine calls handle from
// several goroutines.
type progress struct {
	view view
	now  func() time.Time

	mu      sync.Mutex
	title   string
	active  bool
	byID    map[string]*resource
	order   []*resource
	started time.Time
}

// view shows a run. Its methods are called without progress.mu held, so
// that a view may read the progress back (the live view's decorators do).
type view interface {
	begin(p *progress, title string, total int)
	// update is called after every event of a started resource.
	update(p *progress, r resource, ev provider.Event)
	// end shows the summary and the slowest resources.
	end(p *progress, summary string)
}

func newProgress(v view) *progress {
	return &progress{view: v, now: time.Now, byID: map[string]*resource{}}
}

// begin starts showing the run of cs; title names it ("Applying \"shop\"
// to fake").
func (p *progress) begin(title string, cs *provider.Changeset) {
	p.mu.Lock()
	p.title, p.active, p.started = title, true, p.now()
	p.byID, p.order = map[string]*resource{}, nil
	for _, c := range cs.Changes {
		if c.Action == provider.ActionNoop && !strings.HasPrefix(c.Reason, "exists, not ready") {
			continue
		}
		r := &resource{id: c.ID, kind: c.Kind, action: c.Action, phase: phasePending, providerID: c.ProviderID}
		key := c.ID
		if _, dup := p.byID[key]; dup {
			key = c.ID + "@" + c.ProviderID
		}
		p.byID[key] = r
		p.order = append(p.order, r)
	}
	total := len(p.order)
	p.mu.Unlock()
	p.view.begin(p, title, total)
}

// handle is the engine's OnEvent.
func (p *progress) handle(ev provider.Event) {
	p.mu.Lock()
	if !p.active {
		p.mu.Unlock()
		return
	}
	r := p.lookup(ev)
	if r == nil {
		p.mu.Unlock()
		if ev.Type == provider.EventNotice || ev.Type == provider.EventComplete {
			p.view.update(p, resource{}, ev)
		}
		return
	}
	switch ev.Type {
	case provider.EventStarted:
		r.phase, r.start = phaseRunning, ev.Time
	case provider.EventWaiting:
		r.phase = phaseWaiting
	case provider.EventRetried:
		r.attempt = ev.Attempt
	case provider.EventDone:
		r.phase, r.duration = phaseDone, ev.Duration
	case provider.EventFailed:
		r.phase, r.duration, r.err = phaseFailed, ev.Duration, ev.Err
		if errors.Is(ev.Err, context.Canceled) || errors.Is(ev.Err, context.DeadlineExceeded) {
			r.phase = phaseInterrupted
		}
	case provider.EventNotStarted:
		r.phase, r.message = phaseNotStarted, ev.Message
	default:
		p.mu.Unlock()
		return
	}
	if ev.ProviderID != "" {
		r.providerID = ev.ProviderID
	}
	snap := *r
	p.mu.Unlock()
	p.view.update(p, snap, ev)
}

// lookup returns the resource of ev; p.mu is held.
func (p *progress) lookup(ev provider.Event) *resource {
	if ev.ID == "" {
		return nil
	}
	if r, ok := p.byID[ev.ID+"@"+ev.ProviderID]; ok {
		return r
	}
	return p.byID[ev.ID]
}

// end stops showing the run.
func (p *progress) end(summary string) {
	p.mu.Lock()
	if !p.active {
		p.mu.Unlock()
		return
	}
	p.active = false
	p.mu.Unlock()
	p.view.end(p, summary)
}

// counts returns how many resources are in each phase.
func (p *progress) counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := map[string]int{}
	for _, r := range p.order {
		c[r.phase]++
	}
	return c
}

// snapshot returns a copy of every resource, in plan order.
func (p *progress) snapshot() []resource {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]resource, len(p.order))
	for i, r := range p.order {
		out[i] = *r
	}
	return out
}

// inFlight returns the resources started and not finished, the longest
// running first.
func (p *progress) inFlight() []resource {
	now := p.now()
	var out []resource
	for _, r := range p.snapshot() {
		if r.phase == phaseRunning || r.phase == phaseWaiting {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b resource) int { return cmp.Compare(b.elapsed(now), a.elapsed(now)) })
	return out
}

// slowEnough is the shortest action the summary names among the slowest:
// a cloud's NAT gateways and databases, not the fake's milliseconds.
const slowEnough = 100 * time.Millisecond

// slowest names the n resources whose actions took longest, with their
// times: "database/db 4m12s, nat_gateway/nat/a 1m30s".
func (p *progress) slowest(n int) string {
	var done []resource
	for _, r := range p.snapshot() {
		if r.duration >= slowEnough {
			done = append(done, r)
		}
	}
	slices.SortStableFunc(done, func(a, b resource) int { return cmp.Compare(b.duration, a.duration) })
	var parts []string
	for _, r := range done[:min(n, len(done))] {
		parts = append(parts, r.id+" "+round(r.duration).String())
	}
	return strings.Join(parts, ", ")
}

// round keeps a duration readable: milliseconds under a second, tenths
// of a second under a minute, seconds beyond.
func round(d time.Duration) time.Duration {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond)
	case d < time.Minute:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// line is the plain line of a finished resource, in the format of
// [provider.Renderer]: "+ subnet/web/a: created subnet-0c2d [21ms]".
func line(r resource, ev provider.Event) string {
	var b strings.Builder
	provider.NewRenderer(&b).Handle(ev)
	s := strings.TrimSuffix(b.String(), "\n")
	if r.phase == phaseInterrupted {
		s = fmt.Sprintf("%s %s: interrupted after %s (it may exist: the next run finds it by its tags)",
			ev.Action.Symbol(), r.id, round(r.duration))
	}
	return s
}

// report writes, after a run's summary, the slowest resources and what
// an interrupted run did not do.
func (p *progress) report(w io.Writer) {
	if s := p.slowest(3); s != "" {
		fmt.Fprintf(w, "Slowest: %s\n", s)
	}
	var interrupted, notStarted []string
	for _, r := range p.snapshot() {
		switch r.phase {
		case phaseInterrupted:
			interrupted = append(interrupted, r.id)
		case phaseNotStarted:
			notStarted = append(notStarted, r.id)
		}
	}
	if len(interrupted) > 0 {
		fmt.Fprintf(w, "Interrupted in flight (%d): %s; they may exist, and the next run finds them by their tags\n",
			len(interrupted), strings.Join(interrupted, ", "))
	}
	if len(notStarted) > 0 {
		fmt.Fprintf(w, "Not started (%d): %s\n", len(notStarted), abbreviate(notStarted, 8))
	}
}

// abbreviate joins the first n ids and says how many more there are.
func abbreviate(ids []string, n int) string {
	if len(ids) <= n {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:n], ", "), len(ids)-n)
}

// plainView prints one line per finished resource (the format of
// [provider.Renderer]), retries and notices as they happen, and, while
// resources take long (a NAT gateway, a database), a line every
// heartbeat naming what is still in the works, so that a log never stays
// silent for minutes.
type plainView struct {
	w         io.Writer
	verbose   bool
	heartbeat time.Duration

	mu   sync.Mutex
	stop chan struct{}
	done chan struct{}
}

func (v *plainView) print(s string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintln(v.w, s)
}

func (v *plainView) begin(p *progress, title string, total int) {
	v.print(fmt.Sprintf("%s: %d to do", title, total))
	v.stop, v.done = make(chan struct{}), make(chan struct{})
	go v.beat(p)
}

// beat prints what is in flight every heartbeat, until end.
func (v *plainView) beat(p *progress) {
	defer close(v.done)
	t := time.NewTicker(v.heartbeat)
	defer t.Stop()
	for {
		select {
		case <-v.stop:
			return
		case <-t.C:
			if fl := p.inFlight(); len(fl) > 0 {
				now := p.now()
				var parts []string
				for _, r := range fl[:min(len(fl), 5)] {
					parts = append(parts, fmt.Sprintf("%s %s %s", r.id, r.doing(), round(r.elapsed(now))))
				}
				c := p.counts()
				v.print(fmt.Sprintf("... %d in progress, %d pending, %d done: %s",
					len(fl), c[phasePending], c[phaseDone], strings.Join(parts, "; ")))
			}
		}
	}
}

func (v *plainView) update(_ *progress, r resource, ev provider.Event) {
	switch ev.Type {
	case provider.EventStarted, provider.EventWaiting:
		if !v.verbose {
			return
		}
	case provider.EventComplete:
		return // end prints the summary
	case provider.EventFailed:
		v.print(line(r, ev))
		return
	}
	var b strings.Builder
	rd := provider.NewRenderer(&b)
	rd.Verbose = v.verbose
	rd.Handle(ev)
	if s := strings.TrimSuffix(b.String(), "\n"); s != "" {
		v.print(s)
	}
}

func (v *plainView) end(p *progress, summary string) {
	close(v.stop)
	<-v.done
	v.mu.Lock()
	defer v.mu.Unlock()
	fmt.Fprintln(v.w, summary)
	p.report(v.w)
}
