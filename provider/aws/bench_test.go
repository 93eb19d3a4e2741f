package aws_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
)

// BenchmarkApplyWebApp applies the seed 003 web app through the engine on
// moto, in a fresh account each time, and reports the AWS API calls of an
// apply; ns/op is the makespan against moto.
func BenchmarkApplyWebApp(b *testing.B) {
	b.ReportAllocs()
	var writes, reads int64
	for b.Loop() {
		b.StopTimer()
		td := newDriver(b)
		bp, err := pattern.WebApp(pattern.WebAppOptions{Name: "bench", Profile: netplan.AWS, Image: motoImage}).Build()
		require.NoError(b, err)
		eng := engine(td.Driver)
		b.StartTimer()
		_, err = eng.Apply(b.Context(), bp)
		require.NoError(b, err)
		w, r, _ := td.calls.snapshot()
		writes += w
		reads += r
	}
	b.ReportMetric(float64(writes)/float64(b.N), "writes/op")
	b.ReportMetric(float64(reads)/float64(b.N), "reads/op")
}
