package blueprint

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"
)

// The methods the registry calls on each spec type (see specType): the
// references of the spec, a deep copy, its canonical form, and the zone
// fields of the specs placed in a zone.

func (s *NetSpec) refs() []*Ref    { return nil }
func (s *NetSpec) clone() *NetSpec { c := *s; return &c }
func (s *NetSpec) normalize()      {}

func (s *SubnetSpec) refs() []*Ref          { return []*Ref{&s.Net} }
func (s *SubnetSpec) clone() *SubnetSpec    { c := *s; return &c }
func (s *SubnetSpec) normalize()            {}
func (s *SubnetSpec) zoneFields() []*string { return []*string{&s.Zone} }

func (s *InternetGatewaySpec) refs() []*Ref                { return []*Ref{&s.Net} }
func (s *InternetGatewaySpec) clone() *InternetGatewaySpec { c := *s; return &c }
func (s *InternetGatewaySpec) normalize()                  {}

func (s *PublicIPSpec) refs() []*Ref         { return nil }
func (s *PublicIPSpec) clone() *PublicIPSpec { c := *s; return &c }
func (s *PublicIPSpec) normalize()           {}
func (s *PublicIPSpec) zoneFields() []*string {
	return optionalZone(&s.Zone)
}

func (s *NATGatewaySpec) refs() []*Ref {
	return []*Ref{&s.Subnet, &s.PublicIP, &s.InternetGateway, &s.PublicRoute}
}
func (s *NATGatewaySpec) clone() *NATGatewaySpec { c := *s; return &c }
func (s *NATGatewaySpec) normalize()             {}
func (s *NATGatewaySpec) zoneFields() []*string {
	return optionalZone(&s.Zone)
}

// optionalZone returns z when a zone is set: an empty zone is left to the
// cloud and never mapped.
func optionalZone(z *string) []*string {
	if *z == "" {
		return nil
	}
	return []*string{z}
}

func (s *VPNGatewaySpec) refs() []*Ref                     { return []*Ref{&s.Net} }
func (s *VPNGatewaySpec) clone() *VPNGatewaySpec           { c := *s; return &c }
func (s *VPNGatewaySpec) normalize()                       {}
func (s *CustomerGatewaySpec) refs() []*Ref                { return nil }
func (s *CustomerGatewaySpec) clone() *CustomerGatewaySpec { c := *s; return &c }
func (s *CustomerGatewaySpec) normalize()                  {}

func (s *NetPeeringSpec) refs() []*Ref           { return []*Ref{&s.Net} }
func (s *NetPeeringSpec) clone() *NetPeeringSpec { c := *s; return &c }
func (s *NetPeeringSpec) normalize()             {}

func (s *VPNConnectionSpec) refs() []*Ref { return []*Ref{&s.VPNGateway, &s.CustomerGateway} }

func (s *VPNConnectionSpec) clone() *VPNConnectionSpec {
	c := *s
	c.StaticRoutes = slices.Clone(s.StaticRoutes)
	return &c
}

// normalize sorts the static routes, without duplicates.
func (s *VPNConnectionSpec) normalize() {
	slices.SortFunc(s.StaticRoutes, func(a, b netip.Prefix) int {
		return cmp.Or(a.Addr().Compare(b.Addr()), cmp.Compare(a.Bits(), b.Bits()))
	})
	s.StaticRoutes = slices.Compact(s.StaticRoutes)
}

func (s *VPNApplianceSpec) refs() []*Ref {
	return []*Ref{&s.Subnet, &s.SecurityGroup, &s.PublicIP}
}
func (s *VPNApplianceSpec) clone() *VPNApplianceSpec { c := *s; return &c }
func (s *VPNApplianceSpec) normalize()               {}
func (s *VPNApplianceSpec) zoneFields() []*string    { return []*string{&s.Zone} }

func (s *RouteTableSpec) refs() []*Ref {
	out := []*Ref{&s.Net, &s.Subnet}
	for i := range s.Routes {
		out = append(out, &s.Routes[i].Target)
	}
	return out
}

func (s *RouteTableSpec) clone() *RouteTableSpec {
	c := *s
	c.Routes = slices.Clone(s.Routes)
	return &c
}

func (s *RouteTableSpec) normalize() { slices.SortFunc(s.Routes, CompareRoutes) }

func (s *SecurityGroupSpec) refs() []*Ref              { return []*Ref{&s.Net} }
func (s *SecurityGroupSpec) clone() *SecurityGroupSpec { c := *s; return &c }
func (s *SecurityGroupSpec) normalize()                {}

func (s *SecurityGroupRulesSpec) refs() []*Ref {
	out := []*Ref{&s.Group}
	for _, rs := range [][]RuleSpec{s.Inbound, s.Outbound} {
		for i := range rs {
			out = append(out, &rs[i].Group)
		}
	}
	return out
}

func (s *SecurityGroupRulesSpec) clone() *SecurityGroupRulesSpec {
	c := *s
	c.Inbound = slices.Clone(s.Inbound)
	c.Outbound = slices.Clone(s.Outbound)
	return &c
}

func (s *SecurityGroupRulesSpec) normalize() {
	s.Inbound = canonicalRules(s.Inbound)
	s.Outbound = canonicalRules(s.Outbound)
}

// canonicalRules puts rules in canonical form, sorted by key, without
// duplicates.
func canonicalRules(rs []RuleSpec) []RuleSpec {
	for i := range rs {
		rs[i] = rs[i].Canonical()
	}
	slices.SortFunc(rs, CompareRules)
	return slices.Compact(rs)
}

func (s *NetworkACLSpec) refs() []*Ref { return append([]*Ref{&s.Net}, refsOf(s.Subnets)...) }

func (s *NetworkACLSpec) clone() *NetworkACLSpec {
	c := *s
	c.Subnets = slices.Clone(s.Subnets)
	c.Inbound = slices.Clone(s.Inbound)
	c.Outbound = slices.Clone(s.Outbound)
	return &c
}

func (s *NetworkACLSpec) normalize() {
	slices.Sort(s.Subnets)
	slices.SortFunc(s.Inbound, CompareEntries)
	slices.SortFunc(s.Outbound, CompareEntries)
}

func (s *LoadBalancerSpec) refs() []*Ref {
	return append(refsOf(s.Subnets), refsOf(s.SecurityGroups)...)
}

func (s *LoadBalancerSpec) clone() *LoadBalancerSpec {
	c := *s
	c.Subnets = slices.Clone(s.Subnets)
	c.SecurityGroups = slices.Clone(s.SecurityGroups)
	c.Listeners = slices.Clone(s.Listeners)
	return &c
}

// normalize also writes the defaults out as their zero values and clears
// what the listeners make meaningless: the TLS policy without an HTTPS or
// TLS listener, PlainHTTP without an HTTPS listener, the invalid headers
// of a network load balancer, so that a cloud's read back compares equal.
func (s *LoadBalancerSpec) normalize() {
	slices.Sort(s.Subnets)
	slices.Sort(s.SecurityGroups)
	slices.SortFunc(s.Listeners, CompareListeners)
	if s.TLSPolicy == DefaultTLSPolicy || !s.HasListener("HTTPS", "TLS") {
		s.TLSPolicy = ""
	}
	if !s.HasListener("HTTPS") {
		s.PlainHTTP = false
	}
	if s.Type == LBNetwork {
		s.KeepInvalidHeaders = false
	}
}

// HasListener reports whether s has a listener of one of protocols
// ("HTTPS", "TLS").
func (s *LoadBalancerSpec) HasListener(protocols ...string) bool {
	if s == nil {
		return false
	}
	return slices.ContainsFunc(s.Listeners, func(l ListenerSpec) bool { return slices.Contains(protocols, l.Protocol) })
}

// Redirects reports whether the HTTP listeners of s answer with a
// redirect to HTTPS instead of forwarding: s has an HTTPS listener and
// PlainHTTP is false.
func (s *LoadBalancerSpec) Redirects() bool {
	return s != nil && !s.PlainHTTP && s.HasListener("HTTPS")
}

// HTTPSPort returns the port of the first HTTPS listener, or 0.
func (s *LoadBalancerSpec) HTTPSPort() uint16 {
	if s == nil {
		return 0
	}
	for _, l := range s.Listeners {
		if l.Protocol == "HTTPS" {
			return l.Port
		}
	}
	return 0
}

func (s *ClusterSpec) refs() []*Ref {
	out := slices.Concat(refsOf(s.Subnets), refsOf(s.SecurityGroups), refsOf(s.LoadBalancers), []*Ref{&s.InstanceRole})
	if s.KeyPair != "" {
		out = append(out, &s.KeyPair)
	}
	if s.PublicIP != "" {
		out = append(out, &s.PublicIP)
	}
	if s.ImageCopy != "" {
		out = append(out, &s.ImageCopy)
	}
	return out
}

// ImageID returns the image the nodes start from: the copy ImageCopy
// names when set (once resolved, its provider id), Image otherwise.
func (s *ClusterSpec) ImageID() string {
	if s == nil {
		return ""
	}
	if s.ImageCopy != "" {
		return string(s.ImageCopy)
	}
	return s.Image
}

func (s *ClusterSpec) clone() *ClusterSpec {
	c := *s
	c.Subnets = slices.Clone(s.Subnets)
	c.SecurityGroups = slices.Clone(s.SecurityGroups)
	c.LoadBalancers = slices.Clone(s.LoadBalancers)
	if s.Scaling != nil {
		sc := *s.Scaling
		c.Scaling = &sc
	}
	return &c
}

func (s *ClusterSpec) stateful() bool { return !s.Stateless }

// normalize also writes the default hop limit out as 0 and drops the key
// of unencrypted volumes, so that a cloud's read back compares equal.
func (s *ClusterSpec) normalize() {
	slices.Sort(s.Subnets)
	slices.Sort(s.SecurityGroups)
	slices.Sort(s.LoadBalancers)
	if s.MetadataHopLimit == DefaultMetadataHopLimit {
		s.MetadataHopLimit = 0
	}
	if s.UnencryptedVolumes {
		s.VolumeKMSKey = ""
	}
	// The nodes start from the copy: that is the image a cloud reads back.
	s.Image, s.ImageCopy = s.ImageID(), ""
}

func (s *DatabaseSpec) refs() []*Ref {
	out := append(refsOf(s.Subnets), refsOf(s.SecurityGroups)...)
	if s.Fallback != nil {
		out = append(out, s.Fallback.refs()...)
	}
	return out
}

func (s *DatabaseSpec) clone() *DatabaseSpec {
	c := *s
	c.Subnets = slices.Clone(s.Subnets)
	c.SecurityGroups = slices.Clone(s.SecurityGroups)
	if s.Fallback != nil {
		c.Fallback = s.Fallback.clone()
	}
	if s.ReplicaOf != nil {
		src := *s.ReplicaOf
		c.ReplicaOf = &src
	}
	return &c
}

func (s *DatabaseSpec) normalize() {
	slices.Sort(s.Subnets)
	slices.Sort(s.SecurityGroups)
	if s.Fallback != nil {
		s.Fallback.normalize()
	}
}

func (s *DatabaseReplicaSpec) refs() []*Ref {
	return append([]*Ref{&s.Source}, refsOf(s.SecurityGroups)...)
}

func (s *DatabaseReplicaSpec) clone() *DatabaseReplicaSpec {
	c := *s
	c.SecurityGroups = slices.Clone(s.SecurityGroups)
	return &c
}

func (s *DatabaseReplicaSpec) normalize() { slices.Sort(s.SecurityGroups) }

func (s *FlowLogSpec) refs() []*Ref        { return []*Ref{&s.Net} }
func (s *FlowLogSpec) clone() *FlowLogSpec { c := *s; return &c }

// normalize writes the defaults out as their zero values, and clears
// what the destination makes meaningless.
func (s *FlowLogSpec) normalize() {
	if s.Destination == FlowLogsToCloudWatch {
		s.Destination = ""
	}
	if s.TrafficType == "ALL" {
		s.TrafficType = ""
	}
	if s.RetentionDays == DefaultFlowLogRetentionDays {
		s.RetentionDays = 0
	}
	if s.Destination == FlowLogsToS3 {
		s.LogGroup, s.Role, s.RetentionDays = "", "", 0
	} else {
		s.Bucket = ""
	}
}

func (s *InstanceRoleSpec) refs() []*Ref {
	out := make([]*Ref, 0, 2*len(s.Statements))
	for i := range s.Statements {
		out = append(out, &s.Statements[i].Secret, &s.Statements[i].BrokerSecret)
	}
	return out
}

func (s *InstanceRoleSpec) clone() *InstanceRoleSpec {
	c := *s
	c.Statements = make([]PolicyStatement, len(s.Statements))
	for i, st := range s.Statements {
		c.Statements[i] = PolicyStatement{Sid: st.Sid, Actions: slices.Clone(st.Actions), Resources: slices.Clone(st.Resources), Secret: st.Secret,
			BrokerSecret: st.BrokerSecret}
	}
	if s.Statements == nil {
		c.Statements = nil
	}
	return &c
}

// normalize sorts the statements by Sid and their actions and resources.
func (s *InstanceRoleSpec) normalize() {
	for i := range s.Statements {
		slices.Sort(s.Statements[i].Actions)
		slices.Sort(s.Statements[i].Resources)
	}
	slices.SortFunc(s.Statements, func(a, b PolicyStatement) int { return strings.Compare(a.Sid, b.Sid) })
}

// refsOf returns pointers to the elements of rs.
func refsOf(rs []Ref) []*Ref {
	out := make([]*Ref, len(rs))
	for i := range rs {
		out[i] = &rs[i]
	}
	return out
}

// CompareRoutes orders routes by destination (address, then length), then
// target kind and target; it fits slices.SortFunc.
func CompareRoutes(a, b RouteSpec) int {
	return cmp.Or(a.Destination.Addr().Compare(b.Destination.Addr()), cmp.Compare(a.Destination.Bits(), b.Destination.Bits()),
		cmp.Compare(a.TargetKind, b.TargetKind), strings.Compare(string(a.Target), string(b.Target)))
}

// CompareEntries orders network ACL entries by number.
func CompareEntries(a, b ACLEntrySpec) int { return cmp.Compare(a.Number, b.Number) }

// CompareListeners orders listeners by port, then protocol.
func CompareListeners(a, b ListenerSpec) int {
	return cmp.Or(cmp.Compare(a.Port, b.Port), strings.Compare(a.Protocol, b.Protocol))
}
