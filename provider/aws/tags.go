package aws

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// specTag prefixes the tags that keep spec fields AWS cannot report back
// (the tier of a subnet, the zone of an Elastic IP). They are left out of
// Observed.Tags.
const specTag = "archkit:spec:"

// Spec tag keys.
const (
	tagTier          = specTag + "tier"
	tagZone          = specTag + "zone"
	tagIGW           = specTag + "internet-gateway"
	tagPublicRoute   = specTag + "public-route"
	tagStateless     = specTag + "stateless"
	tagEngineVersion = specTag + "engine-version"
	// rulesTag prefixes the tags of a security_group_rules resource, kept
	// on its group: tagRulesID marks a group whose rule set archkit
	// manages and names the rules resource.
	rulesTag   = "archkit:rules:"
	tagRulesID = rulesTag + driver.TagLogicalID
)

// withTags returns base plus extra (extra wins), without empty values.
func withTags(base map[string]string, extra ...string) map[string]string {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]string{}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] != "" {
			out[extra[i]] = extra[i+1]
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

func ec2Tags(m map[string]string) []ec2types.Tag {
	var out []ec2types.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, ec2types.Tag{Key: awssdk.String(k), Value: awssdk.String(m[k])})
	}
	return out
}

// tagSpec returns the sorted TagSpecifications of a create call.
func tagSpec(rt ec2types.ResourceType, m map[string]string) []ec2types.TagSpecification {
	if len(m) == 0 {
		return nil
	}
	return []ec2types.TagSpecification{{ResourceType: rt, Tags: ec2Tags(m)}}
}

func fromEC2Tags(ts []ec2types.Tag) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[awssdk.ToString(t.Key)] = awssdk.ToString(t.Value)
	}
	return m
}

func elbTags(m map[string]string) []elbtypes.Tag {
	var out []elbtypes.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, elbtypes.Tag{Key: awssdk.String(k), Value: awssdk.String(m[k])})
	}
	return out
}

func fromELBTags(ts []elbtypes.Tag) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[awssdk.ToString(t.Key)] = awssdk.ToString(t.Value)
	}
	return m
}

func asgTags(name string, m map[string]string) []astypes.Tag {
	var out []astypes.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, astypes.Tag{
			Key: awssdk.String(k), Value: awssdk.String(m[k]),
			ResourceId: awssdk.String(name), ResourceType: awssdk.String("auto-scaling-group"),
			PropagateAtLaunch: awssdk.Bool(!strings.HasPrefix(k, specTag)),
		})
	}
	return out
}

func fromASGTags(ts []astypes.TagDescription) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[awssdk.ToString(t.Key)] = awssdk.ToString(t.Value)
	}
	return m
}

func rdsTags(m map[string]string) []rdstypes.Tag {
	var out []rdstypes.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, rdstypes.Tag{Key: awssdk.String(k), Value: awssdk.String(m[k])})
	}
	return out
}

func fromRDSTags(ts []rdstypes.Tag) map[string]string {
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[awssdk.ToString(t.Key)] = awssdk.ToString(t.Value)
	}
	return m
}

// userTags returns the tags shown in Observed.Tags: all but the spec tags
// and AWS's own.
func userTags(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if strings.HasPrefix(k, specTag) || strings.HasPrefix(k, "aws:") || strings.HasPrefix(k, rulesTag) {
			continue
		}
		out[k] = v
	}
	return out
}

// owned reports whether tags carry the deployment's ownership tag,
// compared exactly.
func owned(m map[string]string, deployment string) bool {
	return deployment != "" && m[driver.TagDeployment] == deployment
}

// ownedOnly keeps the items whose tags name deployment, compared exactly:
// filters match patterns, and moto ignores tag filters on
// DescribeCustomerGateways; a list never takes another deployment's
// resource.
func ownedOnly[T any](items []T, tags func(*T) []ec2types.Tag, deployment string) []T {
	var out []T
	for i := range items {
		if owned(fromEC2Tags(tags(&items[i])), deployment) {
			out = append(out, items[i])
		}
	}
	return out
}

// mine reports whether tags are those of what an earlier attempt of req
// made: its deployment, logical id and token (the life of the resource),
// compared exactly, since filters match patterns.
func mine(req driver.Request, m map[string]string) bool {
	return owned(m, req.Deployment) && m[driver.TagLogicalID] == req.Resource.ID && m[driver.TagToken] == req.Tags[driver.TagToken]
}

func filter(name string, values ...string) ec2types.Filter {
	return ec2types.Filter{Name: awssdk.String(name), Values: values}
}

// literal escapes the wildcards of EC2 filter values, '*' and '?', and
// their escape, '\', so that v means itself (EC2 API reference, Filter:
// "Use a backslash to escape special characters"). Deployment names never
// hold them (blueprint.CheckDeployment); logical ids of a hand-made
// Blueprint may.
func literal(v string) string {
	return filterEscaper.Replace(v)
}

// filterEscaper is literal's Replacer, built once: a Replacer builds its
// tables at its first use.
var filterEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`)

// tagFilter filters on tag key holding exactly value.
func tagFilter(key, value string) ec2types.Filter { return filter("tag:"+key, literal(value)) }

// ownerFilters selects a deployment's resources, scoped by VPC when the
// caller knows the VPCs (vpcFilter names the VPC filter of the kind).
// List compares the tag exactly afterwards.
func ownerFilters(q driver.Query, vpcFilter string) []ec2types.Filter {
	fs := []ec2types.Filter{tagFilter(driver.TagDeployment, q.Deployment)}
	if vpcFilter != "" && len(q.NetIDs) > 0 {
		fs = append(fs, filter(vpcFilter, q.NetIDs...))
	}
	return fs
}

// logicalFilters find what an earlier attempt of req made: its deployment,
// logical id and, when req carries one, the token of its life; callers
// check the match with mine.
func logicalFilters(req driver.Request) []ec2types.Filter {
	fs := []ec2types.Filter{
		tagFilter(driver.TagDeployment, req.Deployment),
		tagFilter(driver.TagLogicalID, req.Resource.ID),
	}
	if tok := req.Tags[driver.TagToken]; tok != "" {
		fs = append(fs, tagFilter(driver.TagToken, tok))
	}
	return fs
}

// checkDeployment refuses, before any call, a deployment name that
// blueprint.CheckDeployment refuses.
func checkDeployment(op, kind, deployment string) error {
	if err := blueprint.CheckDeployment(deployment); err != nil {
		return driver.NewError(op, kind, "", driver.Invalid, fmt.Errorf("aws: %w", err))
	}
	return nil
}

// earlier returns the first of items that an earlier attempt of req made
// ([mine]), or nil.
func earlier[T any](req driver.Request, items []T, tags func(*T) []ec2types.Tag) *T {
	for i := range items {
		if mine(req, fromEC2Tags(tags(&items[i]))) {
			return &items[i]
		}
	}
	return nil
}
