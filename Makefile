# The two commands of the README: `make serve` and `make test`. Each creates the virtual environment
# and installs what it needs (again only when pyproject.toml changed).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test check test-sqlite test-postgres schema

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-runtime: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml tests/ecosystem/node/package-lock.json | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# The ecosystem tests' Node tools (Apollo composition, GraphQL Inspector, Playwright).
	npm ci --prefix tests/ecosystem/node --no-audit --no-fund --loglevel=error
	touch $@ $(VENV)/.installed-runtime

## Install and serve on the embedded SQLite default (migrates it first).
serve: $(VENV)/.installed-runtime
	$(BIN)/trunkql serve

## Install, lint, type-check, then run the whole suite on SQLite and on PostgreSQL.
test: check test-sqlite test-postgres

check: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

test-sqlite: $(VENV)/.installed-dev
	TRUNKQL_TEST_DATABASE=sqlite $(BIN)/pytest

test-postgres: $(VENV)/.installed-dev
	TRUNKQL_TEST_DATABASE=postgres $(BIN)/pytest

## Regenerate schema.graphql after a schema change.
schema: $(VENV)/.installed-runtime
	$(BIN)/trunkql export-schema -o schema.graphql
