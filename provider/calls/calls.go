// Package calls is the expert minimum of API requests per resource kind
// and cloud: the fewest requests an expert needs to create, list and
// delete each resource of a Blueprint with archkit's ownership tags, and
// the bound a driver's calls are held to (issue 16, goal 3).
//
// The table is the one truth: docs/calls.md is rendered from it
// ([Markdown]) and a test checks that they agree. [Minimum] computes, from
// a Blueprint, the minimum writes and reads of an apply, of a no-op
// re-apply and of a destroy; the drivers' call-count tests hold their
// counts to [Bound.Within] of it: writes at most 1.05 times and reads at
// most 1.5 times the minimum.
//
// Polls (the reads while an asynchronous resource becomes ready or goes
// away) depend on the cloud's time, not on archkit: a table names the
// operations that poll ([Table.PollOps]) and the tests count them apart.
package calls

import (
	"fmt"
	"math"
	"slices"

	"github.com/archkit/archkit/pattern/blueprint"
)

// Cloud names a column of the table.
type Cloud string

// The clouds of the table. Fake counts the calls of the driver contract
// (Create, Update, Delete, List, Read, Zones) of package fake.
const (
	AWS      Cloud = "aws"
	Outscale Cloud = "outscale"
	Fake     Cloud = "fake"
)

// Count is a number of requests as a function of one resource: its routes,
// entries, subnets, listeners...
type Count func(r *blueprint.Resource) int

// n returns a Count of a constant.
func n(c int) Count { return func(*blueprint.Resource) int { return c } }

// Row is the cost of one kind on one cloud.
type Row struct {
	Kind blueprint.Kind
	// Create and Delete name the requests, in the words of the doc.
	Create, Delete string
	// Why gives the reason, "" when the requests speak for themselves.
	Why string
	// CreateWrites and DeleteWrites count the write requests of one
	// resource; CreateReads and DeleteReads the reads that its create or
	// delete cannot avoid (polls apart). nil counts zero.
	CreateWrites, CreateReads, DeleteWrites, DeleteReads Count
	// List is the read requests of the plan's list of the kind, and
	// ListEach those added per resource the list finds, both without the
	// operations of [Table.PollOps], which count apart; ListText names
	// them all.
	List, ListEach int
	ListText       string
}

// Table is the cost of every kind on one cloud, and what a deployment
// costs beyond its resources.
type Table struct {
	Cloud Cloud
	Rows  []Row
	// Zones is the read of the cloud's zones an apply makes.
	Zones int
	// LockWrites is the writes to take and release the deployment lock;
	// LockReads the reads an uncontended take makes.
	LockWrites, LockReads int
	// PollOps names the operations that poll asynchronous kinds: the
	// tests count them apart.
	PollOps []string
}

// Row returns the row of kind k, and false when the cloud has no such
// kind.
func (t *Table) Row(k blueprint.Kind) (Row, bool) {
	if t == nil {
		return Row{}, false
	}
	for _, r := range t.Rows {
		if r.Kind == k {
			return r, true
		}
	}
	return Row{}, false
}

// For returns the table of cloud c.
func For(c Cloud) (*Table, error) {
	switch c {
	case AWS:
		return &awsTable, nil
	case Outscale:
		return &outscaleTable, nil
	case Fake:
		return fakeTable(), nil
	}
	return nil, fmt.Errorf("calls: no table for cloud %q (want aws, outscale or fake)", c)
}

// Bound is a number of writes and reads.
type Bound struct {
	Writes, Reads int
}

// Steps is the minimum of each step of a deployment's life.
type Steps struct {
	// Apply is the first apply on an empty account: the plan's lists
	// before the lock and again under it, the zones, the lock, the
	// creates.
	Apply Bound
	// Reapply is an apply that finds nothing to do: the plan's lists
	// once, no lock, no write.
	Reapply Bound
	// Destroy lists before the lock, under it and once more to check
	// that nothing is left, and deletes every resource.
	Destroy Bound
}

// Slack is the margin of the bound over the minimum: writes at most 1.05
// times, reads at most 1.5 times (issue 16, goal 3).
var Slack = struct{ Writes, Reads float64 }{1.05, 1.5}

// Within reports whether got is within the slack of the minimum b, and
// the largest counts that are.
func (b Bound) Within(got Bound) (ok bool, limit Bound) {
	limit = Bound{
		Writes: int(math.Floor(float64(b.Writes) * Slack.Writes)),
		Reads:  int(math.Floor(float64(b.Reads) * Slack.Reads)),
	}
	return got.Writes <= limit.Writes && got.Reads <= limit.Reads, limit
}

// Minimum computes the minimum of an apply, a no-op re-apply and a
// destroy of bp on cloud c. A kind the cloud's table lacks (a network ACL
// on OUTSCALE) is an error: the driver would refuse it.
func Minimum(c Cloud, bp *blueprint.Blueprint) (Steps, error) {
	if bp == nil {
		return Steps{}, fmt.Errorf("calls: nil Blueprint; pass the Blueprint that Build returned")
	}
	t, err := For(c)
	if err != nil {
		return Steps{}, err
	}
	var lists, creates, deletes Bound
	for _, row := range t.Rows {
		lists.Reads += row.List
	}
	for i := range bp.Resources {
		r := &bp.Resources[i]
		row, ok := t.Row(r.Kind)
		if !ok {
			if r, row, ok = fallback(t, r); r == nil && ok {
				continue
			}
		}
		if !ok {
			return Steps{}, fmt.Errorf("calls: %s: cloud %s has no kind %s", r.ID, c, r.Kind)
		}
		lists.Reads += row.ListEach
		creates.Writes += count(row.CreateWrites, r)
		creates.Reads += count(row.CreateReads, r)
		deletes.Writes += count(row.DeleteWrites, r)
		deletes.Reads += count(row.DeleteReads, r)
	}
	// The lists of an empty deployment find nothing: ListEach counts only
	// under the lock of the apply, and in the destroy's first two looks.
	empty := 0
	for _, row := range t.Rows {
		empty += row.List
	}
	return Steps{
		Apply: Bound{
			Writes: creates.Writes + t.LockWrites,
			Reads:  2*empty + t.Zones + t.LockReads + creates.Reads,
		},
		Reapply: Bound{Reads: lists.Reads},
		Destroy: Bound{
			Writes: deletes.Writes + t.LockWrites,
			Reads:  2*lists.Reads + empty + t.LockReads + deletes.Reads,
		},
	}, nil
}

// fallback is what the engine makes of r on a cloud without its kind,
// with AllowFallback: a database, a cache or a broker becomes its fallback cluster (r and the
// cluster's row), a network ACL, a read replica, a flow log or an instance
// role is dropped (nil, true);
// false when r has no fallback.
func fallback(t *Table, r *blueprint.Resource) (*blueprint.Resource, Row, bool) {
	switch r.Kind {
	case blueprint.KindNetworkACL, blueprint.KindDatabaseReplica, blueprint.KindFlowLog, blueprint.KindInstanceRole:
		return nil, Row{}, true
	case blueprint.KindDatabase, blueprint.KindCache, blueprint.KindBroker:
		row, ok := t.Row(blueprint.KindCluster)
		if r.FallbackCluster() == nil || !ok {
			return r, Row{}, false
		}
		return &blueprint.Resource{ID: r.ID, Kind: blueprint.KindCluster, Cluster: r.FallbackCluster()}, row, true
	}
	return r, Row{}, false
}

func count(c Count, r *blueprint.Resource) int {
	if c == nil {
		return 0
	}
	return c(r)
}

// Tally is the requests of one step, by operation name.
type Tally struct {
	Writes, Reads, Polls int
	ByOp                 map[string]int
}

// Count sorts the requests of one step, by operation name, into writes,
// reads and polls (the operations of t.PollOps): isWrite tells a write
// operation of the cloud.
func (t *Table) Count(byOp map[string]int, isWrite func(op string) bool) Tally {
	out := Tally{ByOp: byOp}
	if t == nil || isWrite == nil {
		return out
	}
	for op, c := range byOp {
		switch {
		case isWrite(op):
			out.Writes += c
		case slices.Contains(t.PollOps, op):
			out.Polls += c
		default:
			out.Reads += c
		}
	}
	return out
}

// Bound returns the writes and reads of the tally.
func (t Tally) Bound() Bound { return Bound{Writes: t.Writes, Reads: t.Reads} }

// Judge compares the tally of one step ("apply", "re-apply", "destroy")
// with its minimum, writes and reads apart, and returns what is wrong: a
// part above its bound, unless gaps names it ("apply reads") with the
// reason it is still above; a part that gaps names and that is within its
// bound (the gap is closed: strike it from the list).
func Judge(step string, min Bound, got Tally, gaps map[string]string) []string {
	_, limit := min.Within(got.Bound())
	var out []string
	for _, p := range []struct {
		part       string
		got, limit int
	}{{"writes", got.Writes, limit.Writes}, {"reads", got.Reads, limit.Reads}} {
		name := step + " " + p.part
		why, known := gaps[name]
		switch over := p.got > p.limit; {
		case over && !known:
			out = append(out, fmt.Sprintf("%s: %d, above the bound %d (minimum %d writes, %d reads): %v",
				name, p.got, p.limit, min.Writes, min.Reads, got.ByOp))
		case !over && known:
			out = append(out, fmt.Sprintf("%s: %d, within the bound %d: the known gap (%s) is closed, strike it", name, p.got, p.limit, why))
		}
	}
	return out
}
