package ratelimit

import "strings"

// AWS meters a request as AWS documents it for the account and Region.
//
// EC2 ("Request throttling for the Amazon EC2 API", Amazon EC2 developer
// guide) evaluates each API action on its own: each action has a bucket,
// sized by its category.
//
//	category                                          size  refill/s
//	non-mutating (Describe*, List*, Search*, Get*)     100        20
//	unfiltered and unpaginated non-mutating            50        10
//	  (DescribeInstances, DescribeInstanceStatus, DescribeNetworkInterfaces,
//	  DescribeSecurityGroups, DescribeSnapshots, DescribeSpotInstanceRequests,
//	  DescribeVolumes sent with neither a filter nor pagination)
//	mutating (every other action)                       50         5
//	resource-intensive (AuthorizeSecurityGroupIngress,  50         5
//	  RevokeSecurityGroupIngress, CreateKeyPair, the VPC peering actions,
//	  RequestSpotInstances, CancelSpotInstanceRequests)
//	uncategorized: CreateTags, DeleteTags              100        10
//	  CreateNatGateway, DeleteNatGateway                10         1
//	  CreateLaunchTemplateVersion, ModifyLaunchTemplate,
//	  TerminateInstances, DeleteNetworkInterface ...   100         5
//	  RunInstances, StartInstances                       5         2
//
// RunInstances, StartInstances, StopInstances and TerminateInstances also
// draw from resource buckets counted in instances (1,000 tokens, 2 or 20 a
// second); archkit's drivers start no instance themselves (Auto Scaling
// does), so no resource bucket is metered.
//
// Elastic Load Balancing ("Request throttling for the Elastic Load
// Balancing API", ELB user guide): every ELBv2 request draws from the
// account's bucket (40, 10/s) and from its category's: resource-intensive
// (CreateLoadBalancer, SetSubnets: 10, 0.2/s), registration
// (RegisterTargets, DeregisterTargets: 20, 4/s), non-mutating (Describe*:
// 40, 10/s), mutating (every other action: 20, 3/s).
//
// RDS ("Request throttling for the Amazon RDS API", RDS user guide): up to
// 300 requests in a burst and a sustained 12 a second, for the account.
//
// EC2 Auto Scaling ("Why are my Amazon EC2 Auto Scaling API calls
// throttled?", AWS knowledge center): all its API calls share one bucket
// for the account and Region, whose figures AWS does not publish; archkit
// assumes EC2's mutating figures (50, 5/s). Set Options.RateLimits of the
// engine to use others.
//
// IAM, CloudWatch Logs, ElastiCache and Amazon MQ (with the Secrets
// Manager secret of a broker) are not metered: archkit sends a handful of
// their requests per role, flow log, cache or broker; the SDK's retryer
// absorbs their throttling.
func AWS(c Call) []Meter {
	switch c.Service {
	case ServiceEC2:
		return []Meter{ec2Meter(c)}
	case ServiceELBv2:
		cat, b := elbCategory(c.Action)
		return []Meter{
			{Name: ServiceELBv2 + " account", Bucket: Bucket{Size: 40, Refill: 10}},
			{Name: ServiceELBv2 + " " + cat, Bucket: b},
		}
	case ServiceRDS:
		return []Meter{{Name: ServiceRDS + " account", Bucket: Bucket{Size: 300, Refill: 12}}}
	case ServiceAutoScaling:
		return []Meter{{Name: ServiceAutoScaling + " account", Bucket: ec2Mutating}}
	}
	return nil
}

var (
	ec2NonMutating = Bucket{Size: 100, Refill: 20}
	ec2Unfiltered  = Bucket{Size: 50, Refill: 10}
	ec2Mutating    = Bucket{Size: 50, Refill: 5}
)

// ec2Uncategorized are the EC2 actions with buckets of their own that
// archkit's drivers may call, and their neighbours in the table.
var ec2Uncategorized = map[string]Bucket{
	"CreateTags": {100, 10}, "DeleteTags": {100, 10},
	"CreateNatGateway": {10, 1}, "DeleteNatGateway": {10, 1},
	"AssociateNatGatewayAddress": {10, 1}, "DisassociateNatGatewayAddress": {10, 1},
	"CreateLaunchTemplateVersion": {100, 5}, "ModifyLaunchTemplate": {100, 5},
	"CreateNetworkInterface": {100, 5}, "DeleteNetworkInterface": {100, 5},
	"ModifyNetworkInterfaceAttribute": {100, 5},
	"AssignPrivateIpAddresses":        {100, 5}, "UnassignPrivateIpAddresses": {100, 5},
	"AssignIpv6Addresses": {100, 5}, "AssociateIamInstanceProfile": {100, 5},
	"RunInstances": {5, 2}, "StartInstances": {5, 2}, "TerminateInstances": {100, 5},
	"CreateVpcEndpoint": {4, 0.3}, "DeleteVpcEndpoints": {4, 0.3}, "ModifyVpcEndpoint": {4, 0.3},
	"DescribeSecurityGroupReferences": {20, 5}, "DescribeStaleSecurityGroups": {20, 5},
}

// ec2UnfilteredActions meter an unfiltered, unpaginated request in the
// smaller bucket.
var ec2UnfilteredActions = map[string]bool{
	"DescribeInstances": true, "DescribeInstanceStatus": true, "DescribeNetworkInterfaces": true,
	"DescribeSecurityGroups": true, "DescribeSnapshots": true, "DescribeSpotInstanceRequests": true,
	"DescribeVolumes": true,
}

func ec2Meter(c Call) Meter {
	name := ServiceEC2 + " " + c.Action
	if b, ok := ec2Uncategorized[c.Action]; ok {
		return Meter{Name: name, Bucket: b}
	}
	if !nonMutating(c.Action) {
		return Meter{Name: name, Bucket: ec2Mutating} // resource-intensive actions have the same figures
	}
	if c.Unfiltered && ec2UnfilteredActions[c.Action] {
		return Meter{Name: name + " unfiltered", Bucket: ec2Unfiltered}
	}
	return Meter{Name: name, Bucket: ec2NonMutating}
}

func nonMutating(action string) bool {
	for _, p := range []string{"Describe", "List", "Search", "Get"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

// elbCategory returns the ELBv2 category of action and its bucket.
func elbCategory(action string) (string, Bucket) {
	switch {
	case action == "CreateLoadBalancer" || action == "SetSubnets":
		return "resource-intensive", Bucket{Size: 10, Refill: 0.2}
	case action == "RegisterTargets" || action == "DeregisterTargets":
		return "registration", Bucket{Size: 20, Refill: 4}
	case strings.HasPrefix(action, "Describe"):
		return "non-mutating", Bucket{Size: 40, Refill: 10}
	}
	return "mutating", Bucket{Size: 20, Refill: 3}
}

// Outscale meters every request of an OUTSCALE account in one bucket of 10
// tokens refilled at 5 a second. OUTSCALE's API ("API Throttling",
// OUTSCALE user guide) passes each request through three limiters, the
// whole platform (HTTP 503, code 6), the account (HTTP 429, code 24) and
// the account and call (HTTP 429, code 25), each a number of requests a
// second that OUTSCALE does not publish. The figures are those of
// OUTSCALE's own Go SDK, osc-sdk-go v3, whose client paces every request
// at 5 a second (options.WithRatelimit(5) in pkg/osc/client.go, on
// go.uber.org/ratelimit, which lets up to 10 requests through at once
// after a pause: its default slack).
func Outscale(c Call) []Meter {
	if c.Service != ServiceOutscale {
		return nil
	}
	return []Meter{{Name: ServiceOutscale + " account", Bucket: Bucket{Size: 10, Refill: 5}}}
}
