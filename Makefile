# Gonghui: two commands do all the set-up — `make run` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
TEST_STAMP := $(VENV)/.installed-test-$(shell sha1sum pyproject.toml | cut -c1-12)
WORKERS ?= 2

.PHONY: run dev test lint bench install install-test migrate messages openapi clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP) $@

install: $(STAMP)
install-test: $(TEST_STAMP)

migrate: install
	$(BIN)/python manage.py migrate --no-input

# Trial mode: SQLite under var/, demo data on the first run, web server + task worker + periodic runner.
run: migrate
	$(BIN)/python manage.py collectstatic --no-input -v 0
	$(BIN)/python manage.py seed_demo --if-empty
	@$(BIN)/python manage.py demo_accounts
	@echo "Gonghui: http://127.0.0.1:$(PORT)/  (staff console: http://127.0.0.1:$(PORT)/console/)  Ctrl-C stops."
	@trap 'kill $$(jobs -p) 2>/dev/null; wait' INT TERM; \
	$(BIN)/python manage.py db_worker --interval 1 & \
	$(BIN)/python manage.py run_periodic & \
	$(BIN)/gunicorn gonghui.wsgi --bind 127.0.0.1:$(PORT) --workers $(WORKERS) --access-logfile - --graceful-timeout 5 & \
	wait -n; kill $$(jobs -p) 2>/dev/null; wait

# Autoreloading development server (not what deploys).
dev: migrate
	$(BIN)/python manage.py seed_demo --if-empty
	GONGHUI_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install-test
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(or $(TEST_WORKERS),2) $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

bench: install-test
	$(BIN)/python bench/run.py
	$(BIN)/python bench/cases.py
	$(BIN)/python bench/members_search.py
	$(BIN)/python bench/members_import.py
	$(BIN)/python bench/kb_search.py
	$(BIN)/python bench/hardship_figures.py
	$(BIN)/python bench/hardship_aid.py
	$(BIN)/python bench/legal.py
	$(BIN)/python bench/enrolment_rush.py

openapi: install
	$(BIN)/python manage.py export_openapi

messages: install-test
	cd gonghui && ../$(BIN)/python ../manage.py makemessages -l en --no-obsolete && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) var
