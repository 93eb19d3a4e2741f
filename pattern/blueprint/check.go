package blueprint

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/tier"
)

// ErrInvalid is matched with errors.Is by every problem [Resource.Check]
// reports: a value the clouds refuse.
var ErrInvalid = errors.New("blueprint: value the clouds refuse")

// MaxDescription is the longest security group name, group description
// and rule description AWS and OUTSCALE take, in characters.
const MaxDescription = 255

// descriptionChars are the characters AWS takes in a security group's
// name and description and in a rule's description, besides ASCII
// letters, digits and spaces: "a-z, A-Z, 0-9, spaces, and
// ._-:/()#,@[]+=&;{}!$*" (EC2 API reference, CreateSecurityGroup
// GroupName and GroupDescription, IpRange Description). OUTSCALE's
// CreateSecurityGroup takes the same set (its description also accents).
const descriptionChars = "._-:/()#,@[]+=&;{}!$*"

// CheckDescription reports why AWS would refuse s as a security group
// name or description or a rule description: longer than 255 characters,
// or a character outside letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*.
// An empty s is not checked here: a group needs a name and a
// description, a rule does not.
func CheckDescription(s string) error {
	if n := len([]rune(s)); n > MaxDescription {
		return fmt.Errorf("%d characters, more than %d", n, MaxDescription)
	}
	for _, r := range s {
		if !descriptionRune(r) {
			return fmt.Errorf("character %q not allowed: use letters, digits, spaces and %s", r, descriptionChars)
		}
	}
	return nil
}

func descriptionRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || strings.ContainsRune(descriptionChars, r)
}

// Description returns s in a form [CheckDescription] accepts: "->"
// becomes "to", every other character AWS refuses becomes a space, runs
// of spaces are one, and the result is cut to 255 characters. Build
// passes derived descriptions ("app -> db tcp/5432") through it:
// Description("app -> db tcp/5432") is "app to db tcp/5432".
func Description(s string) string {
	s = strings.ReplaceAll(s, "->", "to")
	b := []rune(s)
	for i, r := range b {
		if !descriptionRune(r) {
			b[i] = ' '
		}
	}
	out := strings.Join(strings.Fields(string(b)), " ")
	if r := []rune(out); len(r) > MaxDescription {
		out = strings.TrimSpace(string(r[:MaxDescription]))
	}
	return out
}

// CheckLBName reports why AWS or OUTSCALE would refuse name as a load
// balancer (or AWS target group) name: 1 to 32 letters, digits and
// hyphens, not starting or ending with a hyphen (ELBv2 and OUTSCALE
// CreateLoadBalancer).
func CheckLBName(name string) error {
	if name == "" || len(name) > 32 {
		return errors.New("give 1 to 32 characters")
	}
	if strings.HasPrefix(name, "-") || strings.HasSuffix(name, "-") {
		return errors.New("starts or ends with a hyphen")
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("%q is not allowed; use letters, digits and hyphens", c)
		}
	}
	return nil
}

// problems collects the problems of one resource.
type problems []error

func (ps *problems) add(field, input, problem, fix string) {
	*ps = append(*ps, &netplan.FieldError{Package: "blueprint", Field: field, Input: input, Problem: problem, Fix: fix, Err: ErrInvalid})
}

// need reports an empty reference or required value.
func (ps *problems) need(field, value, what string) {
	if value == "" {
		ps.add(field, `""`, "empty", "give "+what)
	}
}

// Check reports every value of r that the clouds archkit drives refuse
// whatever the driver and whatever else the Blueprint holds: names and
// descriptions (lengths, characters, reserved words), CIDR blocks with
// host bits, ports, protocols, entry numbers, duplicates within the
// resource, health check and scaling ranges, the RDS rules of a
// database. Each problem is a [*netplan.FieldError] that names the spec
// field, matches [ErrInvalid] and says the fix:
//
//	blueprint: security_group.name: "sg-web": starts with sg-, which the clouds reserve for ids; rename it
//
// What depends on the driver (prefix bounds, quotas, zones) or on other
// resources (references, overlaps, unique names) is the engine's
// preflight's (package provider). A resource without the spec of its
// kind is left to [Blueprint.Validate].
func (r *Resource) Check() error {
	if r == nil {
		return errors.New("blueprint: nil resource")
	}
	var ps problems
	switch r.Kind {
	case KindNet:
		if r.Net != nil {
			ps.prefix("net.cidr", r.Net.CIDR)
		}
	case KindSubnet:
		if s := r.Subnet; s != nil {
			ps.need("subnet.net", string(s.Net), "the net id")
			ps.prefix("subnet.cidr", s.CIDR)
			ps.need("subnet.zone", s.Zone, "the zone")
		}
	case KindInternetGateway:
		if s := r.InternetGateway; s != nil {
			ps.need("internet_gateway.net", string(s.Net), "the net id")
		}
	case KindNATGateway:
		if s := r.NATGateway; s != nil {
			ps.need("nat_gateway.subnet", string(s.Subnet), "the subnet id")
			ps.need("nat_gateway.public_ip", string(s.PublicIP), "the public IP id")
		}
	case KindVPNGateway:
		if s := r.VPNGateway; s != nil {
			ps.need("vpn_gateway.net", string(s.Net), "the net id")
		}
	case KindCustomerGateway:
		ps.customerGateway(r.CustomerGateway)
	case KindVPNConnection:
		ps.vpnConnection(r.VPNConnection)
	case KindVPNAppliance:
		ps.vpnAppliance(r.VPNAppliance)
	case KindNetPeering:
		ps.netPeering(r.NetPeering)
	case KindRouteTable:
		ps.routeTable(r.RouteTable)
	case KindSecurityGroup:
		ps.securityGroup(r.SecurityGroup)
	case KindSecurityGroupRules:
		ps.ruleSet(r.SecurityGroupRules)
	case KindNetworkACL:
		ps.networkACL(r.NetworkACL)
	case KindFlowLog:
		ps.flowLog(r.FlowLog)
	case KindNetEndpoint:
		ps.netEndpoint(r.NetEndpoint)
	case KindInstanceRole:
		ps.instanceRole(r.InstanceRole)
	case KindLoadBalancer:
		ps.loadBalancer(r.LoadBalancer)
	case KindKeyPair:
		ps.keyPair(r.KeyPair)
	case KindImageCopy:
		ps.imageCopy(r.ImageCopy)
	case KindBackupVault:
		ps.backupVault(r.BackupVault)
	case KindBackupPlan:
		ps.backupPlan(r.BackupPlan)
	case KindCluster:
		ps.cluster("cluster", r.Cluster)
	case KindDatabase:
		ps.database(r.Database)
	case KindDatabaseReplica:
		ps.replica(r.DatabaseReplica)
	case KindCache:
		ps.cache(r.Cache)
	case KindBroker:
		ps.broker(r.Broker)
	}
	return errors.Join(ps...)
}

// prefix refuses an invalid CIDR block or one with host bits set.
func (ps *problems) prefix(field string, p netip.Prefix) {
	switch {
	case !p.IsValid():
		ps.add(field, strconv.Quote(p.String()), "not a CIDR block", "write it like 10.0.0.0/16")
	case p.Masked() != p:
		ps.add(field, p.String(), "host bits set", "did you mean "+p.Masked().String()+"?")
	}
}

func (ps *problems) routeTable(s *RouteTableSpec) {
	if s == nil {
		return
	}
	ps.need("route_table.net", string(s.Net), "the net id")
	ps.need("route_table.subnet", string(s.Subnet), "the subnet id")
	seen := map[netip.Prefix]int{}
	for i, rt := range s.Routes {
		f := fmt.Sprintf("route_table.routes[%d]", i)
		ps.prefix(f+".destination", rt.Destination)
		if j, dup := seen[rt.Destination]; dup && rt.Destination.IsValid() {
			ps.add(f+".destination", rt.Destination.String(), fmt.Sprintf("same destination as routes[%d] (RouteAlreadyExists)", j), "keep one route per destination")
		}
		seen[rt.Destination] = i
		if _, ok := RouteTargetKind(rt.TargetKind); !ok {
			ps.add(f+".target_kind", rt.TargetKind.String(), "not a gateway",
				fmt.Sprintf("use %q, %q or %q", netplan.TargetInternetGateway, netplan.TargetNATGateway, netplan.TargetVPNGateway))
		}
		ps.need(f+".target", string(rt.Target), "the gateway id")
	}
}

func (ps *problems) securityGroup(s *SecurityGroupSpec) {
	if s == nil {
		return
	}
	ps.need("security_group.net", string(s.Net), "the net id")
	lower := strings.ToLower(s.Name)
	switch {
	case s.Name == "":
		ps.add("security_group.name", `""`, "empty", "name the group")
	case strings.HasPrefix(lower, "sg-"):
		ps.add("security_group.name", strconv.Quote(s.Name), "starts with sg-, which the clouds reserve for ids", "rename it")
	case lower == "default":
		ps.add("security_group.name", strconv.Quote(s.Name), "reserved: every Net has a default group", "rename it")
	}
	if err := CheckDescription(s.Name); err != nil {
		ps.add("security_group.name", strconv.Quote(s.Name), err.Error(), "rename it")
	}
	if s.Description == "" {
		ps.add("security_group.description", `""`, "empty (MissingParameter)", "describe the group")
	} else if err := CheckDescription(s.Description); err != nil {
		ps.add("security_group.description", strconv.Quote(s.Description), err.Error(), "rewrite it")
	}
}

func (ps *problems) ruleSet(s *SecurityGroupRulesSpec) {
	if s == nil {
		return
	}
	ps.need("security_group_rules.group", string(s.Group), "the group id")
	for _, dir := range []struct {
		name  string
		rules []RuleSpec
	}{{"inbound", s.Inbound}, {"outbound", s.Outbound}} {
		seen := map[RuleKey]int{}
		for i, r := range dir.rules {
			f := fmt.Sprintf("security_group_rules.%s[%d]", dir.name, i)
			ps.rule(f, r)
			k := r.Key()
			if j, dup := seen[k]; dup {
				ps.add(f, r.Text(dir.name == "inbound"), fmt.Sprintf("same rule as %s[%d] (InvalidPermission.Duplicate)", dir.name, j), "keep one")
			}
			seen[k] = i
		}
	}
}

func (ps *problems) rule(f string, r RuleSpec) {
	if !r.Protocol.IsValid() {
		ps.add(f+".protocol", strconv.Quote(string(r.Protocol)), "unknown protocol", "use tcp, udp, icmp or all")
	}
	if r.Protocol.HasPorts() && (r.ToPort == 0 || r.FromPort > r.ToPort) {
		ps.add(f, fmt.Sprintf("ports %d-%d", r.FromPort, r.ToPort), "not a port range", "give from_port <= to_port, to_port at least 1")
	}
	switch peers := btoi(r.CIDR.IsValid()) + btoi(r.Group != "") + btoi(r.PrefixList != ""); {
	case peers != 1:
		ps.add(f, r.Text(true), "give exactly one of cidr, group and prefix_list", "split the rule or set one")
	case r.CIDR.IsValid():
		ps.prefix(f+".cidr", r.CIDR)
	case r.PrefixList != "" && !tier.Service(r.PrefixList).Gateway():
		ps.add(f+".prefix_list", strconv.Quote(r.PrefixList), "no AWS-managed prefix list of a service archkit knows", "use s3 or dynamodb")
	}
	if err := CheckDescription(r.Description); err != nil {
		ps.add(f+".description", strconv.Quote(r.Description), err.Error(), "rewrite it (blueprint.Description does)")
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (ps *problems) networkACL(s *NetworkACLSpec) {
	if s == nil {
		return
	}
	ps.need("network_acl.net", string(s.Net), "the net id")
	for _, dir := range []struct {
		name    string
		entries []ACLEntrySpec
	}{{"inbound", s.Inbound}, {"outbound", s.Outbound}} {
		numbers := map[int]bool{}
		for i, a := range dir.entries {
			f := fmt.Sprintf("network_acl.%s[%d]", dir.name, i)
			switch {
			case a.Number < 1 || a.Number > 32766:
				ps.add(f+".number", strconv.Itoa(a.Number), "out of range", "use 1 to 32766")
			case numbers[a.Number]:
				ps.add(f+".number", strconv.Itoa(a.Number), "used twice (NetworkAclEntryAlreadyExists)", "renumber")
			}
			numbers[a.Number] = true
			if !a.Protocol.IsValid() {
				ps.add(f+".protocol", strconv.Quote(string(a.Protocol)), "unknown protocol", "use tcp, udp, icmp or all")
			}
			if a.Protocol.HasPorts() && (a.ToPort == 0 || a.FromPort > a.ToPort) {
				ps.add(f, fmt.Sprintf("ports %d-%d", a.FromPort, a.ToPort), "not a port range", "give from_port <= to_port, to_port at least 1")
			}
			ps.prefix(f+".cidr", a.CIDR)
		}
	}
}
