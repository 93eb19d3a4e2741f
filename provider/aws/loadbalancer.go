package aws

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// A load_balancer resource is an ALB or NLB (Observed.ID is its ARN), one
// target group named like it (Parts["target_group"], and the ARN the
// clusters register with) and its listeners (Parts["listener"]), each
// forwarding to the target group.
//
// In place (updateLoadBalancer): subnets (SetSubnets), security groups
// (SetSecurityGroups), listeners (CreateListener, ModifyListener,
// DeleteListener) and the health check (ModifyTargetGroup). The name,
// scheme and type are fixed at creation.

const (
	partTargetGroup    = "target_group"
	partListener       = "listener"
	partLaunchTemplate = "launch_template"
	partInstance       = "instance"
	partSubnetGroup    = "db_subnet_group"
)

func (d *Driver) createLoadBalancer(ctx context.Context, req driver.Request) (driver.Observed, error) {
	spec := req.Resource.LoadBalancer
	var lb *elbtypes.LoadBalancer
	out, err := d.ELB.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{Names: []string{spec.Name}})
	switch {
	case err == nil && len(out.LoadBalancers) > 0:
		lb = &out.LoadBalancers[0]
	case err != nil && !isCode(err, driver.NotFound):
		return driver.Observed{}, mapErr("DescribeLoadBalancers", "load_balancer", req.Resource.ID, err)
	}
	if lb != nil {
		if err := d.ownedByName(ctx, req, "load balancer", awssdk.ToString(lb.LoadBalancerArn)); err != nil {
			return driver.Observed{}, err
		}
	}
	if len(spec.Subnets) == 0 {
		return driver.Observed{}, driver.NewError("CreateLoadBalancer", "load_balancer", req.Resource.ID, driver.Invalid, errNoSubnets)
	}
	vpc, err := d.subnetVPC(ctx, string(spec.Subnets[0]))
	if err != nil {
		return driver.Observed{}, err
	}
	if lb == nil {
		in := &elbv2.CreateLoadBalancerInput{
			Name:    awssdk.String(spec.Name),
			Subnets: refStrings(spec.Subnets),
			Scheme:  elbtypes.LoadBalancerSchemeEnum(cmp.Or(spec.Scheme, blueprint.SchemeInternetFacing)),
			Type:    elbtypes.LoadBalancerTypeEnum(cmp.Or(spec.Type, blueprint.LBApplication)),
			Tags:    elbTags(req.Tags),
		}
		if len(spec.SecurityGroups) > 0 {
			in.SecurityGroups = refStrings(spec.SecurityGroups)
		}
		c, err := d.ELB.CreateLoadBalancer(ctx, in)
		if err != nil {
			return driver.Observed{}, mapErr("CreateLoadBalancer", "load_balancer", req.Resource.ID, err)
		}
		lb = &c.LoadBalancers[0]
	}
	arn := awssdk.ToString(lb.LoadBalancerArn)
	tg, err := d.ensureTargetGroup(ctx, req, vpc)
	if err != nil {
		return driver.Observed{}, err
	}
	if err := d.reconcileListeners(ctx, arn, tg, spec.Listeners); err != nil {
		return driver.Observed{}, err
	}
	if lb.State == nil || lb.State.Code != elbtypes.LoadBalancerStateEnumActive {
		minDelay, maxDelay := d.delays()
		w := elbv2.NewLoadBalancerAvailableWaiter(d.ELB, func(o *elbv2.LoadBalancerAvailableWaiterOptions) {
			o.MinDelay, o.MaxDelay = minDelay, maxDelay
		})
		if err := w.Wait(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{arn}}, d.waitBound()); err != nil && !isWaitTimeout(err) {
			return driver.Observed{}, mapErr("DescribeLoadBalancers", "load_balancer", arn, err)
		}
	}
	return d.readLoadBalancer(ctx, arn)
}

type errString string

func (e errString) Error() string { return string(e) }

const errNoSubnets = errString("aws: load balancer: subnets: empty; give it subnets in at least two zones")

func refStrings(rs []blueprint.Ref) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}

func (d *Driver) subnetVPC(ctx context.Context, subnet string) (string, error) {
	out, err := d.EC2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{subnet}})
	if err != nil {
		return "", mapErr("DescribeSubnets", "subnet", subnet, err)
	}
	if len(out.Subnets) == 0 {
		return "", notFound("DescribeSubnets", blueprint.KindSubnet, subnet)
	}
	return awssdk.ToString(out.Subnets[0].VpcId), nil
}

func targetOf(spec *blueprint.LoadBalancerSpec) (proto string, port int32) {
	proto, port = "HTTP", 80
	if len(spec.Listeners) > 0 {
		l := spec.Listeners[0]
		proto = cmp.Or(l.TargetProtocol, l.Protocol, proto)
		if l.TargetPort != 0 {
			port = int32(l.TargetPort)
		}
	}
	return proto, port
}

func healthCheckArgs(h blueprint.HealthCheckSpec) (proto elbtypes.ProtocolEnum, port, path *string, interval, timeout, healthy, unhealthy *int32) {
	i32 := func(v int) *int32 {
		if v <= 0 {
			return nil
		}
		return awssdk.Int32(int32(v))
	}
	if h.Protocol != "" {
		proto = elbtypes.ProtocolEnum(h.Protocol)
	}
	if h.Port != 0 {
		port = awssdk.String(strconv.Itoa(int(h.Port)))
	}
	if h.Path != "" && (h.Protocol == "HTTP" || h.Protocol == "HTTPS") {
		path = awssdk.String(h.Path)
	}
	return proto, port, path, i32(h.IntervalSeconds), i32(h.TimeoutSeconds), i32(h.HealthyThreshold), i32(h.UnhealthyThreshold)
}

// ensureTargetGroup finds the target group named like the load balancer
// or creates it with the health check of the spec.
func (d *Driver) ensureTargetGroup(ctx context.Context, req driver.Request, vpc string) (string, error) {
	spec := req.Resource.LoadBalancer
	out, err := d.ELB.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: []string{spec.Name}})
	if err == nil && len(out.TargetGroups) > 0 {
		arn := awssdk.ToString(out.TargetGroups[0].TargetGroupArn)
		return arn, d.ownedByName(ctx, req, "target group", arn)
	}
	if err != nil && !isCode(err, driver.NotFound) {
		return "", mapErr("DescribeTargetGroups", "load_balancer", req.Resource.ID, err)
	}
	proto, port := targetOf(spec)
	hp, hport, hpath, hi, ht, hh, hu := healthCheckArgs(spec.HealthCheck)
	c, err := d.ELB.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{
		Name:                       awssdk.String(spec.Name),
		Protocol:                   elbtypes.ProtocolEnum(proto),
		Port:                       awssdk.Int32(port),
		VpcId:                      awssdk.String(vpc),
		TargetType:                 elbtypes.TargetTypeEnumInstance,
		HealthCheckEnabled:         awssdk.Bool(true),
		HealthCheckProtocol:        hp,
		HealthCheckPort:            hport,
		HealthCheckPath:            hpath,
		HealthCheckIntervalSeconds: hi,
		HealthCheckTimeoutSeconds:  ht,
		HealthyThresholdCount:      hh,
		UnhealthyThresholdCount:    hu,
		Tags:                       elbTags(req.Tags),
	})
	if err != nil {
		return "", mapErr("CreateTargetGroup", "load_balancer", req.Resource.ID, err)
	}
	return awssdk.ToString(c.TargetGroups[0].TargetGroupArn), nil
}

// reconcileListeners makes the listeners of lb those of want, keyed by
// port: missing ones are created, changed ones modified, extra ones
// deleted. Every listener forwards to tg.
func (d *Driver) reconcileListeners(ctx context.Context, lb, tg string, want []blueprint.ListenerSpec) error {
	out, err := d.ELB.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: awssdk.String(lb)})
	if err != nil {
		return mapErr("DescribeListeners", "load_balancer", lb, err)
	}
	have := map[int32]elbtypes.Listener{}
	for _, l := range out.Listeners {
		have[awssdk.ToInt32(l.Port)] = l
	}
	for _, l := range want {
		actions := []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: awssdk.String(tg)}}
		var certs []elbtypes.Certificate
		if l.Certificate != "" {
			certs = []elbtypes.Certificate{{CertificateArn: awssdk.String(l.Certificate)}}
		}
		old, ok := have[int32(l.Port)]
		delete(have, int32(l.Port))
		if !ok {
			_, err := d.ELB.CreateListener(ctx, &elbv2.CreateListenerInput{
				LoadBalancerArn: awssdk.String(lb), Port: awssdk.Int32(int32(l.Port)),
				Protocol: elbtypes.ProtocolEnum(l.Protocol), Certificates: certs, DefaultActions: actions,
			})
			if err != nil {
				return mapErr("CreateListener", "load_balancer", lb, err)
			}
			continue
		}
		if string(old.Protocol) == l.Protocol && certificateOf(old) == l.Certificate && forwardsTo(old) == tg {
			continue
		}
		_, err := d.ELB.ModifyListener(ctx, &elbv2.ModifyListenerInput{
			ListenerArn: old.ListenerArn, Port: awssdk.Int32(int32(l.Port)),
			Protocol: elbtypes.ProtocolEnum(l.Protocol), Certificates: certs, DefaultActions: actions,
		})
		if err != nil {
			return mapErr("ModifyListener", "load_balancer", lb, err)
		}
	}
	for _, port := range slices.Sorted(mapKeysInt(have)) {
		_, err := d.ELB.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: have[port].ListenerArn})
		if err != nil && !isCode(err, driver.NotFound) {
			return mapErr("DeleteListener", "load_balancer", lb, err)
		}
	}
	return nil
}

func mapKeysInt[V any](m map[int32]V) func(func(int32) bool) {
	return func(yield func(int32) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func certificateOf(l elbtypes.Listener) string {
	for _, c := range l.Certificates {
		return awssdk.ToString(c.CertificateArn)
	}
	return ""
}

func forwardsTo(l elbtypes.Listener) string {
	for _, a := range l.DefaultActions {
		if a.Type == elbtypes.ActionTypeEnumForward {
			if a.TargetGroupArn != nil {
				return awssdk.ToString(a.TargetGroupArn)
			}
			if a.ForwardConfig != nil {
				for _, t := range a.ForwardConfig.TargetGroups {
					return awssdk.ToString(t.TargetGroupArn)
				}
			}
		}
	}
	return ""
}

func (d *Driver) updateLoadBalancer(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	spec := req.Resource.LoadBalancer
	var tg string
	if tgs := cur.Parts[partTargetGroup]; len(tgs) > 0 {
		tg = tgs[0]
	} else {
		// An earlier create stopped between the load balancer and its
		// target group: make the target group now.
		if len(spec.Subnets) == 0 {
			return driver.Observed{}, driver.NewError("UpdateLoadBalancer", "load_balancer", cur.ID, driver.Invalid, errNoSubnets)
		}
		vpc, err := d.subnetVPC(ctx, string(spec.Subnets[0]))
		if err != nil {
			return driver.Observed{}, err
		}
		if tg, err = d.ensureTargetGroup(ctx, req, vpc); err != nil {
			return driver.Observed{}, err
		}
		cur.Resource.LoadBalancer = nil // compare nothing: set the health check below
	}
	if cur.Resource.LoadBalancer == nil || cur.Resource.LoadBalancer.HealthCheck != spec.HealthCheck {
		hp, hport, hpath, hi, ht, hh, hu := healthCheckArgs(spec.HealthCheck)
		_, err := d.ELB.ModifyTargetGroup(ctx, &elbv2.ModifyTargetGroupInput{
			TargetGroupArn: awssdk.String(tg), HealthCheckProtocol: hp, HealthCheckPort: hport, HealthCheckPath: hpath,
			HealthCheckIntervalSeconds: hi, HealthCheckTimeoutSeconds: ht, HealthyThresholdCount: hh, UnhealthyThresholdCount: hu,
		})
		if err != nil {
			return driver.Observed{}, mapErr("ModifyTargetGroup", "load_balancer", cur.ID, err)
		}
	}
	if cur.Resource.LoadBalancer == nil || !slices.Equal(sortedRefs(cur.Resource.LoadBalancer.Subnets), sortedRefs(spec.Subnets)) {
		// SetSubnets changes the balancer's zones in place (an ALB keeps
		// at least two); its DNS name and listeners stay.
		_, err := d.ELB.SetSubnets(ctx, &elbv2.SetSubnetsInput{LoadBalancerArn: awssdk.String(cur.ID), Subnets: refStrings(spec.Subnets)})
		if err != nil {
			return driver.Observed{}, mapErr("SetSubnets", "load_balancer", cur.ID, err)
		}
	}
	if cur.Resource.LoadBalancer == nil || !slices.Equal(sortedRefs(cur.Resource.LoadBalancer.SecurityGroups), sortedRefs(spec.SecurityGroups)) {
		_, err := d.ELB.SetSecurityGroups(ctx, &elbv2.SetSecurityGroupsInput{LoadBalancerArn: awssdk.String(cur.ID), SecurityGroups: refStrings(spec.SecurityGroups)})
		if err != nil {
			return driver.Observed{}, mapErr("SetSecurityGroups", "load_balancer", cur.ID, err)
		}
	}
	if err := d.reconcileListeners(ctx, cur.ID, tg, spec.Listeners); err != nil {
		return driver.Observed{}, err
	}
	return d.readLoadBalancer(ctx, cur.ID)
}

func sortedRefs(rs []blueprint.Ref) []blueprint.Ref {
	c := slices.Clone(rs)
	slices.Sort(c)
	return c
}

func (d *Driver) readLoadBalancer(ctx context.Context, arn string) (driver.Observed, error) {
	out, err := d.ELB.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{arn}})
	if err != nil {
		return driver.Observed{}, mapErr("DescribeLoadBalancers", "load_balancer", arn, err)
	}
	if len(out.LoadBalancers) == 0 {
		return driver.Observed{}, notFound("DescribeLoadBalancers", blueprint.KindLoadBalancer, arn)
	}
	tags, err := d.elbTagsOf(ctx, arn)
	if err != nil {
		return driver.Observed{}, err
	}
	return d.lbObserved(ctx, out.LoadBalancers[0], tags[arn])
}

// elbTagsOf returns the tags of up to 20 ARNs per call.
func (d *Driver) elbTagsOf(ctx context.Context, arns ...string) (map[string]map[string]string, error) {
	res := map[string]map[string]string{}
	for chunk := range slices.Chunk(arns, 20) {
		out, err := d.ELB.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: chunk})
		if err != nil {
			return nil, mapErr("DescribeTags", "load_balancer", "", err)
		}
		for _, td := range out.TagDescriptions {
			res[awssdk.ToString(td.ResourceArn)] = fromELBTags(td.Tags)
		}
	}
	return res, nil
}

func (d *Driver) lbObserved(ctx context.Context, lb elbtypes.LoadBalancer, tags map[string]string) (driver.Observed, error) {
	arn := awssdk.ToString(lb.LoadBalancerArn)
	state := ""
	if lb.State != nil {
		state = string(lb.State.Code)
	}
	o := observed(blueprint.KindLoadBalancer, arn, tags, state == string(elbtypes.LoadBalancerStateEnumActive), state)
	spec := &blueprint.LoadBalancerSpec{
		Name:           awssdk.ToString(lb.LoadBalancerName),
		Scheme:         string(lb.Scheme),
		Type:           string(lb.Type),
		SecurityGroups: refsOf(lb.SecurityGroups),
	}
	for _, az := range lb.AvailabilityZones {
		spec.Subnets = append(spec.Subnets, blueprint.Ref(awssdk.ToString(az.SubnetId)))
	}
	slices.Sort(spec.Subnets)
	slices.Sort(spec.SecurityGroups)
	o.Parts = map[string][]string{}
	tgs, err := d.ELB.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{LoadBalancerArn: awssdk.String(arn)})
	if err != nil && !isCode(err, driver.NotFound) {
		return driver.Observed{}, mapErr("DescribeTargetGroups", "load_balancer", arn, err)
	}
	tgByArn := map[string]elbtypes.TargetGroup{}
	if tgs != nil {
		for _, tg := range tgs.TargetGroups {
			tgByArn[awssdk.ToString(tg.TargetGroupArn)] = tg
		}
	}
	if len(tgByArn) == 0 {
		// No listener yet: the target group is found by name.
		if byName, err := d.ELB.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: []string{spec.Name}}); err == nil {
			for _, tg := range byName.TargetGroups {
				tgByArn[awssdk.ToString(tg.TargetGroupArn)] = tg
			}
		}
	}
	for arn, tg := range tgByArn {
		o.Parts[partTargetGroup] = append(o.Parts[partTargetGroup], arn)
		spec.HealthCheck = blueprint.HealthCheckSpec{
			Protocol:           string(tg.HealthCheckProtocol),
			Path:               awssdk.ToString(tg.HealthCheckPath),
			IntervalSeconds:    int(awssdk.ToInt32(tg.HealthCheckIntervalSeconds)),
			TimeoutSeconds:     int(awssdk.ToInt32(tg.HealthCheckTimeoutSeconds)),
			HealthyThreshold:   int(awssdk.ToInt32(tg.HealthyThresholdCount)),
			UnhealthyThreshold: int(awssdk.ToInt32(tg.UnhealthyThresholdCount)),
		}
		if p, err := strconv.Atoi(awssdk.ToString(tg.HealthCheckPort)); err == nil {
			spec.HealthCheck.Port = uint16(p)
		}
	}
	slices.Sort(o.Parts[partTargetGroup])
	ls, err := d.ELB.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: awssdk.String(arn)})
	if err != nil && !isCode(err, driver.NotFound) {
		return driver.Observed{}, mapErr("DescribeListeners", "load_balancer", arn, err)
	}
	if ls != nil {
		for _, l := range ls.Listeners {
			o.Parts[partListener] = append(o.Parts[partListener], awssdk.ToString(l.ListenerArn))
			ls := blueprint.ListenerSpec{Protocol: string(l.Protocol), Port: uint16(awssdk.ToInt32(l.Port)), Certificate: certificateOf(l)}
			if tg, ok := tgByArn[forwardsTo(l)]; ok {
				ls.TargetProtocol, ls.TargetPort = string(tg.Protocol), uint16(awssdk.ToInt32(tg.Port))
			}
			spec.Listeners = append(spec.Listeners, ls)
		}
	}
	slices.Sort(o.Parts[partListener])
	slices.SortFunc(spec.Listeners, func(a, b blueprint.ListenerSpec) int { return cmp.Compare(a.Port, b.Port) })
	o.Resource.LoadBalancer = spec
	return o, nil
}

func refsOf(ss []string) []blueprint.Ref {
	var out []blueprint.Ref
	for _, s := range ss {
		out = append(out, blueprint.Ref(s))
	}
	return out
}

func (d *Driver) listLoadBalancers(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	var lbs []elbtypes.LoadBalancer
	p := elbv2.NewDescribeLoadBalancersPaginator(d.ELB, &elbv2.DescribeLoadBalancersInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeLoadBalancers", "load_balancer", "", err)
		}
		for _, lb := range out.LoadBalancers {
			if len(q.NetIDs) == 0 || slices.Contains(q.NetIDs, awssdk.ToString(lb.VpcId)) {
				lbs = append(lbs, lb)
			}
		}
	}
	if len(lbs) == 0 {
		return nil, nil
	}
	var arns []string
	for _, lb := range lbs {
		arns = append(arns, awssdk.ToString(lb.LoadBalancerArn))
	}
	tags, err := d.elbTagsOf(ctx, arns...)
	if err != nil {
		return nil, err
	}
	var res []driver.Observed
	for _, lb := range lbs {
		t := tags[awssdk.ToString(lb.LoadBalancerArn)]
		if !owned(t, q.Deployment) {
			continue
		}
		o, err := d.lbObserved(ctx, lb, t)
		if err != nil {
			return nil, err
		}
		res = append(res, o)
	}
	return res, nil
}

// ownedByName refuses a load balancer or target group found by the name
// of req's spec that is not the deployment's own: names are unique per
// account and region, and one made by someone else (by hand, or another
// tool) must never be taken, changed or deleted.
func (d *Driver) ownedByName(ctx context.Context, req driver.Request, what, arn string) error {
	tags, err := d.elbTagsOf(ctx, arn)
	if err != nil {
		return err
	}
	t := tags[arn]
	if owned(t, req.Deployment) && t[driver.TagLogicalID] == req.Resource.ID {
		return nil
	}
	return driver.NewError("CreateLoadBalancer", "load_balancer", req.Resource.ID, driver.AlreadyExists, fmt.Errorf(
		"aws: a %s named %s exists that is not %s of deployment %s (its tags: %s %q, %s %q): rename the load balancer, or delete that one",
		what, req.Resource.LoadBalancer.Name, req.Resource.ID, req.Deployment, driver.TagDeployment, t[driver.TagDeployment], driver.TagLogicalID, t[driver.TagLogicalID]))
}

// deleteLoadBalancer deletes the listeners, the load balancer (waiting
// until it is gone) and then the target group, which AWS refuses to
// delete while a listener uses it.
func (d *Driver) deleteLoadBalancer(ctx context.Context, cur driver.Observed) error {
	o, err := d.readLoadBalancer(ctx, cur.ID)
	if isCode(err, driver.NotFound) {
		return d.deleteTargetGroups(ctx, cur.Parts[partTargetGroup])
	}
	if err != nil {
		return err
	}
	for _, l := range o.Parts[partListener] {
		if _, err := d.ELB.DeleteListener(ctx, &elbv2.DeleteListenerInput{ListenerArn: awssdk.String(l)}); err != nil && !isCode(err, driver.NotFound) {
			return mapErr("DeleteListener", "load_balancer", cur.ID, err)
		}
	}
	if _, err := d.ELB.DeleteLoadBalancer(ctx, &elbv2.DeleteLoadBalancerInput{LoadBalancerArn: awssdk.String(cur.ID)}); err != nil && !isCode(err, driver.NotFound) {
		return mapErr("DeleteLoadBalancer", "load_balancer", cur.ID, err)
	}
	minDelay, maxDelay := d.delays()
	w := elbv2.NewLoadBalancersDeletedWaiter(d.ELB, func(o *elbv2.LoadBalancersDeletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = minDelay, maxDelay
	})
	if err := w.Wait(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{cur.ID}}, d.waitBound()); err != nil && !isCode(err, driver.NotFound) {
		return mapErr("DescribeLoadBalancers", "load_balancer", cur.ID, err)
	}
	return d.deleteTargetGroups(ctx, append(o.Parts[partTargetGroup], cur.Parts[partTargetGroup]...))
}

func (d *Driver) deleteTargetGroups(ctx context.Context, arns []string) error {
	slices.Sort(arns)
	for _, tg := range slices.Compact(arns) {
		err := d.retryWhile(ctx, driver.Dependency, func() error {
			_, err := d.ELB.DeleteTargetGroup(ctx, &elbv2.DeleteTargetGroupInput{TargetGroupArn: awssdk.String(tg)})
			return mapErr("DeleteTargetGroup", "load_balancer", tg, err)
		})
		if err != nil && !isCode(err, driver.NotFound) {
			return err
		}
	}
	return nil
}
