# Routex: `make run` builds and starts the app; `make test` runs every test.
# Both install what is missing first (scripts/deps.sh).

SHELL   := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
DESKTOP_TAGS := desktop,production,webkit2_41
BIN     := build/bin

.PHONY: run deps deps-build frontend build build-headless test test-go test-frontend test-browser test-desktop test-tray test-package test-deploy test-compose package lint-workflows bench lint generate clean clients-deps test-clients

run: deps build
	@echo "Starting Routex (ROUTEX_HOME=$${ROUTEX_HOME:-~/.config/routex})"
	./$(BIN)/routex

deps:
	@scripts/deps.sh

deps-build:
	@scripts/deps.sh build

frontend: deps
	cd frontend && npm run build

# The desktop binary: engine + Wails window (GTK/WebKitGTK 4.1 on Linux).
build: frontend
	CGO_ENABLED=1 go build -tags $(DESKTOP_TAGS) -ldflags "$(LDFLAGS)" -o $(BIN)/routex .

# The server binary: same engine and dashboard, no GTK, no cgo.
build-headless: frontend
	CGO_ENABLED=0 go build -ldflags "$(LDFLAGS)" -o $(BIN)/routex-headless .

test: deps lint test-go test-frontend test-browser test-desktop test-tray test-package test-deploy test-compose
	@echo "make test: all suites passed"

lint: frontend lint-workflows
	@unformatted=$$(gofmt -l main.go app.go app_headless.go backend internal locales bench testclients); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go vet -tags $(DESKTOP_TAGS) .
	go vet -tags desktop ./backend/tray
	GOOS=darwin go vet ./backend/autostart && GOOS=windows go vet ./backend/autostart
	go mod tidy -diff
	go test -count=1 ./backend/internal/archtest
	cd frontend && npm run lint
	@tmp=$$(mktemp --suffix=.ts); trap 'rm -f "$$tmp"' EXIT; \
	  go run ./backend/internal/tsgen -o "$$tmp" && diff -u frontend/src/api/generated.ts "$$tmp" \
	  || { echo "frontend/src/api/generated.ts is not current: run make generate"; exit 1; }

# The dashboard's API types, from the Go types (backend/internal/tsgen).
generate:
	go run ./backend/internal/tsgen -o frontend/src/api/generated.ts

# In CI (CI=true) the PostgreSQL tests must run: scripts/deps.sh installed
# the server; elsewhere they are skipped, loudly, where it is missing (go
# test hides a passing package's output, hence the line here too).
test-go: frontend
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || \
	  [ -n "$$ROUTEX_TEST_DATABASE_URL" ] || \
	  echo "!!! PostgreSQL (initdb) not found: the PostgreSQL tests will be SKIPPED; scripts/deps.sh installs it" >&2
	ROUTEX_TEST_REQUIRE_PG=$${CI:+1} go test -race -count=1 ./...

test-frontend: deps
	cd frontend && npm run typecheck && npm test

test-browser: build-headless
	cd frontend && ROUTEX_BIN=../$(BIN)/routex-headless npm run e2e

test-desktop: build
	scripts/desktop-test.sh $(BIN)/routex

# The tray menu over D-Bus, as a panel would see it.
test-tray: deps
	scripts/tray-test.sh

# deploy/ without a Docker engine: the compose file parses and refers to
# files that exist, nginx -t accepts the load balancer's template, and the
# README's steps without Docker run for real (two instances on one
# PostgreSQL behind nginx; internal/deploycheck). Each check is skipped,
# loudly, where its tool is missing, except in CI.
test-deploy: build-headless
	BIN=$(BIN) scripts/deploy-check.sh

# deploy/compose.yaml run for real on a Docker engine the script starts in
# namespaces of its own, with stand-ins for the images that cannot be pulled
# here (SKIPPED, loudly, where no engine can start).
test-compose: build-headless
	BIN=$(BIN) scripts/compose-check.sh

# Linux packages in dist/: the desktop .deb and the headless .tar.gz.
package: build build-headless
	VERSION=$(VERSION) BIN=$(BIN) scripts/package-deb.sh

# Builds the packages in a temporary folder, installs and removes the .deb,
# and runs the headless binary (static, /health, dashboard, SIGTERM).
test-package: build build-headless
	VERSION=$(VERSION) BIN=$(BIN) scripts/package-test.sh

# actionlint (installed by scripts/deps.sh) checks .github/workflows.
lint-workflows: deps
	PATH="$$PATH:$$(go env GOPATH)/bin" actionlint

# Loopback benchmark of the real engine against a mock upstream, a bare
# reverse proxy and a direct call: table, bench-results/<time>/results.json
# and chart.svg, targets met or missed. Micro-benchmarks: go test -bench . ./backend/...
bench: build-headless
	go run ./bench -bin $(BIN)/routex-headless -out bench-results

# The pinned real agents and SDKs of test-clients, in build/clients.
clients-deps: deps
	@scripts/clients-deps.sh

# Real agents (Claude Code, Gemini CLI, Qwen Code, Codex) and the official
# Anthropic, OpenAI and Google GenAI SDKs, each through a headless Routex
# against a strict scripted upstream on every channel format: prints the
# client x channel matrix, writes build/test-results/clients/matrix.json
# and the upstream's request log. CLIENTS_FLAGS="-only codex" runs a part.
test-clients: build-headless clients-deps
	go run ./testclients -bin $(BIN)/routex-headless $(CLIENTS_FLAGS)

clean:
	rm -rf $(BIN) dist frontend/dist frontend/test-results
