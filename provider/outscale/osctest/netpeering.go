package osctest

import "net/netip"

// Net peerings join two Nets of the account in the server's region
// (CreateNetPeering names the peer Net by its id and, for another
// account, its owner: there is no peer region). As the API reference
// describes them: a request is pending-acceptance until AcceptNetPeering
// makes it active; one between overlapping Nets is failed; one between
// two Nets already joined by an active peering (either way) is rejected,
// and accepting A-to-B rejects a pending B-to-A; a pending peering is
// deleted by its requester only, an active one by either side, a
// rejected, failed or expired one not at all. Routes target an active
// peering of the route table's Net (NetPeeringId), and a Net with a live
// peering cannot be deleted. Another account's Nets are not simulated.

type netPeeringRes struct {
	id, sourceNet, accepterNet string
	state, message             string
}

// The states of a Net peering (NetPeeringState.Name).
const (
	peeringPending  = "pending-acceptance"
	peeringActive   = "active"
	peeringRejected = "rejected"
	peeringFailed   = "failed"
	peeringDeleted  = "deleted"
)

func init() {
	handlers["CreateNetPeering"] = (*Server).createNetPeering
	handlers["AcceptNetPeering"] = (*Server).acceptNetPeering
	handlers["ReadNetPeerings"] = (*Server).readNetPeerings
	handlers["DeleteNetPeering"] = (*Server).deleteNetPeering
}

// live reports whether p joins its Nets or may yet (pending or active).
func (p *netPeeringRes) live() bool { return p.state == peeringPending || p.state == peeringActive }

// joins reports whether p is between Nets a and b, either way.
func (p *netPeeringRes) joins(a, b string) bool {
	return p.sourceNet == a && p.accepterNet == b || p.sourceNet == b && p.accepterNet == a
}

func (s *Server) renderNetPeering(p *netPeeringRes) map[string]any {
	side := func(net string) map[string]any {
		out := map[string]any{"AccountId": s.opts.AccountID, "NetId": net}
		if n := s.nets[net]; n != nil {
			out["IpRange"] = n.IpRange
		}
		return out
	}
	return map[string]any{"NetPeeringId": p.id, "SourceNet": side(p.sourceNet), "AccepterNet": side(p.accepterNet),
		"State": map[string]any{"Name": p.state, "Message": p.message}, "Tags": s.tagList(p.id)}
}

func (s *Server) createNetPeering(body []byte) (map[string]any, *apiError) {
	var in struct{ SourceNetId, AccepterNetId, AccepterOwnerId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	if in.AccepterOwnerId != "" && in.AccepterOwnerId != s.opts.AccountID {
		return nil, invalidValue(codeInvalidParameterValue, "AccepterOwnerId %q: the Nets of another account are not simulated by osctest", in.AccepterOwnerId)
	}
	src, acc := s.nets[in.SourceNetId], s.nets[in.AccepterNetId]
	switch {
	case src == nil:
		return nil, notFound(codeNotFoundNet, "Net", in.SourceNetId)
	case acc == nil:
		return nil, notFound(codeNotFoundNet, "Net", in.AccepterNetId)
	case src == acc:
		return nil, invalidValue(codeInvalidParameterValue, "SourceNetId and AccepterNetId are both '%s'; peer two Nets", src.NetId)
	}
	p := &netPeeringRes{id: s.newID("vpcx"), sourceNet: src.NetId, accepterNet: acc.NetId, state: peeringPending, message: "Pending acceptance by " + s.opts.AccountID}
	if netip.MustParsePrefix(src.IpRange).Overlaps(netip.MustParsePrefix(acc.IpRange)) {
		p.state, p.message = peeringFailed, "Overlapping IP range"
	}
	for _, o := range s.peerings {
		if o.state == peeringActive && o.joins(src.NetId, acc.NetId) {
			p.state, p.message = peeringRejected, "The Nets are already peered by "+o.id
		}
	}
	s.peerings[p.id] = p
	return map[string]any{"NetPeering": s.renderNetPeering(p)}, nil
}

// namedPeering decodes a request naming a Net peering and returns it,
// unless it is unknown or deleted.
func (s *Server) namedPeering(body []byte) (*netPeeringRes, *apiError) {
	var in struct{ NetPeeringId string }
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	p := s.peerings[in.NetPeeringId]
	if p == nil || p.state == peeringDeleted {
		return nil, notFound(codeNotFoundNetPeering, "NetPeering", in.NetPeeringId)
	}
	return p, nil
}

func (s *Server) acceptNetPeering(body []byte) (map[string]any, *apiError) {
	p, e := s.namedPeering(body)
	if e != nil {
		return nil, e
	}
	if p.state != peeringPending {
		return nil, conflict(codeNetPeeringState, "The Net peering '%s' is %s, not pending-acceptance", p.id, p.state)
	}
	p.state, p.message = peeringActive, "Active"
	for _, o := range s.peerings {
		if o != p && o.state == peeringPending && o.joins(p.sourceNet, p.accepterNet) {
			o.state, o.message = peeringRejected, "Redundant with "+p.id
		}
	}
	return map[string]any{"NetPeering": s.renderNetPeering(p)}, nil
}

func (s *Server) readNetPeerings(body []byte) (map[string]any, *apiError) {
	var in readRequest
	if e := decode(body, &in); e != nil {
		return nil, e
	}
	f := &in.Filters
	var out []map[string]any
	for _, id := range sortedKeys(s.peerings) {
		p := s.peerings[id]
		if any1(f.NetPeeringIds, id) && any1(f.SourceNetNetIds, p.sourceNet) && any1(f.AccepterNetNetIds, p.accepterNet) &&
			any1(f.StateNames, p.state) && s.tagsMatch(id, f) {
			out = append(out, s.renderNetPeering(p))
		}
	}
	return pageOut("NetPeerings", out, &in)
}

func (s *Server) deleteNetPeering(body []byte) (map[string]any, *apiError) {
	p, e := s.namedPeering(body)
	if e != nil {
		return nil, e
	}
	if !p.live() {
		return nil, conflict(codeNetPeeringState, "The Net peering '%s' is %s and cannot be deleted", p.id, p.state)
	}
	p.state, p.message = peeringDeleted, "Deleted"
	return nil, nil
}

// peeringTarget checks that the Net peering id can carry a route of the
// route table of net: it exists, is active and joins net.
func (s *Server) peeringTarget(id, net string) *apiError {
	p := s.peerings[id]
	switch {
	case p == nil || p.state == peeringDeleted:
		return notFound(codeNotFoundNetPeering, "NetPeering", id)
	case p.state != peeringActive:
		return invalidValue(codeInvalidParameterValue, "The Net peering '%s' is %s, not active", id, p.state)
	case p.sourceNet != net && p.accepterNet != net:
		return invalidValue(codeInvalidParameterValue, "The Net peering '%s' does not join Net '%s'", id, net)
	}
	return nil
}

// netPeeringOf returns a live peering of net, or nil.
func (s *Server) netPeeringOf(net string) *netPeeringRes {
	for _, id := range sortedKeys(s.peerings) {
		if p := s.peerings[id]; p.live() && (p.sourceNet == net || p.accepterNet == net) {
			return p
		}
	}
	return nil
}
