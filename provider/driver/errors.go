package driver

import (
	"errors"
	"fmt"
)

// Sentinel errors, one per [Code]. Every [*Error] unwraps to the sentinel
// of its code, so callers test with errors.Is(err, driver.ErrNotFound).
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	ErrDependency    = errors.New("dependency violation")
	ErrQuota         = errors.New("quota exceeded")
	ErrThrottled     = errors.New("throttled")
	ErrInvalid       = errors.New("invalid request")
	ErrAuth          = errors.New("not authorized")
	ErrUnsupported   = errors.New("not supported by this provider")
	ErrUnavailable   = errors.New("service unavailable")
	ErrInternal      = errors.New("internal error")
)

// Code classifies a cloud error. Drivers map their cloud's codes to it in
// one place.
type Code uint8

// The codes.
const (
	Unknown Code = iota
	NotFound
	AlreadyExists
	Dependency
	Quota
	Throttled
	Invalid
	Auth
	Unsupported
	Unavailable // 5xx, network errors, "not ready yet" conflicts
	Internal
)

var codeNames = [...]string{
	Unknown: "unknown", NotFound: "not_found", AlreadyExists: "already_exists",
	Dependency: "dependency", Quota: "quota", Throttled: "throttled", Invalid: "invalid",
	Auth: "auth", Unsupported: "unsupported", Unavailable: "unavailable", Internal: "internal",
}

// String returns the code's snake_case name.
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("code(%d)", c)
}

// Sentinel returns the sentinel error of c, or nil for Unknown.
func (c Code) Sentinel() error {
	switch c {
	case NotFound:
		return ErrNotFound
	case AlreadyExists:
		return ErrAlreadyExists
	case Dependency:
		return ErrDependency
	case Quota:
		return ErrQuota
	case Throttled:
		return ErrThrottled
	case Invalid:
		return ErrInvalid
	case Auth:
		return ErrAuth
	case Unsupported:
		return ErrUnsupported
	case Unavailable:
		return ErrUnavailable
	case Internal:
		return ErrInternal
	}
	return nil
}

// Retryable reports whether an error of code c is worth retrying as it is:
// throttling and unavailability.
func (c Code) Retryable() bool { return c == Throttled || c == Unavailable }

// Blocker names what stops a delete: a resource archkit may not own.
type Blocker struct {
	Kind string // "instance", "network_interface", "load_balancer" ...
	ID   string
}

// Error is the error every driver returns: the operation, the resource, a
// [Code] and the cloud's own error, still reachable with errors.As.
type Error struct {
	Op   string // the cloud operation: "CreateSubnet"
	Kind string // archkit kind or the cloud's: "subnet"
	ID   string // provider or logical id, when known
	Code Code
	// Retryable reports whether the engine may send the call again. A
	// driver with a retry layer of its own clears it once its attempts are
	// spent (see [Driver]); NewError sets it from the Code.
	Retryable bool
	// Blockers are the resources that stop a delete (Code Dependency),
	// when the driver could find them.
	Blockers []Blocker
	// Err is the cloud's error (smithy.APIError, an OUTSCALE error body).
	Err error
}

// NewError returns an *Error for op on kind/id with code, wrapping err.
// Retryable is set from the code.
func NewError(op, kind, id string, code Code, err error) *Error {
	return &Error{Op: op, Kind: kind, ID: id, Code: code, Retryable: code.Retryable(), Err: err}
}

func (e *Error) Error() string {
	if e == nil {
		return "driver: <nil Error>"
	}
	msg := e.Op
	if e.Kind != "" || e.ID != "" {
		msg += " " + e.Kind
		if e.ID != "" {
			msg += " " + e.ID
		}
	}
	msg += ": " + e.Code.String()
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if len(e.Blockers) > 0 {
		msg += "; blocked by"
		for i, b := range e.Blockers {
			if i > 0 {
				msg += ","
			}
			msg += " " + b.Kind + " " + b.ID
		}
		msg += " (not managed by archkit: remove it or detach it, then run again)"
	}
	return msg
}

// Unwrap returns the cloud's error and the sentinel of the code.
func (e *Error) Unwrap() []error {
	if e == nil {
		return nil
	}
	var out []error
	if e.Err != nil {
		out = append(out, e.Err)
	}
	if s := e.Code.Sentinel(); s != nil {
		out = append(out, s)
	}
	return out
}

// CodeOf returns the Code of the first [*Error] in err's tree, or Unknown.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Unknown
}

// IsRetryable reports whether err is marked retryable: an [*Error] in its
// tree has Retryable set. A Throttled error from a driver that retried it
// itself is not: [Code.Retryable] tells the code's nature, IsRetryable
// whether to send the call again.
func IsRetryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retryable
}
