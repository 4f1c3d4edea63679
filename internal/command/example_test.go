package command_test

import (
	"errors"
	"fmt"

	"github.com/sailpoint-cancel/wfcancel/internal/command"
)

func ExampleParseText() {
	for _, text := range []string{
		"cancel 0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b",
		"STATUS\t0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b",
		"0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b",
		"",
		"cancel",
		"cancel 0f8a3c1e5b2d4e6f9a7b1c2d3e4f5a6b",
	} {
		cmd, err := command.ParseText(text)
		var cmdErr *command.Error
		if errors.As(err, &cmdErr) {
			fmt.Println(cmdErr.Code)
			continue
		}
		if cmd.Action == command.Help {
			fmt.Println(command.Help)
			continue
		}
		fmt.Println(cmd.Action, cmd.ExecutionID)
	}
	// Output:
	// cancel 0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b
	// status 0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b
	// cancel 0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b
	// help
	// missing_id
	// request_id
}

func ExampleParseJSON() {
	for _, body := range []string{
		`{"executionId": "0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b"}`,
		`{"executionId": "0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b", "action": "status"}`,
		`{"executionId": "0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b", "ExecutionId": "x"}`,
	} {
		cmd, err := command.ParseJSON([]byte(body))
		var cmdErr *command.Error
		if errors.As(err, &cmdErr) {
			fmt.Println(cmdErr.Code)
			continue
		}
		fmt.Println(cmd.Action, cmd.ExecutionID)
	}
	// Output:
	// cancel 0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b
	// status 0f8a3c1e-5b2d-4e6f-9a7b-1c2d3e4f5a6b
	// duplicate_key
}
