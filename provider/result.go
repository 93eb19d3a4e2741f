package provider

import (
	"fmt"
	"strings"
	"time"
)

// Result reports what an Apply or a Destroy did.
type Result struct {
	Created, Updated, Replaced, Deleted, Unchanged int
	// Failed counts the resources whose action failed, Skipped those not
	// tried because a dependency failed or the run was cancelled.
	Failed, Skipped int
	// Durations holds the time each resource's action took, by logical id
	// (by provider id for resources without one).
	Durations map[string]time.Duration
	// Makespan is the wall time of the run, planning included.
	Makespan time.Duration
	// WriteCalls and ReadCalls count the driver calls of the run (Create,
	// Update, Delete; List, Read, Zones), retries included.
	WriteCalls, ReadCalls int
	// Changeset is the plan that was applied (nil for Destroy).
	Changeset *Changeset
	verb      string
	failed    bool // the run returned an error
}

// String returns the summary line: "Apply complete: 23 created, 0
// updated, 0 replaced, 0 deleted in 1.2s".
func (r *Result) String() string {
	if r == nil {
		return "No result."
	}
	verb := r.verb
	if verb == "" {
		verb = "Apply"
	}
	s := fmt.Sprintf("%s complete: %d created, %d updated, %d replaced, %d deleted in %s",
		verb, r.Created, r.Updated, r.Replaced, r.Deleted, r.Makespan.Round(100*time.Microsecond))
	if r.failed || r.Failed > 0 || r.Skipped > 0 {
		s = strings.Replace(s, "complete", "failed", 1) + fmt.Sprintf(" (%d failed, %d skipped)", r.Failed, r.Skipped)
	}
	return s
}
