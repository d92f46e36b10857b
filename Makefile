# MTSS Academy: one entry point for the common commands.
#   make book   build the whole book into _build/html (sets up .venv first)
#   make test   run the whole test suite (sets up .venv, chromium, the book)
# Each target creates the virtual environment and installs what is missing.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check
JB     := $(BIN)/jupyter-book
NOTEBOOKS = $(shell git ls-files '*.ipynb' 2>/dev/null)
PYTEST_ARGS ?=
# Tests run on every core (pytest-xdist); a test file stays on one worker so
# notebook cells (nbval) keep their order and module fixtures run once. Files go
# to the workers in collection order, which tests/conftest.py sets: the slowest
# files first (SLOW_FILES there), so no long file starts last.
PYTEST_JOBS ?= auto
XDIST = -n $(PYTEST_JOBS) --dist loadfile --no-loadscope-reorder

.PHONY: help book book-clean test test-fast chromium proxy hub bench datasets apps release autograde clean env-book env-test

help:
	@sed -n 's/^#   //p' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Re-install when pyproject.toml changes (stamp files record what is installed).
$(VENV)/.stamp-book: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[book]"
	@touch $@

$(VENV)/.stamp-test: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e ".[test]"
	@touch $@ $(VENV)/.stamp-book

env-book: $(VENV)/.stamp-book
env-test: $(VENV)/.stamp-test

#   make book-clean   remove the built book and its execution cache
book-clean:
	rm -rf _build

book: $(VENV)/.stamp-book
	$(JB) build . -W -n --keep-going
	@echo ""
	@echo "The book is built. Open this file in a browser:"
	@echo "  $(CURDIR)/_build/html/index.html"

# Debian's chromium for the browser tests (Playwright cannot download one here).
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "WARNING: chromium is missing; install Debian's 'chromium' package to run the browser tests."; \
	fi

# The hub's proxy (configurable-http-proxy) from npm, pinned in package-lock.json;
# Debian's nodejs and npm are installed first when missing (as root).
node_modules/.stamp: package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's nodejs and npm for the hub's proxy..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  else \
	    echo "ERROR: npm is missing; install Node.js 18 or later (Debian: apt-get install nodejs npm)"; exit 1; \
	  fi; \
	fi
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

proxy: node_modules/.stamp

#   make hub          run the academy's JupyterHub (deploy/jupyterhub_config.py; set MTSS_HUB_PASSWORD, MTSS_HUB_ROSTER)
hub: $(VENV)/.stamp-test proxy
	$(BIN)/jupyterhub -f deploy/jupyterhub_config.py

test: $(VENV)/.stamp-test chromium proxy
	$(JB) build . -W -n --keep-going
	$(BIN)/python -m pytest tests mtss_teach --doctest-modules $(XDIST) --durations=25 \
	  --nbval-lax --nbval-sanitize-with tests/nbval_sanitize.cfg \
	  $(NOTEBOOKS) $(PYTEST_ARGS)

#   make test-fast    library tests only (no book build, no browser)
# Test by test (worksteal), not file by file: without the slow tests no file has a costly
# shared fixture, and the property-test file alone would keep one worker busy for a minute.
test-fast: $(VENV)/.stamp-test
	$(BIN)/python -m pytest tests mtss_teach --doctest-modules -n $(PYTEST_JOBS) --dist worksteal \
	  -m "not browser and not slow" --ignore=tests/test_offline_book.py $(PYTEST_ARGS)

#   make apps         serve every facilitator app with Voila on http://127.0.0.1:8866/
apps: $(VENV)/.stamp-test
	$(BIN)/python -m mtss_teach.apps serve

#   make release      generate every nbgrader assignment (answer keys stripped) into release/
release: $(VENV)/.stamp-test
	$(BIN)/python -m mtss_teach.grading generate

#   make autograde SUBMISSIONS=dir [ROSTER=roster.csv]   grade new or changed dir/<learner>/<course>/exercise.ipynb: gradebook.db, grades.csv, grading_report.csv, feedback/
autograde: $(VENV)/.stamp-test
	@test -n "$(SUBMISSIONS)" || { echo "usage: make autograde SUBMISSIONS=path/to/submissions"; exit 2; }
	$(BIN)/python -m mtss_teach.grading autograde "$(SUBMISSIONS)" $(if $(ROSTER),--roster "$(ROSTER)")

#   make datasets     regenerate the shipped synthetic datasets in datasets/ exactly
datasets: $(VENV)/.stamp-book
	$(BIN)/python -m mtss_teach.datasets regenerate

#   make bench        run every benchmark and print one table of ratios
bench: $(VENV)/.stamp-test
	$(BIN)/python -m benchmarks

clean:
	rm -rf _build release submitted autograded feedback gradebook.db test-artifacts node_modules
