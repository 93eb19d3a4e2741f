package calls

import (
	"fmt"
	"strings"
)

// Markdown renders the table of cloud c as the Markdown table of
// docs/calls.md: kind, create, delete, the plan's list, why.
func Markdown(c Cloud) (string, error) {
	t, err := For(c)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("| kind | create | delete | list (plan) | why |\n| --- | --- | --- | --- | --- |\n")
	for _, r := range t.Rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.Kind, r.Create, r.Delete, r.ListText, r.Why)
	}
	fmt.Fprintf(&b, "\nPer deployment: %d read(s) of the zones on an apply; the lock: %d writes", t.Zones, t.LockWrites)
	if t.LockReads > 0 {
		fmt.Fprintf(&b, " and %d reads", t.LockReads)
	}
	fmt.Fprintf(&b, "; polls (counted apart): %s.\n", strings.Join(t.PollOps, ", "))
	return b.String(), nil
}
