package outscale

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/archkit/archkit/provider/driver"
	osc "github.com/outscale/osc-sdk-go/v2"
)

// APIError is one OUTSCALE error answer, decoded from the response body:
// the HTTP status and the first entry of ErrorResponse.Errors. It is the
// Err of the [*driver.Error] the driver returns, reachable with
// errors.As.
type APIError struct {
	Op        string // the OUTSCALE operation, "CreateSubnet"
	Status    int    // HTTP status; 0 when no answer came (network error)
	Code      string // OUTSCALE error code, "9045"
	Type      string // OUTSCALE error type, "ResourceConflict"
	Details   string
	RequestID string
	// Err is the transport error when no answer came, or the SDK's error.
	Err error
}

func (e *APIError) Error() string {
	if e == nil {
		return "outscale: <nil APIError>"
	}
	if e.Status == 0 {
		return fmt.Sprintf("outscale: %s: %v", e.Op, e.Err)
	}
	s := fmt.Sprintf("outscale: %s: HTTP %d", e.Op, e.Status)
	if e.Type != "" || e.Code != "" {
		s += fmt.Sprintf(" %s (code %s)", e.Type, e.Code)
	}
	if e.Details != "" {
		s += ": " + e.Details
	}
	if e.RequestID != "" {
		s += " [request " + e.RequestID + "]"
	}
	return s
}

func (e *APIError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// decodeError turns what an SDK call returned into an *APIError. The SDK's
// GenericOpenAPIError is a value type whose Model is nil for statuses the
// OpenAPI description does not document (429, 503, every load balancer
// error), so the body is decoded here whatever the status.
func decodeError(op string, res *http.Response, err error) *APIError {
	e := &APIError{Op: op, Err: err}
	if res != nil {
		e.Status = res.StatusCode
	}
	var ge osc.GenericOpenAPIError
	if errors.As(err, &ge) {
		var body struct {
			Errors []struct {
				Code, Type, Details string
			}
			ResponseContext struct{ RequestId string }
		}
		if json.Unmarshal(ge.Body(), &body) == nil {
			if len(body.Errors) > 0 {
				e.Code, e.Type, e.Details = body.Errors[0].Code, body.Errors[0].Type, body.Errors[0].Details
			}
			e.RequestID = body.ResponseContext.RequestId
		}
		if e.Status == 0 {
			// An answer came (the SDK made a GenericOpenAPIError) but the
			// response was dropped: read the status from the error text.
			var code int
			if _, scanErr := fmt.Sscanf(ge.Error(), "%d", &code); scanErr == nil {
				e.Status = code
			}
		}
	}
	return e
}

// Conflict codes (HTTP 409) that mean the thing to create is already there.
var existsCodes = map[string]bool{
	"9005": true, // rule already exists
	"9008": true, // security group name exists in the Net
	"9011": true, // keypair name exists
	"9013": true, // load balancer name exists
	"9029": true, // already linked / in use
	"9034": true, // route to this destination exists
	"9044": true, // subnet IP range conflict
	"9056": true, // a NAT service already exists in the subnet
}

// Conflict codes of UnlinkInternetService: public IPs (1004), a load
// balancer (1005) or a NAT service (1018) still in the Net.
var igwBusyCodes = map[string]bool{"1004": true, "1005": true, "1018": true}

// classify maps an OUTSCALE error to a [driver.Code]. It is the one place
// that reads OUTSCALE statuses, types and codes: the rest of the driver
// branches on provider codes.
//
//	network error, 502, 504           -> Unavailable
//	401, 403                          -> Auth
//	429 (codes 24, 25), 503 (code 6)  -> Throttled
//	500                               -> Internal
//	400 InvalidResource (5xxx)        -> NotFound
//	400 otherwise                     -> Invalid
//	409 TooManyResources, 10023/10004 -> Quota
//	409 on Create/Link, exists codes  -> AlreadyExists
//	409 on CreateNatService otherwise -> Unavailable (the Net is not ready for it yet)
//	409 otherwise                     -> Dependency
//	501                               -> Unsupported
func classify(e *APIError) driver.Code {
	switch {
	case e.Status == 0:
		return driver.Unavailable
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return driver.Auth
	case e.Status == http.StatusTooManyRequests || e.Code == "24" || e.Code == "25" || e.Code == "6":
		return driver.Throttled
	case e.Status == http.StatusServiceUnavailable:
		if strings.Contains(e.Type, "Throttled") {
			return driver.Throttled
		}
		return driver.Unavailable
	case e.Status == http.StatusBadGateway || e.Status == http.StatusGatewayTimeout:
		return driver.Unavailable
	case e.Status == http.StatusNotImplemented:
		return driver.Unsupported
	case e.Status >= 500:
		return driver.Internal
	case e.Status == http.StatusBadRequest || e.Status == http.StatusNotFound:
		if e.Type == "InvalidResource" || strings.HasPrefix(e.Code, "5") && len(e.Code) == 4 {
			return driver.NotFound
		}
		return driver.Invalid
	case e.Status == http.StatusConflict:
		switch {
		case strings.HasPrefix(e.Type, "TooManyResources") || e.Code == "10023" || e.Code == "10004" || e.Type == "InsufficientCapacity":
			return driver.Quota
		case (strings.HasPrefix(e.Op, "Create") || strings.HasPrefix(e.Op, "Link")) && existsCodes[e.Code]:
			return driver.AlreadyExists
		case e.Op == "CreateNatService":
			return driver.Unavailable
		}
		return driver.Dependency
	}
	return driver.Unknown
}

// notReady reports whether a refused call is worth trying again soon as it
// is: throttling, unavailability, and the conflicts OUTSCALE answers while
// a resource the call needs is still settling (a NAT service right after
// its public IP or route; an internet service unlinked while NAT services
// or public IPs are still going away).
func notReady(e *APIError, code driver.Code) bool {
	switch {
	case code == driver.Throttled || code == driver.Unavailable:
		return true
	case e.Op == "UnlinkInternetService" && igwBusyCodes[e.Code]:
		return true
	}
	return false
}

// wrap returns the *driver.Error for a failed call. It is never
// Retryable: the driver retries its calls itself (see call), so a
// throttle or an outage that reaches the engine has used up the driver's
// attempts, and its Code alone says what it was.
func wrap(op, kind, id string, e *APIError) *driver.Error {
	return final(driver.NewError(op, kind, id, classify(e), e))
}

// errorf returns a *driver.Error made by the driver itself (a check
// before any call, a wait that timed out), never Retryable.
func errorf(op, kind, id string, code driver.Code, format string, args ...any) *driver.Error {
	return final(driver.NewError(op, kind, id, code, fmt.Errorf("outscale: "+format, args...)))
}

// final marks e as not to be retried by the engine.
func final(e *driver.Error) *driver.Error {
	e.Retryable = false
	return e
}

// isNotFound reports whether err is a NotFound provider error.
func isNotFound(err error) bool { return driver.CodeOf(err) == driver.NotFound }
