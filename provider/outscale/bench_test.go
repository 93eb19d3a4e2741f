package outscale_test

import (
	"testing"

	"github.com/archkit/archkit/provider/outscale/osctest"
)

// BenchmarkApplyThreeTier applies seed 000 to the test server and destroys
// it, per iteration; it reports the OUTSCALE requests of the apply
// (requests/apply, writes/apply) and its makespan (ns-makespan/apply).
// Every request and response is validated against the OpenAPI
// description, which dominates the CPU time.
func BenchmarkApplyThreeTier(b *testing.B) {
	bp := threeTier(b, false)
	srv := osctest.New(b, func(o *osctest.Options) { o.PendingReads = -1 })
	d := newDriver(b, srv)
	eng := engineFor(d)
	b.ReportAllocs()
	var reqs, wr, makespan int64
	n := 0
	for b.Loop() {
		before, perBefore := srv.Requests()
		res, err := eng.Apply(b.Context(), bp)
		if err != nil {
			b.Fatal(err)
		}
		after, perAfter := srv.Requests()
		reqs += int64(after - before)
		wr += int64(writes(perAfter) - writes(perBefore))
		makespan += int64(res.Makespan)
		n++
		if _, err := eng.Destroy(b.Context(), bp.Deployment, allowStateful(bp)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(reqs)/float64(n), "requests/apply")
	b.ReportMetric(float64(wr)/float64(n), "writes/apply")
	b.ReportMetric(float64(makespan)/float64(n), "ns-makespan/apply")
}
