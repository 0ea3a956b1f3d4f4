# Apache Superset environment, kept apart from the project venv (it pins SQLAlchemy 1.4, pandas < 2.2).
# Included by the main Makefile (include mk/*.mk).

SUPERSET_VENV  ?= .venv-superset
SUPERSET_LOCK  ?= requirements/superset.lock
SUPERSET_STAMP := $(SUPERSET_VENV)/.installed-from-lock
SUPERSET_UV    ?= $(shell if [ -x .venv/bin/uv ]; then echo .venv/bin/uv; else command -v uv; fi)
SUPERSET_PY    ?= python3.11

.PHONY: superset-env superset-setup superset-serve superset-stop superset-export browser-deps

## superset-env: create .venv-superset from requirements/superset.lock (idempotent, stamp file)
superset-env: $(SUPERSET_STAMP)

$(SUPERSET_STAMP): $(SUPERSET_LOCK)
	@test -n "$(SUPERSET_UV)" || { echo "uv not found: run 'make venv' (or pip install uv) first"; exit 1; }
	@test -x $(SUPERSET_VENV)/bin/python || $(SUPERSET_UV) venv --python $(SUPERSET_PY) $(SUPERSET_VENV)
	$(SUPERSET_UV) pip sync --python $(SUPERSET_VENV)/bin/python $(SUPERSET_LOCK)
	$(SUPERSET_VENV)/bin/python -c "import importlib.metadata as m; print('superset', m.version('apache-superset'))"
	@touch $@

## superset-setup: metadata DB, admin, connection, assets, roles and RLS (idempotent)
superset-setup: superset-env
	.venv/bin/innopoints superset setup

superset-serve: superset-env
	.venv/bin/innopoints serve

superset-stop:
	.venv/bin/innopoints serve --stop

superset-export:
	.venv/bin/innopoints superset export

## browser-deps: Debian Chromium and CJK fonts for the browser test and screenshots
browser-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'noto.*cjk'; then :; else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; fi
