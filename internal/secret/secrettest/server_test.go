package secrettest_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"

	"github.com/sailpoint-cancel/wfcancel/internal/secret/secrettest"
)

func TestServerWireProtocol(t *testing.T) {
	tests := []struct {
		name       string
		target     string
		auth       string
		ctype      string
		body       string
		wantStatus int
		wantType   string
	}{
		{
			name:       "answers GetSecretValue",
			target:     "secretsmanager.GetSecretValue",
			auth:       "AWS4-HMAC-SHA256 Credential=x",
			ctype:      "application/x-amz-json-1.1",
			body:       `{"SecretId":"app"}`,
			wantStatus: http.StatusOK,
		},
		{
			name:       "rejects a missing target",
			auth:       "AWS4-HMAC-SHA256 Credential=x",
			ctype:      "application/x-amz-json-1.1",
			body:       `{"SecretId":"app"}`,
			wantStatus: http.StatusBadRequest,
			wantType:   "UnknownOperationException",
		},
		{
			name:       "rejects another operation",
			target:     "secretsmanager.PutSecretValue",
			auth:       "AWS4-HMAC-SHA256 Credential=x",
			ctype:      "application/x-amz-json-1.1",
			body:       `{"SecretId":"app"}`,
			wantStatus: http.StatusBadRequest,
			wantType:   "UnknownOperationException",
		},
		{
			name:       "rejects an unsigned request",
			target:     "secretsmanager.GetSecretValue",
			ctype:      "application/x-amz-json-1.1",
			body:       `{"SecretId":"app"}`,
			wantStatus: http.StatusBadRequest,
			wantType:   "MissingAuthenticationTokenException",
		},
		{
			name:       "rejects a body without SecretId",
			target:     "secretsmanager.GetSecretValue",
			auth:       "AWS4-HMAC-SHA256 Credential=x",
			ctype:      "application/x-amz-json-1.1",
			body:       `{}`,
			wantStatus: http.StatusBadRequest,
			wantType:   "ValidationException",
		},
		{
			name:       "reports an unknown secret id",
			target:     "secretsmanager.GetSecretValue",
			auth:       "AWS4-HMAC-SHA256 Credential=x",
			ctype:      "application/x-amz-json-1.1",
			body:       `{"SecretId":"absent"}`,
			wantStatus: http.StatusBadRequest,
			wantType:   "ResourceNotFoundException",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := secrettest.NewServer()
			t.Cleanup(srv.Close)
			srv.SetSecret("app", `{"client_id":"x"}`)

			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/",
				strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			setHeader(req, "X-Amz-Target", tt.target)
			setHeader(req, "Authorization", tt.auth)
			setHeader(req, "Content-Type", tt.ctype)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()

			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("decode answer: %v", err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantType != "" {
				if body["__type"] != tt.wantType || resp.Header.Get("X-Amzn-ErrorType") != tt.wantType {
					t.Errorf("error type = %v / %q, want %s",
						body["__type"], resp.Header.Get("X-Amzn-ErrorType"), tt.wantType)
				}
				return
			}
			for _, field := range []string{"ARN", "Name", "VersionId", "SecretString",
				"VersionStages", "CreatedDate"} {
				if _, ok := body[field]; !ok {
					t.Errorf("answer lacks %s", field)
				}
			}
		})
	}
}

func setHeader(req *http.Request, name, value string) {
	if value != "" {
		req.Header.Set(name, value)
	}
}

func TestServerWithSDKClient(t *testing.T) {
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	srv := secrettest.NewServer()
	t.Cleanup(srv.Close)
	srv.SetSecret("text", `{"client_id":"x"}`)
	srv.SetBinary("bin", []byte{0, 1, 2, 255})
	client := srv.NewClient()

	out, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{
		SecretId: strPtr("text"),
	})
	if err != nil {
		t.Fatalf("GetSecretValue(text) error = %v", err)
	}
	if out.SecretString == nil || *out.SecretString != `{"client_id":"x"}` ||
		out.CreatedDate == nil || len(out.VersionStages) != 1 {
		t.Errorf("GetSecretValue(text) = %+v", out)
	}

	out, err = client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{
		SecretId: strPtr("bin"),
	})
	if err != nil {
		t.Fatalf("GetSecretValue(bin) error = %v", err)
	}
	if out.SecretString != nil || string(out.SecretBinary) != string([]byte{0, 1, 2, 255}) {
		t.Errorf("GetSecretValue(bin) = %q / %v", out.SecretBinary, out.SecretString)
	}
	if srv.Calls() != 2 {
		t.Errorf("Calls() = %d, want 2", srv.Calls())
	}
}

func TestServerFaultQueueThenSticky(t *testing.T) {
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	srv := secrettest.NewServer()
	t.Cleanup(srv.Close)
	srv.SetSecret("app", "{}")
	client := srv.NewClient()
	get := func() string {
		_, err := client.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{
			SecretId: strPtr("app"),
		})
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			return apiErr.ErrorCode()
		}
		if err != nil {
			t.Fatalf("GetSecretValue() error = %v", err)
		}
		return "ok"
	}

	srv.FailNext(1, secrettest.Fault{Type: "AccessDeniedException"})
	srv.Fail(secrettest.Fault{Type: "DecryptionFailure"})
	got := []string{get(), get()}
	srv.ClearFault()
	got = append(got, get())

	want := []string{"AccessDeniedException", "DecryptionFailure", "ok"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("answers = %q, want %q", got, want)
	}
}

func strPtr(s string) *string { return &s }
