package pattern_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/pattern"
)

// Seed 001's table, with a 365-day year.
func TestAvailabilitySeed001Table(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a        pattern.Availability
		nines    float64
		downtime time.Duration
		text     string
	}{
		{0.99, 2, 87*time.Hour + 36*time.Minute, "3.65 days"},
		{0.999, 3, 8*time.Hour + 45*time.Minute + 36*time.Second, "8.76 hours"},
		{0.9999, 4, 52*time.Minute + 33*time.Second + 600*time.Millisecond, "52.56 minutes"},
		{0.99999, 5, 5*time.Minute + 15*time.Second + 360*time.Millisecond, "5.26 minutes"},
		{0.999999, 6, 31*time.Second + 536*time.Millisecond, "31.5 seconds"},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.nines, tc.a.Nines())
			assert.Equal(t, tc.downtime, tc.a.Downtime())
			assert.Equal(t, tc.text, tc.a.DowntimeString())
		})
	}
	assert.Equal(t, "99.99% (4 nines, 52.56 minutes down per year)", pattern.Availability(0.9999).String())
	assert.True(t, math.IsInf(pattern.Availability(1).Nines(), 1))
	assert.Equal(t, time.Duration(0), pattern.Availability(1).Downtime())
}

func TestRedundancyArithmetic(t *testing.T) {
	t.Parallel()
	assert.InDelta(t, 0.9999, float64(pattern.Parallel(0.99, 0.99)), 1e-12)
	assert.InDelta(t, 0.999999, float64(pattern.Parallel(0.99, 0.99, 0.99)), 1e-12)
	assert.InDelta(t, 0.99970003, float64(pattern.Series(0.9999, 0.9999, 0.9999)), 1e-8)
	// Two nodes in one zone are no better than the zone.
	assert.InDelta(t, 0.999*0.9999, float64(pattern.Spread(2, 1, 0.99, 0.999)), 1e-12)
	// Two nodes over two zones: 1 - (1 - 0.999*0.99)^2.
	assert.InDelta(t, 1-math.Pow(1-0.999*0.99, 2), float64(pattern.Spread(2, 2, 0.99, 0.999)), 1e-12)
	// Four nodes over two zones: two per zone.
	perZone := 0.999 * (1 - math.Pow(0.01, 2))
	assert.InDelta(t, 1-math.Pow(1-perZone, 2), float64(pattern.Spread(4, 2, 0.99, 0.999)), 1e-12)
	assert.Equal(t, pattern.Availability(0), pattern.Spread(0, 2, 0.99, 0.999))
}

func TestArchitectureAvailability(t *testing.T) {
	t.Parallel()
	a := pattern.ThreeTier(pattern.ThreeTierOptions{})
	r, err := a.Availability(0.99, 1)
	require.NoError(t, err)
	assert.Equal(t, []string{"nginx", "intel", "db"}, r.Path)
	for _, tr := range r.Tiers {
		assert.Equal(t, 2, tr.Nodes)
		assert.Equal(t, 2, tr.Zones)
		assert.InDelta(t, 0.9999, float64(tr.Availability), 1e-12, tr.Tier)
	}
	assert.InDelta(t, math.Pow(0.9999, 3), float64(r.Availability), 1e-12)

	// One node per tier in one zone: the seed's single points of failure.
	single := pattern.ThreeTier(pattern.ThreeTierOptions{Nodes: 1})
	r1, err := single.Availability(0.99, 1, "nginx", "db")
	require.NoError(t, err)
	assert.InDelta(t, 0.99*0.99, float64(r1.Availability), 1e-12)

	_, err = a.Availability(0.99, 1, "nope")
	assert.ErrorContains(t, err, "pattern: path[0]: nope")
	_, err = a.Availability(1.5, 1)
	assert.Error(t, err)

	// Managed database: two nodes with a Multi-AZ standby.
	w := pattern.WebApp(pattern.WebAppOptions{})
	rw, err := w.Availability(0.99, 0.999)
	require.NoError(t, err)
	assert.Equal(t, []string{"app-lb", "app", "db"}, rw.Path)
	assert.Equal(t, 2, rw.Tiers[2].Nodes)
}
