package deploy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/archkit/archkit/provider"
)

// ErrNotConfirmed is the error of a run whose plan needed a confirmation
// that did not come: the answer was not "yes", or there was no terminal
// to ask and no -auto-approve. Nothing was written.
var ErrNotConfirmed = errors.New("not confirmed")

// isTerminal reports whether v is a terminal: an *os.File on one (as
// golang.org/x/term tells), or a value with an IsTerminal() bool method
// that says so (a test's stand-in).
func isTerminal(v any) bool {
	switch t := v.(type) {
	case interface{ IsTerminal() bool }:
		return t.IsTerminal()
	case *os.File:
		return term.IsTerminal(int(t.Fd()))
	}
	return false
}

// risky returns the changes that need a confirmation: replaces and
// deletes.
func risky(cs *provider.Changeset) []provider.Change {
	var out []provider.Change
	for _, c := range cs.Changes {
		if c.Destructive {
			out = append(out, c)
		}
	}
	return out
}

// confirm asks for a "yes" before a run that replaces or deletes: it
// writes what will go to w, names every stateful resource whose data is
// lost, and reads the answer from in. verb is "apply" or "destroy". It
// returns nil at once when nothing is replaced or deleted, or with
// -auto-approve.
func (r *runner) confirm(ctx context.Context, verb string, cs *provider.Changeset) error {
	bad := risky(cs)
	if len(bad) == 0 || r.flags.AutoApprove {
		return nil
	}
	w := r.human
	counts := cs.Counts()
	what := fmt.Sprintf("%s %q on %s will %s", verb, cs.Deployment, cs.Provider, destroyCount(counts))
	fmt.Fprintf(w, "\n%s:\n", capitalize(what))
	for _, c := range bad {
		s := fmt.Sprintf("  %s %s %s", c.Action.Symbol(), c.Action, c.ID)
		if c.Reason != "" && c.Reason != "destroy" {
			s += " (" + c.Reason + ")"
		}
		if c.LosesData() {
			s += "\n      STATEFUL: its data is lost (allowed by -allow-data-loss)"
		}
		fmt.Fprintln(w, s)
	}
	if !isTerminal(r.cmd.stdin()) {
		return fmt.Errorf("%s; the standard input is not a terminal to confirm it: review the plan (-plan), "+
			"then run again with -auto-approve: %w", what, ErrNotConfirmed)
	}
	fmt.Fprint(w, "\nDo you want to go on? Only 'yes' is accepted: ")
	answer, err := readLine(ctx, r.cmd.stdin())
	if err != nil {
		return fmt.Errorf("%s: no answer (%v): %w", what, err, ErrNotConfirmed)
	}
	if answer != "yes" {
		return fmt.Errorf("%s: answered %q, not yes: %w", what, answer, ErrNotConfirmed)
	}
	return nil
}

// destroyCount says what goes: "replace 1 and delete 2 resources".
func destroyCount(counts map[provider.Action]int) string {
	var parts []string
	if n := counts[provider.ActionReplace]; n > 0 {
		parts = append(parts, fmt.Sprintf("replace %d", n))
	}
	if n := counts[provider.ActionDelete]; n > 0 {
		parts = append(parts, fmt.Sprintf("delete %d", n))
	}
	noun := "resources"
	if counts[provider.ActionReplace]+counts[provider.ActionDelete] == 1 {
		noun = "resource"
	}
	return strings.Join(parts, " and ") + " " + noun
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// readLine reads one line from in, or returns ctx's error when ctx ends
// first (Ctrl-C at the prompt). The reading goroutine ends with the
// program: a read from a terminal cannot be interrupted portably.
func readLine(ctx context.Context, in io.Reader) (string, error) {
	type answer struct {
		s   string
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		s, err := bufio.NewReader(in).ReadString('\n')
		if err == io.EOF && s != "" {
			err = nil
		}
		ch <- answer{strings.TrimSpace(s), err}
	}()
	select {
	case a := <-ch:
		return a.s, a.err
	case <-ctx.Done():
		return "", context.Cause(ctx)
	}
}
