package netplan

import (
	"errors"
	"net/netip"
	"strconv"
)

// NetRequest asks [AllocateNets] for one Net: a region, an environment or
// a disaster-recovery copy.
type NetRequest struct {
	// Name identifies the Net ("prod-eu", "dr").
	Name string `json:"name"`
	// Bits is the Net's prefix length; it must lie within the profile's
	// Net bounds (AWS: 16 to 28).
	Bits int `json:"bits"`
}

// AllocateNets carves non-overlapping Nets out of supernet, so that Nets of
// several regions or environments can later be peered or joined by VPN
// without renumbering. It follows the rules of [Planner.Allocate]: pinned
// Nets that are still requested keep their prefix, the others are
// released, new Nets are placed largest first without waste, errors are
// reported all at once and the Plan is nil on error. The zero Profile means
// [Generic]. Each allocation has an empty Zone.
//
// supernet itself is not checked against the profile's Net bounds: 10.0.0.0/8
// can hold 256 AWS /16 VPCs. With supernet 10.0.0.0/8 and requests prod
// (/16), staging (/16) and dr (/16): prod is 10.0.0.0/16, staging 10.1.0.0/16,
// dr 10.2.0.0/16.
func AllocateNets(supernet netip.Prefix, profile Profile, reqs []NetRequest, pinned ...Allocation) (*Plan, error) {
	prof := profile.orGeneric()
	var errs []error
	L := 0
	if err := checkPrefix("supernet", supernet); err != nil {
		errs = append(errs, err)
	} else {
		L = supernet.Addr().BitLen()
	}
	demands := make([]demand, 0, len(reqs))
	seen := make(map[Key]int, len(reqs))
	for i, r := range reqs {
		field := "nets[" + strconv.Itoa(i) + "]"
		if in, pr, fx := nameProblem(r.Name); pr != "" {
			errs = append(errs, fieldErr(ErrInvalid, field+".name", in, pr, fx))
		} else if prev, dup := seen[Key{Name: r.Name}]; dup {
			errs = append(errs, fieldErr(ErrDuplicate, field+".name", r.Name, "already requested by nets["+strconv.Itoa(prev)+"]", "use another name"))
		} else {
			seen[Key{Name: r.Name}] = i // == its demand's index when there is no error
		}
		if L == 0 {
			continue
		}
		if r.Bits <= 0 || r.Bits > L {
			errs = append(errs, fieldErr(ErrInvalid, field+".bits", strconv.Itoa(r.Bits), "prefix length outside 1-"+strconv.Itoa(L), "set the Net's prefix length, such as 16"))
			continue
		}
		if err := prof.checkLen(field+".bits", strconv.Itoa(r.Bits), L, r.Bits, "net"); err != nil {
			errs = append(errs, err)
			continue
		}
		demands = append(demands, demand{key: Key{Name: r.Name}, bits: r.Bits, seq: len(demands), req: i})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return allocate(supernet, prof, pinned, demands, seen, true)
}
