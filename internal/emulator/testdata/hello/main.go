// Command hello is a minimal Lambda bootstrap for the emulator tests. It
// prints HELLO_GREETING when it starts, and answers each event with the event
// itself plus the values of the environment variables the event names, so a
// test can see exactly what environment the emulator handed over.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

// request is the part of the event hello understands.
type request struct {
	Env  []string `json:"env"`
	Fail bool     `json:"fail"`
}

// answer is what hello returns for each event.
type answer struct {
	Echo json.RawMessage   `json:"echo"`
	Env  map[string]string `json:"env,omitempty"`
}

func main() {
	fmt.Printf("hello starting, HELLO_GREETING=%s\n", os.Getenv("HELLO_GREETING"))
	lambda.Start(handle)
}

// handle echoes the event; an event with "fail": true gets a function error.
func handle(_ context.Context, event json.RawMessage) (answer, error) {
	var req request
	_ = json.Unmarshal(event, &req)
	if req.Fail {
		return answer{}, errors.New("asked to fail")
	}

	a := answer{Echo: event}
	for _, name := range req.Env {
		if a.Env == nil {
			a.Env = map[string]string{}
		}
		a.Env[name] = os.Getenv(name)
	}
	return a, nil
}
