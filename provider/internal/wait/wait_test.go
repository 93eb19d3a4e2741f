package wait

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSleepUnless(t *testing.T) {
	t.Parallel()
	done := make(chan struct{})
	close(done)
	over, err := SleepUnless(t.Context(), time.Hour, done)
	assert.True(t, over, "a closed done ends the sleep")
	assert.NoError(t, err)

	over, err = SleepUnless(t.Context(), time.Millisecond, nil)
	assert.False(t, over, "a nil done never ends it")
	assert.NoError(t, err)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	over, err = SleepUnless(ctx, time.Hour, nil)
	assert.False(t, over)
	assert.ErrorIs(t, err, context.Canceled)
}
