# The README's commands. Each installs what it needs on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

export FLASK_APP := wsgi

.PHONY: run test install chromium nginx postgres lint bench fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	touch $@ $(VENV)/.run-installed

install: $(VENV)/.run-installed

## make run: migrate the embedded database, load units and demo accounts, serve (with
## production's gunicorn settings, deploy/gunicorn.conf.py, on $(HOST):$(PORT)).
run: $(VENV)/.run-installed
	$(BIN)/flask db upgrade
	$(BIN)/flask cslp setup-demo
	$(BIN)/flask cslp send-reminders
	@echo "cslp_forms: http://$(HOST):$(PORT)/"
	@# The demo sends deadline reminders every 10 minutes without cron (production: README);
	@# the loop ends with the server (Ctrl-C), not left running behind it.
	@( while sleep 600; do $(BIN)/flask cslp send-reminders >/dev/null 2>&1 || true; done ) & \
	loop=$$!; trap 'kill $$loop 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config deploy/gunicorn.conf.py --bind $(HOST):$(PORT) \
		--workers $(WORKERS) wsgi:app

## make test: the whole suite, PostgreSQL and browser tests included.
test: $(VENV)/.test-installed chromium nginx postgres
	$(BIN)/ruff check .
	$(BIN)/pytest

# Debian's Chromium for the browser tests (Playwright must never download one).
chromium:
	@test -x /usr/bin/chromium || { $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq chromium >/dev/null; }

# Debian's nginx for the test of the deployed nginx site (tests/api/test_server_limits.py);
# installed only, never started as a service.
nginx:
	@test -x /usr/sbin/nginx || { $(SUDO) apt-get update -qq && \
		$(SUDO) apt-get install -y -qq nginx >/dev/null; }

# PostgreSQL 127.0.0.1:5432 runs on these machines; start it if it has stopped.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null || { \
		command -v pg_ctlcluster >/dev/null && \
		$(SUDO) pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | tail -1) main start \
		&& sleep 2; } || echo "PostgreSQL is not running on 127.0.0.1:5432"

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .

## make fuzz: schemathesis over /api/openapi.json as officer, supervisor and admin (all
## phases, FUZZ_EXAMPLES per operation); `make test` runs a short form (tests/fuzz).
FUZZ_EXAMPLES ?= 25
fuzz: $(VENV)/.test-installed
	$(BIN)/python -m tests.fuzz.run --max-examples $(FUZZ_EXAMPLES)

## make bench: measurements (not tests); prints a table and writes BENCHMARKS.md.
bench: $(VENV)/.test-installed chromium postgres
	$(BIN)/python -m bench.run
