# govmedia: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test fuzz install migrate demo bench loadtest check clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# honcho numbers its processes' ports from -p (5000 unless told); the web process, first in the Procfile, gets it.
run: demo
	$(PY) manage.py setup_schedule
	@echo ""
	@echo "  govmedia: http://$${HOST:-127.0.0.1}:$${PORT:-8000}/login/   (demo password: Demo@2026!)"
	@echo "  database: $${DATABASE_URL:-SQLite var/govmedia.sqlite3}   broker: $${REDIS_URL:-filesystem var/broker}"
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile -p $${PORT:-8000}

test: install
	DJANGO_SETTINGS_MODULE=govmedia.settings.test $(BIN)/pytest

# schemathesis against the served schema as an administrator and an editor (a throwaway database; see tools/fuzz).
fuzz: install
	BIN=$(CURDIR)/$(BIN) tools/fuzz

bench: install
	$(PY) -m benchmarks

# gunicorn serving a benchmark province, locust driving the API lists and the dashboard (tools/loadtest, docs/performance.md).
loadtest: install
	$(PY) -m tools.loadtest

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf var staticfiles .pytest_cache
