package provider_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
)

// fastOpts makes the engine quick for tests: no rate limit, tiny backoffs
// and polls.
func fastOpts(o *provider.Options) {
	o.RateLimit = -1
	o.Retry = driver.RetryPolicy{MaxAttempts: 10, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	o.PollMin, o.PollMax = time.Millisecond, 2*time.Millisecond
	o.WaitTimeout = 5 * time.Second
	o.DependencyRetries = 2
}

// snapshot lists every resource of the deployment straight from the driver
// and returns them by logical id, refs mapped to logical ids, as JSON. A
// logical id held by two resources shows up as a duplicate.
func snapshot(t *testing.T, d driver.Driver, deployment string) (state map[string]string, dups []string) {
	t.Helper()
	var all []driver.Observed
	for _, k := range blueprint.Kinds {
		if !d.Capabilities().Supports(k) {
			continue
		}
		obs, err := d.List(t.Context(), driver.Query{Deployment: deployment, Kind: k})
		require.NoError(t, err)
		all = append(all, obs...)
	}
	logical := map[string]string{}
	for _, o := range all {
		logical[o.ID] = o.LogicalID
	}
	state = map[string]string{}
	for _, o := range all {
		r := o.Resource.Clone()
		r.Kind = o.Resource.Kind
		for _, ref := range r.Refs() {
			if id, ok := logical[string(*ref)]; ok {
				*ref = blueprint.Ref(id)
			} else if *ref != "" {
				*ref = blueprint.Ref("dangling:" + string(*ref))
			}
		}
		raw, err := json.Marshal(r.Spec())
		require.NoError(t, err)
		if _, dup := state[o.LogicalID]; dup {
			dups = append(dups, o.LogicalID)
		}
		state[o.LogicalID] = string(raw)
	}
	return state, dups
}

// collector gathers events; safe for concurrent use.
type collector struct {
	mu     sync.Mutex
	events []provider.Event
}

func (c *collector) handle(ev provider.Event) {
	c.mu.Lock()
	c.events = append(c.events, ev)
	c.mu.Unlock()
}

func (c *collector) all() []provider.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.events)
}

func (c *collector) dump() string {
	var b strings.Builder
	for _, ev := range c.all() {
		fmt.Fprintf(&b, "%+v", ev)
		if ev.Err != nil {
			b.WriteString(" " + ev.Err.Error())
		}
		b.WriteString("\n")
	}
	return b.String()
}

func newFake(optFns ...func(*fake.Options)) *fake.Driver {
	return fake.New(append([]func(*fake.Options){func(o *fake.Options) { o.PendingReads = 2 }}, optFns...)...)
}

// allowStateful lets a Destroy delete every stateful resource of bp,
// without final snapshots: the tests' clean-up.
func allowStateful(bp *blueprint.Blueprint) func(*provider.DestroyOptions) {
	return func(o *provider.DestroyOptions) {
		for _, r := range bp.Resources {
			if r.IsStateful() {
				o.AllowDataLoss = append(o.AllowDataLoss, r.ID)
			}
		}
		o.SkipFinalSnapshot = true
	}
}

// allow lets an Apply delete or replace the stateful resources ids.
func allow(ids ...string) func(*provider.ApplyOptions) {
	return func(o *provider.ApplyOptions) { o.AllowDataLoss = ids }
}
