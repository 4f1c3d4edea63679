// Command floor is bench/hello with the modules the product cannot do without linked in but
// never called: the AWS SDK config loader, the Secrets Manager and Lambda clients, and the
// OAuth client credentials flow. Their package initialisation runs before main all the same,
// so this binary's init time and size are the least any product linking them can reach.
//
// Each module sits in a file of its own behind a build tag (bench.noconfig,
// bench.nosecretsmanager, bench.nolambda, bench.nooauth2), so the driver can build the floor
// without one module, or the hello world with only one, and say what each adds.
package main

import (
	"context"
	"encoding/json"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

// neverArg is an argument no runtime passes. Calling the modules behind a test the compiler
// cannot decide keeps their code in the binary, as real calls in the product would.
const neverArg = "-floor-call-every-module"

// uses holds one call into each linked module, registered by the per-module files.
var uses []func(context.Context) error

func main() {
	if len(os.Args) > 1 && os.Args[1] == neverArg {
		for _, use := range uses {
			_ = use(context.Background())
		}
	}
	lambda.Start(handle)
}

// handle ignores the event and greets, as bench/hello does.
func handle(context.Context, json.RawMessage) (string, error) {
	return "hello", nil
}
