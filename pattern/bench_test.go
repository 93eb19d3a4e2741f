package pattern_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/netplan"
	"github.com/archkit/archkit/pattern"
	"github.com/archkit/archkit/pattern/blueprint"
	"github.com/archkit/archkit/tier"
)

// synthetic returns an architecture of n tiers in two zones: a public
// edge with a load balancer, then n-1 private tiers in a chain, each
// reaching the next on tcp/8080 and running a cluster, with one subnet of
// 16 addresses per tier per zone in a /16.
func synthetic(n int) *pattern.Architecture {
	a := pattern.New("bench", "10.0.0.0/16")
	edge := tier.LoadBalancers("edge", netplan.Public)
	edge.Hosts = 11
	a.AddTier(edge)
	prev := ""
	for i := 1; i < n; i++ {
		name := fmt.Sprintf("t%d", i)
		t := tier.App(name)
		t.Hosts = 11
		a.AddTier(t)
		a.AddCluster(tier.NewCluster(name, "image", "t3.small"))
		if prev != "" {
			a.Connect(prev, name)
		}
		prev = name
	}
	a.AddLB(tier.PublicLB("front", "edge", "t1", 8080))
	return a
}

func TestSyntheticBuilds(t *testing.T) {
	t.Parallel()
	bp, err := synthetic(100).Build()
	require.NoError(t, err)
	require.Len(t, bp.OfKind(blueprint.KindSubnet), 200)
}

// BenchmarkBuild measures Build as the architecture grows: planning,
// two rule derivations, lint and the Blueprint.
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		a := synthetic(n)
		b.Run(fmt.Sprintf("tiers=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Build(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
