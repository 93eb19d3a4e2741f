package fake

import (
	"iter"
	"time"

	"github.com/archkit/archkit/pattern/blueprint"
)

// Call is one entry of the call log: an operation of the Driver interface,
// the resource it was about and its outcome.
type Call struct {
	Op        string         // OpCreate, OpRead, OpList, OpUpdate, OpDelete, OpZones, or a lock operation (OpCreateLock ...)
	Kind      blueprint.Kind // "" for Zones
	ID        string         // provider id, once known
	LogicalID string         // logical id, when the call carried it
	Err       error          // nil on success
	Time      time.Time      // when the call finished
}

// IsWrite reports whether c changed, or tried to change, state.
func (c Call) IsWrite() bool { return IsWrite(c.Op) }

// Counts sums up the call log.
type Counts struct {
	Calls  int // every call
	Reads  int // List, Read, Zones
	Writes int // Create, Update, Delete
	Locks  int // CreateLock, ReadLock, RenewLock, DeleteLock: the deployment lock, neither reads nor writes of resources
	Errors int // calls that returned an error, injected ones included
	// ByOp counts calls per operation, ByKind per kind and WritesByKind
	// the write calls per kind.
	ByOp         map[string]int
	ByKind       map[blueprint.Kind]int
	WritesByKind map[blueprint.Kind]int
}

func (d *Driver) record(c Call, err error) {
	c.Err = err
	c.Time = d.opts.Now()
	d.calls.add(c)
}

// callLog holds the calls in blocks that double up to maxLogBlock calls:
// logging a call never copies the ones before it, where one slice would
// copy its whole log each time it grew (five times the log's final size
// over an apply of thousands of resources).
type callLog struct {
	blocks [][]Call
	n      int
}

const maxLogBlock = 1024

func (l *callLog) add(c Call) {
	if len(l.blocks) == 0 || len(l.blocks[len(l.blocks)-1]) == cap(l.blocks[len(l.blocks)-1]) {
		size := 8
		if len(l.blocks) > 0 {
			size = min(2*cap(l.blocks[len(l.blocks)-1]), maxLogBlock)
		}
		l.blocks = append(l.blocks, make([]Call, 0, size))
	}
	last := &l.blocks[len(l.blocks)-1]
	*last = append(*last, c)
	l.n++
}

// list returns a copy of the log, oldest first; nil when it is empty.
func (l *callLog) list() []Call {
	if l.n == 0 {
		return nil
	}
	out := make([]Call, 0, l.n)
	for _, b := range l.blocks {
		out = append(out, b...)
	}
	return out
}

// all yields the calls of the log, oldest first.
func (l *callLog) all() iter.Seq[Call] {
	return func(yield func(Call) bool) {
		for _, b := range l.blocks {
			for _, c := range b {
				if !yield(c) {
					return
				}
			}
		}
	}
}

// Calls returns a copy of the call log, oldest first.
func (d *Driver) Calls() []Call {
	if !d.usable() {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls.list()
}

// ResetCalls empties the call log, so that a test can count the calls of
// one step: apply, ResetCalls, apply again, then check that Counts().Writes
// is zero.
func (d *Driver) ResetCalls() {
	if !d.usable() {
		return
	}
	d.mu.Lock()
	d.calls = callLog{}
	d.mu.Unlock()
}

// Counts sums up the call log.
func (d *Driver) Counts() Counts {
	if !d.usable() {
		return Counts{}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	n := Counts{ByOp: map[string]int{}, ByKind: map[blueprint.Kind]int{}, WritesByKind: map[blueprint.Kind]int{}}
	for c := range d.calls.all() {
		n.Calls++
		n.ByOp[c.Op]++
		if c.Kind != "" {
			n.ByKind[c.Kind]++
		}
		switch {
		case c.IsWrite():
			n.Writes++
			n.WritesByKind[c.Kind]++
		case IsLock(c.Op):
			n.Locks++
		default:
			n.Reads++
		}
		if c.Err != nil {
			n.Errors++
		}
	}
	return n
}
