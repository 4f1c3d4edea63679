package invoke_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/sailpoint-cancel/wfcancel/internal/invoke"
	"github.com/sailpoint-cancel/wfcancel/internal/invoke/invoketest"
)

const functionARN = "arn:aws:lambda:us-east-1:123456789012:function:CancelFunction"

// realClient is the SDK's Lambda client pointed at the fake, with static credentials and
// no retries.
func realClient(endpoint string) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
	})
}

func TestAsyncSendsAnEventInvocationOverTheWire(t *testing.T) {
	fake := invoketest.NewServer()
	defer fake.Close()
	loads := 0
	c := invoke.New(func(context.Context) (invoke.API, error) {
		loads++
		return realClient(fake.URL), nil
	})

	for _, payload := range []string{`{"deferred":{"payload":"a","mac":"b"}}`, `{"n":2}`} {
		if err := c.Async(t.Context(), functionARN, []byte(payload)); err != nil {
			t.Fatal(err)
		}
	}

	got := fake.Invocations()
	if len(got) != 2 {
		t.Fatalf("fake recorded %d invocations; want 2", len(got))
	}
	first := got[0]
	if first.FunctionName != functionARN || first.InvocationType != "Event" ||
		string(first.Payload) != `{"deferred":{"payload":"a","mac":"b"}}` {
		t.Errorf("invocation = %+v %s", first, first.Payload)
	}
	if loads != 1 {
		t.Errorf("the client was built %d times; want once, at first use", loads)
	}
}

func TestAsyncFailures(t *testing.T) {
	rows := []struct {
		name   string
		status int
	}{
		{name: "throttled", status: http.StatusTooManyRequests},
		{name: "service error", status: http.StatusInternalServerError},
		{name: "no such function", status: http.StatusNotFound},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			fake := invoketest.NewServer()
			defer fake.Close()
			fake.FailNext(row.status)
			c := invoke.New(func(context.Context) (invoke.API, error) {
				return realClient(fake.URL), nil
			})
			err := c.Async(t.Context(), functionARN, []byte(`{}`))
			if err == nil || !strings.Contains(err.Error(), "invoke function asynchronously") {
				t.Fatalf("err = %v; want a wrapped invoke error", err)
			}
			if n := len(fake.Invocations()); n != 0 {
				t.Errorf("fake recorded %d invocations; want 0", n)
			}
		})
	}
}

func TestAsyncRetriesAFailedClientLoad(t *testing.T) {
	fake := invoketest.NewServer()
	defer fake.Close()
	broken := errors.New("no credentials")
	calls := 0
	c := invoke.New(func(context.Context) (invoke.API, error) {
		calls++
		if calls == 1 {
			return nil, broken
		}
		return realClient(fake.URL), nil
	})

	if err := c.Async(t.Context(), functionARN, []byte(`{}`)); !errors.Is(err, broken) {
		t.Fatalf("first err = %v; want the load error", err)
	}
	if err := c.Async(t.Context(), functionARN, []byte(`{}`)); err != nil {
		t.Fatalf("second err = %v; want the load to be tried again", err)
	}
}
