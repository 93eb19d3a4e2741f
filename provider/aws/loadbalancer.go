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
	if err := d.setLBAttributes(ctx, arn, spec); err != nil {
		return driver.Observed{}, err
	}
	tg, err := d.ensureTargetGroup(ctx, req, vpc)
	if err != nil {
		return driver.Observed{}, err
	}
	if err := d.reconcileListeners(ctx, arn, tg, spec); err != nil {
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

// listenerSetup is what one listener of spec should be: its action
// (forward to tg, or, for an HTTP listener of a balancer that redirects,
// a permanent redirect to the HTTPS listener's port), its certificates
// and its TLS security policy (HTTPS and TLS listeners only).
type listenerSetup struct {
	actions  []elbtypes.Action
	redirect string // the port redirected to, "" when forwarding
	certs    []elbtypes.Certificate
	policy   string
}

func setupOf(spec *blueprint.LoadBalancerSpec, l blueprint.ListenerSpec, tg string) listenerSetup {
	s := listenerSetup{actions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: awssdk.String(tg)}}}
	if l.Protocol == "HTTP" && spec.Redirects() {
		s.redirect = strconv.Itoa(int(spec.HTTPSPort()))
		s.actions = []elbtypes.Action{{Type: elbtypes.ActionTypeEnumRedirect, RedirectConfig: &elbtypes.RedirectActionConfig{
			Protocol: awssdk.String("HTTPS"), Port: awssdk.String(s.redirect), StatusCode: elbtypes.RedirectActionStatusCodeEnumHttp301}}}
	}
	if l.Certificate != "" {
		s.certs = []elbtypes.Certificate{{CertificateArn: awssdk.String(l.Certificate)}}
	}
	if l.Protocol == "HTTPS" || l.Protocol == "TLS" {
		s.policy = cmp.Or(spec.TLSPolicy, blueprint.DefaultTLSPolicy)
	}
	return s
}

// matches reports whether the existing listener old is already set up as
// s on protocol proto.
func (s listenerSetup) matches(old elbtypes.Listener, proto, cert, tg string) bool {
	if string(old.Protocol) != proto || certificateOf(old) != cert {
		return false
	}
	// Only HTTPS and TLS listeners have a policy (moto reports one on
	// every listener).
	if (proto == "HTTPS" || proto == "TLS") && awssdk.ToString(old.SslPolicy) != s.policy {
		return false
	}
	if s.redirect != "" {
		return redirectsTo(old) == s.redirect
	}
	return forwardsTo(old) == tg
}

// reconcileListeners makes the listeners of lb those of spec, keyed by
// port: missing ones are created, changed ones modified, extra ones
// deleted. Every listener forwards to tg, or redirects HTTP to HTTPS
// (see setupOf).
func (d *Driver) reconcileListeners(ctx context.Context, lb, tg string, spec *blueprint.LoadBalancerSpec) error {
	out, err := d.ELB.DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: awssdk.String(lb)})
	if err != nil {
		return mapErr("DescribeListeners", "load_balancer", lb, err)
	}
	have := map[int32]elbtypes.Listener{}
	for _, l := range out.Listeners {
		have[awssdk.ToInt32(l.Port)] = l
	}
	for _, l := range spec.Listeners {
		s := setupOf(spec, l, tg)
		var policy *string
		if s.policy != "" {
			policy = awssdk.String(s.policy)
		}
		old, ok := have[int32(l.Port)]
		delete(have, int32(l.Port))
		if !ok {
			_, err := d.ELB.CreateListener(ctx, &elbv2.CreateListenerInput{
				LoadBalancerArn: awssdk.String(lb), Port: awssdk.Int32(int32(l.Port)),
				Protocol: elbtypes.ProtocolEnum(l.Protocol), Certificates: s.certs, DefaultActions: s.actions, SslPolicy: policy,
			})
			if err != nil {
				return mapErr("CreateListener", "load_balancer", lb, err)
			}
			continue
		}
		if s.matches(old, l.Protocol, l.Certificate, tg) {
			continue
		}
		_, err := d.ELB.ModifyListener(ctx, &elbv2.ModifyListenerInput{
			ListenerArn: old.ListenerArn, Port: awssdk.Int32(int32(l.Port)),
			Protocol: elbtypes.ProtocolEnum(l.Protocol), Certificates: s.certs, DefaultActions: s.actions, SslPolicy: policy,
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

// redirectsTo returns the port a listener redirects to, "" when it does
// not redirect.
func redirectsTo(l elbtypes.Listener) string {
	for _, a := range l.DefaultActions {
		if a.Type == elbtypes.ActionTypeEnumRedirect && a.RedirectConfig != nil {
			return awssdk.ToString(a.RedirectConfig.Port)
		}
	}
	return ""
}

// The load balancer attributes of the secure defaults.
const (
	attrDeletionProtection = "deletion_protection.enabled"
	attrDropInvalidHeaders = "routing.http.drop_invalid_header_fields.enabled"
)

// setLBAttributes sets the attributes of spec's secure defaults on lb:
// deletion protection (ELB.6) and, on an application load balancer, the
// dropping of invalid header fields (ELB.4; a network load balancer does
// not have the attribute).
func (d *Driver) setLBAttributes(ctx context.Context, lb string, spec *blueprint.LoadBalancerSpec) error {
	attrs := []elbtypes.LoadBalancerAttribute{{Key: awssdk.String(attrDeletionProtection), Value: awssdk.String(strconv.FormatBool(!spec.AllowDeletion))}}
	if cmp.Or(spec.Type, blueprint.LBApplication) == blueprint.LBApplication {
		attrs = append(attrs, elbtypes.LoadBalancerAttribute{Key: awssdk.String(attrDropInvalidHeaders), Value: awssdk.String(strconv.FormatBool(!spec.KeepInvalidHeaders))})
	}
	_, err := d.ELB.ModifyLoadBalancerAttributes(ctx, &elbv2.ModifyLoadBalancerAttributesInput{LoadBalancerArn: awssdk.String(lb), Attributes: attrs})
	return mapErr("ModifyLoadBalancerAttributes", "load_balancer", lb, err)
}

// readLBAttributes sets spec's AllowDeletion and KeepInvalidHeaders from
// the attributes of lb.
func (d *Driver) readLBAttributes(ctx context.Context, lb string, spec *blueprint.LoadBalancerSpec) error {
	out, err := d.ELB.DescribeLoadBalancerAttributes(ctx, &elbv2.DescribeLoadBalancerAttributesInput{LoadBalancerArn: awssdk.String(lb)})
	if err != nil {
		return mapErr("DescribeLoadBalancerAttributes", "load_balancer", lb, err)
	}
	attrs := map[string]string{}
	for _, a := range out.Attributes {
		attrs[awssdk.ToString(a.Key)] = awssdk.ToString(a.Value)
	}
	spec.AllowDeletion = attrs[attrDeletionProtection] != "true"
	spec.KeepInvalidHeaders = spec.Type != blueprint.LBNetwork && attrs[attrDropInvalidHeaders] != "true"
	return nil
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
	if have := cur.Resource.LoadBalancer; have == nil || have.AllowDeletion != spec.AllowDeletion || have.KeepInvalidHeaders != spec.KeepInvalidHeaders {
		if err := d.setLBAttributes(ctx, cur.ID, spec); err != nil {
			return driver.Observed{}, err
		}
	}
	if err := d.reconcileListeners(ctx, cur.ID, tg, spec); err != nil {
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
	return d.lbObserved(ctx, out.LoadBalancers[0], tags[arn], nil)
}

// targetGroupsPerPage is the largest page of DescribeTargetGroups (its
// PageSize: 1 to 400, Elastic Load Balancing API Reference).
const targetGroupsPerPage = 400

// accountTargetGroups returns every target group of the account in the
// driver's region, 400 a page: the balancers' list and the clusters' list
// take their target groups from it, and within a refresh they share one
// answer ([driver.Shared]), where reading them for each balancer and again
// for the clusters made a call per balancer and one more. Callers must
// not change it. DescribeTargetGroups filters by balancer, name or ARN
// only, and the account's balancers are listed the same way.
func (d *Driver) accountTargetGroups(ctx context.Context) ([]elbtypes.TargetGroup, error) {
	key := fmt.Sprintf("elbv2 %p DescribeTargetGroups", d)
	return driver.Shared(ctx, key, func(ctx context.Context) ([]elbtypes.TargetGroup, error) {
		p := elbv2.NewDescribeTargetGroupsPaginator(d.ELB, &elbv2.DescribeTargetGroupsInput{PageSize: awssdk.Int32(targetGroupsPerPage)})
		tgs, err := allItems(ctx, p.HasMorePages, p.NextPage, func(o *elbv2.DescribeTargetGroupsOutput) []elbtypes.TargetGroup { return o.TargetGroups })
		if err != nil {
			return nil, mapErr("DescribeTargetGroups", "load_balancer", "", err)
		}
		return tgs, nil
	})
}

// balancerTargetGroups returns the target groups of the balancer arn, or,
// when it has none (no listener yet), the one named name: from the
// account's (accountTargetGroups) when all is not nil, else with
// DescribeTargetGroups by balancer, then by name.
func (d *Driver) balancerTargetGroups(ctx context.Context, arn, name string, all []elbtypes.TargetGroup) (map[string]elbtypes.TargetGroup, error) {
	res := map[string]elbtypes.TargetGroup{}
	if all != nil {
		for _, tg := range all {
			if slices.Contains(tg.LoadBalancerArns, arn) {
				res[awssdk.ToString(tg.TargetGroupArn)] = tg
			}
		}
		for _, tg := range all {
			if len(res) == 0 && awssdk.ToString(tg.TargetGroupName) == name {
				res[awssdk.ToString(tg.TargetGroupArn)] = tg
			}
		}
		return res, nil
	}
	tgs, err := d.ELB.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{LoadBalancerArn: awssdk.String(arn)})
	if err != nil && !isCode(err, driver.NotFound) {
		return nil, mapErr("DescribeTargetGroups", "load_balancer", arn, err)
	}
	if tgs != nil {
		for _, tg := range tgs.TargetGroups {
			res[awssdk.ToString(tg.TargetGroupArn)] = tg
		}
	}
	if len(res) == 0 {
		// No listener yet: the target group is found by name.
		if byName, err := d.ELB.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{Names: []string{name}}); err == nil {
			for _, tg := range byName.TargetGroups {
				res[awssdk.ToString(tg.TargetGroupArn)] = tg
			}
		}
	}
	return res, nil
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

// lbObserved returns the balancer lb with its tags; all, when not nil, is
// the account's target groups (accountTargetGroups), else the balancer's
// are read for it.
func (d *Driver) lbObserved(ctx context.Context, lb elbtypes.LoadBalancer, tags map[string]string, all []elbtypes.TargetGroup) (driver.Observed, error) {
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
	tgByArn, err := d.balancerTargetGroups(ctx, arn, spec.Name, all)
	if err != nil {
		return driver.Observed{}, err
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
		readListeners(spec, ls.Listeners, tgByArn, o.Parts)
	}
	slices.Sort(o.Parts[partListener])
	slices.SortFunc(spec.Listeners, func(a, b blueprint.ListenerSpec) int { return cmp.Compare(a.Port, b.Port) })
	if err := d.readLBAttributes(ctx, arn, spec); err != nil && !isCode(err, driver.NotFound) {
		return driver.Observed{}, err
	}
	o.Resource.LoadBalancer = spec
	return o, nil
}

// readListeners adds the listeners ls to spec and their ARNs to parts,
// with the secure defaults they show: the TLS policy of the HTTPS and TLS
// listeners, and PlainHTTP when an HTTP listener forwards beside an HTTPS
// one. A listener that redirects reports the target group's protocol and
// port, the balancer's only one, as its target, as the spec writes it.
func readListeners(spec *blueprint.LoadBalancerSpec, ls []elbtypes.Listener, tgByArn map[string]elbtypes.TargetGroup, parts map[string][]string) {
	var anyTG *elbtypes.TargetGroup
	for _, tg := range tgByArn {
		anyTG = &tg
	}
	forwardsHTTP := false
	for _, l := range ls {
		parts[partListener] = append(parts[partListener], awssdk.ToString(l.ListenerArn))
		li := blueprint.ListenerSpec{Protocol: string(l.Protocol), Port: uint16(awssdk.ToInt32(l.Port)), Certificate: certificateOf(l)}
		tg, ok := tgByArn[forwardsTo(l)]
		switch {
		case ok:
			li.TargetProtocol, li.TargetPort = string(tg.Protocol), uint16(awssdk.ToInt32(tg.Port))
			forwardsHTTP = forwardsHTTP || li.Protocol == "HTTP"
		case redirectsTo(l) != "" && anyTG != nil:
			li.TargetProtocol, li.TargetPort = string(anyTG.Protocol), uint16(awssdk.ToInt32(anyTG.Port))
		}
		if p := awssdk.ToString(l.SslPolicy); p != blueprint.DefaultTLSPolicy && (li.Protocol == "HTTPS" || li.Protocol == "TLS") {
			spec.TLSPolicy = p
		}
		spec.Listeners = append(spec.Listeners, li)
	}
	spec.PlainHTTP = forwardsHTTP && spec.HasListener("HTTPS")
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
	var all []elbtypes.TargetGroup
	for _, lb := range lbs {
		t := tags[awssdk.ToString(lb.LoadBalancerArn)]
		if !owned(t, q.Deployment) {
			continue
		}
		if all == nil {
			if all, err = d.accountTargetGroups(ctx); err != nil {
				return nil, err
			}
			all = append(slices.Clip(all), []elbtypes.TargetGroup{}...) // not nil: read
		}
		o, err := d.lbObserved(ctx, lb, t, all)
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

// deleteLoadBalancer deletes the load balancer, whose listeners go with
// it (ELBv2 API reference, DeleteLoadBalancer), waits until it is gone
// and then deletes the target group, which AWS refuses to delete while a
// listener uses it. cur, as the plan's list read it, says whether the
// balancer has deletion protection; a cur without the spec is read.
func (d *Driver) deleteLoadBalancer(ctx context.Context, cur driver.Observed, opts driver.DeleteOptions) error {
	o := cur
	if o.Resource.LoadBalancer == nil {
		var err error
		o, err = d.readLoadBalancer(ctx, cur.ID)
		if isCode(err, driver.NotFound) {
			return d.deleteTargetGroups(ctx, cur.Parts[partTargetGroup])
		}
		if err != nil {
			return err
		}
	}
	// The engine lifts the deletion protection (opts.LiftProtection) for
	// every delete its plan holds. Without it AWS refuses the delete of a
	// protected balancer (OperationNotPermitted) and moto does not: the
	// driver refuses it itself, before it touches a listener.
	if lb := o.Resource.LoadBalancer; lb != nil && !lb.AllowDeletion && !opts.LiftProtection {
		return driver.NewError("DeleteLoadBalancer", "load_balancer", cur.ID, driver.Invalid,
			fmt.Errorf("aws: load balancer %s has deletion protection (OperationNotPermitted); lift it first: the engine lifts it for the deletes its plan holds", cur.ID))
	}
	if lb := o.Resource.LoadBalancer; lb != nil && !lb.AllowDeletion {
		_, err := d.ELB.ModifyLoadBalancerAttributes(ctx, &elbv2.ModifyLoadBalancerAttributesInput{LoadBalancerArn: awssdk.String(cur.ID),
			Attributes: []elbtypes.LoadBalancerAttribute{{Key: awssdk.String(attrDeletionProtection), Value: awssdk.String("false")}}})
		if err != nil && !isCode(err, driver.NotFound) {
			return mapErr("ModifyLoadBalancerAttributes", "load_balancer", cur.ID, err)
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
