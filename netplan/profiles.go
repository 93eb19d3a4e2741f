package netplan

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// AWS is the profile of an Amazon VPC.
//
// Each figure and where it comes from:
//   - NetPrefix /16-/28: "The allowed block size is between a /16 netmask
//     and /28 netmask" (VPC User Guide, IPv4 VPC CIDR blocks,
//     https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html).
//   - SubnetPrefix /16-/28: same limits for subnets (VPC User Guide, subnet
//     sizing, https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html).
//   - NetPrefix6 /56: an Amazon-provided IPv6 block "with a /56 prefix
//     length" (EC2 API reference, CreateVpc AmazonProvidedIpv6CidrBlock).
//     IPAM pools can hand out /44 to /60, but only in 4-bit steps that
//     [Bounds] cannot express; /56 is the one length every account gets.
//   - SubnetPrefix6 /64: newer VPCs accept /44 to /64 in 4-bit steps, but
//     /64 is valid everywhere and is what SLAAC needs (same subnet-sizing
//     page, "IPv6 subnet CIDR blocks").
//   - Reserved head 4 (network, VPC router, DNS, future use), tail 1
//     (broadcast): subnet-sizing page, "reserved IP addresses".
//   - StatelessFirewall: network ACLs
//     (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).
//   - BalancerSubnetMax /27: "the subnets that you specify must have a CIDR
//     block with at least a /27 bitmask and at least 8 free IP addresses"
//     (Application Load Balancers, Availability Zones and subnets,
//     https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html).
//   - Quotas: 60 inbound and 60 outbound rules per security group, 5
//     security groups per network interface, 2,500 VPC security groups per
//     Region, 20 rules per network ACL per direction ("This quota includes
//     the default deny rules"), 200 network ACLs per VPC, 200 subnets per
//     VPC, 200 route tables per VPC ("The main route table counts toward
//     this quota"), 50 routes per route table, 5 VPCs per Region, 5 NAT
//     gateways per Availability Zone, 5 Elastic IP addresses per Region
//     (Amazon VPC quotas,
//     https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html);
//     50 Application Load Balancers per Region and 50 listeners per
//     load balancer (Quotas for your Application Load Balancers,
//     https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html);
//     40 DB instances per Region (Quotas in Amazon RDS,
//     https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html).
var AWS = Profile{
	Name:              "aws",
	NetPrefix:         Bounds{Min: 16, Max: 28},
	SubnetPrefix:      Bounds{Min: 16, Max: 28},
	NetPrefix6:        Bounds{Min: 56, Max: 56},
	SubnetPrefix6:     Bounds{Min: 64, Max: 64},
	Reserved:          Reserved{Head: 4, Tail: 1},
	StatelessFirewall: true,
	BalancerSubnetMax: 27,
	Quotas: Quotas{
		InboundRulesPerGroup:   60,
		OutboundRulesPerGroup:  60,
		GroupsPerInterface:     5,
		GroupsPerNet:           2500,
		RulesPerACL:            20,
		SubnetsPerNet:          200,
		NATsPerZone:            5,
		RouteTablesPerNet:      200,
		RoutesPerTable:         50,
		ACLsPerNet:             200,
		NetsPerRegion:          5,
		PublicIPsPerRegion:     5,
		LoadBalancersPerRegion: 50,
		ListenersPerBalancer:   50,
		DatabasesPerRegion:     40,
	},
}

// Outscale is the profile of an OUTSCALE Net.
//
// Each figure and where it comes from (SPEC is the OpenAPI description
// shipped in github.com/outscale/osc-sdk-go/v2 v2.35.0, api/openapi.yaml):
//   - NetPrefix /16-/28: SPEC CreateNet, "The IP range (network range) of
//     your Net must be between a /28 netmask (16 IPs) and a /16 netmask
//     (65536 IPs)"; also https://docs.outscale.com/en/userguide/About-Nets.html.
//   - SubnetPrefix /16-/29: a subnet lies inside its Net (so /16 at most)
//     and SPEC CreateSubnet.IpRange says "The smallest Subnet you can create
//     uses a /29 netmask (eight IPs)".
//   - No IPv6: Nets and subnets take IPv4 ranges only (SPEC CreateNet,
//     CreateSubnet: IpRange is the only range), so the IPv6 bounds are zero.
//   - Reserved head 4, tail 1: SPEC CreateVmsRequest.PrivateIps, private IPs
//     "cannot be one of the first four IPs (ending in .0, .1, .2, .3) or the
//     last IP (ending in .255) of the Subnet, as these are reserved".
//   - StatelessFirewall false: OUTSCALE has security groups only.
//   - PrivateNets: "the CIDR must fall within RFC 1918" (About Nets,
//     https://docs.outscale.com/en/userguide/About-Nets.html).
//   - GroupsPerNet 500: SPEC CreateSecurityGroup, "You can create up to 500
//     security groups per Net". The other quotas (rules per group, groups
//     per VM, subnets, NAT services) are per-account values read with
//     ReadQuotas; no public default is documented, so they stay zero
//     (unknown).
var Outscale = Profile{
	Name:              "outscale",
	NetPrefix:         Bounds{Min: 16, Max: 28},
	SubnetPrefix:      Bounds{Min: 16, Max: 29},
	Reserved:          Reserved{Head: 4, Tail: 1},
	StatelessFirewall: false,
	PrivateNets:       true,
	Quotas:            Quotas{GroupsPerNet: 500},
}

// Generic is the profile of a plain IP network with no cloud rules: IPv4
// Nets and subnets from /8 to /30 with the network and broadcast addresses
// reserved (head 1, tail 1), IPv6 Nets from /8 to /64 and subnets from /8 to
// /128, no stateless firewall and no quotas. It is the profile a [Planner]
// uses when its Profile is the zero value.
var Generic = Profile{
	Name:          "generic",
	NetPrefix:     Bounds{Min: 8, Max: 30},
	SubnetPrefix:  Bounds{Min: 8, Max: 30},
	NetPrefix6:    Bounds{Min: 8, Max: 64},
	SubnetPrefix6: Bounds{Min: 8, Max: 128},
	Reserved:      Reserved{Head: 1, Tail: 1},
}

// Profiles returns the built-in profiles: AWS, Outscale and Generic, in that
// order.
func Profiles() []Profile { return []Profile{AWS, Outscale, Generic} }

// ProfileByName returns the built-in profile named name ("aws", "outscale"
// or "generic", any case). An unknown name is a [*FieldError] wrapping
// [ErrInvalid].
func ProfileByName(name string) (Profile, error) {
	for _, p := range Profiles() {
		if strings.EqualFold(p.Name, name) {
			return p, nil
		}
	}
	return Profile{}, fieldErr(ErrInvalid, "profile", strconv.Quote(name), "unknown profile", `use "aws", "outscale" or "generic"`)
}

// orGeneric returns p, or Generic when p is the zero Profile.
func (p Profile) orGeneric() Profile {
	if p == (Profile{}) {
		return Generic
	}
	return p
}

func (p Profile) label() string {
	if p.Name == "" {
		return "unnamed profile"
	}
	return p.Name
}

// IsZero reports whether b is the zero Bounds, which allows no prefix.
func (b Bounds) IsZero() bool { return b == Bounds{} }

// String returns "/16-/28", or "/64" when Min equals Max.
func (b Bounds) String() string {
	if b.Min == b.Max {
		return "/" + strconv.Itoa(b.Min)
	}
	return fmt.Sprintf("/%d-/%d", b.Min, b.Max)
}

// Usable returns the number of addresses of prefix left for hosts once the
// profile's reserved addresses are taken out, or 0 when the block is smaller
// than the reservation or prefix is invalid. Counts above 2^64-1 (IPv6
// blocks shorter than /64) saturate at [math.MaxUint64].
//
// With [AWS]: 10.0.0.0/24 -> 256 - 5 = 251; 10.0.0.0/28 -> 11.
func (p Profile) Usable(prefix netip.Prefix) uint64 {
	if !prefix.IsValid() {
		return 0
	}
	size := blockSize(prefix)
	res := u128{0, uint64(max(p.Reserved.Total(), 0))}
	if size.cmp(res) <= 0 {
		return 0
	}
	if size == u128Max { // a /0 IPv6 block: 2^128, saturated
		return size.uint64Sat()
	}
	return size.sub(res).uint64Sat()
}

// CheckNet reports whether prefix can be the address range of a Net under
// p: a valid prefix without host bits whose length lies in NetPrefix
// (IPv4) or NetPrefix6 (IPv6). A bad prefix wraps [ErrInvalid]; a length
// outside the bounds wraps [ErrOutOfBounds] and names them:
//
//	netplan: 10.0.0.0/12: prefix length /12 outside aws net bounds /16-/28; use a /16 or longer
//
// A profile with PrivateNets also refuses a range outside the private
// (RFC 1918) ranges, wrapping [ErrOutOfBounds]:
//
//	netplan: 100.64.0.0/16: not a private range, which outscale nets need; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16
func (p Profile) CheckNet(prefix netip.Prefix) error {
	if err := p.checkBits("", prefix, "net"); err != nil {
		return err
	}
	if p.PrivateNets && !prefix.Addr().IsPrivate() {
		return fieldErr(ErrOutOfBounds, "", prefix.String(), "not a private range, which "+p.label()+" nets need",
			"use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
	}
	return nil
}

// CheckSubnet is like [Profile.CheckNet] for a subnet, against SubnetPrefix
// and SubnetPrefix6.
func (p Profile) CheckSubnet(prefix netip.Prefix) error {
	return p.checkBits("", prefix, "subnet")
}

// bounds returns the bounds of kind ("net" or "subnet") for the family of
// an address with bitLen bits.
func (p Profile) bounds(kind string, bitLen int) Bounds {
	switch {
	case kind == "net" && bitLen == 32:
		return p.NetPrefix
	case kind == "net":
		return p.NetPrefix6
	case bitLen == 32:
		return p.SubnetPrefix
	}
	return p.SubnetPrefix6
}

func (p Profile) checkBits(field string, prefix netip.Prefix, kind string) error {
	if err := checkPrefix(field, prefix); err != nil {
		return err
	}
	input := prefix.String()
	if field != "" {
		field += ".bits"
	}
	return p.checkLen(field, input, prefix.Addr().BitLen(), prefix.Bits(), kind)
}

// checkLen checks a prefix length of a family against the bounds of kind.
func (p Profile) checkLen(field, input string, bitLen, n int, kind string) error {
	fam := "ipv4"
	if bitLen == 128 {
		fam = "ipv6"
	}
	b := p.bounds(kind, bitLen)
	switch {
	case b.IsZero():
		return fieldErr(ErrOutOfBounds, field, input,
			fmt.Sprintf("%s has no %s %s", p.label(), fam, kind), "use an ipv4 prefix or another profile")
	case n < b.Min:
		return fieldErr(ErrOutOfBounds, field, input,
			fmt.Sprintf("prefix length /%d outside %s %s bounds %s", n, p.label(), kind, b),
			fmt.Sprintf("use a /%d or longer", b.Min))
	case n > b.Max:
		return fieldErr(ErrOutOfBounds, field, input,
			fmt.Sprintf("prefix length /%d outside %s %s bounds %s", n, p.label(), kind, b),
			fmt.Sprintf("use a /%d or shorter", b.Max))
	}
	return nil
}
