package blueprint

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/archkit/archkit/tier"
)

// The types of a [NetEndpointSpec] (EC2 CreateVpcEndpoint
// VpcEndpointType).
const (
	EndpointGateway   = "Gateway"
	EndpointInterface = "Interface"
)

// NetEndpointSpec is an endpoint of a Net to one of the cloud's own
// services: an AWS VPC endpoint (AWS PrivateLink), an OUTSCALE Net access
// point. archkit calls it a net endpoint as it calls a VPC a Net and a
// VPC peering a Net peering. Its logical id names the service
// ("net_endpoint/s3").
//
// A gateway endpoint (S3, DynamoDB; OUTSCALE's object storage) holds no
// address: the cloud adds a route from the service's prefix list to it in
// each of RouteTables, and removes it with the endpoint; route tables
// read back without those routes (their spec lists the routes archkit
// writes itself). An interface endpoint (SQS, Secrets Manager, Systems
// Manager...) is a network interface in each of Subnets, one per zone,
// guarded by SecurityGroups; with PrivateDNS, the service's public name
// resolves to those interfaces inside the Net.
//
// What changes in place is the driver's (AWS ModifyVpcEndpoint: the route
// tables, subnets, security groups and private DNS); the service and the
// type are fixed.
type NetEndpointSpec struct {
	Net Ref `json:"net"`
	// Service is the service's name after "com.amazonaws.<region>."
	// ("s3", "sqs", "ecr.api"): a [tier.Service].
	Service string `json:"service"`
	// Type is [EndpointGateway] or [EndpointInterface].
	Type string `json:"type"`
	// RouteTables are a gateway endpoint's route tables.
	RouteTables []Ref `json:"route_tables,omitempty"`
	// Subnets are an interface endpoint's subnets, in distinct zones.
	Subnets []Ref `json:"subnets,omitempty"`
	// SecurityGroups guard an interface endpoint's network interfaces.
	SecurityGroups []Ref `json:"security_groups,omitempty"`
	// PrivateDNS resolves the service's public name to an interface
	// endpoint inside the Net (AWS PrivateDnsEnabled; the Net needs DNS
	// hostnames and DNS support, which archkit's Nets have).
	PrivateDNS bool `json:"private_dns,omitempty"`
}

func (s *NetEndpointSpec) refs() []*Ref {
	return slices.Concat([]*Ref{&s.Net}, refsOf(s.RouteTables), refsOf(s.Subnets), refsOf(s.SecurityGroups))
}

func (s *NetEndpointSpec) clone() *NetEndpointSpec {
	c := *s
	c.RouteTables = slices.Clone(s.RouteTables)
	c.Subnets = slices.Clone(s.Subnets)
	c.SecurityGroups = slices.Clone(s.SecurityGroups)
	return &c
}

func (s *NetEndpointSpec) normalize() {
	slices.Sort(s.RouteTables)
	slices.Sort(s.Subnets)
	slices.Sort(s.SecurityGroups)
}

func (ps *problems) netEndpoint(s *NetEndpointSpec) {
	if s == nil {
		return
	}
	ps.need("net_endpoint.net", string(s.Net), "the net id")
	svc := tier.Service(s.Service)
	if !svc.IsKnown() {
		ps.add("net_endpoint.service", strconv.Quote(s.Service), "not a service archkit knows", fmt.Sprintf("use one of %v", tier.Services))
	}
	switch s.Type {
	case EndpointGateway:
		if svc.IsKnown() && !svc.Gateway() {
			ps.add("net_endpoint.type", s.Type, "the service has no gateway endpoint (only s3 and dynamodb do)", "use "+EndpointInterface)
		}
		if len(s.RouteTables) == 0 {
			ps.add("net_endpoint.route_tables", "[]", "a gateway endpoint on no route table routes nothing", "give the route tables of the subnets that use it")
		}
		if len(s.Subnets)+len(s.SecurityGroups) > 0 || s.PrivateDNS {
			ps.add("net_endpoint", s.Service, "a gateway endpoint has no subnets, security groups or private DNS", "leave them empty")
		}
	case EndpointInterface:
		if svc == tier.ServiceDynamoDB {
			ps.add("net_endpoint.type", s.Type, "archkit reaches dynamodb through a gateway endpoint", "use "+EndpointGateway)
		}
		if len(s.Subnets) == 0 {
			ps.add("net_endpoint.subnets", "[]", "an interface endpoint needs a subnet", "give one subnet per zone")
		}
		if len(s.SecurityGroups) == 0 {
			ps.add("net_endpoint.security_groups", "[]", "an interface endpoint needs a security group", "give the endpoint's own group")
		}
		if len(s.RouteTables) > 0 {
			ps.add("net_endpoint.route_tables", fmt.Sprint(s.RouteTables), "an interface endpoint is on no route table", "leave it empty")
		}
	default:
		ps.add("net_endpoint.type", strconv.Quote(s.Type), "unknown endpoint type", fmt.Sprintf("use %q or %q", EndpointGateway, EndpointInterface))
	}
	for _, list := range []struct {
		field string
		refs  []Ref
	}{{"route_tables", s.RouteTables}, {"subnets", s.Subnets}, {"security_groups", s.SecurityGroups}} {
		seen := map[Ref]int{}
		for i, r := range list.refs {
			if j, dup := seen[r]; dup {
				ps.add(fmt.Sprintf("net_endpoint.%s[%d]", list.field, i), string(r), fmt.Sprintf("same as [%d]", j), "list each once")
			}
			seen[r] = i
		}
	}
}

// ServiceName returns the name of the endpoint service in region, as AWS
// names it: "com.amazonaws.eu-west-3.s3".
func (s *NetEndpointSpec) ServiceName(region string) string {
	if s == nil {
		return ""
	}
	return "com.amazonaws." + region + "." + s.Service
}
