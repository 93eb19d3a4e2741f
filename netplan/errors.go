package netplan

import (
	"errors"
	"fmt"
	"net/netip"
)

// Sentinel errors of the address-planning half of netplan. Every error
// returned by [ParsePrefix], [Profile.CheckNet], [Planner.Allocate],
// [AllocateNets] and the Terraform helpers matches one of them with
// [errors.Is].
var (
	// ErrInvalid reports input that cannot be used at all: a string that is
	// not a prefix, host bits set, mixed address families, an empty name.
	ErrInvalid = errors.New("netplan: invalid input")
	// ErrNoSpace reports requests that do not fit in the parent prefix.
	// The error is a [*NoSpaceError] with the figures.
	ErrNoSpace = errors.New("netplan: not enough address space")
	// ErrOutOfBounds reports a prefix length the profile does not allow, or a
	// prefix outside its parent.
	ErrOutOfBounds = errors.New("netplan: out of bounds")
	// ErrOverlap reports two prefixes that share addresses.
	ErrOverlap = errors.New("netplan: overlapping prefixes")
	// ErrDuplicate reports a name (or name and zone) used twice.
	ErrDuplicate = errors.New("netplan: duplicate")
)

// FieldError is one validation problem. It prints as
//
//	netplan: <field>: <input>: <problem>; <fix>
//
// for example "netplan: requests[2].bits: 12: prefix length /12 outside aws
// subnet bounds /16-/28; use a /16 or longer". Field or Input may be empty
// and are then left out. Err is the sentinel ([ErrInvalid], [ErrOutOfBounds],
// [ErrOverlap], [ErrDuplicate]) that [errors.Is] finds through Unwrap.
//
// Packages tier and pattern report their validation problems with the same
// type, their name in Package, so one errors.As finds the field of any of
// them:
//
//	var fe *netplan.FieldError
//	if errors.As(err, &fe) {
//		fmt.Println(fe.Package, fe.Field) // "tier clusters[0].max"
//	}
type FieldError struct {
	Package string // the package reporting it; "": netplan
	Field   string // where the problem is: "parent", "requests[1].zones[0]"
	Input   string // the offending value as the caller wrote it
	Problem string // what is wrong, lowercase
	Fix     string // what to change, lowercase
	Err     error  // sentinel
}

func (e *FieldError) Error() string {
	if e == nil {
		return "netplan: <nil FieldError>"
	}
	s := "netplan: "
	if e.Package != "" {
		s = e.Package + ": "
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	if e.Input != "" {
		s += e.Input + ": "
	}
	s += e.Problem
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

// Unwrap returns the sentinel.
func (e *FieldError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

func fieldErr(sentinel error, field, input, problem, fix string) *FieldError {
	return &FieldError{Field: field, Input: input, Problem: problem, Fix: fix, Err: sentinel}
}

// NoSpaceError reports requests that do not fit. Needed is the number of
// addresses all new requests take (their blocks, reserved addresses
// included), Available the number of free addresses in the parent once the
// pinned subnets are taken out, and LargestFree the largest free block when
// Request could not be placed (the zero Prefix if nothing is free). Counts
// larger than 2^64-1 (IPv6) saturate at [math.MaxUint64] in these fields;
// the message gives the exact figures, as powers of two when they are
// large: 257 /64 subnets in a /56 Net "need 257*2^64 addresses, 2^72 are
// free".
//
// errors.Is(err, ErrNoSpace) reports true for a *NoSpaceError.
type NoSpaceError struct {
	Parent      netip.Prefix // the prefix allocated from
	Request     Key          // the first request that could not be placed
	Bits        int          // its prefix length
	Needed      uint64
	Available   uint64
	LargestFree netip.Prefix

	needed, available u128 // exact figures, when Allocate filled them in
}

func (e *NoSpaceError) Error() string {
	if e == nil {
		return "netplan: <nil NoSpaceError>"
	}
	largest := "none"
	if e.LargestFree.IsValid() {
		largest = e.LargestFree.String()
	}
	needed, available := e.needed, e.available
	if needed.isZero() && available.isZero() { // built by hand
		needed, available = u128{0, e.Needed}, u128{0, e.Available}
	}
	return fmt.Sprintf("netplan: %s: /%d: no space left in %s: requests need %s addresses, %s are free, largest free block %s; use a shorter parent prefix or smaller subnets",
		e.Request, e.Bits, e.Parent, needed.count(), available.count(), largest)
}

// Is reports whether target is [ErrNoSpace].
func (e *NoSpaceError) Is(target error) bool { return target == ErrNoSpace }
