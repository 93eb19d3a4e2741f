package aws

import (
	"cmp"
	"context"
	"net/netip"
	"slices"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// defaultDenyRule is the number of the implicit deny-all entry AWS puts in
// every network ACL; it is never reported nor changed.
const defaultDenyRule = 32767

func aclProtocol(p netplan.Protocol) string {
	switch p {
	case netplan.ProtocolTCP:
		return "6"
	case netplan.ProtocolUDP:
		return "17"
	case netplan.ProtocolICMP:
		return "1"
	}
	return "-1"
}

func aclEntrySpec(e ec2types.NetworkAclEntry) blueprint.ACLEntrySpec {
	s := blueprint.ACLEntrySpec{
		Number:   int(awssdk.ToInt32(e.RuleNumber)),
		Allow:    e.RuleAction == ec2types.RuleActionAllow,
		Protocol: fromAWSProtocol(awssdk.ToString(e.Protocol)),
	}
	if c := awssdk.ToString(e.CidrBlock); c != "" {
		s.CIDR, _ = netip.ParsePrefix(c)
	} else if c := awssdk.ToString(e.Ipv6CidrBlock); c != "" {
		s.CIDR, _ = netip.ParsePrefix(c)
	}
	if s.Protocol.HasPorts() && e.PortRange != nil {
		s.FromPort, s.ToPort = uint16(awssdk.ToInt32(e.PortRange.From)), uint16(awssdk.ToInt32(e.PortRange.To))
	}
	return s
}

func sameACLEntry(a, b blueprint.ACLEntrySpec) bool {
	ca, cb := canonACL(a), canonACL(b)
	return ca == cb
}

func canonACL(e blueprint.ACLEntrySpec) blueprint.ACLEntrySpec {
	if !e.Protocol.HasPorts() {
		e.FromPort, e.ToPort = 0, 0
	} else if e.FromPort == 0 && e.ToPort == 0 {
		e.ToPort = 65535
	}
	return e
}

func aclObserved(a ec2types.NetworkAcl) driver.Observed {
	o := observed(blueprint.KindNetworkACL, awssdk.ToString(a.NetworkAclId), fromEC2Tags(a.Tags), true, "available")
	spec := &blueprint.NetworkACLSpec{Net: blueprint.Ref(awssdk.ToString(a.VpcId))}
	for _, as := range a.Associations {
		spec.Subnets = append(spec.Subnets, blueprint.Ref(awssdk.ToString(as.SubnetId)))
	}
	slices.Sort(spec.Subnets)
	for _, e := range a.Entries {
		if awssdk.ToInt32(e.RuleNumber) >= defaultDenyRule {
			continue
		}
		if awssdk.ToBool(e.Egress) {
			spec.Outbound = append(spec.Outbound, aclEntrySpec(e))
		} else {
			spec.Inbound = append(spec.Inbound, aclEntrySpec(e))
		}
	}
	byNumber := func(a, b blueprint.ACLEntrySpec) int { return cmp.Compare(a.Number, b.Number) }
	slices.SortFunc(spec.Inbound, byNumber)
	slices.SortFunc(spec.Outbound, byNumber)
	o.Resource.NetworkACL = spec
	return o
}

func (d *Driver) createNetworkACL(ctx context.Context, req driver.Request) (driver.Observed, error) {
	spec := req.Resource.NetworkACL
	out, err := lookUp(ctx, d.EC2.DescribeNetworkAcls, &ec2.DescribeNetworkAclsInput{
		Filters: append(logicalFilters(req), filter("vpc-id", string(spec.Net))),
	})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeNetworkAcls", "network_acl", req.Resource.ID, err)
	}
	var acl ec2types.NetworkAcl
	if found := earlier(req, out.NetworkAcls, func(a *ec2types.NetworkAcl) []ec2types.Tag { return a.Tags }); found != nil {
		acl = *found
	} else {
		c, err := d.EC2.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{
			VpcId:             awssdk.String(string(spec.Net)),
			ClientToken:       token(req),
			TagSpecifications: tagSpec(ec2types.ResourceTypeNetworkAcl, req.Tags),
		})
		if err != nil {
			return driver.Observed{}, mapErr("CreateNetworkAcl", "network_acl", req.Resource.ID, err)
		}
		acl = *c.NetworkAcl
	}
	return d.reconcileNetworkACL(ctx, req, aclObserved(acl))
}

func (d *Driver) updateNetworkACL(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	fresh, err := d.readNetworkACL(ctx, cur.ID)
	if err != nil {
		return driver.Observed{}, err
	}
	return d.reconcileNetworkACL(ctx, req, fresh)
}

// reconcileNetworkACL makes the numbered entries and the subnets of the
// ACL those of req: entries are created, replaced or deleted by number,
// and each subnet is moved to the ACL with ReplaceNetworkAclAssociation.
// A subnet that leaves the ACL goes back to the VPC's default ACL.
func (d *Driver) reconcileNetworkACL(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	id := cur.ID
	want := req.Resource.NetworkACL
	have := cur.Resource.NetworkACL
	changed := false
	for _, egress := range []bool{false, true} {
		wantE, haveE := want.Inbound, have.Inbound
		if egress {
			wantE, haveE = want.Outbound, have.Outbound
		}
		byNum := map[int]blueprint.ACLEntrySpec{}
		for _, e := range haveE {
			byNum[e.Number] = e
		}
		for _, e := range wantE {
			old, ok := byNum[e.Number]
			delete(byNum, e.Number)
			if ok && sameACLEntry(old, e) {
				continue
			}
			changed = true
			if ok {
				if _, err := d.EC2.ReplaceNetworkAclEntry(ctx, (*ec2.ReplaceNetworkAclEntryInput)(aclEntryInput(id, egress, e))); err != nil {
					return driver.Observed{}, mapErr("ReplaceNetworkAclEntry", "network_acl", id, err)
				}
				continue
			}
			if _, err := d.EC2.CreateNetworkAclEntry(ctx, aclEntryInput(id, egress, e)); err != nil {
				return driver.Observed{}, mapErr("CreateNetworkAclEntry", "network_acl", id, err)
			}
		}
		for n := range byNum {
			changed = true
			_, err := d.EC2.DeleteNetworkAclEntry(ctx, &ec2.DeleteNetworkAclEntryInput{NetworkAclId: awssdk.String(id), Egress: awssdk.Bool(egress), RuleNumber: awssdk.Int32(int32(n))})
			if err != nil && !isCode(err, driver.NotFound) && !d.entryGone(ctx, err, id, egress, n) {
				return driver.Observed{}, mapErr("DeleteNetworkAclEntry", "network_acl", id, err)
			}
		}
	}
	var add, drop []string
	for _, s := range want.Subnets {
		if !slices.Contains(have.Subnets, s) {
			add = append(add, string(s))
		}
	}
	for _, s := range have.Subnets {
		if !slices.Contains(want.Subnets, s) {
			drop = append(drop, string(s))
		}
	}
	if len(add) > 0 {
		if err := d.moveSubnetsToACL(ctx, string(want.Net), id, add); err != nil {
			return driver.Observed{}, err
		}
	}
	if len(drop) > 0 {
		def, err := d.defaultACL(ctx, string(have.Net))
		if err != nil {
			return driver.Observed{}, err
		}
		if err := d.moveSubnetsToACL(ctx, string(have.Net), def, drop); err != nil {
			return driver.Observed{}, err
		}
	}
	if !changed && len(add) == 0 && len(drop) == 0 {
		return cur, nil
	}
	// The calls succeeded: the ACL holds the entries and subnets of req,
	// as AWS reports them (canonACL), which need no read back.
	cur.Resource.NetworkACL = aclSpecAsRead(have.Net, want)
	return cur, nil
}

// aclSpecAsRead returns want as aclObserved reads it back from an ACL of
// net: entries in canonical form, by number; subnets sorted.
func aclSpecAsRead(net blueprint.Ref, want *blueprint.NetworkACLSpec) *blueprint.NetworkACLSpec {
	canon := func(es []blueprint.ACLEntrySpec) []blueprint.ACLEntrySpec {
		out := make([]blueprint.ACLEntrySpec, 0, len(es))
		for _, e := range es {
			out = append(out, canonACL(e))
		}
		slices.SortFunc(out, func(a, b blueprint.ACLEntrySpec) int { return cmp.Compare(a.Number, b.Number) })
		return out
	}
	subnets := slices.Clone(want.Subnets)
	slices.Sort(subnets)
	return &blueprint.NetworkACLSpec{Net: net, Subnets: subnets, Inbound: canon(want.Inbound), Outbound: canon(want.Outbound)}
}

func aclEntryInput(id string, egress bool, e blueprint.ACLEntrySpec) *ec2.CreateNetworkAclEntryInput {
	e = canonACL(e)
	in := &ec2.CreateNetworkAclEntryInput{
		NetworkAclId: awssdk.String(id),
		Egress:       awssdk.Bool(egress),
		RuleNumber:   awssdk.Int32(int32(e.Number)),
		Protocol:     awssdk.String(aclProtocol(e.Protocol)),
		RuleAction:   ec2types.RuleActionDeny,
	}
	if e.Allow {
		in.RuleAction = ec2types.RuleActionAllow
	}
	if e.CIDR.Addr().Is6() {
		in.Ipv6CidrBlock = awssdk.String(e.CIDR.String())
	} else {
		in.CidrBlock = awssdk.String(e.CIDR.String())
	}
	switch {
	case e.Protocol.HasPorts():
		in.PortRange = &ec2types.PortRange{From: awssdk.Int32(int32(e.FromPort)), To: awssdk.Int32(int32(e.ToPort))}
	case e.Protocol == netplan.ProtocolICMP:
		in.IcmpTypeCode = &ec2types.IcmpTypeCode{Type: awssdk.Int32(-1), Code: awssdk.Int32(-1)}
	}
	return in
}

// moveSubnetsToACL replaces the current ACL association of each subnet by
// one with acl.
func (d *Driver) moveSubnetsToACL(ctx context.Context, vpc, acl string, subnets []string) error {
	out, err := d.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{
		Filters: []ec2types.Filter{filter("vpc-id", vpc), filter("association.subnet-id", subnets...)},
	})
	if err != nil {
		return mapErr("DescribeNetworkAcls", "network_acl", acl, err)
	}
	for _, a := range out.NetworkAcls {
		for _, as := range a.Associations {
			if !slices.Contains(subnets, awssdk.ToString(as.SubnetId)) || awssdk.ToString(a.NetworkAclId) == acl {
				continue
			}
			_, err := d.EC2.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{
				AssociationId: as.NetworkAclAssociationId, NetworkAclId: awssdk.String(acl),
			})
			if err != nil && !d.movedTo(ctx, err, acl, awssdk.ToString(as.SubnetId)) {
				return mapErr("ReplaceNetworkAclAssociation", "network_acl", acl, err)
			}
		}
	}
	return nil
}

func (d *Driver) defaultACL(ctx context.Context, vpc string) (string, error) {
	out, err := d.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{
		Filters: []ec2types.Filter{filter("vpc-id", vpc), filter("default", "true")},
	})
	if err != nil {
		return "", mapErr("DescribeNetworkAcls", "network_acl", vpc, err)
	}
	if len(out.NetworkAcls) == 0 {
		return "", notFound("DescribeNetworkAcls", blueprint.KindNetworkACL, vpc)
	}
	return awssdk.ToString(out.NetworkAcls[0].NetworkAclId), nil
}

func (d *Driver) readNetworkACL(ctx context.Context, id string) (driver.Observed, error) {
	out, err := d.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{NetworkAclIds: []string{id}})
	return readOne("DescribeNetworkAcls", blueprint.KindNetworkACL, id, out, err,
		func(o *ec2.DescribeNetworkAclsOutput) []ec2types.NetworkAcl { return o.NetworkAcls }, aclObserved)
}

func (d *Driver) listNetworkACLs(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	p := ec2.NewDescribeNetworkAclsPaginator(d.EC2, &ec2.DescribeNetworkAclsInput{Filters: ownerFilters(q, "vpc-id")})
	return listAll(ctx, p.HasMorePages, p.NextPage, "DescribeNetworkAcls", blueprint.KindNetworkACL,
		func(o *ec2.DescribeNetworkAclsOutput) []ec2types.NetworkAcl { return o.NetworkAcls }, aclObserved)
}

// deleteNetworkACL gives its subnets back to the VPC's default ACL, then
// deletes it.
func (d *Driver) deleteNetworkACL(ctx context.Context, cur driver.Observed) error {
	var vpc string
	if a := cur.Resource.NetworkACL; a != nil {
		vpc = string(a.Net)
	}
	if vpc == "" {
		fresh, err := d.readNetworkACL(ctx, cur.ID)
		if isCode(err, driver.NotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		vpc = string(fresh.Resource.NetworkACL.Net)
	}
	// One read of the VPC's ACLs gives the default ACL and the
	// associations of this one's subnets, which go back to the default.
	out, err := d.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []ec2types.Filter{filter("vpc-id", vpc)}})
	if err != nil {
		return mapErr("DescribeNetworkAcls", "network_acl", cur.ID, err)
	}
	var def string
	var mine *ec2types.NetworkAcl
	for i, a := range out.NetworkAcls {
		switch {
		case awssdk.ToBool(a.IsDefault):
			def = awssdk.ToString(a.NetworkAclId)
		case awssdk.ToString(a.NetworkAclId) == cur.ID:
			mine = &out.NetworkAcls[i]
		}
	}
	if mine == nil {
		return nil
	}
	if def == "" && len(mine.Associations) > 0 {
		return notFound("DescribeNetworkAcls", blueprint.KindNetworkACL, vpc)
	}
	for _, as := range mine.Associations {
		_, err := d.EC2.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{
			AssociationId: as.NetworkAclAssociationId, NetworkAclId: awssdk.String(def),
		})
		if err != nil && !d.movedTo(ctx, err, def, awssdk.ToString(as.SubnetId)) {
			return mapErr("ReplaceNetworkAclAssociation", "network_acl", cur.ID, err)
		}
	}
	_, err = d.EC2.DeleteNetworkAcl(ctx, &ec2.DeleteNetworkAclInput{NetworkAclId: awssdk.String(cur.ID)})
	if isCode(err, driver.NotFound) {
		return nil
	}
	return mapErr("DeleteNetworkAcl", "network_acl", cur.ID, err)
}

// entryGone reports, after a delete of entry n of ACL id failed with err,
// whether the entry is gone all the same: a call sent again by the SDK
// after a server error or a lost answer finds no entry, and moto then
// answers HTTP 500 rather than a "not found" error. Only an Unavailable
// error is looked into, with one read of the ACL.
func (d *Driver) entryGone(ctx context.Context, err error, id string, egress bool, n int) bool {
	if !isCode(err, driver.Unavailable) {
		return false
	}
	out, rerr := d.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{NetworkAclIds: []string{id}})
	if rerr != nil || len(out.NetworkAcls) != 1 {
		return false
	}
	return !slices.ContainsFunc(out.NetworkAcls[0].Entries, func(e ec2types.NetworkAclEntry) bool {
		return awssdk.ToBool(e.Egress) == egress && int(awssdk.ToInt32(e.RuleNumber)) == n
	})
}

// movedTo reports, after a ReplaceNetworkAclAssociation of subnet to ACL
// acl failed with err, whether the subnet is in acl all the same (a call
// sent again finds its association replaced already: moto then answers
// HTTP 500). Only an Unavailable error is looked into, with one read.
func (d *Driver) movedTo(ctx context.Context, err error, acl, subnet string) bool {
	if !isCode(err, driver.Unavailable) || subnet == "" {
		return false
	}
	out, rerr := d.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{
		Filters: []ec2types.Filter{filter("association.subnet-id", subnet)},
	})
	if rerr != nil {
		return false
	}
	for _, a := range out.NetworkAcls {
		for _, as := range a.Associations {
			if awssdk.ToString(as.SubnetId) == subnet {
				return awssdk.ToString(a.NetworkAclId) == acl
			}
		}
	}
	return false
}
