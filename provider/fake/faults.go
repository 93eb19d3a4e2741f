package fake

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/wait"
	"github.com/archkit/archkit/provider/ratelimit"
)

// Fault makes matching calls fail. A call matches when its operation is Op
// (or Op is "") and its kind is Kind (or Kind is ""), and, with WritesOnly,
// when it is a write (Create, Update, Delete). Calls are counted from the
// moment the fault is injected.
//
// Fail the third write call, whatever it is, with a retryable error:
//
//	d.Inject(fake.Fault{WritesOnly: true, Nth: 3, Code: driver.Unavailable})
//
// Fail every Delete of a security group:
//
//	d.Inject(fake.Fault{Op: fake.OpDelete, Kind: blueprint.KindSecurityGroup, Code: driver.Dependency})
type Fault struct {
	Op         string
	Kind       blueprint.Kind
	WritesOnly bool
	// Nth, when positive, fires the fault on the Nth matching call only
	// (1 is the first). 0 fires it on every matching call, up to Times.
	Nth int
	// Times caps how often a fault with Nth == 0 fires; 0: no cap.
	Times int
	// PerResource counts Nth and Times for each resource apart (by
	// logical id, else provider id) rather than over every matching call:
	// Fault{Op: OpCreate, PerResource: true, Nth: 1, AfterEffect: true}
	// loses the answer of the first Create of every resource, and of no
	// retry.
	PerResource bool
	// AfterEffect lets the call take effect before it fails, like a
	// response lost on the way back: a Create made the resource, yet the
	// caller sees an error. Retrying with the same Request.Token must then
	// return the resource instead of a duplicate.
	AfterEffect bool
	// Code is the error's code. Unknown: Unavailable (retryable).
	Code driver.Code
	// Err is the error wrapped in the *driver.Error. nil: a message
	// naming the fault.
	Err error
}

type faultState struct {
	f     Fault
	seen  map[string]int // by resource with PerResource, else under ""
	fired map[string]int
}

// key is what calls are counted by: the resource with PerResource.
func (s *faultState) key(c Call) string {
	if s.f.PerResource {
		return cmp.Or(c.LogicalID, c.ID)
	}
	return ""
}

// matches counts the call and reports whether the fault fires on it.
func (s *faultState) matches(c Call) bool {
	f := s.f
	if f.Op != "" && f.Op != c.Op || f.Kind != "" && f.Kind != c.Kind || f.WritesOnly && !IsWrite(c.Op) {
		return false
	}
	key := s.key(c)
	s.seen[key]++
	switch {
	case f.Nth > 0:
		if s.seen[key] != f.Nth {
			return false
		}
	case f.Times > 0 && s.fired[key] >= f.Times:
		return false
	}
	s.fired[key]++
	return true
}

func (s *faultState) err(c Call) *driver.Error {
	code := s.f.Code
	if code == driver.Unknown {
		code = driver.Unavailable
	}
	err := s.f.Err
	if err == nil {
		err = fmt.Errorf("fake: injected fault on %s %s (call %d that matches)", c.Op, kindName(c.Kind), s.seen[s.key(c)])
	}
	id := c.ID
	if id == "" {
		id = c.LogicalID
	}
	return driver.NewError(c.Op, string(c.Kind), id, code, err)
}

// Inject adds a fault and returns a function that removes it.
func (d *Driver) Inject(f Fault) (remove func()) {
	if !d.usable() {
		return func() {}
	}
	s := &faultState{f: f, seen: map[string]int{}, fired: map[string]int{}}
	d.mu.Lock()
	d.faults = append(d.faults, s)
	d.mu.Unlock()
	return func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		for i, o := range d.faults {
			if o == s {
				d.faults = append(d.faults[:i:i], d.faults[i+1:]...)
				return
			}
		}
	}
}

// FailCall makes the k-th call from now (1 is the next), whatever it is,
// fail with code.
func (d *Driver) FailCall(k int, code driver.Code) {
	if !d.usable() {
		return
	}
	d.Inject(Fault{Nth: k, Code: code})
}

// FailWrite makes the k-th write call from now (Create, Update or Delete)
// fail with code, before it takes effect. This is how a test shows that an
// apply interrupted at every step converges when run again:
//
//	for k := 1; k <= writes; k++ { d := fake.New(); d.FailWrite(k, driver.Internal); ... }
func (d *Driver) FailWrite(k int, code driver.Code) {
	if !d.usable() {
		return
	}
	d.Inject(Fault{WritesOnly: true, Nth: k, Code: code})
}

// FailOn makes every call of operation op ("" for all) on kind ("" for
// all) fail with code, until [Driver.ClearFaults].
func (d *Driver) FailOn(op string, kind blueprint.Kind, code driver.Code) {
	if !d.usable() {
		return
	}
	d.Inject(Fault{Op: op, Kind: kind, Code: code})
}

// Throttle makes a fraction (0 to 1) of the calls fail with Code Throttled,
// a retryable error, chosen by a generator seeded with seed: the same seed
// and the same sequence of calls throttle the same calls. Throttle(0, 0)
// stops throttling.
func (d *Driver) Throttle(fraction float64, seed uint64) {
	if !d.usable() {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if fraction <= 0 {
		d.thr = nil
		return
	}
	d.thr = &throttle{fraction: fraction, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

type throttle struct {
	fraction float64
	rng      *rand.Rand
}

// SetLatency sets the delay added to every call from now on.
func (d *Driver) SetLatency(l time.Duration) {
	if !d.usable() {
		return
	}
	d.mu.Lock()
	d.latency = l
	d.mu.Unlock()
}

// ClearFaults removes every injected fault and stops throttling.
func (d *Driver) ClearFaults() {
	if !d.usable() {
		return
	}
	d.mu.Lock()
	d.faults = nil
	d.thr = nil
	d.mu.Unlock()
}

// call runs fn under the lock, after the rate limiter of ctx (the request
// of the fake's cloud that c stands for, see api), the latency, throttling
// and faults, and records the call in the log.
func (d *Driver) call(ctx context.Context, c Call, fn func(c *Call) error) error {
	d.mu.Lock()
	lat := d.latency
	d.mu.Unlock()
	err := ratelimit.Wait(ctx, d.apiCall(c))
	if err == nil {
		err = wait.Sleep(ctx, lat)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		err = driver.NewError(c.Op, string(c.Kind), c.ID, driver.Unknown, err)
		d.record(c, err)
		return err
	}
	var before, after error
	for _, s := range d.faults {
		if s.matches(c) {
			if s.f.AfterEffect {
				after = s.err(c)
			} else if before == nil {
				before = s.err(c)
			}
		}
	}
	if before == nil && after == nil && d.thr != nil && d.thr.rng.Float64() < d.thr.fraction {
		before = driver.NewError(c.Op, string(c.Kind), c.ID, driver.Throttled, errors.New("fake: Throttling: Rate exceeded"))
	}
	if before != nil {
		d.record(c, before)
		return before
	}
	err = fn(&c)
	if err == nil && after != nil {
		err = after
	}
	d.record(c, err)
	return err
}
