package provider

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"sync"
)

// exec runs nodes as their dependencies complete, with Parallelism
// workers, and returns the joined failures. When more nodes are ready than
// workers are free, the node with the longest chain of work behind it goes
// first (critical path first), so the makespan stays close to the length
// of the longest chain.
func (r *run) exec(ctx context.Context, nodes []*node) error {
	rank(nodes)
	q := &queue{remaining: len(nodes)}
	q.cond = sync.NewCond(&q.mu)
	for _, n := range nodes {
		if n.pending == 0 {
			heap.Push(&q.ready, n)
		}
	}
	var wg sync.WaitGroup
	for range min(r.e.opts.Parallelism, max(len(nodes), 1)) {
		wg.Go(func() {
			for n := q.next(); n != nil; n = q.next() {
				r.perform(ctx, n)
				q.complete(n)
			}
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

// next waits for a ready node and returns it, or nil once every node is
// done.
func (q *queue) next() *node {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.ready.Len() == 0 && q.remaining > 0 {
		q.cond.Wait()
	}
	if q.remaining == 0 {
		return nil
	}
	return heap.Pop(&q.ready).(*node)
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
	if n.op == opCreate && n.ch.Kind.IsAsync() {
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
