package sailpoint_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint/sailpointtest"
)

func Example() {
	// A simulated tenant on loopback stands in for https://tenant.api.identitynow.com.
	sim := sailpointtest.New()
	sim.SetCredentials("client-id", "client-secret")
	sim.AddExecution(sailpoint.Execution{ID: "c17bea3a", Status: "Running"})
	baseURL, err := sim.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()

	client := sailpoint.New(sailpoint.Config{
		BaseURL: baseURL,
		Credentials: func(ctx context.Context, refresh bool) (string, string, error) {
			return "client-id", "client-secret", nil
		},
		UserAgent: "wfcancel-example",
	})
	ctx := context.Background()

	fmt.Println("cancel:", client.Cancel(ctx, "c17bea3a"))
	execution, _ := client.Get(ctx, "c17bea3a")
	fmt.Println("status:", execution.Status, "finished:", execution.Finished())

	var e *sailpoint.Error
	if err := client.Cancel(ctx, "no-such-id"); errors.As(err, &e) {
		fmt.Println("kind:", e.Kind)
	}
	// Output:
	// cancel: <nil>
	// status: Canceled finished: true
	// kind: not found
}
