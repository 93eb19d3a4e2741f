package provider

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// MultiSource is a deployment over several regions: what a [Fleet] plans,
// applies and checks the drift of. pattern.MultiRegion is one.
type MultiSource interface {
	// DeploymentName is the deployment's name, the same in every region.
	DeploymentName() string
	// Regions lists the regions, the primary first.
	Regions() []string
	// BuildRegion builds one region's Blueprint around what is deployed
	// there, as [Source.BuildAround].
	BuildRegion(region string, existing blueprint.Existing) (*blueprint.Blueprint, error)
}

// regionSource is the [Source] of one region of a MultiSource.
type regionSource struct {
	src    MultiSource
	region string
}

func (s regionSource) DeploymentName() string { return s.src.DeploymentName() }
func (s regionSource) BuildAround(existing blueprint.Existing) (*blueprint.Blueprint, error) {
	return s.src.BuildRegion(s.region, existing)
}

// Fleet drives one deployment over several regions: one [Engine], hence
// one driver, per region, under the same ownership tags. Plan, Apply,
// Drift and Destroy are one call each; the regions run in parallel, each
// within its own engine's rate limit (a region is a separate endpoint with
// its own quotas, on AWS as on OUTSCALE). A side of a link between two
// regions that waits for the other region (the peer Net, a peering's
// request) stops waiting once that region's run has ended, done or failed
// ([driver.WithRegionRuns]), rather than waiting out its bound.
//
// # The lock
//
// Each region keeps the deployment's lock in its own cloud ([Engine.Lock]),
// and a Fleet that writes takes the lock of every region it drives, one
// after the other in the lexical order of the region names, before its
// first write, and releases them in the reverse order at the end. Two runs
// thus never hold a lock the other one waits for while waiting for one it
// holds: the locks are taken in one total order whatever the primary region
// (a failover that swaps primary and recovery keeps the order), so waiting
// (LockOptions.Wait) cannot deadlock. One lock per region rather than one
// in the primary: a lock lives next to what it protects, so a run over the
// recovery region alone (the primary region's API down, a failover) can
// still take it, and a single-region [Engine] on one of the regions meets
// the same lock. When a lock cannot be taken, the ones taken are released
// and nothing is written.
//
// Events carry their region ([Event.Region]); the Fleet's logger records
// it too.
type Fleet struct {
	engines map[string]*Engine
	names   []string // sorted: the lock order
}

// NewFleet returns a Fleet with one engine per region, each made with
// NewEngine(driver, optFns...). Options.OnEvent receives the events of
// every region, each with its Region set. A driver that knows its region
// (a method Region() string, as the AWS and OUTSCALE drivers have) must
// be the key it is given under.
func NewFleet(drivers map[string]driver.Driver, optFns ...func(*Options)) (*Fleet, error) {
	if len(drivers) == 0 {
		return nil, errors.New("provider: fleet without a driver; pass one driver per region")
	}
	f := &Fleet{engines: map[string]*Engine{}}
	var errs []error
	for region, d := range drivers {
		if err := checkRegionDriver(region, d); err != nil {
			errs = append(errs, err)
			continue
		}
		f.engines[region] = NewEngine(d, append(slices.Clone(optFns), regionOptions(region))...)
		f.names = append(f.names, region)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.Sort(f.names)
	for region, d := range drivers {
		if p, ok := d.(PeerSetter); ok {
			peers := maps.Clone(drivers)
			delete(peers, region)
			p.SetPeers(peers)
		}
	}
	return f, nil
}

// PeerSetter is implemented by a driver whose resources read values of
// other regions of the deployment (the OUTSCALE driver: the two ends of a
// link over a VPN, pattern.MultiRegion.LinkVPN). [NewFleet] gives each
// such driver the drivers of the other regions, by region.
type PeerSetter interface {
	SetPeers(peers map[string]driver.Driver)
}

// checkRegionDriver refuses a nil driver, and a driver of another region
// than the one it is given for.
func checkRegionDriver(region string, d driver.Driver) error {
	if d == nil {
		return fmt.Errorf("provider: fleet: region %q: nil driver", region)
	}
	if r, ok := d.(interface{ Region() string }); ok && r.Region() != "" && r.Region() != region {
		return fmt.Errorf("provider: fleet: region %q: the driver is one of region %q; give each region its own driver", region, r.Region())
	}
	return nil
}

// regionOptions tags the events and the log records of a region's engine
// with the region.
func regionOptions(region string) func(*Options) {
	return func(o *Options) {
		if on := o.OnEvent; on != nil {
			o.OnEvent = func(ev Event) { ev.Region = region; on(ev) }
		}
		if o.Logger != nil {
			o.Logger = o.Logger.With(slog.String(LogKeyRegion, region))
		}
	}
}

// Engine returns the engine of one region (nil when the Fleet has none).
func (f *Fleet) Engine(region string) *Engine {
	if f == nil {
		return nil
	}
	return f.engines[region]
}

// Regions returns the Fleet's regions in lock order (sorted).
func (f *Fleet) Regions() []string {
	if f == nil {
		return nil
	}
	return slices.Clone(f.names)
}

// FleetPlan is the plan of a deployment over regions: one [Changeset] per
// region, in the source's order (the primary first).
type FleetPlan struct {
	Deployment string
	Regions    []RegionPlan
}

// RegionPlan is the changeset of one region.
type RegionPlan struct {
	Region    string
	Changeset *Changeset
}

// HasChanges reports whether any region has a change.
func (p *FleetPlan) HasChanges() bool {
	return p != nil && slices.ContainsFunc(p.Regions, func(r RegionPlan) bool { return r.Changeset.HasChanges() })
}

// Region returns the changeset of region (nil when absent).
func (p *FleetPlan) Region(region string) *Changeset {
	if p == nil {
		return nil
	}
	for _, r := range p.Regions {
		if r.Region == region {
			return r.Changeset
		}
	}
	return nil
}

// String prints each region's changeset under a "region <name>:" header.
func (p *FleetPlan) String() string {
	if p == nil {
		return "No plan."
	}
	var b strings.Builder
	for _, r := range p.Regions {
		fmt.Fprintf(&b, "region %s:\n%s", r.Region, r.Changeset)
		if !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// FleetResult is what an Apply or a Destroy did in each region.
type FleetResult struct {
	Regions []RegionResult
	// Makespan is the wall time of the whole run, locks included.
	Makespan time.Duration
}

// RegionResult is the result of one region.
type RegionResult struct {
	Region string
	Result *Result
}

// Region returns the result of region (nil when absent).
func (r *FleetResult) Region(region string) *Result {
	if r == nil {
		return nil
	}
	for _, rr := range r.Regions {
		if rr.Region == region {
			return rr.Result
		}
	}
	return nil
}

// Total sums the counts and calls of every region; its Makespan is the
// Fleet's. It is never nil, and prints as one summary line.
func (r *FleetResult) Total() *Result {
	t := &Result{}
	if r == nil {
		return t
	}
	for _, rr := range r.Regions {
		if x := rr.Result; x != nil {
			t.Created, t.Updated, t.Replaced, t.Deleted = t.Created+x.Created, t.Updated+x.Updated, t.Replaced+x.Replaced, t.Deleted+x.Deleted
			t.Unchanged, t.Failed, t.NotStarted = t.Unchanged+x.Unchanged, t.Failed+x.Failed, t.NotStarted+x.NotStarted
			t.WriteCalls, t.ReadCalls = t.WriteCalls+x.WriteCalls, t.ReadCalls+x.ReadCalls
			t.verb, t.failed = cmp.Or(t.verb, x.verb), t.failed || x.failed
		}
	}
	t.Makespan = r.Makespan
	return t
}

// String prints one summary line per region.
func (r *FleetResult) String() string {
	if r == nil {
		return "No result."
	}
	var b strings.Builder
	for _, rr := range r.Regions {
		fmt.Fprintf(&b, "region %s: %s\n", rr.Region, rr.Result)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// regions returns the regions of src, each checked to have an engine.
func (f *Fleet) regions(ctx context.Context, src MultiSource) ([]string, error) {
	switch {
	case f == nil || len(f.engines) == 0:
		return nil, ErrNoDriver
	case ctx == nil:
		return nil, errNilContext
	case src == nil:
		return nil, errors.New("provider: fleet: nil source; pass a pattern.MultiRegion")
	}
	if _, err := deploymentOf(regionSource{src: src}); err != nil {
		return nil, err
	}
	regions := src.Regions()
	if len(regions) == 0 {
		return nil, errors.New("provider: fleet: the source has no region; declare a primary and a recovery region")
	}
	var errs []error
	for _, r := range regions {
		if f.engines[r] == nil {
			errs = append(errs, fmt.Errorf("provider: fleet: region %q has no driver; give NewFleet one (it has %q)", r, f.names))
		}
	}
	return regions, errors.Join(errs...)
}

// each runs fn for every region in parallel and joins the errors, each
// prefixed with its region.
func each[T any](regions []string, fn func(region string) (T, error)) ([]T, error) {
	out := make([]T, len(regions))
	errs := make([]error, len(regions))
	var wg sync.WaitGroup
	for i, r := range regions {
		wg.Go(func() {
			var err error
			out[i], err = fn(r)
			if err != nil {
				errs[i] = &RegionError{Region: r, Err: err}
			}
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

// RegionError is the error of one region of a [Fleet] run.
type RegionError struct {
	Region string
	Err    error
}

func (e *RegionError) Error() string {
	if e == nil {
		return "<nil>"
	}
	return fmt.Sprintf("region %s: %v", e.Region, e.Err)
}

func (e *RegionError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// Plan plans every region of src in parallel, with no lock and no write.
func (f *Fleet) Plan(ctx context.Context, src MultiSource) (*FleetPlan, error) {
	regions, err := f.regions(ctx, src)
	if err != nil {
		return nil, err
	}
	css, err := each(regions, func(r string) (*Changeset, error) {
		return f.engines[r].Plan(ctx, regionSource{src, r})
	})
	p := &FleetPlan{Deployment: src.DeploymentName()}
	for i, r := range regions {
		p.Regions = append(p.Regions, RegionPlan{Region: r, Changeset: css[i]})
	}
	return p, err
}

// Drift reports the drift of every region of src, by region.
func (f *Fleet) Drift(ctx context.Context, src MultiSource) (map[string]*DriftReport, error) {
	regions, err := f.regions(ctx, src)
	if err != nil {
		return nil, err
	}
	reps, err := each(regions, func(r string) (*DriftReport, error) {
		return f.engines[r].Drift(ctx, regionSource{src, r})
	})
	out := map[string]*DriftReport{}
	for i, r := range regions {
		out[r] = reps[i]
	}
	return out, err
}

// Apply applies every region of src. It plans them first with no lock;
// when some region has a change, it takes the lock of every region of src
// (in lock order: see [Fleet]), applies the regions in parallel, each
// planned again under its lock, and releases the locks. A run with nothing
// to change takes no lock and makes no write call, and reads each region
// once. optFns apply to every region (ApplyOptions.Lease is ignored: the
// Fleet holds its own).
//
// A change that would lose data the caller did not allow
// (ApplyOptions.AllowDataLoss), in any region, refuses the whole run
// before any lock or write: ErrProtected, a [*RegionError] per region
// refused. Otherwise a region that fails does not stop the others: the
// error joins a [*RegionError] per failed region, and running Apply again
// converges.
func (f *Fleet) Apply(ctx context.Context, src MultiSource, optFns ...func(*ApplyOptions)) (*FleetResult, error) {
	start := time.Now()
	regions, err := f.regions(ctx, src)
	if err != nil {
		return nil, err
	}
	plans, err := each(regions, func(r string) (*planned, error) { return f.plan(ctx, src, r) })
	if err != nil {
		return nil, err
	}
	var ao ApplyOptions
	for _, fn := range optFns {
		if fn != nil {
			fn(&ao)
		}
	}
	if !slices.ContainsFunc(plans, func(p *planned) bool { return p.cs.HasChanges() }) {
		results := make([]*Result, len(regions))
		for i, r := range regions {
			results[i] = f.engines[r].unchanged(ctx, plans[i])
		}
		return fleetResult(regions, results, start), nil
	}
	var leases map[string]*Lease
	if !ao.DryRun {
		if err := protectAll(regions, plans, ao.AllowDataLoss); err != nil {
			return nil, err
		}
		if leases, err = f.lockAll(ctx, src.DeploymentName(), regions, ao.Lock); err != nil {
			return nil, err
		}
	}
	rctx, ended := driver.WithRegionRuns(ctx, regions)
	results, err := each(regions, func(r string) (*Result, error) {
		defer ended(r)
		return f.engines[r].Apply(rctx, regionSource{src, r}, append(slices.Clone(optFns), func(o *ApplyOptions) { o.Lease = leases[r] })...)
	})
	err = errors.Join(err, f.releaseAll(ctx, leases))
	return fleetResult(regions, results, start), err
}

// protectAll refuses, before any lock or write in any region, the plans
// that would lose data the caller did not allow (allow): a
// [*RegionError] wrapping a [*ProtectedError] per region. Each region's
// engine checks again under its lock.
func protectAll(regions []string, plans []*planned, allow []string) error {
	var errs []error
	for i, p := range plans {
		if err := protect("apply", p.cs.Changes, allow); err != nil {
			errs = append(errs, &RegionError{Region: regions[i], Err: p.red.err(err)})
		}
	}
	return errors.Join(errs...)
}

// planned is the plan of one region and what made it.
type planned struct {
	cs    *Changeset
	red   *redactor
	c     *client
	start time.Time
}

// plan plans region with its own client, which counts the calls.
func (f *Fleet) plan(ctx context.Context, src MultiSource, region string) (*planned, error) {
	e := f.engines[region]
	p := &planned{c: e.newClient(), start: time.Now()}
	var err error
	p.cs, p.red, err = e.plan(ctx, p.c, regionSource{src, region})
	return p, err
}

// unchanged reports the plan p, which has no change, as the result of an
// Apply: what Engine.Apply reports when there is nothing to do.
func (e *Engine) unchanged(ctx context.Context, p *planned) *Result {
	res := &Result{Durations: map[string]time.Duration{}, verb: "Apply", Changeset: p.cs}
	e.reportPlan(ctx, p.red, p.cs, res)
	res.Makespan = time.Since(p.start)
	res.ReadCalls, res.WriteCalls = int(p.c.reads.Load()), int(p.c.writes.Load())
	e.emit(ctx, p.red, Event{Type: EventComplete, Message: res.String(), Duration: res.Makespan})
	return res
}

// Destroy destroys deployment in every region of the Fleet, under the lock
// of each (taken in lock order), in parallel. optFns apply to every region
// (DestroyOptions.Lease is ignored). A stateful resource the caller did not
// allow (DestroyOptions.AllowDataLoss), in any region, refuses the whole
// run before any lock or delete: ErrProtected, a [*RegionError] per region
// refused.
func (f *Fleet) Destroy(ctx context.Context, deployment string, optFns ...func(*DestroyOptions)) (*FleetResult, error) {
	start := time.Now()
	if f == nil || len(f.engines) == 0 {
		return nil, ErrNoDriver
	}
	if ctx == nil {
		return nil, errNilContext
	}
	if err := checkDeployment(deployment); err != nil {
		return nil, err
	}
	var do DestroyOptions
	for _, fn := range optFns {
		if fn != nil {
			fn(&do)
		}
	}
	if _, err := each(f.names, func(r string) (struct{}, error) { return struct{}{}, f.engines[r].protectDestroy(ctx, deployment, do) }); err != nil {
		return nil, err
	}
	leases, err := f.lockAll(ctx, deployment, f.names, do.Lock)
	if err != nil {
		return nil, err
	}
	rctx, ended := driver.WithRegionRuns(ctx, f.names)
	results, err := each(f.names, func(r string) (*Result, error) {
		defer ended(r)
		return f.engines[r].Destroy(rctx, deployment, append(slices.Clone(optFns), func(o *DestroyOptions) { o.Lease = leases[r] })...)
	})
	err = errors.Join(err, f.releaseAll(ctx, leases))
	return fleetResult(f.names, results, start), err
}

func fleetResult(regions []string, results []*Result, start time.Time) *FleetResult {
	fr := &FleetResult{Makespan: time.Since(start)}
	for i, r := range regions {
		fr.Regions = append(fr.Regions, RegionResult{Region: r, Result: results[i]})
	}
	return fr
}

// lockAll takes the lock of deployment in every region, in lock order
// (sorted names); on a failure it releases those it took, in reverse.
func (f *Fleet) lockAll(ctx context.Context, deployment string, regions []string, set LockOptions) (map[string]*Lease, error) {
	order := slices.Sorted(slices.Values(regions))
	leases := map[string]*Lease{}
	for _, r := range order {
		l, err := f.engines[r].Lock(ctx, deployment, func(o *LockOptions) { o.override(set) })
		if err != nil {
			return nil, errors.Join(&RegionError{Region: r, Err: err}, f.releaseAll(ctx, leases))
		}
		leases[r] = l
	}
	return leases, nil
}

// releaseAll releases the leases in reverse lock order.
func (f *Fleet) releaseAll(ctx context.Context, leases map[string]*Lease) error {
	order := slices.Sorted(maps.Keys(leases))
	slices.Reverse(order)
	var errs []error
	for _, r := range order {
		if err := leases[r].Release(context.WithoutCancel(ctx)); err != nil {
			errs = append(errs, &RegionError{Region: r, Err: fmt.Errorf("release the lock: %w", err)})
		}
	}
	return errors.Join(errs...)
}
