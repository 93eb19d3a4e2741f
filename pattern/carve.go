package pattern

import (
	"fmt"
	"net/netip"

	"github.com/archkit/archkit/netplan"
)

// CarveNets gives each architecture without a CIDR a Net of prefix length
// bits carved from supernet, so that Nets of several environments or
// regions never overlap and can later be peered or joined by VPN without
// renumbering. Architectures that already have a CIDR keep it and their
// space is left alone (they are pinned by name), so adding an environment
// never moves an existing one. It uses netplan.AllocateNets; on error no
// architecture is changed.
//
// With supernet 10.0.0.0/8, bits 16 and architectures prod (10.0.0.0/16
// already) and staging (no CIDR), staging gets 10.1.0.0/16.
func CarveNets(supernet netip.Prefix, profile netplan.Profile, bits int, archs ...*Architecture) error {
	var reqs []netplan.NetRequest
	var pinned []netplan.Allocation
	for _, a := range archs {
		if a.CIDR.IsValid() {
			reqs = append(reqs, netplan.NetRequest{Name: a.Name, Bits: a.CIDR.Bits()})
			pinned = append(pinned, netplan.Allocation{Name: a.Name, Prefix: a.CIDR})
			continue
		}
		reqs = append(reqs, netplan.NetRequest{Name: a.Name, Bits: bits})
	}
	plan, err := netplan.AllocateNets(supernet, profile, reqs, pinned...)
	if err != nil {
		return fmt.Errorf("pattern: carve nets from %s: %w", supernet, err)
	}
	for _, a := range archs {
		if !a.CIDR.IsValid() {
			a.CIDR, _ = plan.Lookup(a.Name, "")
			a.errs = dropCIDRErrors(a.errs)
		}
	}
	return nil
}

// dropCIDRErrors forgets the parse error of New("name", "") once a CIDR
// has been carved.
func dropCIDRErrors(errs []error) []error {
	var out []error
	for _, e := range errs {
		if _, ok := e.(*cidrError); !ok {
			out = append(out, e)
		}
	}
	return out
}

type cidrError struct{ err error }

func (e *cidrError) Error() string { return "pattern: cidr: " + e.err.Error() }
func (e *cidrError) Unwrap() error { return e.err }
