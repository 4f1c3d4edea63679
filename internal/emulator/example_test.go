package emulator_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/sailpoint-cancel/wfcancel/internal/emulator"
)

// Example builds the function and the emulator, invokes the function once
// and prints its answer. It is compiled but not run by go test, because
// building takes several seconds.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "bootstrap-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	rie, err := emulator.BuildRIE(ctx, dir)
	if err != nil {
		log.Fatal(err)
	}
	bootstrap, err := emulator.Build(ctx, "./cmd/lambda", dir)
	if err != nil {
		log.Fatal(err)
	}

	e, err := emulator.Start(ctx, emulator.Options{
		RIE:       rie,
		Bootstrap: bootstrap,
		Env:       []string{"SAILPOINT_BASE_URL=http://127.0.0.1:41234"},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()

	answer, err := e.Invoke(ctx, []byte(`{"rawPath":"/webhook"}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\n", answer)
}
