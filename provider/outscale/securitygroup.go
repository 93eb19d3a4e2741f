package outscale

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

func (d *Driver) readSecurityGroups(ctx context.Context, f osc.FiltersSecurityGroup, id string) ([]osc.SecurityGroup, error) {
	return pages(func(token *string) ([]osc.SecurityGroup, string, error) {
		req := osc.ReadSecurityGroupsRequest{Filters: &f, NextPageToken: token}
		resp, err := call(ctx, d, "ReadSecurityGroups", string(blueprint.KindSecurityGroup), id, func(ctx context.Context) (osc.ReadSecurityGroupsResponse, *http.Response, error) {
			return d.api.SecurityGroupApi.ReadSecurityGroups(ctx).ReadSecurityGroupsRequest(req).Execute()
		})
		return resp.GetSecurityGroups(), resp.GetNextPageToken(), err
	})
}

// netGroups returns every security group of the Nets nets, their default
// groups included, with one ReadSecurityGroups by the NetIds filter. The
// Nets' default groups, the security groups and the rule sets are all
// read from it, and within a refresh they share one answer
// ([driver.Shared]): callers must not change it.
func (d *Driver) netGroups(ctx context.Context, nets []string) ([]osc.SecurityGroup, error) {
	nets = slices.Compact(slices.Sorted(slices.Values(nets)))
	key := fmt.Sprintf("osc %p ReadSecurityGroups NetIds=%s", d, strings.Join(nets, ","))
	return driver.Shared(ctx, key, func(ctx context.Context) ([]osc.SecurityGroup, error) {
		return d.readSecurityGroups(ctx, osc.FiltersSecurityGroup{NetIds: &nets}, nets[0])
	})
}

func (d *Driver) listSecurityGroups(ctx context.Context, q driver.Query, ids []string) ([]driver.Observed, error) {
	if len(ids) == 0 && len(q.NetIDs) > 0 && q.Deployment != "" { // a refresh's list: the answer the rule sets and default groups share
		sgs, err := d.netGroups(ctx, q.NetIDs)
		if err != nil {
			return nil, err
		}
		return ownedObserved(q, sgs, sgObserved), nil
	}
	sgs, err := d.readSecurityGroups(ctx, osc.FiltersSecurityGroup{Tags: ownerFilter(q), SecurityGroupIds: idFilter(ids), NetIds: netFilter(q)}, first(ids))
	if err != nil {
		return nil, err
	}
	return ownedObserved(q, sgs, sgObserved), nil
}

func sgObserved(g osc.SecurityGroup, tags map[string]string) driver.Observed {
	o := observed(blueprint.KindSecurityGroup, g.GetSecurityGroupId(), tags)
	o.Resource.SecurityGroup = &blueprint.SecurityGroupSpec{Net: blueprint.Ref(g.GetNetId()), Name: g.GetSecurityGroupName(), Description: g.GetDescription()}
	o.Status, o.Ready = "available", true
	return o
}

// createSecurityGroup creates the group in its Net and tags it. OUTSCALE
// refuses names starting with "sg-"; that is reported as Code Invalid
// before any call. The group comes with an allow-all outbound rule, which
// the group's security_group_rules resource removes unless it lists it.
// A group of the same name left untagged by an interrupted create is
// adopted.
func (d *Driver) createSecurityGroup(ctx context.Context, req driver.Request) (driver.Observed, error) {
	k := blueprint.KindSecurityGroup
	s := req.Resource.SecurityGroup
	switch {
	case strings.HasPrefix(strings.ToLower(s.Name), "sg-"):
		return driver.Observed{}, errorf("CreateSecurityGroup", string(k), req.Resource.ID, driver.Invalid,
			"security_group.name: %q: starts with \"sg-\", which OUTSCALE reserves for ids; choose another name", s.Name)
	case s.Name == "" || len(s.Name) > 255:
		return driver.Observed{}, errorf("CreateSecurityGroup", string(k), req.Resource.ID, driver.Invalid,
			"security_group.name: %q: want 1 to 255 characters", s.Name)
	case s.Name == "default":
		return driver.Observed{}, errorf("CreateSecurityGroup", string(k), req.Resource.ID, driver.Invalid,
			"security_group.name: \"default\": the name of the Net's own group; choose another name")
	}
	if o, ok, err := d.findOwned(ctx, req, d.listSecurityGroups); err != nil || ok {
		return o, err
	}
	desc := s.Description
	if desc == "" {
		desc = s.Name
	}
	in := osc.CreateSecurityGroupRequest{SecurityGroupName: s.Name, Description: desc}
	if s.Net != "" {
		net := string(s.Net)
		in.NetId = &net
	}
	resp, err := call(ctx, d, "CreateSecurityGroup", string(k), req.Resource.ID, func(ctx context.Context) (osc.CreateSecurityGroupResponse, *http.Response, error) {
		return d.api.SecurityGroupApi.CreateSecurityGroup(ctx).CreateSecurityGroupRequest(in).Execute()
	})
	if driver.CodeOf(err) == driver.AlreadyExists && s.Net != "" {
		sgs, rerr := d.readSecurityGroups(ctx, osc.FiltersSecurityGroup{NetIds: &[]string{string(s.Net)}, SecurityGroupNames: &[]string{s.Name}}, req.Resource.ID)
		if rerr == nil && len(sgs) == 1 {
			if _, tagged := tagMap(sgs[0].GetTags())[driver.TagDeployment]; !tagged {
				if err := d.createTags(ctx, "Create", k, sgs[0].GetSecurityGroupId(), req.Tags); err != nil {
					return driver.Observed{}, err
				}
				return sgObserved(sgs[0], req.Tags), nil
			}
		}
	}
	if err != nil {
		return driver.Observed{}, err
	}
	g := resp.GetSecurityGroup()
	id := g.GetSecurityGroupId()
	if err := d.tagNew(ctx, k, id, req.Tags, func(ctx context.Context) error { return d.deleteSecurityGroup(ctx, driver.Observed{ID: id}) }); err != nil {
		return driver.Observed{}, err
	}
	o := sgObserved(g, req.Tags)
	o.Resource.SecurityGroup.Description = s.Description
	return o, nil
}

// deleteSecurityGroup deletes the group; the Net's "default" group is never
// deleted. OUTSCALE refuses while a VM, a NIC or a load balancer uses the
// group or another group's rule names it (9085, Code Dependency); VMs of
// other owners are named as blockers.
func (d *Driver) deleteSecurityGroup(ctx context.Context, cur driver.Observed) error {
	k := string(blueprint.KindSecurityGroup)
	if s := cur.Resource.SecurityGroup; s != nil && s.Name == "default" {
		return errorf("DeleteSecurityGroup", k, cur.ID, driver.Invalid, "security group %s is the Net's default group; it goes with the Net", cur.ID)
	}
	_, err := call(ctx, d, "DeleteSecurityGroup", k, cur.ID, func(ctx context.Context) (osc.DeleteSecurityGroupResponse, *http.Response, error) {
		return d.api.SecurityGroupApi.DeleteSecurityGroup(ctx).DeleteSecurityGroupRequest(osc.DeleteSecurityGroupRequest{SecurityGroupId: &cur.ID}).Execute()
	})
	if driver.CodeOf(err) == driver.Dependency {
		d.addBlockers(ctx, err, cur, osc.FiltersVm{SecurityGroupIds: &[]string{cur.ID}})
	}
	return err
}
