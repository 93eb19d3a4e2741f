package provider

import (
	"fmt"
	"slices"
	"strings"

	"github.com/archkit/archkit/pattern/blueprint"
)

type opKind uint8

const (
	opCreate opKind = iota
	opUpdate
	opDelete
	opWait
	// opBarrier does nothing: it waits for many nodes so that many others
	// can wait for it (every group's delete after every rule set's), with
	// as many edges as nodes rather than their product.
	opBarrier
)

// node is one driver operation of a run.
type node struct {
	ch   *Change
	op   opKind
	late bool // a delete that waits for every create and update

	deps, dependents []*node
	pending          int
	rank, seq        int
	// blocked says why the node cannot start ("depends on X, which
	// failed"); notStarted that it ended without a call.
	blocked    string
	notStarted bool
	err        error
}

func (n *node) name() string { return n.ch.ID }

// addDep makes n wait for d.
func (n *node) addDep(d *node) {
	if d == nil || d == n || slices.Contains(n.deps, d) {
		return
	}
	n.deps = append(n.deps, d)
	d.dependents = append(d.dependents, n)
}

// graph builds the operations of cs and their order:
//
//   - each create, update and wait follows what its resource depends on;
//   - a replace deletes the old resource before its create (delete-first)
//     or after it;
//   - a resource is deleted after everything that uses it, and after the
//     updates that move a resource off it;
//   - the other deletes (late) wait for every create and update, unless a
//     delete-first replace needs them early.
func graph(cs *Changeset) ([]*node, error) {
	g := &graphBuilder{ready: map[string]*node{}, oldDel: map[string]*node{}}
	for i := range cs.Changes {
		g.add(&cs.Changes[i])
	}
	g.orderWork()
	g.orderDeletes()
	g.gatewayLast()
	g.lateAfterWork()
	for _, n := range g.nodes {
		n.pending = len(n.deps)
	}
	return g.nodes, acyclic(g.nodes)
}

// graphBuilder collects the nodes of a run while graph orders them.
type graphBuilder struct {
	nodes   []*node
	ready   map[string]*node // logical id -> the node its dependents wait for
	oldDel  map[string]*node // provider id -> the node deleting it
	deletes []*node
}

func (g *graphBuilder) node(ch *Change, op opKind) *node {
	n := &node{ch: ch, op: op}
	g.nodes = append(g.nodes, n)
	return n
}

// add makes the nodes of one change.
func (g *graphBuilder) add(ch *Change) {
	switch ch.Action {
	case ActionCreate:
		g.ready[ch.ID] = g.node(ch, opCreate)
	case ActionUpdate:
		g.ready[ch.ID] = g.node(ch, opUpdate)
	case ActionNoop:
		if ch.waitReady {
			g.ready[ch.ID] = g.node(ch, opWait)
		}
	case ActionReplace:
		del, c := g.node(ch, opDelete), g.node(ch, opCreate)
		if ch.DeleteFirst {
			c.addDep(del)
		} else {
			del.late = true
			del.addDep(c)
		}
		g.ready[ch.ID] = c
		g.oldDel[ch.ProviderID] = del
		g.deletes = append(g.deletes, del)
	case ActionDelete:
		del := g.node(ch, opDelete)
		del.late = true
		g.oldDel[ch.ProviderID] = del
		g.deletes = append(g.deletes, del)
	}
}

// orderWork makes every create, update and wait follow its dependencies.
func (g *graphBuilder) orderWork() {
	for _, n := range g.nodes {
		if n.op == opDelete {
			continue
		}
		for _, d := range n.ch.deps {
			n.addDep(g.ready[d])
		}
	}
}

// orderDeletes deletes X after Y when Y's observed refs name X, and after
// an update that moves a resource off X.
func (g *graphBuilder) orderDeletes() {
	for _, y := range g.nodes {
		if y.op != opDelete && y.op != opUpdate {
			continue
		}
		for _, ref := range y.ch.observed.Resource.Refs() {
			if x := g.oldDel[string(*ref)]; x != nil && x != y {
				x.addDep(y)
			}
		}
	}
}

// gatewayLast deletes an internet gateway after what holds public IPs
// ([blueprint.Resource.HoldsPublicIPs]) and is deleted in the same run:
// Build orders their creation after it, but their specs as read back do
// not name it.
func (g *graphBuilder) gatewayLast() {
	subnet := func(ref blueprint.Ref) *blueprint.SubnetSpec {
		if sn := g.oldDel[string(ref)]; sn != nil {
			return sn.ch.observed.Resource.Subnet
		}
		return nil
	}
	for _, x := range g.deletes {
		if x.ch.observed.Resource.InternetGateway == nil {
			continue
		}
		for _, y := range g.deletes {
			if y != x && y.ch.observed.Resource.HoldsPublicIPs(subnet) {
				x.addDep(y)
			}
		}
	}
}

// lateAfterWork makes late deletes wait for every create and update, once
// the deletes that a delete-first replace waits for are made early (they
// cannot wait for the creates).
func (g *graphBuilder) lateAfterWork() {
	for changed := true; changed; {
		changed = false
		for _, n := range g.deletes {
			if n.late {
				continue
			}
			for _, y := range n.deps {
				if y.op == opDelete && y.late {
					y.late, changed = false, true
				}
			}
		}
	}
	var work []*node
	for _, n := range g.nodes {
		if n.op != opDelete {
			work = append(work, n)
		}
	}
	for _, n := range g.deletes {
		if n.late {
			for _, w := range work {
				n.addDep(w)
			}
		}
	}
}

// acyclic reports a cycle among nodes as an error naming its members, so
// that a plan the engine cannot order fails before any write instead of
// waiting forever.
func acyclic(nodes []*node) error {
	pending := make(map[*node]int, len(nodes))
	var queue []*node
	for _, n := range nodes {
		pending[n] = len(n.deps)
		if len(n.deps) == 0 {
			queue = append(queue, n)
		}
	}
	seen := 0
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		seen++
		for _, d := range n.dependents {
			if pending[d]--; pending[d] == 0 {
				queue = append(queue, d)
			}
		}
	}
	if seen == len(nodes) {
		return nil
	}
	var stuck []string
	for _, n := range nodes {
		if pending[n] > 0 {
			stuck = append(stuck, fmt.Sprintf("%s %s", n.opName(), n.name()))
		}
	}
	return fmt.Errorf("provider: the changes cannot be ordered (%s); apply in two steps: first a Blueprint that only removes, then the new one", strings.Join(stuck, ", "))
}

func (n *node) opName() string {
	switch n.op {
	case opCreate:
		return "create"
	case opUpdate:
		return "update"
	case opDelete:
		return "delete"
	}
	return "wait for"
}
