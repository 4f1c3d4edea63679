package sailpointtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
)

// detailCodes are the detailCode values SailPoint's spec examples use per status.
var detailCodes = map[int]string{
	http.StatusBadRequest:          "400.1 Bad Request Content",
	http.StatusForbidden:           "403 Forbidden",
	http.StatusNotFound:            "404 Not found",
	http.StatusInternalServerError: "500.0 Internal Fault",
}

// errorMessage is one entry of ErrorResponseDto's messages.
type errorMessage struct {
	Locale       string `json:"locale"`
	LocaleOrigin string `json:"localeOrigin"`
	Text         string `json:"text"`
}

// errorResponse is SailPoint's ErrorResponseDto.
type errorResponse struct {
	DetailCode string         `json:"detailCode"`
	TrackingID string         `json:"trackingId"`
	Messages   []errorMessage `json:"messages"`
	Causes     []errorMessage `json:"causes"`
}

// ErrorBody returns an ErrorResponseDto body for status with one en-US message and a new
// random 32-hex trackingId, the shape SailPoint uses for 400, 403, 404 and 500.
func ErrorBody(status int, message string) string {
	return ErrorBodyWithTrackingID(status, randomHex(16), message)
}

// ErrorBodyWithTrackingID is ErrorBody with a chosen trackingId.
func ErrorBodyWithTrackingID(status int, trackingID, message string) string {
	code, ok := detailCodes[status]
	if !ok {
		code = fmt.Sprintf("%d %s", status, http.StatusText(status))
	}
	return mustJSON(errorResponse{
		DetailCode: code,
		TrackingID: trackingID,
		Messages:   []errorMessage{{Locale: "en-US", LocaleOrigin: "DEFAULT", Text: message}},
		Causes:     []errorMessage{},
	})
}

// UnauthorizedBody returns the {"error": ...} body SailPoint sends with a 401.
func UnauthorizedBody(message string) string {
	return mustJSON(map[string]string{"error": message})
}

// OAuthErrorBody returns an OAuth token endpoint error body (RFC 6749 section 5.2).
func OAuthErrorBody(code, description string) string {
	return mustJSON(map[string]string{"error": code, "error_description": description})
}

// RateLimitBody returns the {"message": ...} body SailPoint sends with a 429.
func RateLimitBody() string {
	return mustJSON(map[string]string{"message": " Rate Limit Exceeded "})
}

// RateLimited returns a scripted 429 with Retry-After set to retryAfter (seconds or an HTTP
// date), or without the header when retryAfter is "".
func RateLimited(retryAfter string) Response {
	h := http.Header{"Content-Type": {"application/json"}}
	if retryAfter != "" {
		h.Set("Retry-After", retryAfter)
	}
	return Response{Status: http.StatusTooManyRequests, Header: h, Body: RateLimitBody()}
}

// ErrorResponse returns a scripted ErrorResponseDto answer with the given status.
func ErrorResponse(status int, trackingID, message string) Response {
	return Response{
		Status: status,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   ErrorBodyWithTrackingID(status, trackingID, message),
	}
}

// tokenBody returns a successful client credentials answer.
func tokenBody(token string, lifetime time.Duration) string {
	return mustJSON(struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		Scope       string `json:"scope"`
	}{token, "bearer", max(int64(lifetime/time.Second), 1), "sp:scopes:all"})
}

// executionBody returns an execution as the GET endpoint sends it.
func executionBody(e sailpoint.Execution) string {
	return mustJSON(e)
}

// mustJSON marshals values that cannot fail to marshal.
func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("sailpointtest: " + err.Error())
	}
	return string(b)
}
