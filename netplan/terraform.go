package netplan

import (
	"fmt"
	"net/netip"
	"strconv"
)

// The helpers below follow Terraform's cidrsubnet, cidrhost and cidrsubnets
// functions (https://developer.hashicorp.com/terraform/language/functions),
// for IPv4 and IPv6, on net/netip values. Like Terraform they use the
// network of prefix, ignoring any host bits: 10.1.2.5/24 is taken as
// 10.1.2.0/24. Prefixes with a zone or an IPv4-mapped IPv6 address are
// refused with [ErrInvalid].

// CIDRSubnet returns subnet number netnum of prefix extended by newbits
// bits, like Terraform's cidrsubnet(prefix, newbits, netnum).
//
// 10.3.0.0/16 extended by 8 bits, netnum 5, becomes 10.3.5.0/24;
// 172.16.0.0/12 extended by 4 bits, netnum 2, becomes 172.18.0.0/16;
// fd00:fd12:3456:7890::/56 extended by 16 bits, netnum 162, becomes
// fd00:fd12:3456:7800:a200::/72.
//
// netnum is a uint64, so an IPv6 prefix extended by more than 64 bits can
// only number its first 2^64 subnets; that covers every practical layout.
// A prefix that cannot be extended by newbits, or a netnum that does not
// fit in newbits bits, is an error wrapping [ErrOutOfBounds]; a negative
// newbits or a bad prefix wraps [ErrInvalid].
func CIDRSubnet(prefix netip.Prefix, newbits int, netnum uint64) (netip.Prefix, error) {
	base, L, err := tfBase("cidrsubnet", prefix)
	if err != nil {
		return netip.Prefix{}, err
	}
	if newbits < 0 {
		return netip.Prefix{}, fieldErr(ErrInvalid, "cidrsubnet.newbits", strconv.Itoa(newbits), "negative newbits", "use 0 or more")
	}
	n := base.Bits() + newbits
	if n > L {
		return netip.Prefix{}, fieldErr(ErrOutOfBounds, "cidrsubnet.newbits", strconv.Itoa(newbits),
			fmt.Sprintf("insufficient address space to extend prefix of %d by %d", base.Bits(), newbits),
			fmt.Sprintf("use at most %d", L-base.Bits()))
	}
	if newbits < 64 && netnum >= 1<<newbits {
		return netip.Prefix{}, fieldErr(ErrOutOfBounds, "cidrsubnet.netnum", strconv.FormatUint(netnum, 10),
			fmt.Sprintf("prefix extension of %d does not accommodate a subnet numbered %d", newbits, netnum),
			fmt.Sprintf("use a netnum below %d or more newbits", uint64(1)<<newbits))
	}
	start := addrToU128(base.Addr()).or(u128{0, netnum}.lsh(L - n))
	return netip.PrefixFrom(start.addr(L), n), nil
}

// CIDRHost returns host number hostnum of prefix, like Terraform's
// cidrhost(prefix, hostnum). A negative hostnum counts from the end: -1 is
// the last address.
//
// Host 16 of 10.12.112.0/20 is 10.12.112.16; host 268 is 10.12.113.12;
// host -1 of 10.0.0.0/24 is 10.0.0.255; host 34 of
// fd00:fd12:3456:7890:00a2::/72 is fd00:fd12:3456:7890::22.
//
// A hostnum outside the prefix is an error wrapping [ErrOutOfBounds].
func CIDRHost(prefix netip.Prefix, hostnum int64) (netip.Addr, error) {
	base, L, err := tfBase("cidrhost", prefix)
	if err != nil {
		return netip.Addr{}, err
	}
	hostBits := L - base.Bits()
	fits := func(k uint64) bool { return hostBits >= 64 || k < 1<<hostBits }
	outside := func() (netip.Addr, error) {
		return netip.Addr{}, fieldErr(ErrOutOfBounds, "cidrhost.hostnum", strconv.FormatInt(hostnum, 10),
			fmt.Sprintf("prefix of %d does not accommodate a host numbered %d", base.Bits(), hostnum),
			"use a host number inside the prefix")
	}
	start := addrToU128(base.Addr())
	if hostnum >= 0 {
		if !fits(uint64(hostnum)) {
			return outside()
		}
		return start.or(u128{0, uint64(hostnum)}).addr(L), nil
	}
	k := uint64(-(hostnum + 1)) // distance back from the last address
	if !fits(k) {
		return outside()
	}
	return lastAddr(base).sub(u128{0, k}).addr(L), nil
}

// CIDRSubnets returns consecutive subnets of prefix, one per newbits
// value, each extending prefix by that many bits and placed at the first
// aligned address after the previous one, like Terraform's
// cidrsubnets(prefix, newbits...).
//
// 10.1.0.0/16 with newbits 4, 4, 8, 4 gives 10.1.0.0/20, 10.1.16.0/20,
// 10.1.32.0/24 and 10.1.48.0/20.
//
// Each newbits must be at least 1 ([ErrInvalid]); an extension past the
// address length or subnets running out of prefix is an error wrapping
// [ErrOutOfBounds]. No newbits gives an empty slice.
func CIDRSubnets(prefix netip.Prefix, newbits ...int) ([]netip.Prefix, error) {
	base, L, err := tfBase("cidrsubnets", prefix)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Prefix, 0, len(newbits))
	next := addrToU128(base.Addr()) // first free address
	end := lastAddr(base)
	full := false // the previous subnet ended at the end of prefix
	for i, nb := range newbits {
		field := "cidrsubnets.newbits[" + strconv.Itoa(i) + "]"
		if nb < 1 {
			return nil, fieldErr(ErrInvalid, field, strconv.Itoa(nb), "must extend prefix by at least one bit", "use 1 or more")
		}
		n := base.Bits() + nb
		if n > L {
			return nil, fieldErr(ErrOutOfBounds, field, strconv.Itoa(nb),
				fmt.Sprintf("would extend prefix to %d bits, which is too long for an %s address", n, family(L)),
				fmt.Sprintf("use at most %d", L-base.Bits()))
		}
		hostBits := L - n
		// Align next up to the new size.
		start := next
		if m := lowMask(hostBits); !start.and(m).isZero() {
			var over bool
			start, over = start.or(m).add(u128{0, 1})
			full = full || over
		}
		last := start.or(lowMask(hostBits))
		if full || start.cmp(end) > 0 || last.cmp(end) > 0 {
			return nil, fieldErr(ErrOutOfBounds, field, strconv.Itoa(nb),
				fmt.Sprintf("not enough remaining address space for a subnet with a prefix of %d bits after %s", n, prevOrBase(out, base)),
				"use fewer or smaller subnets, or a larger prefix")
		}
		out = append(out, netip.PrefixFrom(start.addr(L), n))
		if last.cmp(end) == 0 {
			full = true
		} else {
			next, _ = last.add(u128{0, 1})
		}
	}
	return out, nil
}

func prevOrBase(out []netip.Prefix, base netip.Prefix) string {
	if len(out) == 0 {
		return "the start of " + base.String()
	}
	return out[len(out)-1].String()
}

func family(L int) string {
	if L == 32 {
		return "ipv4"
	}
	return "ipv6"
}

// tfBase validates prefix for a Terraform helper and returns its network
// and address bit length.
func tfBase(fn string, prefix netip.Prefix) (netip.Prefix, int, error) {
	if !prefix.IsValid() {
		return netip.Prefix{}, 0, fieldErr(ErrInvalid, fn+".prefix", "", "missing or invalid prefix", `pass a prefix such as "10.0.0.0/16"`)
	}
	if prefix.Addr().Is4In6() {
		return netip.Prefix{}, 0, fieldErr(ErrInvalid, fn+".prefix", prefix.String(), "ipv4-mapped ipv6 prefix", "use an ipv4 prefix")
	}
	if prefix.Addr().Zone() != "" {
		return netip.Prefix{}, 0, fieldErr(ErrInvalid, fn+".prefix", prefix.String(), "ipv6 zones are not allowed in a prefix", "remove the %zone")
	}
	return prefix.Masked(), prefix.Addr().BitLen(), nil
}
