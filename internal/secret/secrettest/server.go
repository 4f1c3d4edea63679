// Package secrettest runs a fake AWS Secrets Manager that speaks the service's
// JSON wire protocol, so tests and local demos can point the real
// aws-sdk-go-v2 client at it. It answers GetSecretValue only.
//
// It imports no testing package and can run in a demo binary as well as in tests.
package secrettest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

const (
	targetGetSecretValue = "secretsmanager.GetSecretValue"
	contentType          = "application/x-amz-json-1.1"
	region               = "us-east-1"
	accountID            = "123456789012"
)

// Fault describes how the fake fails a GetSecretValue call.
type Fault struct {
	// Status is the HTTP status; zero means 500 for InternalServiceError and
	// 400 for every other Type, as the service answers.
	Status int
	// Type is the error code sent as __type and x-amzn-ErrorType, for example
	// ResourceNotFoundException, AccessDeniedException, DecryptionFailure,
	// ThrottlingException or InternalServiceError.
	Type string
	// Message is the error's message text.
	Message string
	// Hang makes the call wait, answering nothing, until the client gives up or
	// the server closes; Status, Type and Message are then ignored.
	Hang bool
}

// Server is a fake Secrets Manager listening on 127.0.0.1.
//
// Faults: FailNext queues faults for the next calls, one call each; once the
// queue is empty, the fault set by Fail (if any) answers every call until
// ClearFault. Every call that reaches GetSecretValue counts in Calls, including
// failed ones, so SDK retries are visible.
type Server struct {
	// URL is the base URL to use as the client's BaseEndpoint.
	URL string

	srv     *httptest.Server
	closing chan struct{}
	once    sync.Once

	mu      sync.Mutex
	secrets map[string]stored
	queue   []Fault
	sticky  *Fault
	calls   int
}

type stored struct {
	text    *string
	binary  []byte
	version int
	created time.Time
}

// NewServer starts a fake Secrets Manager on a free port of 127.0.0.1 with no
// secrets. Close it when done.
func NewServer() *Server {
	s := &Server{closing: make(chan struct{}), secrets: make(map[string]stored)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

// Close stops the server, releasing any call held by a Hang fault.
func (s *Server) Close() {
	s.once.Do(func() { close(s.closing) })
	s.srv.Close()
}

// SetSecret stores secretString as the current value of id, replacing any value.
func (s *Server) SetSecret(id string, secretString string) {
	s.put(id, stored{text: &secretString})
}

// SetBinary stores b as the current SecretBinary of id, replacing any value.
func (s *Server) SetBinary(id string, b []byte) {
	s.put(id, stored{binary: append([]byte(nil), b...)})
}

func (s *Server) put(id string, v stored) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v.version = s.secrets[id].version + 1
	v.created = time.Now().Truncate(time.Second)
	s.secrets[id] = v
}

// Fail makes every later call fail with f, after any queued faults, until
// ClearFault.
func (s *Server) Fail(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sticky = &f
}

// FailNext queues f for the next n calls.
func (s *Server) FailNext(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.queue = append(s.queue, f)
	}
}

// ClearFault removes the fault set by Fail and any queued faults.
func (s *Server) ClearFault() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sticky = nil
	s.queue = nil
}

// Calls returns how many GetSecretValue calls the server has received.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// NewClient returns a real Secrets Manager client aimed at this server, with
// static credentials, region us-east-1 and the SDK's default retries. optFns
// adjust it further, for example to take the waits out of retries in tests.
func (s *Server) NewClient(optFns ...func(*secretsmanager.Options)) *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:       region,
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSECRETTEST", "fake", ""),
	}, optFns...)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		writeError(w, http.StatusNotFound, "UnknownOperationException", "no such resource")
		return
	}
	if got := r.Header.Get("X-Amz-Target"); got != targetGetSecretValue {
		writeError(w, http.StatusBadRequest, "UnknownOperationException",
			"operation not supported by this fake")
		return
	}
	if r.Header.Get("Authorization") == "" {
		writeError(w, http.StatusBadRequest, "MissingAuthenticationTokenException",
			"request is missing an Authorization header")
		return
	}
	if r.Header.Get("Content-Type") != contentType {
		writeError(w, http.StatusBadRequest, "SerializationException",
			"content type must be "+contentType)
		return
	}

	var in struct{ SecretId string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.SecretId == "" {
		writeError(w, http.StatusBadRequest, "ValidationException", "SecretId is required")
		return
	}

	fault, secret, found := s.call(in.SecretId)
	switch {
	case fault != nil && fault.Hang:
		s.hang(r)
	case fault != nil:
		writeError(w, fault.status(), fault.Type, fault.Message)
	case !found:
		writeError(w, http.StatusBadRequest, "ResourceNotFoundException",
			"Secrets Manager can't find the specified secret.")
	default:
		writeSecret(w, in.SecretId, secret)
	}
}

// call counts one GetSecretValue call and picks its fault or its secret.
func (s *Server) call(id string) (*Fault, stored, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if len(s.queue) > 0 {
		f := s.queue[0]
		s.queue = s.queue[1:]
		return &f, stored{}, false
	}
	if s.sticky != nil {
		f := *s.sticky
		return &f, stored{}, false
	}
	v, ok := s.secrets[id]
	return nil, v, ok
}

// hang holds the call until the client leaves or the server closes, then drops
// the connection without an answer.
func (s *Server) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.closing:
	}
	panic(http.ErrAbortHandler)
}

func (f Fault) status() int {
	switch {
	case f.Status != 0:
		return f.Status
	case f.Type == "InternalServiceError":
		return http.StatusInternalServerError
	default:
		return http.StatusBadRequest
	}
}

func writeSecret(w http.ResponseWriter, id string, v stored) {
	out := map[string]any{
		"ARN":           fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s", region, accountID, id),
		"Name":          id,
		"VersionId":     fmt.Sprintf("00000000-0000-4000-8000-%012d", v.version),
		"VersionStages": []string{"AWSCURRENT"},
		"CreatedDate":   v.created.Unix(),
	}
	if v.text != nil {
		out["SecretString"] = *v.text
	} else {
		out["SecretBinary"] = v.binary // encoding/json writes []byte as base64
	}
	writeJSON(w, http.StatusOK, out)
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	writeJSON(w, status, map[string]string{"__type": code, "message": message})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-RequestId", "00000000-0000-4000-8000-000000000000")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
