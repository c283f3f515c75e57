# Two commands: `make demo` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_LINK_MODE := copy
# Byte-compiled once at install: where PYTHONDONTWRITEBYTECODE is set (these machines set it),
# every process — each test worker, each `tomoni` subprocess — would compile Django, WeasyPrint
# and the rest from source again, about 7 s each.
export UV_COMPILE_BYTECODE := 1

.PHONY: setup demo test test-fast test-warm lint typecheck pytest browser fmt clean vendor bench-s

# uv itself comes from PyPI into a private bootstrap venv, pinned; it then builds .venv
# exactly from uv.lock (--frozen: never re-resolve, fail if the lock is stale).
$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python python3
	touch $@

# Tomoni's own modules byte-compiled too (only what changed since; __pycache__ is ignored).
setup: $(VENV)/.synced
	@$(BIN)/python -m compileall -q -j 0 tomoni

demo: setup
	TOMONI_ENV=demo PORT=$(PORT) $(BIN)/tomoni demo --serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy tomoni tests

# One test process per core (pytest-xdist); each gets its own test database. Override with
# PYTEST_ARGS="-n 0 tests/people" to run a part in one process.
PYTEST_ARGS ?= -n auto --dist loadgroup

# PYTHONDONTWRITEBYTECODE (set on these machines) is lifted for pytest: it keeps each test
# module's assertion-rewritten byte code in tests/**/__pycache__, so a test process does not
# rewrite every module again (about 3 s of each process's start).
pytest: setup browser
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest $(PYTEST_ARGS)

# What every test process would otherwise build for itself, made while the type checker runs
# on the other core: the rewritten test modules (collected) and the migrated SQLite test
# database (tests/dbtemplate.py; one test runs, so that it is made exactly as the tests make
# it). Only a cache: pytest makes both itself when they are missing.
test-warm: setup
	@PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n 0 -qq -k test_post_without_csrf_token_is_refused

test: lint
	@$(MAKE) --no-print-directory -j2 typecheck test-warm
	@$(MAKE) --no-print-directory pytest

# The quick loop while working: everything but the slow groups (demo city, Splink, PDF,
# browser; markers in pyproject.toml), no lint or type check. `make test` before a commit.
test-fast: setup
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n auto --dist loadgroup -m "not slow"

# The browser tests (tests/browser) drive Debian's chromium through Playwright; Playwright never
# downloads a browser. Installed here when missing (as root, or through sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -q && \
	  $(SUDO) apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk; }

fmt: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Benchmarks (not part of `make test`): data set S on SQLite, then 32 users against
# `tomoni serve`; results in bench/results/. L and PostgreSQL: see bench/README.md.
bench-s: setup
	$(BIN)/python bench/build_dataset.py --size S --engine sqlite --fresh
	$(BIN)/python bench/load.py --database-url sqlite:///$(CURDIR)/var/bench/bench-S.sqlite3 --label S-sqlite

clean:
	rm -rf $(VENV) $(TOOLS) var/test-*

# htmx and the print font (Noto Sans JP, SIL OFL 1.1) come from the npm registry, pinned by
# frontend/package-lock.json, and are committed under tomoni/static: running, testing or
# deploying Tomoni needs no Node and no network. The font is the static Regular and Bold (700)
# TTFs, 5.4 MB each, used whole (no subsetting: names need every kanji they have); PDFs embed
# only the glyphs they use (Bold: headings only).
NOTO_JP := frontend/node_modules/@expo-google-fonts/noto-sans-jp
vendor:
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund
	mkdir -p tomoni/static/tomoni/vendor/fonts
	cp frontend/node_modules/htmx.org/dist/htmx.min.js tomoni/static/tomoni/vendor/htmx.min.js
	cp frontend/node_modules/htmx.org/LICENSE tomoni/static/tomoni/vendor/htmx.LICENSE.txt
	cp $(NOTO_JP)/400Regular/NotoSansJP_400Regular.ttf tomoni/static/tomoni/vendor/fonts/NotoSansJP-Regular.ttf
	cp $(NOTO_JP)/700Bold/NotoSansJP_700Bold.ttf tomoni/static/tomoni/vendor/fonts/NotoSansJP-Bold.ttf
	cp $(NOTO_JP)/LICENSE_FONT tomoni/static/tomoni/vendor/fonts/NotoSansJP.OFL.txt
	mkdir -p tests/browser/vendor
	cp frontend/node_modules/axe-core/axe.min.js tests/browser/vendor/axe.min.js
	cp frontend/node_modules/axe-core/LICENSE tests/browser/vendor/axe.LICENSE.txt
