# ServeWell — two commands: `make run` (set up + serve with demo data) and `make test` (set up + run the tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: setup run serve test test-postgres test-slow lint format lock bench mutation clean

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --requirement requirements.lock
	@touch $@

# Set up everything (venv, pinned deps, migrations, demo data, search index), then serve with a task worker.
run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py update_index
	@$(MAKE) --no-print-directory serve

serve: export SERVEWELL_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
serve:
	@echo "ServeWell on http://127.0.0.1:$(PORT)/  (demo logins above; password servewell-demo)"
	@$(BIN)/python manage.py db_worker --interval 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver --noreload 127.0.0.1:$(PORT)

# -n auto: one pytest-xdist worker per CPU (each has its own test database and temp dirs).
test: setup
	$(BIN)/python -m pytest -n auto

# The same suite on PostgreSQL (pytest-django creates and drops test_<name>).
test-postgres: setup
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest -n auto --create-db

# The tests marked slow (left out above): the whole demo through every backup path on SQLite and on
# PostgreSQL, and the SQLite → PostgreSQL move (docs/deploy.md). About ten minutes on the 2-core machine.
test-slow: setup
	$(BIN)/python -m pytest -m slow -n 0
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest -m slow -n 0 --create-db

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-pin after changing pyproject.toml: installs the project's direct deps fresh and freezes them.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet ".[dev]"
	.venv-lock/bin/python -m pip freeze --exclude servewell > requirements.lock
	rm -rf .venv-lock

bench: setup  # ledger under concurrent writers, then the same over HTTP
	$(BIN)/python bench/ledger_concurrency.py
	$(BIN)/python bench/http_acknowledgements.py

# Mutation testing of the evidence modules with mutmut (docs/testing.md); not part of `make test`.
# One module: `make mutation MODULE=ledger/services.py` (minutes); all of them: `make mutation` (about an hour).
# Survivors afterwards: `.venv/bin/mutmut results`, one diff: `.venv/bin/mutmut show <name>`.
mutation: setup
	nice -n 15 $(BIN)/python scripts/mutation.py $(MODULE)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache mutants
