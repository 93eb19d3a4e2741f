package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/archkit/archkit/provider/driver"

	"github.com/archkit/archkit/pattern/blueprint"
)

// EventType says what happened to a resource.
type EventType string

// The event types, in the order a resource goes through them.
const (
	EventPlanned    EventType = "planned"     // the changeset holds an action for the resource
	EventStarted    EventType = "started"     // the action started
	EventRetried    EventType = "retried"     // a call failed with a retryable error and will be tried again
	EventWaiting    EventType = "waiting"     // the resource exists but is not ready yet; the engine polls it
	EventDone       EventType = "done"        // the action succeeded
	EventFailed     EventType = "failed"      // the action failed; Err says why
	EventNotStarted EventType = "not_started" // never started: a dependency failed, or the run was cancelled or its deadline came first; Message says which
	EventNotice     EventType = "notice"      // information about the run (a fallback, a dropped resource)
	EventComplete   EventType = "complete"    // the run ended; Message holds the summary
)

// Event is one step of one resource, reported to [Options.OnEvent]. It
// never holds a secret: user data and credentials are redacted from Err
// and Message.
type Event struct {
	Type       EventType
	Time       time.Time
	Deployment string
	// Region is the region of the event in a [Fleet] run; "" in a run of
	// one Engine.
	Region     string
	Kind       blueprint.Kind
	ID         string // logical id
	ProviderID string // when known
	Action     Action
	Attempt    int           // 1 for the first call; set on retried events
	Duration   time.Duration // of the action, on done and failed events
	Err        error         // on failed and retried events
	Message    string        // reason, notice text or summary
}

// Log keys of the engine's structured log, stable across versions.
const (
	LogKeyDeployment = "deployment"
	LogKeyRegion     = "region"
	LogKeyKind       = "kind"
	LogKeyID         = "id"
	LogKeyProviderID = "provider_id"
	LogKeyAction     = "action"
	LogKeyAttempt    = "attempt"
	LogKeyDuration   = "duration"
	LogKeyCode       = "code"
	LogKeyError      = "error"
	LogKeyMessage    = "message"
	LogKeyEvent      = "event"
)

// redactor removes secret values from text and errors, and knows the
// deployment of the run it serves.
type redactor struct {
	deployment string
	secrets    []string
}

func newRedactor(bp *blueprint.Blueprint) *redactor {
	r := &redactor{}
	if bp == nil {
		return r
	}
	r.deployment = bp.Deployment
	add := func(c *blueprint.ClusterSpec) {
		if c != nil && len(c.UserData) >= 4 {
			r.addSecret(c.UserData.Value())
		}
	}
	for _, res := range bp.Resources {
		add(res.Cluster)
		add(res.FallbackCluster())
	}
	return r
}

// addSecret records v and the forms it takes in messages: quoted (%q,
// JSON), Base64 (how drivers send user data), and each of its lines, so a
// message that quotes part of a script is redacted too.
func (r *redactor) addSecret(v string) {
	forms := []string{v, strings.Trim(strconv.Quote(v), `"`), base64.StdEncoding.EncodeToString([]byte(v))}
	if j, err := json.Marshal(v); err == nil {
		forms = append(forms, strings.Trim(string(j), `"`))
	}
	for line := range strings.Lines(v) {
		if line = strings.TrimSpace(line); len(line) >= 8 {
			forms = append(forms, line, strings.Trim(strconv.Quote(line), `"`))
		}
	}
	for _, f := range forms {
		if len(f) >= 4 && !slices.Contains(r.secrets, f) {
			r.secrets = append(r.secrets, f)
		}
	}
	// Longest first, so a whole value is replaced before its lines.
	slices.SortFunc(r.secrets, func(a, b string) int { return len(b) - len(a) })
}

func (r *redactor) text(s string) string {
	for _, sec := range r.secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "REDACTED")
		}
	}
	return s
}

// err returns err, or a wrapper whose message has every secret replaced by
// REDACTED; errors.Is and errors.As still see the chain.
func (r *redactor) err(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := r.text(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// emit sends ev to OnEvent and to the log.
func (e *Engine) emit(ctx context.Context, red *redactor, ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	if ev.Deployment == "" {
		ev.Deployment = red.deployment
	}
	ev.Err = red.err(ev.Err)
	ev.Message = red.text(ev.Message)
	if e.opts.OnEvent != nil {
		e.opts.OnEvent(ev)
	}
	level := slog.LevelDebug
	switch ev.Type {
	case EventDone, EventNotice, EventComplete:
		level = slog.LevelInfo
	case EventRetried:
		level = slog.LevelWarn
	}
	if !e.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String(LogKeyEvent, string(ev.Type)))
	if ev.Deployment != "" {
		attrs = append(attrs, slog.String(LogKeyDeployment, ev.Deployment))
	}
	if ev.Kind != "" {
		attrs = append(attrs, slog.String(LogKeyKind, string(ev.Kind)))
	}
	if ev.ID != "" {
		attrs = append(attrs, slog.String(LogKeyID, ev.ID))
	}
	if ev.ProviderID != "" {
		attrs = append(attrs, slog.String(LogKeyProviderID, ev.ProviderID))
	}
	if ev.Action != "" {
		attrs = append(attrs, slog.String(LogKeyAction, string(ev.Action)))
	}
	if ev.Attempt > 0 {
		attrs = append(attrs, slog.Int(LogKeyAttempt, ev.Attempt))
	}
	if ev.Duration > 0 {
		attrs = append(attrs, slog.Duration(LogKeyDuration, ev.Duration))
	}
	if ev.Err != nil {
		attrs = append(attrs, slog.String(LogKeyCode, driver.CodeOf(ev.Err).String()))
		// A failure is returned to the caller: log its code only, never the
		// error twice. A retry is not returned: log it whole.
		if ev.Type == EventRetried {
			attrs = append(attrs, slog.String(LogKeyError, ev.Err.Error()))
		}
	}
	if ev.Message != "" {
		attrs = append(attrs, slog.String(LogKeyMessage, ev.Message))
	}
	e.log.LogAttrs(ctx, level, "archkit "+string(ev.Type), attrs...)
}
