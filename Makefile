# PMF: make run serves the dashboard with demo data; make test runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8050
# Chromium: browser tests and pack charts (kaleido); Pango and HarfBuzz: PDF packs (weasyprint);
# PostgreSQL: the tests run every database test on a throwaway PostgreSQL as well as DuckDB;
# OpenSSL: the email tests make a certificate for a mail server that offers STARTTLS
APT_PACKAGES := chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	postgresql openssl
# The single sign-on tests run a real OpenID Connect provider (tests/oidc) on Node.js: Debian's
# nodejs and npm when no node is installed, then the provider's locked packages
OIDC_PROVIDER := tests/oidc/node_modules/oidc-provider
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test lint install system-deps demo-data bench bench-ingest bench-engine bench-pages bench-load bench-scale screenshots clean format

run: install system-deps demo-data ## Create .venv, install, build the demo warehouse if absent, serve on :8050
	$(BIN)/pmf serve --host $(HOST) --port $(PORT)

test: install system-deps ## The whole test suite, browser tests included (two processes)
	$(BIN)/python -m pytest -n 2

lint: install ## ruff (format and rules E, F, I, UP, B) and mypy
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "PMF needs Python 3.11"' \
		|| { echo "PMF needs Python 3.11 (set PYTHON=/path/to/python3.11)"; exit 1; }
	@$(PYTHON) -m venv --help >/dev/null 2>&1 && $(PYTHON) -c 'import ensurepip' 2>/dev/null \
		|| { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-venv; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

system-deps: ## apt packages the tests need (Chromium for the browser tests), installed only if missing
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "Installing: nodejs npm"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm; }
	@[ -d $(OIDC_PROVIDER) ] || npm ci --prefix tests/oidc --no-audit --no-fund

demo-data: install
	@if [ -z "$$PMF_DATABASE_URL" ] && [ ! -f data/pmf.duckdb ]; then \
		$(BIN)/pmf init-db && $(BIN)/pmf demo; \
	else echo "Warehouse present; not rebuilding the demo (delete data/ to start again)."; fi

bench: bench-ingest bench-engine bench-pages bench-load bench-scale ## Every benchmark; figures go to docs/performance.md

bench-ingest: install ## Ingest: validate + load 1M CSV rows, against DuckDB's own read_csv + INSERT
	$(BIN)/python bench/ingest_bench.py

bench-engine: install ## Time the performance engine on 300 metrics x 9 areas x 260 periods
	$(BIN)/python bench/evaluate_bench.py

bench-pages: install system-deps ## Overview and drill-down at 1M observations, and a real render
	$(BIN)/python bench/pages_bench.py

bench-load: install system-deps ## 50 users replaying real page loads for 60 s, embedded and server mode
	$(BIN)/python bench/load_bench.py

bench-scale: install system-deps ## A national warehouse of 1M, 3M and 10M rows: ingest, engine, pages, serving memory
	$(BIN)/python bench/scale_bench.py

screenshots: install system-deps ## A screenshot of every page in docs/screenshots/
	$(BIN)/python scripts/screenshots.py

.PHONY: samples
samples: install system-deps ## Sample packs (HTML, PDF, XLSX) in docs/samples/, demo data as at 25 Nov 2024
	$(BIN)/python -m reports.samples docs/samples

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache *.egg-info
