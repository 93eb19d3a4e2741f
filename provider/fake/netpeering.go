package fake

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/internal/wait"
)

// Why the fake refuses a net_peering.
const (
	netPeeringNoAccount       = "make each region's fake with fake.NewAccount().Region(name): the regions of one Account peer their Nets"
	netPeeringOutscaleRegions = "OUTSCALE Net peering joins two Nets of one region (CreateNetPeering has AccepterNetId and AccepterOwnerId, no region); " +
		"join the Nets of two regions with a VPN: pattern.MultiRegion.LinkVPN(hub, spoke, pattern.VPNLinkOptions{Image, VMType}) instead of Link (a VPN connection in the hub, an IPsec appliance VM in the spoke), " +
		"or keep the regions unlinked"
)

// checkPeering refuses, before any call, a Net peering with a Net of a
// region the fake's account does not have (a fake made by New has none
// but its own), an accepter's side in the fake's own region, and what
// OUTSCALE cannot peer.
func (d *Driver) checkPeering(r blueprint.Resource) error {
	s := r.NetPeering
	if s.PeerRegion != d.regionName && d.account.region(s.PeerRegion) == nil {
		return &netplan.FieldError{Package: "fake", Field: "net_peering.peer_region", Input: strconv.Quote(s.PeerRegion),
			Problem: fmt.Sprintf("not a region of the fake's account (it has %q)", d.account.Regions()), Fix: netPeeringNoAccount, Err: driver.ErrUnsupported}
	}
	if d.opts.Cloud == CloudOutscale {
		return d.checkOutscalePeering(r)
	}
	if s.Accepter && s.PeerRegion == d.regionName {
		return oneRegionAccepter()
	}
	return nil
}

// oneRegionAccepter is why an accepter's side in the driver's own region
// is refused: there the requester's side requests and accepts the peering.
func oneRegionAccepter() error {
	return &netplan.FieldError{Package: "fake", Field: "net_peering.accepter", Input: "true",
		Problem: "in one region the requester's side requests and accepts the peering", Fix: "drop the accepter's side", Err: driver.ErrInvalid}
}

// validPeering reports whether checkPeering passes r: a Create of one it
// refuses is answered by the generic path, which refuses it recorded.
func (d *Driver) validPeering(r blueprint.Resource) bool { return d.checkPeering(r) == nil }

// checkOutscalePeering refuses, as the OUTSCALE driver's Check, a Net
// peering with a Net of another region and an accepter's side (in one
// region the requester's side requests and accepts it).
func (d *Driver) checkOutscalePeering(r blueprint.Resource) error {
	s := r.NetPeering
	var errs []error
	if s.PeerRegion != d.regionName {
		errs = append(errs, &netplan.FieldError{Package: "fake", Field: "net_peering.peer_region", Input: strconv.Quote(s.PeerRegion),
			Problem: "a Net of another region", Fix: netPeeringOutscaleRegions, Err: driver.ErrUnsupported})
	} else if s.Accepter {
		errs = append(errs, oneRegionAccepter())
	}
	return errors.Join(errs...)
}

// defaultPeerTimeout is how long a net_peering's Create waits for the
// other region by default ([Options.PeerTimeout]).
const defaultPeerTimeout = time.Minute

// validateNetPeering checks what one region sees of a side of a Net
// peering: its Net exists. The other region's side is checked by
// [Driver.createNetPeering], outside the region's lock.
func (d *Driver) validateNetPeering(op string, e, _ *entry) error {
	_, err := d.ref(op, e, "net_peering.net", e.res.NetPeering.Net, blueprint.KindNet)
	return err
}

// createNetPeering makes one side of a Net peering, as the AWS driver
// does over two regions of one account:
//
//   - the requester's side waits until the peer Net exists in PeerRegion
//     (found by the deployment's tags and its logical id PeerNet), then
//     requests the connection, which stays pending acceptance (Ready
//     false), or, between two Nets of the fake's own region, accepts it
//     at once (the account owns both, as the AWS driver's requester's
//     side does there); its Ranges must not overlap (AWS: the connection
//     fails with "Overlapping CIDR range"), PeerCIDR must be the peer
//     Net's, and two Nets hold one connection at a time;
//   - the accepter's side waits until the request from the peer Net is
//     pending, and accepts it: both sides are then active.
//
// The waits happen outside the region's lock and end after
// Options.PeerTimeout (Code NotFound, naming the fix) or with ctx.
func (d *Driver) createNetPeering(ctx context.Context, req driver.Request) (driver.Observed, error) {
	r := req.Resource
	s := r.NetPeering
	d.mu.Lock()
	earlier := d.earlier(req)
	d.mu.Unlock()
	if earlier != "" { // an earlier attempt made it: nothing to wait for
		return d.createdEarlier(ctx, req)
	}
	peer, err := d.awaitPeerNet(ctx, req)
	if err != nil {
		return driver.Observed{}, err
	}
	own, err := d.ownEnd(s.Net)
	if err != nil {
		return driver.Observed{}, err
	}
	if s.Accepter {
		if err := d.awaitRequest(ctx, r.ID, peer, own); err != nil {
			return driver.Observed{}, err
		}
	}
	var out driver.Observed
	err = d.call(ctx, Call{Op: OpCreate, Kind: r.Kind, LogicalID: r.ID}, func(c *Call) error {
		if e, ok := d.res[d.earlier(req)]; ok {
			out, c.ID = e.observed(), e.id
			return nil
		}
		e := &entry{kind: r.Kind, res: r, tags: maps.Clone(req.Tags)}
		if err := d.validate(OpCreate, e, nil); err != nil {
			return err
		}
		if e.link, err = d.connect(e, own, peer); err != nil {
			return err
		}
		e.id = e.link.id
		d.res[e.id] = e
		d.indexAdd(e)
		out, c.ID = e.observed(), e.id
		return nil
	})
	return out, err
}

// createdEarlier answers a repeated Create with what the first one made.
func (d *Driver) createdEarlier(ctx context.Context, req driver.Request) (driver.Observed, error) {
	var out driver.Observed
	err := d.call(ctx, Call{Op: OpCreate, Kind: req.Resource.Kind, LogicalID: req.Resource.ID}, func(c *Call) error {
		e, ok := d.res[d.earlier(req)]
		if !ok {
			return d.errf(OpCreate, req.Resource.Kind, req.Resource.ID, driver.NotFound, "net_peering: the connection made by an earlier attempt is gone; apply again")
		}
		out, c.ID = e.observed(), e.id
		return nil
	})
	return out, err
}

// connect requests the connection from own to peer, or accepts the one
// peer requested, for e.
func (d *Driver) connect(e *entry, own, peer peeringEnd) (*peeringLink, error) {
	s := e.res.NetPeering
	if !s.Accepter {
		switch {
		case own.cidr.Overlaps(peer.cidr):
			return nil, d.errf(OpCreate, e.kind, e.res.ID, driver.Invalid,
				"net_peering: net %s (%s) overlaps the peer net %s (%s): AWS refuses the connection (Overlapping CIDR range); give the Nets disjoint ranges",
				own.net, own.cidr, peer.net, peer.cidr)
		case s.PeerCIDR != peer.cidr:
			return nil, d.errf(OpCreate, e.kind, e.res.ID, driver.Invalid, "net_peering.peer_cidr: %s, but net %s in %s is %s; give the peer Net's range",
				s.PeerCIDR, peer.net, peer.region, peer.cidr)
		}
		l, err := d.account.request(own, peer, d.opts.IDStyle)
		if err != nil {
			return nil, d.errf(OpCreate, e.kind, e.res.ID, driver.AlreadyExists, "net_peering: %v", err)
		}
		if d.opts.Cloud == CloudOutscale || peer.region == own.region {
			l.setState(peeringActive, peeringPending) // the account owns both Nets of one region: accepted at once
		}
		return l, nil
	}
	l := d.account.pending(peer, own)
	if l == nil || !l.setState(peeringActive, peeringPending) {
		return nil, d.errf(OpCreate, e.kind, e.res.ID, driver.NotFound,
			"net_peering: no connection from net %s in %s pending acceptance by net %s; the requester's side asks for it first", peer.net, peer.region, own.net)
	}
	return l, nil
}

// ownEnd returns the region's end of a connection from the Net id.
func (d *Driver) ownEnd(net blueprint.Ref) (peeringEnd, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, ok := d.res[string(net)]
	if !ok || n.kind != blueprint.KindNet {
		return peeringEnd{}, d.errf(OpCreate, blueprint.KindNetPeering, "", driver.NotFound, "net_peering.net: net %s does not exist", net)
	}
	return peeringEnd{region: d.regionName, net: n.id, cidr: n.res.Net.CIDR}, nil
}

// awaitPeerNet waits until the Net PeerNet of the deployment exists in
// PeerRegion, and returns it.
func (d *Driver) awaitPeerNet(ctx context.Context, req driver.Request) (peeringEnd, error) {
	s := req.Resource.NetPeering
	pd := d.account.region(s.PeerRegion) // checkPeering found it
	if pd == nil {
		return peeringEnd{}, d.errf(OpCreate, blueprint.KindNetPeering, req.Resource.ID, driver.Invalid,
			"net_peering.peer_region: %q is not a region of the account (it has %q); %s", s.PeerRegion, d.account.Regions(), netPeeringNoAccount)
	}
	var end peeringEnd
	err := d.await(ctx, blueprint.KindNetPeering, req.Resource.ID, s.PeerRegion, func() bool {
		var ok bool
		end, ok = pd.netByTags(req.Deployment, s.PeerNet)
		return ok
	}, fmt.Sprintf("no Net %s of deployment %q in region %s: apply both regions together (provider.Fleet) so that the peer Net exists", s.PeerNet, req.Deployment, s.PeerRegion))
	return end, err
}

// awaitRequest waits until the connection from peer to own is pending
// acceptance.
func (d *Driver) awaitRequest(ctx context.Context, id string, peer, own peeringEnd) error {
	return d.await(ctx, blueprint.KindNetPeering, id, peer.region, func() bool { return d.account.pending(peer, own) != nil },
		fmt.Sprintf("no connection from net %s in %s waits for acceptance by net %s: apply the requester's region in the same provider.Fleet run", peer.net, peer.region, own.net))
}

// await polls found every few milliseconds until it reports true, for at
// most Options.PeerTimeout, or until the run of region ends in a
// multi-region run ([driver.RegionEnded]): then found is asked once more,
// as nothing more will be made there.
func (d *Driver) await(ctx context.Context, kind blueprint.Kind, id, region string, found func() bool, missing string) error {
	timeout := d.opts.PeerTimeout
	if timeout <= 0 {
		timeout = defaultPeerTimeout
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ended := driver.RegionEnded(ctx, region)
	for delay := time.Millisecond; !found(); delay = min(2*delay, 20*time.Millisecond) {
		select {
		case <-ended:
			if found() {
				return nil
			}
			return d.errf(OpCreate, kind, id, driver.NotFound, "%s: the run of region %s ended, and %s", kind, region, missing)
		default:
		}
		if err := wait.Sleep(wctx, delay); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return d.errf(OpCreate, kind, id, driver.NotFound, "%s: after %s, %s", kind, timeout, missing)
		}
	}
	return nil
}

// netByTags returns the Net of deployment with logical id, as an end of a
// connection.
func (d *Driver) netByTags(deployment, logicalID string) (peeringEnd, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f := tagFilter{driver.TagDeployment: escapeFilter(deployment), driver.TagLogicalID: escapeFilter(logicalID)}
	for _, e := range d.describe(blueprint.KindNet, f) {
		if e.tags[driver.TagDeployment] == deployment && e.tags[driver.TagLogicalID] == logicalID {
			return peeringEnd{region: d.regionName, net: e.id, cidr: e.res.Net.CIDR}, true
		}
	}
	return peeringEnd{}, false
}

// gone reports whether e is the side of a connection deleted from either
// region: AWS then lists it as "deleted" for a while, which the drivers
// read as gone.
func (e *entry) gone() bool {
	return e.link != nil && e.link.state() == peeringDeleted
}

// deleteNetPeering deletes the connection of e, once: the other region's
// side is then gone too.
func (e *entry) deleteNetPeering() {
	if e.link != nil {
		e.link.setState(peeringDeleted, peeringPending, peeringActive)
	}
}

// peeringRoute returns why a route of a route table of net cannot target
// t, a net_peering, or "": the clouds route to a peering once it is
// active, from either of its Nets.
func (d *Driver) peeringRoute(t *entry, net blueprint.Ref) string {
	if t.kind != blueprint.KindNetPeering || t.link == nil {
		return ""
	}
	l := t.link
	if !(l.requester == peeringEnd{region: d.regionName, net: string(net), cidr: l.requester.cidr}) &&
		!(l.accepter == peeringEnd{region: d.regionName, net: string(net), cidr: l.accepter.cidr}) {
		return fmt.Sprintf("peering connection %s does not join net %s", t.id, net)
	}
	if s := t.link.state(); s != peeringActive {
		return fmt.Sprintf("peering connection %s is %s, not active: AWS routes to a connection once the accepter's region accepts it", t.id, s)
	}
	return ""
}
