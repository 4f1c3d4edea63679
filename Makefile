# Build, test and package the workflow-cancel Lambda.
#
# `make test` is the whole suite, including the end-to-end tests that run the
# bootstrap under the Lambda Runtime Interface Emulator on loopback. SAM calls
# `build-CancelFunction` (template.yaml, BuildMethod: makefile).

GO ?= $(shell command -v go || echo /usr/local/go/bin/go)
GOFMT ?= $(shell $(GO) env GOROOT)/bin/gofmt

# Flags shared by every bootstrap build: a static binary without the legacy
# net/rpc Lambda entry point, with no local paths baked in.
BUILD_FLAGS := -tags lambda.norpc -trimpath
RELEASE_LDFLAGS := -s -w
LAMBDA_PKG := ./cmd/lambda

# The tests talk to loopback fakes only. Static fake credentials, no shared
# config files and no instance metadata keep the SDK from finding a real
# identity; the default endpoint is a closed privileged loopback port, so a
# client a test forgot to point at its fake fails instead of reaching AWS.
TEST_ENV := env -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_SESSION_TOKEN \
	AWS_EC2_METADATA_DISABLED=true \
	AWS_ACCESS_KEY_ID=test \
	AWS_SECRET_ACCESS_KEY=test \
	AWS_REGION=us-east-1 \
	AWS_CONFIG_FILE=/dev/null \
	AWS_SHARED_CREDENTIALS_FILE=/dev/null \
	AWS_ENDPOINT_URL=http://127.0.0.1:9

.PHONY: build build-arm64 build-CancelFunction test lint bench fuzz load demo local events clean

## build: bin/bootstrap for this machine, to run under the emulator
build:
	CGO_ENABLED=0 $(GO) build $(BUILD_FLAGS) -o bin/bootstrap $(LAMBDA_PKG)

## build-arm64: bin/arm64/bootstrap for the deployed function (Linux, arm64)
build-arm64:
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 \
		$(GO) build $(BUILD_FLAGS) -ldflags "$(RELEASE_LDFLAGS)" \
		-o bin/arm64/bootstrap $(LAMBDA_PKG)

## build-CancelFunction: what `sam build` runs; writes $(ARTIFACTS_DIR)/bootstrap
build-CancelFunction:
	@if [ -z "$(ARTIFACTS_DIR)" ]; then \
		echo "build-CancelFunction: ARTIFACTS_DIR is not set (sam build sets it)" >&2; \
		exit 1; \
	fi
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 \
		$(GO) build $(BUILD_FLAGS) -ldflags "$(RELEASE_LDFLAGS)" \
		-o "$(ARTIFACTS_DIR)/bootstrap" $(LAMBDA_PKG)

## test: vet, then every test, end-to-end ones included
test:
	$(GO) vet ./...
	$(TEST_ENV) $(GO) test -count=1 -timeout 20m ./...

## lint: fail if any file needs gofmt, then vet and staticcheck
lint:
	@unformatted="$$($(GOFMT) -l .)"; \
	if [ -n "$$unformatted" ]; then \
		echo "these files need gofmt:" >&2; \
		echo "$$unformatted" >&2; \
		exit 1; \
	fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## bench: build ours, hello and the floor, measure them side by side, print one table;
## then time a cold start to the deferred acknowledgement under the emulator
bench:
	$(TEST_ENV) $(GO) run ./bench/cmd/benchtable
	$(TEST_ENV) $(GO) test -count=1 -run '^$$' -bench 'ColdStartToAcknowledgement' \
		-benchtime 5x ./e2e/

FUZZTIME ?= 30s
FUZZ_TARGETS := \
	./internal/handler:FuzzNormalise ./internal/handler:FuzzInvoke \
	./internal/webhook:FuzzVerify ./internal/command:FuzzParseText \
	./internal/command:FuzzParseJSON ./internal/command:FuzzPointer \
	./internal/sailpoint:FuzzDecodeError ./internal/secret:FuzzParse

## fuzz: run each fuzz target for FUZZTIME (make test runs only their seeds)
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; echo "== $$name ($$pkg)"; \
		$(TEST_ENV) $(GO) test -run='^$$' -fuzz="^$$name$$" -fuzztime=$(FUZZTIME) $$pkg; \
	done

## load: 2 rounds of 2000 signed requests at concurrency 50 from a second process
load:
	$(TEST_ENV) $(GO) run ./cmd/load -n 2000 -c 50

## demo: run the end-to-end demonstration against loopback fakes
demo:
	$(TEST_ENV) $(GO) run ./cmd/demo

## local: serve the function on http://127.0.0.1:3000 against the SailPoint simulator
local:
	$(TEST_ENV) $(GO) run ./cmd/local -simulate

## events: write signed sample events into events/
events:
	$(GO) run ./cmd/sign -events events

clean:
	rm -rf bin
