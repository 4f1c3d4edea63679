// Command hello is the smallest useful aws-lambda-go function: it answers every event with a
// fixed greeting. The benchmark driver builds it as the baseline for init time, first-request
// time and binary size.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(handle)
}

// handle ignores the event and greets.
func handle(context.Context, json.RawMessage) (string, error) {
	return "hello", nil
}
