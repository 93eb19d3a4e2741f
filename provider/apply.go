package provider

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/wait"
)

// Result reports what an Apply or a Destroy did.
type Result struct {
	Created, Updated, Replaced, Deleted, Unchanged int
	// Failed counts the resources whose action failed, Skipped those not
	// tried because a dependency failed or the run was cancelled.
	Failed, Skipped int
	// Durations holds the time each resource's action took, by logical id
	// (by provider id for resources without one).
	Durations map[string]time.Duration
	// Makespan is the wall time of the run, planning included.
	Makespan time.Duration
	// WriteCalls and ReadCalls count the driver calls of the run (Create,
	// Update, Delete; List, Read, Zones), retries included.
	WriteCalls, ReadCalls int
	// Changeset is the plan that was applied (nil for Destroy).
	Changeset *Changeset
	verb      string
	failed    bool // the run returned an error
}

// String returns the summary line: "Apply complete: 23 created, 0
// updated, 0 replaced, 0 deleted in 1.2s".
func (r *Result) String() string {
	verb := r.verb
	if verb == "" {
		verb = "Apply"
	}
	s := fmt.Sprintf("%s complete: %d created, %d updated, %d replaced, %d deleted in %s",
		verb, r.Created, r.Updated, r.Replaced, r.Deleted, r.Makespan.Round(100*time.Microsecond))
	if r.failed || r.Failed > 0 || r.Skipped > 0 {
		s = strings.Replace(s, "complete", "failed", 1) + fmt.Sprintf(" (%d failed, %d skipped)", r.Failed, r.Skipped)
	}
	return s
}

type opKind uint8

const (
	opCreate opKind = iota
	opUpdate
	opDelete
	opWait
)

// node is one driver operation of a run.
type node struct {
	ch   *Change
	op   opKind
	late bool // a delete that waits for every create and update

	deps, dependents []*node
	pending          int
	rank, seq        int
	failedDep        string
	skipped          bool
	err              error
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

// graph builds the operations of cs and their order.
func graph(cs *Changeset) ([]*node, error) {
	var nodes []*node
	ready := map[string]*node{}  // logical id -> node dependents wait for
	oldDel := map[string]*node{} // provider id -> node deleting it
	byLogical := map[string]*Change{}
	newNode := func(ch *Change, op opKind) *node {
		n := &node{ch: ch, op: op}
		nodes = append(nodes, n)
		return n
	}
	var deletes []*node
	for i := range cs.Changes {
		ch := &cs.Changes[i]
		byLogical[ch.ID] = ch
		switch ch.Action {
		case ActionCreate:
			ready[ch.ID] = newNode(ch, opCreate)
		case ActionUpdate:
			ready[ch.ID] = newNode(ch, opUpdate)
		case ActionNoop:
			if ch.waitReady {
				ready[ch.ID] = newNode(ch, opWait)
			}
		case ActionReplace:
			del := newNode(ch, opDelete)
			c := newNode(ch, opCreate)
			if ch.DeleteFirst {
				c.addDep(del)
			} else {
				del.late = true
				del.addDep(c)
			}
			ready[ch.ID] = c
			oldDel[ch.ProviderID] = del
			deletes = append(deletes, del)
		case ActionDelete:
			del := newNode(ch, opDelete)
			del.late = true
			oldDel[ch.ProviderID] = del
			deletes = append(deletes, del)
		}
	}
	for _, n := range nodes {
		if n.op == opDelete {
			continue
		}
		for _, d := range n.ch.deps {
			n.addDep(ready[d])
		}
	}
	// A resource is deleted after everything that uses it: X waits for the
	// delete of Y when Y's observed refs name X.
	for _, y := range deletes {
		for _, ref := range y.ch.observed.Resource.Refs() {
			if x := oldDel[string(*ref)]; x != nil && x != y {
				x.addDep(y)
			}
		}
	}
	// An update that moves a resource off another goes before that one's
	// delete.
	for _, u := range nodes {
		if u.op != opUpdate {
			continue
		}
		for _, ref := range u.ch.observed.Resource.Refs() {
			if x := oldDel[string(*ref)]; x != nil {
				x.addDep(u)
			}
		}
	}
	// Deletes that must happen before a delete-first replace are early:
	// they cannot wait for the creates.
	for changed := true; changed; {
		changed = false
		for _, n := range deletes {
			if !n.late {
				for _, y := range n.deps {
					if y.op == opDelete && y.late {
						y.late, changed = false, true
					}
				}
			}
		}
	}
	var work []*node
	for _, n := range nodes {
		if n.op != opDelete {
			work = append(work, n)
		}
	}
	for _, n := range deletes {
		if n.late {
			for _, w := range work {
				n.addDep(w)
			}
		}
	}
	for _, n := range nodes {
		n.pending = len(n.deps)
	}
	return nodes, acyclic(nodes)
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

// Apply plans bp and executes the changeset over the dependency graph: a
// resource starts as soon as its dependencies are done, within the
// Parallelism and the rate limit. Retryable errors are retried with
// backoff; asynchronous resources are waited for. Deletes of removed
// resources run after the creates and updates, in reverse dependency
// order.
//
// On failure Apply goes on with the independent branches, skips what
// depends on a failed resource, and returns an error joining every
// failure, each naming its resource. Running Apply again converges: what
// was created is found by its tags, and a create retried with the same
// token makes nothing twice. An unchanged Blueprint applied again makes
// no write call.
func (e *Engine) Apply(ctx context.Context, bp *blueprint.Blueprint, optFns ...func(*ApplyOptions)) (*Result, error) {
	var ao ApplyOptions
	for _, f := range optFns {
		f(&ao)
	}
	start := time.Now()
	c := e.newClient()
	cs, red, err := e.plan(ctx, c, bp)
	res := &Result{Durations: map[string]time.Duration{}, Changeset: cs, verb: "Apply"}
	finish := func() {
		res.Makespan = time.Since(start)
		res.ReadCalls, res.WriteCalls = int(c.reads.Load()), int(c.writes.Load())
	}
	if err != nil {
		finish()
		res.failed = true
		return res, err
	}
	for _, n := range cs.Notices {
		e.emit(ctx, red, Event{Type: EventNotice, Message: n})
	}
	for _, ch := range cs.Changes {
		if ch.Action == ActionNoop {
			res.Unchanged++
			continue
		}
		e.emit(ctx, red, Event{Type: EventPlanned, Kind: ch.Kind, ID: ch.ID, ProviderID: ch.ProviderID, Action: ch.Action, Message: ch.Reason})
	}
	if ao.DryRun {
		finish()
		res.verb = "Plan"
		return res, nil
	}
	nodes, err := graph(cs)
	if err != nil {
		finish()
		res.failed = true
		return res, err
	}
	r := &run{e: e, c: c, red: red, cs: cs, res: res, ids: maps.Clone(cs.ids), gone: map[string]bool{}}
	err = r.exec(ctx, nodes)
	finish()
	res.failed = err != nil
	e.emit(ctx, red, Event{Type: EventComplete, Message: res.String(), Duration: res.Makespan})
	return res, err
}

// run is the state of one Apply or Destroy.
type run struct {
	e   *Engine
	c   *client
	red *redactor
	cs  *Changeset

	mu   sync.Mutex
	res  *Result
	ids  map[string]string // logical id -> provider id
	gone map[string]bool   // provider ids deleted by this run
}

// exec runs nodes as their dependencies complete, with Parallelism
// workers, and returns the joined failures. When more nodes are ready than
// workers are free, the node with the longest chain of work behind it goes
// first (critical path first), so the makespan stays close to the length
// of the longest chain.
func (r *run) exec(ctx context.Context, nodes []*node) error {
	rank(nodes)
	var (
		mu        sync.Mutex
		cond      = sync.NewCond(&mu)
		ready     nodeHeap
		remaining = len(nodes)
		errs      []error
	)
	for _, n := range nodes {
		if n.pending == 0 {
			heap.Push(&ready, n)
		}
	}
	complete := func(n *node) { // mu held
		remaining--
		for _, d := range n.dependents {
			if (n.err != nil || n.skipped) && d.failedDep == "" {
				d.failedDep = n.name()
				if n.skipped && n.failedDep != "" {
					d.failedDep = n.failedDep
				}
			}
			d.pending--
			if d.pending == 0 {
				heap.Push(&ready, d)
				cond.Signal() // one idle worker per ready node, no herd
			}
		}
		if n.err != nil {
			errs = append(errs, n.err)
		}
		if remaining == 0 {
			cond.Broadcast()
		}
	}
	worker := func() {
		mu.Lock()
		defer mu.Unlock()
		for {
			for ready.Len() == 0 && remaining > 0 {
				cond.Wait()
			}
			if remaining == 0 {
				return
			}
			n := heap.Pop(&ready).(*node)
			mu.Unlock()
			if n.failedDep != "" || ctx.Err() != nil {
				n.skipped = true
				reason := "depends on " + n.failedDep + ", which failed"
				if n.failedDep == "" {
					reason = "cancelled: " + context.Cause(ctx).Error()
				}
				r.mu.Lock()
				r.res.Skipped++
				r.mu.Unlock()
				r.e.emit(ctx, r.red, Event{Type: EventSkipped, Kind: n.ch.Kind, ID: n.ch.ID, ProviderID: n.ch.ProviderID, Action: n.ch.Action, Message: reason})
			} else {
				n.err = r.do(ctx, n)
			}
			mu.Lock()
			complete(n)
		}
	}
	var wg sync.WaitGroup
	for range min(r.e.opts.Parallelism, max(len(nodes), 1)) {
		wg.Go(worker)
	}
	wg.Wait()
	if ctx.Err() != nil {
		errs = append(errs, fmt.Errorf("provider: run interrupted: %w", context.Cause(ctx)))
	}
	return errors.Join(errs...)
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

// do performs one node and reports it.
func (r *run) do(ctx context.Context, n *node) error {
	ch := n.ch
	action := ch.Action
	if n.op == opDelete && action == ActionReplace {
		action = ActionDelete
	}
	pid := ch.ProviderID
	if n.op != opDelete {
		pid = ""
	}
	r.e.emit(ctx, r.red, Event{Type: EventStarted, Kind: ch.Kind, ID: ch.ID, ProviderID: pid, Action: action})
	t0 := time.Now()
	var err error
	switch n.op {
	case opCreate:
		pid, err = r.create(ctx, ch)
	case opUpdate:
		pid, err = r.update(ctx, ch)
	case opWait:
		pid = ch.ProviderID
		_, err = r.waitReady(ctx, ch, ch.ProviderID)
	case opDelete:
		err = r.delete(ctx, ch.observed, ch.ID, action)
	}
	d := time.Since(t0)
	r.mu.Lock()
	key := ch.ID
	r.res.Durations[key] += d
	if err != nil {
		r.res.Failed++
	} else {
		switch {
		case n.op == opCreate && ch.Action == ActionReplace:
			r.res.Replaced++
		case n.op == opCreate:
			r.res.Created++
		case n.op == opUpdate:
			r.res.Updated++
		case n.op == opDelete && ch.Action == ActionDelete:
			r.res.Deleted++
		}
	}
	r.mu.Unlock()
	if err != nil {
		verb := string(action)
		if n.op == opWait {
			verb = "wait for"
		}
		err = r.red.err(fmt.Errorf("provider: %s %s: %w", verb, ch.ID, err))
		r.e.emit(ctx, r.red, Event{Type: EventFailed, Kind: ch.Kind, ID: ch.ID, ProviderID: pid, Action: action, Duration: d, Err: err})
		return err
	}
	r.e.emit(ctx, r.red, Event{Type: EventDone, Kind: ch.Kind, ID: ch.ID, ProviderID: pid, Action: action, Duration: d})
	return nil
}

// request returns the create/update request of ch, refs resolved.
func (r *run) request(ch *Change) (driver.Request, error) {
	res := ch.desired.Clone()
	r.mu.Lock()
	var missing []string
	for _, ref := range res.Refs() {
		if *ref == "" {
			continue
		}
		pid, ok := r.ids[string(*ref)]
		if !ok {
			missing = append(missing, string(*ref))
			continue
		}
		*ref = blueprint.Ref(pid)
	}
	r.mu.Unlock()
	if len(missing) > 0 {
		return driver.Request{}, fmt.Errorf("unresolved references %s: they do not exist yet", strings.Join(missing, ", "))
	}
	dep := r.cs.Deployment
	tags := map[string]string{}
	for k, v := range r.e.opts.Tags {
		tags[k] = v
	}
	tags[driver.TagDeployment] = dep
	tags[driver.TagLogicalID] = ch.ID
	tags[driver.TagName] = dep + "-" + strings.ReplaceAll(ch.ID, "/", "-")
	token := driver.Token(dep, ch.ID)
	if ch.Action == ActionReplace {
		// The old resource may still hold the plain token: the new one
		// needs its own, deterministic for this spec.
		raw, _ := json.Marshal(ch.desired.Spec())
		token = driver.Token(dep, fmt.Sprintf("%s@%08x", ch.ID, driver.Hash(string(raw))))
	}
	return driver.Request{Deployment: dep, Resource: res, Token: token, Tags: tags}, nil
}

func (r *run) onRetry(ctx context.Context, ch *Change, action Action) func(int, error) {
	return func(attempt int, err error) {
		r.e.emit(ctx, r.red, Event{Type: EventRetried, Kind: ch.Kind, ID: ch.ID, Action: action, Attempt: attempt, Err: err})
	}
}

func (r *run) create(ctx context.Context, ch *Change) (string, error) {
	req, err := r.request(ch)
	if err != nil {
		return "", err
	}
	var obs driver.Observed
	err = retry(ctx, r.e.opts.Retry, func() error {
		var err error
		obs, err = r.c.create(ctx, req)
		return err
	}, r.onRetry(ctx, ch, ActionCreate))
	if err != nil {
		return "", err
	}
	if !obs.Ready {
		if _, err := r.waitReady(ctx, ch, obs.ID); err != nil {
			return obs.ID, err
		}
	}
	r.mu.Lock()
	r.ids[ch.ID] = obs.ID
	r.mu.Unlock()
	return obs.ID, nil
}

func (r *run) update(ctx context.Context, ch *Change) (string, error) {
	req, err := r.request(ch)
	if err != nil {
		return ch.ProviderID, err
	}
	var obs driver.Observed
	err = retry(ctx, r.e.opts.Retry, func() error {
		var err error
		obs, err = r.c.update(ctx, req, *ch.observed)
		return err
	}, r.onRetry(ctx, ch, ActionUpdate))
	if err != nil {
		return ch.ProviderID, err
	}
	if obs.ID == "" {
		obs.ID = ch.ProviderID
	}
	if !obs.Ready {
		if _, err := r.waitReady(ctx, ch, obs.ID); err != nil {
			return obs.ID, err
		}
	}
	r.mu.Lock()
	r.ids[ch.ID] = obs.ID
	r.mu.Unlock()
	return obs.ID, nil
}

// waitReady polls Read until the resource is ready, with a delay doubling
// from PollMin to PollMax, for at most WaitTimeout.
func (r *run) waitReady(ctx context.Context, ch *Change, pid string) (driver.Observed, error) {
	o := r.e.opts
	r.e.emit(ctx, r.red, Event{Type: EventWaiting, Kind: ch.Kind, ID: ch.ID, ProviderID: pid, Action: ch.Action})
	wctx, cancel := context.WithTimeout(ctx, o.WaitTimeout)
	defer cancel()
	delay := o.PollMin
	status := "unknown"
	for {
		if err := wait.Sleep(wctx, delay); err != nil {
			if ctx.Err() != nil {
				return driver.Observed{}, ctx.Err()
			}
			return driver.Observed{}, fmt.Errorf("%s not ready after %s (status %q); raise WaitTimeout or check the resource in the console: %w",
				pid, o.WaitTimeout, status, driver.ErrUnavailable)
		}
		delay = min(delay*2, o.PollMax)
		var obs driver.Observed
		err := retry(wctx, o.Retry, func() error {
			var err error
			obs, err = r.c.read(wctx, ch.Kind, pid)
			return err
		}, nil)
		switch {
		case errors.Is(err, driver.ErrNotFound):
			continue // eventual consistency right after a create
		case err != nil && ctx.Err() == nil && wctx.Err() != nil:
			continue // reported as a timeout above
		case err != nil:
			return driver.Observed{}, err
		}
		status = obs.Status
		if obs.Ready {
			return obs, nil
		}
	}
}

// explainDependency adds to a Dependency error without blockers the
// resources of the deployment that still refer to o, so that the message
// names what is in the way rather than a bare dependency violation.
func (r *run) explainDependency(err error, o *driver.Observed) error {
	var pe *driver.Error
	if errors.As(err, &pe) && len(pe.Blockers) > 0 {
		return err
	}
	var users []string
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range blueprint.Kinds {
		for _, u := range r.cs.observed[k] {
			for _, ref := range u.Resource.Refs() {
				if string(*ref) == o.ID && u.ID != o.ID && !r.gone[u.ID] {
					users = append(users, fmt.Sprintf("%s %s (%s)", k, u.ID, u.LogicalID))
					break
				}
			}
		}
	}
	if len(users) == 0 {
		return fmt.Errorf("%w; the cloud did not say what uses it: look for resources archkit does not manage in the same net", err)
	}
	return fmt.Errorf("%w; still used by %s", err, strings.Join(users, ", "))
}

// delete deletes o, retrying Dependency refusals a bounded number of times
// (network interfaces linger after a load balancer), and treats a resource
// already gone as deleted.
func (r *run) delete(ctx context.Context, o *driver.Observed, id string, action Action) error {
	ch := &Change{ID: id, Kind: o.Resource.Kind}
	pol := r.e.opts.Retry
	for attempt := 0; ; attempt++ {
		err := retry(ctx, pol, func() error { return r.c.delete(ctx, *o) }, r.onRetry(ctx, ch, action))
		switch {
		case err == nil, errors.Is(err, driver.ErrNotFound):
			r.mu.Lock()
			r.gone[o.ID] = true
			r.mu.Unlock()
			return nil
		case driver.CodeOf(err) == driver.Dependency && attempt < r.e.opts.DependencyRetries && ctx.Err() == nil:
			r.e.emit(ctx, r.red, Event{Type: EventRetried, Kind: ch.Kind, ID: id, ProviderID: o.ID, Action: action, Attempt: attempt + 1, Err: err})
			if wait.Sleep(ctx, pol.Delay(attempt+1)) != nil {
				return err
			}
		case driver.CodeOf(err) == driver.Dependency:
			return r.explainDependency(err, o)
		default:
			return err
		}
	}
}
