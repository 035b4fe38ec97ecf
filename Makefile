# Two commands matter: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## the app on SQLite at http://127.0.0.1:5000, nothing else to start
	$(BIN)/finance-tracker serve

test: $(STAMP)  ## lint, then every test (PostgreSQL/Redis/browser tests skip when absent, unless CI=true)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/pytest -n 2

typecheck: $(STAMP)
	$(BIN)/mypy

demo: $(STAMP)  ## a year of demo data for demo@example.com / demo-password
	$(BIN)/finance-tracker demo

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
