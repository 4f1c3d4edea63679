package sailpoint

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind says what went wrong with a SailPoint call, in terms a caller can act on
// without looking at HTTP status codes.
type Kind int

// The kinds of failure a call can end in. The zero value is not a valid kind.
const (
	// KindBadRequest is a 400 from the call (for cancel: the execution is not cancellable or
	// the id is malformed).
	KindBadRequest Kind = iota + 1
	// KindCredentialsRejected means the PAT did not work: a 401 after one token refresh, or the
	// token endpoint rejecting the client id and secret after one credentials refresh.
	KindCredentialsRejected
	// KindForbidden is a 403: the PAT lacks the scope or user level; Error.Scope names the scope.
	KindForbidden
	// KindNotFound is a 404: no such execution (or it is archived, after 90 days).
	KindNotFound
	// KindRateLimited is a 429 that was not retried; Error.RetryAfter holds SailPoint's wait.
	KindRateLimited
	// KindUpstream is a 5xx, an unexpected status, an undecodable success body or an HTML page
	// from something in front of the API.
	KindUpstream
	// KindTimeout means the call did not finish: a deadline, a network timeout or a connection
	// reset mid-call. For cancel the outcome is unknown: SailPoint may or may not have acted.
	KindTimeout
)

// String returns a short lower-case name for the kind.
func (k Kind) String() string {
	switch k {
	case KindBadRequest:
		return "bad request"
	case KindCredentialsRejected:
		return "credentials rejected"
	case KindForbidden:
		return "forbidden"
	case KindNotFound:
		return "not found"
	case KindRateLimited:
		return "rate limited"
	case KindUpstream:
		return "upstream error"
	case KindTimeout:
		return "timeout"
	default:
		return fmt.Sprintf("kind(%d)", int(k))
	}
}

// Scopes the spec requires for each call, reported in KindForbidden errors.
const (
	cancelScope = "sp:workflow-execute:external"
	getScope    = "sp:workflow-execution:read or sp:workflow:manage"
)

// Error is a failed SailPoint call. Every failure of Cancel and Get is an *Error, except a
// failure of the Credentials callback, which is returned wrapped as it came.
type Error struct {
	Kind       Kind
	Op         string // the call that failed: OpCancel, OpGet or OpToken
	Status     int    // upstream HTTP status, 0 when no response arrived
	TrackingID string // SailPoint's trackingId from the error body, when present
	Message    string // SailPoint's human message, trimmed and capped at maxMessage bytes
	DetailCode string // SailPoint's detailCode, when present
	// RetryAfter is, for KindRateLimited, SailPoint's Retry-After capped at a day; 0 when
	// none was sent or it asked for no wait.
	RetryAfter time.Duration
	Scope      string // for KindForbidden: the scope the call needs
	Err        error  // underlying cause, when there is one
}

// Error describes the failure in one lower-case line. It never holds credentials, tokens or
// bodies beyond the capped Message; the cause is only spelled out when no response arrived.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sailpoint %s: %s", e.Op, e.Kind)

	var details []string
	if e.Status != 0 {
		details = append(details, fmt.Sprintf("http %d", e.Status))
	}
	if e.TrackingID != "" {
		details = append(details, "tracking id "+e.TrackingID)
	}
	if e.RetryAfter > 0 {
		details = append(details, "retry after "+e.RetryAfter.String())
	}
	if e.Scope != "" {
		details = append(details, "needs scope "+e.Scope)
	}
	if len(details) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(details, ", "))
	}

	switch {
	case e.Message != "":
		b.WriteString(": " + e.Message)
	case e.Status == 0 && e.Err != nil:
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// maxMessage caps SailPoint's message so a misbehaving server cannot flood logs or replies.
const maxMessage = 300

// errorBody is the union of the three error shapes SailPoint sends: ErrorResponseDto for most
// statuses, {"error": ...} for 401 (and OAuth errors), {"message": ...} for 429.
type errorBody struct {
	DetailCode string `json:"detailCode"`
	TrackingID string `json:"trackingId"`
	Messages   []struct {
		Text string `json:"text"`
	} `json:"messages"`
	Error   json.RawMessage `json:"error"`
	Message json.RawMessage `json:"message"`
}

// decodedError is what decodeError could learn from an error body.
type decodedError struct {
	trackingID string
	detailCode string
	message    string
}

// decodeError reads whatever it can from an error body. It never fails: an undecodable body
// just yields nothing.
func decodeError(body []byte) decodedError {
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil {
		return decodedError{}
	}

	d := decodedError{
		trackingID: capText(eb.TrackingID, 64),
		detailCode: capText(eb.DetailCode, 64),
	}
	for _, m := range eb.Messages {
		if t := strings.TrimSpace(m.Text); t != "" {
			d.message = t
			break
		}
	}
	if d.message == "" {
		d.message = jsonString(eb.Error)
	}
	if d.message == "" {
		d.message = jsonString(eb.Message)
	}
	d.message = capText(d.message, maxMessage)
	return d
}

// jsonString returns raw as a trimmed string when it is a JSON string, else "".
func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.TrimSpace(s)
}

// capText trims s, drops control characters (so a message stays one log line) and cuts it to
// at most n bytes on a rune boundary.
func capText(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.TrimSpace(s[:cut]) + "…"
}

// isHTML reports whether a response is a web page (from a gateway, proxy or CDN in front of
// the API) rather than one of SailPoint's JSON bodies.
func isHTML(h http.Header, body []byte) bool {
	media, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	if media == "text/html" || media == "application/xhtml+xml" {
		return true
	}
	return strings.HasPrefix(strings.TrimSpace(string(body[:min(len(body), 64)])), "<")
}

// statusError turns a final non-success response into an *Error.
func statusError(op string, status int, h http.Header, body []byte, now time.Time) *Error {
	e := &Error{Op: op, Status: status, Kind: kindOf(status)}
	if isHTML(h, body) {
		// A page, not the API: nothing in it is worth showing, and its status is not SailPoint's.
		e.Kind = KindUpstream
		return e
	}

	d := decodeError(body)
	e.TrackingID, e.DetailCode, e.Message = d.trackingID, d.detailCode, d.message
	switch e.Kind {
	case KindForbidden:
		e.Scope = scopeOf(op)
	case KindRateLimited:
		e.RetryAfter, _ = retryAfter(h, now)
	}
	return e
}

// kindOf maps an HTTP status to a Kind.
func kindOf(status int) Kind {
	switch status {
	case http.StatusBadRequest:
		return KindBadRequest
	case http.StatusUnauthorized:
		return KindCredentialsRejected
	case http.StatusForbidden:
		return KindForbidden
	case http.StatusNotFound:
		return KindNotFound
	case http.StatusTooManyRequests:
		return KindRateLimited
	default:
		return KindUpstream
	}
}

// scopeOf names the scope the spec requires for op.
func scopeOf(op string) string {
	switch op {
	case OpCancel:
		return cancelScope
	case OpGet:
		return getScope
	default:
		return ""
	}
}
