package netplan_test

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/archkit/archkit/netplan"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzParsePrefix checks that ParsePrefix never panics, that what it
// accepts round-trips through String like netip, and that it agrees with
// netip.ParsePrefix, the oracle, on every network prefix.
func FuzzParsePrefix(f *testing.F) {
	for _, s := range []string{
		"10.0.0.0/16", "10.0.0.1/16", "fd00::/56", "fd00::1/64", "::/0", "0.0.0.0/0",
		"::ffff:10.0.0.0/104", "fe80::%eth0/64", "10.0.0.0", "10.0.0.0/33", "", " ", "/", "1/1",
		"255.255.255.255/32", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "10.0.0.0/016", "1.2.3.4/-1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := netplan.ParsePrefix(s)
		want, oracleErr := netip.ParsePrefix(s)
		networkPrefix := oracleErr == nil && want.Masked() == want && !want.Addr().Is4In6() && want.Addr().Zone() == ""
		if err != nil {
			require.False(t, networkPrefix, "netip parses %q as a network prefix: %v", s, err)
			require.ErrorIs(t, err, netplan.ErrInvalid)
			var fe *netplan.FieldError
			require.ErrorAs(t, err, &fe)
			require.False(t, p.IsValid())
			return
		}
		require.True(t, networkPrefix, "netip refuses %q or it is not a network", s)
		require.Equal(t, want, p)
		p2, err := netplan.ParsePrefix(p.String())
		require.NoError(t, err, "round trip of %q via %q", s, p.String())
		require.Equal(t, p, p2)
	})
}

// FuzzAllocate checks the allocator on arbitrary parents and request sizes
// against netipx: every subnet inside the parent, aligned, of the asked
// size, no overlap, free space exactly the rest; then pins the result, adds
// a request and checks that nothing moved. It never panics; errors match a
// sentinel and come with a nil plan.
func FuzzAllocate(f *testing.F) {
	f.Add("10.0.0.0/16", uint8(0), []byte{24, 24, 24}, uint8(2))
	f.Add("10.0.0.0/22", uint8(0), []byte{24, 24, 24, 24, 24}, uint8(1))
	f.Add("fd00::/48", uint8(2), []byte{64, 60, 64, 56}, uint8(3))
	f.Add("2600:1f18::/56", uint8(0), []byte{64, 64}, uint8(3))
	f.Add("10.0.0.1/16", uint8(1), []byte{29, 0}, uint8(0))
	f.Add("0.0.0.0/0", uint8(2), []byte{8, 1, 30, 255}, uint8(4))
	f.Fuzz(func(t *testing.T, parentStr string, profileSel uint8, sizes []byte, zones uint8) {
		parent, err := netip.ParsePrefix(parentStr)
		if err != nil {
			return
		}
		if len(sizes) > 64 {
			sizes = sizes[:64]
		}
		profile := netplan.Profiles()[int(profileSel)%3]
		var zoneNames []string
		for z := range int(zones % 5) {
			zoneNames = append(zoneNames, string(rune('a'+z)))
		}
		reqs := make([]netplan.Request, len(sizes))
		for i, b := range sizes {
			reqs[i] = netplan.Request{Name: "t" + string(rune('A'+i)), Zones: zoneNames}
			if b >= 200 {
				reqs[i].Hosts = int(b-200) * 37
			} else {
				reqs[i].Bits = int(b)
			}
		}
		plan, err := netplan.NewPlanner(parent, profile).Allocate(reqs)
		if err != nil {
			require.Nil(t, plan)
			require.True(t, errors.Is(err, netplan.ErrInvalid) || errors.Is(err, netplan.ErrOutOfBounds) ||
				errors.Is(err, netplan.ErrNoSpace) || errors.Is(err, netplan.ErrDuplicate), "%v", err)
			return
		}
		assertPlanValid(t, plan)
		for _, r := range reqs {
			for _, z := range append(r.Zones, "")[:max(len(r.Zones), 1)] {
				p, ok := plan.Lookup(r.Name, z)
				require.True(t, ok, "%s/%s", r.Name, z)
				if r.Bits > 0 {
					assert.Equal(t, r.Bits, p.Bits())
				} else {
					assert.GreaterOrEqual(t, profile.Usable(p), uint64(r.Hosts))
				}
			}
		}
		more := append(reqs, netplan.Request{Name: "extra", Bits: min(parent.Bits()+4, parent.Addr().BitLen())})
		plan2, err := netplan.NewPlanner(parent, profile, plan.Subnets...).Allocate(more)
		if err != nil {
			require.True(t, errors.Is(err, netplan.ErrNoSpace) || errors.Is(err, netplan.ErrOutOfBounds), "%v", err)
			return
		}
		assertPlanValid(t, plan2)
		for _, a := range plan.Subnets {
			got, ok := plan2.Get(a.Key())
			require.True(t, ok)
			require.Equal(t, a, got, "%s moved", a.Key())
		}
	})
}
