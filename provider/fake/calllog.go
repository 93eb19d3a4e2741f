package fake

import (
	"slices"
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
	d.calls = append(d.calls, c)
}

// Calls returns a copy of the call log, oldest first.
func (d *Driver) Calls() []Call {
	if !d.usable() {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.calls)
}

// ResetCalls empties the call log, so that a test can count the calls of
// one step: apply, ResetCalls, apply again, then check that Counts().Writes
// is zero.
func (d *Driver) ResetCalls() {
	if !d.usable() {
		return
	}
	d.mu.Lock()
	d.calls = nil
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
	for _, c := range d.calls {
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
