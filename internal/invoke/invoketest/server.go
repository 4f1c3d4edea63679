// Package invoketest is a loopback stand-in for the AWS Lambda Invoke API, for tests. It
// speaks the real REST-JSON wire protocol (POST /2015-03-31/functions/{FunctionName}/
// invocations, the invocation type in X-Amz-Invocation-Type, errors named by
// X-Amzn-ErrorType), so the real SDK client can be pointed at it with
// AWS_ENDPOINT_URL_LAMBDA. It accepts only asynchronous (Event) invocations and records
// them; it runs nothing.
package invoketest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
)

// maxPayload is Lambda's limit on an asynchronous invocation's payload.
const maxPayload = 256 << 10

// Invocation is one Invoke call the server accepted.
type Invocation struct {
	// FunctionName is the path parameter as the client sent it, unescaped: a name, an ARN
	// or a partial ARN.
	FunctionName string

	// InvocationType is the X-Amz-Invocation-Type header ("Event").
	InvocationType string

	// Payload is the request body, the event the function would receive.
	Payload []byte
}

// Server is a fake Lambda Invoke endpoint on 127.0.0.1.
type Server struct {
	// URL is the endpoint, for AWS_ENDPOINT_URL_LAMBDA or the client's BaseEndpoint.
	URL string

	srv *httptest.Server

	mu          sync.Mutex
	invocations []Invocation
	failures    []int
}

// NewServer starts a Server on a free loopback port.
func NewServer() *Server {
	s := &Server{}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Invocations returns the invocations accepted so far, oldest first.
func (s *Server) Invocations() []Invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Invocation(nil), s.invocations...)
}

// FailNext makes the next Invoke calls fail, one per status given (such as 429 or 500),
// before the server accepts calls again. A failed call is not recorded.
func (s *Server) FailNext(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, statuses...)
}

const invokePrefix = "/2015-03-31/functions/"

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), invokePrefix)
	name, ok2 := strings.CutSuffix(rest, "/invocations")
	if !ok || !ok2 || name == "" || strings.Contains(name, "/") {
		writeError(w, http.StatusNotFound, "UnknownOperationException", "unknown operation")
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "UnknownOperationException",
			"method not allowed")
		return
	}
	function, err := url.PathUnescape(name)
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidParameterValueException",
			"malformed function name")
		return
	}
	kind := r.Header.Get("X-Amz-Invocation-Type")
	if kind != "Event" {
		writeError(w, http.StatusBadRequest, "InvalidParameterValueException",
			"this fake accepts only InvocationType Event")
		return
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
	if err != nil || len(payload) > maxPayload {
		writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException",
			"payload too large")
		return
	}

	s.mu.Lock()
	if len(s.failures) > 0 {
		status := s.failures[0]
		s.failures = s.failures[1:]
		s.mu.Unlock()
		writeError(w, status, errorType(status), "injected failure")
		return
	}
	s.invocations = append(s.invocations,
		Invocation{FunctionName: function, InvocationType: kind, Payload: payload})
	s.mu.Unlock()

	w.Header().Set("X-Amzn-Requestid", "invoketest-request")
	w.WriteHeader(http.StatusAccepted)
}

func errorType(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "TooManyRequestsException"
	case http.StatusNotFound:
		return "ResourceNotFoundException"
	}
	return "ServiceException"
}

// writeError answers as Lambda does: the error's type in X-Amzn-ErrorType and a JSON body
// with Type and message.
func writeError(w http.ResponseWriter, status int, kind, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", kind)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": message})
}
