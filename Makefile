# Two commands on a fresh machine: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/jsna
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# Tests never read secrets from .env; the key below exists only for the test processes.
TEST_ENV := SECRET_KEY=test-only-$$(date +%s)-not-a-secret-key-for-any-deployment-0123456789 \
	DEBUG=0 SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 \
	SECURE_HSTS_SECONDS=0 MAP_TILES_URL= MEDIA_ROOT=$${TMPDIR:-/tmp}/jsna-test-media

.PHONY: run test install install-dev system-deps services lint check-migrations \
	test-sqlite test-postgres vendor-static clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# A local .env: DEBUG on and a random secret key, written once and never committed.
.env: | $(PY)
	@printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env (local settings: DEBUG=1 and a random SECRET_KEY)."

run: install .env
	$(PY) manage.py migrate --noinput
	$(PY) manage.py clean_uploads
	$(PY) manage.py load_county
	$(PY) manage.py run_gap_analysis
	$(PY) manage.py create_demo_login
	@echo "Serving on http://$(HOST):$(PORT)/ — sign in with the demo login above."
	$(PY) manage.py runserver $(HOST):$(PORT)

# Debian's chromium (browser tests) and docker-compose (compose file check), if missing.
system-deps:
	@bash scripts/system_deps.sh

services:
	@bash scripts/ensure_services.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

check-migrations: install-dev
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

# One pass at a time, for a developer: the whole suite on SQLite, or on PostgreSQL and Redis.
test-sqlite: install-dev
	$(TEST_ENV) DATABASE_URL= REDIS_URL= $(BIN)/pytest -q

test-postgres: install-dev services
	$(TEST_ENV) DATABASE_URL=$(POSTGRES_URL) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest -q

# Three lanes at once (scripts/test_lanes.sh): the browser tests on SQLite, everything else on
# SQLite, and everything but the browser tests on PostgreSQL, Redis and real Celery workers.
test: install-dev system-deps services lint check-migrations
	POSTGRES_URL=$(POSTGRES_URL) REDIS_TEST_URL=$(REDIS_TEST_URL) bash scripts/test_lanes.sh

vendor-static:
	bash scripts/vendor_static.sh

clean:
	rm -rf $(VENV) staticfiles media .pytest_cache .ruff_cache
