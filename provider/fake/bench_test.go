package fake_test

import (
	"fmt"
	"testing"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/provider/driver"
	"github.com/archkit/archkit/provider/fake"
	"github.com/archkit/archkit/provider/providertest"
)

// BenchmarkDeploy creates the conformance deployment (22 resources, three
// of them pending for one Read) in a new Driver.
func BenchmarkDeploy(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		d := fake.New()
		providertest.Deploy(b.Context(), b, d, "bench")
	}
}

// BenchmarkList lists the subnets of one deployment among n.
func BenchmarkList(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			d := fake.New(func(o *fake.Options) {
				o.Profile = netplan.AWS
				o.Profile.Quotas.NATsPerZone = 0 // no limit
			})
			for i := range n {
				providertest.Deploy(b.Context(), b, d, fmt.Sprintf("dep%d", i))
			}
			q := driver.Query{Deployment: "dep0", Kind: blueprint.KindSubnet}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.List(b.Context(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
