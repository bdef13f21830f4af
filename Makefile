# Spiderweb: `make run` serves the product on 127.0.0.1:8000; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run AWS_EMULATOR=1` also starts moto's AWS emulator and registers AWS connections to it.
AWS_EMULATOR ?=
AWS_EMULATOR_PORT ?= 5000

# Tests always talk to real PostgreSQL and Redis (the services on this machine's loopback).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/spiderweb
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
TEST_BROKER_URL ?= redis://127.0.0.1:6379/2
# The mock cloud's transitional states last this long in tests (1 s for people watching the dashboard).
TEST_MOCK_SETTLE_SECONDS ?= 0.3

.PHONY: install run test lint typecheck clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py ensure_admin
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_cloud
	@if [ -n "$(AWS_EMULATOR)" ]; then \
	  BIN=$(BIN) AWS_EMULATOR_PORT=$(AWS_EMULATOR_PORT) ./scripts/aws-emulator && \
	  $(BIN)/python manage.py seed_demo_aws --endpoint http://127.0.0.1:$(AWS_EMULATOR_PORT); \
	fi
	$(BIN)/python manage.py refresh_inventory
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) ./scripts/serve

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
	SPIDERWEB_MOCK_STORE=$(TEST_REDIS_URL) SPIDERWEB_MOCK_SETTLE_SECONDS=$(TEST_MOCK_SETTLE_SECONDS) $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache *.egg-info
