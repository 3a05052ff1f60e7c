# vcio developer tasks. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after a successful install: pip re-runs only when pyproject.toml is newer.
STAMP := $(VENV)/.installed
VCIO := $(BIN)/vcio

HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# Debian packages each task needs. Browser tests drive Debian's Chromium
# (/usr/bin/chromium) through Playwright; Playwright never downloads browsers.
# The Celery scale-out test starts a real redis-server on 127.0.0.1.
# WeasyPrint prints review reports to PDF with Pango and needs a font; the PDF
# layout tests read word positions with Poppler's pdftotext (poppler-utils).
# The capacity tests scrape Debian's real node_exporter, read a real Prometheus
# that scrapes it, and take an inventory from the real FusionInventory agent.
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
AGENT_DEBS := prometheus-node-exporter prometheus fusioninventory-agent
TEST_DEBS := chromium redis-server poppler-utils $(PDF_DEBS) $(AGENT_DEBS)
RUN_DEBS := $(PDF_DEBS)
ENSURE_DEBS := scripts/ensure-debian-packages.sh

.PHONY: help venv install deps-system deps-test deps-run test run lint fmt clean

help:
	@echo "make venv         create .venv and install vcio with its dev extras"
	@echo "make deps-system  install the Debian packages that tests and run need"
	@echo "make test         run the test suite (PYTEST_ARGS='-k name' to narrow it)"
	@echo "make run          migrate, load demo data, run worker + server on HOST:PORT"
	@echo "                  (default $(HOST):$(PORT); e.g. make run PORT=8080)"
	@echo "make lint         ruff check + ruff format --check"
	@echo "make fmt          ruff format + ruff check --fix"
	@echo "make clean        remove .venv and caches (keeps the data directory)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Order-only on the interpreter: creating the venv must not, by itself, make
# the stamp look out of date once it exists; a missing stamp always installs.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[dev]'
	touch $@

venv: $(STAMP)
install: venv

deps-system: deps-test deps-run

deps-test:
	@$(ENSURE_DEBS) $(TEST_DEBS)

deps-run:
	@$(ENSURE_DEBS) $(RUN_DEBS)

# pytest runs last so that its summary line ends the output. Tests run on
# every core (pytest-xdist), a whole module per worker so that module-scoped
# fixtures are built once; PYTEST_XDIST='-n 0' runs them in one process.
PYTEST_XDIST ?= -n auto --dist loadfile
test: venv deps-test
	$(BIN)/pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

run: venv deps-run
	@HOST='$(HOST)' PORT='$(PORT)' VCIO='$(VCIO)' scripts/run.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache *.egg-info build dist \
		test-results htmlcov .coverage
	find . \( -path ./.git -o -path ./data \) -prune -o -name __pycache__ -type d -prune \
		-exec rm -rf {} +
