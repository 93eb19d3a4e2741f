package outscale

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/provider"
)

// lister is the List of one kind: the resources of q, or those of ids.
type lister func(ctx context.Context, q provider.Query, ids []string) ([]provider.Observed, error)

// untagged returns the ids of the resources list finds for q that carry no
// ownership tag: those no archkit deployment claims.
func untagged(ctx context.Context, list lister, q provider.Query) (map[string]bool, error) {
	obs, err := list(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, o := range obs {
		if o.Tags[provider.TagDeployment] == "" {
			ids[o.ID] = true
		}
	}
	return ids, nil
}

// createAdopting runs create, a call that takes neither a client token nor
// tags (CreateNet, CreateInternetService, CreatePublicIp, CreateRouteTable),
// so that a lost answer cannot be told apart from a call that never arrived.
// Sending it again could make a second resource; giving up would leave the
// first one untagged, found by no later apply: a leak.
//
// So, before the call, it notes the untagged resources that list finds for
// q (one read), and when the answer is lost it reads them again. A resource
// that appeared in between is what the call made: exactly one is adopted
// (its id returned, adopted true; the caller tags it as usual); none means
// the call never took effect, and the error becomes retryable; more than
// one means someone else creates the same kind at the same moment, and the
// error names them all. An untagged resource that existed before the call
// is never taken, so nothing of anybody else's is adopted.
//
// The driver's own creates of one kind go through here one at a time (the
// read, the call, and the second read when the answer is lost): a
// concurrent create of this driver would otherwise show up as a second new
// resource. Tagging happens after, in parallel. It costs one read per
// create of these kinds, and their creates do not overlap.
//
//	id, adopted, err := d.createAdopting(ctx, pattern.KindNet, req.Resource.ID, d.listNets, provider.Query{},
//		func(ctx context.Context) (string, error) { ... CreateNet ... })
func (d *Driver) createAdopting(ctx context.Context, kind pattern.Kind, logicalID string, list lister, q provider.Query,
	create func(ctx context.Context) (string, error)) (id string, adopted bool, err error) {
	m, _ := d.creating.LoadOrStore(kind, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()
	defer mu.Unlock()
	before, err := untagged(ctx, list, q)
	if err != nil {
		return "", false, err
	}
	id, err = create(ctx)
	if err == nil || !lostAnswer(err) {
		return id, false, err
	}
	after, lerr := untagged(ctx, list, q)
	if lerr != nil {
		return "", false, errors.Join(err, lerr)
	}
	var fresh []string
	for id := range after {
		if !before[id] {
			fresh = append(fresh, id)
		}
	}
	slices.Sort(fresh)
	switch len(fresh) {
	case 1:
		return fresh[0], true, nil
	case 0:
		var pe *provider.Error
		if errors.As(err, &pe) {
			pe.Retryable = true // nothing was made: the call may be sent again
		}
		return "", false, err
	}
	return "", false, provider.NewError("Create", string(kind), logicalID, provider.AlreadyExists, fmt.Errorf(
		"outscale: the answer to the create was lost, and %d untagged %s resources appeared meanwhile (%s): another client creates the same kind at the same time; delete those that are not yours, then apply again: %w",
		len(fresh), kind, strings.Join(fresh, ", "), err))
}

// lostAnswer reports whether err is a call that got no answer at all (a
// transport error, not a cancelled context): the call may have taken
// effect.
func lostAnswer(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == 0 && ae.Err != nil &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}
