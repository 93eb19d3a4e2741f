package providertest

import (
	"context"
	"errors"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
)

// lockDeployment returns a deployment name for a lock test and removes
// the lock it may leave at cleanup.
func (s *suite) lockDeployment(t *testing.T, short string) string {
	t.Helper()
	dep := s.deployment(t, short)
	t.Cleanup(func() {
		ctx := context.WithoutCancel(t.Context())
		if l, err := s.d.ReadLock(ctx, dep); err == nil {
			_ = s.d.DeleteLock(ctx, l)
		}
	})
	return dep
}

func holder(id string) driver.Holder {
	return driver.Holder{ID: id, Host: "providertest", PID: 4242, Start: time.Now().UTC().Truncate(time.Second)}
}

// testLockObject checks the contract of driver.Locker: one lock object
// per deployment, created once, read with its record, renewed and deleted
// by its id only.
func testLockObject(ctx context.Context, t *testing.T, s *suite) {
	dep := s.lockDeployment(t, "lk")
	if _, err := s.d.ReadLock(ctx, dep); !errors.Is(err, driver.ErrNotFound) {
		t.Fatalf("ReadLock of a deployment without a lock: %v; want NotFound", err)
	}
	want := driver.Lock{Deployment: dep, Holder: holder("aaaa000011112222"), Expires: time.Now().Add(time.Minute).UTC()}
	first, err := s.d.CreateLock(ctx, want)
	if err != nil {
		t.Fatalf("CreateLock: %v", err)
	}
	if first.ID == "" {
		t.Fatal("CreateLock returned no id")
	}
	other := want
	other.Holder = holder("bbbb000011112222")
	if _, err := s.d.CreateLock(ctx, other); !errors.Is(err, driver.ErrAlreadyExists) {
		t.Errorf("a second CreateLock of %s: %v; want AlreadyExists", dep, err)
	}
	checkLock(ctx, t, s.d, dep, first.ID, want)

	later := want.Expires.Add(time.Minute)
	if _, err := s.d.RenewLock(ctx, first, later); err != nil {
		t.Fatalf("RenewLock: %v", err)
	}
	want.Expires = later
	checkLock(ctx, t, s.d, dep, first.ID, want)

	if err := s.d.DeleteLock(ctx, first); err != nil {
		t.Fatalf("DeleteLock: %v", err)
	}
	if err := s.d.DeleteLock(ctx, first); err != nil {
		t.Errorf("DeleteLock of a lock already gone: %v; want nil", err)
	}
	if _, err := s.d.RenewLock(ctx, first, later); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("RenewLock of a deleted lock: %v; want NotFound", err)
	}
	second, err := s.d.CreateLock(ctx, other)
	if err != nil {
		t.Fatalf("CreateLock after the delete: %v", err)
	}
	if second.ID == first.ID {
		t.Errorf("the second lock object has the id of the first, %s; want a new id per creation", first.ID)
	}
	if err := s.d.DeleteLock(ctx, first); err != nil {
		t.Errorf("DeleteLock by the stale id: %v", err)
	}
	if _, err := s.d.RenewLock(ctx, first, later); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("RenewLock by the stale id while a newer lock exists: %v; want NotFound", err)
	}
	checkLock(ctx, t, s.d, dep, second.ID, other)
	if err := s.d.DeleteLock(ctx, second); err != nil {
		t.Errorf("DeleteLock: %v", err)
	}
	for _, bad := range []string{"s*", dep + "?", ""} {
		if _, err := s.d.ReadLock(ctx, bad); !errors.Is(err, driver.ErrInvalid) {
			t.Errorf("ReadLock(%q): %v; want Invalid", bad, err)
		}
	}
}

// checkLock reads the lock of dep and compares it with want.
func checkLock(ctx context.Context, t *testing.T, d driver.Driver, dep, id string, want driver.Lock) {
	t.Helper()
	got, err := d.ReadLock(ctx, dep)
	switch {
	case err != nil:
		t.Errorf("ReadLock(%s): %v", dep, err)
	case got.ID != id:
		t.Errorf("ReadLock(%s) = lock %s; want %s (deleted by a stale id?)", dep, got.ID, id)
	case got.Holder.ID != want.Holder.ID || got.Holder.Host != want.Holder.Host || got.Holder.PID != want.Holder.PID ||
		!got.Holder.Start.Equal(want.Holder.Start):
		t.Errorf("ReadLock(%s) holder = %+v; want %+v", dep, got.Holder, want.Holder)
	case !got.Expires.Equal(want.Expires):
		t.Errorf("ReadLock(%s) expires %s; want %s", dep, got.Expires, want.Expires)
	}
}

// lease returns an engine on d whose lock has a short lease.
func leaseEngine(d driver.Driver, lease time.Duration) *provider.Engine {
	return provider.NewEngine(d, func(o *provider.Options) {
		o.RateLimit = -1
		o.PollMin, o.PollMax = 5*time.Millisecond, 50*time.Millisecond
		o.Retry = driver.RetryPolicy{MaxAttempts: 5, BaseDelay: 5 * time.Millisecond, MaxDelay: 50 * time.Millisecond}
		o.Lock = provider.LockOptions{Lease: lease, Renew: lease / 5}
	})
}

// testLease checks the lease the engine builds on the driver's lock:
// held (a second taker fails with ErrLocked naming the holder), renewed,
// taken over once its holder died (its renewals stopped), broken on
// purpose, waited for, and released by Apply on success and on failure.
func testLease(ctx context.Context, t *testing.T, s *suite) {
	const lease = 3 * time.Second
	eng := leaseEngine(s.d, lease)
	dep := s.lockDeployment(t, "ls")
	held, err := eng.Lock(ctx, dep)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	taken := held.Lock()
	_, err = eng.Lock(ctx, dep)
	var le *provider.LockedError
	if !errors.As(err, &le) || !errors.Is(err, provider.ErrLocked) || le.Lock.Holder.ID != taken.Holder.ID {
		t.Fatalf("a second Lock: %v; want a LockedError naming holder %s", err, taken.Holder)
	}
	time.Sleep(lease / 2)
	if cur, err := s.d.ReadLock(ctx, dep); err != nil || !cur.Expires.After(taken.Expires) {
		t.Errorf("after %s the lease was not renewed: %+v, %v (taken until %s)", lease/2, cur, err, taken.Expires)
	}

	// Broken on purpose: only by naming its holder.
	if _, err := eng.Lock(ctx, dep, func(o *provider.LockOptions) { o.Break = "someone-else" }); !errors.Is(err, provider.ErrLocked) {
		t.Errorf("Lock breaking another holder: %v; want ErrLocked", err)
	}
	breaker, err := eng.Lock(ctx, dep, func(o *provider.LockOptions) { o.Break = taken.Holder.ID })
	if err != nil {
		t.Fatalf("Lock breaking %s: %v", taken.Holder.ID, err)
	}
	select {
	case <-held.Done():
		if !errors.Is(held.Err(), provider.ErrLockLost) {
			t.Errorf("the broken lease ended with %v; want ErrLockLost", held.Err())
		}
	case <-time.After(2 * lease):
		t.Errorf("the broken lease did not notice within %s", 2*lease)
	}
	if err := held.Release(ctx); err != nil {
		t.Errorf("Release of a broken lease: %v", err)
	}
	if cur, err := s.d.ReadLock(ctx, dep); err != nil || cur.ID != breaker.Lock().ID {
		t.Errorf("the broken lease's release touched the breaker's lock: %+v, %v", cur, err)
	}

	// Waited for: a taker that waits gets the lock once it is released.
	got := make(chan error, 1)
	go func() {
		l, err := eng.Lock(ctx, dep, func(o *provider.LockOptions) { o.Wait = 10 * lease })
		if err == nil {
			err = l.Release(ctx)
		}
		got <- err
	}()
	time.Sleep(lease / 5)
	if err := breaker.Release(ctx); err != nil {
		t.Errorf("Release: %v", err)
	}
	if err := <-got; err != nil {
		t.Errorf("a waiting Lock: %v", err)
	}

	// Expired: a holder whose renewals stop (it died) is taken over once
	// its lease ends.
	dead, stop := context.WithCancel(ctx)
	gone, err := eng.Lock(dead, dep)
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	stop()
	<-gone.Done()
	if _, err := eng.Lock(ctx, dep); !errors.Is(err, provider.ErrLocked) {
		t.Errorf("Lock while the dead holder's lease runs: %v; want ErrLocked", err)
	}
	time.Sleep(time.Until(gone.Lock().Expires) + 100*time.Millisecond)
	after, err := eng.Lock(ctx, dep)
	if err != nil {
		t.Fatalf("Lock after the dead holder's lease ended: %v", err)
	}
	if err := after.Release(ctx); err != nil {
		t.Errorf("Release: %v", err)
	}
	testApplyReleases(ctx, t, s, lease)
}

// failAt is a driver whose Create of the logical id fail is refused
// (Code Invalid, not retried): a failure in the middle of a run, after
// the engine took the lock, that no preflight foresees. It counts the
// locks taken through it.
type failAt struct {
	driver.Driver
	fail  string
	locks atomic.Int32
}

func (f *failAt) Create(ctx context.Context, req driver.Request) (driver.Observed, error) {
	if req.Resource.ID == f.fail {
		return driver.Observed{}, driver.NewError("Create", string(req.Resource.Kind), req.Resource.ID, driver.Invalid,
			errors.New("refused by the test"))
	}
	return f.Driver.Create(ctx, req)
}

func (f *failAt) CreateLock(ctx context.Context, l driver.Lock) (driver.Lock, error) {
	f.locks.Add(1)
	return f.Driver.CreateLock(ctx, l)
}

// testApplyReleases checks that Apply releases the lock it took, on
// success and on a failure in the middle of the run, and that Destroy
// does too.
func testApplyReleases(ctx context.Context, t *testing.T, s *suite, lease time.Duration) {
	dep := s.lockDeployment(t, "lr")
	net := blueprint.Resource{ID: "net/main", Kind: blueprint.KindNet, Net: &blueprint.NetSpec{CIDR: netip.MustParsePrefix("10.0.0.0/16")}}
	sub := blueprint.Resource{ID: "subnet/web/a", Kind: blueprint.KindSubnet, DependsOn: []string{"net/main"}, Subnet: &blueprint.SubnetSpec{
		Net: "net/main", CIDR: netip.MustParsePrefix("10.0.1.0/24"), Zone: "a", Tier: "web"}}
	d := &failAt{Driver: s.d, fail: sub.ID}
	eng := leaseEngine(d, lease)
	for _, tc := range []struct {
		name string
		rs   []blueprint.Resource
	}{{"success", []blueprint.Resource{net}}, {"failure", []blueprint.Resource{net, sub}}} {
		bp := &blueprint.Blueprint{Schema: blueprint.SchemaV2, Deployment: dep, Resources: tc.rs}
		before := d.locks.Load()
		_, err := eng.Apply(ctx, bp)
		switch {
		case tc.name == "success" && err != nil:
			t.Errorf("Apply (success): %v", err)
		case tc.name == "failure" && !errors.Is(err, driver.ErrInvalid):
			t.Errorf("Apply (failure): %v; want the refusal of %s", err, sub.ID)
		}
		if d.locks.Load() == before {
			t.Errorf("Apply (%s) took no lock", tc.name)
		}
		if l, err := s.d.ReadLock(ctx, dep); !errors.Is(err, driver.ErrNotFound) {
			t.Errorf("after an Apply (%s) the lock is still there: %+v, %v", tc.name, l, err)
		}
	}
	if _, err := eng.Destroy(ctx, dep); err != nil {
		t.Errorf("Destroy: %v", err)
	}
	if l, err := s.d.ReadLock(ctx, dep); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("after Destroy the lock is still there: %+v, %v", l, err)
	}
}
