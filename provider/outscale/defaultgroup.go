package outscale

import (
	"context"
	"net/netip"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// Every Net comes with a security group named "default" whose rules let
// its members reach each other and go out anywhere (CreateSecurityGroup:
// "Default security groups include a default rule granting VMs network
// access to each other"), and which VMs and load balancers created
// without a group join. As AWS's EC2.2 asks of a VPC's default group, the
// driver removes those rules unless the Net's spec keeps them
// (NetSpec.KeepDefaultSecurityGroupRules), and puts them back when it
// does. The group itself cannot be deleted.

// defaultGroups returns the default security group of each Net of nets,
// in one call: the one that reads every group of the Nets
// ([Driver.netGroups]).
func (d *Driver) defaultGroups(ctx context.Context, nets []string) (map[string]osc.SecurityGroup, error) {
	out := map[string]osc.SecurityGroup{}
	if len(nets) == 0 {
		return out, nil
	}
	sgs, err := d.netGroups(ctx, nets) // the answer the security groups and rule sets of a refresh share
	if err != nil {
		return nil, err
	}
	for _, g := range sgs {
		if g.GetSecurityGroupName() == "default" {
			out[g.GetNetId()] = g
		}
	}
	return out, nil
}

// withDefaultGroups sets KeepDefaultSecurityGroupRules on each observed
// Net: true when its default group has a rule.
func (d *Driver) withDefaultGroups(ctx context.Context, obs []driver.Observed) ([]driver.Observed, error) {
	ids := make([]string, 0, len(obs))
	for _, o := range obs {
		ids = append(ids, o.ID)
	}
	groups, err := d.defaultGroups(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range obs {
		g := groups[obs[i].ID]
		obs[i].Resource.Net.KeepDefaultSecurityGroupRules = len(g.GetInboundRules())+len(g.GetOutboundRules()) > 0
	}
	return obs, nil
}

// syncDefaultGroup empties the default group of net, or, with keep, gives
// it back OUTSCALE's rules when it has none.
func (d *Driver) syncDefaultGroup(ctx context.Context, net string, keep bool) error {
	groups, err := d.defaultGroups(ctx, []string{net})
	if err != nil {
		return err
	}
	g, ok := groups[net]
	if !ok {
		return nil
	}
	if !keep {
		return d.reconcileRules(ctx, g.GetSecurityGroupId(), nil, nil)
	}
	if len(g.GetInboundRules())+len(g.GetOutboundRules()) > 0 {
		return nil
	}
	id := g.GetSecurityGroupId()
	return d.reconcileRules(ctx, id,
		[]blueprint.RuleSpec{{Protocol: netplan.ProtocolAll, Group: blueprint.Ref(id)}},
		[]blueprint.RuleSpec{{Protocol: netplan.ProtocolAll, CIDR: netip.MustParsePrefix("0.0.0.0/0")}})
}

// updateNet changes what a Net changes in place: its default group's
// rules.
func (d *Driver) updateNet(ctx context.Context, req driver.Request, cur driver.Observed) error {
	return d.syncDefaultGroup(ctx, cur.ID, req.Resource.Net.KeepDefaultSecurityGroupRules)
}
