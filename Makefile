# Structura — two commands matter: `make run` and `make test` (see README.md).
# Both install what is missing first (apt packages, npm packages), so they
# work on a fresh Debian machine as root.

SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
APP      := build/bin/structura
APP_DEV  := build/bin/structura-dev
APT_PKGS := build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev xvfb xauth xdotool \
            x11-utils imagemagick chromium gnome-keyring dbus

.PHONY: run test deps apt npm frontend build build-dev bindings check-bindings lint \
        gotest cross ts keychain e2e smoke clean

## run: install what is missing, build, open the app (on the built-in sandbox)
run: deps build
	build/scripts/run.sh $(APP)

## test: install what is missing and run every check and test
test: deps frontend
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory gotest
	$(MAKE) --no-print-directory check-bindings
	$(MAKE) --no-print-directory cross
	$(MAKE) --no-print-directory ts
	$(MAKE) --no-print-directory keychain
	$(MAKE) --no-print-directory build build-dev
	$(MAKE) --no-print-directory smoke
	$(MAKE) --no-print-directory e2e
	@echo "make test: all checks passed"

deps: apt npm

apt:
	@command -v $(GO) >/dev/null || { echo "Go is missing: install Go 1.26 (https://go.dev/dl) and run make again."; exit 1; }
	@command -v npm >/dev/null || { echo "Node.js/npm is missing: install Node.js 20.19+ and run make again."; exit 1; }
	@missing=$$(for p in $(APT_PKGS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:" $$missing; \
	  SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

npm: frontend/node_modules/.package-lock.json

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

frontend: npm
	cd frontend && npm run --silent build
	@touch frontend/dist/.gitkeep

build: frontend
	$(GO) build -tags desktop,production,webkit2_41 -ldflags "$(LDFLAGS)" -o $(APP) .

# The dev build serves the same page to a browser on -devserver, so Playwright
# can drive the real Go backend (see ../shared/platform/NOTES.md).
build-dev: frontend
	$(GO) build -tags dev,webkit2_41 -ldflags "-X main.version=$(VERSION)" -o $(APP_DEV) .

## bindings: regenerate the typed TypeScript bindings in frontend/wailsjs
bindings:
	$(GO) build -tags bindings,webkit2_41 -o build/bin/wailsbindings . && tsoutputtype=interfaces build/bin/wailsbindings >/dev/null 2>&1

check-bindings: bindings
	@git diff --exit-code --stat -- frontend/wailsjs || \
	  { echo "frontend/wailsjs is out of date: run 'make bindings' and commit the result."; exit 1; }
	@test -z "$$(git status --porcelain -- frontend/wailsjs)" || \
	  { echo "frontend/wailsjs has new files: run 'make bindings' and commit them."; exit 1; }

lint:
	@bad=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); \
	  [ -z "$$bad" ] || { echo "gofmt needed on:"; echo "$$bad"; exit 1; }
	$(GO) vet -tags webkit2_41 ./...

gotest:
	$(GO) test -tags webkit2_41 -count=1 ./...

## cross: the Windows build must keep compiling (WebView2 needs no cgo)
cross: frontend
	GOOS=windows GOARCH=amd64 $(GO) build -tags desktop,production -o build/bin/structura.exe .

ts: npm
	cd frontend && npm run --silent typecheck && npm run --silent test

## keychain: secrets round-trip through a real Secret Service (gnome-keyring)
keychain:
	$(GO) test -c -o build/bin/secrets.test ./backend/secrets
	build/scripts/with-keyring.sh env STRUCTURA_REAL_KEYCHAIN=1 build/bin/secrets.test -test.run RealKeychain -test.v -test.count=1

## smoke: the production binary opens a real, non-blank window under Xvfb
smoke:
	build/scripts/smoke.sh $(APP)

## e2e: the real app under Xvfb, driven by Playwright through the real backend.
## Each frontend/e2e/*.e2e.mjs runs in its own display and keychain session;
## E2E=name runs one (e.g. make e2e E2E=structure).
E2E ?= *
e2e:
	@set -e; for f in frontend/e2e/$(E2E).e2e.mjs; do \
	  echo "== $$f"; \
	  build/scripts/with-keyring.sh build/scripts/with-xvfb.sh node $$f $(APP_DEV); \
	done

clean:
	rm -rf build/bin frontend/dist/assets frontend/dist/index.html
