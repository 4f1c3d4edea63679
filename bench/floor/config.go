//go:build !bench.noconfig

package main

import (
	"context"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
)

func init() {
	uses = append(uses, func(ctx context.Context) error {
		_, err := awsconfig.LoadDefaultConfig(ctx)
		return err
	})
}
