# Tributary: the two commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA := $(CURDIR)/.data
LOGS := $(DATA)/logs
export DAGSTER_HOME ?= $(DATA)/dagster
# VERBOSE=1: every command's output on the terminal (the install, the demo's Dagster and dbt logs)
VERBOSE ?=
# The venv's tools first, so dbt, dagster and friends resolve to it without activating it.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: help install demo test pytest lint format dev api dashboard docs manifest dbt-build aws-bootstrap clean bench bench-quick

help:
	@echo "make demo    install, generate sample data, materialize every asset into DuckDB, print headline figures"
	@echo "             (quiet: the full log's path is printed; VERBOSE=1 prints everything)"
	@echo "make test    install and run the whole suite (pytest, ruff, sqlfluff)"
	@echo "make dev     start dagster dev (UI on http://127.0.0.1:3000) with the stream producers (PRODUCE=0: without)"
	@echo "make api     serve the read-only query API over the marts (http://127.0.0.1:8000/docs; API_HOST, API_PORT)"
	@echo "make dashboard  the Streamlit dashboard over the marts (http://127.0.0.1:8501, DASHBOARD_HOST/PORT)"
	@echo "make docs    generate and serve the dbt docs site with the lineage (http://127.0.0.1:8080, DOCS_PORT)"
	@echo "make lint    ruff and sqlfluff only"
	@echo "make aws-bootstrap  create the AWS resources (buckets, Glue databases, Athena work group, Kinesis streams)"
	@echo "make bench   the benchmark (bench/README.md), long: up to 1e7 rows; results in bench/results/"
	@echo "make bench-quick  the benchmark's smoke test at 1e5 rows: the three implementations must agree"
	@echo "make clean   remove .data (lake, warehouse, samples, Dagster home)"

install: $(VENV)/.installed

# Quiet by default: pip's output goes to $(LOGS)/install.log (its last lines are printed when it fails).
$(VENV)/.installed: pyproject.toml
	@mkdir -p $(LOGS)
	@echo "installing into $(VENV) (about a minute; log: $(LOGS)/install.log)"
	@{ test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); } $(if $(VERBOSE),,>$(LOGS)/install.log 2>&1) \
	  && $(BIN)/python -m pip install --upgrade pip $(if $(VERBOSE),,>>$(LOGS)/install.log 2>&1) \
	  && $(BIN)/python -m pip install -e '.[dev]' $(if $(VERBOSE),,>>$(LOGS)/install.log 2>&1) \
	  && $(BIN)/python -m ingestion.duckdb_httpfs $(if $(VERBOSE),,>>$(LOGS)/install.log 2>&1) \
	  || { tail -n 30 $(LOGS)/install.log 2>/dev/null; echo "install failed: $(LOGS)/install.log"; exit 1; }
	@touch $@

$(DAGSTER_HOME)/dagster.yaml: orchestration/dagster.yaml
	@mkdir -p $(DAGSTER_HOME)
	@cp $< $@

# The manifest, parsed with the environment and target of the runs (orchestration/dbt_cli.py), so that a run's dbt
# starts from this parse instead of parsing the whole project again.
manifest: install
	@$(BIN)/python -m orchestration.dbt_cli

# For a deployment: the manifest built ahead (dagster-dbt's prepare-and-package), for the target in DBT_TARGET.
package: install
	$(BIN)/dagster-dbt project prepare-and-package --file orchestration/dbt.py

# Phases, a progress line, the headline figures; the full log in $(LOGS)/demo-<time>.log (orchestration/demo.py).
demo: install $(DAGSTER_HOME)/dagster.yaml
	@$(BIN)/python -m orchestration.demo $(if $(VERBOSE),--verbose)

# pytest's exit code 5 means "no test collected": not a failure of the project.
# TEST_WORKERS: pytest-xdist processes (default 2, a CI machine's cores; 0 runs the suite in this process); each
# test file runs whole on one of them (--dist loadfile), so a module's fixtures are built once
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile || [ $$? -eq 5 ]
	$(MAKE) --no-print-directory lint

pytest: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@mkdir -p $(DATA)/lint
	DBT_TARGET=test DUCKDB_PATH=$(DATA)/lint/lint.duckdb $(BIN)/sqlfluff lint dbt_project/models dbt_project/tests

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	DBT_TARGET=test DUCKDB_PATH=$(DATA)/lint/lint.duckdb $(BIN)/sqlfluff fix dbt_project/models dbt_project/tests

# `dagster dev` with the two stream producers running beside it (PRODUCE=0: without them), so that the UI shows
# the pipeline refreshing itself: the stream sensors launch a run for each batch, the automation sensor the marts
# after any source that lands (docs/orchestration.md). Ctrl-C stops all three.
PRODUCE ?= 1
dev: install manifest $(DAGSTER_HOME)/dagster.yaml
	@mkdir -p $(LOGS); trap 'kill $$(jobs -p) 2>/dev/null' EXIT; \
	if [ "$(PRODUCE)" = 1 ]; then \
	  echo "stream producers: a batch of stock sales events and one of click events every 30 s (logs in $(LOGS)/)"; \
	  $(BIN)/python -m ingestion.stock.producer >$(LOGS)/producer-stock.log 2>&1 & \
	  $(BIN)/python -m ingestion.marketing.producer >$(LOGS)/producer-marketing.log 2>&1 & \
	fi; \
	$(BIN)/dagster dev -m orchestration.definitions --host 127.0.0.1

# The read-only query API over the marts of the warehouse that DBT_TARGET selects (DuckDB or Athena).
api: install manifest
	$(BIN)/python -m serving.api

# The dashboard reads the marts (DuckDB read-only, or Athena with DBT_TARGET=prod); host and port from
# DASHBOARD_HOST / DASHBOARD_PORT (ingestion/config.py).
dashboard: install manifest
	$(BIN)/python -m dashboard

# The dbt docs site (models, columns, tests, exposures, lineage from source to dashboard page), served locally.
DOCS_PORT ?= 8080
docs: install
	cd dbt_project && ../$(BIN)/dbt docs generate
	cd dbt_project && ../$(BIN)/dbt docs serve --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

# A successful build publishes the read-only copy that readers open (serving/publish.py; DUCKDB_PUBLISH=off: no).
dbt-build: install
	cd dbt_project && ../$(BIN)/dbt build
	$(BIN)/python -m serving.publish

# The benchmark (bench/README.md). BENCH_ARGS passes options, e.g. BENCH_ARGS="--sizes stock=1e6 --repeat 5".
$(VENV)/.bench-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $@

bench: $(VENV)/.bench-installed
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-quick: install
	$(BIN)/python -m bench.run --quick $(BENCH_ARGS)

# Idempotent: creates what is missing, reports what exists (settings from the environment, see README).
aws-bootstrap: install
	$(BIN)/python -m ingestion.aws.bootstrap

clean:
	rm -rf $(DATA) dbt_project/target dbt_project/logs
