package secret_test

import (
	"context"
	"fmt"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/secret"
)

// A Store over a file source, as a local run would use it; in Lambda the source
// is secret.SecretsManager with a client built from the AWS configuration.
func ExampleStore() {
	store := secret.NewStore(secret.File("testdata/secret.json"), 5*time.Minute, time.Now)

	b, err := store.Get(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(b.MissingCredentials())
	fmt.Println(b.Values("slack_signing_secret"))
	// Output:
	// []
	// [slack-current slack-previous]
}
