# Two commands on a fresh machine:
#   make run   - set up, build (release), start the local stack and run the main job
#   make test  - set up and run the whole test suite against a real local stack
SHELL := /bin/bash
VENV := .rsbench/venv
RELEASE := .build/release

.PHONY: setup build build-debug run demo ci-scenario check-deps test test-python test-swift bench stack-up stack-down clean

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

# The CI performance gate: a short scenario with gates, on the debug build that `make test` made.
# Its report stays under reports/ (latest → it) and report.md is printed for the CI log.
ci-scenario:
	.build/debug/rsbench run scenarios/ci.yaml --out reports/ci-outcome.json; status=$$?; \
	cat reports/latest/report.md 2>/dev/null || true; exit $$status

bench: build
	$(RELEASE)/rsbench bench limits

stack-up: build
	$(RELEASE)/rsbench stack up

stack-down:
	@if [ -x $(RELEASE)/rsbench ]; then $(RELEASE)/rsbench stack down; else .build/debug/rsbench stack down; fi

clean:
	rm -rf .build
