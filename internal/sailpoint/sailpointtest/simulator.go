// Package sailpointtest simulates the SailPoint endpoints the sailpoint package calls: the
// OAuth token endpoint and the workflow execution cancel and get endpoints, on the v3, beta
// and v1 paths, with the status codes and bodies the SailPoint OpenAPI files describe.
//
// It serves unit tests, end-to-end tests, the demo and a local server, so it does not depend
// on package testing. It listens on loopback only.
package sailpointtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
)

// Operation names used in Call.Op, Script and Count.
const (
	OpToken  = "token"
	OpCancel = "cancel"
	OpGet    = "get"
	OpOther  = "other"
)

// DefaultTokenLifetime is the lifetime of issued tokens until SetTokenLifetime changes it;
// SailPoint's PAT tokens last about 12 minutes.
const DefaultTokenLifetime = 749 * time.Second

// Simulator is an http.Handler playing a SailPoint tenant. The zero value is not usable; call
// New. All methods are safe for concurrent use.
type Simulator struct {
	mu         sync.Mutex
	now        func() time.Time
	creds      map[string]string // client id -> secret
	lifetime   time.Duration
	tokens     map[string]time.Time // access token -> expiry
	executions map[string]sailpoint.Execution
	calls      []Call
	scripts    map[string][]Response
	server     *http.Server
}

// Call is one request the simulator received.
type Call struct {
	Op          string // OpToken, OpCancel, OpGet or OpOther
	Method      string
	Path        string // the escaped path as sent
	ExecutionID string // unescaped, for cancel and get
	At          time.Time
}

// Response is a canned answer for Script.
type Response struct {
	Status int
	Header http.Header
	Body   string
	// Delay makes the simulator hang until the request's context ends or Delay passes; then it
	// answers with Status, or normally when Status is 0.
	Delay time.Duration
	// Reset makes the simulator close the connection without answering (after Delay).
	Reset bool
}

// maxRequestBody bounds how much of a request body the simulator reads.
const maxRequestBody = 64 << 10

// New returns a Simulator with no credentials, no executions and DefaultTokenLifetime.
func New() *Simulator {
	return &Simulator{
		now:        time.Now,
		creds:      map[string]string{},
		lifetime:   DefaultTokenLifetime,
		tokens:     map[string]time.Time{},
		executions: map[string]sailpoint.Execution{},
		scripts:    map[string][]Response{},
	}
}

// Start serves the simulator on a free port of 127.0.0.1 and returns its base URL.
func (s *Simulator) Start() (baseURL string, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}

	s.mu.Lock()
	s.server = srv
	s.mu.Unlock()

	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// Close stops a server begun with Start, ending requests in flight.
func (s *Simulator) Close() error {
	s.mu.Lock()
	srv := s.server
	s.server = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// SetNow replaces the simulator's clock (time.Now by default), for token expiry.
func (s *Simulator) SetNow(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// SetCredentials makes clientID and clientSecret the only accepted PAT.
func (s *Simulator) SetCredentials(clientID, clientSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds = map[string]string{clientID: clientSecret}
}

// AddCredentials accepts one more PAT, as a tenant does while a PAT is being rotated.
func (s *Simulator) AddCredentials(clientID, clientSecret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.creds[clientID] = clientSecret
}

// SetTokenLifetime sets the lifetime of tokens issued from now on (whole seconds on the wire).
func (s *Simulator) SetTokenLifetime(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lifetime = d
}

// RevokeTokens forgets every issued token, so the next API call gets a 401.
func (s *Simulator) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]time.Time{}
}

// AddExecution adds or replaces an execution.
func (s *Simulator) AddExecution(e sailpoint.Execution) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.executions[e.ID] = e
}

// Execution returns the execution with the id, as it is now.
func (s *Simulator) Execution(id string) (sailpoint.Execution, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.executions[id]
	return e, ok
}

// Calls returns every request received since New or Reset, in order.
func (s *Simulator) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Count returns how many requests of op were received since New or Reset.
func (s *Simulator) Count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls {
		if c.Op == op {
			n++
		}
	}
	return n
}

// Reset forgets the calls received. Credentials, tokens, executions and scripts stay.
func (s *Simulator) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// Script queues r as the answer to the next request of op (OpToken, OpCancel, OpGet or
// OpOther). Queued answers are used first in, first out; when none is left the simulator
// behaves normally. A scripted answer does not change any execution.
func (s *Simulator) Script(op string, r Response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[op] = append(s.scripts[op], r)
}

// ServeHTTP answers one request.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, id := route(r)
	script, scripted := s.record(op, id, r)

	// Reading the whole body lets net/http notice a client that hangs up during a Delay.
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	r.Body = io.NopCloser(bytes.NewReader(body))

	if scripted {
		if !s.play(w, r, script) {
			return
		}
		if script.Status != 0 {
			writeResponse(w, script)
			return
		}
	}

	switch op {
	case OpToken:
		s.serveToken(w, r)
	case OpCancel:
		s.serveCancel(w, r, id)
	case OpGet:
		s.serveGet(w, r, id)
	default:
		writeJSON(w, http.StatusNotFound, ErrorBody(http.StatusNotFound,
			"The server did not find a current representation for the target resource."))
	}
}

// record notes the call and takes the next scripted answer for op, if any.
func (s *Simulator) record(op, id string, r *http.Request) (Response, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, Call{
		Op:          op,
		Method:      r.Method,
		Path:        r.URL.EscapedPath(),
		ExecutionID: id,
		At:          s.now(),
	})

	queue := s.scripts[op]
	if len(queue) == 0 {
		return Response{}, false
	}
	s.scripts[op] = queue[1:]
	return queue[0], true
}

// play carries out a script's delay and reset. It reports whether an answer should follow.
func (s *Simulator) play(w http.ResponseWriter, r *http.Request, script Response) bool {
	if script.Delay > 0 {
		t := time.NewTimer(script.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return false
		}
	}
	if script.Reset {
		resetConnection(w)
		return false
	}
	return true
}

// resetConnection drops the connection without an answer, with a TCP reset where possible.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("sailpointtest: response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// route names the operation of a request and the execution id it targets. The paths are
// POST /oauth/token; /v3 and /beta /workflow-executions/{id}[/cancel]; and the per-service
// /workflow-executions/v1/{id}[/cancel].
func route(r *http.Request) (op, id string) {
	parts := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	if len(parts) == 2 && parts[0] == "oauth" && parts[1] == "token" &&
		r.Method == http.MethodPost {
		return OpToken, ""
	}

	var rest []string
	switch {
	case len(parts) >= 3 && (parts[0] == "v3" || parts[0] == "beta") &&
		parts[1] == "workflow-executions":
		rest = parts[2:]
	case len(parts) >= 3 && parts[0] == "workflow-executions" && parts[1] == "v1":
		rest = parts[2:]
	default:
		return OpOther, ""
	}

	id, err := url.PathUnescape(rest[0])
	if err != nil || id == "" {
		return OpOther, ""
	}
	switch {
	case len(rest) == 1 && r.Method == http.MethodGet:
		return OpGet, id
	case len(rest) == 2 && rest[1] == "cancel" && r.Method == http.MethodPost:
		return OpCancel, id
	}
	return OpOther, ""
}

// serveToken runs the client credentials grant with the id and secret in the form body (or,
// as OAuth also allows, in Basic authentication).
func (s *Simulator) serveToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, OAuthErrorBody("invalid_request", "unreadable form"))
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, OAuthErrorBody("unsupported_grant_type",
			"only client_credentials is supported"))
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if basicID, basicSecret, ok := r.BasicAuth(); ok {
		id, secret = basicID, basicSecret
	}

	s.mu.Lock()
	want, known := s.creds[id]
	accepted := known && id != "" && want == secret
	var token string
	lifetime := s.lifetime
	if accepted {
		token = randomHex(32)
		s.tokens[token] = s.now().Add(lifetime)
	}
	s.mu.Unlock()

	if !accepted {
		writeJSON(w, http.StatusUnauthorized, OAuthErrorBody("invalid_client",
			"Bad client credentials"))
		return
	}
	writeJSON(w, http.StatusOK, tokenBody(token, lifetime))
}

// authorized checks the bearer token and answers 401 when it is missing, unknown or expired.
func (s *Simulator) authorized(w http.ResponseWriter, r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		writeJSON(w, http.StatusUnauthorized, UnauthorizedBody("JWT validation failed: "+
			"no authorization header"))
		return false
	}

	s.mu.Lock()
	expiry, known := s.tokens[token]
	now := s.now()
	s.mu.Unlock()

	switch {
	case !known:
		writeJSON(w, http.StatusUnauthorized, UnauthorizedBody("JWT validation failed: "+
			"JWT is invalid"))
		return false
	case !now.Before(expiry):
		writeJSON(w, http.StatusUnauthorized, UnauthorizedBody("JWT validation failed: "+
			"JWT is expired"))
		return false
	}
	return true
}

// serveCancel cancels a running execution.
func (s *Simulator) serveCancel(w http.ResponseWriter, r *http.Request, id string) {
	if !s.authorized(w, r) {
		return
	}

	s.mu.Lock()
	e, ok := s.executions[id]
	finished := ok && e.Finished()
	if ok && !finished {
		e.Status = sailpoint.StatusCanceled
		e.CloseTime = s.now().UTC().Format(time.RFC3339Nano)
		s.executions[id] = e
	}
	s.mu.Unlock()

	switch {
	case !ok:
		writeJSON(w, http.StatusNotFound, ErrorBody(http.StatusNotFound,
			"The server did not find a current representation for the target resource."))
	case finished:
		// The spec documents no answer for cancelling an execution that has already ended;
		// a 400 ErrorResponseDto is the closest documented shape.
		writeJSON(w, http.StatusBadRequest, ErrorBody(http.StatusBadRequest,
			"The workflow execution has already ended with status "+e.Status+
				" and cannot be canceled."))
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// serveGet returns an execution as a single JSON object, as the live API does (the spec's
// schema says "items").
func (s *Simulator) serveGet(w http.ResponseWriter, r *http.Request, id string) {
	if !s.authorized(w, r) {
		return
	}

	e, ok := s.Execution(id)
	if !ok {
		writeJSON(w, http.StatusNotFound, ErrorBody(http.StatusNotFound,
			"The server did not find a current representation for the target resource."))
		return
	}
	writeJSON(w, http.StatusOK, executionBody(e))
}

// writeResponse writes a scripted answer.
func writeResponse(w http.ResponseWriter, script Response) {
	for k, vs := range script.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if script.Body != "" && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(script.Status)
	_, _ = w.Write([]byte(script.Body))
}

// writeJSON writes a JSON answer.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// The simulator is mounted wherever an http.Handler fits, httptest.NewServer included.
var _ http.Handler = (*Simulator)(nil)
