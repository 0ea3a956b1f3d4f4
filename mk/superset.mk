# Apache Superset environment, kept apart from the project venv (it pins SQLAlchemy 1.4, pandas < 2.2).
# Included by the main Makefile (include mk/*.mk).

SUPERSET_VENV  ?= .venv-superset
SUPERSET_LOCK  ?= requirements/superset.lock
SUPERSET_STAMP := $(SUPERSET_VENV)/.installed-from-lock
SUPERSET_UV    ?= $(shell if [ -x .venv/bin/uv ]; then echo .venv/bin/uv; else command -v uv; fi)
# Superset 6.1 supports Python 3.10-3.12: prefer python3.11, else the system python3.
SUPERSET_PY    ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)

.PHONY: superset-env superset-setup superset-serve superset-stop superset-export

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

# Headless Chromium and CJK fonts for the browser test come from the main Makefile's `make browser`.
