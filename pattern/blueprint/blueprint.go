package blueprint

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/tier"
)

// SchemaV2 is the value of [Blueprint.Schema] for the encoding documented on
// [Blueprint]. A change that breaks readers of the JSON gets a new version.
const SchemaV2 = "archkit.blueprint/v2"

// Ref points from one resource to another. In a [Blueprint] it holds the
// logical id of the target ("subnet/web/a"). In the copy of a resource that
// the engine hands to a driver, every Ref has been replaced by the target's
// provider id ("subnet-0ab12cd3"), and drivers report Refs the same way.
type Ref string

// Blueprint is the provider-neutral desired state of one deployment: every
// resource with a stable logical id and its dependencies. Build makes it
// without I/O; provider.Engine applies it.
//
// # JSON schema (archkit.blueprint/v2)
//
//	{
//	  "schema": "archkit.blueprint/v2",
//	  "deployment": "shop",                 // ownership tag value
//	  "resources": [                        // sorted by id
//	    {"id": "net/main", "kind": "net", "net": {"cidr": "10.0.0.0/16"}},
//	    {"id": "subnet/web/a", "kind": "subnet", "depends_on": ["net/main"],
//	     "subnet": {"net": "net/main", "cidr": "10.0.0.0/24", "zone": "a", "tier": "web", "public": true}},
//	    {"id": "cluster/web", "kind": "cluster", "depends_on": [...],
//	     "cluster": {"tier": "web", ..., "min": 2, "desired": 2, "max": 6, "stateless": true,
//	                 "scaling": {"target_cpu_percent": 60, "warmup_seconds": 300}}},
//	    ...
//	  ],
//	  "findings": [ {"id": "...", "severity": "warning", ...} ],
//	  "acknowledgements": [ {"id": "BP001", "subject": "security_group_rules/bastion", "reason": "..."} ]
//	}
//
// Exactly one spec field, the one named like the kind, is set on each
// resource. Fields are only ever added within a schema version.
type Blueprint struct {
	Schema     string            `json:"schema"`
	Deployment string            `json:"deployment"`
	Resources  []Resource        `json:"resources"`
	Findings   []netplan.Finding `json:"findings,omitempty"`
	// Acknowledgements accept findings as they are, each for one subject
	// with a reason (see [Acknowledgement]); [Blueprint.Lint] and the
	// engine apply them.
	Acknowledgements []Acknowledgement `json:"acknowledgements,omitempty"`
}

// Resource returns the resource with logical id id.
func (bp *Blueprint) Resource(id string) (Resource, bool) {
	if bp == nil {
		return Resource{}, false
	}
	i, ok := slices.BinarySearchFunc(bp.Resources, id, func(r Resource, id string) int { return strings.Compare(r.ID, id) })
	if !ok {
		// Resources are sorted by Build; fall back to a scan for hand-made blueprints.
		for _, r := range bp.Resources {
			if r.ID == id {
				return r, true
			}
		}
		return Resource{}, false
	}
	return bp.Resources[i], true
}

// OfKind returns the resources of kind k, in id order.
func (bp *Blueprint) OfKind(k Kind) []Resource {
	if bp == nil {
		return nil
	}
	var out []Resource
	for _, r := range bp.Resources {
		if r.Kind == k {
			out = append(out, r)
		}
	}
	return out
}

// Validate checks what a driver relies on: a deployment name that
// [CheckDeployment] accepts, unique ids, one spec per resource matching
// its kind, and every Ref naming a resource of the Blueprint. It reports
// every problem at once.
func (bp *Blueprint) Validate() error {
	if bp == nil {
		return errors.New("blueprint: nil Blueprint; build one with pattern.Architecture.Build or decode it from JSON")
	}
	var errs []error
	if err := CheckDeployment(bp.Deployment); err != nil {
		errs = append(errs, fmt.Errorf("blueprint: %w", err))
	}
	ids := make(map[string]Kind, len(bp.Resources))
	for i := range bp.Resources {
		r := &bp.Resources[i] // a pointer: a copy would move to the heap (the registry's function values)
		if r.ID == "" {
			errs = append(errs, fmt.Errorf("blueprint: resources[%d].id: empty; give every resource a logical id", i))
			continue
		}
		if _, dup := ids[r.ID]; dup {
			errs = append(errs, fmt.Errorf("blueprint: resources[%d].id: %q: duplicate id; ids must be unique", i, r.ID))
		}
		ids[r.ID] = r.Kind
		if err := r.checkSpec(); err != nil {
			errs = append(errs, fmt.Errorf("blueprint: resources[%d] (%s): %w", i, r.ID, err))
		}
	}
	for i := range bp.Resources {
		r := &bp.Resources[i]
		for _, ref := range r.Refs() {
			if *ref == "" {
				continue
			}
			if _, ok := ids[string(*ref)]; !ok {
				errs = append(errs, fmt.Errorf("blueprint: %s: reference %q: no such resource; add it or remove the reference", r.ID, *ref))
			}
		}
	}
	return errors.Join(errs...)
}

// Resource is one desired resource. Exactly one of the spec fields is set:
// the one that matches Kind.
type Resource struct {
	// ID is the stable logical id, "<kind>/<name>[/<zone>]", for example
	// "subnet/web/a". It is stored in the ownership tags of the cloud
	// resource, so it must never depend on a position in a list.
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	// DependsOn lists the ids this resource needs before it can be created,
	// sorted. Build derives it from the Refs of the spec, and adds what the
	// clouds need without a reference (an internet-facing load balancer
	// waits for the internet gateway).
	DependsOn []string `json:"depends_on,omitempty"`

	Net                *NetSpec                `json:"net,omitempty"`
	Subnet             *SubnetSpec             `json:"subnet,omitempty"`
	InternetGateway    *InternetGatewaySpec    `json:"internet_gateway,omitempty"`
	PublicIP           *PublicIPSpec           `json:"public_ip,omitempty"`
	NATGateway         *NATGatewaySpec         `json:"nat_gateway,omitempty"`
	VPNGateway         *VPNGatewaySpec         `json:"vpn_gateway,omitempty"`
	CustomerGateway    *CustomerGatewaySpec    `json:"customer_gateway,omitempty"`
	VPNConnection      *VPNConnectionSpec      `json:"vpn_connection,omitempty"`
	VPNAppliance       *VPNApplianceSpec       `json:"vpn_appliance,omitempty"`
	NetPeering         *NetPeeringSpec         `json:"net_peering,omitempty"`
	RouteTable         *RouteTableSpec         `json:"route_table,omitempty"`
	SecurityGroup      *SecurityGroupSpec      `json:"security_group,omitempty"`
	SecurityGroupRules *SecurityGroupRulesSpec `json:"security_group_rules,omitempty"`
	NetworkACL         *NetworkACLSpec         `json:"network_acl,omitempty"`
	FlowLog            *FlowLogSpec            `json:"flow_log,omitempty"`
	NetEndpoint        *NetEndpointSpec        `json:"net_endpoint,omitempty"`
	InstanceRole       *InstanceRoleSpec       `json:"instance_role,omitempty"`
	LoadBalancer       *LoadBalancerSpec       `json:"load_balancer,omitempty"`
	KeyPair            *KeyPairSpec            `json:"key_pair,omitempty"`
	ImageCopy          *ImageCopySpec          `json:"image_copy,omitempty"`
	BackupVault        *BackupVaultSpec        `json:"backup_vault,omitempty"`
	BackupPlan         *BackupPlanSpec         `json:"backup_plan,omitempty"`
	Cluster            *ClusterSpec            `json:"cluster,omitempty"`
	Database           *DatabaseSpec           `json:"database,omitempty"`
	DatabaseReplica    *DatabaseReplicaSpec    `json:"database_replica,omitempty"`
	Cache              *CacheSpec              `json:"cache,omitempty"`
	Broker             *BrokerSpec             `json:"broker,omitempty"`
}

// NetSpec is an isolated network: an AWS VPC or an OUTSCALE Net.
type NetSpec struct {
	CIDR netip.Prefix `json:"cidr"`
	// KeepDefaultSecurityGroupRules leaves the rules of the security group
	// the cloud makes with every Net (its "default" group) as the cloud
	// made them: on AWS, all traffic from the group's own members and all
	// traffic out; on OUTSCALE, traffic between its members. false (the
	// default): the driver removes them, so that a resource placed in the
	// default group by mistake can neither be reached nor reach out (AWS
	// Foundational Security Best Practices, control EC2.2: "VPC default
	// security groups should not allow inbound or outbound traffic").
	// Read back as true when the default group has any rule.
	KeepDefaultSecurityGroupRules bool `json:"keep_default_security_group_rules,omitempty"`
}

// SubnetSpec is one subnet of one tier in one zone.
type SubnetSpec struct {
	Net  Ref          `json:"net"`
	CIDR netip.Prefix `json:"cidr"`
	// Zone is the zone as declared ("a", or a full name like "eu-west-2a");
	// the engine maps it to the provider's zone before a driver sees it.
	Zone string `json:"zone"`
	Tier string `json:"tier"`
	// Public reports whether VMs started in the subnet get a public IP.
	Public bool `json:"public,omitempty"`
}

// InternetGatewaySpec is an internet gateway attached to a Net.
type InternetGatewaySpec struct {
	Net Ref `json:"net"`
}

// PublicIPSpec is a public address, used by a NAT gateway.
type PublicIPSpec struct {
	Zone string `json:"zone,omitempty"`
}

// NATGatewaySpec is a NAT gateway in a public subnet, with its public IP.
type NATGatewaySpec struct {
	Subnet   Ref `json:"subnet"`
	PublicIP Ref `json:"public_ip"`
	// InternetGateway is the gateway the NAT needs before it can work; it
	// orders the creation (OUTSCALE refuses a NAT in a subnet without a
	// route to an internet service).
	InternetGateway Ref `json:"internet_gateway,omitempty"`
	// PublicRoute is the route table that gives the NAT's subnet its route
	// to the internet gateway; it orders the creation the same way.
	PublicRoute Ref    `json:"public_route,omitempty"`
	Zone        string `json:"zone"`
}

// VPNGatewaySpec is the Net's VPN gateway: an AWS virtual private gateway
// attached to the VPC (CreateVpnGateway, AttachVpnGateway), an OUTSCALE
// virtual gateway linked to the Net (CreateVirtualGateway,
// LinkVirtualGateway). A Net holds at most one. Route tables send the
// blocks of the VPN peers to it ([netplan.TargetVPNGateway]).
type VPNGatewaySpec struct {
	Net Ref `json:"net"`
}

// DefaultCustomerGatewayASN is the BGP ASN of a customer gateway that
// routes statically: AWS's default for CreateCustomerGateway's BgpAsn
// (65000, a private ASN), which OUTSCALE's CreateClientGateway requires
// to be given.
const DefaultCustomerGatewayASN = 65000

// CustomerGatewaySpec is the peer's VPN device as the cloud knows it: an
// AWS customer gateway, an OUTSCALE client gateway, of type ipsec.1.
// Its logical id names the peer ("customer_gateway/office").
type CustomerGatewaySpec struct {
	// PublicIP is the device's public IPv4 address, where the tunnels end.
	PublicIP netip.Addr `json:"public_ip"`
	// ASN is the device's BGP autonomous system number (1 to 2147483647,
	// AWS's range); a peer that routes statically has
	// [DefaultCustomerGatewayASN].
	ASN uint32 `json:"asn"`
	// PeerRegion and PeerPublicIP name, instead of PublicIP, a device of
	// the deployment in another region: the public IP (its logical id,
	// "public_ip/vpn-eu-west-2-us-east-2") of the VPN appliance of a link
	// over a VPN ([VPNApplianceSpec]). The driver reads its address in
	// PeerRegion by the deployment's tags at the create, waiting for it
	// (bounded), and reports PublicIP as the zero Addr while the gateway
	// still has the peer's current address. PublicIP is then zero.
	PeerRegion   string `json:"peer_region,omitempty"`
	PeerPublicIP string `json:"peer_public_ip,omitempty"`
}

// NetPeeringSpec is one side of a Net peering connection between two Nets
// of the deployment in two regions (AWS VPC peering, inter-region
// included), or the whole connection between two Nets of one region
// (PeerRegion the Net's own region, requester's side only: it requests
// and accepts the connection; OUTSCALE Net peering, AWS VPC peering in one
// region). Both sides have the same logical id
// ("net_peering/<requester region>-<accepter region>"), one in each
// region's Blueprint: the requester's (Accepter false) requests the
// connection from Net to the Net whose logical id is PeerNet, found in
// PeerRegion by the deployment's tags; the accepter's (Accepter true)
// accepts it in its own region once it is requested. The routes of each
// side's route tables name their own side. PeerCIDR is the other Net's
// range: it must not overlap Net's (the clouds refuse the peering of
// overlapping Nets).
type NetPeeringSpec struct {
	Net        Ref          `json:"net"`
	PeerRegion string       `json:"peer_region"`
	PeerNet    string       `json:"peer_net"`
	PeerCIDR   netip.Prefix `json:"peer_cidr"`
	Accepter   bool         `json:"accepter,omitempty"`
}

// VPNConnectionSpec is a site-to-site IPsec VPN connection (type ipsec.1,
// two tunnels) between the Net's VPN gateway and a customer gateway.
type VPNConnectionSpec struct {
	VPNGateway      Ref `json:"vpn_gateway"`
	CustomerGateway Ref `json:"customer_gateway"`
	// BGP routes dynamically: the gateway learns the peer's blocks from
	// the peer's BGP announcements. false: static routing
	// (StaticRoutesOnly), through StaticRoutes.
	BGP bool `json:"bgp,omitempty"`
	// StaticRoutes are the peer's blocks the gateway sends through the
	// tunnels when BGP is false (AWS CreateVpnConnectionRoute, OUTSCALE
	// CreateVpnConnectionRoute); empty with BGP.
	StaticRoutes []netip.Prefix `json:"static_routes,omitempty"`
	// Link names the link between two Nets of the deployment the
	// connection carries ("eu-west-2-us-east-2"), whose other end is a
	// [VPNApplianceSpec]: the driver gives such a connection a pre-shared
	// key drawn with crypto/rand (OUTSCALE UpdateVpnConnection
	// VpnOptions.Phase2Options.PreSharedKey), which only the cloud and the
	// appliance's user data hold. "" for a connection to a user's device.
	Link string `json:"link,omitempty"`
}

// VPNApplianceSpec is the spoke's end of a link between two Nets of the
// deployment over a VPN (kind vpn_appliance): one VM from Image, of type
// VMType, in Subnet (a public subnet) with SecurityGroup, PublicIP linked
// to it and its source/destination check off, so that it forwards the
// other Net's traffic; its user data configures IPsec (strongSwan) to the
// VPN connection HubConnection (a logical id) in HubRegion, whose outside
// address and pre-shared key the driver reads there at the create
// (waiting for them, bounded). The tunnel's traffic selectors are
// LocalCIDR (this Net) and RemoteCIDR (the hub's Net). The rendered user
// data holds the key: it is never part of the spec.
type VPNApplianceSpec struct {
	Subnet        Ref    `json:"subnet"`
	SecurityGroup Ref    `json:"security_group"`
	PublicIP      Ref    `json:"public_ip"`
	Zone          string `json:"zone"`
	Image         string `json:"image"`
	VMType        string `json:"vm_type"`
	// SourceDestCheck is false in a Blueprint (the appliance forwards
	// packets that are neither from nor to it); a driver reports true
	// when the cloud has the check on, which the update turns off.
	SourceDestCheck bool         `json:"source_dest_check,omitempty"`
	HubRegion       string       `json:"hub_region"`
	HubConnection   string       `json:"hub_connection"`
	LocalCIDR       netip.Prefix `json:"local_cidr"`
	RemoteCIDR      netip.Prefix `json:"remote_cidr"`
}

// RouteSpec is one route of a route table. The local route of the Net is
// implicit and never listed. TargetKind is [netplan.TargetInternetGateway],
// [netplan.TargetNATGateway] or [netplan.TargetVPNGateway] (JSON
// "internet_gateway", "nat_gateway", "vpn_gateway"), and Target the
// gateway of that kind.
type RouteSpec struct {
	Destination netip.Prefix       `json:"destination"`
	TargetKind  netplan.TargetKind `json:"target_kind"`
	Target      Ref                `json:"target"`
}

// RouteTableSpec is a route table with its routes, associated with one
// subnet (the three-tier document: one route table per subnet).
type RouteTableSpec struct {
	Net    Ref         `json:"net"`
	Subnet Ref         `json:"subnet"`
	Routes []RouteSpec `json:"routes,omitempty"`
}

// SecurityGroupSpec is a security group without its rules; the rules are a
// [SecurityGroupRulesSpec] of their own so that groups can name each other.
type SecurityGroupSpec struct {
	Net Ref `json:"net"`
	// Name is the group's name in the cloud, unique in the Net; it never
	// starts with "sg-" (OUTSCALE refuses that).
	Name        string `json:"name"`
	Description string `json:"description"`
}

// RuleSpec is one stateful rule: a protocol and port range from (inbound)
// or to (outbound) either a CIDR or another security group.
type RuleSpec struct {
	Protocol netplan.Protocol `json:"protocol"`
	FromPort uint16           `json:"from_port,omitempty"`
	ToPort   uint16           `json:"to_port,omitempty"`
	CIDR     netip.Prefix     `json:"cidr,omitzero"`
	Group    Ref              `json:"group,omitempty"`
	// PrefixList names the cloud service whose managed prefix list is
	// the rule's peer ("s3": AWS com.amazonaws.<region>.s3), for the
	// users of a gateway endpoint; the driver finds the list's id in its
	// region. CIDR and Group are then empty.
	PrefixList string `json:"prefix_list,omitempty"`
	// Description is informative; clouds do not compare it.
	Description string `json:"description,omitempty"`
}

// SecurityGroupRulesSpec is the complete rule set of a security group. The
// desired state is exactly these rules: a rule the cloud added by itself,
// such as the allow-all egress rule of a new group, is removed unless it is
// listed.
type SecurityGroupRulesSpec struct {
	Group    Ref        `json:"group"`
	Inbound  []RuleSpec `json:"inbound,omitempty"`
	Outbound []RuleSpec `json:"outbound,omitempty"`
}

// ACLEntrySpec is one numbered entry of a network ACL.
type ACLEntrySpec struct {
	Number   int              `json:"number"`
	Allow    bool             `json:"allow"`
	Protocol netplan.Protocol `json:"protocol"`
	FromPort uint16           `json:"from_port,omitempty"`
	ToPort   uint16           `json:"to_port,omitempty"`
	CIDR     netip.Prefix     `json:"cidr"`
}

// NetworkACLSpec is a network ACL (stateless) guarding the
// subnets of one tier.
type NetworkACLSpec struct {
	Net      Ref            `json:"net"`
	Subnets  []Ref          `json:"subnets"`
	Inbound  []ACLEntrySpec `json:"inbound"`
	Outbound []ACLEntrySpec `json:"outbound"`
}

// ListenerSpec is one listener of a load balancer: what it accepts and where
// it forwards it.
type ListenerSpec struct {
	Protocol       string `json:"protocol"` // HTTP, HTTPS, TCP, TLS
	Port           uint16 `json:"port"`
	TargetProtocol string `json:"target_protocol"`
	TargetPort     uint16 `json:"target_port"`
	// Certificate references the TLS certificate (an ACM ARN on AWS, a
	// server certificate ORN on OUTSCALE) for HTTPS and TLS listeners.
	Certificate string `json:"certificate,omitempty"`
}

// HealthCheckSpec is how a load balancer decides a target is healthy.
type HealthCheckSpec struct {
	Protocol           string `json:"protocol"`
	Port               uint16 `json:"port"`
	Path               string `json:"path,omitempty"`
	IntervalSeconds    int    `json:"interval_seconds"`
	TimeoutSeconds     int    `json:"timeout_seconds"`
	HealthyThreshold   int    `json:"healthy_threshold"`
	UnhealthyThreshold int    `json:"unhealthy_threshold"`
}

// Load balancer schemes and types.
const (
	SchemeInternetFacing = "internet-facing"
	SchemeInternal       = "internal"

	LBApplication = "application"
	LBNetwork     = "network"
)

// LoadBalancerSpec is a load balancer over at least two zones.
type LoadBalancerSpec struct {
	// Name is the cloud name, derived from the deployment and the logical
	// id: at most 32 characters of [a-zA-Z0-9-], so it fits AWS's and
	// OUTSCALE's rules and finds the balancer again where tags cannot.
	Name           string          `json:"name"`
	Scheme         string          `json:"scheme"`
	Type           string          `json:"type"`
	Subnets        []Ref           `json:"subnets"`
	SecurityGroups []Ref           `json:"security_groups"`
	Listeners      []ListenerSpec  `json:"listeners"`
	HealthCheck    HealthCheckSpec `json:"health_check"`

	// PlainHTTP lets the HTTP listeners of a load balancer that also has
	// an HTTPS listener forward plain HTTP. false (the default): each of
	// them answers with a permanent redirect (HTTP 301) to the first
	// HTTPS listener's port (AWS Foundational Security Best Practices
	// ELB.1: "Application Load Balancer should be configured to redirect
	// all HTTP requests to HTTPS"). Without an HTTPS listener it changes
	// nothing.
	PlainHTTP bool `json:"plain_http,omitempty"`
	// TLSPolicy is the security policy of the HTTPS and TLS listeners
	// (the protocols and ciphers offered to clients); "":
	// [DefaultTLSPolicy].
	TLSPolicy string `json:"tls_policy,omitempty"`
	// KeepInvalidHeaders lets an application load balancer pass HTTP
	// headers whose names are not valid to its targets. false (the
	// default): it drops them (attribute
	// routing.http.drop_invalid_header_fields.enabled; AWS Foundational
	// Security Best Practices ELB.4), which closes a door to request
	// smuggling. Network load balancers do not look at headers.
	KeepInvalidHeaders bool `json:"keep_invalid_headers,omitempty"`
	// AllowDeletion turns the load balancer's deletion protection off.
	// false (the default): deletion protection is on (attribute
	// deletion_protection.enabled; AWS Foundational Security Best
	// Practices ELB.6), so that nothing deletes it by mistake outside
	// archkit; archkit's own delete (a Destroy, or an apply that removes
	// or replaces the balancer, which the engine plans and the caller
	// runs) lifts the protection first.
	AllowDeletion bool `json:"allow_deletion,omitempty"`
}

// DefaultTLSPolicy is a load balancer's TLSPolicy when it is "": the
// policy AWS recommends and the console's default, TLS 1.3 and 1.2 with
// hybrid post-quantum key exchange for clients that offer it
// ("Security policies for your Application Load Balancer", Elastic Load
// Balancing User Guide). The API's own default, when a listener names no
// policy, is ELBSecurityPolicy-2016-08, which still accepts TLS 1.0.
const DefaultTLSPolicy = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"

// ClusterSpec is a set of identical nodes from one image, spread evenly
// over the zones of its subnets: an AWS launch template and autoscaling
// group, or OUTSCALE VMs kept at the desired count by the engine.
type ClusterSpec struct {
	Tier           string `json:"tier"`
	Subnets        []Ref  `json:"subnets"`
	SecurityGroups []Ref  `json:"security_groups"`
	// Image is the image the nodes start from, an id of the cluster's
	// region, unless ImageCopy is set: then it is the source's image, and
	// the nodes start from the copy ([ClusterSpec.ImageID]).
	Image string `json:"image"`
	// ImageCopy is the copy of Image made in the cluster's region (an
	// [ImageCopySpec]); "": Image is used as is. A driver is handed the
	// copy's provider id here (the engine resolves it) and starts the
	// nodes from [ClusterSpec.ImageID]; it reads back, in Image, the image
	// its nodes start from, which the engine maps back to the copy.
	ImageCopy    Ref    `json:"image_copy,omitempty"`
	InstanceType string `json:"instance_type"`
	// UserData is the bootstrap script (cloud-init), in clear; drivers
	// encode it as their API needs (Base64).
	UserData tier.Secret `json:"user_data,omitempty"`
	Min      int         `json:"min"`
	Desired  int         `json:"desired"`
	Max      int         `json:"max"`
	// Stateless reports whether a node can be replaced without losing data.
	Stateless bool `json:"stateless"`
	// LoadBalancers register the nodes as targets on TargetPort.
	LoadBalancers []Ref  `json:"load_balancers,omitempty"`
	TargetPort    uint16 `json:"target_port,omitempty"`
	// Scaling is the policy that moves the size between Min and Max with
	// the load; nil keeps the size at Desired. Only stateless clusters
	// with Max > Min have one. A driver without autoscaling lists
	// "scaling" in its Capabilities.UnsupportedFields (package provider/driver).
	Scaling *ScalingSpec `json:"scaling,omitempty"`

	// AllowIMDSv1 lets the nodes read the instance metadata service
	// without a session token (IMDSv1). false (the default): IMDSv2 is
	// required (AWS launch template MetadataOptions.HttpTokens "required"),
	// so that a server-side request forgery in an application, which can
	// make a GET but not the PUT that opens a session, cannot read the
	// node's credentials (AWS Foundational Security Best Practices EC2.8
	// and AutoScaling.3). OUTSCALE's metadata server has no token mode:
	// its driver ignores the field.
	AllowIMDSv1 bool `json:"allow_imdsv1,omitempty"`
	// MetadataHopLimit is how many network hops the metadata service's
	// answers may travel (MetadataOptions.HttpPutResponseHopLimit, 1 to
	// 64). 0: [DefaultMetadataHopLimit], 1.
	MetadataHopLimit int `json:"metadata_hop_limit,omitempty"`
	// UnencryptedVolumes leaves the nodes' root volumes unencrypted.
	// false (the default): the launch template encrypts the root volume
	// with VolumeKMSKey (AWS Foundational Security Best Practices EC2.3:
	// "Attached Amazon EBS volumes should be encrypted at-rest"). OUTSCALE's
	// API has no volume encryption setting: its driver ignores the field.
	UnencryptedVolumes bool `json:"unencrypted_volumes,omitempty"`
	// VolumeKMSKey is the KMS key (id, ARN or alias) that encrypts the
	// root volumes; "": the account's default EBS key (aws/ebs, or the
	// key the account set as its default).
	VolumeKMSKey string `json:"volume_kms_key,omitempty"`
	// Backup is the value of the tag [TagBackup] the launch template puts
	// on the nodes' volumes at creation (TagSpecifications, ResourceType
	// volume), by which a [BackupPlanSpec] of the same Select snapshots
	// them; "": the volumes are in no snapshot schedule. OUTSCALE has no
	// snapshot schedule: its driver refuses the field.
	Backup string `json:"backup,omitempty"`
	// InstanceRole is the role of the nodes (an [InstanceRoleSpec]): on
	// AWS the launch template names its instance profile
	// (IamInstanceProfile), so the nodes get its credentials from the
	// instance metadata service. "": the nodes have no role.
	InstanceRole Ref `json:"instance_role,omitempty"`
	// KeyPair is the key pair the nodes start with (AWS launch template
	// KeyName, OUTSCALE CreateVms KeypairName); "": none.
	KeyPair Ref `json:"key_pair,omitempty"`
	// InstanceProfile is the name of the AWS IAM instance profile the
	// nodes run with (launch template IamInstanceProfile), for Systems
	// Manager Session Manager; "": none. OUTSCALE has none: its driver
	// refuses the field.
	InstanceProfile string `json:"instance_profile,omitempty"`
	// PublicIP is a public_ip the driver keeps on one running node of the
	// cluster, its active node, and moves to another running node (a
	// standby) when the active one stops: the failover the OUTSCALE
	// three-tier document gives tiers that have no load balancer ("use
	// public IPs for fail over to stand-by VMs when auto-scaling and load
	// balancing are not available"). A cluster's read back names it only
	// while it is on a running node, so that a pass of Engine.Reconcile
	// (or any Apply) moves it. OUTSCALE only: an AWS autoscaling group
	// keeps no address on one instance (its driver lists the field in
	// Capabilities.UnsupportedFields).
	PublicIP Ref `json:"public_ip,omitempty"`
}

// DefaultMetadataHopLimit is a cluster's MetadataHopLimit when it is 0:
// one hop, so that the metadata service answers the node itself and
// nothing the node forwards to (AWS Foundational Security Best Practices
// AutoScaling.4: the hop limit "should not be greater than 1"; AWS
// Config's ec2-token-hop-limit-check defaults to 1 too). Containers
// behind a bridge network are one hop further: nodes that run them and
// need the metadata service from a container set MetadataHopLimit to 2,
// the value AWS gives instances of AMIs marked ImdsSupport v2.0.
const DefaultMetadataHopLimit = 1

// ScalingSpec is a target-tracking scaling policy on the average CPU of a
// cluster's nodes, from [tier.Scaling]: with TargetCPUPercent 60 the
// cloud adds nodes while the average is above 60% and removes them while
// it is below. On AWS it is the autoscaling group's TargetTrackingScaling
// policy on ASGAverageCPUUtilization, with EstimatedInstanceWarmup set to
// WarmupSeconds.
type ScalingSpec struct {
	TargetCPUPercent int `json:"target_cpu_percent"`
	// WarmupSeconds is how long a new node runs before its metrics count;
	// 0: the cloud's default.
	WarmupSeconds int `json:"warmup_seconds,omitempty"`
}

// DatabaseSpec is a managed database (AWS RDS): a subnet group over at
// least two zones and an instance, with an optional standby in another zone.
// It is stateful ([Resource.IsStateful]): the engine never deletes or
// replaces it without the caller's opt-in, and the drivers protect it
// (AWS: deletion protection, a final snapshot when it goes).
type DatabaseSpec struct {
	Engine        string `json:"engine"` // mysql, postgres
	EngineVersion string `json:"engine_version,omitempty"`
	InstanceClass string `json:"instance_class"`
	StorageGiB    int    `json:"storage_gib"`
	MultiAZ       bool   `json:"multi_az"`
	// ReadReplicas is the number of read replicas in Blueprints written
	// before replicas became resources of their own. Build leaves it 0
	// and adds one [DatabaseReplicaSpec] resource per replica; the engine
	// turns a Blueprint that still sets it into those resources
	// ("database_replica/<tier>/1" ...) before it plans.
	ReadReplicas        int    `json:"read_replicas,omitempty"`
	BackupRetentionDays int    `json:"backup_retention_days"`
	Encrypted           bool   `json:"encrypted"`
	Port                uint16 `json:"port"`
	Username            string `json:"username"`
	Subnets             []Ref  `json:"subnets"`
	SecurityGroups      []Ref  `json:"security_groups"`
	// Fallback is the database cluster to build instead on a provider
	// without managed databases, when the apply allows fallbacks.
	Fallback *ClusterSpec `json:"fallback,omitempty"`
	// ReplicaOf makes the database a cross-region read replica of a
	// database of the deployment in another region (AWS
	// CreateDBInstanceReadReplica with the source's ARN and SourceRegion,
	// in its own DB subnet group): what a recovery region keeps of the
	// primary's data. nil: a database of its own. Clearing it promotes the
	// replica to a standalone database in place (PromoteReadReplica): the
	// failover's step ([pattern.MultiRegion.Promote]); a database is never
	// turned into a replica in place.
	ReplicaOf *DatabaseSource `json:"replica_of,omitempty"`
}

// DatabaseSource names the source of a cross-region read replica: the
// logical id of a database ("database/db") of the same deployment in
// Region, found there by the deployment's tags.
type DatabaseSource struct {
	Region   string `json:"region"`
	Database string `json:"database"`
}

// DatabaseReplicaSpec is a read replica of a managed database (AWS RDS
// CreateDBInstanceReadReplica): an instance that copies its Source
// asynchronously and serves reads. Adding or removing one never touches
// the source. It is not stateful: its data is a copy of the source's.
type DatabaseReplicaSpec struct {
	// Source is the database it copies.
	Source        Ref    `json:"source"`
	InstanceClass string `json:"instance_class"`
	// SecurityGroups are the replica's own (RDS gives a replica the Net's
	// default group otherwise); Build gives it its source's.
	SecurityGroups []Ref `json:"security_groups"`
}

// Spec returns the spec of r as an any (the pointer that matches Kind), or
// nil when it is missing.
// A nil Resource has no spec.
func (r *Resource) Spec() any {
	if r == nil {
		return nil
	}
	e := entryOf(r.Kind)
	if spec := e.specOf(r); spec != nil {
		return e.asAny(spec)
	}
	return nil
}

// Refs returns pointers to every Ref in r's spec, so a caller can read or
// rewrite them (the engine replaces logical ids by provider ids). Empty
// Refs are included; callers skip them.
func (r *Resource) Refs() []*Ref {
	if r == nil {
		return nil
	}
	e := entryOf(r.Kind)
	if spec := e.specOf(r); spec != nil {
		return e.refs(spec)
	}
	return nil
}

// Zones returns pointers to the zone fields of r's spec that are set (a
// subnet's zone, a public IP's or a NAT gateway's when given), so that the
// engine can map a declared zone ("a") to the provider's ("eu-west-2a").
func (r *Resource) Zones() []*string {
	if r == nil {
		return nil
	}
	e := entryOf(r.Kind)
	if spec := e.specOf(r); spec != nil {
		return e.zones(spec)
	}
	return nil
}

// HoldsPublicIPs reports whether r holds public IPs in its Net, which
// keep the Net's internet gateway attached though r's spec does not name
// it: an internet-facing load balancer, or a cluster with nodes in a
// public subnet (the subnet maps a public IP at launch). The clouds
// refuse to detach the gateway while they do (AWS DetachInternetGateway:
// DependencyViolation, "has some mapped public address(es)"; OUTSCALE
// refuses UnlinkInternetService), and refuse an internet-facing load
// balancer in a Net without one: such a resource is created after the
// gateway and deleted before it. subnet returns the spec of a subnet r
// names, or nil.
func (r *Resource) HoldsPublicIPs(subnet func(Ref) *SubnetSpec) bool {
	switch {
	case r == nil:
		return false
	case r.LoadBalancer != nil:
		return r.LoadBalancer.Scheme == SchemeInternetFacing
	case r.VPNAppliance != nil:
		return true
	case r.Cluster != nil && r.Cluster.Desired > 0:
		for _, ref := range r.Cluster.Subnets {
			if subnet == nil {
				break
			}
			if s := subnet(ref); s != nil && s.Public {
				return true
			}
		}
	}
	return false
}

// Dependencies returns the distinct, sorted logical ids that r's Refs name.
func (r *Resource) Dependencies() []string {
	var deps []string
	for _, ref := range r.Refs() {
		if *ref != "" {
			deps = append(deps, string(*ref))
		}
	}
	slices.Sort(deps)
	return slices.Compact(deps)
}

// Clone returns a deep copy of r: changing the copy's slices or specs
// leaves r untouched.
func (r Resource) Clone() Resource {
	var c Resource
	r.CloneInto(&c)
	return c
}

// CloneInto sets *dst to a deep copy of *r, as [Resource.Clone] returns.
// Neither copies the Resource to the heap: a copy allocates only the spec
// and the slices it copies.
func (r *Resource) CloneInto(dst *Resource) {
	if r == nil || dst == nil {
		return
	}
	if dst == r {
		*dst = r.Clone()
		return
	}
	*dst = Resource{ID: r.ID, Kind: r.Kind, DependsOn: slices.Clone(r.DependsOn)}
	for i := range registry {
		e := &registry[i]
		if spec := e.specOf(r); spec != nil {
			*specPointer(dst, e.specAt) = e.clone(spec)
		}
	}
}

// Normalize puts r in canonical form for comparison, in place: DependsOn
// cleared; references, routes, listeners and network ACL entries sorted;
// security group rules in canonical form ([RuleSpec.Canonical], without
// their descriptions, which the clouds do not compare), sorted by
// [RuleSpec.Key] and without duplicates. Two resources that the clouds
// treat as the same are equal once normalized.
func (r *Resource) Normalize() {
	if r == nil {
		return
	}
	r.DependsOn = nil
	e := entryOf(r.Kind)
	if spec := e.specOf(r); spec != nil {
		e.normalize(spec)
	}
}
