package aws

import (
	"strconv"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

var _ driver.Checker = (*Driver)(nil)

// Check reports what AWS refuses beyond blueprint.Resource.Check and the
// AWS profile, and what the driver does not do: the accepter's side of a
// Net peering within the driver's own region (the requester's side
// accepts it there); a load balancer (and target group) name that begins with
// "internal-" (ELBv2 CreateLoadBalancer: the name "must not begin with
// internal-"). The names the driver derives itself (launch templates,
// autoscaling groups, DB identifiers, from driver.Token) are valid by
// construction. The engine's preflight calls it; it makes no call.
func (d *Driver) Check(_ string, r blueprint.Resource) error {
	if d == nil {
		return d.ready("Check", r.Kind)
	}
	if r.Kind == blueprint.KindNetPeering && r.NetPeering != nil && r.NetPeering.Accepter && r.NetPeering.PeerRegion == d.region {
		// The side of a connection is told by its region (pcxObserved).
		return &netplan.FieldError{Package: "aws", Field: "net_peering.accepter", Input: "true",
			Problem: "an accepter's side in the driver's own region: in one region the requester's side requests and accepts the connection",
			Fix:     "drop the accepter's side (pattern.MultiRegion.BuildOneRegion keeps the requester's)", Err: driver.ErrInvalid}
	}
	if r.Kind == blueprint.KindCustomerGateway && r.CustomerGateway != nil && r.CustomerGateway.PeerPublicIP != "" {
		return &netplan.FieldError{Package: "aws", Field: "customer_gateway.peer_public_ip", Input: strconv.Quote(r.CustomerGateway.PeerPublicIP),
			Problem: "a link over a VPN to an appliance of another region: AWS peers the VPCs of two regions instead",
			Fix:     "link the regions with pattern.MultiRegion.Link (VPC peering)", Err: driver.ErrInvalid}
	}
	if r.Kind == blueprint.KindLoadBalancer && r.LoadBalancer != nil && strings.HasPrefix(strings.ToLower(r.LoadBalancer.Name), "internal-") {
		return &netplan.FieldError{Package: "aws", Field: "load_balancer.name", Input: strconv.Quote(r.LoadBalancer.Name),
			Problem: `begins with "internal-", which ELBv2 reserves`, Fix: "rename the deployment or the balancer", Err: driver.ErrInvalid}
	}
	return nil
}
