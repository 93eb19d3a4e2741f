package fake

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sync"
)

// Account is one cloud account over several regions: the fakes of its
// regions see each other, as the regions of one AWS account do, so that
// a Net peering requested in one region is accepted in another
// (blueprint.KindNetPeering). A [Driver] made with [New] is a region of an
// account of its own, which has no other region: it refuses net_peering.
//
//	acct := fake.NewAccount()
//	fleet, err := provider.NewFleet(map[string]driver.Driver{
//		"eu-west-3": acct.Region("eu-west-3"),
//		"eu-west-1": acct.Region("eu-west-1"),
//	})
//
// An Account is safe for concurrent use.
type Account struct {
	mu       sync.Mutex
	regions  map[string]*Driver
	seq      uint64
	peerings map[string]*peeringLink // connection id -> connection
}

// NewAccount returns an account without regions. The zero Account is
// one too.
func NewAccount() *Account {
	return &Account{regions: map[string]*Driver{}, peerings: map[string]*peeringLink{}}
}

// Region returns the fake of region name. The first call for a name makes
// it with optFns (its Zones default to name+"a", "b" and "c"); a later
// call returns that same Driver and ignores optFns. A nil Account or an
// empty name returns nil.
func (a *Account) Region(name string, optFns ...func(*Options)) *Driver {
	if a == nil || name == "" {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if d, ok := a.regions[name]; ok {
		return d
	}
	if a.regions == nil { // the zero Account
		a.regions, a.peerings = map[string]*Driver{}, map[string]*peeringLink{}
	}
	var o Options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	if o.Zones == nil {
		o.Zones = []string{name + "a", name + "b", name + "c"}
	}
	d := &Driver{account: a, regionName: name}
	d.once.Do(func() { d.init(o) })
	a.regions[name] = d
	return d
}

// Regions returns the names of the account's regions, sorted.
func (a *Account) Regions() []string {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Sorted(maps.Keys(a.regions))
}

// region returns the fake of region name, or nil.
func (a *Account) region(name string) *Driver {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.regions[name]
}

// Region returns the region of a Driver made by [Account.Region]; "" for
// one made by [New].
func (d *Driver) Region() string {
	if d == nil {
		return ""
	}
	return d.regionName
}

// peeringLink is one Net peering connection of an account, which both
// regions' fakes hold a side of (an entry with the connection's id).
type peeringLink struct {
	id                  string
	requester, accepter peeringEnd
	mu                  sync.Mutex // guards status; taken after a Driver's mu, never before
	status              string
}

// peeringEnd is one Net of a connection.
type peeringEnd struct {
	region, net string
	cidr        netip.Prefix
}

// The states of a VPC peering connection (EC2 API Reference,
// VpcPeeringConnectionStateReasonCode) the fake goes through.
const (
	peeringPending = "pending-acceptance"
	peeringActive  = "active"
	peeringDeleted = "deleted"
)

func (l *peeringLink) state() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.status
}

// setState moves l from one of from to to, and reports whether it did.
func (l *peeringLink) setState(to string, from ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !slices.Contains(from, l.status) {
		return false
	}
	l.status = to
	return true
}

// request records a new connection from requester to accepter, pending
// acceptance. It refuses a second connection between the two Nets while
// one is pending or active (AWS: one VPC peering connection per pair of
// VPCs).
func (a *Account) request(req, acc peeringEnd, style IDStyle) (*peeringLink, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, l := range a.peerings {
		same := l.requester == req && l.accepter == acc || l.requester == acc && l.accepter == req
		if s := l.state(); same && s != peeringDeleted {
			return nil, fmt.Errorf("net %s in %s and net %s in %s already have peering connection %s (%s); two Nets hold one connection",
				req.net, req.region, acc.net, acc.region, l.id, s)
		}
	}
	a.seq++
	l := &peeringLink{id: idIn(style, "pcx", mix(a.seq<<20|0xbeef)), requester: req, accepter: acc, status: peeringPending}
	a.peerings[l.id] = l
	return l, nil
}

// pending returns the connection pending acceptance from req to acc, or
// nil.
func (a *Account) pending(req, acc peeringEnd) *peeringLink {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(a.peerings)) {
		l := a.peerings[id]
		if l.requester == req && l.accepter == acc && l.state() == peeringPending {
			return l
		}
	}
	return nil
}
