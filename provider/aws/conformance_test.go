package aws_test

import (
	"testing"

	"github.com/archkit/archkit/provider/providertest"
)

// motoGaps are the behaviours where moto 5.2 is less strict than AWS; the
// conformance suite logs their checks instead of failing (see doc.go).
// Two gaps of moto are closed by the driver itself and not listed:
// client tokens (moto ignores them; the driver finds what an earlier call
// made by its tags, name or subnet first) and subnet prefix bounds (the
// driver refuses a subnet outside /16-/28 before calling).
var motoGaps = []string{
	providertest.GapDeleteSGInUse,
	providertest.GapDeleteSubnetInUse,
	providertest.GapReleaseIPInUse,
	providertest.GapDBSubnetGroupOneZone,
}

func TestConformance(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		return providertest.NewHarness(newDriver(t).Driver, motoGaps...)
	})
}
