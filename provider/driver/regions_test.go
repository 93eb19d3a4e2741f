package driver_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/archkit/archkit/provider/driver"
)

func TestRegionEnded(t *testing.T) {
	t.Parallel()
	assert.Nil(t, driver.RegionEnded(t.Context(), "eu-west-1"), "no multi-region run: never ends")
	ctx, end := driver.WithRegionRuns(t.Context(), []string{"eu-west-1", "eu-west-3"})
	west1, west3 := driver.RegionEnded(ctx, "eu-west-1"), driver.RegionEnded(ctx, "eu-west-3")
	assert.Nil(t, driver.RegionEnded(ctx, "us-east-1"), "a region the run does not drive")
	end("eu-west-1")
	end("eu-west-1") // twice: nothing more
	end("us-east-1")
	assert.True(t, isClosed(west1))
	assert.True(t, isClosed(driver.RegionEnded(ctx, "eu-west-1")), "asked after the end")
	assert.False(t, isClosed(west3))
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
