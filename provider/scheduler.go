package provider

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/archkit/archkit/provider/ratelimit"
)

// exec runs nodes as their dependencies complete, at most Parallelism at
// once, and returns the joined failures. When more nodes are ready than
// places are free, the node with the longest chain of work behind it goes
// first (critical path first), so the makespan stays close to the length
// of the longest chain.
//
// A node whose request waits for tokens of the rate limiter gives its
// place up while it waits (ratelimit.WithSlot), so that requests metered
// in other buckets go on: an apply takes the longest of its buckets' times,
// not their sum.
func (r *run) exec(ctx context.Context, nodes []*node) error {
	rank(nodes)
	q := &queue{remaining: len(nodes)}
	q.cond = sync.NewCond(&q.mu)
	for _, n := range nodes {
		if n.pending == 0 {
			heap.Push(&q.ready, n)
		}
	}
	places := newSlots(max(r.e.opts.Parallelism, 1))
	sctx := ratelimit.WithSlot(ctx, places)
	var wg sync.WaitGroup
	for q.waitReady() {
		places.Acquire()
		n := q.pop()
		wg.Go(func() {
			r.perform(sctx, n)
			places.Release()
			q.complete(n)
		})
	}
	wg.Wait()
	errs := q.errs
	switch {
	case ctx.Err() != nil:
		errs = append(errs, fmt.Errorf("provider: run interrupted: %w", context.Cause(ctx)))
	case r.stopErr != nil:
		errs = append(errs, fmt.Errorf("provider: run interrupted: %w", r.stopErr))
	}
	return errors.Join(errs...)
}

// perform does n, or reports it not started when a dependency failed or
// was not started, or the run was cancelled.
func (r *run) perform(ctx context.Context, n *node) {
	if n.op == opBarrier {
		// Nothing to do. When what it waits for failed or did not start,
		// its dependents learn why (complete), as they would without it;
		// it is not counted, being no resource.
		n.notStarted = n.blocked != ""
		return
	}
	if n.blocked == "" && ctx.Err() == nil {
		n.err = r.do(ctx, n)
		if !n.notStarted {
			return
		}
	}
	if n.blocked == "" {
		n.blocked = stopReason(context.Cause(ctx))
	}
	n.notStarted = true
	r.mu.Lock()
	r.res.NotStarted++
	r.mu.Unlock()
	r.e.emit(ctx, r.red, Event{Type: EventNotStarted, Kind: n.ch.Kind, ID: n.ch.ID, ProviderID: n.ch.ProviderID, Action: n.ch.Action, Message: n.blocked})
}

// stopReason says why the run stopped before a node's first call.
func stopReason(cause error) string {
	switch {
	case errors.Is(cause, context.DeadlineExceeded):
		return "the run's deadline came first (" + cause.Error() + ")"
	case cause != nil:
		return "the run was cancelled (" + cause.Error() + ")"
	}
	return "the run stopped"
}

// queue hands the ready nodes of a run to its workers, the highest rank
// first, and collects the failures. It is safe for concurrent use.
type queue struct {
	mu        sync.Mutex
	cond      *sync.Cond
	ready     nodeHeap
	remaining int
	errs      []error
}

// waitReady waits until a node is ready, and reports false once every
// node is done instead. Only exec's loop takes nodes, so one stays ready
// until its pop.
func (q *queue) waitReady() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.ready.Len() == 0 && q.remaining > 0 {
		q.cond.Wait()
	}
	return q.ready.Len() > 0
}

// pop takes the ready node of highest rank.
func (q *queue) pop() *node {
	q.mu.Lock()
	defer q.mu.Unlock()
	return heap.Pop(&q.ready).(*node)
}

// slots is a counting semaphore: the places of the nodes in flight.
type slots struct {
	mu   sync.Mutex
	cond *sync.Cond
	free int
}

func newSlots(n int) *slots {
	s := &slots{free: n}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// Acquire waits for a free place and takes it.
func (s *slots) Acquire() {
	s.mu.Lock()
	for s.free == 0 {
		s.cond.Wait()
	}
	s.free--
	s.mu.Unlock()
}

// Release gives a place back.
func (s *slots) Release() {
	s.mu.Lock()
	s.free++
	s.mu.Unlock()
	s.cond.Signal()
}

// complete records that n is done: its dependents learn of a failure or
// a skip and become ready when n was the last they waited for.
func (q *queue) complete(n *node) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.remaining--
	for _, d := range n.dependents {
		if d.blocked == "" {
			switch {
			case n.err != nil:
				d.blocked = "depends on " + n.name() + ", which failed"
			case n.notStarted:
				d.blocked = n.blocked
			}
		}
		d.pending--
		if d.pending == 0 {
			heap.Push(&q.ready, d)
			q.cond.Signal() // one idle worker per ready node, no herd
		}
	}
	if n.err != nil {
		q.errs = append(q.errs, n.err)
	}
	if q.remaining == 0 {
		q.cond.Broadcast()
	}
}

// cost estimates the driver calls of a node: a create of an asynchronous
// kind also waits and reads.
func (n *node) cost() int {
	switch {
	case n.op == opBarrier:
		return 0
	case n.op == opCreate && n.ch.Kind.IsAsync():
		return 3
	}
	return 1
}

// rank sets each node's priority: its cost plus the largest rank of its
// dependents, the length of the work it holds up.
func rank(nodes []*node) {
	var visit func(n *node) int
	visit = func(n *node) int {
		if n.rank > 0 {
			return n.rank
		}
		best := 0
		for _, d := range n.dependents {
			best = max(best, visit(d))
		}
		n.rank = n.cost() + best
		return n.rank
	}
	for i, n := range nodes {
		visit(n)
		n.seq = i
	}
}

// nodeHeap orders ready nodes by rank, highest first, then by position.
type nodeHeap []*node

func (h nodeHeap) Len() int { return len(h) }
func (h nodeHeap) Less(i, j int) bool {
	if h[i].rank != h[j].rank {
		return h[i].rank > h[j].rank
	}
	return h[i].seq < h[j].seq
}
func (h nodeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)   { *h = append(*h, x.(*node)) }
func (h *nodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}
