# CityGate: `make run` serves the app with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
MANAGE := $(BIN)/python manage.py
DEV_ENV := CITYGATE_DEBUG=1

.PHONY: run test test-suite lint format migrate demo browser-deps clean lock check-deploy venv \
	bench bench-deps bench-quick

$(BIN)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

venv: $(BIN)/.installed

migrate: venv
	mkdir -p var
	$(DEV_ENV) $(MANAGE) migrate --no-input

demo: migrate
	$(DEV_ENV) $(MANAGE) load_demo_data

# Serves the app and the task worker; Ctrl-C stops both.
run: demo
	$(DEV_ENV) $(MANAGE) collectstatic --no-input --verbosity 0
	@echo "CityGate at http://$(HOST):$(PORT)/"
	@trap 'kill 0' EXIT INT TERM; \
	$(DEV_ENV) $(MANAGE) db_worker --no-reload & \
	$(DEV_ENV) $(BIN)/granian --interface wsgi --host $(HOST) --port $(PORT) \
		--workers 1 --blocking-threads 8 --log-level warning citygate.wsgi:application

# What the browser tests need: Debian's Chromium, CJK fonts, and axe-core from npm.
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		echo "Installing chromium and fonts-noto-cjk"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium fonts-noto-cjk >/dev/null; \
	fi
	@if [ ! -f node_modules/axe-core/axe.min.js ]; then npm ci --no-audit --no-fund --silent; fi

test: venv browser-deps test-suite

test-suite: venv
	$(BIN)/pytest -n 2 --dist loadfile

lint: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy --strict citygate bench manage.py conftest.py
	$(DEV_ENV) $(MANAGE) makemigrations --check --dry-run

# The benchmarks (docs/benchmarks.md): search quality and latency, HTTP throughput, then
# applying and the clerk's workbench on PostgreSQL (127.0.0.1:5432, as .ci/run starts it).
bench-deps:
	@if ! command -v wrk >/dev/null; then \
		echo "Installing wrk"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	fi

bench: venv bench-deps
	$(BIN)/python bench/search.py
	$(BIN)/python bench/catalog.py
	$(BIN)/python bench/applications.py
	$(BIN)/python bench/push.py

bench-quick: venv
	$(BIN)/python bench/search.py --quick
	$(BIN)/python bench/applications.py --quick --sqlite
	$(BIN)/python bench/push.py --quick --sqlite

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) var node_modules

# `check --deploy` with the settings a production server would have (throwaway keys).
check-deploy: venv
	@SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	CITYGATE_DATA_KEYS=k1:$$($(BIN)/python -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())') \
	CITYGATE_INDEX_KEY=$$($(BIN)/python -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())') \
	CITYGATE_SMS_BACKEND=citygate.accounts.sms.HttpSmsGateway \
	CITYGATE_IDENTITY_VERIFIER=citygate.accounts.identity.HttpIdentityVerifier \
	CITYGATE_ENTERPRISE_VERIFIER=citygate.accounts.identity.HttpEnterpriseVerifier \
	ALLOWED_HOSTS=citygate.example.org \
	$(MANAGE) check --deploy --fail-level WARNING
