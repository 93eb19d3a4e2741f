package fake_test

import (
	"testing"

	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/providertest"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		return providertest.NewHarness(fake.New())
	})
}

func TestConformanceOutscale(t *testing.T) {
	providertest.Run(t, func(t *testing.T) providertest.Harness {
		return providertest.NewHarness(fake.New(fake.Outscale, func(o *fake.Options) { o.PendingReads = 3 }))
	})
}
