//go:build !bench.nolambda

package main

import (
	"context"

	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
)

func init() {
	uses = append(uses, func(ctx context.Context) error {
		client := awslambda.New(awslambda.Options{Region: "us-east-1"})
		_, err := client.Invoke(ctx, &awslambda.InvokeInput{})
		return err
	})
}
