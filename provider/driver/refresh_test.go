package driver_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider/driver"
)

func TestSharedReadsOncePerRefresh(t *testing.T) {
	t.Parallel()
	var reads atomic.Int32
	read := func(context.Context) ([]string, error) {
		reads.Add(1)
		return []string{"sg-1", "sg-2"}, nil
	}
	ctx := driver.WithRefresh(t.Context())
	var wg sync.WaitGroup
	for range 8 { // the kinds of one refresh, listed at once
		wg.Go(func() {
			got, err := driver.Shared(ctx, "DescribeSecurityGroups vpc-id=vpc-1", read)
			assert.NoError(t, err)
			assert.Equal(t, []string{"sg-1", "sg-2"}, got)
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), reads.Load(), "one read for the whole refresh")

	_, err := driver.Shared(ctx, "DescribeSecurityGroups vpc-id=vpc-2", read)
	require.NoError(t, err)
	assert.Equal(t, int32(2), reads.Load(), "another request is another read")

	_, err = driver.Shared(driver.WithRefresh(t.Context()), "DescribeSecurityGroups vpc-id=vpc-1", read)
	require.NoError(t, err)
	assert.Equal(t, int32(3), reads.Load(), "a new refresh reads again")

	_, err = driver.Shared(t.Context(), "DescribeSecurityGroups vpc-id=vpc-1", read)
	require.NoError(t, err)
	_, err = driver.Shared(t.Context(), "DescribeSecurityGroups vpc-id=vpc-1", read)
	require.NoError(t, err)
	assert.Equal(t, int32(5), reads.Load(), "outside a refresh, every call reads")
}

func TestSharedKeepsNoError(t *testing.T) {
	t.Parallel()
	ctx := driver.WithRefresh(t.Context())
	throttled := driver.NewError("DescribeDBInstances", "database", "", driver.Throttled, errors.New("slow down"))
	calls := 0
	read := func(context.Context) (int, error) {
		calls++
		if calls == 1 {
			return 0, throttled
		}
		return 7, nil
	}
	_, err := driver.Shared(ctx, "DescribeDBInstances", read)
	require.ErrorIs(t, err, throttled)
	got, err := driver.Shared(ctx, "DescribeDBInstances", read)
	require.NoError(t, err, "the retry reads again")
	assert.Equal(t, 7, got)
	got, err = driver.Shared(ctx, "DescribeDBInstances", read)
	require.NoError(t, err)
	assert.Equal(t, 7, got)
	assert.Equal(t, 2, calls)
}

func TestSharedReadPanics(t *testing.T) {
	t.Parallel()
	ctx := driver.WithRefresh(t.Context())
	assert.Panics(t, func() {
		_, _ = driver.Shared(ctx, "k", func(context.Context) (int, error) { panic("bug") })
	})
	got, err := driver.Shared(ctx, "k", func(context.Context) (int, error) { return 1, nil })
	require.NoError(t, err, "a panicked read is not kept")
	assert.Equal(t, 1, got)
}

func TestSharedWaiterHonoursItsContext(t *testing.T) {
	t.Parallel()
	ctx := driver.WithRefresh(t.Context())
	started, release := make(chan struct{}), make(chan struct{})
	go func() {
		_, _ = driver.Shared(ctx, "k", func(context.Context) (int, error) {
			close(started)
			<-release
			return 1, nil
		})
	}()
	<-started
	wctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := driver.Shared(wctx, "k", func(context.Context) (int, error) { return 2, nil })
	require.ErrorIs(t, err, context.Canceled)
	close(release)
}
