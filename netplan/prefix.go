package netplan

import (
	"math"
	"math/bits"
	"net/netip"
	"strconv"
	"strings"
)

// ParsePrefix parses s as an IPv4 or IPv6 prefix in CIDR notation and
// checks that it names a network: "10.0.0.0/16", "fd00:1::/56".
//
// Unlike [netip.ParsePrefix] it refuses what would silently become a
// different network: host bits ("netplan: 10.0.0.1/16: host bits set; did
// you mean 10.0.0.0/16?"), IPv4-mapped IPv6 prefixes ("::ffff:10.0.0.0/104",
// use 10.0.0.0/8), IPv6 zones and a missing prefix length. Every error is a
// [*FieldError] wrapping [ErrInvalid]. A parsed prefix prints in canonical
// form (fd00:0::/64 as fd00::/64), which parses back to the same prefix.
// Input that is not a prefix at all is quoted in the error:
// `netplan: "10.0.0.256/24": not an ip address before the slash; ...`.
func ParsePrefix(s string) (netip.Prefix, error) {
	p, err := parsePrefix("", s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return p, nil
}

// MustParsePrefix is like [ParsePrefix] but panics on error. Use it in
// tests, examples and package-level variables with constant input only.
func MustParsePrefix(s string) netip.Prefix {
	p, err := ParsePrefix(s)
	if err != nil {
		panic(err)
	}
	return p
}

// parsePrefix parses s for the named field; the error is a *FieldError.
func parsePrefix(field, s string) (netip.Prefix, error) {
	bad := func(problem, fix string) (netip.Prefix, error) {
		return netip.Prefix{}, fieldErr(ErrInvalid, field, strconv.Quote(s), problem, fix)
	}
	switch {
	case s == "":
		return netip.Prefix{}, fieldErr(ErrInvalid, field, "", "empty prefix", `write a prefix such as "10.0.0.0/16"`)
	case strings.TrimSpace(s) != s:
		return bad("leading or trailing space", "remove the spaces")
	case strings.Contains(s, "%"):
		return bad("ipv6 zones are not allowed in a prefix", "remove the %zone")
	}
	addrPart, lenPart, ok := strings.Cut(s, "/")
	if !ok {
		if a, err := netip.ParseAddr(s); err == nil {
			return bad("missing prefix length", "did you mean "+netip.PrefixFrom(a, a.BitLen()).String()+"?")
		}
		return bad("not a prefix", `write a prefix such as "10.0.0.0/16"`)
	}
	a, err := netip.ParseAddr(addrPart)
	if err != nil {
		return bad("not an ip address before the slash", `write a prefix such as "10.0.0.0/16" or "fd00::/56"`)
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		max := 32
		if a.Is6() {
			max = 128
		}
		return bad("bad prefix length /"+lenPart, "use a decimal length from 0 to "+strconv.Itoa(max))
	}
	if a.Is4In6() {
		fix := "use an ipv4 prefix"
		if p.Bits() >= 96 {
			fix = "did you mean " + netip.PrefixFrom(a.Unmap(), p.Bits()-96).Masked().String() + "?"
		}
		return bad("ipv4-mapped ipv6 prefix", fix)
	}
	if m := p.Masked(); m != p {
		return netip.Prefix{}, fieldErr(ErrInvalid, field, s, "host bits set", "did you mean "+m.String()+"?")
	}
	return p, nil
}

// checkPrefix validates an already parsed prefix for the named field: valid,
// not IPv4-mapped, no zone, no host bits.
func checkPrefix(field string, p netip.Prefix) error {
	if !p.IsValid() {
		return fieldErr(ErrInvalid, field, "", "missing or invalid prefix", `set a prefix such as "10.0.0.0/16"`)
	}
	a := p.Addr()
	if a.Zone() != "" {
		return fieldErr(ErrInvalid, field, p.String(), "ipv6 zones are not allowed in a prefix", "remove the %zone")
	}
	if a.Is4In6() {
		return fieldErr(ErrInvalid, field, p.String(), "ipv4-mapped ipv6 prefix", "use an ipv4 prefix")
	}
	if m := p.Masked(); m != p {
		return fieldErr(ErrInvalid, field, p.String(), "host bits set", "did you mean "+m.String()+"?")
	}
	return nil
}

// u128 is an unsigned 128-bit integer: an address of either family as a
// number (IPv4 in the low 32 bits), or an address count.
type u128 struct{ hi, lo uint64 }

var u128Max = u128{math.MaxUint64, math.MaxUint64}

func addrToU128(a netip.Addr) u128 {
	if a.Is4() {
		b := a.As4()
		return u128{0, uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])}
	}
	b := a.As16()
	var u u128
	for i := range 8 {
		u.hi = u.hi<<8 | uint64(b[i])
		u.lo = u.lo<<8 | uint64(b[i+8])
	}
	return u
}

// addr converts u back to an address of the family with bitLen bits.
func (u u128) addr(bitLen int) netip.Addr {
	if bitLen == 32 {
		v := uint32(u.lo)
		return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	var b [16]byte
	for i := range 8 {
		b[7-i] = byte(u.hi >> (8 * i))
		b[15-i] = byte(u.lo >> (8 * i))
	}
	return netip.AddrFrom16(b)
}

func (u u128) cmp(v u128) int {
	switch {
	case u.hi < v.hi:
		return -1
	case u.hi > v.hi:
		return 1
	case u.lo < v.lo:
		return -1
	case u.lo > v.lo:
		return 1
	}
	return 0
}

func (u u128) isZero() bool { return u.hi == 0 && u.lo == 0 }

// add returns u+v and whether it overflowed.
func (u u128) add(v u128) (u128, bool) {
	lo, c := bits.Add64(u.lo, v.lo, 0)
	hi, c := bits.Add64(u.hi, v.hi, c)
	return u128{hi, lo}, c != 0
}

// addSat returns u+v, saturating at 2^128-1.
func (u u128) addSat(v u128) u128 {
	s, over := u.add(v)
	if over {
		return u128Max
	}
	return s
}

func (u u128) sub(v u128) u128 {
	lo, b := bits.Sub64(u.lo, v.lo, 0)
	hi, _ := bits.Sub64(u.hi, v.hi, b)
	return u128{hi, lo}
}

func (u u128) or(v u128) u128  { return u128{u.hi | v.hi, u.lo | v.lo} }
func (u u128) and(v u128) u128 { return u128{u.hi & v.hi, u.lo & v.lo} }

// lsh returns u << n for n in [0, 128); larger n gives 0.
func (u u128) lsh(n int) u128 {
	switch {
	case n >= 128:
		return u128{}
	case n >= 64:
		return u128{u.lo << (n - 64), 0}
	case n == 0:
		return u
	}
	return u128{u.hi<<n | u.lo>>(64-n), u.lo << n}
}

// pow2 returns 2^n; 2^128 saturates to 2^128-1.
func pow2(n int) u128 {
	if n >= 128 {
		return u128Max
	}
	return u128{0, 1}.lsh(n)
}

// lowMask returns 2^n-1: the host part of a block with n host bits.
func lowMask(n int) u128 {
	if n >= 128 {
		return u128Max
	}
	return pow2(n).sub(u128{0, 1})
}

// uint64Sat returns u as a uint64, saturating at MaxUint64.
func (u u128) uint64Sat() uint64 {
	if u.hi != 0 {
		return math.MaxUint64
	}
	return u.lo
}

// count formats u as an address count people can read: the number itself
// below 2^32 (IPv4 counts: "1280"), otherwise m*2^k with m odd when m is
// below 2^20 ("2^64", "257*2^64"), otherwise the exact decimal number.
func (u u128) count() string {
	if u.hi == 0 && u.lo < 1<<32 {
		return strconv.FormatUint(u.lo, 10)
	}
	k := bits.TrailingZeros64(u.lo)
	if u.lo == 0 {
		k = 64 + bits.TrailingZeros64(u.hi)
	}
	if m := u.rsh(k); m.hi == 0 && m.lo < 1<<20 {
		if m.lo == 1 {
			return "2^" + strconv.Itoa(k)
		}
		return strconv.FormatUint(m.lo, 10) + "*2^" + strconv.Itoa(k)
	}
	return u.decimal()
}

// rsh returns u >> n for n in [0, 128).
func (u u128) rsh(n int) u128 {
	switch {
	case n >= 128:
		return u128{}
	case n >= 64:
		return u128{0, u.hi >> (n - 64)}
	case n == 0:
		return u
	}
	return u128{u.hi >> n, u.lo>>n | u.hi<<(64-n)}
}

// decimal returns u in base 10.
func (u u128) decimal() string {
	if u.hi == 0 {
		return strconv.FormatUint(u.lo, 10)
	}
	var digits [40]byte
	i := len(digits)
	for !u.isZero() {
		var r uint64
		u.hi, r = bits.Div64(0, u.hi, 10)
		u.lo, r = bits.Div64(r, u.lo, 10)
		i--
		digits[i] = byte('0' + r)
	}
	return string(digits[i:])
}

// blockSize returns the number of addresses of a prefix, saturating.
func blockSize(p netip.Prefix) u128 { return pow2(p.Addr().BitLen() - p.Bits()) }

// lastAddr returns the numeric last address of p.
func lastAddr(p netip.Prefix) u128 {
	return addrToU128(p.Addr()).or(lowMask(p.Addr().BitLen() - p.Bits()))
}
