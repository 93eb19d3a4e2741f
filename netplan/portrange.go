package netplan

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
)

// PortRange is an inclusive range of TCP or UDP ports, From <= To.
//
// The zero value carries no port: it is what ICMP and "all" flows use, and
// a rule whose protocol is [ProtocolICMP] or [ProtocolAll] with a zero
// PortRange matches every ICMP type or every port. For TCP and UDP a valid
// range lies in 1-65535: port 0 is not a port a service listens on.
//
// PortRange is a comparable value type; its text form is "80" for a single
// port and "1024-65535" for a range.
type PortRange struct {
	From uint16 `json:"from"`
	To   uint16 `json:"to"`
}

// AllPorts is every TCP or UDP port, 1-65535.
var AllPorts = PortRange{From: 1, To: 65535}

// Port returns the range holding the single port p: Port(443) is "443".
func Port(p uint16) PortRange { return PortRange{From: p, To: p} }

// Ports returns the range from-to. It does not validate: use
// [PortRange.IsValid].
func Ports(from, to uint16) PortRange { return PortRange{From: from, To: to} }

// ParsePortRange parses "80" or "1024-65535". Ports must lie in 1-65535 and
// from must not exceed to. Errors quote the input and say what to change.
func ParsePortRange(s string) (PortRange, error) {
	r, err := parsePortRange(s)
	if err != nil {
		return PortRange{}, fmt.Errorf("netplan: ports: %q: %w", s, err)
	}
	return r, nil
}

// parsePortRange returns the problem without quoting the input.
func parsePortRange(s string) (PortRange, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	from, err := parsePort(lo)
	if err != nil {
		return PortRange{}, err
	}
	to := from
	if isRange {
		if to, err = parsePort(hi); err != nil {
			return PortRange{}, err
		}
	}
	r := PortRange{From: from, To: to}
	if err := r.check(); err != nil {
		return PortRange{}, err
	}
	return r, nil
}

func parsePort(s string) (uint16, error) {
	if s == "" || len(s) > 5 {
		return 0, fmt.Errorf("%q is not a port; use a number in 1-65535", s)
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a port; use a number in 1-65535", s)
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n > 65535 {
		return 0, fmt.Errorf("port %s is out of range; use 1-65535", s)
	}
	return uint16(n), nil
}

func (r PortRange) check() error {
	switch {
	case r.From == 0 || r.To == 0:
		return fmt.Errorf("port 0 is not allowed; use 1-65535")
	case r.From > r.To:
		return fmt.Errorf("from %d is above to %d; write %d-%d", r.From, r.To, r.To, r.From)
	}
	return nil
}

// IsValid reports whether r is a usable TCP/UDP range: 1 <= From <= To.
func (r PortRange) IsValid() bool { return r.check() == nil }

// IsZero reports whether r is the zero value (no port: ICMP or all).
func (r PortRange) IsZero() bool { return r == PortRange{} }

// Contains reports whether port lies in r.
func (r PortRange) Contains(port uint16) bool { return port >= r.From && port <= r.To }

// Covers reports whether every port of o lies in r.
func (r PortRange) Covers(o PortRange) bool { return o.From >= r.From && o.To <= r.To }

// Overlaps reports whether r and o share a port.
func (r PortRange) Overlaps(o PortRange) bool { return r.From <= o.To && o.From <= r.To }

// Len returns the number of ports in r (0 for the zero value).
func (r PortRange) Len() int {
	if r.IsZero() || r.From > r.To {
		return 0
	}
	return int(r.To) - int(r.From) + 1
}

// String returns "80", "1024-65535", or "" for the zero value.
func (r PortRange) String() string {
	switch {
	case r.IsZero():
		return ""
	case r.From == r.To:
		return strconv.Itoa(int(r.From))
	}
	return strconv.Itoa(int(r.From)) + "-" + strconv.Itoa(int(r.To))
}

// MarshalText implements [encoding.TextMarshaler] with the form of String.
func (r PortRange) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler]; "" is the zero value.
func (r *PortRange) UnmarshalText(b []byte) error {
	if r == nil {
		return fieldErr(ErrInvalid, "port range", "nil", "nil *PortRange", "decode into a PortRange value")
	}
	if len(b) == 0 {
		*r = PortRange{}
		return nil
	}
	p, err := ParsePortRange(string(b))
	if err != nil {
		return err
	}
	*r = p
	return nil
}

// ComparePortRange orders ranges by From, then To, for [slices.SortFunc].
func ComparePortRange(a, b PortRange) int {
	if c := cmp.Compare(a.From, b.From); c != 0 {
		return c
	}
	return cmp.Compare(a.To, b.To)
}
