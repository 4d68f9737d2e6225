# vxscope: the two set-up commands are `make demo` (the main job) and `make test` (every test).
# Each works on a fresh Debian machine with Node 20 as root: it installs what is missing first.
SHELL := /bin/bash
.DEFAULT_GOAL := help

DEMO_PKGS := libpcap-dev iproute2 iputils-ping util-linux
TEST_PKGS := $(DEMO_PKGS) tcpdump tshark chromium nftables

.PHONY: help deps-demo deps-test node_modules build demo test lint typecheck unit e2e bench clean

help:
	@echo "make demo   build the seed overlay in namespaces and serve the dashboard (Ctrl-C cleans up)"
	@echo "make test   run every test: lint, types, unit, e2e and browser"

# apt-get only when a package is missing, so repeated runs stay fast and offline-friendly.
define apt_ensure
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps-demo:
	$(call apt_ensure,$(DEMO_PKGS))

deps-test:
	$(call apt_ensure,$(TEST_PKGS))

node_modules: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch node_modules

build: node_modules
	npm run build

demo: deps-demo
	@$(MAKE) --no-print-directory build
	./bin/vxscope demo

lint: node_modules
	npx eslint .

typecheck: node_modules
	npx tsc --noEmit -p tsconfig.json

test: deps-test
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory typecheck lint
	npx jest --runInBand --ci

# Benchmark (not part of the tests): libpcap + tshark + a C compiler + GNU time; see bench/run.ts.
BENCH_PKGS := $(DEMO_PKGS) tshark gcc libc6-dev time
.PHONY: deps-bench
deps-bench:
	$(call apt_ensure,$(BENCH_PKGS))

bench: deps-bench
	@$(MAKE) --no-print-directory build
	npm run bench

clean:
	rm -rf dist coverage
