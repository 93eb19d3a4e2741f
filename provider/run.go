package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/wait"
)

// run is the state of one Apply or Destroy.
type run struct {
	e   *Engine
	c   *client
	red *redactor
	cs  *Changeset

	mu      sync.Mutex
	res     *Result
	ids     map[string]string // logical id -> provider id
	gone    map[string]bool   // provider ids deleted by this run
	stopErr error             // why a node's first call never went out
	// life names this run for the idempotency tokens ([Lease.life]):
	// the same in every retry of the run, new in the next run.
	life string

	allow []string             // the stateful resources this run may delete (AllowDataLoss)
	del   driver.DeleteOptions // how deletes treat data; LiftProtection is set per resource

	groupsOnce sync.Once
	groupsGone map[string]bool // provider ids of the security groups this run deletes
}

// deleteOptions returns the options of the delete of o (logical id id): a
// resource without data loses its protection whenever the plan deletes
// it; a stateful one only when the caller allowed it.
func (r *run) deleteOptions(o *driver.Observed, id string) driver.DeleteOptions {
	opts := r.del
	opts.LiftProtection = !holdsData(o) || slices.Contains(r.allow, id)
	if s := o.Resource.SecurityGroupRules; s != nil {
		opts.GroupDeleted = r.deletesGroup(string(s.Group))
	}
	return opts
}

// deletesGroup reports whether the run deletes the security group whose
// provider id is group (a delete, or the first half of a replace).
func (r *run) deletesGroup(group string) bool {
	r.groupsOnce.Do(func() {
		r.groupsGone = map[string]bool{}
		for _, ch := range r.cs.Changes {
			if ch.Kind == blueprint.KindSecurityGroup && ch.ProviderID != "" && (ch.Action == ActionDelete || ch.Action == ActionReplace) {
				r.groupsGone[ch.ProviderID] = true
			}
		}
	})
	return group != "" && r.groupsGone[group]
}

// do performs one node and reports it. The started event goes out with
// the node's first driver call: a node whose call never went out (the
// run's deadline came while it waited for the rate limit) is marked not
// started, neither failed nor done.
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
	tr := &tracker{start: func() {
		r.e.emit(ctx, r.red, Event{Type: EventStarted, Kind: ch.Kind, ID: ch.ID, ProviderID: pid, Action: action})
	}}
	ctx = withTracker(ctx, tr)
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
	if cause := notSent(ctx, err); cause != nil && tr.stoppedBeforeSending(err) {
		n.notStarted, n.blocked = true, stopReason(cause)
		r.mu.Lock()
		if r.stopErr == nil {
			r.stopErr = cause
		}
		r.mu.Unlock()
		return nil
	}
	tr.started() // a driver that does not meter its requests: now
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
	var req driver.Request
	ch.desired.CloneInto(&req.Resource)
	r.mu.Lock()
	var missing []string
	for _, ref := range req.Resource.Refs() {
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
	tags := make(map[string]string, len(r.e.opts.Tags)+4)
	for k, v := range r.e.opts.Tags {
		tags[k] = v
	}
	tags[driver.TagDeployment] = dep
	tags[driver.TagLogicalID] = ch.ID
	tags[driver.TagName] = dep + "-" + strings.ReplaceAll(ch.ID, "/", "-")
	// One token per life of the resource: the run's life, shared by the
	// retries of this run, never by a later run (a deleted resource's
	// token is answered with the deleted resource on AWS). The token is
	// also a tag, so that a retried create finds what this life made and
	// a replace never takes the resource it replaces.
	token := driver.Token(dep, ch.ID, r.life)
	tags[driver.TagToken] = token
	req.Deployment, req.Token, req.Tags = dep, token, tags
	return req, nil
}

func (r *run) onRetry(ctx context.Context, ch *Change, action Action) func(int, error) {
	return func(attempt int, err error) {
		r.e.emit(ctx, r.red, Event{Type: EventRetried, Kind: ch.Kind, ID: ch.ID, Action: action, Attempt: attempt, Err: err})
	}
}

// create creates ch's resource and waits until it is ready; it returns
// the provider id.
func (r *run) create(ctx context.Context, ch *Change) (string, error) {
	return r.write(ctx, ch, ActionCreate, "", func(req driver.Request) (driver.Observed, error) {
		return r.c.create(ctx, req)
	})
}

// update changes ch's resource in place and waits until it is ready; it
// returns the provider id.
func (r *run) update(ctx context.Context, ch *Change) (string, error) {
	return r.write(ctx, ch, ActionUpdate, ch.ProviderID, func(req driver.Request) (driver.Observed, error) {
		return r.c.update(ctx, req, *ch.observed)
	})
}

// write is the common part of create and update: build the request, call
// (retrying what is Retryable), wait until the resource is ready, and
// record its provider id (pid when the driver reports none) for the
// resources that refer to it.
func (r *run) write(ctx context.Context, ch *Change, action Action, pid string, call func(driver.Request) (driver.Observed, error)) (string, error) {
	req, err := r.request(ch)
	if err != nil {
		return pid, err
	}
	var obs driver.Observed
	err = retry(ctx, r.e.opts.Retry, func() error {
		var err error
		obs, err = call(req)
		return err
	}, r.onRetry(ctx, ch, action))
	if err != nil {
		return pid, err
	}
	if obs.ID == "" {
		obs.ID = pid
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
// from PollMin to PollMax, for at most WaitTimeout. A read that fails with
// Code Throttled or Unavailable, retried or not, is one poll lost, not the
// end of the wait.
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
		case driver.CodeOf(err).Retryable():
			continue // a throttle or an outage the driver already retried: poll on
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
		opts := r.deleteOptions(o, id)
		err := retry(ctx, pol, func() error { return r.c.delete(ctx, *o, opts) }, r.onRetry(ctx, ch, action))
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
