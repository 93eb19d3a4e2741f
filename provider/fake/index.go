package fake

import (
	"encoding/binary"
	"iter"
	mbits "math/bits"
	"net/netip"
	"slices"

	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
)

// index finds stored resources by kind and by the keys a validation looks
// them up with (a subnet by its Net and its range, a route table by its
// subnet, a group by its name in its Net), so that a create looks at the
// resources it may conflict with and never scans the whole store: an
// apply grows linearly with the resources it makes. The keys of each kind
// are [kindOps.keys]; an entry is indexed under the keys of its current
// spec (kept in entry.keys), and indexed again whenever its spec changes.
//
// The logical-id tag and the resources a spec refers to, keys every entry
// has, are in maps of their own keyed by a string: their slots are 24
// bytes, not the 88 of byKey's, which halves the memory the index takes.
type index struct {
	byKind  map[blueprint.Kind]*set
	byKey   map[indexKey]*set
	logical map[string]*set // by logical-id tag, of any kind
	uses    map[string]*set // by an id a spec refers to (see users)
}

// key is what a resource occupies or belongs to: a tag ("net", "subnet",
// "group", "name", ...) with a provider id or a name, and a range.
type key struct {
	tag, ref string
	p        netip.Prefix
}

type indexKey struct {
	kind blueprint.Kind
	key
}

func newIndex() index {
	return index{byKind: map[blueprint.Kind]*set{}, byKey: map[indexKey]*set{}, logical: map[string]*set{}, uses: map[string]*set{}}
}

// indexAdd indexes e under its kind and the keys of its spec.
func (d *Driver) indexAdd(e *entry) {
	ix := &d.idx
	put(ix.byKind, e.kind, e)
	var keys []key
	if f := kinds[e.kind].keys; f != nil {
		keys = f(d, &e.res)
	}
	e.keys = make([]indexKey, 0, len(keys))
	for _, k := range keys {
		e.keys = append(e.keys, indexKey{e.kind, k})
	}
	for _, ik := range e.keys {
		put(ix.byKey, ik, e)
	}
	if e.logical = e.tags[driver.TagLogicalID]; e.logical != "" {
		put(ix.logical, e.logical, e)
	}
	e.uses = nil
	for _, r := range e.res.Refs() {
		if t, ok := d.res[string(*r)]; ok && t.kind != blueprint.KindNet && kinds[t.kind].blockedBy != nil {
			e.uses = append(e.uses, string(*r)) // of any kind; a Net's delete scans them all
			put(ix.uses, string(*r), e)
		}
	}
}

// tagged returns the resources of kind k whose logical-id tag is id: what
// a driver's look-up before a create filters on.
func (d *Driver) tagged(k blueprint.Kind, id string) []*entry {
	all := d.idx.logical[id].all()
	for _, e := range all {
		if e.kind != k { // rare: one logical id on two kinds
			return slices.DeleteFunc(slices.Clone(all), func(e *entry) bool { return e.kind != k })
		}
	}
	return all
}

// indexRemove drops e from the index.
func (d *Driver) indexRemove(e *entry) {
	ix := &d.idx
	take(ix.byKind, e.kind, e)
	for _, ik := range e.keys {
		take(ix.byKey, ik, e)
	}
	if e.logical != "" {
		take(ix.logical, e.logical, e)
	}
	for _, u := range e.uses {
		take(ix.uses, u, e)
	}
	e.keys, e.logical, e.uses = nil, "", nil
}

func put[K comparable](m map[K]*set, k K, e *entry) {
	s := m[k]
	if s == nil {
		s = &set{}
		m[k] = s
	}
	s.add(e)
}

func take[K comparable](m map[K]*set, k K, e *entry) {
	if s := m[k]; s != nil {
		s.remove(e)
		if len(s.list) == 0 {
			delete(m, k)
		}
	}
}

// set holds the entries of one kind or key: most keys hold one entry,
// so a set is a slice, with a map of positions once it holds more than
// setMapAt entries, so that adding and removing stay constant-time.
type set struct {
	list []*entry
	at   map[*entry]int
}

const setMapAt = 16

func (s *set) add(e *entry) {
	if s.has(e) {
		return
	}
	if s.at != nil {
		s.at[e] = len(s.list)
	}
	s.list = append(s.list, e)
	if s.at == nil && len(s.list) > setMapAt {
		s.at = make(map[*entry]int, 2*len(s.list))
		for i, o := range s.list {
			s.at[o] = i
		}
	}
}

func (s *set) has(e *entry) bool {
	if s == nil {
		return false
	}
	if s.at != nil {
		_, ok := s.at[e]
		return ok
	}
	return slices.Contains(s.list, e)
}

func (s *set) remove(e *entry) {
	i := -1
	if s.at != nil {
		if j, ok := s.at[e]; ok {
			i = j
			delete(s.at, e)
		}
	} else {
		i = slices.Index(s.list, e)
	}
	if i < 0 {
		return
	}
	last := len(s.list) - 1
	if i != last {
		s.list[i] = s.list[last]
		if s.at != nil {
			s.at[s.list[i]] = i
		}
	}
	s.list[last] = nil
	s.list = s.list[:last]
}

func (s *set) len() int {
	if s == nil {
		return 0
	}
	return len(s.list)
}

// others returns the stored resources of kind k except old, in id order.
func (d *Driver) others(k blueprint.Kind, old *entry) []*entry {
	return sorted(d.idx.byKind[k], old)
}

// keyed returns the stored resources of kind k indexed under key kk,
// except old, in id order.
func (d *Driver) keyed(k blueprint.Kind, kk key, old *entry) []*entry {
	return sorted(d.idx.byKey[indexKey{k, kk}], old)
}

// count returns how many stored resources of kind k are indexed under key
// kk, old excepted; the zero key counts every resource of the kind.
func (d *Driver) count(k blueprint.Kind, kk key, old *entry) int {
	s := d.idx.byKind[k]
	if kk != (key{}) {
		s = d.idx.byKey[indexKey{k, kk}]
	}
	n := s.len()
	if old != nil && s.has(old) {
		n--
	}
	return n
}

func sorted(s *set, old *entry) []*entry {
	if s.len() == 0 {
		return nil
	}
	out := make([]*entry, 0, len(s.list))
	for _, o := range s.list {
		if o != old {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b *entry) int { return compareIDs(a.id, b.id) })
	return out
}

// The keys of the index.
func netKey(net blueprint.Ref) key  { return key{tag: "net", ref: string(net)} }
func subnetKey(s blueprint.Ref) key { return key{tag: "subnet", ref: string(s)} }
func groupKey(g blueprint.Ref) key  { return key{tag: "group", ref: string(g)} }
func nameKey(name string) key       { return key{tag: "name", ref: name} }

// nameInNetKey is the key of a name that must be unique in a Net.
func nameInNetKey(net blueprint.Ref, name string) key {
	return key{tag: "name", ref: string(net) + "\x00" + name}
}

// rangeKey is the key of a subnet's range; lengthKey(net, a, bits) the
// key of the subnets of net whose range, of a's family, is that long.
func rangeKey(net blueprint.Ref, p netip.Prefix) key {
	return key{tag: "range", ref: string(net), p: p.Masked()}
}

func lengthKey(net blueprint.Ref, a netip.Addr, bits int) key {
	zero := netip.IPv4Unspecified()
	if a.Is6() {
		zero = netip.IPv6Unspecified()
	}
	return key{tag: "length", ref: string(net), p: netip.PrefixFrom(zero, bits)}
}

// users returns the stored resources whose spec refers to id, a
// resource whose delete they may stop (a kind with blockedBy, but a Net),
// across kinds.
func (d *Driver) users(id string) []*entry {
	return d.idx.uses[id].all()
}

// sourceKey is the key of the read replicas of a database.
func sourceKey(db blueprint.Ref) key { return key{tag: "source", ref: string(db)} }

// subnetKeys indexes a subnet under its Net, its range and its range's
// length.
func subnetKeys(_ *Driver, r *blueprint.Resource) []key {
	s := r.Subnet
	return []key{netKey(s.Net), rangeKey(s.Net, s.CIDR), lengthKey(s.Net, s.CIDR.Addr(), s.CIDR.Bits())}
}

// overlapping returns the first subnet of net, in id order, whose range
// overlaps p, old excepted, or nil. A range that holds p starts at p's
// address and is no longer: one look-up per length. A range inside p is
// longer: for each length the Net's subnets have, it looks up each range
// of that length in p when they are fewer than the subnets of that
// length, and scans those subnets otherwise. An apply, whose subnets
// share a few lengths, makes a bounded number of look-ups per subnet.
func (d *Driver) overlapping(net blueprint.Ref, p netip.Prefix, old *entry) *entry {
	k := blueprint.KindSubnet
	var hits []*entry
	for b := 0; b <= p.Bits(); b++ {
		hits = append(hits, d.keyed(k, rangeKey(net, netip.PrefixFrom(p.Addr(), b)), old)...)
	}
	for l := p.Bits() + 1; l <= p.Addr().BitLen(); l++ {
		n := d.count(k, lengthKey(net, p.Addr(), l), nil)
		if n == 0 {
			continue
		}
		if span := l - p.Bits(); span < 20 && 1<<span <= n {
			for q := range ranges(p, l) {
				hits = append(hits, d.keyed(k, rangeKey(net, q), old)...)
			}
			continue
		}
		for _, o := range d.keyed(k, lengthKey(net, p.Addr(), l), old) {
			if p.Contains(o.res.Subnet.CIDR.Addr()) {
				hits = append(hits, o)
			}
		}
	}
	if len(hits) == 0 {
		return nil
	}
	return slices.MinFunc(hits, func(a, b *entry) int { return compareIDs(a.id, b.id) })
}

// ranges yields the 2^(bits-p.Bits()) ranges of length bits inside p, in
// address order.
func ranges(p netip.Prefix, bits int) iter.Seq[netip.Prefix] {
	return func(yield func(netip.Prefix) bool) {
		a := p.Masked().Addr().As16()
		hi, lo := binary.BigEndian.Uint64(a[:8]), binary.BigEndian.Uint64(a[8:])
		shift := uint(p.Addr().BitLen() - bits) // ranges are 2^shift addresses apart
		for i := uint64(0); i < 1<<(bits-p.Bits()); i++ {
			dhi, dlo := i>>(64-shift), i<<shift // i << shift on 128 bits
			if shift == 0 {
				dhi = 0
			} else if shift >= 64 {
				dhi, dlo = i<<(shift-64), 0
			}
			l, carry := mbits.Add64(lo, dlo, 0)
			h, _ := mbits.Add64(hi, dhi, carry)
			var b [16]byte
			binary.BigEndian.PutUint64(b[:8], h)
			binary.BigEndian.PutUint64(b[8:], l)
			q := netip.AddrFrom16(b)
			if p.Addr().Is4() {
				q = q.Unmap()
			}
			if !yield(netip.PrefixFrom(q, bits)) {
				return
			}
		}
	}
}

// all returns the entries of s, in no particular order.
func (s *set) all() []*entry {
	if s == nil {
		return nil
	}
	return s.list
}
