# Two commands on a fresh machine:
#   make run   - set up, build (release), start the local stack and run the main job
#   make test  - set up and run the whole test suite against a real local stack
SHELL := /bin/bash
VENV := .rsbench/venv
RELEASE := .build/release

.PHONY: setup build build-debug run demo ci-scenario ci-baseline check-deps test test-python test-swift bench stack-up stack-down clean

setup:
	@scripts/setup

build: setup
	swift build -c release

build-debug: setup
	swift build --build-tests

run: build
	$(RELEASE)/rsbench run scenarios/peak.yaml

# Seed 000's signals flow, step by step (stack, migrate, produce, consume, verify).
demo: build
	@scripts/run-main

test: setup
	swift build --build-tests
	$(MAKE) --no-print-directory test-python
	$(MAKE) --no-print-directory test-swift

test-python:
	$(VENV)/bin/python -m unittest discover -s stack -p 'test_*.py'
	$(VENV)/bin/python -m unittest discover -s scripts -p 'test_*.py'

test-swift:
	swift test --skip-build

# Package.swift declares exactly what each target imports (no build needed; a few seconds).
check-deps:
	@scripts/check-deps

# The CI performance gate: a short scenario with gates, on the debug build that `make test` made. Once
# reports/baselines/ci/ is committed (`make ci-baseline`), CI_REPEAT runs gated against it as well: only the
# metrics in CI_GATE, with tolerances wide enough for a noisy 2-core box (README, "CI performance gate").
# The report stays under reports/ (latest → it) and report.md, with the comparison table, is printed for the CI log.
CI_REPEAT := 4
CI_GATE := --only achieved_rate,insert_rows_per_s,cpu_us_per_event.stack,cpu_us_per_event.risksignal,e2e_lag.p99 \
	--tolerance achieved_rate=10 --tolerance insert_rows_per_s=10 --tolerance cpu_us_per_event=50 --tolerance e2e_lag=100

ci-scenario:
	@if [ -f reports/baselines/ci/runs.json ]; then set -- --repeat $(CI_REPEAT) --baseline ci $(CI_GATE); \
	else echo "no baseline in reports/baselines/ci/: gates only (make ci-baseline keeps one)"; set -- --out reports/ci-outcome.json; fi; \
	echo ".build/debug/rsbench run scenarios/ci.yaml $$*"; \
	.build/debug/rsbench run scenarios/ci.yaml "$$@"; status=$$?; \
	cat reports/latest/report.md 2>/dev/null || true; exit $$status

# Re-records the baseline ci-scenario gates against (commit reports/baselines/ci/ afterwards).
ci-baseline:
	.build/debug/rsbench run scenarios/ci.yaml --repeat $(CI_REPEAT) --save-baseline ci

bench: build
	$(RELEASE)/rsbench bench limits

stack-up: build
	$(RELEASE)/rsbench stack up

stack-down:
	@if [ -x $(RELEASE)/rsbench ]; then $(RELEASE)/rsbench stack down; else .build/debug/rsbench stack down; fi

clean:
	rm -rf .build
