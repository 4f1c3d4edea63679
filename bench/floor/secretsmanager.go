//go:build !bench.nosecretsmanager

package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func init() {
	uses = append(uses, func(ctx context.Context) error {
		client := secretsmanager.New(secretsmanager.Options{Region: "us-east-1"})
		_, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{})
		return err
	})
}
