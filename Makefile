# Routex: `make run` builds and starts the app; `make test` runs every test.
# Both install what is missing first (scripts/deps.sh).

SHELL   := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
DESKTOP_TAGS := desktop,production,webkit2_41
BIN     := build/bin

.PHONY: run deps deps-build frontend build build-headless test test-go test-frontend test-browser test-desktop test-tray bench lint clean

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

test: deps lint test-go test-frontend test-browser test-desktop test-tray
	@echo "make test: all suites passed"

lint: frontend
	@unformatted=$$(gofmt -l main.go app.go app_headless.go backend locales); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go vet -tags $(DESKTOP_TAGS) .
	go vet -tags desktop ./backend/tray

test-go: frontend
	go test -race -count=1 ./...

test-frontend: deps
	cd frontend && npm run typecheck && npm test

test-browser: build-headless
	cd frontend && ROUTEX_BIN=../$(BIN)/routex-headless npm run e2e

test-desktop: build
	scripts/desktop-test.sh $(BIN)/routex

# The tray menu over D-Bus, as a panel would see it.
test-tray: deps
	scripts/tray-test.sh

bench:
	go test -run '^$$' -bench Overhead -benchmem -benchtime 2000x -count 5 ./backend/proxy | tee /dev/stderr | scripts/bench-ratio.sh

clean:
	rm -rf $(BIN) frontend/dist frontend/test-results
