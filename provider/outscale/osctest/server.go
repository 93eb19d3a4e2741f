package osctest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/routers"
)

// Options configures a [Server]. The zero value gives the defaults documented
// on each field.
type Options struct {
	// PendingReads is how many Read responses show a resource in a transient
	// state (subnet and NAT service pending, VM pending and shutting-down,
	// load balancer starting, NAT service deleting) before it moves on.
	// 0: 1. Negative: no transient state at all.
	PendingReads int
	// Region is the region name. "": "eu-west-2".
	Region string
	// Subregions lists the subregion names. nil: Region+"a", Region+"b".
	Subregions []string
	// AccountID is the account owning every resource. "": "123456789012".
	AccountID string
	// Quotas overrides quota maximums by quota name (see ReadQuotas), for
	// example {"vpc_sg_rule_limit": 3}. Unset names keep their defaults.
	Quotas map[string]int
	// Images are OMI ids that ReadImages answers and CreateVms accepts
	// besides the fixed ones (ami-0000c0de, ami-0000beef and ami-12c6146b,
	// the image of archkit's conformance suite and examples), for example
	// {"ami-0123abcd"} for a program whose image flag names it.
	Images []string
}

// Call is one request seen by the server, in arrival order.
type Call struct {
	Op     string // operation name, "CreateNet"
	Status int    // HTTP status of the answer
	Code   string // OUTSCALE error code, "" on success
}

// Server is an in-memory OUTSCALE API (OAPI) served over HTTP on 127.0.0.1.
// Every request and response is validated against the OpenAPI description
// shipped in osc-sdk-go/v2. It is safe for concurrent use.
type Server struct {
	spec *Spec
	http *httptest.Server
	opts Options

	mu         sync.Mutex
	seq        uint32
	reqSeq     uint64
	total      int
	perOp      map[string]int
	validated  int
	violations []string
	calls      []Call
	throttleN  int
	throttleSt int
	fails      map[string][]*failRule
	lose       map[string]int
	hook       func(op string, body []byte) *Fault

	nets         map[string]*netRes
	subnets      map[string]*subnetRes
	igws         map[string]*igwRes
	vgws         map[string]*vgwRes
	cgws         map[string]*cgwRes
	vpns         map[string]*vpnRes
	tunnelSeq    int // the VPN connections made, for their tunnels' outside addresses
	peerings     map[string]*netPeeringRes
	accessPoints map[string]*netAccessPointRes
	pips         map[string]*publicIPRes
	nats         map[string]*natRes
	rtbs         map[string]*routeTableRes
	sgs          map[string]*sgRes
	vms          map[string]*vmRes
	lbs          map[string]*lbRes
	keypairs     map[string]*keypairRes
	snapshots    map[string]*snapshotRes
	copies       map[string]*imageRes
	links        regionLinks
	tags         map[string][]tag
	lbTags       map[string][]tag
	ipNext       uint32
}

// New starts a Server for a test and registers a cleanup that closes it and
// fails t if any request or response violated the OpenAPI description.
// It calls t.Fatal when the description cannot be loaded.
func New(t testing.TB, optFns ...func(*Options)) *Server {
	t.Helper()
	s, err := NewServer(optFns...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		for _, v := range s.Violations() {
			t.Errorf("osctest: OpenAPI violation: %s", v)
		}
	})
	return s
}

// NewServer starts a Server outside tests; call Close when done.
// It fails when the OpenAPI description cannot be found or loaded.
func NewServer(optFns ...func(*Options)) (*Server, error) {
	spec, err := LoadSpec()
	if err != nil {
		return nil, err
	}
	s := &Server{spec: spec}
	for _, fn := range optFns {
		fn(&s.opts)
	}
	if s.opts.PendingReads == 0 {
		s.opts.PendingReads = 1
	} else if s.opts.PendingReads < 0 {
		s.opts.PendingReads = 0
	}
	if s.opts.Region == "" {
		s.opts.Region = "eu-west-2"
	}
	if s.opts.Subregions == nil {
		s.opts.Subregions = []string{s.opts.Region + "a", s.opts.Region + "b"}
	}
	if s.opts.AccountID == "" {
		s.opts.AccountID = "123456789012"
	}
	s.perOp = map[string]int{}
	s.fails = map[string][]*failRule{}
	s.lose = map[string]int{}
	s.nets = map[string]*netRes{}
	s.subnets = map[string]*subnetRes{}
	s.igws = map[string]*igwRes{}
	s.vgws = map[string]*vgwRes{}
	s.cgws = map[string]*cgwRes{}
	s.vpns = map[string]*vpnRes{}
	s.peerings = map[string]*netPeeringRes{}
	s.accessPoints = map[string]*netAccessPointRes{}
	s.pips = map[string]*publicIPRes{}
	s.nats = map[string]*natRes{}
	s.rtbs = map[string]*routeTableRes{}
	s.sgs = map[string]*sgRes{}
	s.vms = map[string]*vmRes{}
	s.lbs = map[string]*lbRes{}
	s.keypairs = map[string]*keypairRes{}
	s.snapshots = map[string]*snapshotRes{}
	s.copies = map[string]*imageRes{}
	s.tags = map[string][]tag{}
	s.lbTags = map[string][]tag{}
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s, nil
}

// URL returns the base URL of the API, ending in /api/v1, to use as
// osc.ServerConfiguration.URL or OSC_ENDPOINT_API.
func (s *Server) URL() string { return s.http.URL + "/api/v1" }

// Close shuts the server down.
func (s *Server) Close() { s.http.Close() }

// Violations returns every request or response that did not match the
// OpenAPI description, as "<op> request|response: <problem>".
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// Requests returns the number of requests received, in total and per operation.
func (s *Server) Requests() (total int, perOp map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]int, len(s.perOp))
	for k, v := range s.perOp {
		m[k] = v
	}
	return s.total, m
}

// Validated returns how many requests and responses were checked against the
// OpenAPI description.
func (s *Server) Validated() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.validated
}

// Calls returns the log of requests in arrival order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// handler answers one operation with the decoded request body. It runs with
// s.mu held and returns the response fields (without ResponseContext).
type handler func(s *Server, body []byte) (map[string]any, *apiError)

var handlers = map[string]handler{}

func (s *Server) record(c Call) {
	s.mu.Lock()
	s.calls = append(s.calls, c)
	s.mu.Unlock()
}

func (s *Server) violation(format string, args ...any) {
	s.mu.Lock()
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	op := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.total++
	s.perOp[op]++
	reqID := s.requestID()
	s.mu.Unlock()

	rt := s.spec.route(op)
	if rt == nil || r.Method != http.MethodPost {
		s.violation("%s request: %s %s is not an operation of the OpenAPI description", op, r.Method, r.URL.Path)
		s.reply(w, r, op, nil, reqID, http.StatusNotFound, errBody(&apiError{Status: http.StatusNotFound, Type: "InvalidAction", Code: codeInvalidAction, Details: "unknown operation " + op}, reqID))
		return
	}
	if r.Header.Get("Authorization") == "" {
		e := &apiError{Status: http.StatusUnauthorized, Type: "AccessDenied", Code: codeAuth, Details: "missing Authorization header"}
		s.reply(w, r, op, rt, reqID, e.Status, errBody(e, reqID))
		return
	}
	if e := s.throttled(); e != nil {
		s.reply(w, r, op, rt, reqID, e.Status, errBody(e, reqID))
		return
	}
	ctx := context.Background()
	verr := s.spec.validateRequest(ctx, rt, r, body)
	s.mu.Lock()
	s.validated++
	s.mu.Unlock()
	if verr != nil {
		s.violation("%s request: %v", op, verr)
		e := requestError(verr)
		s.reply(w, r, op, rt, reqID, e.Status, errBody(e, reqID))
		return
	}
	f := s.injected(op, body)
	switch {
	case f == nil || f.Drop && f.AfterEffect:
	case f.Drop:
		s.hangUp(w, op)
		return
	default:
		e := faultError(f)
		s.reply(w, r, op, rt, reqID, e.Status, errBody(e, reqID))
		return
	}
	h := handlers[op]
	if h == nil {
		e := &apiError{Status: http.StatusNotImplemented, Type: "InvalidAction", Code: codeInvalidAction, Details: op + " is not implemented by osctest"}
		s.reply(w, r, op, rt, reqID, e.Status, errBody(e, reqID))
		return
	}
	s.mu.Lock()
	out, e := h(s, body)
	s.mu.Unlock()
	if f != nil {
		s.hangUp(w, op) // Drop with AfterEffect: served, answer lost
		return
	}
	if e != nil {
		s.reply(w, r, op, rt, reqID, e.Status, errBody(e, reqID))
		return
	}
	if s.losing(op) {
		s.hangUp(w, op)
		return
	}
	if out == nil {
		out = map[string]any{}
	}
	out["ResponseContext"] = map[string]any{"RequestId": reqID}
	s.reply(w, r, op, rt, reqID, http.StatusOK, out)
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request, op string, rt *routers.Route, reqID string, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.violation("%s response: marshal: %v", op, err)
		status = http.StatusInternalServerError
		b, _ = json.Marshal(errBody(&apiError{Status: status, Type: "InternalError", Code: codeInternal, Details: err.Error()}, reqID))
	}
	if rt != nil {
		verr := s.spec.validateResponse(context.Background(), rt, r, status, b)
		s.mu.Lock()
		s.validated++
		s.mu.Unlock()
		if verr != nil {
			s.violation("%s response (%d): %v", op, status, verr)
		}
	}
	code := ""
	if eb, ok := v.(errorBody); ok && len(eb.Errors) > 0 {
		code = eb.Errors[0].Code
	}
	s.record(Call{Op: op, Status: status, Code: code})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// requestError turns a validation failure into OUTSCALE's 400 answer.
func requestError(err error) *apiError {
	msg := err.Error()
	var me interface{ Unwrap() []error }
	if errors.As(err, &me) && len(me.Unwrap()) > 0 {
		msg = me.Unwrap()[0].Error()
	}
	if strings.Contains(msg, "is missing") {
		return &apiError{Status: http.StatusBadRequest, Type: "MissingParameter", Code: codeMissingParameter, Details: firstLine(msg)}
	}
	return &apiError{Status: http.StatusBadRequest, Type: "InvalidParameter", Code: codeInvalidParameter, Details: firstLine(msg)}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (s *Server) requestID() string {
	s.reqSeq++
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", s.reqSeq)
}

// newID returns a deterministic OUTSCALE-style id such as "vpc-0000000a".
func (s *Server) newID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-%08x", prefix, s.seq)
}

func decode(body []byte, v any) *apiError {
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &apiError{Status: http.StatusBadRequest, Type: "InvalidParameterValue", Code: codeInvalidParameterValue, Details: err.Error()}
	}
	return nil
}
