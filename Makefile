# Two commands on a fresh machine:  make run   |   make test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo's passwords are public, so its town admin logs in without the second factor;
# `make run QIANGJI_ADMIN_2FA=1` shows the real flow.
QIANGJI_ADMIN_2FA ?= 0

.PHONY: run serve test checks install install-dev assets browser lint typecheck demo worker bench clean

# The settings fail closed (no debug, no public keys: docs/security.md). The demo and the
# developer's machine say explicitly that they are one; nothing else ever should.
run demo worker: export DJANGO_DEBUG = 1
run demo worker: export QIANGJI_DEMO = 1
# The checks and the suite run on the test settings (config/settings_test.py: the same two switches).
test checks typecheck: export DJANGO_SETTINGS_MODULE = config.settings_test

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed assets
install-dev: $(VENV)/.installed-dev assets

# Front-end libraries come from the npm registry and are served by Django itself.
static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor && mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons static/vendor/htmx static/vendor/echarts
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/
	touch $@
assets: static/vendor/.installed

# Debian's Chromium for the browser tests; never a downloaded browser build.
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; }

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

run: demo
	@$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)/
	@test "$(QIANGJI_ADMIN_2FA)" = "1" || echo "（演示环境已关闭镇党委管理员的双因素认证）"
	$(PY) manage.py db_worker --queue-name '*' & worker=$$!; \
	$(PY) manage.py run_scheduler >/dev/null & scheduler=$$!; \
	trap "kill $$worker $$scheduler 2>/dev/null" EXIT; \
	QIANGJI_ADMIN_2FA=$(QIANGJI_ADMIN_2FA) $(PY) manage.py runserver $(HOST):$(PORT)

# The production stack against DATABASE_URL (config/serve.py): migrate, collectstatic, then
# gunicorn, the task worker and the scheduler, stopped together. Never the demo's switches or keys:
# the production keys come from the environment (deploy/qiangji.env.example).
serve: export DJANGO_DEBUG = 0
serve: export QIANGJI_DEMO = 0
serve: install
	$(PY) -m config.serve --host $(HOST) --port $(PORT)

worker: install
	$(PY) manage.py db_worker --queue-name '*'

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install-dev
	$(VENV)/bin/mypy

# The suite runs on every core (pytest-xdist); the demo town's tests form one group that one worker
# builds once (conftest.py). CI runs it twice (SQLite, PostgreSQL) and skips the checks the second time.
PYTEST_WORKERS ?= auto
SKIP_CHECKS ?= 0
checks: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

test: install-dev browser
	@test "$(SKIP_CHECKS)" = "1" || $(MAKE) --no-print-directory checks
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --durations=25 $(PYTEST_ARGS)

bench: install-dev
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules static/vendor db.sqlite3
