package providertest

import (
	"strings"
	"sync"
)

// SyncBuffer is a writer safe for concurrent writers: the destination of
// a test's slog handler and event printer, whose String is then searched
// for what must never be written (a password, a pre-shared key).
type SyncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
