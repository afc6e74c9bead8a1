# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

AXE := node_modules/axe-core/axe.min.js

.PHONY: run test lint format check-deploy prod-smoke browser-tools clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required: install it, or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

# axe-core for the browser tests' accessibility checks, from package-lock.json.
# Without npm the browser tests skip those checks (and fail with REQUIRE_BROWSER=1).
browser-tools:
	@if [ -f $(AXE) ] && [ $(AXE) -nt package-lock.json ]; then :; \
	elif command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent && touch $(AXE); \
	else echo "npm not found: install Node.js and npm for the accessibility checks."; fi

run: $(STAMP)
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py run_local --host $(HOST) --port $(PORT)

test: $(STAMP) browser-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# gunicorn with production settings, a worker and a loopback SMTP server
# against the local PostgreSQL: sign in, one admin action, one email.
prod-smoke: $(STAMP)
	$(BIN)/python deploy/prod_smoke.py

check-deploy: $(STAMP)
	DEBUG=false SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
		ALLOWED_HOSTS=$${ALLOWED_HOSTS:-portal.example.test} \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles node_modules
