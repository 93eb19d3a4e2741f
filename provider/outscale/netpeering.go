package outscale

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// A Net peering (kind net_peering) joins two Nets of the driver's region:
// CreateNetPeering names the peer Net by its id (AccepterNetId) and, for
// another account, its owner (AccepterOwnerId); it has no peer region
// (OUTSCALE API reference, CreateNetPeering). Both Nets being the
// account's, the requester's side requests the peering and accepts it
// itself (AcceptNetPeering), then tags it (CreateNetPeering takes no tags).
// The Nets of two regions cannot be peered: [Driver.Check] refuses such a
// link before any call, naming the VPN that joins them instead.

// peeringsGone are the states of a peering that holds nothing: listed by
// OUTSCALE for a while, never deleted by archkit.
var peeringsGone = []string{"deleted", "rejected", "failed", "expired"}

// Check refuses, before any call, a net_peering OUTSCALE cannot make: one
// with a Net of another region, and an accepter's side (in one region the
// requester's side makes the whole peering); a net_endpoint that is not a
// Net access point to OOS (see netaccesspoint.go); and an end of a link
// over a VPN whose other region the driver cannot read (peers.go).
func (d *Driver) Check(_ string, r blueprint.Resource) error {
	if d == nil {
		return d.ready("Check", r.Kind)
	}
	if r.Kind == blueprint.KindNetEndpoint && r.NetEndpoint != nil {
		return checkNetEndpoint(r.NetEndpoint)
	}
	if err := d.checkLinkEnds(r); err != nil {
		return err
	}
	s := r.NetPeering
	if r.Kind != blueprint.KindNetPeering || s == nil {
		return nil
	}
	var errs []error
	if s.PeerRegion != d.region {
		errs = append(errs, fmt.Errorf("outscale: net_peering.peer_region: %q: %s", s.PeerRegion, netPeeringRegions))
	}
	if s.Accepter && s.PeerRegion == d.region {
		errs = append(errs, errors.New("outscale: net_peering.accepter: in one region the requester's side requests and accepts the peering; drop the accepter's side"))
	}
	return errors.Join(errs...)
}

// netPeeringRegions is why two regions' Nets are not peered on OUTSCALE.
const netPeeringRegions = "OUTSCALE Net peering joins two Nets of one region (CreateNetPeering has AccepterNetId and AccepterOwnerId, no region); " +
	"join the Nets of two regions with a VPN: pattern.MultiRegion.LinkVPN(hub, spoke, pattern.VPNLinkOptions{Image, VMType}) instead of Link " +
	"(a VPN connection in the hub, an IPsec appliance VM in the spoke), or keep the regions unlinked"

func peeringObserved(p osc.NetPeering, tags map[string]string, region string) driver.Observed {
	o := observed(blueprint.KindNetPeering, p.GetNetPeeringId(), tags)
	acc := p.GetAccepterNet()
	src := p.GetSourceNet()
	cidr, _ := netip.ParsePrefix(acc.GetIpRange())
	o.Resource.NetPeering = &blueprint.NetPeeringSpec{Net: blueprint.Ref(src.GetNetId()), PeerRegion: region, PeerCIDR: cidr}
	state := p.GetState()
	o.Status = state.GetName()
	o.Ready = o.Status == "active"
	return o
}

func (d *Driver) readNetPeerings(ctx context.Context, f osc.FiltersNetPeering, id string) ([]osc.NetPeering, error) {
	ps, err := pages(func(token *string) ([]osc.NetPeering, string, error) {
		req := osc.ReadNetPeeringsRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadNetPeerings", string(blueprint.KindNetPeering), id, func(ctx context.Context) (osc.ReadNetPeeringsResponse, *http.Response, error) {
			return d.api.NetPeeringApi.ReadNetPeerings(ctx).ReadNetPeeringsRequest(req).Execute()
		})
		return resp.GetNetPeerings(), resp.GetNextPageToken(), err
	})
	return slices.DeleteFunc(ps, func(p osc.NetPeering) bool {
		st := p.GetState()
		return slices.Contains(peeringsGone, st.GetName())
	}), err
}

// listNetPeerings lists the deployment's peerings, or those of ids.
func (d *Driver) listNetPeerings(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	f := osc.FiltersNetPeering{Tags: ownerFilter(q), NetPeeringIds: idFilter(ids)}
	if len(ids) == 0 && len(q.NetIDs) > 0 {
		f.SourceNetNetIds = netFilter(q)
	}
	ps, err := d.readNetPeerings(ctx, f, first(ids))
	if err != nil {
		return nil, err
	}
	return ownedObserved(q, ps, func(p osc.NetPeering, tags map[string]string) driver.Observed {
		return peeringObserved(p, tags, d.region)
	}), nil
}

// createNetPeering finds the peer Net by the deployment's tags (waiting
// while it is not there), then requests the peering, accepts it and tags
// it. A live peering between the two Nets that carries no tag is the one
// an earlier attempt made (its answer lost): OUTSCALE rejects a second
// one between two Nets, so it is taken, not duplicated.
func (d *Driver) createNetPeering(ctx context.Context, req driver.Request) (driver.Observed, error) {
	k, s := blueprint.KindNetPeering, req.Resource.NetPeering
	if err := d.Check(req.Deployment, req.Resource); err != nil {
		return driver.Observed{}, errorf("Create", string(k), req.Resource.ID, driver.Unsupported, "%v", err)
	}
	o, ok, err := d.findOwned(ctx, req, d.listNetPeerings)
	if err != nil || ok {
		return o, err
	}
	peer, err := d.peerNet(ctx, req)
	if err != nil {
		return driver.Observed{}, err
	}
	p, err := d.requestPeering(ctx, req, string(s.Net), peer)
	if err != nil {
		return driver.Observed{}, err
	}
	id := p.GetNetPeeringId()
	if st := p.GetState(); st.GetName() == "pending-acceptance" {
		if p, err = d.acceptPeering(ctx, id); err != nil {
			return driver.Observed{}, err
		}
	}
	if err := d.tagNew(ctx, k, id, req.Tags, nil); err != nil {
		return driver.Observed{}, err
	}
	return peeringObserved(p, req.Tags, d.region), nil
}

// acceptPeering accepts the peering id. A repeat whose first answer was
// lost is refused (the peering is active, not pending): the peering read
// active is the answer.
func (d *Driver) acceptPeering(ctx context.Context, id string) (osc.NetPeering, error) {
	resp, err := call(ctx, d, "AcceptNetPeering", string(blueprint.KindNetPeering), id, func(ctx context.Context) (osc.AcceptNetPeeringResponse, *http.Response, error) {
		return d.api.NetPeeringApi.AcceptNetPeering(ctx).AcceptNetPeeringRequest(osc.AcceptNetPeeringRequest{NetPeeringId: id}).Execute()
	})
	if err == nil {
		return resp.GetNetPeering(), nil
	}
	ps, rerr := d.readNetPeerings(ctx, osc.FiltersNetPeering{NetPeeringIds: &[]string{id}, StateNames: &[]string{"active"}}, id)
	if rerr == nil && len(ps) == 1 {
		return ps[0], nil
	}
	return osc.NetPeering{}, err
}

// requestPeering returns the untagged live peering from net to peer, or
// makes it. A peering OUTSCALE fails (overlapping ranges) or rejects (the
// Nets are peered already) is an error that says so.
func (d *Driver) requestPeering(ctx context.Context, req driver.Request, net, peer string) (osc.NetPeering, error) {
	k := string(blueprint.KindNetPeering)
	ps, err := d.readNetPeerings(ctx, osc.FiltersNetPeering{SourceNetNetIds: &[]string{net}, AccepterNetNetIds: &[]string{peer}}, "")
	if err != nil {
		return osc.NetPeering{}, err
	}
	for _, p := range ps {
		if tagMap(p.GetTags())[driver.TagDeployment] == "" {
			return p, nil
		}
	}
	resp, err := call(ctx, d, "CreateNetPeering", k, req.Resource.ID, func(ctx context.Context) (osc.CreateNetPeeringResponse, *http.Response, error) {
		return d.api.NetPeeringApi.CreateNetPeering(ctx).CreateNetPeeringRequest(osc.CreateNetPeeringRequest{SourceNetId: net, AccepterNetId: peer}).Execute()
	})
	if err != nil {
		return osc.NetPeering{}, err
	}
	p := resp.GetNetPeering()
	switch st := p.GetState(); st.GetName() {
	case "failed":
		return p, errorf("Create", k, p.GetNetPeeringId(), driver.Invalid, "the Net peering of %s and %s failed (%s): their ranges must not overlap", net, peer, st.GetMessage())
	case "rejected":
		return p, errorf("Create", k, p.GetNetPeeringId(), driver.AlreadyExists, "the Net peering of %s and %s was rejected (%s): two Nets hold one peering", net, peer, st.GetMessage())
	}
	return p, nil
}

// peerNet returns the id of the Net PeerNet of the deployment, waiting
// (up to Options.WaitTimeout) while it is not there yet.
func (d *Driver) peerNet(ctx context.Context, req driver.Request) (string, error) {
	k, s := string(blueprint.KindNetPeering), req.Resource.NetPeering
	var id string
	err := d.waitFor(ctx, "Create", k, req.Resource.ID, "found", func(ctx context.Context) (bool, error) {
		nets, err := d.readNets(ctx, osc.FiltersNet{Tags: &[]string{driver.TagDeployment + "=" + req.Deployment, driver.TagLogicalID + "=" + s.PeerNet}}, "")
		for _, n := range nets {
			if t := tagMap(n.GetTags()); t[driver.TagDeployment] == req.Deployment && t[driver.TagLogicalID] == s.PeerNet {
				id = n.GetNetId()
				return true, nil
			}
		}
		return false, err
	})
	if err != nil {
		return "", errorf("Create", k, req.Resource.ID, driver.NotFound, "no Net %s of deployment %q in %s: %v", s.PeerNet, req.Deployment, d.region, err)
	}
	return id, nil
}

// deleteNetPeering deletes the peering; one already gone is done.
func (d *Driver) deleteNetPeering(ctx context.Context, cur driver.Observed) error {
	_, err := call(ctx, d, "DeleteNetPeering", string(blueprint.KindNetPeering), cur.ID, func(ctx context.Context) (osc.DeleteNetPeeringResponse, *http.Response, error) {
		return d.api.NetPeeringApi.DeleteNetPeering(ctx).DeleteNetPeeringRequest(osc.DeleteNetPeeringRequest{NetPeeringId: cur.ID}).Execute()
	})
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		if ps, rerr := d.readNetPeerings(ctx, osc.FiltersNetPeering{NetPeeringIds: &[]string{cur.ID}}, cur.ID); rerr == nil && len(ps) == 0 {
			return nil // rejected, failed, expired or deleted meanwhile
		}
	}
	return err
}

// checkLinkEnds refuses a customer gateway of a peer's public IP and an
// appliance whose other region the driver has no driver of.
func (d *Driver) checkLinkEnds(r blueprint.Resource) error {
	var region, field string
	switch {
	case r.CustomerGateway != nil && r.CustomerGateway.PeerPublicIP != "":
		region, field = r.CustomerGateway.PeerRegion, "customer_gateway.peer_region"
	case r.VPNAppliance != nil:
		region, field = r.VPNAppliance.HubRegion, "vpn_appliance.hub_region"
	default:
		return nil
	}
	if region == d.region {
		return fmt.Errorf("outscale: %s: %q: the two ends of a VPN link are in one region; link Nets of one region with a Net peering (Link)", field, region)
	}
	if !d.hasPeer(region) {
		return fmt.Errorf("outscale: %s: %q: no driver of that region to read the link's other end; apply both regions with provider.Fleet", field, region)
	}
	return nil
}
