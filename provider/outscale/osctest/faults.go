package osctest

import "net/http"

// Fault is an error answer injected by [Server.OnRequest] or [Server.FailNext].
// A zero Status means 500; an empty Code and Type get defaults for the status.
//
// With Drop set there is no answer at all: the server closes the connection
// and the client sees a transport error. Without AfterEffect the request
// changes nothing (it was lost on its way in); with AfterEffect it is served
// first, then its answer is lost on its way out, as with [Server.LoseNext].
type Fault struct {
	Status      int
	Code        string
	Type        string
	Details     string
	Drop        bool
	AfterEffect bool
}

type failRule struct {
	n      int
	status int
	code   string
}

// Throttle makes the next n requests (of any operation) answer with status:
// 429 (OUTSCALE code 24, throttled per account) or 503 (code 6, whole
// platform). Any other status is answered with code 2000.
// Throttled requests change no state.
func (s *Server) Throttle(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttleN, s.throttleSt = n, status
}

// FailNext makes the next n calls of operation op answer status with the
// OUTSCALE error code (code "" picks a default for the status), without
// changing any state. Rules for one operation apply in the order given.
func (s *Server) FailNext(op string, n, status int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[op] = append(s.fails[op], &failRule{n: n, status: status, code: code})
}

// OnRequest installs hook, called with every valid request before it is
// served; a non-nil Fault is answered instead and no state changes (unless
// the Fault is a Drop with AfterEffect). The hook runs without the server's
// lock held and may call other Server methods, or send requests of its own
// to the server. nil removes the hook.
func (s *Server) OnRequest(hook func(op string, body []byte) *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = hook
}

func (s *Server) throttled() *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.throttleN <= 0 {
		return nil
	}
	s.throttleN--
	return faultError(&Fault{Status: s.throttleSt})
}

// injected returns the fault to apply to this request of op, or nil.
func (s *Server) injected(op string, body []byte) *Fault {
	s.mu.Lock()
	hook := s.hook
	var rule *failRule
	for len(s.fails[op]) > 0 {
		r := s.fails[op][0]
		if r.n <= 0 {
			s.fails[op] = s.fails[op][1:]
			continue
		}
		r.n--
		rule = r
		break
	}
	s.mu.Unlock()
	if rule != nil {
		return &Fault{Status: rule.status, Code: rule.code}
	}
	if hook != nil {
		return hook(op, body)
	}
	return nil
}

func faultError(f *Fault) *apiError {
	e := &apiError{Status: f.Status, Code: f.Code, Type: f.Type, Details: f.Details}
	if e.Status == 0 {
		e.Status = http.StatusInternalServerError
	}
	var code, typ string
	switch e.Status {
	case http.StatusTooManyRequests:
		code, typ = codeThrottledAccount, "ErrorOperationThrottledPerAccount"
	case http.StatusServiceUnavailable:
		code, typ = codeThrottledPlatform, "ErrorOperationThrottledWholePlatform"
	case http.StatusConflict:
		code, typ = codeDependency, "ResourceConflict"
	case http.StatusBadRequest:
		code, typ = codeInvalidParameterValue, "InvalidParameterValue"
	case http.StatusUnauthorized:
		code, typ = codeAuth, "AccessDenied"
	default:
		code, typ = codeInternal, "InternalError"
	}
	if e.Code == "" {
		e.Code = code
	}
	if e.Type == "" {
		e.Type = typ
	}
	if e.Details == "" {
		e.Details = "injected fault"
	}
	return e
}

// LoseNext makes the next n successful calls of operation op take effect and
// then end without an answer: the server closes the connection, and the
// client sees a transport error, as when a network fails after OUTSCALE has
// done the work. It is the fault a create without a client token cannot
// repeat blindly. The call is recorded with Status 0.
func (s *Server) LoseNext(op string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lose[op] += n
}

// losing reports whether this successful call of op must lose its answer,
// and counts it.
func (s *Server) losing(op string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lose[op] <= 0 {
		return false
	}
	s.lose[op]--
	return true
}

// hangUp closes the connection of w without writing an answer.
func (s *Server) hangUp(w http.ResponseWriter, op string) {
	s.record(Call{Op: op})
	hj, ok := w.(http.Hijacker)
	if !ok {
		s.violation("%s: cannot drop the answer: the ResponseWriter is no Hijacker", op)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		s.violation("%s: cannot drop the answer: %v", op, err)
		return
	}
	_ = conn.Close()
}
