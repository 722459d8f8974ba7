# The two commands the README promises: `make run` and `make test`.
# Both find Python 3.13 (on PATH, or in pyenv), create .venv, and install requirements.txt.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements

# The first Python 3.13 that actually runs: python3.13 on PATH may be a pyenv shim for a
# version that is not active, so each candidate is tried, not just found.
PYTHON313 := $(shell for p in "$$PYTHON313" python3.13 \
	"$$(pyenv root 2>/dev/null)"/versions/3.13*/bin/python3.13 \
	"$$HOME"/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13 /usr/bin/python3.13; do \
	[ -n "$$p" ] && "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null && { echo "$$p"; break; }; done)

.PHONY: run test venv lint migrate seed worker faults clean

$(PY):
	@if [ -z "$(PYTHON313)" ]; then echo "Python 3.13 is needed: install it (for example with pyenv install 3.13) and try again." >&2; exit 1; fi
	"$(PYTHON313)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

venv: $(STAMP)

# Serve the site with demo data on SQLite at http://127.0.0.1:8000.
# Tasks run at once inside the request, so no worker is needed for trying it out.
run: export DEBUG ?= 1
run: export TASKS_BACKEND ?= immediate
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# Lint, check that migrations match the models, check the dependency rule
# (docs/architecture.md), then the whole suite: on PostgreSQL
# when DATABASE_URL points there, otherwise on SQLite. Two test processes, one per core.
test: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

worker: venv
	$(PY) manage.py db_worker

# Break things on purpose on a PostgreSQL cluster of its own (15/faults, port 5433; needs
# root or the postgres user): kill workers, stop and freeze PostgreSQL, stop Redis, hang
# SMTP. Prints emails lost and doubled and seconds to a friendly answer (docs/reliability.md).
faults: venv
	$(PY) benchmarks/faults.py $(FAULTS_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts .pytest_cache .ruff_cache
