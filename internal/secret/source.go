package secret

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/smithy-go"
)

// Source reads the raw secret document. Errors wrap ErrUnavailable and never
// contain the secret's value.
type Source interface {
	Read(ctx context.Context) ([]byte, error)
}

// GetSecretValueAPI is the one Secrets Manager call this package makes; it is
// satisfied by *secretsmanager.Client.
type GetSecretValueAPI interface {
	GetSecretValue(
		ctx context.Context,
		in *secretsmanager.GetSecretValueInput,
		opts ...func(*secretsmanager.Options),
	) (*secretsmanager.GetSecretValueOutput, error)
}

// SecretsManager returns a Source reading the SecretString of the secret id.
//
// The client is built by newClient at the first Read, not here, so that a cold
// start does not load the AWS configuration until a request needs the secret.
// A successful newClient is reused for every later Read; a failed one is tried
// again at the next Read.
func SecretsManager(
	id string,
	newClient func(ctx context.Context) (GetSecretValueAPI, error),
) Source {
	return &secretsManagerSource{id: id, newClient: newClient}
}

type secretsManagerSource struct {
	id        string
	newClient func(ctx context.Context) (GetSecretValueAPI, error)

	mu     sync.Mutex
	client GetSecretValueAPI
}

// String names the secret for error texts.
func (s *secretsManagerSource) String() string {
	return fmt.Sprintf("secret %q", s.id)
}

func (s *secretsManagerSource) Read(ctx context.Context) ([]byte, error) {
	client, err := s.clientFor(ctx)
	if err != nil {
		return nil, s.fail("build client", err)
	}

	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &s.id})
	if err != nil {
		return nil, s.fail(reason(err), err)
	}

	if out.SecretString == nil {
		return nil, s.fail("has no SecretString", nil)
	}
	return []byte(*out.SecretString), nil
}

func (s *secretsManagerSource) clientFor(ctx context.Context) (GetSecretValueAPI, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		return s.client, nil
	}
	client, err := s.newClient(ctx)
	if err != nil {
		return nil, err
	}
	s.client = client
	return client, nil
}

// reason names why GetSecretValue failed: the service's error code when there is
// one (ResourceNotFoundException, AccessDeniedException, DecryptionFailure,
// ThrottlingException, ...), else the context's or transport's failure.
func reason(err error) string {
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &apiErr):
		return "get secret value: " + apiErr.ErrorCode()
	case errors.Is(err, context.DeadlineExceeded):
		return "get secret value: deadline exceeded"
	case errors.Is(err, context.Canceled):
		return "get secret value: canceled"
	default:
		return "get secret value: request failed"
	}
}

func (s *secretsManagerSource) fail(why string, cause error) error {
	return &readError{source: s.String(), reason: why, cause: cause}
}

// File returns a Source reading the secret document from path, for local runs
// and tests. The file is read at every Read; the Store decides how often.
func File(path string) Source {
	return fileSource(path)
}

type fileSource string

// String names the file for error texts.
func (f fileSource) String() string {
	return fmt.Sprintf("secret file %q", string(f))
}

func (f fileSource) Read(ctx context.Context) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, &readError{source: f.String(), reason: "read: " + err.Error(), cause: err}
	}
	raw, err := os.ReadFile(string(f))
	if err != nil {
		return nil, &readError{source: f.String(), reason: fileReason(err), cause: err}
	}
	return raw, nil
}

func fileReason(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "read: no such file"
	case errors.Is(err, fs.ErrPermission):
		return "read: permission denied"
	default:
		return "read: failed"
	}
}

// readError says which secret could not be read and why, in a short text that
// names no value. The cause stays reachable through errors.As (for example a
// smithy.APIError) without its long text being repeated in Error.
type readError struct {
	source string
	reason string
	cause  error
}

func (e *readError) Error() string {
	return fmt.Sprintf("%v: %s: %s", ErrUnavailable, e.source, e.reason)
}

func (e *readError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrUnavailable}
	}
	return []error{ErrUnavailable, e.cause}
}
