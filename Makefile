# Waterline — the two commands:
#   make demo   set up, build, start everything on loopback, replay the demo scenario
#   make test   set up, then every test (unit, end-to-end with schemathesis, protos, containers, web type check,
#               browser tests in headless Chromium)
# and:
#   make bench  benchmarks (release build), figures printed and reported in README.md
#
# Set-up installs only what is missing: Debian packages with apt-get, Python tools
# (SecantusDB, hadolint, selenium, schemathesis) in .venv with pip.

SHELL := /bin/bash
VENV := $(CURDIR)/.venv
APT_PACKAGES := libzmq3-dev libmongoc-dev libbson-dev protobuf-compiler pkg-config docker-compose python3-venv \
  node-react node-react-dom node-typescript esbuild node-chart.js chromium chromium-driver \
  protobuf-c-compiler libprotobuf-c-dev libcurl4-openssl-dev python3-protobuf
export WATERLINE_SECANTUSD := $(VENV)/bin/secantusd-py
export HADOLINT := $(VENV)/bin/hadolint

.PHONY: setup apt venv build release web check-web test test-swift test-faults test-browser check-protos check-containers demo bench clean leakdb-scenario leakdb-bench leakdb-eval hydraulics-fixtures ltown-check ltown-backtest

setup: apt venv

apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt
	@echo "setup: creating $(VENV) (SecantusDB, hadolint, selenium, schemathesis)"
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	@touch $@

build: setup web
	swift build

release: setup web
	swift build -c release

# The web app (web/): bundled by esbuild into web/dist, type-checked by tsc; all from
# Debian's packages (no npm registry).
web: apt
	bash web/build.sh >/dev/null
	@echo "web: bundled into web/dist"

check-web: apt
	bash web/check.sh

check-protos: setup
	scripts/generate-protos.sh --check

check-containers: setup
	scripts/validate-containers.sh

# The fault tests (replicas killed and scaled, insight killed mid-replay, an import
# stopped halfway with a stage killed, the database stopped, a slow integrator,
# overload under a CPU hog)
# time leases and outages: they run after the rest, on a quieter machine, with the C
# client built for the Swift/C conformance test.
FAULT_TESTS := ReplicaFaultTests|DatabaseOutageTests|IntegratorStreamTests|OverloadTests|InsightRestartTests|InsightReplicaTests|ImportFaultTests

test-swift: build
	WATERLINE_BIN_DIR="$$(swift build --show-bin-path)" swift test --skip '$(FAULT_TESTS)'

test-faults: build c-client
	WATERLINE_BIN_DIR="$$(swift build --show-bin-path)" WATERLINE_C_CLIENT_DIR="$(CURDIR)/clients/c/build" \
	  swift test --skip-build --filter '$(FAULT_TESTS)'

# The web app in headless Chromium against the real system (Tests/Browser/README.md);
# screenshots of every page in .build/browser-screenshots/.
test-browser: build
	WATERLINE_BIN_DIR="$$(swift build --show-bin-path)" $(VENV)/bin/python Tests/Browser/test_web.py

test: setup check-protos check-containers check-web check-c-client test-swift test-faults test-browser

demo: release
	.build/release/waterline demo

# The in-process benchmarks, then the whole L-Town half-year replayed through the running
# services (waterline backtest; about 35 minutes on 2 cores; skipped with BENCH_LTOWN=0 or
# when the data is absent): readings/s and the time to the last event.
BENCH_LTOWN ?= 1
LTOWN_DATA ?= ../shared/data/ltown-2018
LTOWN_HOLDOUT ?= 2018-04-01

bench: release
	.build/release/waterline-bench
	@if [ "$(BENCH_LTOWN)" = 1 ] && [ -f $(LTOWN_DATA)/scenario.json ]; then \
	  .build/release/waterline backtest $(LTOWN_DATA) --holdout-from $(LTOWN_HOLDOUT) --data-dir var/backtest; \
	else echo "bench: L-Town replay skipped (BENCH_LTOWN=$(BENCH_LTOWN), data in $(LTOWN_DATA))"; fi

# The L-Town half-year through a fresh cluster, scored on the holdout from LTOWN_HOLDOUT
# (detections, delays, pipe distances, BattLeDIM's economic score; README, "Backtest").
ltown-backtest: release
	.build/release/waterline backtest $(LTOWN_DATA) --holdout-from $(LTOWN_HOLDOUT) --data-dir var/backtest

# The L-Town half-year (../shared/data/ltown-2018, or LTOWN_DATA) imported into the
# running services with a SIGINT and a resume, its events compared one by one with an
# in-process run of the same readings (scripts/ltown-check.sh; about 35 minutes).
ltown-check: release
	bash scripts/ltown-check.sh

clean:
	rm -rf .build .build-protoc var

# A LeakDB benchmark scenario (Net1, first 28 days) rebuilt offline with epyt-flow from
# ../shared/data/leakdb, written as a scenario folder for `waterline eval forecast --scenario`.
# Scenario 930: an abrupt leak at node 31 (about 37 m3/h) from day 16.9 on.
LEAKDB_SCENARIO ?= 930
LEAKDB_VENV := $(CURDIR)/.venv-leakdb

leakdb-scenario:
	@if [ ! -x $(LEAKDB_VENV)/bin/python ]; then \
	  echo "leakdb-scenario: creating $(LEAKDB_VENV) (epyt-flow)"; \
	  python3 -m venv $(LEAKDB_VENV) && $(LEAKDB_VENV)/bin/pip install -q -r scripts/requirements-leakdb.txt || { rm -rf $(LEAKDB_VENV); exit 1; }; \
	fi
	$(LEAKDB_VENV)/bin/python scripts/leakdb-scenario.py --network Net1 --scenario $(LEAKDB_SCENARIO) --out demo-data/leakdb-net1-$(LEAKDB_SCENARIO)

# A fixed sample of LeakDB scenarios for measuring detection: 50 Net1 + 50 Hanoi, each the full
# year at 30 minutes, one folder per scenario in demo-data/leakdb-bench (bench/scenarios/leakdb.py).
# About 2.5 GB; a scenario takes 3-4 s on one core; an interrupted run resumes. Options, e.g.
# LEAKDB_BENCH_ARGS="--count 5 --jobs 1".
LEAKDB_BENCH_ARGS ?=

leakdb-bench:
	@if [ ! -x $(LEAKDB_VENV)/bin/python ]; then \
	  echo "leakdb-bench: creating $(LEAKDB_VENV) (epyt-flow)"; \
	  python3 -m venv $(LEAKDB_VENV) && $(LEAKDB_VENV)/bin/pip install -q -r scripts/requirements-leakdb.txt || { rm -rf $(LEAKDB_VENV); exit 1; }; \
	fi
	$(LEAKDB_VENV)/bin/python bench/scenarios/leakdb.py $(LEAKDB_BENCH_ARGS)

# Leak detection on that sample with LeakDB's rules (release build); figures in README.md.
leakdb-eval: release
	@test -d demo-data/leakdb-bench || { echo "leakdb-eval: no demo-data/leakdb-bench; run make leakdb-bench first"; exit 1; }
	.build/release/waterline eval scenarios --dir demo-data/leakdb-bench --events-out demo-data/leakdb-events

# EPANET's own solutions for the hydraulic solver tests (Tests/HydraulicsTests/Fixtures),
# made with wntr in .venv-hydraulics; the result is committed.
HYDRAULICS_VENV := $(CURDIR)/.venv-hydraulics

hydraulics-fixtures:
	@if [ ! -x $(HYDRAULICS_VENV)/bin/python ]; then \
	  echo "hydraulics-fixtures: creating $(HYDRAULICS_VENV) (wntr)"; \
	  python3 -m venv $(HYDRAULICS_VENV) && $(HYDRAULICS_VENV)/bin/pip install -q -r bench/hydraulics/requirements.txt || { rm -rf $(HYDRAULICS_VENV); exit 1; }; \
	fi
	$(HYDRAULICS_VENV)/bin/python bench/hydraulics/make-fixtures.py

# The C integrator client (clients/c/README.md): library, waterline-tail, example; and its tests.
.PHONY: c-client check-c-client

c-client: apt
	$(MAKE) -C clients/c

check-c-client: apt
	$(MAKE) -C clients/c check
