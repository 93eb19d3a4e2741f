package driver

import (
	"context"
	"errors"
	"sync"
)

// A refresh is the engine's reading of what exists before it plans or
// destroys: one List per kind (the Nets first, then the other kinds at
// once) and no write until it ends. Some kinds are read with the same
// cloud call: on AWS, security groups, their rule sets and the Nets'
// default groups are all DescribeSecurityGroups, databases and read
// replicas both DescribeDBInstances. Within a refresh such kinds can share
// one answer: the engine marks the refresh's context with [WithRefresh],
// and a driver reads through [Shared].
//
// The answers live as long as the refresh's context, which the engine
// drops when the refresh ends: an answer is never served across a write,
// nor to a later refresh.

type refreshKey struct{}

// refresh holds the shared reads of one refresh, by key.
type refresh struct {
	mu    sync.Mutex
	calls map[string]*sharedRead
}

// sharedRead is one read, done once for every caller that asks for it:
// done is closed when val and err are set.
type sharedRead struct {
	done chan struct{}
	val  any
	err  error
}

// WithRefresh returns a context under which [Shared] reads are done once
// and their answers shared, until the context is dropped.
func WithRefresh(ctx context.Context) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, refreshKey{}, &refresh{calls: map[string]*sharedRead{}})
}

// Shared returns the answer of read for key: under a context of
// [WithRefresh], the first caller of a key reads and the others (at the
// same time or later in the refresh) get its answer; elsewhere it just
// reads. key names the request exactly (the API call and its
// parameters, in a canonical order), so that two callers sharing an
// answer asked the same question. The answer is shared: callers must not
// change it. A failed read is not kept, so that a retry reads again; the
// callers that waited for it get its error.
func Shared[T any](ctx context.Context, key string, read func(context.Context) (T, error)) (T, error) {
	if read == nil {
		var zero T
		return zero, NewError("Shared", "", "", Invalid, errors.New("driver: Shared: nil read function"))
	}
	if ctx == nil {
		ctx = context.Background()
	}
	r, _ := ctx.Value(refreshKey{}).(*refresh)
	if r == nil {
		return read(ctx)
	}
	r.mu.Lock()
	c, found := r.calls[key]
	if !found {
		c = &sharedRead{done: make(chan struct{})}
		r.calls[key] = c
	}
	r.mu.Unlock()
	if !found {
		c.do(ctx, r, key, func(ctx context.Context) (any, error) { return read(ctx) })
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
	if c.err != nil {
		var zero T
		return zero, c.err
	}
	v, ok := c.val.(T)
	if !ok { // one key asked for two types: a driver's bug; read again
		return read(ctx)
	}
	return v, nil
}

// do reads for the callers of key; done is closed even if read panics.
func (c *sharedRead) do(ctx context.Context, r *refresh, key string, read func(context.Context) (any, error)) {
	c.err = errReadPanicked // until read returns
	defer func() {
		if c.err != nil { // not kept: a retry reads again
			r.mu.Lock()
			delete(r.calls, key)
			r.mu.Unlock()
		}
		close(c.done)
	}()
	c.val, c.err = read(ctx)
}

// errReadPanicked is what the callers waiting for a read that panicked
// get; the panic goes on in the caller that read.
var errReadPanicked = NewError("Shared", "", "", Internal, errors.New("driver: a shared read panicked"))
