# The README's two commands: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SYS_STAMP := var/.system-packages
# What WeasyPrint and the PDF reports need, PostgreSQL for the test run, LibreOffice-free.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
	postgresql-15 poppler-utils
HOST ?= 127.0.0.1
PORT ?= 8000
# `make serve` speaks plain http:// on this machine: the HTTPS-only settings (secure cookies,
# HTTPS redirect, HSTS) would lock the browser out. Behind a TLS proxy: SECURE_PRODUCTION=1.
SECURE_PRODUCTION ?= 0
# Hashed, compressed copies of static/ that whitenoise serves when DEBUG is off.
STATIC_MANIFEST := staticfiles/staticfiles.json

.PHONY: run serve test test-sqlite test-postgres setup system-packages lint demo clean e2e e2e-browser mutants

run: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py open_year 2022-2023
	DEBUG=1 $(PY) manage.py compute_aid --year 2022-2023 --term autumn
	DEBUG=1 $(PY) manage.py load_applications_demo
	DEBUG=1 $(PY) manage.py load_campaigns_demo
	@echo "服务已启动： http://$(HOST):$(PORT)/admin/ 园长工作台： http://$(HOST):$(PORT)/portal/ （后台任务进程随之启动，Ctrl+C 一并停止）"
	@# The task worker (export centre) runs beside the web server and is stopped with it.
	@# --no-reload: the autoreloader's child would outlive a killed parent.
	@DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# The production configuration on this machine: gunicorn (deploy/gunicorn.conf.py), static
# files from the application (whitenoise), the task worker, DEBUG off; DATABASE_URL or SQLite.
serve: setup
	DEBUG=0 $(PY) manage.py migrate --noinput
	DEBUG=0 $(PY) manage.py collectstatic --noinput --verbosity 0
	@if [ "$(SECURE_PRODUCTION)" = 0 ]; then \
	  echo "！！注意：本机以 http:// 明文提供服务，已关闭仅限 HTTPS 的设置（安全 Cookie、HTTPS 跳转、HSTS）。"; \
	  echo "！！正式上线须放在 HTTPS 反向代理之后（deploy/nginx-zizhu.conf），并设 SECURE_PRODUCTION=1。"; \
	fi
	@echo "生产模式已启动（gunicorn + 后台任务进程，DEBUG=0）： http://$(HOST):$(PORT)/admin/ （Ctrl+C 一并停止）"
	@echo "还没有账号？另开终端运行 $(PY) manage.py createsuperuser，或先用 make run 载入演示数据。"
	@# The worker is stopped with gunicorn, as in `make run`.
	@export DEBUG=0 SECURE_PRODUCTION=$(SECURE_PRODUCTION) GUNICORN_BIND=$(HOST):$(PORT); \
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py

# Lint first (a second or two), then every test on SQLite, then again on PostgreSQL. The
# browser tests run once, on SQLite: what they add to the other tests is the browser.
test: setup
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite:
	$(PY) -m pytest

test-postgres:
	.ci/with-postgres $(PY) -m pytest -m "not e2e"

lint: setup
	$(VENV)/bin/ruff check .

setup: $(STAMP) $(SYS_STAMP) e2e-browser $(STATIC_MANIFEST)

$(VENV)/bin/python:
	python3.11 -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): $(VENV)/bin/python requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Collected again whenever a static file or the installed packages (admin, htmx) change.
$(STATIC_MANIFEST): $(STAMP) $(shell find static -type f 2>/dev/null)
	$(PY) manage.py collectstatic --noinput --verbosity 0

# System packages are installed when we can (root, or sudo without a password);
# otherwise we say what is missing and go on.
$(SYS_STAMP):
	@mkdir -p var
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "安装系统软件包：$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" = none ]; then echo "请以 root 身份安装：apt-get install $$missing"; \
	  else $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; fi; \
	fi
	@touch $(SYS_STAMP)

# The real-browser tests (tests/e2e, part of `make test`) drive Debian's Chromium.
# Never `playwright install`: it downloads a browser build, which fails here.
e2e-browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "安装 Chromium（端到端测试用）"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" = none ]; then echo "请以 root 身份安装：apt-get install chromium"; \
	  else $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; fi; \
	fi

e2e: setup
	$(PY) -m pytest -m e2e tests/e2e

# Mutation testing of the pure rules, the ID check and 大写 amounts (pyproject's [tool.mutmut]):
# not part of `make test`. One worker at the lowest priority: the machine may be shared.
# Each run starts afresh (mutmut's cache would keep results of tests since changed).
MUTANTS_STAMP := $(VENV)/.installed-mutants
$(MUTANTS_STAMP): $(STAMP) requirements-mutants.txt
	$(PY) -m pip install --quiet -r requirements-mutants.txt
	touch $(MUTANTS_STAMP)

mutants: $(MUTANTS_STAMP)
	rm -rf mutants && mkdir -p var
	time nice -n 19 $(VENV)/bin/mutmut run --max-children 1 > var/mutants.log 2>&1 \
	  || { tail -n 40 var/mutants.log; exit 1; }
	$(VENV)/bin/mutmut export-cicd-stats >/dev/null
	$(VENV)/bin/mutmut results > var/mutants-survivors.txt
	$(PY) bench/mutation_score.py mutants/mutmut-cicd-stats.json var/mutants-survivors.txt

clean:
	rm -rf $(VENV) var db.sqlite3 staticfiles mutants
