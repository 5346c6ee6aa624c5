# Stadsdata: the two commands of the quick start are `make demo` and `make test`.
# Both install what they need (uv, the locked Python packages; PostgreSQL for the tests).

SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
HOME_DIR ?= $(or $(STADSDATA_HOME),$(HOME)/.stadsdata)

.PHONY: setup demo test test-fast lint bench clean

setup:
	@command -v uv >/dev/null 2>&1 || [ -x "$(UV)" ] || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv
	@$$(command -v uv || echo $(UV)) sync --frozen --quiet $(SYNC_EXTRAS)

## Install everything and run the platform on its embedded default with the real demo data.
demo: setup
	@$$(command -v uv || echo $(UV)) run --frozen stadsdata --home "$(HOME_DIR)" demo

## Run the whole test suite, with a throwaway PostgreSQL server for the production path.
## The tests need the spark extra: the conformance suite runs on DuckDB and on a local Spark.
test: SYNC_EXTRAS = --extra spark
test: setup
	@bash scripts/test.sh

## Lint and architecture contracts.
lint: setup
	@$$(command -v uv || echo $(UV)) run --frozen ruff check src tests bench
	@$$(command -v uv || echo $(UV)) run --frozen lint-imports

bench: setup
	@$$(command -v uv || echo $(UV)) run --frozen python bench/ingest.py
