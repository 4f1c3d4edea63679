// Package function assembles the handler from the configuration: the secret store over a
// source, the SailPoint client over a proxy-aware HTTP client, and the handler over both. The
// deployed bootstrap and the local server share it, so that what runs locally is wired the
// way the function is.
package function

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/sailpoint-cancel/wfcancel/internal/config"
	"github.com/sailpoint-cancel/wfcancel/internal/handler"
	"github.com/sailpoint-cancel/wfcancel/internal/metrics"
	"github.com/sailpoint-cancel/wfcancel/internal/sailpoint"
	"github.com/sailpoint-cancel/wfcancel/internal/secret"
)

// Parts are what differs between the deployed function and a local run.
type Parts struct {
	// Secrets is where the secret JSON is read from, at first use.
	Secrets secret.Source

	// Logger receives the handler's request and audit lines; nil discards them.
	Logger *slog.Logger

	// Metrics records EMF metrics; nil records none.
	Metrics *metrics.Recorder

	// Invoker hands deferred chat work to an asynchronous invocation; needed only with
	// RESPONSE_MODE=deferred.
	Invoker handler.Invoker

	// UserAgent is sent to SailPoint.
	UserAgent string

	// TestReplyHosts lets end-to-end tests deliver deferred answers to loopback; nil in every
	// real build.
	TestReplyHosts map[string]string
}

// New wires the handler. It does no I/O: the secret is read at first use, so a cold start
// stays fast.
func New(cfg config.Config, p Parts) *handler.Handler {
	store := secret.NewStore(p.Secrets, cfg.SecretTTL, time.Now)
	client := sailpoint.New(sailpoint.Config{
		BaseURL:     cfg.BaseURL,
		APIVersion:  cfg.APIVersion,
		HTTPClient:  OutboundClient(),
		Credentials: store.Credentials,
		UserAgent:   p.UserAgent,
	})
	return handler.New(handler.Options{
		Secrets:            store,
		SailPoint:          client,
		Logger:             p.Logger,
		SignatureTolerance: cfg.SignatureTolerance,
		Routes:             cfg.Routes,
		Metrics:            p.Metrics,
		ResponseMode:       cfg.ResponseMode,
		Invoker:            p.Invoker,
		Access:             cfg.Access,
		ReplyClient:        OutboundClient(),
		TestReplyHosts:     p.TestReplyHosts,
	})
}

// OutboundClient is the HTTP client for SailPoint and reply targets: it honours HTTPS_PROXY
// and NO_PROXY, as many VPCs egress through a proxy, and never follows a redirect.
func OutboundClient() *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = http.ProxyFromEnvironment
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
