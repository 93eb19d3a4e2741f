package osctest_test

import (
	"testing"

	osc "github.com/outscale/osc-sdk-go/v2"

	"github.com/archkit/archkit/provider/outscale/osctest"
)

// BenchmarkCreateAndReadNet measures one validated write and one validated
// read through the SDK: the cost a driver test pays per call.
func BenchmarkCreateAndReadNet(b *testing.B) {
	s := osctest.New(b, func(o *osctest.Options) { o.Quotas = map[string]int{"vpc_limit": 1 << 30} })
	c, ctx := client(b, s)
	b.ReportAllocs()
	for b.Loop() {
		r, _, err := c.NetApi.CreateNet(ctx).CreateNetRequest(osc.CreateNetRequest{IpRange: "10.0.0.0/16"}).Execute()
		if err != nil {
			b.Fatal(err)
		}
		id := r.Net.GetNetId()
		if _, _, err := c.NetApi.ReadNets(ctx).ReadNetsRequest(osc.ReadNetsRequest{Filters: &osc.FiltersNet{NetIds: &[]string{id}}}).Execute(); err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.NetApi.DeleteNet(ctx).DeleteNetRequest(osc.DeleteNetRequest{NetId: id}).Execute(); err != nil {
			b.Fatal(err)
		}
	}
}
