package outscale

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// createAdopting runs create, a call that takes neither a client token nor
// tags (CreateNet, CreateInternetService, CreatePublicIp, CreateRouteTable):
// when its answer is lost, a call that made the resource cannot be told
// apart from one that never arrived. Sending it again could make a second
// resource; giving up would leave the first one untagged, found by no later
// apply: a leak.
//
// So, before the call, snapshot lists the candidates: the resources the
// call could have made that no archkit deployment owns (no
// driver.TagDeployment) and that nothing uses yet, by id. When the answer
// is lost (a transport error, [lostAnswer], or the run cancelled with the
// call in flight, [cutShort]), snapshot runs again, and what
// appeared in between is what the call made:
//
//   - exactly one: it is returned with adopted true; the caller tags it as
//     if the call had answered;
//   - none: the call never took effect; its error is returned retryable,
//     and the engine sends it again;
//   - more than one: someone else makes the same kind of resource at the
//     same moment; the error names them all and is not retryable.
//
// Why the diff is safe: a candidate that existed before the call is never
// taken, so nothing of anybody else's that was already there is adopted.
// A stranger's resource could only be mistaken for ours if it is made,
// untagged and free, within the window of one API call and its re-read,
// and ours never arrived; when both arrived, the two new candidates are
// refused rather than guessed. The driver's own creates of one kind hold a per-kind lock
// from the first snapshot to the second, so a sibling create of this
// driver never shows as a second new candidate (its resource is either in
// the first snapshot or tagged already). The cost is one read per create of
// these kinds; the second read happens only when an answer is lost.
//
//	n, adopted, err := createAdopting(ctx, d, blueprint.KindNet, "net/main",
//		d.netCandidates("10.0.0.0/16"), func(ctx context.Context) (osc.Net, error) { ... CreateNet ... })
func createAdopting[T any](ctx context.Context, d *Driver, kind blueprint.Kind, logicalID string,
	snapshot func(ctx context.Context) (map[string]T, error),
	create func(ctx context.Context) (T, error)) (made T, adopted bool, err error) {
	var zero T
	m, _ := d.creating.LoadOrStore(kind, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()
	defer mu.Unlock()
	before, err := snapshot(ctx)
	if err != nil {
		return zero, false, err
	}
	made, err = create(ctx)
	if err == nil || !lostAnswer(err) && !cutShort(ctx, err) {
		return made, false, err
	}
	sctx := ctx
	if ctx.Err() != nil {
		// The run was cancelled with the call in flight, which the
		// cloud may have served: look under a context the cancellation
		// does not end (bounded), so that what it made is adopted, and
		// the caller's tagging, failing in the cancelled run, deletes it
		// (tagNew's rollback) instead of leaving it untagged, found by
		// no later run and duplicated by the next.
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), adoptTimeout)
		defer cancel()
	}
	after, lerr := snapshot(sctx)
	if lerr != nil {
		return zero, false, errors.Join(err, lerr)
	}
	var fresh []string
	for id := range after {
		if _, ok := before[id]; !ok {
			fresh = append(fresh, id)
		}
	}
	slices.Sort(fresh)
	switch len(fresh) {
	case 1:
		d.log.DebugContext(ctx, "adopted", logKind, string(kind), logID, fresh[0])
		return after[fresh[0]], true, nil
	case 0:
		var pe *driver.Error
		if errors.As(err, &pe) {
			// Nothing was made and the driver sent the create once: the
			// engine may send it again (the one retry of this call).
			pe.Retryable = true
		}
		return zero, false, err
	}
	pe := driver.NewError("Create", string(kind), logicalID, driver.AlreadyExists, fmt.Errorf(
		"outscale: the answer to the create was lost and %d untagged %s resources appeared meanwhile (%s): another client is creating the same kind at the same time; delete the untagged ones (archkit tags what it keeps), then apply again: %w",
		len(fresh), kind, strings.Join(fresh, ", "), err))
	pe.Retryable = false
	return zero, false, pe
}

// adoptTimeout bounds the re-read of a create that a cancelled run cut
// short.
const adoptTimeout = 30 * time.Second

// cutShort reports whether err is the cancellation of ctx (or its
// deadline), which may have cut a call short after the cloud got it.
func cutShort(ctx context.Context, err error) bool {
	return ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}

// lostAnswer reports whether err is a call that got no answer at all (a
// transport error, not a cancelled context): the call may have taken
// effect.
func lostAnswer(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == 0 && ae.Err != nil &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// unowned returns, by id, the items that carry no ownership tag and that
// free accepts.
func unowned[T any](items []T, id func(*T) string, tags func(*T) []osc.ResourceTag, free func(*T) bool) map[string]T {
	out := map[string]T{}
	for i := range items {
		it := &items[i]
		if tagMap(tags(it))[driver.TagDeployment] == "" && free(it) {
			out[id(it)] = *it
		}
	}
	return out
}

// netCandidates lists the unowned Nets of ipRange: what CreateNet of that
// range could make.
func (d *Driver) netCandidates(ipRange string) func(context.Context) (map[string]osc.Net, error) {
	return func(ctx context.Context) (map[string]osc.Net, error) {
		f := osc.FiltersNet{IpRanges: &[]string{ipRange}}
		nets, err := d.readNets(ctx, f, "")
		if err != nil {
			return nil, err
		}
		return unowned(nets, (*osc.Net).GetNetId, (*osc.Net).GetTags, func(*osc.Net) bool { return true }), nil
	}
}

// internetServiceCandidates lists the unowned internet services linked to
// no Net.
func (d *Driver) internetServiceCandidates(ctx context.Context) (map[string]osc.InternetService, error) {
	igws, err := d.readInternetServices(ctx, osc.FiltersInternetService{}, "")
	if err != nil {
		return nil, err
	}
	return unowned(igws, (*osc.InternetService).GetInternetServiceId, (*osc.InternetService).GetTags,
		func(g *osc.InternetService) bool { return g.GetNetId() == "" }), nil
}

// publicIPCandidates lists the unowned public IPs linked to nothing.
func (d *Driver) publicIPCandidates(ctx context.Context) (map[string]osc.PublicIp, error) {
	ips, err := d.readPublicIPs(ctx, osc.FiltersPublicIp{}, "")
	if err != nil {
		return nil, err
	}
	return unowned(ips, (*osc.PublicIp).GetPublicIpId, (*osc.PublicIp).GetTags, func(p *osc.PublicIp) bool {
		return p.GetLinkPublicIpId() == "" && p.GetVmId() == "" && p.GetNicId() == "" && p.GetNatServiceId() == ""
	}), nil
}

// routeTableCandidates lists the unowned route tables of netID that are
// not its main one and are linked to no subnet.
func (d *Driver) routeTableCandidates(netID string) func(context.Context) (map[string]osc.RouteTable, error) {
	return func(ctx context.Context) (map[string]osc.RouteTable, error) {
		rts, err := d.readRouteTables(ctx, osc.FiltersRouteTable{NetIds: &[]string{netID}}, "")
		if err != nil {
			return nil, err
		}
		return unowned(rts, (*osc.RouteTable).GetRouteTableId, (*osc.RouteTable).GetTags,
			func(rt *osc.RouteTable) bool { return len(rt.GetLinkRouteTables()) == 0 }), nil
	}
}
