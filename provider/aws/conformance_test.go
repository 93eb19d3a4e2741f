package aws_test

import (
	"testing"

	"github.com/archkit/archkit/provider/providertest"
)

// motoGaps are the behaviours where moto 5.2 is less strict than AWS; the
// conformance suite logs their checks instead of failing (see doc.go).
// moto ignores client tokens: a repeated create is made idempotent by the
// driver (it finds what an earlier call made by its tags, name or subnet
// first), but a token of a deleted resource makes a new one on moto where
// AWS answers with the deleted one (token-after-delete). Subnet prefix
// bounds are closed by the driver (it refuses a subnet outside /16-/28
// before calling) and not listed.
var motoGaps = []string{
	providertest.GapDeleteSGInUse,
	providertest.GapDeleteSubnetInUse,
	providertest.GapReleaseIPInUse,
	providertest.GapTokenAfterDelete,
	providertest.GapDBSubnetGroupOneZone,
}

func TestConformance(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		return providertest.NewHarness(newDriver(t).Driver, motoGaps...)
	})
}
