package aws

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// A VPC peering connection between two regions has one id, seen from
// both (VPC peering guide, "Inter-Region VPC peering"); each region's
// Blueprint holds one side of it (blueprint.NetPeeringSpec):
//
//   - the requester's side finds the peer VPC in PeerRegion by the
//     deployment's tags and its logical id (DescribeVpcs through
//     Driver.PeerEC2), waiting while the peer region has not made it yet,
//     then calls CreateVpcPeeringConnection (VpcId, PeerVpcId, PeerRegion,
//     tags at creation). The connection is pending acceptance: the
//     Create returns it not ready and the engine polls it until active;
//   - the accepter's side finds the same peer VPC, waits until the
//     request from it to its own VPC is pending acceptance in its own
//     region, calls AcceptVpcPeeringConnection there and tags its side
//     (CreateTags: tags are kept per region).
//
// Neither side waits on anything that waits on it: the accepter's VPC is
// its region's first resource and depends on nothing; the request waits
// for that VPC only; the acceptance for the request; the requester's
// readiness for the acceptance. Both waits are bounded by
// Options.WaitTimeout, and end once the other region's run has ended in a
// provider.Fleet run ([driver.RegionEnded]). The regions' locks are all taken before either
// region writes (provider.Fleet), so no wait happens while a region waits
// for a lock.
//
// Between two VPCs of the driver's own region (PeerRegion the driver's
// region: pattern.MultiRegion.BuildOneRegion) the account owns both
// sides, and the Blueprint holds the requester's only: it finds the peer
// VPC in its own region, calls CreateVpcPeeringConnection without
// PeerRegion (whose default is the caller's region) and accepts the
// connection itself (AcceptVpcPeeringConnection, same region) once it is
// pending acceptance (acceptOwnRequest); Check refuses an accepter's side
// there. Its security-group rules name the peer VPC's ranges, as between
// regions: AWS would also take a reference to a peer VPC's group in the
// same region (VPC peering guide, "Update your security groups to
// reference peer security groups"), but the rules archkit derives and
// reads back are CIDRs.
//
// AWS has no waiter for an active connection (the SDK has
// VpcPeeringConnectionExists and VpcPeeringConnectionDeleted only): the
// engine's poll of Read is the wait.

// Connection states after which a connection is gone, or never will be
// usable (EC2 API Reference, VpcPeeringConnectionStateReasonCode).
var (
	pcxGone   = []ec2types.VpcPeeringConnectionStateReasonCode{"deleted", "deleting", "expired"}
	pcxFailed = []ec2types.VpcPeeringConnectionStateReasonCode{"failed", "rejected"}
)

func pcxCode(p ec2types.VpcPeeringConnection) ec2types.VpcPeeringConnectionStateReasonCode {
	if p.Status == nil {
		return ""
	}
	return p.Status.Code
}

// livePCXs drops the connections AWS lists after their delete.
func livePCXs(o *ec2.DescribeVpcPeeringConnectionsOutput) []ec2types.VpcPeeringConnection {
	var out []ec2types.VpcPeeringConnection
	for _, p := range o.VpcPeeringConnections {
		if !slices.Contains(pcxGone, pcxCode(p)) {
			out = append(out, p)
		}
	}
	return out
}

func pcxTags(p *ec2types.VpcPeeringConnection) []ec2types.Tag { return p.Tags }

// pcxObserved reads a connection as the side of the driver's region: the
// accepter's when the accepter VPC is in this region and the requester's
// is not. PeerNet is not the cloud's (WriteOnly); PeerCIDR is read when
// AWS reports it (the accepter's range once the connection is active).
func (d *Driver) pcxObserved(p ec2types.VpcPeeringConnection) driver.Observed {
	req, acc := info(p.RequesterVpcInfo), info(p.AccepterVpcInfo)
	accepter := awssdk.ToString(acc.Region) == d.region && awssdk.ToString(req.Region) != d.region
	own, other := req, acc
	if accepter {
		own, other = acc, req
	}
	code := pcxCode(p)
	o := observed(blueprint.KindNetPeering, awssdk.ToString(p.VpcPeeringConnectionId), fromEC2Tags(p.Tags),
		code == ec2types.VpcPeeringConnectionStateReasonCodeActive, string(code))
	cidr, _ := netip.ParsePrefix(awssdk.ToString(other.CidrBlock))
	o.Resource.NetPeering = &blueprint.NetPeeringSpec{Net: blueprint.Ref(awssdk.ToString(own.VpcId)),
		PeerRegion: awssdk.ToString(other.Region), PeerCIDR: cidr, Accepter: accepter}
	return o
}

func info(v *ec2types.VpcPeeringConnectionVpcInfo) ec2types.VpcPeeringConnectionVpcInfo {
	if v == nil {
		return ec2types.VpcPeeringConnectionVpcInfo{}
	}
	return *v
}

// createNetPeering requests or accepts the connection (see above).
func (d *Driver) createNetPeering(ctx context.Context, req driver.Request) (driver.Observed, error) {
	s := req.Resource.NetPeering
	peer, err := d.peerVPC(ctx, req)
	if err != nil {
		return driver.Observed{}, err
	}
	if s.Accepter {
		return d.acceptNetPeering(ctx, req, peer)
	}
	out, err := lookUp(ctx, d.EC2.DescribeVpcPeeringConnections, &ec2.DescribeVpcPeeringConnectionsInput{Filters: logicalFilters(req)})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeVpcPeeringConnections", "net_peering", req.Resource.ID, err)
	}
	oneRegion := s.PeerRegion == d.region
	if found := earlier(req, livePCXs(out), pcxTags); found != nil {
		if oneRegion { // an earlier attempt's acceptance may not have been sent
			return d.acceptOwnRequest(ctx, req, *found)
		}
		return d.pcxObserved(*found), nil
	}
	in := &ec2.CreateVpcPeeringConnectionInput{VpcId: awssdk.String(string(s.Net)), PeerVpcId: awssdk.String(peer),
		TagSpecifications: tagSpec(ec2types.ResourceTypeVpcPeeringConnection, req.Tags)}
	if !oneRegion { // PeerRegion's default is the caller's region
		in.PeerRegion = awssdk.String(s.PeerRegion)
	}
	c, err := d.EC2.CreateVpcPeeringConnection(ctx, in)
	if err != nil {
		return driver.Observed{}, mapErr("CreateVpcPeeringConnection", "net_peering", req.Resource.ID, err)
	}
	if oneRegion {
		return d.acceptOwnRequest(ctx, req, *c.VpcPeeringConnection)
	}
	o := d.pcxObserved(*c.VpcPeeringConnection)
	o.Ready = false // pending acceptance: the engine polls Read
	return o, nil
}

// acceptOwnRequest accepts p, a connection the requester's side asked
// for between two VPCs of the driver's region: the account owns both, so
// the requester's side accepts it itself, in the same region
// (AcceptVpcPeeringConnection; the accepter's region is the caller's).
// AWS answers the request "initiating-request" and moves it to
// "pending-acceptance" shortly after: the acceptance waits for that (up
// to Options.WaitTimeout). An active connection (an earlier attempt
// accepted it) and a failed one (overlapping ranges: Read names the
// reason) are returned as they are. The tags were given at creation.
func (d *Driver) acceptOwnRequest(ctx context.Context, req driver.Request, p ec2types.VpcPeeringConnection) (driver.Observed, error) {
	id := awssdk.ToString(p.VpcPeeringConnectionId)
	err := d.retryWhile(ctx, driver.NotFound, func() error {
		if pcxCode(p) != ec2types.VpcPeeringConnectionStateReasonCodeInitiatingRequest {
			return nil
		}
		out, err := d.EC2.DescribeVpcPeeringConnections(ctx, &ec2.DescribeVpcPeeringConnectionsInput{VpcPeeringConnectionIds: []string{id}})
		if err != nil {
			return mapErr("DescribeVpcPeeringConnections", "net_peering", req.Resource.ID, err)
		}
		if live := livePCXs(out); len(live) == 1 {
			p = live[0]
		}
		if pcxCode(p) == ec2types.VpcPeeringConnectionStateReasonCodeInitiatingRequest {
			return driver.NewError("Create", "net_peering", req.Resource.ID, driver.NotFound,
				fmt.Errorf("aws: VPC peering connection %s is still initiating its request", id))
		}
		return nil
	})
	if err != nil {
		return driver.Observed{}, err
	}
	if pcxCode(p) == ec2types.VpcPeeringConnectionStateReasonCodePendingAcceptance {
		a, err := d.EC2.AcceptVpcPeeringConnection(ctx, &ec2.AcceptVpcPeeringConnectionInput{VpcPeeringConnectionId: awssdk.String(id)})
		if err != nil {
			return driver.Observed{}, mapErr("AcceptVpcPeeringConnection", "net_peering", id, err)
		}
		p = *a.VpcPeeringConnection
	}
	p.Tags = ec2Tags(req.Tags)
	return d.pcxObserved(p), nil
}

// acceptNetPeering accepts the connection requested from the peer VPC to
// this side's VPC, waiting until it is pending acceptance, and tags it in
// this region. A connection between the two VPCs that is already active
// is the one an earlier attempt accepted: it is only tagged.
func (d *Driver) acceptNetPeering(ctx context.Context, req driver.Request, peer string) (driver.Observed, error) {
	s := req.Resource.NetPeering
	var p ec2types.VpcPeeringConnection
	err := d.awaitPeer(ctx, s.PeerRegion, func() error {
		out, err := d.EC2.DescribeVpcPeeringConnections(ctx, &ec2.DescribeVpcPeeringConnectionsInput{Filters: []ec2types.Filter{
			filter("accepter-vpc-info.vpc-id", string(s.Net)), filter("requester-vpc-info.vpc-id", peer)}})
		if err != nil {
			return mapErr("DescribeVpcPeeringConnections", "net_peering", req.Resource.ID, err)
		}
		for _, c := range livePCXs(out) { // moto ignores the filters: checked here
			if awssdk.ToString(info(c.AccepterVpcInfo).VpcId) == string(s.Net) && awssdk.ToString(info(c.RequesterVpcInfo).VpcId) == peer &&
				!slices.Contains(pcxFailed, pcxCode(c)) && pcxCode(c) != "initiating-request" {
				p = c
				return nil
			}
		}
		return driver.NewError("Create", "net_peering", req.Resource.ID, driver.NotFound, fmt.Errorf(
			"aws: no VPC peering connection from %s (%s in %s) to %s waits for acceptance; apply the requester's region in the same provider.Fleet run",
			peer, s.PeerNet, s.PeerRegion, s.Net))
	})
	if err != nil {
		return driver.Observed{}, err
	}
	id := awssdk.ToString(p.VpcPeeringConnectionId)
	if pcxCode(p) == ec2types.VpcPeeringConnectionStateReasonCodePendingAcceptance {
		a, err := d.EC2.AcceptVpcPeeringConnection(ctx, &ec2.AcceptVpcPeeringConnectionInput{VpcPeeringConnectionId: awssdk.String(id)})
		if err != nil {
			return driver.Observed{}, mapErr("AcceptVpcPeeringConnection", "net_peering", id, err)
		}
		p = *a.VpcPeeringConnection
	}
	if _, err := d.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: ec2Tags(req.Tags)}); err != nil {
		return driver.Observed{}, mapErr("CreateTags", "net_peering", id, err)
	}
	p.Tags = ec2Tags(req.Tags)
	return d.pcxObserved(p), nil
}

// peerVPC returns the id of the peer Net of req in its region, found by
// the deployment's tags and its logical id, waiting while the peer region
// has not made it yet (up to Options.WaitTimeout).
func (d *Driver) peerVPC(ctx context.Context, req driver.Request) (string, error) {
	s := req.Resource.NetPeering
	ec := d.EC2 // the peer VPC of one region is found with the driver's own client
	switch {
	case s.PeerRegion != d.region && d.PeerEC2 == nil:
		return "", driver.NewError("Create", "net_peering", req.Resource.ID, driver.Invalid,
			fmt.Errorf("aws: no client of region %s to find the peer Net; make the driver with aws.New or aws.NewFromConfig, or set Driver.PeerEC2", s.PeerRegion))
	case s.PeerRegion != d.region:
		ec = d.PeerEC2(s.PeerRegion)
	}
	var id string
	err := d.awaitPeer(ctx, s.PeerRegion, func() error {
		out, err := ec.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{Filters: []ec2types.Filter{
			tagFilter(driver.TagDeployment, req.Deployment), tagFilter(driver.TagLogicalID, s.PeerNet)}})
		if err != nil {
			return mapErr("DescribeVpcs", "net_peering", req.Resource.ID, err)
		}
		for _, v := range out.Vpcs {
			if t := fromEC2Tags(v.Tags); owned(t, req.Deployment) && t[driver.TagLogicalID] == s.PeerNet {
				id = awssdk.ToString(v.VpcId)
				return nil
			}
		}
		return driver.NewError("Create", "net_peering", req.Resource.ID, driver.NotFound, fmt.Errorf(
			"aws: no VPC %s of deployment %q in region %s; apply both regions together (provider.Fleet) so that the peer Net exists", s.PeerNet, req.Deployment, s.PeerRegion))
	})
	return id, err
}

// readNetPeering reads a connection; a deleted or expired one is gone
// (NotFound), a failed or rejected one an error that names AWS's reason
// (an overlapping range), so that a wait for it ends.
func (d *Driver) readNetPeering(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeVpcPeeringConnections(ctx, &ec2.DescribeVpcPeeringConnectionsInput{VpcPeeringConnectionIds: []string{id}})
	o, err := readOne("DescribeVpcPeeringConnections", blueprint.KindNetPeering, id, out, err, livePCXs, d.pcxObserved)
	if err != nil {
		return o, err
	}
	if p := livePCXs(out)[0]; slices.Contains(pcxFailed, pcxCode(p)) {
		return o, driver.NewError("Read", "net_peering", id, driver.Invalid,
			fmt.Errorf("aws: VPC peering connection %s is %s: %s", id, pcxCode(p), awssdk.ToString(p.Status.Message)))
	}
	return o, nil
}

// listNetPeerings lists the deployment's sides in this region.
// DescribeVpcPeeringConnections pages; moto ignores its filters, and the
// tags are compared exactly here anyway.
func (d *Driver) listNetPeerings(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	var res []driver.Observed
	p := ec2.NewDescribeVpcPeeringConnectionsPaginator(d.EC2, &ec2.DescribeVpcPeeringConnectionsInput{Filters: []ec2types.Filter{
		tagFilter(driver.TagDeployment, q.Deployment)}})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeVpcPeeringConnections", string(blueprint.KindNetPeering), "", err)
		}
		for _, c := range ownedOnly(livePCXs(out), pcxTags, q.Deployment) {
			if o := d.pcxObserved(c); len(q.NetIDs) == 0 || slices.Contains(q.NetIDs, string(o.Resource.NetPeering.Net)) {
				res = append(res, o)
			}
		}
	}
	return res, nil
}

// acceptersGrace is how long the accepter's side of a connection waits
// for the requester's region to delete it before deleting it itself.
const acceptersGrace = time.Minute

// deleteNetPeering deletes the connection once, from either side: the
// requester's side deletes it; the accepter's side first waits a while
// (acceptersGrace, at most Options.WaitTimeout) for the requester's
// region, destroyed in parallel by the same Fleet, to delete it, and
// deletes it only if it is still there (a destroy of the accepter's
// region alone). A connection already gone costs no call.
func (d *Driver) deleteNetPeering(ctx context.Context, cur driver.Observed) error {
	o, err := d.readNetPeering(ctx, cur.ID)
	if err == nil && o.Resource.NetPeering.Accepter {
		wctx, cancel := context.WithTimeout(ctx, min(acceptersGrace, d.waitTimeout()))
		err = d.retryWhile(wctx, driver.Unknown, func() error {
			o, err = d.readNetPeering(wctx, cur.ID)
			if err == nil {
				return driver.NewError("Delete", "net_peering", cur.ID, driver.Unknown, nil) // still there: wait
			}
			return err
		})
		cancel()
		if driver.CodeOf(err) == driver.Unknown && ctx.Err() == nil {
			o, err = d.readNetPeering(ctx, cur.ID)
		}
	}
	switch {
	case isCode(err, driver.NotFound):
		return nil
	case err != nil && !isCode(err, driver.Invalid):
		return err
	case slices.Contains(pcxFailed, ec2types.VpcPeeringConnectionStateReasonCode(o.Status)):
		return nil // AWS refuses to delete a failed or rejected connection, and removes it itself
	}
	_, err = d.EC2.DeleteVpcPeeringConnection(ctx, &ec2.DeleteVpcPeeringConnectionInput{VpcPeeringConnectionId: awssdk.String(cur.ID)})
	if err = mapErr("DeleteVpcPeeringConnection", "net_peering", cur.ID, err); err != nil {
		// The other region's delete may have come first
		// (InvalidStateTransition): gone is done.
		if _, rerr := d.readNetPeering(ctx, cur.ID); isCode(rerr, driver.NotFound) {
			return nil
		}
	}
	return err
}
