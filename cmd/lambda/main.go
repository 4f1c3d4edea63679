// Command lambda is the function's bootstrap: it loads the configuration, wires the secret
// store, the SailPoint client and the handler, and hands the handler to the Lambda runtime.
// A bad configuration stops it before it serves anything, with a message naming the variable.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/function"
	"github.com/sailpoint-cancel/wfcancel/internal/handler"
	"github.com/sailpoint-cancel/wfcancel/internal/invoke"
	"github.com/sailpoint-cancel/wfcancel/internal/metrics"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
)

// version names this build in the User-Agent sent to SailPoint.
var version = "0.1.0"

// testReplyHosts stays nil in every real build; e2e_hosts.go, compiled only with the e2e
// build tag, sets it so that deferred answers can reach a loopback stand-in.
var testReplyHosts map[string]string

func main() {
	log := slog.New(lambdacontext.NewLogHandler())
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		log.Error("invalid configuration", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(wire(cfg, log).Invoke)
}

// wire builds the handler from the configuration; see package function.
func wire(cfg config.Config, log *slog.Logger) *handler.Handler {
	return function.New(cfg, function.Parts{
		Secrets:        secretSource(cfg),
		Logger:         log,
		Metrics:        recorder(cfg),
		Invoker:        invoke.New(lambdaAPI),
		UserAgent:      "wfcancel/" + version,
		TestReplyHosts: testReplyHosts,
	})
}

// recorder writes the metrics as EMF lines on stdout, which CloudWatch Logs turns into
// metrics; nil when they are turned off.
func recorder(cfg config.Config) *metrics.Recorder {
	if cfg.MetricsDisabled {
		return nil
	}
	return metrics.New(os.Stdout, cfg.MetricsNamespace, time.Now)
}

// lambdaAPI builds the Lambda client for deferred hand-offs, at the first hand-off. It never
// retries: an Invoke that timed out may have queued the event, and a second one would cancel
// twice.
func lambdaAPI(ctx context.Context) (invoke.API, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	return awslambda.NewFromConfig(awsCfg, func(o *awslambda.Options) {
		o.RetryMaxAttempts = 1
	}), nil
}

func secretSource(cfg config.Config) secret.Source {
	if cfg.SecretID == "" {
		return secret.File(cfg.SecretFile)
	}
	return secret.SecretsManager(cfg.SecretID,
		func(ctx context.Context) (secret.GetSecretValueAPI, error) {
			awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
			if err != nil {
				return nil, fmt.Errorf("load aws config: %w", err)
			}
			return secretsmanager.NewFromConfig(awsCfg), nil
		})
}
