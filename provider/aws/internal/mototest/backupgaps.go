package mototest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// BackupGaps is an http.RoundTripper that serves, in the test process,
// the AWS requests moto 5.2 does not, and sends every other request to
// moto unchanged:
//
//   - AWS Backup selections: CreateBackupSelection, ListBackupSelections,
//     GetBackupSelection, DeleteBackupSelection (moto answers HTTP 500,
//     not implemented). They are kept per account and plan, and a
//     DeleteBackupPlan of a plan that still has selections is refused as
//     AWS refuses it (InvalidRequestException).
//   - The AWS managed IAM policies (arn:aws:iam::aws:policy/...), which
//     moto loads only when configured to: AttachRolePolicy and
//     DetachRolePolicy of such a policy are served here, the role looked up in moto first (GetRole), and
//     DeleteRole of a role that still has one attached is refused as IAM
//     refuses it (DeleteConflict).
//   - AWS Backup's ListTags: moto reads the ARN from a path that ends in
//     "/" (boto3 sends "/tags/{arn}/", the Go SDK "/tags/{arn}"), and
//     answers no tags otherwise: the path gets its "/" before it goes to
//     moto.
//
// Each request it serves is decoded from the body the SDK sent; Requests
// returns them, so that a test checks their shape (the selection's tags,
// role and resources). [BackupGaps.RefuseRole] injects AWS Backup's
// refusal of a role IAM has not propagated yet.
type BackupGaps struct {
	Next http.RoundTripper

	mu         sync.Mutex
	n          int
	selections map[string][]storedSelection // account/plan id -> selections
	attached   map[string][]string          // account/role -> AWS managed policy ARNs
	requests   []Served
	refuse     int // CreateBackupSelection requests still to refuse; < 0: all
}

// Served is one request BackupGaps served: its operation and its decoded
// body (JSON for AWS Backup, the form values for IAM).
type Served struct {
	Op      string
	Account string
	Plan    string
	Body    map[string]any
	Form    url.Values
	// Refused is true for a CreateBackupSelection refused by RefuseRole:
	// it made no selection.
	Refused bool
}

// RefuseRole makes the next n CreateBackupSelection requests fail as AWS
// Backup fails one whose role IAM has not propagated yet: HTTP 400,
// InvalidParameterValueException "IAM Role <arn> cannot be assumed by AWS
// Backup" (the text the AWS provider for Terraform retries on). n < 0
// refuses every one. The refused requests are kept (Served.Refused).
func (g *BackupGaps) RefuseRole(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.refuse = n
}

type storedSelection struct {
	ID        string
	Selection map[string]any
	Created   float64
}

// NewBackupGaps returns a BackupGaps in front of a transport of its own
// (a clone of http.DefaultTransport): each test's driver keeps its own
// connections, as the SDK's default client does, so that no test's
// connections are shared with, reused by or closed under another's.
func NewBackupGaps() *BackupGaps {
	next := http.DefaultTransport.(*http.Transport).Clone()
	return &BackupGaps{Next: next, selections: map[string][]storedSelection{}, attached: map[string][]string{}}
}

// Client returns an HTTP client whose transport is g.
func (g *BackupGaps) Client() *http.Client {
	return &http.Client{Transport: g, Timeout: 60 * time.Second}
}

// Requests returns the requests served so far.
func (g *BackupGaps) Requests() []Served {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Served(nil), g.requests...)
}

var (
	selectionsPath = regexp.MustCompile(`^/backup/plans/([^/]+)/selections/?$`)
	selectionPath  = regexp.MustCompile(`^/backup/plans/([^/]+)/selections/([^/]+)/?$`)
	planPath       = regexp.MustCompile(`^/backup/plans/([^/]+)/?$`)
)

// RoundTrip serves the gaps and sends the rest to Next.
func (g *BackupGaps) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	acct := req.Header.Get(AccountHeader)
	p := req.URL.Path
	switch m := selectionsPath.FindStringSubmatch(p); {
	case m != nil && req.Method == http.MethodPut:
		return g.createSelection(req, acct, m[1], body)
	case m != nil && req.Method == http.MethodGet:
		return g.listSelections(req, acct, m[1])
	}
	if m := selectionPath.FindStringSubmatch(p); m != nil {
		return g.selection(req, acct, m[1], m[2])
	}
	if m := planPath.FindStringSubmatch(p); m != nil && req.Method == http.MethodDelete && g.count(acct+"/"+m[1]) > 0 {
		return jsonError(req, http.StatusBadRequest, "InvalidRequestException", "Related backup plan selections must be deleted prior to backup plan deletion"), nil
	}
	if req.Method == http.MethodGet && strings.HasPrefix(p, "/tags/arn") && !strings.HasSuffix(p, "/") {
		req.URL.Path += "/"
		if req.URL.RawPath != "" {
			req.URL.RawPath += "/"
		}
	}
	if req.Method == http.MethodPost && strings.Contains(req.Header.Get("Content-Type"), "x-www-form-urlencoded") {
		if resp, ok, err := g.iam(req, acct, body); ok || err != nil {
			return resp, err
		}
	}
	return g.Next.RoundTrip(req)
}

func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	req.Body = io.NopCloser(bytes.NewReader(b))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return b, err
}

func (g *BackupGaps) count(key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.selections[key])
}

func (g *BackupGaps) createSelection(req *http.Request, acct, plan string, body []byte) (*http.Response, error) {
	var in map[string]any
	if err := json.Unmarshal(body, &in); err != nil {
		return jsonError(req, http.StatusBadRequest, "InvalidParameterValueException", err.Error()), nil
	}
	sel, _ := in["BackupSelection"].(map[string]any)
	if sel == nil || sel["SelectionName"] == nil || sel["IamRoleArn"] == nil {
		return jsonError(req, http.StatusBadRequest, "InvalidParameterValueException", "BackupSelection needs SelectionName and IamRoleArn"), nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.refuse != 0 {
		g.refuse = max(g.refuse-1, -1)
		g.requests = append(g.requests, Served{Op: "CreateBackupSelection", Account: acct, Plan: plan, Body: in, Refused: true})
		return jsonError(req, http.StatusBadRequest, "InvalidParameterValueException",
			fmt.Sprintf("IAM Role %v cannot be assumed by AWS Backup", sel["IamRoleArn"])), nil
	}
	g.requests = append(g.requests, Served{Op: "CreateBackupSelection", Account: acct, Plan: plan, Body: in})
	g.n++
	s := storedSelection{ID: fmt.Sprintf("selection-%08d", g.n), Selection: sel, Created: float64(time.Now().Unix())}
	g.selections[acct+"/"+plan] = append(g.selections[acct+"/"+plan], s)
	return jsonOK(req, map[string]any{"BackupPlanId": plan, "SelectionId": s.ID, "CreationDate": s.Created}), nil
}

func (g *BackupGaps) listSelections(req *http.Request, acct, plan string) (*http.Response, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	list := []map[string]any{}
	for _, s := range g.selections[acct+"/"+plan] {
		list = append(list, map[string]any{"BackupPlanId": plan, "SelectionId": s.ID, "SelectionName": s.Selection["SelectionName"],
			"IamRoleArn": s.Selection["IamRoleArn"], "CreationDate": s.Created})
	}
	return jsonOK(req, map[string]any{"BackupSelectionsList": list}), nil
}

func (g *BackupGaps) selection(req *http.Request, acct, plan, id string) (*http.Response, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	key := acct + "/" + plan
	for i, s := range g.selections[key] {
		if s.ID != id {
			continue
		}
		switch req.Method {
		case http.MethodGet:
			return jsonOK(req, map[string]any{"BackupPlanId": plan, "SelectionId": id, "BackupSelection": s.Selection, "CreationDate": s.Created}), nil
		case http.MethodDelete:
			g.requests = append(g.requests, Served{Op: "DeleteBackupSelection", Account: acct, Plan: plan})
			g.selections[key] = append(g.selections[key][:i], g.selections[key][i+1:]...)
			return jsonOK(req, map[string]any{}), nil
		}
	}
	return jsonError(req, http.StatusNotFound, "ResourceNotFoundException", "no selection "+id+" in plan "+plan), nil
}

// iam serves the IAM requests about AWS managed policies; ok is false
// for every other request.
func (g *BackupGaps) iam(req *http.Request, acct string, body []byte) (*http.Response, bool, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, false, nil
	}
	op, role, arn := form.Get("Action"), form.Get("RoleName"), form.Get("PolicyArn")
	managed := strings.HasPrefix(arn, "arn:aws:iam::aws:policy/")
	key := acct + "/" + role
	switch {
	case (op == "AttachRolePolicy" || op == "DetachRolePolicy") && managed:
		if resp, err := g.roleMissing(req, role); resp != nil || err != nil {
			return resp, true, err
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		g.requests = append(g.requests, Served{Op: op, Account: acct, Form: form})
		have := g.attached[key]
		if op == "AttachRolePolicy" {
			if !contains(have, arn) {
				g.attached[key] = append(have, arn)
			}
			return xmlOK(req, op), true, nil
		}
		if !contains(have, arn) {
			return xmlError(req, http.StatusNotFound, "NoSuchEntity", "Policy "+arn+" was not found."), true, nil
		}
		g.attached[key] = remove(have, arn)
		return xmlOK(req, op), true, nil
	case op == "DeleteRole":
		g.mu.Lock()
		n := len(g.attached[key])
		g.mu.Unlock()
		if n > 0 {
			return xmlError(req, http.StatusConflict, "DeleteConflict", "Cannot delete entity, must detach all policies first."), true, nil
		}
	}
	return nil, false, nil
}

// roleMissing asks moto for the role (GetRole) and returns moto's answer
// when it has none.
func (g *BackupGaps) roleMissing(req *http.Request, role string) (*http.Response, error) {
	form := url.Values{"Action": {"GetRole"}, "Version": {"2010-05-08"}, "RoleName": {role}}
	get, err := http.NewRequestWithContext(req.Context(), http.MethodPost, req.URL.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	get.Header = req.Header.Clone()
	get.Header.Del("Content-Length")
	get.ContentLength = int64(len(form.Encode()))
	resp, err := g.Next.RoundTrip(get)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		_ = resp.Body.Close()
		return nil, nil
	}
	return resp, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func remove(s []string, v string) []string {
	out := s[:0]
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

func respond(req *http.Request, status int, ctype string, body []byte, hdr map[string]string) *http.Response {
	h := http.Header{"Content-Type": {ctype}, "X-Amzn-Requestid": {"archkit-gap"}}
	for k, v := range hdr {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: h, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}
}

func jsonOK(req *http.Request, v any) *http.Response {
	b, _ := json.Marshal(v)
	return respond(req, http.StatusOK, "application/json", b, nil)
}

func jsonError(req *http.Request, status int, code, msg string) *http.Response {
	b, _ := json.Marshal(map[string]string{"__type": code, "Message": msg})
	return respond(req, status, "application/json", b, map[string]string{"X-Amzn-Errortype": code})
}

func xmlOK(req *http.Request, op string) *http.Response {
	b := fmt.Sprintf(`<%sResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>archkit-gap</RequestId></ResponseMetadata></%sResponse>`, op, op)
	return respond(req, http.StatusOK, "text/xml", []byte(b), nil)
}

func xmlError(req *http.Request, status int, code, msg string) *http.Response {
	b := fmt.Sprintf(`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>archkit-gap</RequestId></ErrorResponse>`, code, msg)
	return respond(req, status, "text/xml", []byte(b), nil)
}
