package netplan

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"
)

// Request asks a [Planner] for subnets: one per zone, all of the same size.
//
// The size is Bits, a prefix length such as 24, or, when Bits is 0, the
// smallest block whose usable addresses (block minus the profile's
// reserved addresses) hold Hosts plus Headroom percent. With [AWS], Hosts
// 100 and Headroom 50 need 150 + 5 reserved = 155 addresses: a /24. A
// derived size is raised to the profile's smallest subnet (AWS: Hosts 3
// gives a /28, not a /29). When both Bits and Hosts are set, Bits is used
// and must hold the hosts.
type Request struct {
	// Name identifies the request (a tier: "web"); letters, digits and
	// punctuation other than '/'.
	Name string `json:"name"`
	// Bits is the prefix length; 0 derives it from Hosts.
	Bits int `json:"bits,omitempty"`
	// Hosts is the number of usable addresses needed in each subnet.
	Hosts int `json:"hosts,omitempty"`
	// Headroom is a percentage (0-1000) added to Hosts for growth.
	Headroom int `json:"headroom,omitempty"`
	// Zones lists the zones that get one subnet each; empty means one
	// subnet with Zone "".
	Zones []string `json:"zones,omitempty"`
	// Fields are the caller's names for this request's fields in error
	// messages; the zero value names them "requests[i].bits" and so on.
	Fields RequestFields `json:"-"`
}

// RequestFields names the fields of a [Request] in error messages, for a
// caller that builds requests from input of its own and wants the errors
// to name that input. Each empty name takes its default: Request
// "requests[i]" (i the request's index), the others Request + ".name",
// ".bits", ".hosts", ".headroom" and ".zones" (followed by "[j]").
//
// A tier's request, RequestFields{Request: "tiers[2]", Bits:
// "tiers[2].subnet_bits"}, turns "netplan: requests[2].bits: 12: ..."
// into "netplan: tiers[2].subnet_bits: 12: ...".
type RequestFields struct {
	Request, Name, Bits, Hosts, Headroom, Zones string
}

// field returns the name of r's field sub ("", "name", "bits", "hosts",
// "headroom" or "zones") for errors; i is r's index.
func (r Request) field(i int, sub string) string {
	base := r.Fields.Request
	if base == "" {
		base = "requests[" + strconv.Itoa(i) + "]"
	}
	var name string
	switch sub {
	case "":
		return base
	case "name":
		name = r.Fields.Name
	case "bits":
		name = r.Fields.Bits
	case "hosts":
		name = r.Fields.Hosts
	case "headroom":
		name = r.Fields.Headroom
	case "zones":
		name = r.Fields.Zones
	}
	if name == "" {
		name = base + "." + sub
	}
	return name
}

// Key identifies an allocation: a request's name and one of its zones.
// Allocations are matched by Key, never by position, so that adding or
// removing a request or a zone leaves every other subnet where it is.
type Key struct {
	Name string `json:"name"`
	Zone string `json:"zone,omitempty"`
}

// String returns "web/a", or "web" when Zone is empty.
func (k Key) String() string {
	if k.Zone == "" {
		return k.Name
	}
	return k.Name + "/" + k.Zone
}

// CompareKey orders keys by Name then Zone, for [slices.SortFunc].
func CompareKey(a, b Key) int {
	return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Zone, b.Zone))
}

// Allocation is one subnet (or Net, from [AllocateNets]) of a [Plan].
type Allocation struct {
	Name   string       `json:"name"`
	Zone   string       `json:"zone,omitempty"`
	Prefix netip.Prefix `json:"prefix"`
}

// Key returns the allocation's name and zone.
func (a Allocation) Key() Key { return Key{Name: a.Name, Zone: a.Zone} }

// String returns "web/a 10.0.0.0/24".
func (a Allocation) String() string { return a.Key().String() + " " + a.Prefix.String() }

// Mismatch is a pinned subnet kept at its place although its request now
// asks for another size. netplan never moves or resizes an existing subnet:
// on both clouds a subnet's range cannot change, so resizing means deleting
// it, and everything in it, and creating it again. To resize, add a request
// under a new name, move the workload, then remove the old request.
type Mismatch struct {
	Allocation
	// Bits is the prefix length the request asks for now.
	Bits int `json:"bits"`
}

// String returns "web/a: pinned 10.0.0.0/25 kept, request asks for /24".
func (m Mismatch) String() string {
	return fmt.Sprintf("%s: pinned %s kept, request asks for /%d", m.Key(), m.Prefix, m.Bits)
}

// Planner allocates subnets inside Parent, a Net.
//
// Profile gives the prefix bounds and reserved addresses; the zero Profile
// means [Generic]. Pinned lists subnets that already exist (read back from
// a running Net): a pinned subnet whose key is still requested stays exactly
// where it is, one whose key is no longer requested is released and its
// space reused. The zero Planner has no parent and fails to allocate.
// A Planner is not modified by Allocate and is safe for concurrent use.
type Planner struct {
	Parent  netip.Prefix
	Profile Profile
	Pinned  []Allocation
}

// NewPlanner returns a Planner for parent under profile, with the pinned
// subnets that already exist.
func NewPlanner(parent netip.Prefix, profile Profile, pinned ...Allocation) *Planner {
	return &Planner{Parent: parent, Profile: profile, Pinned: pinned}
}

// Plan is the result of [Planner.Allocate] or [AllocateNets]. Its methods
// only read it and are safe for concurrent use; pass Subnets as the Pinned
// of the next [Planner] to extend the plan without moving anything.
type Plan struct {
	// Parent is the prefix allocated from.
	Parent netip.Prefix `json:"parent"`
	// Profile is the profile applied ([Generic] for a zero Profile).
	Profile Profile `json:"profile"`
	// Subnets are the pinned subnets kept and the new ones, sorted by
	// address.
	Subnets []Allocation `json:"subnets"`
	// Free are the maximal aligned blocks of Parent still free, sorted by
	// address.
	Free []netip.Prefix `json:"free"`
	// Mismatches lists pinned subnets kept although their request now asks
	// for another size, sorted by key.
	Mismatches []Mismatch `json:"mismatches,omitempty"`
	// Released lists the pinned entries that no request names, sorted by
	// address: their space is free again, and new subnets of this plan
	// may take it. For a subnet read back from the cloud whose tier was
	// removed, that is the point; for a pin the user wrote for a tier that
	// does not exist (a typo), it is a mistake the caller should refuse
	// before using the plan: a Released entry whose Name no request has
	// is exactly that case.
	Released []Allocation `json:"released,omitempty"`

	nets  bool
	index map[Key]int
}

// Get returns the allocation with key k.
func (p *Plan) Get(k Key) (Allocation, bool) {
	if p == nil {
		return Allocation{}, false
	}
	if p.index != nil {
		i, ok := p.index[k]
		if ok && i < len(p.Subnets) && p.Subnets[i].Key() == k {
			return p.Subnets[i], true
		}
	}
	for _, a := range p.Subnets { // a Plan built by hand, or modified
		if a.Key() == k {
			return a, true
		}
	}
	return Allocation{}, false
}

// Lookup returns the prefix allocated to name in zone ("" for a request
// without zones).
func (p *Plan) Lookup(name, zone string) (netip.Prefix, bool) {
	a, ok := p.Get(Key{Name: name, Zone: zone})
	return a.Prefix, ok
}

// Table returns the plan as an aligned text table with the columns NAME,
// ZONE, CIDR and USABLE (usable host addresses under the profile; for Nets
// from [AllocateNets], the number of addresses). An empty zone prints "-".
func (p *Plan) Table() string {
	var b strings.Builder
	_ = p.WriteTable(&b)
	return b.String()
}

// WriteTable writes [Plan.Table] to w.
func (p *Plan) WriteTable(w io.Writer) error {
	if w == nil {
		return fieldErr(ErrInvalid, "w", "nil", "no writer", "give an io.Writer")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tZONE\tCIDR\tUSABLE")
	if p != nil {
		for _, a := range p.Subnets {
			zone := a.Zone
			if zone == "" {
				zone = "-"
			}
			n := p.Profile.Usable(a.Prefix)
			if p.nets {
				n = blockSize(a.Prefix).uint64Sat()
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", a.Name, zone, a.Prefix, n)
		}
	}
	return tw.Flush()
}

// Allocate plans one subnet per zone of every request inside p.Parent.
//
// The result is deterministic. Pinned subnets that are still requested
// keep their prefix (even when the request now asks for another size: see
// [Mismatch]); new subnets are placed largest first, each in the smallest
// free aligned block that holds it, at its lowest address, so that
// nothing is wasted: without pinned subnets, requests whose sizes add up to
// at most the parent always fit. Equal sizes are placed in request order,
// then zone order.
//
// Problems with the input are all reported at once (errors.Join of
// [*FieldError]s wrapping [ErrInvalid], [ErrOutOfBounds], [ErrOverlap] or
// [ErrDuplicate]): a parent that is not a valid Net of the profile, names
// used twice, sizes outside the profile's subnet bounds, pinned subnets
// outside the parent, of the other family or overlapping. When the
// requests do not fit the error is a [*NoSpaceError] (matches
// [ErrNoSpace]). On error the Plan is nil.
//
// With [AWS], parent 10.0.0.0/16 and requests web, app and db of Bits 24 in
// zones a and b, web/a is 10.0.0.0/24, web/b 10.0.1.0/24, app/a 10.0.2.0/24
// and so on; adding zone c later gives web/c 10.0.6.0/24 and moves nothing.
func (p *Planner) Allocate(reqs []Request) (*Plan, error) {
	if p == nil {
		return nil, fieldErr(ErrInvalid, "planner", "", "nil planner", "use NewPlanner")
	}
	prof := p.Profile.orGeneric()
	var errs []error
	L := 0
	if err := checkPrefix("parent", p.Parent); err != nil {
		errs = append(errs, err)
	} else {
		L = p.Parent.Addr().BitLen()
		if err := prof.checkLen("parent", p.Parent.String(), L, p.Parent.Bits(), "net"); err != nil {
			errs = append(errs, err)
		}
	}
	demands, wanted, derrs := subnetDemands(reqs, prof, L)
	errs = append(errs, derrs...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return allocate(p.Parent, prof, p.Pinned, demands, wanted, false)
}

// demand is one block to place.
type demand struct {
	key  Key
	bits int
	seq  int // placement order among equal sizes
	req  int // index of the request, for errors
}

// subnetDemands validates reqs and turns them into demands, and returns a
// map from every demand's key to its index. L is the bit length of the
// parent's family, 0 when unknown (size checks skipped). Field names for
// errors are built only when there is an error: this runs once per request.
func subnetDemands(reqs []Request, prof Profile, L int) ([]demand, map[Key]int, []error) {
	var errs []error
	n := 0
	for _, r := range reqs {
		n += max(len(r.Zones), 1)
	}
	demands := make([]demand, 0, n)
	seen := make(map[Key]int, n)
	for i, r := range reqs {
		nameOK := true
		if in, pr, fx := nameProblem(r.Name); pr != "" {
			errs = append(errs, fieldErr(ErrInvalid, r.field(i, "name"), in, pr, fx))
			nameOK = false
		}
		b, err := requestBits(i, r, prof, L)
		if err != nil {
			errs = append(errs, err)
		}
		for j := range max(len(r.Zones), 1) {
			z := ""
			zfld := func() string { return r.field(i, "zones") + "[" + strconv.Itoa(j) + "]" }
			if len(r.Zones) > 0 {
				z = r.Zones[j]
				if in, pr, fx := nameProblem(z); pr != "" {
					errs = append(errs, fieldErr(ErrInvalid, zfld(), in, pr, fx))
					continue
				}
			}
			if !nameOK {
				continue
			}
			k := Key{Name: r.Name, Zone: z}
			if prev, dup := seen[k]; dup {
				f := r.field(i, "name")
				if len(r.Zones) > 0 {
					f = zfld()
				}
				pi := demands[prev].req
				errs = append(errs, fieldErr(ErrDuplicate, f, k.String(),
					"already requested by "+reqs[pi].field(pi, ""), "use another name or zone"))
				continue
			}
			seen[k] = len(demands)
			demands = append(demands, demand{key: k, bits: b, seq: len(demands), req: i})
		}
	}
	return demands, seen, errs
}

// nameProblem reports what is wrong with a request, zone or pinned name:
// the input to quote, the problem and the fix; problem is "" for a good
// name.
func nameProblem(s string) (input, problem, fix string) {
	if s == "" {
		return "", "empty name", "set a name such as \"web\""
	}
	for _, c := range s {
		if c == '/' || unicode.IsSpace(c) || !unicode.IsPrint(c) {
			return strconv.Quote(s), "names may not contain '/', spaces or control characters", "use letters, digits, '-', '_' or '.'"
		}
	}
	return "", "", ""
}

// requestBits validates the size fields of r and returns its prefix length.
func requestBits(i int, r Request, prof Profile, L int) (int, error) {
	field := func(sub string) string { return r.field(i, sub) }
	var errs []error
	if r.Bits < 0 {
		errs = append(errs, fieldErr(ErrInvalid, field("bits"), strconv.Itoa(r.Bits), "negative prefix length", "set a prefix length such as 24, or 0 to size by hosts"))
	}
	if r.Hosts < 0 {
		errs = append(errs, fieldErr(ErrInvalid, field("hosts"), strconv.Itoa(r.Hosts), "negative host count", "set the number of hosts needed"))
	}
	if r.Headroom < 0 || r.Headroom > 1000 {
		errs = append(errs, fieldErr(ErrInvalid, field("headroom"), strconv.Itoa(r.Headroom), "headroom outside 0-1000 percent", "set a percentage from 0 to 1000"))
	}
	if r.Bits == 0 && r.Hosts == 0 {
		errs = append(errs, fieldErr(ErrInvalid, field(""), "", "neither bits nor hosts set", "set bits (a prefix length) or hosts (usable addresses needed)"))
	}
	if len(errs) > 0 || L == 0 {
		return 0, errors.Join(errs...)
	}
	b := r.Bits
	if b > 0 {
		if b > L {
			return 0, fieldErr(ErrInvalid, field("bits"), strconv.Itoa(b),
				fmt.Sprintf("prefix length /%d longer than the /%d of the parent's family", b, L), fmt.Sprintf("use at most %d", L))
		}
		if bd := prof.bounds("subnet", L); bd.IsZero() || !bd.Contains(b) {
			return 0, prof.checkLen(field("bits"), strconv.Itoa(b), L, b, "subnet")
		}
	}
	if r.Hosts == 0 {
		return b, nil
	}
	need := hostsNeeded(uint64(r.Hosts), r.Headroom, prof.Reserved.Total())
	hb := bitLen128(need.sub(u128{0, 1}))
	if need.isZero() {
		hb = 0
	}
	if b > 0 { // both set: bits must hold the hosts
		if hb > L-b {
			return 0, fieldErr(ErrInvalid, field("bits"), strconv.Itoa(b),
				fmt.Sprintf("a /%d holds %d usable addresses, fewer than %d hosts with %d%% headroom", b, prof.Usable(netip.PrefixFrom(zeroAddr(L), b)), r.Hosts, r.Headroom),
				fmt.Sprintf("use a /%d or shorter, or set bits to 0", max(L-hb, 0)))
		}
		return b, nil
	}
	input := strconv.Itoa(r.Hosts)
	if hb > L {
		return 0, fieldErr(ErrOutOfBounds, field("hosts"), input, "more hosts than the address family holds", "lower hosts")
	}
	b = L - hb
	bd := prof.bounds("subnet", L)
	if !bd.IsZero() && b > bd.Max {
		b = bd.Max
	}
	if bd.IsZero() {
		return 0, prof.checkLen(field("hosts"), input, L, b, "subnet")
	}
	if b < bd.Min {
		return 0, fieldErr(ErrOutOfBounds, field("hosts"), input,
			fmt.Sprintf("%d hosts with %d%% headroom need a /%d, outside %s subnet bounds %s", r.Hosts, r.Headroom, b, prof.label(), bd),
			"lower hosts or split the request")
	}
	return b, nil
}

func zeroAddr(L int) netip.Addr {
	if L == 32 {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

// hostsNeeded returns hosts + ceil(hosts*headroom/100) + reserved.
func hostsNeeded(hosts uint64, headroom, reserved int) u128 {
	hi, lo := bits.Mul64(hosts, uint64(headroom))
	q1, r1 := hi/100, hi%100
	q0, r0 := bits.Div64(r1, lo, 100)
	extra := u128{q1, q0}
	if r0 != 0 {
		extra = extra.addSat(u128{0, 1})
	}
	return u128{0, hosts}.addSat(extra).addSat(u128{0, uint64(max(reserved, 0))})
}

func bitLen128(u u128) int {
	if u.hi != 0 {
		return 64 + bits.Len64(u.hi)
	}
	return bits.Len64(u.lo)
}

// allocate checks pinned against parent and places demands. parent is
// valid, demands are validated and wanted maps each demand's key to its
// index; allocate takes wanted over as the Plan's index.
func allocate(parent netip.Prefix, prof Profile, pinned []Allocation, demands []demand, wanted map[Key]int, nets bool) (*Plan, error) {
	valid, err := checkPinned(parent, pinned)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Parent: parent, Profile: prof, nets: nets}
	placed, subnets, kept := keepPinned(plan, pinned, valid, demands, wanted)
	subnets, err = placeDemands(plan, parent, kept, subnets, demands, placed)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(subnets, func(x, y Allocation) int { return x.Prefix.Addr().Compare(y.Prefix.Addr()) })
	plan.Subnets = subnets
	for i, a := range subnets { // the keys of subnets are exactly those of wanted
		wanted[a.Key()] = i
	}
	plan.index = wanted
	return plan, nil
}

// checkPinned validates the pinned allocations and returns the indexes
// of the valid ones, sorted by address, or every problem found.
func checkPinned(parent netip.Prefix, pinned []Allocation) ([]int, error) {
	L := parent.Addr().BitLen()
	var errs []error
	seen := make(map[Key]int, len(pinned))
	valid := make([]int, 0, len(pinned))
	for i, a := range pinned {
		field := func(suffix string) string { return "pinned[" + strconv.Itoa(i) + "]" + suffix }
		ok := true
		if in, pr, fx := nameProblem(a.Name); pr != "" {
			errs, ok = append(errs, fieldErr(ErrInvalid, field(".name"), in, pr, fx)), false
		}
		if a.Zone != "" {
			if in, pr, fx := nameProblem(a.Zone); pr != "" {
				errs, ok = append(errs, fieldErr(ErrInvalid, field(".zone"), in, pr, fx)), false
			}
		}
		if prev, dup := seen[a.Key()]; dup && ok {
			errs, ok = append(errs, fieldErr(ErrDuplicate, field(""), a.Key().String(), "already pinned by pinned["+strconv.Itoa(prev)+"]", "pin each name and zone once")), false
		}
		seen[a.Key()] = i
		if !a.Prefix.IsValid() || a.Prefix.Addr().Zone() != "" || a.Prefix.Addr().Is4In6() || a.Prefix.Masked() != a.Prefix {
			errs = append(errs, checkPrefix(field(".prefix"), a.Prefix))
			continue
		}
		if a.Prefix.Addr().BitLen() != L {
			errs = append(errs, fieldErr(ErrInvalid, field(".prefix"), a.Prefix.String(), "address family differs from the parent "+parent.String(), "pin prefixes of the parent's family"))
			continue
		}
		if a.Prefix.Bits() < parent.Bits() || !parent.Contains(a.Prefix.Addr()) {
			errs = append(errs, fieldErr(ErrOutOfBounds, field(".prefix"), a.Prefix.String(), "outside the parent "+parent.String(), "drop it or use the parent it was allocated from"))
			continue
		}
		if ok {
			valid = append(valid, i)
		}
	}
	slices.SortFunc(valid, func(x, y int) int {
		return cmp.Or(pinned[x].Prefix.Addr().Compare(pinned[y].Prefix.Addr()), cmp.Compare(pinned[x].Prefix.Bits(), pinned[y].Prefix.Bits()))
	})
	errs = append(errs, pinnedOverlaps(pinned, valid)...)
	return valid, errors.Join(errs...)
}

// pinnedOverlaps reports the valid pinned blocks that overlap an
// earlier one. Sorted by address, a block overlaps an earlier one iff
// it starts before the furthest end seen so far.
func pinnedOverlaps(pinned []Allocation, valid []int) []error {
	var errs []error
	var end u128
	endIdx := -1
	for _, i := range valid {
		a := pinned[i]
		start := addrToU128(a.Prefix.Addr())
		if endIdx >= 0 && start.cmp(end) <= 0 {
			errs = append(errs, fieldErr(ErrOverlap, "pinned["+strconv.Itoa(i)+"].prefix", a.Prefix.String(),
				"overlaps pinned["+strconv.Itoa(endIdx)+"] "+pinned[endIdx].String(), "pin each address once"))
		}
		if last := lastAddr(a.Prefix); endIdx < 0 || last.cmp(end) > 0 {
			end, endIdx = last, i
		}
	}
	return errs
}

// keepPinned keeps the valid pinned allocations still wanted, in
// address order, and records the others in plan.Released and the size
// changes in plan.Mismatches. placed[i] reports whether demand i is
// satisfied by a pin; kept lists the kept prefixes.
func keepPinned(plan *Plan, pinned []Allocation, valid []int, demands []demand, wanted map[Key]int) (placed []bool, subnets []Allocation, kept []netip.Prefix) {
	placed = make([]bool, len(demands))
	subnets = make([]Allocation, 0, len(demands))
	kept = make([]netip.Prefix, 0, len(valid))
	for _, i := range valid { // sorted by address
		a := pinned[i]
		di, ok := wanted[a.Key()]
		if !ok {
			plan.Released = append(plan.Released, a)
			continue
		}
		placed[di] = true
		subnets = append(subnets, a)
		kept = append(kept, a.Prefix)
		if b := demands[di].bits; b != a.Prefix.Bits() {
			plan.Mismatches = append(plan.Mismatches, Mismatch{Allocation: a, Bits: b})
		}
	}
	slices.SortFunc(plan.Mismatches, func(x, y Mismatch) int { return CompareKey(x.Key(), y.Key()) })
	return placed, subnets, kept
}

// placeDemands carves the demands not placed by a pin out of the space
// the kept prefixes leave free, largest first and then in request
// order, appends them to subnets and sets plan.Free.
func placeDemands(plan *Plan, parent netip.Prefix, kept []netip.Prefix, subnets []Allocation, demands []demand, placed []bool) ([]Allocation, error) {
	L := parent.Addr().BitLen()
	fl := newFreeLists(L, parent.Bits())
	var available u128
	for _, f := range gaps(parent, kept) {
		fl.push(f.Bits(), addrToU128(f.Addr()))
		available = available.addSat(blockSize(f))
	}
	// A counting sort by prefix length, stable because demands are in
	// seq order.
	var count [129]int
	var needed u128
	for i, d := range demands {
		if !placed[i] {
			count[d.bits]++
			needed = needed.addSat(pow2(L - d.bits))
		}
	}
	pos := 0
	for b := range count {
		pos, count[b] = pos+count[b], pos
	}
	todo := make([]demand, pos)
	for i, d := range demands {
		if !placed[i] {
			todo[count[d.bits]] = d
			count[d.bits]++
		}
	}
	for _, d := range todo {
		start, ok := fl.take(d.bits)
		if !ok {
			return nil, &NoSpaceError{Parent: parent, Request: d.key, Bits: d.bits,
				Needed: needed.uint64Sat(), Available: available.uint64Sat(), LargestFree: fl.largest(),
				needed: needed, available: available}
		}
		subnets = append(subnets, Allocation{Name: d.key.Name, Zone: d.key.Zone, Prefix: netip.PrefixFrom(start.addr(L), d.bits)})
	}
	plan.Free = fl.all()
	return subnets, nil
}

// gaps returns parent minus the sorted, non-overlapping blocks used, as
// maximal aligned prefixes.
func gaps(parent netip.Prefix, used []netip.Prefix) []netip.Prefix {
	L := parent.Addr().BitLen()
	var out []netip.Prefix
	next := addrToU128(parent.Addr())
	last := lastAddr(parent)
	more := true // next has not run past last
	emit := func(from, to u128) {
		out = append(out, rangePrefixes(from, to, L)...)
	}
	for _, u := range used {
		s := addrToU128(u.Addr())
		if more && s.cmp(next) > 0 {
			emit(next, s.sub(u128{0, 1}))
		}
		e := lastAddr(u)
		if e.cmp(last) == 0 {
			more = false
		} else {
			next, _ = e.add(u128{0, 1})
		}
	}
	if more {
		emit(next, last)
	}
	return out
}

// rangePrefixes splits [from, to] into maximal aligned blocks.
func rangePrefixes(from, to u128, L int) []netip.Prefix {
	var out []netip.Prefix
	for {
		// Largest n with from aligned to 2^n and from+2^n-1 <= to.
		n := 0
		for n < L {
			m := lowMask(n + 1)
			if !from.and(m).isZero() || from.or(m).cmp(to) > 0 {
				break
			}
			n++
		}
		out = append(out, netip.PrefixFrom(from.addr(L), L-n))
		end := from.or(lowMask(n))
		if end.cmp(to) >= 0 {
			return out
		}
		from, _ = end.add(u128{0, 1})
	}
}

// freeLists holds free aligned blocks by prefix length, each level a
// min-heap of start addresses.
type freeLists struct {
	L, min int
	lv     [][]u128 // index: prefix length
}

func newFreeLists(L, minBits int) *freeLists {
	return &freeLists{L: L, min: minBits, lv: make([][]u128, L+1)}
}

func (f *freeLists) push(bits int, a u128) {
	h := append(f.lv[bits], a)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if h[p].cmp(h[i]) <= 0 {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	f.lv[bits] = h
}

func (f *freeLists) pop(bits int) u128 {
	h := f.lv[bits]
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		l, s := 2*i+1, i
		if l < n && h[l].cmp(h[s]) < 0 {
			s = l
		}
		if r := l + 1; r < n && h[r].cmp(h[s]) < 0 {
			s = r
		}
		if s == i {
			break
		}
		h[i], h[s] = h[s], h[i]
		i = s
	}
	f.lv[bits] = h
	return top
}

// take places a block of prefix length bits in the smallest free block
// that holds it, at that block's start, and frees the rest of it.
func (f *freeLists) take(bits int) (u128, bool) {
	if bits > f.L || bits < f.min {
		return u128{}, false
	}
	j := bits
	for j >= f.min && len(f.lv[j]) == 0 {
		j--
	}
	if j < f.min {
		return u128{}, false
	}
	start := f.pop(j)
	for k := j + 1; k <= bits; k++ {
		f.push(k, start.or(pow2(f.L-k)))
	}
	return start, true
}

// largest returns the largest free block at the lowest address.
func (f *freeLists) largest() netip.Prefix {
	for j := f.min; j <= f.L; j++ {
		if len(f.lv[j]) > 0 {
			return netip.PrefixFrom(f.lv[j][0].addr(f.L), j)
		}
	}
	return netip.Prefix{}
}

// all returns every free block sorted by address.
func (f *freeLists) all() []netip.Prefix {
	n := 0
	for _, h := range f.lv {
		n += len(h)
	}
	out := make([]netip.Prefix, 0, n)
	for j, h := range f.lv {
		for _, a := range h {
			out = append(out, netip.PrefixFrom(a.addr(f.L), j))
		}
	}
	slices.SortFunc(out, func(x, y netip.Prefix) int { return x.Addr().Compare(y.Addr()) })
	return out
}
