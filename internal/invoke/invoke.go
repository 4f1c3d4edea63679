// Package invoke hands an event to an asynchronous invocation of a Lambda function, so that
// the function can acknowledge a chat command at once and do the slow work in a second
// invocation of itself. The Lambda client is built at first use, which keeps cold starts
// fast for the many requests that never hand anything off.
package invoke

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// API is the part of the Lambda API the Client calls; *lambda.Client implements it.
type API interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput,
		opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// Client starts asynchronous invocations. It is safe for concurrent use.
type Client struct {
	load func(ctx context.Context) (API, error)

	mu  sync.Mutex
	api API
}

// New returns a Client that builds its Lambda API client with load at first use. A failed
// load is not remembered: the next hand-off tries again.
func New(load func(ctx context.Context) (API, error)) *Client {
	return &Client{load: load}
}

// Async invokes the function named by functionARN with payload as an event (InvocationType
// Event): Lambda queues it and answers 202 without waiting for the function to run.
func (c *Client) Async(ctx context.Context, functionARN string, payload []byte) error {
	api, err := c.client(ctx)
	if err != nil {
		return err
	}
	out, err := api.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(functionARN),
		InvocationType: types.InvocationTypeEvent,
		Payload:        payload,
	})
	if err != nil {
		return fmt.Errorf("invoke function asynchronously: %w", err)
	}
	if out.StatusCode != http.StatusAccepted {
		return fmt.Errorf("invoke function asynchronously: status %d, want 202", out.StatusCode)
	}
	return nil
}

func (c *Client) client(ctx context.Context) (API, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.api != nil {
		return c.api, nil
	}
	api, err := c.load(ctx)
	if err != nil {
		return nil, fmt.Errorf("build lambda client: %w", err)
	}
	c.api = api
	return api, nil
}
