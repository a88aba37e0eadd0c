# Two commands on a fresh machine:
#   make run   - set up, build (release), start the local stack and run the main job
#   make test  - set up and run the whole test suite against a real local stack
SHELL := /bin/bash
VENV := .rsbench/venv
RELEASE := .build/release

.PHONY: setup build build-debug run test test-python test-swift bench stack-up stack-down clean

setup:
	@scripts/setup

build: setup
	swift build -c release

build-debug: setup
	swift build --build-tests

run: build
	@scripts/run-main

test: setup
	swift build --build-tests
	$(MAKE) --no-print-directory test-python
	$(MAKE) --no-print-directory test-swift

test-python:
	$(VENV)/bin/python -m unittest discover -s stack -p 'test_*.py'

test-swift:
	swift test --skip-build

bench: build
	$(RELEASE)/rsbench bench limits

stack-up: build
	$(RELEASE)/rsbench stack up

stack-down:
	@if [ -x $(RELEASE)/rsbench ]; then $(RELEASE)/rsbench stack down; else .build/debug/rsbench stack down; fi

clean:
	rm -rf .build
