package webhook_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/webhook"
)

func Example() {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"action":"cancel","executionId":"wf-123"}`)
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

	signed, err := webhook.Sign("standard-webhooks", secret, body, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	header := http.Header{}
	for name, value := range signed {
		header.Set(name, value)
	}

	verifier := webhook.StandardWebhooks("webhook_secret", 5*time.Minute)
	secrets := func(key string) []string {
		if key == "webhook_secret" {
			return []string{secret}
		}
		return nil
	}
	req := webhook.Request{Header: header.Get, Body: body}

	proof, err := verifier.Verify(req, secrets, now.Add(time.Minute))
	fmt.Println(err, proof.Timestamp.Equal(now))

	req.Body = []byte(`{"action":"cancel","executionId":"wf-124"}`)
	_, err = verifier.Verify(req, secrets, now)
	fmt.Println(err)
	// Output:
	// <nil> true
	// standard webhooks: signature mismatch: invalid signature
}
