package deploy

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider"
)

type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A plain log names what is still in flight at every heartbeat, so that it
// is never silent while a NAT gateway or a database takes minutes, and
// ends with the slowest resources.
func TestPlainHeartbeat(t *testing.T) {
	var out lockedBuilder
	p := newProgress(&plainView{w: &out, heartbeat: 5 * time.Millisecond})
	clock := time.Now()
	var mu sync.Mutex
	p.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	cs := &provider.Changeset{Deployment: "shop", Provider: "fake", Changes: []provider.Change{
		{ID: "nat_gateway/nat/a", Kind: blueprint.KindNATGateway, Action: provider.ActionCreate},
		{ID: "subnet/web/a", Kind: blueprint.KindSubnet, Action: provider.ActionCreate},
	}}
	p.begin(`Applying "shop" to fake`, cs)
	p.handle(provider.Event{Type: provider.EventStarted, ID: "nat_gateway/nat/a", Action: provider.ActionCreate, Time: clock})
	p.handle(provider.Event{Type: provider.EventWaiting, ID: "nat_gateway/nat/a", Action: provider.ActionCreate})
	mu.Lock()
	clock = clock.Add(95 * time.Second)
	mu.Unlock()
	assert.Eventually(t, func() bool {
		return strings.Contains(out.String(), "... 1 in progress, 1 pending, 0 done: nat_gateway/nat/a waiting until ready 1m35s")
	}, 5*time.Second, 5*time.Millisecond, out.String())
	p.handle(provider.Event{Type: provider.EventDone, ID: "nat_gateway/nat/a", Action: provider.ActionCreate, Duration: 95 * time.Second, ProviderID: "nat-1"})
	p.handle(provider.Event{Type: provider.EventNotStarted, ID: "subnet/web/a", Action: provider.ActionCreate, Message: "the run was cancelled (interrupted by interrupt)"})
	p.end("Apply failed: 1 created, 0 updated, 0 replaced, 0 deleted in 1m35s (0 failed, 1 not started)")
	got := out.String()
	assert.Contains(t, got, "+ nat_gateway/nat/a: created nat-1 [1m35s]")
	assert.Contains(t, got, "+ subnet/web/a: not started: the run was cancelled")
	assert.Contains(t, got, "Slowest: nat_gateway/nat/a 1m35s")
	assert.Contains(t, got, "Not started (1): subnet/web/a")
}
