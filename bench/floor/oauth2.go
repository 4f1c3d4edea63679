//go:build !bench.nooauth2

package main

import (
	"context"

	"golang.org/x/oauth2/clientcredentials"
)

func init() {
	uses = append(uses, func(ctx context.Context) error {
		_, err := (&clientcredentials.Config{}).Token(ctx)
		return err
	})
}
