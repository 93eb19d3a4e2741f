package tier

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
)

// ErrInvalid is matched with errors.Is by every validation error of the
// package.
var ErrInvalid = errors.New("tier: invalid")

// fieldError reports one validation problem as a [netplan.FieldError]
// that prints "tier: <field>: <input>: <problem>; <fix>" and matches
// [ErrInvalid].
func fieldError(field, input, problem, fix string) error {
	return &netplan.FieldError{Package: "tier", Field: field, Input: input, Problem: problem, Fix: fix, Err: ErrInvalid}
}

// Role says what a tier does. It drives defaults and lint checks (a
// database must never be public), never the rules: those come from flows.
type Role string

// The roles of the standard tiers.
const (
	RoleWeb          Role = "web"           // HTTP fronts (nginx)
	RoleApp          Role = "app"           // application servers
	RoleDatabase     Role = "database"      // MySQL, PostgreSQL
	RoleCache        Role = "cache"         // Redis, Memcached
	RoleQueue        Role = "queue"         // RabbitMQ, Kafka
	RoleBastion      Role = "bastion"       // SSH jump host
	RoleLoadBalancer Role = "load_balancer" // subnets that hold load balancers (and NATs)
	RoleGeneric      Role = "generic"       // anything else
)

// IsStateful reports whether nodes of the role keep data (databases,
// queues), so that they cannot be thrown away and scaled like web servers.
func (r Role) IsStateful() bool { return r == RoleDatabase || r == RoleQueue }

// Port is a port a tier listens on: a protocol and a range.
type Port struct {
	Protocol netplan.Protocol  `json:"protocol"`
	Range    netplan.PortRange `json:"range"`
	// Name is informative: "http", "mysql".
	Name string `json:"name,omitempty"`
}

// TCP returns the TCP port p.
func TCP(p uint16) Port { return Port{Protocol: netplan.ProtocolTCP, Range: netplan.Port(p)} }

// UDP returns the UDP port p.
func UDP(p uint16) Port { return Port{Protocol: netplan.ProtocolUDP, Range: netplan.Port(p)} }

// Named returns p with Name set.
func (p Port) Named(name string) Port { p.Name = name; return p }

// String returns "tcp/443".
func (p Port) String() string {
	if p.Range.IsZero() {
		return string(p.Protocol)
	}
	return string(p.Protocol) + "/" + p.Range.String()
}

// Tier is one layer of an architecture: its own subnet in each zone, its
// own security group, network ACL and route tables.
//
// The zero value is not usable: Name is required. Subnet size is
// SubnetBits when set, else derived from Hosts (plus Headroom percent and
// the cloud's reserved addresses); when both are zero the pattern package
// uses its default (a /24).
type Tier struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Ports are what the tier listens on; a flow to the tier without
	// explicit ports uses them.
	Ports []Port `json:"ports,omitempty"`
	// PeerPorts are the ports the tier's nodes open to each other to form
	// a cluster: replication, group communication, gossip, a cluster bus.
	// [Tier.PeerFlows] turns them into flows from the tier to itself,
	// derived like any flow (security groups referencing themselves,
	// network ACL entries between the tier's subnets). The standard tiers
	// list their engine's documented ports; empty means the nodes need
	// none (web and application servers, Memcached).
	PeerPorts []Port `json:"peer_ports,omitempty"`
	// Exposure: Public (route to the internet gateway), Private (route
	// to a NAT) or Isolated (the zero value: no route out of the Net).
	Exposure netplan.Exposure `json:"exposure"`
	// Hosts is the number of usable addresses each subnet needs.
	Hosts int `json:"hosts,omitempty"`
	// Headroom is a growth percentage added to Hosts (0-1000).
	Headroom int `json:"headroom,omitempty"`
	// SubnetBits is the prefix length of each subnet (24 for a /24).
	SubnetBits int `json:"subnet_bits,omitempty"`
	// Zones restricts the tier to some zones of the Net (the DMZ document's Dev
	// DMZ lives in one data centre only). Empty means every zone.
	Zones []string `json:"zones,omitempty"`
	// Description is informative; it ends up on the security group.
	Description string `json:"description,omitempty"`
}

// Validate checks t and reports every problem at once.
func (t Tier) Validate() error {
	var errs []error
	f := "tier[" + t.Name + "]"
	if err := CheckName(t.Name); err != nil {
		errs = append(errs, fieldError("tier.name", fmt.Sprintf("%q", t.Name), err.Error(), "use letters, digits and '-', starting with a letter, at most 40 characters"))
	}
	if t.Exposure > netplan.Public {
		errs = append(errs, fieldError(f+".exposure", fmt.Sprint(uint8(t.Exposure)), "unknown exposure", "use netplan.Public, netplan.Private or netplan.Isolated"))
	}
	for i, p := range t.Ports {
		if err := p.check(fmt.Sprintf("%s.ports[%d]", f, i)); err != nil {
			errs = append(errs, err)
		}
	}
	for i, p := range t.PeerPorts {
		if err := p.check(fmt.Sprintf("%s.peer_ports[%d]", f, i)); err != nil {
			errs = append(errs, err)
		}
	}
	if t.Hosts < 0 {
		errs = append(errs, fieldError(f+".hosts", fmt.Sprint(t.Hosts), "negative host count", "use 0 for the default size or a positive count"))
	}
	if t.Headroom < 0 || t.Headroom > 1000 {
		errs = append(errs, fieldError(f+".headroom", fmt.Sprint(t.Headroom), "headroom outside 0-1000 percent", "use a percentage between 0 and 1000"))
	}
	if t.SubnetBits != 0 && (t.SubnetBits < 1 || t.SubnetBits > 128) {
		errs = append(errs, fieldError(f+".subnet_bits", fmt.Sprint(t.SubnetBits), "not a prefix length", "use a length such as 24, or 0 to size from hosts"))
	}
	seen := map[string]bool{}
	for i, z := range t.Zones {
		if z == "" {
			errs = append(errs, fieldError(fmt.Sprintf("%s.zones[%d]", f, i), `""`, "empty zone", "name a zone of the net, such as \"a\""))
		} else if seen[z] {
			errs = append(errs, fieldError(fmt.Sprintf("%s.zones[%d]", f, i), z, "duplicate zone", "list each zone once"))
		}
		seen[z] = true
	}
	return errors.Join(errs...)
}

// PeerFlows returns the flows that let the nodes of t talk to each other
// on its PeerPorts: one flow from t to itself per port, described
// "<tier> peers: <port name>". For tier.Redis("cache") the first is
// "cache -> cache tcp/16379 # cache peers: cluster-bus".
//
// They are for nodes archkit runs (a [Cluster], or a [Database]'s
// fallback cluster); a managed database replicates on the cloud's own
// network and needs none.
func (t Tier) PeerFlows() []netplan.Flow {
	out := make([]netplan.Flow, 0, len(t.PeerPorts))
	for _, p := range t.PeerPorts {
		desc := t.Name + " peers"
		if p.Name != "" {
			desc += ": " + p.Name
		}
		out = append(out, netplan.Flow{From: netplan.Tier(t.Name), To: netplan.Tier(t.Name), Protocol: p.Protocol, Ports: p.Range, Description: desc})
	}
	return out
}

func (p Port) check(field string) error {
	if !p.Protocol.IsValid() {
		return fieldError(field+".protocol", fmt.Sprintf("%q", p.Protocol), "unknown protocol", "use tcp, udp, icmp or all")
	}
	if p.Protocol.HasPorts() && !p.Range.IsValid() {
		return fieldError(field+".range", fmt.Sprintf("%q", p.Range.String()), "not a port range", "use ports in 1-65535, from <= to")
	}
	if !p.Protocol.HasPorts() && !p.Range.IsZero() {
		return fieldError(field+".range", p.Range.String(), string(p.Protocol)+" has no ports", "leave the range empty")
	}
	return nil
}

// reserved names cannot name a tier or a load balancer: they are flow
// endpoints of their own.
var reserved = []string{"internet"}

// CheckName reports whether name can name a tier, a load balancer or a
// deployment: 1 to 40 characters, a lowercase or uppercase letter first,
// then letters, digits and '-' ("web", "prod-dmz"). It appears in resource
// ids, cloud names and flow text, so nothing else is allowed.
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("empty name")
	case len(name) > 40:
		return errors.New("longer than 40 characters")
	case slices.Contains(reserved, name):
		return errors.New("reserved name")
	case strings.HasPrefix(name, "peer"):
		if name == "peer" || strings.HasPrefix(name, "peer:") {
			return errors.New("reserved name")
		}
	}
	for i, r := range name {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		switch {
		case i == 0 && !letter:
			return errors.New("must start with a letter")
		case !letter && !(r >= '0' && r <= '9') && r != '-':
			return fmt.Errorf("character %q not allowed", r)
		}
	}
	if strings.HasSuffix(name, "-") {
		return errors.New("must not end with '-'")
	}
	return nil
}
