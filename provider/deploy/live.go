package deploy

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/cupwriter"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/archkit/archkit/provider"
)

// liveView draws the run on a terminal with mpb: a bar of the resources
// finished out of all, with the counts of what is pending, in progress
// and done, the elapsed time and the slowest resource in flight; below it
// a line per resource in flight, with what it is doing (creating, waiting
// until ready, retrying) and for how long. A resource's line goes away
// when it finishes, and its plain line (the [provider.Renderer] format)
// is printed above the bars, so the terminal keeps the whole log.
type liveView struct {
	w io.Writer
	// forceTTY draws even when w is not a terminal (-progress live).
	forceTTY bool

	mu     sync.Mutex
	p      *mpb.Progress
	header *mpb.Bar
	bars   map[string]*mpb.Bar
	seq    int
}

func (v *liveView) begin(p *progress, title string, total int) {
	opts := []mpb.ContainerOption{mpb.WithOutput(v.w), mpb.WithWidth(100), mpb.WithRefreshRate(120 * time.Millisecond)}
	if v.forceTTY {
		// Drawn into something that is no terminal (-progress live into
		// a file or a pipe): a terminal of a fixed size.
		opts = append(opts, mpb.WithConsoleWriter(fixedSize{cupwriter.New(v.w, true)}))
	}
	mp := mpb.New(opts...)
	header := mp.New(int64(max(total, 1)), mpb.BarStyle().Lbound("[").Filler("=").Tip(">").Padding(" ").Rbound("]"),
		mpb.BarPriority(0), mpb.BarWidth(24),
		mpb.PrependDecorators(decor.Name(title+" ")),
		mpb.AppendDecorators(
			decor.Any(func(decor.Statistics) string { return " " + headerCounts(p) + ", " }),
			decor.Elapsed(decor.ET_STYLE_GO),
			decor.Any(func(decor.Statistics) string { return slowestInFlight(p) }),
		))
	if total == 0 {
		header.SetTotal(0, true)
	}
	v.mu.Lock()
	v.p, v.header, v.bars, v.seq = mp, header, map[string]*mpb.Bar{}, 0
	v.mu.Unlock()
}

// headerCounts is the header's "12/26 done, 3 in progress, 11 pending".
func headerCounts(p *progress) string {
	c := p.counts()
	finished := c[phaseDone] + c[phaseFailed] + c[phaseInterrupted] + c[phaseNotStarted]
	total := finished + c[phasePending] + c[phaseRunning] + c[phaseWaiting]
	s := fmt.Sprintf("%d/%d done, %d in progress, %d pending", c[phaseDone], total, c[phaseRunning]+c[phaseWaiting], c[phasePending])
	if n := c[phaseFailed] + c[phaseInterrupted]; n > 0 {
		s += fmt.Sprintf(", %d failed", n)
	}
	if n := c[phaseNotStarted]; n > 0 {
		s += fmt.Sprintf(", %d not started", n)
	}
	return s
}

// slowestInFlight names the resource in flight for the longest time, once
// it has taken more than a few seconds.
func slowestInFlight(p *progress) string {
	fl := p.inFlight()
	if len(fl) == 0 {
		return ""
	}
	if d := fl[0].elapsed(p.now()); d >= 3*time.Second {
		return fmt.Sprintf(", slowest in flight: %s %s", fl[0].id, round(d))
	}
	return ""
}

func (v *liveView) update(p *progress, r resource, ev provider.Event) {
	v.mu.Lock()
	mp, header := v.p, v.header
	bar := v.bars[r.id]
	v.mu.Unlock()
	if mp == nil {
		return
	}
	switch ev.Type {
	case provider.EventStarted:
		if bar == nil {
			v.addBar(p, r, ev)
		}
	case provider.EventDone, provider.EventFailed, provider.EventNotStarted:
		if bar != nil {
			bar.Abort(true)
		}
		header.Increment()
		fmt.Fprintln(mp, line(r, ev))
	case provider.EventNotice, provider.EventRetried:
		var b strings.Builder
		provider.NewRenderer(&b).Handle(ev)
		fmt.Fprint(mp, b.String())
	}
}

// addBar adds the line of a resource in flight: a spinner, its id, what it
// is doing and for how long.
func (v *liveView) addBar(p *progress, r resource, ev provider.Event) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	id := r.id
	start := ev.Time
	doing := func(decor.Statistics) string {
		p.mu.Lock()
		defer p.mu.Unlock()
		if cur := p.byID[id]; cur != nil {
			return cur.doing()
		}
		return ""
	}
	v.bars[id] = v.p.New(0, mpb.NopStyle(), mpb.BarPriority(v.seq),
		mpb.PrependDecorators(
			decor.Spinner(nil),
			decor.Name(" "+ev.Action.Symbol()+" "+id, decor.WCSyncSpaceR),
		),
		mpb.AppendDecorators(
			decor.Any(doing, decor.WCSyncSpaceR),
			decor.NewElapsed(decor.ET_STYLE_GO, start),
		))
}

func (v *liveView) end(p *progress, summary string) {
	v.mu.Lock()
	mp, header, bars := v.p, v.header, v.bars
	v.p = nil
	v.mu.Unlock()
	if mp == nil {
		return
	}
	for _, b := range bars {
		b.Abort(true)
	}
	header.SetTotal(-1, true)
	mp.Wait()
	fmt.Fprintln(v.w, summary)
	p.report(v.w)
}

// fixedSize is a console writer of 100 columns and 40 lines, whatever its
// output.
type fixedSize struct{ *cupwriter.Writer }

func (fixedSize) GetTermSize() (width, height int, err error) { return 100, 40, nil }
func (fixedSize) IsTerminal() bool                            { return true }
