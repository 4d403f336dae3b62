# The two commands a newcomer runs: `make run` and `make test`. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3.11
UV := $(PYTHON) -m uv
VENV := .venv
STAMP := $(VENV)/.synced

.PHONY: run test lint typecheck openapi fuzz faults bench clean ocr browser clients axe

# Debian's OCR for scanned attachments and the font the tests render scans with.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-rus tesseract-ocr-kaz tesseract-ocr-kir tesseract-ocr-uzb \
	tesseract-ocr-uzb-cyrl tesseract-ocr-tgk tesseract-ocr-eng fonts-dejavu-core

$(STAMP): pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --python $(PYTHON)
	@touch $(STAMP)

ocr:  ## install Tesseract and its language packs where missing (Debian; elsewhere say how)
	@if ! command -v dpkg >/dev/null; then \
	  command -v tesseract >/dev/null || echo "OCR: install Tesseract with the rus kaz kir uzb uzb_cyrl tgk eng data (e.g. brew install tesseract tesseract-lang); scans are not read until then"; \
	else \
	  missing=""; for p in $(OCR_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else sudo="none"; fi; \
	    if [ "$$sudo" = none ]; then echo "OCR: as root, apt-get install$$missing"; \
	    else $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends$$missing; fi; \
	  fi; \
	fi

browser:  ## Debian's Chromium and its chromedriver for the docs-UI test (nothing downloaded by Selenium)
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif ! command -v dpkg >/dev/null; then echo "browser: install Chromium and chromedriver; tests/test_docs_ui.py needs them"; exit 1; \
	else \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else echo "browser: as root, apt-get install chromium chromium-driver"; exit 1; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver; \
	fi

# The client generators tests/test_clients.py runs, at the exact versions of tests/clients/package-lock.json
# (openapi-python-client is pinned in pyproject.toml).
CLIENTS := .cache/clients
$(CLIENTS)/.installed: tests/clients/package.json tests/clients/package-lock.json
	@command -v npm >/dev/null || { echo "clients: needs node and npm"; exit 1; }
	mkdir -p $(CLIENTS) && cp tests/clients/package.json tests/clients/package-lock.json $(CLIENTS)/
	cd $(CLIENTS) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

clients: $(CLIENTS)/.installed

# axe-core for the accessibility checks of tests/site/test_site_browser.py, at the exact version of
# tests/site/axe/package-lock.json (the test injects axe.min.js into the pages in Chromium).
AXE := .cache/axe
$(AXE)/.installed: tests/site/axe/package.json tests/site/axe/package-lock.json
	@command -v npm >/dev/null || { echo "axe: needs node and npm"; exit 1; }
	mkdir -p $(AXE) && cp tests/site/axe/package.json tests/site/axe/package-lock.json $(AXE)/
	cd $(AXE) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

axe: $(AXE)/.installed

run: $(STAMP) ocr  ## start or find PostgreSQL and Meilisearch, migrate, seed, serve on :8000
	$(VENV)/bin/migrantkb dev

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests alembic seed $(wildcard bench)
	$(VENV)/bin/ruff format --check app tests alembic seed $(wildcard bench)
	$(VENV)/bin/hadolint Dockerfile

typecheck: $(STAMP)
	$(VENV)/bin/mypy app

test: lint typecheck ocr browser clients axe  ## the whole suite against real PostgreSQL and Meilisearch
	$(VENV)/bin/pytest

fuzz: $(STAMP)  ## long fuzzing: at least 10,000 schemathesis cases over every operation per search backend (PostgreSQL, Meilisearch)
	FUZZ_EXAMPLES=150 FUZZ_MIN_CASES=10000 $(VENV)/bin/pytest tests/test_fuzz.py -s -p no:cacheprovider

faults: $(STAMP)  ## the fault and load suite at full length: 5 minutes of mixed load, a 10,000-record import
	FAULTS_LOAD_SECONDS=300 FAULTS_IMPORT_RECORDS=10000 $(VENV)/bin/pytest tests/test_faults.py -s -p no:cacheprovider

openapi: $(STAMP)
	$(VENV)/bin/migrantkb openapi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .cache
