package provider_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/archkit/archkit/provider"
	"github.com/archkit/archkit/provider/fake"
)

// A Destroy that lists nothing while another run holds the deployment's
// lock (that run is creating it) does not report "nothing to destroy": it
// fails with ErrLocked, or waits for the run and then deletes what it made.
func TestDestroyOfAnEmptyDeploymentWaitsForItsWriter(t *testing.T) {
	t.Parallel()
	d := fake.New()
	eng := provider.NewEngine(d)
	lease, err := eng.Lock(t.Context(), "shop")
	require.NoError(t, err)

	_, err = eng.Destroy(t.Context(), "shop")
	require.ErrorIs(t, err, provider.ErrLocked, "the writer's lock is live")

	done := make(chan error, 1)
	go func() {
		_, err := eng.Destroy(context.Background(), "shop", func(o *provider.DestroyOptions) {
			o.Lock.Wait = time.Minute
			o.AllowDataLoss, o.SkipFinalSnapshot = []string{"database/db"}, true
		})
		done <- err
	}()
	_, err = eng.Apply(t.Context(), threeTier("shop", ""), func(o *provider.ApplyOptions) { o.Lease = lease })
	require.NoError(t, err)
	require.NotEmpty(t, d.Resources())
	require.NoError(t, lease.Release(t.Context()))

	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("Destroy still waiting 30 s after the lock was released")
	}
	assert.Empty(t, d.Resources(), "what the writer made is destroyed")
	assert.Empty(t, d.Locks())
}

// A nil context is an error, not a panic in a goroutine.
func TestNilContext(t *testing.T) {
	t.Parallel()
	eng := provider.NewEngine(fake.New())
	//lint:ignore SA1012 a nil context on purpose
	_, err := eng.Plan(nil, threeTier("shop", ""))
	assert.ErrorContains(t, err, "nil context")
}
