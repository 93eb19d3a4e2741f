package aws

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/tier"
)

// A cluster is a launch template and an autoscaling group, both named by
// the request's token (deterministic, so a re-run finds them); Observed.ID
// is the group's name, Parts["launch_template"] the template id and
// Parts["instance"] the group's instances. The group is attached to the
// target group of each load balancer in LoadBalancers. A cluster's
// Scaling is the group's target-tracking policy on
// ASGAverageCPUUtilization, named by scalingPolicyName.

func clusterName(req driver.Request) string {
	if req.Token != "" {
		return req.Token
	}
	return driver.Token(req.Deployment, req.Resource.ID, "")
}

// launchTemplateData is the template of spec's nodes: the image, type,
// groups and user data, the metadata options (IMDSv2 required and hop
// limit 1 unless the spec opts out) and, unless the spec opts out, the
// encryption of the root volume, the image's root device.
func launchTemplateData(spec *blueprint.ClusterSpec, tags map[string]string, root rootVolume) *ec2types.RequestLaunchTemplateData {
	data := &ec2types.RequestLaunchTemplateData{
		ImageId:          awssdk.String(spec.ImageID()),
		InstanceType:     ec2types.InstanceType(spec.InstanceType),
		SecurityGroupIds: refStrings(spec.SecurityGroups),
		TagSpecifications: []ec2types.LaunchTemplateTagSpecificationRequest{
			{ResourceType: ec2types.ResourceTypeInstance, Tags: ec2Tags(userTags(tags))},
			{ResourceType: ec2types.ResourceTypeVolume, Tags: ec2Tags(volumeTags(spec, tags))},
		},
		MetadataOptions: &ec2types.LaunchTemplateInstanceMetadataOptionsRequest{
			HttpEndpoint:            ec2types.LaunchTemplateInstanceMetadataEndpointStateEnabled,
			HttpTokens:              ec2types.LaunchTemplateHttpTokensStateRequired,
			HttpPutResponseHopLimit: awssdk.Int32(int32(cmp.Or(spec.MetadataHopLimit, blueprint.DefaultMetadataHopLimit))),
		},
	}
	if spec.AllowIMDSv1 {
		data.MetadataOptions.HttpTokens = ec2types.LaunchTemplateHttpTokensStateOptional
	}
	if !spec.UnencryptedVolumes {
		ebs := &ec2types.LaunchTemplateEbsBlockDeviceRequest{Encrypted: awssdk.Bool(true), VolumeSize: root.size}
		if spec.VolumeKMSKey != "" {
			ebs.KmsKeyId = awssdk.String(spec.VolumeKMSKey)
		}
		data.BlockDeviceMappings = []ec2types.LaunchTemplateBlockDeviceMappingRequest{{DeviceName: awssdk.String(root.device), Ebs: ebs}}
	}
	if spec.UserData != "" {
		data.UserData = awssdk.String(base64.StdEncoding.EncodeToString([]byte(spec.UserData.Value())))
	}
	if spec.KeyPair != "" { // the key pair's provider id is its name
		data.KeyName = awssdk.String(string(spec.KeyPair))
	}
	if spec.InstanceRole != "" {
		// The instance role's provider id is the name of its role and
		// of its instance profile.
		data.IamInstanceProfile = &ec2types.LaunchTemplateIamInstanceProfileSpecificationRequest{Name: awssdk.String(string(spec.InstanceRole))}
	} else if spec.InstanceProfile != "" { // one the account has, named by the caller
		data.IamInstanceProfile = &ec2types.LaunchTemplateIamInstanceProfileSpecificationRequest{Name: awssdk.String(spec.InstanceProfile)}
	}
	return data
}

// rootVolume is an image's root device: its name ("/dev/xvda",
// "/dev/sda1"), which the launch template's block device mapping must
// name to encrypt the root volume, and its size in GiB when the image
// gives it (AWS would take the snapshot's size without it; moto asks for
// one).
type rootVolume struct {
	device string
	size   *int32
}

// rootDevice returns the root device of spec's image. It asks nothing
// when the spec leaves the volumes unencrypted.
func (d *Driver) rootDevice(ctx context.Context, spec *blueprint.ClusterSpec, id string) (rootVolume, error) {
	if spec.UnencryptedVolumes {
		return rootVolume{}, nil
	}
	out, err := d.EC2.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{spec.ImageID()}})
	if err != nil {
		return rootVolume{}, mapErr("DescribeImages", string(blueprint.KindCluster), id, err)
	}
	if len(out.Images) == 0 || awssdk.ToString(out.Images[0].RootDeviceName) == "" {
		return rootVolume{}, driver.NewError("DescribeImages", string(blueprint.KindCluster), id, driver.Invalid,
			fmt.Errorf("aws: %s: image %q: not found or without a root device; give an image of the region", id, spec.ImageID()))
	}
	img := out.Images[0]
	root := rootVolume{device: awssdk.ToString(img.RootDeviceName)}
	for _, m := range img.BlockDeviceMappings {
		if awssdk.ToString(m.DeviceName) == root.device && m.Ebs != nil {
			root.size = m.Ebs.VolumeSize
		}
	}
	return root, nil
}

// ensureLaunchTemplate returns the id of the cluster's launch template,
// creating it when missing.
func (d *Driver) ensureLaunchTemplate(ctx context.Context, req driver.Request, name string) (string, error) {
	out, err := d.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{name}})
	if err == nil && len(out.LaunchTemplates) > 0 {
		return awssdk.ToString(out.LaunchTemplates[0].LaunchTemplateId), nil
	}
	if err != nil && !isCode(err, driver.NotFound) {
		return "", mapErr("DescribeLaunchTemplates", "cluster", req.Resource.ID, err)
	}
	root, err := d.rootDevice(ctx, req.Resource.Cluster, req.Resource.ID)
	if err != nil {
		return "", err
	}
	c, err := d.EC2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: awssdk.String(name),
		ClientToken:        token(req),
		LaunchTemplateData: launchTemplateData(req.Resource.Cluster, req.Tags, root),
		VersionDescription: versionDescription(req.Resource.Cluster),
		TagSpecifications:  tagSpec(ec2types.ResourceTypeLaunchTemplate, req.Tags),
	})
	if err != nil {
		return "", mapErr("CreateLaunchTemplate", "cluster", req.Resource.ID, err)
	}
	return awssdk.ToString(c.LaunchTemplate.LaunchTemplateId), nil
}

// targetGroupsOf returns the target group ARNs of load balancer ARNs.
func (d *Driver) targetGroupsOf(ctx context.Context, lbs []blueprint.Ref) ([]string, error) {
	var tgs []string
	for _, lb := range lbs {
		out, err := d.ELB.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{LoadBalancerArn: awssdk.String(string(lb))})
		if err != nil {
			return nil, mapErr("DescribeTargetGroups", "cluster", string(lb), err)
		}
		for _, tg := range out.TargetGroups {
			tgs = append(tgs, awssdk.ToString(tg.TargetGroupArn))
		}
	}
	slices.Sort(tgs)
	return slices.Compact(tgs), nil
}

func (d *Driver) describeGroupByName(ctx context.Context, name string) (*astypes.AutoScalingGroup, error) {
	out, err := d.AutoScaling.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
	if err != nil {
		return nil, mapErr("DescribeAutoScalingGroups", "cluster", name, err)
	}
	for _, g := range out.AutoScalingGroups {
		if awssdk.ToString(g.AutoScalingGroupName) == name && awssdk.ToString(g.Status) == "" {
			return &g, nil
		}
	}
	return nil, nil
}

func (d *Driver) createCluster(ctx context.Context, req driver.Request) (driver.Observed, error) {
	return d.createClusterNamed(ctx, req, clusterName(req))
}

// createClusterNamed creates the cluster with the launch template and
// autoscaling group named name: the request's token for a new cluster,
// the name an earlier run gave its launch template for one it left
// incomplete (tokens change from run to run).
func (d *Driver) createClusterNamed(ctx context.Context, req driver.Request, name string) (driver.Observed, error) {
	spec := req.Resource.Cluster
	// CreateAutoScalingGroup with an existing name silently replaces the
	// group on moto: look first.
	g, err := d.describeGroupByName(ctx, name)
	if err != nil {
		return driver.Observed{}, err
	}
	if g != nil {
		// A retried create: the group exists, its policy may not yet.
		o, err := d.clusterObserved(ctx, *g, nil)
		if err != nil || !scalingDiffers(spec, o) {
			return o, err
		}
		if err := d.syncScaling(ctx, name, spec.Scaling, o.Resource.Cluster.Scaling); err != nil {
			return driver.Observed{}, err
		}
		return d.readCluster(ctx, name)
	}
	lt, err := d.ensureLaunchTemplate(ctx, req, name)
	if err != nil {
		return driver.Observed{}, err
	}
	tgs, err := d.targetGroupsOf(ctx, spec.LoadBalancers)
	if err != nil {
		return driver.Observed{}, err
	}
	tags := withTags(req.Tags, tagTier, spec.Tier, tagStateless, strconv.FormatBool(spec.Stateless))
	_, err = d.AutoScaling.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: awssdk.String(name),
		LaunchTemplate:       &astypes.LaunchTemplateSpecification{LaunchTemplateId: awssdk.String(lt), Version: awssdk.String("$Latest")},
		MinSize:              awssdk.Int32(int32(spec.Min)),
		MaxSize:              awssdk.Int32(int32(spec.Max)),
		DesiredCapacity:      awssdk.Int32(int32(spec.Desired)),
		VPCZoneIdentifier:    awssdk.String(strings.Join(refStrings(spec.Subnets), ",")),
		TargetGroupARNs:      tgs,
		HealthCheckType:      healthCheckType(tgs),
		Tags:                 asgTags(name, tags),
	})
	if err != nil {
		return driver.Observed{}, mapErr("CreateAutoScalingGroup", "cluster", req.Resource.ID, err)
	}
	if spec.Scaling != nil {
		if err := d.putScalingPolicy(ctx, name, spec.Scaling); err != nil {
			return driver.Observed{}, err
		}
	}
	return d.readCluster(ctx, name)
}

// scalingPolicyName names the target-tracking policy of group. AWS scopes
// policy names to their group; the group's name is part of it anyway so
// that two clusters' policies never share a name (moto keys policies by
// name alone).
func scalingPolicyName(group string) string { return "archkit-target-cpu-" + group }

// putScalingPolicy creates or replaces the group's target-tracking policy.
func (d *Driver) putScalingPolicy(ctx context.Context, group string, s *blueprint.ScalingSpec) error {
	in := &autoscaling.PutScalingPolicyInput{
		AutoScalingGroupName: awssdk.String(group),
		PolicyName:           awssdk.String(scalingPolicyName(group)),
		PolicyType:           awssdk.String(policyTargetTracking),
		TargetTrackingConfiguration: &astypes.TargetTrackingConfiguration{
			PredefinedMetricSpecification: &astypes.PredefinedMetricSpecification{PredefinedMetricType: astypes.MetricTypeASGAverageCPUUtilization},
			TargetValue:                   awssdk.Float64(float64(s.TargetCPUPercent)),
		},
	}
	if s.WarmupSeconds > 0 {
		in.EstimatedInstanceWarmup = awssdk.Int32(int32(s.WarmupSeconds))
	}
	if _, err := d.AutoScaling.PutScalingPolicy(ctx, in); err != nil {
		return mapErr("PutScalingPolicy", "cluster", group, err)
	}
	return nil
}

const policyTargetTracking = "TargetTrackingScaling"

// scalingOf returns the ScalingSpec of sp when it is the target-tracking
// policy on average CPU that archkit gives group, or nil (another policy
// of the same name, on another metric, is reported as none, so that the
// next apply puts it back).
func scalingOf(sp astypes.ScalingPolicy, group string) *blueprint.ScalingSpec {
	tt := sp.TargetTrackingConfiguration
	if awssdk.ToString(sp.PolicyName) != scalingPolicyName(group) || awssdk.ToString(sp.AutoScalingGroupName) != group || tt == nil ||
		tt.PredefinedMetricSpecification == nil || tt.PredefinedMetricSpecification.PredefinedMetricType != astypes.MetricTypeASGAverageCPUUtilization {
		return nil
	}
	return &blueprint.ScalingSpec{
		TargetCPUPercent: int(math.Round(awssdk.ToFloat64(tt.TargetValue))),
		WarmupSeconds:    int(awssdk.ToInt32(sp.EstimatedInstanceWarmup)),
	}
}

// clusterExtras is what observing clusters needs beyond their groups,
// read once for all the groups of a list: their target groups, their
// scaling policies and their launch templates' latest versions.
type clusterExtras struct {
	targetGroups map[string]elbv2types.TargetGroup         // by ARN
	scaling      map[string]*blueprint.ScalingSpec         // by group name; none: no policy
	templates    map[string]ec2types.LaunchTemplateVersion // latest version, by template id
}

// Batch sizes: DescribePolicies takes at most 50 policy names (Amazon EC2
// Auto Scaling API Reference, "DescribePolicies"); DescribeTargetGroups
// states no maximum of TargetGroupArns, and 20, the maximum of its
// sibling DescribeLoadBalancers' names, is taken as a safe one.
const (
	policiesPerCall     = 50
	targetGroupsPerCall = 20
)

// readClusterExtras reads the target groups, scaling policies and launch
// templates of groups: one DescribePolicies by policy name per 50 groups
// rather than one per group, the templates' latest versions as
// latestTemplateVersions reads them, and the target groups by ARN, 20 a
// call, or, for a list (all), from the account's target groups that the
// balancers' list reads too ([Driver.accountTargetGroups]).
func (d *Driver) readClusterExtras(ctx context.Context, groups []astypes.AutoScalingGroup, all bool) (*clusterExtras, error) {
	x := &clusterExtras{targetGroups: map[string]elbv2types.TargetGroup{}, scaling: map[string]*blueprint.ScalingSpec{}}
	var arns, names, templates []string
	for _, g := range groups {
		arns = append(arns, g.TargetGroupARNs...)
		names = append(names, scalingPolicyName(awssdk.ToString(g.AutoScalingGroupName)))
		if lt := g.LaunchTemplate; lt != nil {
			templates = append(templates, awssdk.ToString(lt.LaunchTemplateId))
		}
	}
	var err error
	if x.templates, err = d.latestTemplateVersions(ctx, templates); err != nil {
		return nil, err
	}
	if err := d.readTargetGroups(ctx, x.targetGroups, arns, all); err != nil {
		return nil, err
	}
	for chunk := range slices.Chunk(names, policiesPerCall) {
		p := autoscaling.NewDescribePoliciesPaginator(d.AutoScaling, &autoscaling.DescribePoliciesInput{
			PolicyNames: chunk, PolicyTypes: []string{policyTargetTracking},
		})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, mapErr("DescribePolicies", "cluster", chunk[0], err)
			}
			for _, sp := range out.ScalingPolicies {
				if group := awssdk.ToString(sp.AutoScalingGroupName); scalingOf(sp, group) != nil {
					x.scaling[group] = scalingOf(sp, group)
				}
			}
		}
	}
	return x, nil
}

// templatesPerPage is the largest page of DescribeLaunchTemplateVersions
// (its MaxResults: 1 to 200, Amazon EC2 API Reference).
const templatesPerPage = 200

// latestTemplateVersions returns the latest version of each launch
// template of ids, by id; a template gone is absent. One template is read
// by its id. Several are read from the latest versions of the account's
// templates ("$Latest" without a template id: the API has no tag filter
// there), whose pages stop as soon as every template of ids is found: one
// call in an account of at most 200 templates, where reading them one by
// one takes a call per cluster; a template on no page is gone. In a larger
// account the pages stop after half as many pages as there are templates,
// and the templates not yet found are read one by one, so that the reads
// never exceed 1.5 times the one-by-one reads.
func (d *Driver) latestTemplateVersions(ctx context.Context, ids []string) (map[string]ec2types.LaunchTemplateVersion, error) {
	res := map[string]ec2types.LaunchTemplateVersion{}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) > 1 {
		p := ec2.NewDescribeLaunchTemplateVersionsPaginator(d.EC2, &ec2.DescribeLaunchTemplateVersionsInput{
			Versions: []string{"$Latest"}, MaxResults: awssdk.Int32(templatesPerPage),
		})
		for pages := 0; p.HasMorePages() && pages < max(1, len(ids)/2) && len(res) < len(ids); pages++ {
			out, err := p.NextPage(ctx)
			if err != nil {
				return nil, mapErr("DescribeLaunchTemplateVersions", "cluster", "", err)
			}
			for _, v := range out.LaunchTemplateVersions {
				if id := awssdk.ToString(v.LaunchTemplateId); isIn(ids, id) {
					res[id] = v
				}
			}
		}
		if !p.HasMorePages() {
			return res, nil // every template of the account read: the others are gone
		}
	}
	for _, id := range ids {
		if _, ok := res[id]; ok {
			continue
		}
		out, err := d.EC2.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: awssdk.String(id), Versions: []string{"$Latest"}})
		if err != nil && !isCode(err, driver.NotFound) {
			return nil, mapErr("DescribeLaunchTemplateVersions", "cluster", id, err)
		}
		if out != nil && len(out.LaunchTemplateVersions) > 0 {
			res[id] = out.LaunchTemplateVersions[0]
		}
	}
	return res, nil
}

// readTargetGroups puts the target groups of arns in into: from the
// account's target groups when all, else by ARN, 20 a call.
func (d *Driver) readTargetGroups(ctx context.Context, into map[string]elbv2types.TargetGroup, arns []string, all bool) error {
	arns = slices.Compact(slices.Sorted(slices.Values(arns)))
	if len(arns) == 0 {
		return nil
	}
	if all {
		tgs, err := d.accountTargetGroups(ctx)
		for _, tg := range tgs {
			if arn := awssdk.ToString(tg.TargetGroupArn); isIn(arns, arn) {
				into[arn] = tg
			}
		}
		return err
	}
	for chunk := range slices.Chunk(arns, targetGroupsPerCall) {
		out, err := d.ELB.DescribeTargetGroups(ctx, &elbv2.DescribeTargetGroupsInput{TargetGroupArns: chunk})
		if err != nil && !isCode(err, driver.NotFound) {
			return mapErr("DescribeTargetGroups", "cluster", chunk[0], err)
		}
		if out != nil {
			for _, tg := range out.TargetGroups {
				into[awssdk.ToString(tg.TargetGroupArn)] = tg
			}
		}
	}
	return nil
}

// isIn reports whether the sorted ids hold id.
func isIn(ids []string, id string) bool {
	_, found := slices.BinarySearch(ids, id)
	return found
}

// deleteScalingPolicy removes the group's policy; one already gone is not
// an error.
func (d *Driver) deleteScalingPolicy(ctx context.Context, group string) error {
	_, err := d.AutoScaling.DeletePolicy(ctx, &autoscaling.DeletePolicyInput{
		AutoScalingGroupName: awssdk.String(group), PolicyName: awssdk.String(scalingPolicyName(group)),
	})
	if err != nil && !isCode(err, driver.NotFound) {
		return mapErr("DeletePolicy", "cluster", group, err)
	}
	return nil
}

// syncScaling puts or deletes the group's policy so that it matches want.
func (d *Driver) syncScaling(ctx context.Context, group string, want, have *blueprint.ScalingSpec) error {
	switch {
	case want == nil && have == nil:
		return nil
	case want == nil:
		return d.deleteScalingPolicy(ctx, group)
	case have != nil && *want == *have:
		return nil
	}
	return d.putScalingPolicy(ctx, group, want)
}

func healthCheckType(tgs []string) *string {
	if len(tgs) > 0 {
		return awssdk.String("ELB")
	}
	return awssdk.String("EC2")
}

func (d *Driver) readCluster(ctx context.Context, name string) (driver.Observed, error) {
	g, err := d.describeGroupByName(ctx, name)
	if err != nil {
		return driver.Observed{}, err
	}
	if g == nil {
		return d.incompleteCluster(ctx, name)
	}
	return d.clusterObserved(ctx, *g, nil)
}

// incompleteCluster reports the launch template of a cluster whose group
// was never made (a create that stopped between the two), so that the
// engine completes it (Update) or deletes it (Destroy) instead of leaking
// it. Without a template the cluster is NotFound.
func (d *Driver) incompleteCluster(ctx context.Context, name string) (driver.Observed, error) {
	out, err := d.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{name}})
	if err != nil && !isCode(err, driver.NotFound) {
		return driver.Observed{}, mapErr("DescribeLaunchTemplates", "cluster", name, err)
	}
	if out == nil || len(out.LaunchTemplates) == 0 {
		return driver.Observed{}, notFound("DescribeAutoScalingGroups", blueprint.KindCluster, name)
	}
	return incompleteClusterObserved(out.LaunchTemplates[0]), nil
}

func incompleteClusterObserved(lt ec2types.LaunchTemplate) driver.Observed {
	o := observed(blueprint.KindCluster, awssdk.ToString(lt.LaunchTemplateName), fromEC2Tags(lt.Tags), false, "incomplete")
	o.Incomplete = true
	o.Resource.Cluster = &blueprint.ClusterSpec{}
	o.Parts = map[string][]string{partLaunchTemplate: {awssdk.ToString(lt.LaunchTemplateId)}}
	return o
}

// clusterObserved returns the cluster of group g; x holds its target groups
// and scaling policy, read for it when nil.
func (d *Driver) clusterObserved(ctx context.Context, g astypes.AutoScalingGroup, x *clusterExtras) (driver.Observed, error) {
	if x == nil {
		var err error
		if x, err = d.readClusterExtras(ctx, []astypes.AutoScalingGroup{g}, false); err != nil {
			return driver.Observed{}, err
		}
	}
	name := awssdk.ToString(g.AutoScalingGroupName)
	tags := fromASGTags(g.Tags)
	inService := 0
	var instances []string
	for _, in := range g.Instances {
		instances = append(instances, awssdk.ToString(in.InstanceId))
		if in.LifecycleState == astypes.LifecycleStateInService {
			inService++
		}
	}
	slices.Sort(instances)
	desired := int(awssdk.ToInt32(g.DesiredCapacity))
	o := observed(blueprint.KindCluster, name, tags, inService >= desired, "InService")
	spec := &blueprint.ClusterSpec{
		Tier:      tags[tagTier],
		Min:       int(awssdk.ToInt32(g.MinSize)),
		Desired:   desired,
		Max:       int(awssdk.ToInt32(g.MaxSize)),
		Stateless: tags[tagStateless] == "true",
	}
	for _, s := range strings.Split(awssdk.ToString(g.VPCZoneIdentifier), ",") {
		if s = strings.TrimSpace(s); s != "" {
			spec.Subnets = append(spec.Subnets, blueprint.Ref(s))
		}
	}
	slices.Sort(spec.Subnets)
	o.Parts = map[string][]string{}
	if len(instances) > 0 {
		o.Parts[partInstance] = instances
	}
	if lt := g.LaunchTemplate; lt != nil {
		id := awssdk.ToString(lt.LaunchTemplateId)
		o.Parts[partLaunchTemplate] = []string{id}
		if v, ok := x.templates[id]; ok && v.LaunchTemplateData != nil {
			readTemplate(spec, v.LaunchTemplateData, awssdk.ToString(v.VersionDescription))
		}
	}
	for _, arn := range g.TargetGroupARNs {
		if tg, ok := x.targetGroups[arn]; ok {
			spec.LoadBalancers = append(spec.LoadBalancers, refsOf(tg.LoadBalancerArns)...)
			spec.TargetPort = uint16(awssdk.ToInt32(tg.Port))
		}
	}
	slices.Sort(spec.LoadBalancers)
	spec.LoadBalancers = slices.Compact(spec.LoadBalancers)
	spec.Scaling = x.scaling[name]
	o.Resource.Cluster = spec
	return o, nil
}

// volumeTags are the tags of the nodes' volumes: the instances', and the
// archkit:backup tag a backup plan's selection requires when the cluster
// is in a snapshot schedule (ClusterSpec.Backup).
func volumeTags(spec *blueprint.ClusterSpec, tags map[string]string) map[string]string {
	out := userTags(tags)
	if spec.Backup != "" {
		out[blueprint.TagBackup] = spec.Backup
	}
	return out
}

// readTemplate fills spec with what the launch template data says: the
// image, type, groups and user data, and the secure defaults (a template
// without metadata options allows IMDSv1, as an instance launched from it
// would with the account's defaults; one without an encrypted mapping
// leaves its volumes as the image has them).
func readTemplate(spec *blueprint.ClusterSpec, data *ec2types.ResponseLaunchTemplateData, description string) {
	spec.Image = awssdk.ToString(data.ImageId)
	spec.InstanceType = string(data.InstanceType)
	spec.SecurityGroups = refsOf(data.SecurityGroupIds)
	slices.Sort(spec.SecurityGroups)
	if ud, err := base64.StdEncoding.DecodeString(awssdk.ToString(data.UserData)); err == nil && len(ud) > 0 {
		spec.UserData = tier.Secret(ud)
	}
	spec.KeyPair = blueprint.Ref(awssdk.ToString(data.KeyName))
	spec.AllowIMDSv1 = true
	if m := data.MetadataOptions; m != nil {
		spec.AllowIMDSv1 = m.HttpTokens != ec2types.LaunchTemplateHttpTokensStateRequired
		if hop := int(awssdk.ToInt32(m.HttpPutResponseHopLimit)); hop != blueprint.DefaultMetadataHopLimit {
			spec.MetadataHopLimit = hop // the default reads back as 0, as Build writes it
		}
	}
	if p := data.IamInstanceProfile; p != nil {
		name := cmp.Or(awssdk.ToString(p.Name), lastSegment(awssdk.ToString(p.Arn), "/"))
		if description == namedProfile {
			spec.InstanceProfile = name
		} else {
			spec.InstanceRole = blueprint.Ref(name)
		}
	}
	for _, ts := range data.TagSpecifications {
		if ts.ResourceType != ec2types.ResourceTypeVolume {
			continue
		}
		for _, t := range ts.Tags {
			if awssdk.ToString(t.Key) == blueprint.TagBackup {
				spec.Backup = awssdk.ToString(t.Value)
			}
		}
	}
	spec.UnencryptedVolumes = true
	for _, m := range data.BlockDeviceMappings {
		if m.Ebs != nil && awssdk.ToBool(m.Ebs.Encrypted) {
			spec.UnencryptedVolumes = false
			spec.VolumeKMSKey = awssdk.ToString(m.Ebs.KmsKeyId)
		}
	}
}

// templateDiffers reports whether the launch template of have must get a
// new version for want: the image, type, user data, groups, key pair,
// instance role or profile, or secure defaults changed.
func templateDiffers(want, have *blueprint.ClusterSpec) bool {
	w, h := *want, *have
	for _, s := range []*blueprint.ClusterSpec{&w, &h} {
		if s.MetadataHopLimit == 0 {
			s.MetadataHopLimit = blueprint.DefaultMetadataHopLimit
		}
		if s.UnencryptedVolumes {
			s.VolumeKMSKey = ""
		}
	}
	return w.ImageID() != h.ImageID() || w.InstanceType != h.InstanceType || w.UserData != h.UserData ||
		!slices.Equal(sortedRefs(w.SecurityGroups), sortedRefs(h.SecurityGroups)) ||
		w.AllowIMDSv1 != h.AllowIMDSv1 || w.MetadataHopLimit != h.MetadataHopLimit ||
		w.UnencryptedVolumes != h.UnencryptedVolumes || w.VolumeKMSKey != h.VolumeKMSKey || w.InstanceRole != h.InstanceRole ||
		w.KeyPair != h.KeyPair || w.InstanceProfile != h.InstanceProfile || w.Backup != h.Backup
}

// scalingDiffers reports whether the policy of o differs from spec's.
func scalingDiffers(spec *blueprint.ClusterSpec, o driver.Observed) bool {
	have := o.Resource.Cluster.Scaling
	if spec.Scaling == nil || have == nil {
		return spec.Scaling != have
	}
	return *spec.Scaling != *have
}

func (d *Driver) listClusters(ctx context.Context, q driver.Query) ([]driver.Observed, error) {
	var groups []astypes.AutoScalingGroup
	p := autoscaling.NewDescribeAutoScalingGroupsPaginator(d.AutoScaling, &autoscaling.DescribeAutoScalingGroupsInput{
		Filters: []astypes.Filter{{Name: awssdk.String("tag:" + driver.TagDeployment), Values: []string{q.Deployment}}},
	})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeAutoScalingGroups", "cluster", "", err)
		}
		for _, g := range out.AutoScalingGroups {
			if owned(fromASGTags(g.Tags), q.Deployment) && awssdk.ToString(g.Status) == "" {
				groups = append(groups, g)
			}
		}
	}
	var res []driver.Observed
	if len(groups) > 0 {
		x, err := d.readClusterExtras(ctx, groups, true)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			o, err := d.clusterObserved(ctx, g, x)
			if err != nil {
				return nil, err
			}
			res = append(res, o)
		}
	}
	made := map[string]bool{}
	for _, o := range res {
		made[o.ID] = true
	}
	lp := ec2.NewDescribeLaunchTemplatesPaginator(d.EC2, &ec2.DescribeLaunchTemplatesInput{Filters: ownerFilters(q, "")})
	for lp.HasMorePages() {
		out, err := lp.NextPage(ctx)
		if err != nil {
			return nil, mapErr("DescribeLaunchTemplates", "cluster", "", err)
		}
		for _, lt := range out.LaunchTemplates {
			if !made[awssdk.ToString(lt.LaunchTemplateName)] {
				res = append(res, incompleteClusterObserved(lt))
			}
		}
	}
	return res, nil
}

// updateCluster writes a complete new launch template version when the
// image, type, groups or user data change (moto ignores SourceVersion, and
// a complete version is clearer anyway), then updates sizes, subnets and
// target groups of the autoscaling group.
func (d *Driver) updateCluster(ctx context.Context, req driver.Request, cur driver.Observed) (driver.Observed, error) {
	if cur.Status == "incomplete" {
		return d.createClusterNamed(ctx, req, cur.ID)
	}
	want := req.Resource.Cluster
	have := cur.Resource.Cluster
	if have == nil {
		have = &blueprint.ClusterSpec{}
	}
	in := &autoscaling.UpdateAutoScalingGroupInput{AutoScalingGroupName: awssdk.String(cur.ID)}
	changed := false
	if lts := cur.Parts[partLaunchTemplate]; len(lts) > 0 && templateDiffers(want, have) {
		root, err := d.rootDevice(ctx, want, cur.ID)
		if err != nil {
			return driver.Observed{}, err
		}
		_, err = d.EC2.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{
			LaunchTemplateId: awssdk.String(lts[0]), LaunchTemplateData: launchTemplateData(want, req.Tags, root),
			VersionDescription: versionDescription(want),
		})
		if err != nil {
			return driver.Observed{}, mapErr("CreateLaunchTemplateVersion", "cluster", cur.ID, err)
		}
		in.LaunchTemplate = &astypes.LaunchTemplateSpecification{LaunchTemplateId: awssdk.String(lts[0]), Version: awssdk.String("$Latest")}
		changed = true
	}
	if want.Min != have.Min || want.Max != have.Max || want.Desired != have.Desired {
		in.MinSize, in.MaxSize, in.DesiredCapacity = awssdk.Int32(int32(want.Min)), awssdk.Int32(int32(want.Max)), awssdk.Int32(int32(want.Desired))
		changed = true
	}
	if !slices.Equal(sortedRefs(want.Subnets), sortedRefs(have.Subnets)) {
		in.VPCZoneIdentifier = awssdk.String(strings.Join(refStrings(want.Subnets), ","))
		changed = true
	}
	if changed {
		if _, err := d.AutoScaling.UpdateAutoScalingGroup(ctx, in); err != nil {
			return driver.Observed{}, mapErr("UpdateAutoScalingGroup", "cluster", cur.ID, err)
		}
	}
	// The sizes are set first: a policy never sees bounds it cannot keep.
	if err := d.syncScaling(ctx, cur.ID, want.Scaling, have.Scaling); err != nil {
		return driver.Observed{}, err
	}
	if !slices.Equal(sortedRefs(want.LoadBalancers), sortedRefs(have.LoadBalancers)) {
		wantTG, err := d.targetGroupsOf(ctx, want.LoadBalancers)
		if err != nil {
			return driver.Observed{}, err
		}
		haveTG, err := d.targetGroupsOf(ctx, have.LoadBalancers)
		if err != nil {
			return driver.Observed{}, err
		}
		var add, drop []string
		for _, t := range wantTG {
			if !slices.Contains(haveTG, t) {
				add = append(add, t)
			}
		}
		for _, t := range haveTG {
			if !slices.Contains(wantTG, t) {
				drop = append(drop, t)
			}
		}
		if len(add) > 0 {
			if _, err := d.AutoScaling.AttachLoadBalancerTargetGroups(ctx, &autoscaling.AttachLoadBalancerTargetGroupsInput{AutoScalingGroupName: awssdk.String(cur.ID), TargetGroupARNs: add}); err != nil {
				return driver.Observed{}, mapErr("AttachLoadBalancerTargetGroups", "cluster", cur.ID, err)
			}
		}
		if len(drop) > 0 {
			if _, err := d.AutoScaling.DetachLoadBalancerTargetGroups(ctx, &autoscaling.DetachLoadBalancerTargetGroupsInput{AutoScalingGroupName: awssdk.String(cur.ID), TargetGroupARNs: drop}); err != nil {
				return driver.Observed{}, mapErr("DetachLoadBalancerTargetGroups", "cluster", cur.ID, err)
			}
		}
	}
	return d.readCluster(ctx, cur.ID)
}

// deleteCluster force-deletes the group (terminating its instances),
// waits until it is gone, then deletes the launch template.
func (d *Driver) deleteCluster(ctx context.Context, cur driver.Observed) error {
	lts := cur.Parts[partLaunchTemplate]
	g, err := d.describeGroupByName(ctx, cur.ID)
	if err != nil {
		return err
	}
	if g != nil {
		// AWS deletes a group's policies with it; moto keeps them, and a
		// cluster recreated under the same name would inherit them.
		if cur.Resource.Cluster != nil && cur.Resource.Cluster.Scaling != nil {
			if err := d.deleteScalingPolicy(ctx, cur.ID); err != nil {
				return err
			}
		}
		if g.LaunchTemplate != nil {
			lts = append(lts, awssdk.ToString(g.LaunchTemplate.LaunchTemplateId))
		}
		_, err := d.AutoScaling.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: awssdk.String(cur.ID), ForceDelete: awssdk.Bool(true)})
		if err != nil && !isCode(err, driver.NotFound) && !groupNotFound(err) {
			return mapErr("DeleteAutoScalingGroup", "cluster", cur.ID, err)
		}
		minDelay, maxDelay := d.delays()
		w := autoscaling.NewGroupNotExistsWaiter(d.AutoScaling, func(o *autoscaling.GroupNotExistsWaiterOptions) {
			o.MinDelay, o.MaxDelay = minDelay, maxDelay
		})
		if err := w.Wait(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{cur.ID}}, d.waitBound()); err != nil {
			return mapErr("DescribeAutoScalingGroups", "cluster", cur.ID, err)
		}
	} else if len(lts) == 0 {
		// The group is gone; its template may remain from an interrupted delete.
		out, err := d.EC2.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateNames: []string{cur.ID}})
		if err == nil {
			for _, lt := range out.LaunchTemplates {
				lts = append(lts, awssdk.ToString(lt.LaunchTemplateId))
			}
		}
	}
	slices.Sort(lts)
	for _, lt := range slices.Compact(lts) {
		_, err := d.EC2.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: awssdk.String(lt)})
		if err != nil && !isCode(err, driver.NotFound) {
			return mapErr("DeleteLaunchTemplate", "cluster", cur.ID, err)
		}
	}
	return nil
}

// namedProfile is the description of a launch template version whose
// instance profile the caller named (ClusterSpec.InstanceProfile), so that
// a read back tells it from the profile of an instance role archkit made
// (ClusterSpec.InstanceRole): the template data holds only the name.
const namedProfile = "archkit: instance profile named by the caller"

// versionDescription returns the description of a launch template version
// for spec: namedProfile when the nodes run with a named profile.
func versionDescription(spec *blueprint.ClusterSpec) *string {
	if spec.InstanceRole == "" && spec.InstanceProfile != "" {
		return awssdk.String(namedProfile)
	}
	return nil
}

// groupNotFound reports whether err is Auto Scaling's answer for a group
// that does not exist: a ValidationError "AutoScalingGroup name not
// found" (Auto Scaling has no NotFound code). A delete sent again after
// its first answer was lost gets it: the group is gone, as asked.
func groupNotFound(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "not found")
}
